"""Fill the stored levels (``LevelSpan``) of the assessment rows already there, with the same
derivation as the application (``competencies.stored_levels`` → ``competencies.levels``).

About a minute per million rows; ``parcours competencies recompute-levels`` does the same
afterwards (and repairs only what differs)."""

from django.db import migrations


def fill(apps, schema_editor):
    from parcours.competencies.stored_levels import computed

    db = schema_editor.connection.alias
    Assessment = apps.get_model("competencies", "Assessment")
    LevelSpan = apps.get_model("competencies", "LevelSpan")
    assessed = Assessment.objects.using(db).values_list("enrolment_id", flat=True).distinct()
    for _group, spans in computed(assessed.order_by(), Assessment.objects.using(db)):
        LevelSpan.objects.using(db).bulk_create(
            [LevelSpan(**span) for span in spans], batch_size=500
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE competencies_levelspan")  # the readers' plans need it


class Migration(migrations.Migration):
    dependencies = [
        ("competencies", "0005_level_spans"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
