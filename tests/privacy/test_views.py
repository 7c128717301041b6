"""The director's "Protection des données" screens."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.organisations.models import School
from parcours.privacy.models import LegalHold
from tests.factories import PersonFactory, ReferralFactory


def _url(world, name, *args):
    return reverse(f"privacy:{name}", args=[world.school.slug, *args])


@pytest.mark.parametrize("who, status", [("director", 200), ("referent", 403), ("outsider", 404)])
def test_home_is_for_the_director(world, who, status):
    response = world.client_for(who).get(_url(world, "home"))
    assert response.status_code == status
    if status == 200:
        assert "Protection des données" in response.content.decode()
        assert "Réquisition judiciaire" in response.content.decode()  # the world's hold


def test_home_lists_people_due_in_constant_queries(world):
    client = world.client_for("director")
    old = datetime.date(2019, 1, 10)

    def add(n):
        for _ in range(n):
            person = PersonFactory(school=world.school)
            ReferralFactory(school=world.school, person=person, received_on=old)

    add(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(_url(world, "home"))
    assert "10/01/2019" in response.content.decode()
    add(8)
    with CaptureQueriesContext(connection) as many:
        client.get(_url(world, "home"))
    assert len(many) == len(few)


@pytest.mark.parametrize("who, status", [("director", 200), ("intake", 403), ("outsider", 404)])
def test_retention_form_access(world, who, status):
    assert world.client_for(who).get(_url(world, "retention")).status_code == status


def test_the_director_sets_the_retention(world):
    response = world.client_for("director").post(_url(world, "retention"), {"retention_years": "3"})
    assert response.status_code == 302
    assert School.objects.get(pk=world.school.pk).retention_years == 3
    assert AuditEvent.objects.filter(action="school.retention").count() == 1


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "La durée de conservation est d&#x27;au moins 1 an."),
        ("11", "La durée de conservation est de 10 ans au plus."),
        ("deux", "Indiquez un nombre entier d&#x27;années."),
        ("", "Indiquez une durée de conservation."),
    ],
)
def test_a_bad_retention_is_refused_and_nothing_written(world, value, message):
    response = world.client_for("director").post(
        _url(world, "retention"), {"retention_years": value}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert School.objects.get(pk=world.school.pk).retention_years == 2
    assert not AuditEvent.objects.filter(action="school.retention").exists()


@pytest.mark.parametrize("who, status", [("director", 200), ("referent", 403), ("outsider", 404)])
def test_hold_pages_access(world, who, status):
    client = world.client_for(who)
    person = world.objects["privacy_person"]
    hold = world.objects["legal_hold"]
    assert client.get(_url(world, "hold_place", person.pk)).status_code == status
    assert client.get(_url(world, "hold_lift", hold.pk)).status_code == status


def test_another_schools_person_and_hold_are_404(world):
    client = world.client_for("director")
    assert (
        client.get(_url(world, "hold_place", world.others["privacy_person"].pk)).status_code == 404
    )
    response = client.post(_url(world, "hold_lift", world.others["legal_hold"].pk))
    assert response.status_code == 404
    assert LegalHold.objects.get(pk=world.others["legal_hold"].pk).lifted_at is None


def test_the_director_lifts_then_places_a_hold(world):
    client = world.client_for("director")
    hold = world.objects["legal_hold"]
    person = world.objects["privacy_person"]
    # GET is the confirmation: nothing changes
    client.get(_url(world, "hold_lift", hold.pk))
    assert LegalHold.objects.get(pk=hold.pk).lifted_at is None
    assert client.post(_url(world, "hold_lift", hold.pk)).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == world.members["director"].user
    response = client.post(
        _url(world, "hold_place", person.pk), {"reason": "Contentieux prud'homal en cours"}
    )
    assert response.status_code == 302
    assert LegalHold.objects.active().get(person=person).reason.startswith("Contentieux")
    assert (
        AuditEvent.objects.filter(action__in=["legal_hold.lift", "legal_hold.place"]).count() == 2
    )


def test_a_hold_without_reason_is_refused(world):
    LegalHold.objects.all().delete()
    person = world.objects["privacy_person"]
    response = world.client_for("director").post(
        _url(world, "hold_place", person.pk), {"reason": ""}
    )
    assert response.status_code == 400
    assert "Indiquez le motif de la conservation." in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_second_active_hold_is_refused(world):
    person = world.objects["privacy_person"]
    response = world.client_for("director").post(
        _url(world, "hold_place", person.pk), {"reason": "Autre motif"}
    )
    assert response.status_code == 400
    assert "Une conservation est déjà en cours pour cette personne." in response.content.decode()
    assert LegalHold.objects.filter(person=person).count() == 1


def test_the_trainee_page_of_an_anonymised_person(world):
    from parcours.privacy.services import anonymise_person

    LegalHold.objects.all().delete()
    enrolment = world.objects["enrolment"]
    anonymise_person(person=enrolment.person)
    response = world.client_for("director").get(
        reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    )
    page = response.content.decode()
    assert "Données anonymisées le" in page
    assert "Léa" not in page and f"Personne n° {enrolment.person.pk}" in page


def test_the_trainee_page_shows_the_hold_to_the_director_only(world):
    enrolment = world.objects["enrolment"]
    url = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    director_page = world.client_for("director").get(url).content.decode()
    assert "Conservation pour motif légal depuis le" in director_page
    referent_page = world.client_for("referent").get(url).content.decode()
    assert "Conservation pour motif légal" not in referent_page
    LegalHold.objects.all().delete()
    director_page = world.client_for("director").get(url).content.decode()
    assert "Poser une conservation pour motif légal" in director_page
