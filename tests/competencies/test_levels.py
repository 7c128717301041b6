"""A competency's current level is derived from its rows: the latest counts, corrected rows
drop out, the entry level is the positioning's."""

from __future__ import annotations

import datetime

import pytest

from parcours.competencies import services
from parcours.competencies.levels import derive_levels
from parcours.competencies.selectors import assessment_rows
from parcours.competencies.selectors_assessments import trainee_competencies

from ..utils import page_text
from .test_assessments import assess, url

pytestmark = pytest.mark.django_db


def _levels(world):
    enrolment = world.objects["enrolment"]
    return derive_levels(assessment_rows(enrolment))[world.objects["competency"].pk]


def test_the_world_levels_entry_1_current_2(world):
    levels = _levels(world)
    assert (levels.entry_level, levels.current_level, levels.progress) == (1, 2, 1)


def test_the_latest_assessment_is_the_current_level(world):
    assess(world, level=4, assessed_on=datetime.date(2024, 4, 2))
    assess(world, level=3, assessed_on=datetime.date(2024, 3, 20))  # older, entered later
    levels = _levels(world)
    assert levels.current_level == 4
    assert levels.entry_level == 1


def test_a_corrected_row_drops_out(world):
    services.correct_assessment(
        membership=world.members["referent"],
        assessment=world.objects["assessment"],
        level=1,
        reason="Atelier mal noté",
    )
    levels = _levels(world)
    assert levels.current_level == 1
    assert [row.level for row in levels.history] == [1, 1]


def test_a_corrected_positioning_changes_the_entry_level(world):
    services.correct_assessment(
        membership=world.members["referent"],
        assessment=world.objects["positioning"],
        level=2,
        reason="Test mal lu",
    )
    levels = _levels(world)
    assert (levels.entry_level, levels.current_level, levels.progress) == (2, 2, 0)


def test_the_trainee_page_shows_entry_and_current_levels_with_labels(world):
    enrolment = world.objects["enrolment"]
    data = trainee_competencies(enrolment)
    row = next(r for block in data["areas"] for r in block["rows"] if r.competency.code == "FR1")
    assert (row.entry_label, row.current_label) == ("Découverte", "En progression")
    assert row.last_assessed_on == datetime.date(2024, 3, 6)
    text = page_text(world.client_for("intake").get(url(world, "trainee", enrolment.pk)))
    assert "1 — Découverte" in text and "2 — En progression" in text
    assert "06/03/2024" in text
    assert "Se présente clairement en atelier." in text
    assert "PIX" in text and "245 pix" in text


def test_the_trainee_page_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    enrolment = world.objects["enrolment"]
    client = world.client_for("referent")
    client.get(url(world, "trainee", enrolment.pk))  # warm the session
    with django_assert_max_num_queries(20) as few:
        client.get(url(world, "trainee", enrolment.pk))
    for day in range(1, 26):
        assess(
            world, level=1 + day % 4, assessed_on=datetime.date(2024, 3, day), note=f"Note {day}"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(world, "trainee", enrolment.pk))
    assert "Note 25" in page_text(response)


def test_a_correction_keeps_the_place_of_the_row_it_corrects(world):
    day = datetime.date(2024, 4, 10)
    morning = assess(world, level=1, assessed_on=day)
    assess(world, level=3, assessed_on=day)  # later the same day
    services.correct_assessment(
        membership=world.members["referent"], assessment=morning, level=2, reason="Erreur"
    )
    levels = _levels(world)
    # The afternoon's 3 is still the latest; the corrected morning row reads 2.
    assert levels.current_level == 3
    assert [row.level for row in levels.history][-2:] == [2, 3]
