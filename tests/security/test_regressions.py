"""What the form fuzz found, one test each (the fuzz may not draw the same input again)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .probe import WriteDetector

pytestmark = pytest.mark.django_db

HUGE_ID = "9" * 40


def _post(world, name: str, data: dict, *args):
    client = world.client_for("director")
    client.raise_request_exception = False
    with WriteDetector() as writes:
        response = client.post(reverse(name, args=[world.school.slug, *args]), data)
    return response, writes


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("schedule:session_new", "trainees"),
        ("pathways:reassign", "enrolments"),
        ("intake:referral_create", "funding_lines"),
    ],
)
def test_an_oversized_id_among_several_choices_is_refused_not_a_500(world, name, field):
    """Django fetches the chosen ids with ``pk__in``, which let a 40-digit id reach SQLite's
    driver (OverflowError): ``parcours.fields.ModelMultipleChoiceField`` refuses it first. (The
    referral form did not fail — its field is checked after others — it is kept as a guard.)"""
    response, writes = _post(world, name, {field: [HUGE_ID]})
    assert response.status_code == 400
    assert not writes.rows


def test_a_grid_row_with_a_bare_word_as_next_goes_back_to_the_grid(world):
    """``next=abc`` was handed to ``redirect()``, which took it for a view name (500)."""
    enrolment = world.objects["enrolment"]
    competency = world.objects["competency"]
    data = {"enrolment": enrolment.pk, "competency": competency.pk, "next": "abc"}
    response, writes = _post(world, "competencies:grid_save", data)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "competencies:grid_trainee", args=[world.school.slug, enrolment.pk]
    )
    assert not writes.rows  # no level chosen: refused with a message
