"""Assessments and evidence are append-only: no save of an existing row, no delete, no update
path in the interface (a correction is a new row)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parcours.competencies.models import Assessment, Evidence

from ..test_url_access import project_urls
from .test_assessments import url

pytestmark = pytest.mark.django_db


def test_an_assessment_cannot_be_saved_again_nor_deleted(world):
    row = world.objects["assessment"]
    row.level = 4
    with pytest.raises(ValidationError, match="ajoutez une correction"):
        row.save()
    with pytest.raises(ValidationError, match="ne peut pas être supprimé"):
        row.delete()
    assert Assessment.objects.get(pk=row.pk).level == 2


def test_evidence_cannot_be_saved_again_nor_deleted(world):
    proof = world.objects["evidence"]
    proof.note = "Autre chose"
    with pytest.raises(ValidationError):
        proof.save()
    with pytest.raises(ValidationError):
        proof.delete()
    assert Evidence.objects.get(pk=proof.pk).note == "Se présente clairement en atelier."


def test_no_url_edits_or_deletes_an_assessment():
    names = {url.name for url in project_urls() if url.name.startswith("competencies:")}
    assert "competencies:assess" in names
    assert {name for name in names if "assessment" in name} == {"competencies:assessment_correct"}
    # Only a draft framework's parts can be deleted (nothing has been assessed on a draft).
    assert {name for name in names if "delete" in name} == {
        "competencies:framework_area_delete",
        "competencies:framework_competency_delete",
        "competencies:framework_delete",
    }


def test_posting_a_correction_leaves_the_old_row_as_it_was(world):
    old = world.objects["assessment"]
    before = Assessment.objects.filter(pk=old.pk).values().get()
    response = world.client_for("director").post(
        url(world, "assessment_correct", old.enrolment_id, old.pk),
        {"level": "4", "context": "project", "assessed_on": "2024-03-07", "reason": "Date"},
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(pk=old.pk).values().get() == before
    assert Assessment.objects.filter(enrolment=old.enrolment_id).count() == 3
