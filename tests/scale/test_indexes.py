"""On PostgreSQL the generator drops the big tables' secondary indexes and unique/exclusion
constraints during its load and recreates them from their own definitions: afterwards they
are exactly those of the freshly migrated database."""

from __future__ import annotations

import pytest
from django.db import connection

from parcours.scale.generate import generate
from parcours.schedule.models import AttendanceMark, Session, SessionTrainee

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the indexes are dropped on PostgreSQL only"
)


def _definitions() -> dict[str, list[tuple[str, str]]]:
    found = {}
    with connection.cursor() as cursor:
        for model in (Session, SessionTrainee, AttendanceMark):
            table = model._meta.db_table
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass ORDER BY 1, 2",
                [table, table],
            )
            found[table] = cursor.fetchall()
    return found


@pytest.mark.django_db
def test_the_indexes_and_constraints_are_those_of_the_migrations():
    before = _definitions()
    assert all(before.values())
    generate("tiny", seed=3, progress=lambda _line: None)
    assert _definitions() == before
