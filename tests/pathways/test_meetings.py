"""Meetings (entretiens): recording one, reading one, confidential summaries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.pathways import services
from parcours.pathways.models import Meeting

from ..factories import EnrolmentFactory, PersonFactory
from ..utils import page_text
from .follow_up_helpers import MAY_NOT_READ, MAY_READ, client_as, counts, member, url

pytestmark = pytest.mark.django_db

SECRET = "SECRET-CONFIDENTIEL"
HIDDEN = "Compte rendu confidentiel : réservé au référent et à la direction."


def _today() -> datetime.date:
    return timezone.localdate()


def _valid(**changes) -> dict:
    data = {
        "held_on": (_today() - datetime.timedelta(days=1)).isoformat(),
        "kind": "follow_up",
        "participants": "Léa, son référent",
        "summary": "Bilan de la première semaine de stage.",
        "next_steps": "Relancer l'entreprise.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# ------------------------------------------------------------------------------ create


@pytest.mark.parametrize("who", ["referent", "director"])
def test_record_a_meeting(world, who):
    client = client_as(world, who)
    enrolment = world.objects["enrolment"]
    assert client.get(url(world, "meeting_create")).status_code == 200
    before = counts()
    response = client.post(url(world, "meeting_create"), _valid(confidential="on"))
    assert response.status_code == 302
    meeting = Meeting.objects.latest("id")
    assert response["Location"] == url(world, "meeting", meeting.pk)
    assert meeting.enrolment == enrolment and meeting.school == world.school
    assert meeting.confidential is True
    assert meeting.author == member(world, who).user
    assert counts()["meetings"] == before["meetings"] + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "meeting.create" and event.object_id == str(meeting.pk)
    assert event.changes == {"enrolment": enrolment.pk, "confidential": True}
    followed = page_text(client.get(response["Location"]))
    assert "est enregistré" in followed


@pytest.mark.parametrize("who", ["intake", "company_relations", "prescriber", "funder"])
def test_roles_without_manage_pathway_get_403_and_write_nothing(world, who):
    client = client_as(world, who)
    assert client.get(url(world, "meeting_create")).status_code == 403
    before = counts()
    assert client.post(url(world, "meeting_create"), _valid()).status_code == 403
    assert counts() == before


def test_outsider_gets_404_and_anonymous_goes_to_login(world):
    before = counts()
    outsider = client_as(world, "outsider")
    assert outsider.post(url(world, "meeting_create"), _valid()).status_code == 404
    assert client_as(world, "outsider").get(url(world, "meeting_create")).status_code == 404
    response = client_as(world, "anonymous").post(url(world, "meeting_create"), _valid())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert counts() == before


def test_enrolment_of_another_school_is_404(world):
    before = counts()
    client = client_as(world, "director")
    assert client.get(url(world, "meeting_create", other=True)).status_code == 404
    assert client.post(url(world, "meeting_create", other=True), _valid()).status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": "2999-01-01"}, "La date ne peut pas être dans le futur."),
        ({"held_on": "2024-02-04"}, "L'entretien ne peut pas précéder l'entrée en parcours"),
        ({"held_on": None}, "Ce champ est obligatoire."),
        ({"held_on": "31/02/2024"}, "Saisissez une date valide."),
        ({"kind": None}, "Ce champ est obligatoire."),
        ({"kind": "party"}, "Choisissez un type d'entretien de la liste."),
        ({"kind": "family"}, "n'est prévu que pour un·e stagiaire mineur·e"),
        ({"participants": "x" * 301}, "au plus 300 caractères"),
        ({"summary": "x" * 5001}, "au plus 5000 caractères"),
        ({"next_steps": "x" * 2001}, "au plus 2000 caractères"),
    ],
)
def test_bad_input_gives_a_french_message_and_writes_nothing(world, changes, message):
    client = client_as(world, "referent")
    before = counts()
    response = client.post(url(world, "meeting_create"), _valid(**changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def _minor_enrolment(world):
    today = _today()
    person = PersonFactory(
        school=world.school, birth_date=today.replace(year=today.year - 17) - datetime.timedelta(1)
    )
    return EnrolmentFactory(
        school=world.school,
        person=person,
        site=world.site,
        referent=world.members["referent"],
        entry_date=today - datetime.timedelta(days=30),
    )


def test_family_meeting_is_accepted_for_a_minor(world):
    enrolment = _minor_enrolment(world)
    client = client_as(world, "referent")
    response = client.post(
        reverse("pathways:meeting_create", args=[world.school.slug, enrolment.pk]),
        _valid(kind="family", participants="Léa et sa mère"),
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(enrolment=enrolment, kind="family").count() == 1


def test_the_service_refuses_a_family_meeting_for_an_adult(world):
    before = counts()
    with pytest.raises(ValidationError, match="mineur"):
        services.record_meeting(
            membership=world.members["referent"],
            enrolment=world.objects["enrolment"],
            held_on=datetime.date(2024, 3, 1),
            kind="family",
        )
    assert counts() == before


# ------------------------------------------------------------------------------- detail


@pytest.mark.parametrize("who", ["referent", "director", "intake", "company_relations"])
def test_every_staff_role_reads_a_plain_meeting(world, who):
    meeting = world.objects["meeting"]
    response = client_as(world, who).get(url(world, "meeting", meeting.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "Point d'étape : assiduité correcte." in text
    assert "20/02/2024" in text
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


@pytest.mark.parametrize("who", MAY_READ)
def test_confidential_summary_is_shown_to_who_may_read_and_each_read_is_audited(world, who):
    meeting = world.objects["confidential_meeting"]
    client = client_as(world, who)
    reader = member(world, who)
    for expected in (1, 2):  # every view writes its own event
        response = client.get(url(world, "meeting", meeting.pk))
        assert response.status_code == 200
        assert SECRET in page_text(response)
        assert HIDDEN not in page_text(response)
        events = AuditEvent.objects.filter(action="restricted.read.meeting")
        assert events.count() == expected
    event = events.latest("id")
    assert event.actor == reader.user
    assert event.object_type == "pathways.meeting" and event.object_id == str(meeting.pk)
    assert event.changes == {"enrolment": world.objects["enrolment"].pk}


@pytest.mark.parametrize("who", MAY_NOT_READ)
def test_confidential_summary_is_hidden_from_the_others(world, who):
    meeting = world.objects["confidential_meeting"]
    response = client_as(world, who).get(url(world, "meeting", meeting.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert SECRET not in text
    assert HIDDEN in text
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_get_403_on_a_meeting(world, who):
    meeting = world.objects["confidential_meeting"]
    assert client_as(world, who).get(url(world, "meeting", meeting.pk)).status_code == 403


def test_outsider_gets_404_on_a_meeting(world):
    meeting = world.objects["confidential_meeting"]
    assert client_as(world, "outsider").get(url(world, "meeting", meeting.pk)).status_code == 404


def test_meeting_of_another_enrolment_or_school_is_404(world):
    client = client_as(world, "director")
    other_enrolment = EnrolmentFactory(school=world.school, site=world.site)
    foreign = world.others["confidential_meeting"]
    mine = world.objects["confidential_meeting"]
    assert client.get(url(world, "meeting", foreign.pk)).status_code == 404
    wrong_pair = reverse("pathways:meeting", args=[world.school.slug, other_enrolment.pk, mine.pk])
    assert client.get(wrong_pair).status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()
