"""Social support actions (freins périphériques): the list by domain, create, edit, health."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from parcours.audit.models import AuditEvent
from parcours.pathways import services
from parcours.pathways.models import SupportAction

from ..utils import page_text
from .follow_up_helpers import MAY_NOT_READ, MAY_READ, client_as, counts, member, url

pytestmark = pytest.mark.django_db

SECRET = "SECRET-SANTE"


def _valid(**changes) -> dict:
    data = {
        "domain": "housing",
        "description": "Dossier de demande de logement social.",
        "partner_organisation": "CCAS",
        "opened_on": "2024-03-01",
        "closed_on": "",
        "hours": "2,5",
        "outcome": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _action(world, **fields) -> SupportAction:
    values = {
        "school": world.school,
        "enrolment": world.objects["enrolment"],
        "domain": "mobility",
        "description": "Action",
        "opened_on": datetime.date(2024, 3, 1),
        "author": world.members["referent"].user,
    }
    values.update(fields)
    return SupportAction.objects.create(**values)


# -------------------------------------------------------------------------------- list


@pytest.mark.parametrize("who", MAY_READ)
def test_health_actions_are_listed_for_who_may_read_and_the_read_is_audited(world, who):
    response = client_as(world, who).get(url(world, "support"))
    assert response.status_code == 200
    text = page_text(response)
    assert SECRET in text
    assert "Demande d'aide au permis de conduire." in text
    event = AuditEvent.objects.get(action="restricted.read.support")
    assert event.actor == member(world, who).user
    assert event.changes == {"enrolment": world.objects["enrolment"].pk}


@pytest.mark.parametrize("who", [w for w in MAY_NOT_READ if not w.startswith("company")])
def test_health_actions_are_absent_for_the_others_without_a_hint(world, who):
    response = client_as(world, who).get(url(world, "support"))
    assert response.status_code == 200
    text = page_text(response)
    assert SECRET not in text
    assert "Santé" not in text  # not even an empty count for the health domain
    assert "Demande d'aide au permis de conduire." in text
    assert "1 action, dont 1 en cours." in text  # the health action is not counted
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


def test_no_audit_when_there_is_no_health_action(world):
    world.objects["health_action"].delete()
    response = client_as(world, "referent").get(url(world, "support"))
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


def test_counts_per_domain_and_open_actions_first(world):
    _action(world, description="Ancienne action close", closed_on=datetime.date(2024, 3, 5))
    _action(world, description="Action ouverte plus tôt", opened_on=datetime.date(2024, 2, 6))
    _action(world, domain="digital", description="Atelier numérique", hours=Decimal("3.5"))
    text = page_text(client_as(world, "referent").get(url(world, "support")))
    assert "5 actions, dont 4 en cours." in text
    # Open actions first (newest first), then closed ones, within the domain.
    assert (
        text.index("Demande d'aide au permis de conduire.")
        < text.index("Action ouverte plus tôt")
        < text.index("Ancienne action close")
    )
    counts_table = " ".join(strip_tags(text[text.index("Actions par domaine") :]).split())
    assert "Mobilité 2 3 0" in counts_table  # open, total, hours
    assert "Numérique 1 1 3,5" in counts_table
    assert "Santé 1 1 0" in counts_table
    assert "Logement 0 0 0" in counts_table


@pytest.mark.parametrize("who", ["company_relations", "company_relations_shared"])
def test_company_relations_staff_see_no_social_support_at_all(world, who):
    """Company-relations staff deal with companies: no support action reaches them, health or
    not (issue 7), even when the restricted sections are shared with them."""
    assert client_as(world, who).get(url(world, "support")).status_code == 403
    response = client_as(world, who).get(url(world, "trainee"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Demande d'aide au permis de conduire." not in text
    assert SECRET not in text
    assert "Accompagnement social" not in text
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_get_403_on_the_support_list(world, who):
    assert client_as(world, who).get(url(world, "support")).status_code == 403


def test_outsider_gets_404_on_the_support_list_and_another_school_enrolment_is_404(world):
    assert client_as(world, "outsider").get(url(world, "support")).status_code == 404
    response = client_as(world, "director").get(url(world, "support", other=True))
    assert response.status_code == 404


def test_support_list_runs_a_constant_number_of_queries(world):
    client = client_as(world, "referent")
    client.get(url(world, "support"))  # warm up (session, sites…)
    with CaptureQueriesContext(connection) as few:
        client.get(url(world, "support"))
    for index in range(30):
        _action(world, domain=["mobility", "housing", "health"][index % 3], description=f"A{index}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(world, "support")).status_code == 200
    assert len(many) == len(few)


# ------------------------------------------------------------------------------ create


@pytest.mark.parametrize("who", ["referent", "director"])
def test_create_a_support_action(world, who):
    client = client_as(world, who)
    assert client.get(url(world, "support_create")).status_code == 200
    response = client.post(url(world, "support_create"), _valid())
    assert response.status_code == 302
    assert response["Location"] == url(world, "support")
    action = SupportAction.objects.latest("id")
    assert action.domain == "housing" and action.hours == Decimal("2.5")
    assert action.enrolment == world.objects["enrolment"]
    assert action.author == member(world, who).user
    event = AuditEvent.objects.latest("id")
    assert event.action == "support_action.create" and event.object_id == str(action.pk)
    assert "est enregistrée" in page_text(client.get(response["Location"]))


def test_hours_left_blank_count_as_zero(world):
    response = client_as(world, "referent").post(url(world, "support_create"), _valid(hours=""))
    assert response.status_code == 302
    assert SupportAction.objects.latest("id").hours == Decimal(0)


def test_health_domain_is_offered_to_the_referent_and_accepted(world):
    client = client_as(world, "referent")
    assert 'value="health"' in client.get(url(world, "support_create")).content.decode()
    response = client.post(url(world, "support_create"), _valid(domain="health"))
    assert response.status_code == 302
    assert SupportAction.objects.latest("id").domain == "health"


def test_health_domain_is_neither_offered_nor_accepted_for_another_referent(world):
    client = client_as(world, "other_referent")
    page = client.get(url(world, "support_create"))
    assert page.status_code == 200
    assert 'value="health"' not in page.content.decode()
    assert "Santé" not in page_text(page)
    before = counts()
    response = client.post(url(world, "support_create"), _valid(domain="health"))
    assert response.status_code == 400
    assert "Choisissez un domaine de la liste." in page_text(response)
    assert counts() == before


def test_the_service_refuses_health_content_from_who_may_not_read_it(world):
    before = counts()
    with pytest.raises(ValidationError, match="santé"):
        services.save_support_action(
            membership=member(world, "other_referent"),
            enrolment=world.objects["enrolment"],
            domain="health",
            description="x",
            opened_on=datetime.date(2024, 3, 1),
        )
    assert counts() == before


@pytest.mark.parametrize("who", ["intake", "company_relations", "prescriber", "funder"])
def test_create_is_403_without_manage_pathway(world, who):
    client = client_as(world, who)
    before = counts()
    assert client.get(url(world, "support_create")).status_code == 403
    assert client.post(url(world, "support_create"), _valid()).status_code == 403
    assert counts() == before


def test_create_is_404_for_an_outsider_or_another_school_enrolment(world):
    before = counts()
    outsider = client_as(world, "outsider")
    assert outsider.post(url(world, "support_create"), _valid()).status_code == 404
    response = client_as(world, "director").post(url(world, "support_create", other=True), _valid())
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"opened_on": "2999-01-01"}, "La date ne peut pas être dans le futur."),
        ({"opened_on": "2024-01-15"}, "L'action ne peut pas précéder l'entrée en parcours"),
        ({"opened_on": None}, "Ce champ est obligatoire."),
        (
            {"opened_on": "2024-03-10", "closed_on": "2024-03-09"},
            "La date de clôture doit suivre la date d'ouverture.",
        ),
        ({"closed_on": "2999-01-01"}, "La date de clôture ne peut pas être dans le futur."),
        ({"hours": "-1"}, "Le nombre d'heures ne peut pas être négatif."),
        ({"hours": "1000"}, "Le nombre d'heures ne peut pas dépasser 999."),
        ({"hours": "beaucoup"}, "Indiquez un nombre d'heures"),
        ({"hours": "1,234"}, "Indiquez au plus deux décimales."),
        ({"domain": None}, "Ce champ est obligatoire."),
        ({"domain": "astrology"}, "Choisissez un domaine de la liste."),
        ({"description": None}, "Ce champ est obligatoire."),
        ({"description": "x" * 3001}, "au plus 3000 caractères"),
        ({"partner_organisation": "x" * 201}, "au plus 200 caractères"),
        ({"outcome": "x" * 2001}, "au plus 2000 caractères"),
    ],
)
def test_bad_input_gives_a_french_message_and_writes_nothing(world, changes, message):
    client = client_as(world, "referent")
    before = counts()
    response = client.post(url(world, "support_create"), _valid(**changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


# -------------------------------------------------------------------------------- edit


def test_edit_a_support_action(world):
    action = world.objects["support_action"]
    client = client_as(world, "referent")
    page = client.get(url(world, "support_edit", action.pk))
    assert page.status_code == 200
    assert "Demande d'aide au permis de conduire." in page_text(page)
    response = client.post(
        url(world, "support_edit", action.pk),
        _valid(
            domain="mobility",
            description="Permis obtenu.",
            opened_on="2024-02-14",
            closed_on="2024-04-30",
            hours="12",
            outcome="Permis B obtenu.",
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.closed_on == datetime.date(2024, 4, 30) and action.hours == Decimal(12)
    assert action.author == world.members["referent"].user
    assert AuditEvent.objects.latest("id").action == "support_action.update"
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


def test_edit_refused_input_writes_nothing(world):
    action = world.objects["support_action"]
    before = counts()
    response = client_as(world, "referent").post(
        url(world, "support_edit", action.pk),
        _valid(domain="mobility", opened_on="2024-02-14", closed_on="2024-02-13"),
    )
    assert response.status_code == 400
    assert "La date de clôture doit suivre la date d'ouverture." in page_text(response)
    assert counts() == before
    action.refresh_from_db()
    assert action.closed_on is None


@pytest.mark.parametrize("who", ["referent", "director", "colleague"])
def test_health_action_edit_page_shows_it_to_who_may_read_and_audits(world, who):
    action = world.objects["health_action"]
    response = client_as(world, who).get(url(world, "support_edit", action.pk))
    assert response.status_code == 200
    assert SECRET in page_text(response)
    event = AuditEvent.objects.get(action="restricted.read.support")
    assert event.object_id == str(action.pk)


def test_health_action_edit_is_404_for_another_referent(world):
    action = world.objects["health_action"]
    client = client_as(world, "other_referent")
    response = client.get(url(world, "support_edit", action.pk))
    assert response.status_code == 404
    assert SECRET not in page_text(response)
    before = counts()
    response = client.post(url(world, "support_edit", action.pk), _valid(domain="mobility"))
    assert response.status_code == 404
    assert counts() == before
    action.refresh_from_db()
    assert action.domain == "health"


@pytest.mark.parametrize("who", ["intake", "company_relations"])
def test_edit_is_403_without_manage_pathway(world, who):
    action = world.objects["support_action"]
    assert client_as(world, who).get(url(world, "support_edit", action.pk)).status_code == 403


def test_edit_of_another_school_or_enrolment_action_is_404(world):
    client = client_as(world, "director")
    foreign = world.others["support_action"]
    assert client.get(url(world, "support_edit", foreign.pk)).status_code == 404
    assert (
        client_as(world, "outsider")
        .get(url(world, "support_edit", world.objects["support_action"].pk))
        .status_code
        == 404
    )


def test_another_referent_cannot_turn_an_action_into_health(world):
    action = world.objects["support_action"]
    before = counts()
    response = client_as(world, "other_referent").post(
        url(world, "support_edit", action.pk), _valid(domain="health", opened_on="2024-02-14")
    )
    assert response.status_code == 400
    assert "Choisissez un domaine de la liste." in page_text(response)
    assert counts() == before
