"""``Assessment.objects`` refuses the bulk writes that skip ``Assessment.save`` (they would
leave the stored levels stale); the named paths of ``stored_levels`` write in bulk and
recompute the levels of the enrolments they touch, in the same transaction."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from parcours.competencies import services, stored_levels
from parcours.competencies.models import Assessment, Evidence, LevelSpan, StoredLevelsBypassed
from parcours.competencies.stored_levels import ROW_FIELDS, SPAN_FIELDS
from parcours.privacy.inventory import HOLDINGS

from .test_assessments import competencies_of, new_enrolment
from .test_stored_levels import assert_agree

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def snapshot() -> tuple[list, list]:
    """Every assessment row and every stored span, as values."""
    rows = sorted(Assessment.objects.values_list("pk", *[f.attname for f in fields()]))
    spans = sorted(LevelSpan.objects.values_list("pk", *SPAN_FIELDS))
    return rows, spans


def fields():
    return [f for f in Assessment._meta.concrete_fields if not f.primary_key]


def new_row(world, enrolment, level=3, kind="assessment", **extra) -> Assessment:
    referent = world.members["referent"]
    return Assessment(
        school=world.school,
        enrolment=enrolment,
        competency=world.objects["competency"],
        kind=kind,
        level=level,
        assessed_on=enrolment.entry_date + 40 * DAY,
        assessor=referent,
        context="workshop",
        recorded_by=referent.user,
        **extra,
    )


def refused(what: str) -> str:
    return (
        rf"Assessment\.objects\.{what}\(\) is refused: it skips Assessment\.save and would "
        r"leave the stored levels \(LevelSpan\) stale\. .*bulk_create_and_recompute\(\) / "
        r"delete_and_recompute\(\)"
    )


def test_bulk_writes_of_the_queryset_are_refused_and_write_nothing(world):
    enrolment = world.objects["enrolment"]
    rows = Assessment.objects.filter(enrolment=enrolment)
    before = snapshot()
    with pytest.raises(StoredLevelsBypassed, match=refused("bulk_create")):
        Assessment.objects.bulk_create([new_row(world, enrolment)])
    with pytest.raises(StoredLevelsBypassed, match=refused("update")):
        rows.update(level=4)
    with pytest.raises(StoredLevelsBypassed, match=refused("bulk_update")):
        row = rows.get(kind="assessment")
        row.level = 4
        Assessment.objects.bulk_update([row], ["level"])
    with pytest.raises(StoredLevelsBypassed, match=refused("delete")):
        rows.delete()
    with pytest.raises(StoredLevelsBypassed, match=refused("_raw_delete")):
        rows._raw_delete(rows.db)
    # The related manager (enrolment.assessments) is the same queryset.
    with pytest.raises(StoredLevelsBypassed, match=refused("update")):
        enrolment.assessments.update(level=4)
    with pytest.raises(StoredLevelsBypassed, match=refused("delete")):
        enrolment.assessments.all().delete()
    assert snapshot() == before
    assert_agree(enrolment)


def test_the_refusal_is_a_permission_error_like_the_audit_events(world):
    with pytest.raises(PermissionError):
        Assessment.objects.all().update(level=1)


def test_reads_and_single_rows_still_go_through_the_manager(world):
    enrolment = world.objects["enrolment"]
    assert Assessment.objects.filter(enrolment=enrolment).count() == 2
    row = new_row(world, enrolment)
    row.save()
    assert Assessment.objects.filter(enrolment=enrolment).count() == 3
    assert_agree(enrolment)


def test_bulk_create_and_recompute_writes_the_rows_and_their_levels(world):
    enrolment = new_enrolment(world)
    other = world.objects["enrolment"]
    created = stored_levels.bulk_create_and_recompute(
        [
            new_row(world, enrolment, level=1, kind="positioning"),
            new_row(world, enrolment, level=2),
            new_row(world, other, level=4),
        ]
    )
    assert all(row.pk for row in created)
    assert Assessment.objects.filter(enrolment=enrolment).count() == 2
    assert LevelSpan.objects.filter(enrolment=enrolment).exists()
    assert_agree(enrolment)
    assert_agree(other)
    held = LevelSpan.objects.get(enrolment=other, valid_until=None)
    assert held.current_level == 4


def test_bulk_create_and_recompute_writes_nothing_when_a_row_is_refused(world):
    enrolment = new_enrolment(world)
    before = snapshot()
    with pytest.raises(IntegrityError), transaction.atomic():  # level 0: refused by the database
        stored_levels.bulk_create_and_recompute(
            [new_row(world, enrolment, level=2), new_row(world, enrolment, level=0)]
        )
    assert snapshot() == before


def test_delete_and_recompute_deletes_the_rows_and_their_levels(world):
    referent = world.members["referent"]
    enrolment = new_enrolment(world)
    competencies = competencies_of(world)
    rows = services.record_positioning(
        membership=referent,
        enrolment=enrolment,
        levels={c.pk: 2 for c in competencies},
        assessed_on=enrolment.entry_date,
    )
    services.correct_assessment(  # a correction: the rows refer to each other
        membership=referent, assessment=rows[0], level=3, reason="Test mal lu"
    )
    kept = world.objects["enrolment"]
    kept_spans = sorted(LevelSpan.objects.filter(enrolment=kept).values_list(*SPAN_FIELDS))
    assert LevelSpan.objects.filter(enrolment=enrolment).count() == len(competencies)
    count = stored_levels.delete_and_recompute(Assessment.objects.filter(enrolment=enrolment))
    assert count == len(competencies) + 1
    assert not Assessment.objects.filter(enrolment=enrolment).exists()
    assert not LevelSpan.objects.filter(enrolment=enrolment).exists()
    assert sorted(LevelSpan.objects.filter(enrolment=kept).values_list(*SPAN_FIELDS)) == kept_spans


def test_delete_and_recompute_of_some_rows_keeps_the_others_levels(world):
    enrolment = world.objects["enrolment"]
    latest = Assessment.objects.get(enrolment=enrolment, kind="assessment")
    Evidence.objects.filter(assessment=latest).delete()
    assert stored_levels.delete_and_recompute(Assessment.objects.filter(pk=latest.pk)) == 1
    [span] = LevelSpan.objects.filter(enrolment=enrolment)
    assert (span.entry_level, span.current_level, span.valid_until) == (1, 1, None)
    assert_agree(enrolment)


def test_the_anonymisation_leaves_what_the_levels_are_derived_from():
    """The anonymisation erases assessment fields with an update through the base manager
    (no stored level reads them): if the inventory ever erases one the levels are derived
    from, the stored levels must be recomputed with it (``stored_levels``)."""
    [holding] = [h for h in HOLDINGS if h.model == "competencies.Assessment"]
    written = {*holding.erase, *holding.marked, *holding.files, *holding.to_year, *holding.tokens}
    derived_from = {name.removesuffix("_id") for name in ROW_FIELDS} | {"corrects"}
    assert written == {"correction_reason"}
    assert not written & derived_from
    assert not holding.delete_rows
