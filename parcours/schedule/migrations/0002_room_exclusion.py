"""On PostgreSQL, the database itself refuses two sessions in the same room at overlapping
times (half-open ranges: a session ending at 12:00 and one starting at 12:00 do not overlap).
SQLite has no such constraint: the booking service checks inside an IMMEDIATE transaction."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE schedule_session ADD CONSTRAINT session_room_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&);
"""
DROP = "ALTER TABLE schedule_session DROP CONSTRAINT IF EXISTS session_room_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("schedule", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
