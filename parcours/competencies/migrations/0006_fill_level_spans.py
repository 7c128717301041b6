"""Fill the stored levels (``LevelSpan``) of the assessment rows already there.

Self-contained: it reads the historical models only and carries a frozen copy of the
derivation as it was when the migration was written (``competencies.levels.level_spans`` and
``competencies.stored_levels.spans_of``), so a later change to the live code (a renamed field,
a new rule) cannot break it nor change what it writes on a fresh database. If the rules change
later, ``parcours competencies recompute-levels`` brings the stored levels up to date (and
``parcours daily`` would find and repair the difference). A test checks that, on the
migrated rows, this copy gives the live derivation's spans
(``tests/competencies/test_stored_levels.py``).

About a minute per million rows."""

from django.db import migrations

#: Enrolments read and written at once.
CHUNK = 500

POSITIONING = "positioning"


def _effective(rows):
    """The rows that count (not corrected), by date then by the first row of their chain.

    ``rows``: tuples ``(pk, competency_id, kind, level, assessed_on, corrects_id, school_id)``.
    """
    by_pk = {row[0]: row for row in rows}
    corrected = {row[5] for row in rows if row[5]}

    def first_of_chain(row):
        seen = set()
        while row[5] in by_pk and row[0] not in seen:
            seen.add(row[0])
            row = by_pk[row[5]]
        return row[0] or 0

    return sorted(
        (row for row in rows if row[0] not in corrected),
        key=lambda row: (row[4], first_of_chain(row)),
    )


def _level_spans(rows):
    """``[(competency_id, valid_from, valid_until, entry_level, entry_on, current_level)]`` of
    one enrolment's rows: the states the levels go through, one span per day that changes
    them (a frozen copy of ``levels.level_spans``)."""
    entry = {}  # competency → (entry level, entry day)
    spans = {}  # competency → [[valid_from, valid_until, entry_level, entry_on, current]]
    for _pk, competency_id, kind, level, day, _corrects, _school in _effective(rows):
        if kind == POSITIONING:
            entry[competency_id] = (level, day)
        entry_level, entry_on = entry.get(competency_id, (None, None))
        span = [day, None, entry_level, entry_on, level]
        chain = spans.setdefault(competency_id, [])
        if chain and chain[-1][0] == day:
            chain.pop()  # a later row of the same day: its levels are the day's
            if chain:
                chain[-1][1] = None
        if chain and chain[-1][2:] == span[2:]:
            continue  # nothing changes that day
        if chain:
            chain[-1][1] = day
        chain.append(span)
    return [
        (competency_id, *span) for competency_id, chain in spans.items() for span in chain
    ]


def _spans_of(enrolment_id, rows):
    """The ``LevelSpan`` field values of one enrolment's rows."""
    first = {}
    for row in rows:
        known = first.get(row[1])
        if known is None or row[0] < known[0]:
            first[row[1]] = row
    result = []
    for competency_id, valid_from, valid_until, entry_level, entry_on, current in _level_spans(
        rows
    ):
        first_row = first[competency_id]
        result.append(
            {
                "school_id": first_row[6],
                "enrolment_id": enrolment_id,
                "competency_id": competency_id,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "entry_level": entry_level,
                "entry_on": entry_on,
                "current_level": current,
                "first_assessment_pk": first_row[0],
            }
        )
    return result


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    Assessment = apps.get_model("competencies", "Assessment")
    LevelSpan = apps.get_model("competencies", "LevelSpan")
    assessments = Assessment.objects.using(db)
    pks = sorted(set(assessments.values_list("enrolment_id", flat=True).order_by()))
    for start in range(0, len(pks), CHUNK):
        group = pks[start : start + CHUNK]
        members = set(group)
        by_enrolment = {}
        rows = assessments.filter(
            enrolment_id__gte=group[0], enrolment_id__lte=group[-1]
        ).values_list(
            "enrolment_id",
            "id",
            "competency_id",
            "kind",
            "level",
            "assessed_on",
            "corrects_id",
            "school_id",
        )
        for enrolment_id, *row in rows:
            if enrolment_id in members:
                by_enrolment.setdefault(enrolment_id, []).append(tuple(row))
        LevelSpan.objects.using(db).bulk_create(
            [
                LevelSpan(**span)
                for enrolment_id, enrolment_rows in by_enrolment.items()
                for span in _spans_of(enrolment_id, enrolment_rows)
            ],
            batch_size=CHUNK,
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
