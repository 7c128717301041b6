"""The framework shipped with Parcours, and the admin's read-only rules for published versions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parcours.competencies.loading import default_framework_data
from parcours.competencies.models import Competency, Framework, LevelDescriptor

from ..factories import UserFactory
from ..utils import login_client

pytestmark = pytest.mark.django_db


def test_the_default_framework_is_published_and_complete():
    framework = Framework.objects.get(school=None, family="transversal-e2c", version=1)
    assert framework.status == "published"
    assert framework.published_at is not None
    assert [level.label for level in framework.levels.all()] == [
        "Découverte",
        "En progression",
        "Maîtrisée",
        "Confirmée",
    ]
    competencies = Competency.objects.filter(framework=framework)
    assert 12 <= competencies.count() <= 16
    assert {area.code for area in framework.areas.all()} == {
        "FR",
        "NUM",
        "DIG",
        "EQ",
        "ORG",
        "PRO",
        "PROJ",
        "CIT",
    }
    # Every competency says what each of the 4 levels looks like.
    for competency in competencies:
        values = list(
            LevelDescriptor.objects.filter(competency=competency).values_list("value", flat=True)
        )
        assert values == [1, 2, 3, 4], competency.code
    assert len(default_framework_data()["competencies"]) == competencies.count()


def _admin_client() -> Client:
    user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client = Client()
    login_client(client, user)
    return client


def test_the_admin_cannot_change_a_published_framework():
    framework = Framework.objects.get(school=None, family="transversal-e2c", version=1)
    client = _admin_client()
    url = reverse("admin:competencies_framework_change", args=[framework.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content  # a read-only view
    response = client.post(url, {"name": "Changé", "family": framework.family, "version": 1})
    assert response.status_code == 403
    framework.refresh_from_db()
    assert framework.name == "Compétences transversales Parcours"


def test_the_admin_lists_assessments_read_only(world):
    client = _admin_client()
    response = client.get(reverse("admin:competencies_assessment_changelist"))
    assert response.status_code == 200
    assessment = world.objects["assessment"]
    url = reverse("admin:competencies_assessment_change", args=[assessment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"level": 4}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.level == 2


def test_the_admin_adds_competencies_to_drafts_only():
    framework = Framework.objects.get(school=None, family="transversal-e2c", version=1)
    area = framework.areas.first()
    client = _admin_client()
    response = client.post(
        reverse("admin:competencies_competency_add"),
        {
            "framework": framework.pk,
            "area": area.pk,
            "code": "NEW1",
            "title": "Ajout interdit",
            "position": 0,
            "descriptors-TOTAL_FORMS": 0,
            "descriptors-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200  # the form is shown again with its errors
    assert not Competency.objects.filter(code="NEW1").exists()
    changelist = client.get(reverse("admin:competencies_framework_changelist"))
    assert b"delete_selected" not in changelist.content
