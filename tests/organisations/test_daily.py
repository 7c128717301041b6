"""``parcours daily`` checks the stored competency levels: one pass that compares every
enrolment's spans with its rows without writing, then the enrolments that differ recomputed,
with a warning in French in the log."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.competencies import stored_levels
from parcours.competencies.models import LevelSpan
from parcours.competencies.stored_levels import SPAN_FIELDS
from parcours.pathways.models import Enrolment

from ..competencies.test_assessments import new_enrolment
from ..competencies.test_stored_levels import assert_agree, expected, stored

pytestmark = pytest.mark.django_db

LINE = "parcours aux niveaux de compétences recalculés (écart avec les évaluations)"


def every_span() -> list[tuple]:
    return sorted(LevelSpan.objects.values_list("pk", *SPAN_FIELDS))


def make_stale(world) -> list[int]:
    """A wrong level on the world's enrolment, a missing span on the other school's, a span
    without rows on a new enrolment; the three enrolments, in order."""
    enrolment, other = world.objects["enrolment"], world.others["enrolment"]
    LevelSpan.objects.filter(enrolment=enrolment, valid_until=None).update(current_level=4)
    LevelSpan.objects.filter(enrolment=other).order_by("valid_from").first().delete()
    empty = new_enrolment(world)
    LevelSpan.objects.create(
        school=world.school,
        enrolment=empty,
        competency=world.objects["competency"],
        valid_from=empty.entry_date,
        current_level=1,
        first_assessment_pk=1,
    )
    return sorted([enrolment.pk, other.pk, empty.pk])


def daily() -> list[str]:
    out = io.StringIO()
    call_command("daily", stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def test_the_comparison_finds_the_stale_enrolments_and_writes_nothing(world):
    stale = make_stale(world)
    before = every_span()
    with CaptureQueriesContext(connection) as ctx:
        found = stored_levels.differing()
    assert found == stale
    assert every_span() == before
    written = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        or "FOR UPDATE" in q["sql"].upper()
        or "FOR NO KEY UPDATE" in q["sql"].upper()
    ]
    assert written == []  # no write, no lock
    # Its queries do not grow with the enrolments: two a group of 500, plus the list.
    assert len(ctx.captured_queries) == 3


def test_daily_repairs_the_stale_levels_and_says_so(world, caplog):
    stale = make_stale(world)
    assert any(stored(e) != expected(e) for e in Enrolment.objects.filter(pk__in=stale))
    with caplog.at_level(logging.WARNING, logger="parcours.competencies.stored_levels"):
        lines = daily()
    assert f"{LINE} : 3" in lines
    [warning] = [r for r in caplog.records if r.name == "parcours.competencies.stored_levels"]
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == (
        "Niveaux enregistrés : 3 parcours différaient de leurs évaluations, recalculés "
        "(2 périodes ajoutées, 2 retirées). Des évaluations ont été écrites hors de "
        "l'application : cherchez par où."
    )
    for enrolment in Enrolment.objects.all():
        assert_agree(enrolment)
    assert stored_levels.differing() == []
    # The next day, nothing to repair and nothing said.
    caplog.clear()
    before = every_span()
    with caplog.at_level(logging.WARNING, logger="parcours.competencies.stored_levels"):
        lines = daily()
    assert f"{LINE} : 0" in lines
    assert not [r for r in caplog.records if r.name == "parcours.competencies.stored_levels"]
    assert every_span() == before


def test_check_and_repair_counts_what_it_compared_and_repaired(world):
    make_stale(world)
    checked = stored_levels.check_and_repair()
    assert checked.enrolments == Enrolment.objects.count()
    assert checked.differing == 3
    assert (checked.repaired.created, checked.repaired.deleted) == (2, 2)
    again = stored_levels.check_and_repair()
    assert (again.differing, again.repaired) == (0, None)


def test_a_save_during_the_pass_is_no_alarm(world, monkeypatch, caplog):
    """The pass reads rows and spans in two statements without a lock: an assessment saved
    between them makes its enrolment look stale, though its own transaction refreshed the
    spans. Under lock nothing changes: no warning, nothing counted, nothing written."""
    enrolment = world.objects["enrolment"]
    monkeypatch.setattr(stored_levels, "differing", lambda enrolments=None: [enrolment.pk])
    before = every_span()
    with caplog.at_level(logging.WARNING, logger="parcours.competencies.stored_levels"):
        checked = stored_levels.check_and_repair()
        lines = daily()
    assert (checked.differing, checked.repaired) == (0, None)
    assert f"{LINE} : 0" in lines
    assert not [r for r in caplog.records if r.name == "parcours.competencies.stored_levels"]
    assert every_span() == before
