"""Sites and rooms: the director manages them; bad input gives a French message, writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.organisations.models import Room, Site

from ..utils import page_text

pytestmark = pytest.mark.django_db

VALID_SITE = {
    "name": "Site des Salins",
    "address": "12 rue des Salins",
    "postcode": "63000",
    "commune": "Clermont-Ferrand",
    "surface_m2": "250",
}
VALID_ROOM = {
    "name": "Salle Chaîne des Puys",
    "kind": "workshop",
    "capacity": "14",
    "computers": "0",
}


def _counts():
    return Site.objects.count(), Room.objects.count(), AuditEvent.objects.count()


def test_home_shows_sites_rooms_and_staff(world):
    response = world.client_for("director").get(reverse("organisations:home", args=["e2c-alpha"]))
    content = page_text(response)
    assert response.status_code == 200
    assert "Site Alpha" in content
    assert "450 m²" in content
    assert "Salle Alpha" in content and "Salle Informatique Alpha" in content
    assert "2 salles, dont 1 informatiques" in content
    assert "Alphareferent" in content  # staff list with roles
    assert "Formateur·rice référent·e" in content
    assert "Site Beta" not in content


def test_funder_sees_premises_but_no_staff(world):
    response = world.client_for("funder").get(reverse("organisations:home", args=["e2c-alpha"]))
    content = page_text(response)
    assert "Site Alpha" in content
    assert "Alphareferent" not in content and "Équipe" not in content


def test_director_creates_site_and_it_is_audited(world):
    client = world.client_for("director")
    response = client.post(reverse("organisations:site_create", args=["e2c-alpha"]), VALID_SITE)
    site = Site.objects.get(name="Site des Salins")
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:site", args=["e2c-alpha", site.pk])
    assert site.school == world.school
    event = AuditEvent.objects.get(action="site.create")
    assert event.actor == world.members["director"].user
    assert event.school == world.school
    assert event.object_id == str(site.pk)
    assert event.changes["surface_m2"] == [None, 250]
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("surface_m2", "0", "La surface doit être d'au moins 1 m²."),
        ("surface_m2", "-20", "La surface doit être d'au moins 1 m²."),
        ("surface_m2", "beaucoup", "Saisissez un nombre entier."),
        ("name", "", "Ce champ est obligatoire."),
        ("name", "Site Alpha", "Un site de ce nom existe déjà dans l'école."),
        ("name", "x" * 201, "Assurez-vous que cette valeur comporte au plus 200 caractères"),
        ("postcode", "6300", "Le code postal doit compter 5 chiffres."),
        ("opened_on", "31/02/2024", "Saisissez une date valide."),
    ],
)
def test_bad_site_input_is_refused(world, field, value, message):
    client = world.client_for("director")
    before = _counts()
    response = client.post(
        reverse("organisations:site_create", args=["e2c-alpha"]), {**VALID_SITE, field: value}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_site_closing_before_opening_is_refused(world):
    client = world.client_for("director")
    before = _counts()
    response = client.post(
        reverse("organisations:site_create", args=["e2c-alpha"]),
        {**VALID_SITE, "opened_on": "2024-09-01", "closed_on": "2024-08-31"},
    )
    assert "La date de fermeture doit suivre la date d'ouverture." in page_text(response)
    assert _counts() == before


def test_director_edits_site_and_diff_is_audited(world):
    client = world.client_for("director")
    data = {**VALID_SITE, "name": "Site Alpha", "surface_m2": "600"}
    response = client.post(
        reverse("organisations:site_edit", args=["e2c-alpha", world.site.pk]), data
    )
    assert response.status_code == 302
    world.site.refresh_from_db()
    assert world.site.surface_m2 == 600
    event = AuditEvent.objects.get(action="site.update")
    assert event.changes["surface_m2"] == [450, 600]
    assert "name" not in event.changes


def test_director_creates_room(world):
    client = world.client_for("director")
    url = reverse("organisations:room_create", args=["e2c-alpha", world.site.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**VALID_ROOM, "site": world.site.pk, "step_free": "on"})
    assert response.status_code == 302
    room = Room.objects.get(name="Salle Chaîne des Puys")
    assert (room.school, room.site, room.capacity, room.step_free) == (
        world.school,
        world.site,
        14,
        True,
    )
    assert AuditEvent.objects.filter(action="room.create", object_id=str(room.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "-3"}, "La capacité doit être d'au moins 1 personne."),
        ({"capacity": "0"}, "La capacité doit être d'au moins 1 personne."),
        ({"capacity": ""}, "Ce champ est obligatoire."),
        ({"computers": "-1"}, "Le nombre d'ordinateurs ne peut pas être négatif."),
        (
            {"kind": "computer", "computers": "0"},
            "Une salle informatique doit compter au moins un ordinateur.",
        ),
        ({"kind": "piscine"}, "Sélectionnez un choix valide."),
        ({"name": "salle alpha"}, "Une salle de ce nom existe déjà sur ce site."),
    ],
)
def test_bad_room_input_is_refused(world, changes, message):
    client = world.client_for("director")
    before = _counts()
    response = client.post(
        reverse("organisations:room_create", args=["e2c-alpha", world.site.pk]),
        {**VALID_ROOM, "site": world.site.pk, **changes},
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_room_cannot_be_put_on_another_schools_site(world):
    client = world.client_for("director")
    before = _counts()
    response = client.post(
        reverse("organisations:room_create", args=["e2c-alpha", world.site.pk]),
        {**VALID_ROOM, "site": world.other_site.pk},
    )
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in page_text(response)
    assert _counts() == before


def test_referent_cannot_create_a_site(world):
    before = _counts()
    response = world.client_for("referent").post(
        reverse("organisations:site_create", args=["e2c-alpha"]), VALID_SITE
    )
    assert response.status_code == 403
    assert _counts() == before


def test_outsider_cannot_edit_a_room(world):
    before = _counts()
    response = world.client_for("outsider").post(
        reverse("organisations:room_edit", args=["e2c-alpha", world.room.pk]),
        {**VALID_ROOM, "site": world.site.pk, "capacity": "99"},
    )
    assert response.status_code == 404
    world.room.refresh_from_db()
    assert world.room.capacity == 12
    assert _counts() == before


def test_closed_rooms_and_sites_leave_the_home_page(world):
    import datetime

    world.room.closed_on = datetime.date(2020, 1, 1)
    world.room.save()
    content = page_text(
        world.client_for("director").get(reverse("organisations:home", args=["e2c-alpha"]))
    )
    assert "Salle Alpha<" not in content
    assert "1 salle, dont 1 informatique" in content


def test_navigation_shows_only_what_the_role_may_use(world):
    director = page_text(
        world.client_for("director").get(reverse("organisations:home", args=["e2c-alpha"]))
    )
    for label in (
        "Stagiaires",
        "Sorties",
        "Résultats",
        "Chiffres clés",
        "Candidatures",
        "Équipe",
        "Financements",
        "Paramètres",
    ):
        assert f">{label}</a>" in director
    assert ">Mes orientations</a>" not in director
    prescriber = page_text(
        world.client_for("prescriber").get(reverse("organisations:home", args=["e2c-alpha"]))
    )
    assert ">Mes orientations</a>" in prescriber
    for label in ("Stagiaires", "Sorties", "Résultats", "Candidatures", "Équipe", "Paramètres"):
        assert f">{label}</a>" not in prescriber
    funder = page_text(
        world.client_for("funder").get(reverse("organisations:home", args=["e2c-alpha"]))
    )
    assert ">Financements</a>" in funder and ">Stagiaires</a>" not in funder


def test_settings_hub_links_every_setting(world):
    text = page_text(
        world.client_for("director").get(reverse("organisations:settings", args=["e2c-alpha"]))
    )
    assert "Règles d'admission" in text and "Phases et durée des parcours" in text
