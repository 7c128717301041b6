"""The person's rights: requests (with their answer), notices given, the direction's pages."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.people.models import LegalGuardian, PrivacyNotice, SubjectRequest, one_month_after

from ..factories import PersonFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db

NIR = "1 84 12 75 123 456 40"  # a valid key (97 - n mod 97)


def _url(world, name: str, *args) -> str:
    return reverse(f"people:{name}", args=[world.school.slug, *args])


def _today() -> datetime.date:
    return timezone.localdate()


def test_one_month_after():
    assert one_month_after(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert one_month_after(datetime.date(2026, 12, 15)) == datetime.date(2027, 1, 15)
    assert one_month_after(datetime.date(2024, 1, 30)) == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("who", "status"), [("director", 200), ("referent", 403), ("intake", 403), ("outsider", 404)]
)
def test_rights_pages_access(world, who, status):
    client = world.client_for(who)
    person = world.objects["trainee_person"]
    assert client.get(_url(world, "rights")).status_code == status
    assert client.get(_url(world, "person_rights", person.pk)).status_code == status


def test_other_schools_person_is_404(world):
    client = world.client_for("director")
    other = world.others["trainee_person"]
    assert client.get(_url(world, "person_rights", other.pk)).status_code == 404
    assert client.get(_url(world, "export_json", other.pk)).status_code == 404
    request = world.others["subject_request"]
    assert client.post(_url(world, "request_answer", request.pk), {}).status_code == 404


def test_record_a_request(world):
    client = world.client_for("director")
    person = world.objects["trainee_person"]
    received = _today() - datetime.timedelta(days=3)
    response = client.post(
        _url(world, "request_new", person.pk),
        {
            "kind": "rectification",
            "received_on": received.isoformat(),
            "channel": "email",
            "details": "Corriger l'adresse.",
        },
    )
    assert response.status_code == 302
    request = SubjectRequest.objects.latest("pk")
    assert request.person == person and request.school == world.school
    assert request.due_on == one_month_after(received)
    assert request.recorded_by == world.members["director"].user
    event = AuditEvent.objects.latest("pk")
    assert event.action == "subject_request.create"
    assert "adresse" not in str(event.changes) and person.last_name not in event.object_repr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"received_on": "2999-01-01"},
            "La date de réception ne peut pas être dans le futur.",
        ),
        (
            {"details": f"Son numéro : {NIR}"},
            "Ne saisissez pas de numéro de sécurité sociale (NIR) : Parcours ne doit pas le "
            "conserver.",
        ),
        ({"kind": "nope"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_request_writes_nothing(world, data, message):
    client = world.client_for("director")
    person = world.objects["trainee_person"]
    before = SubjectRequest.objects.count(), AuditEvent.objects.count()
    posted = {"kind": "access", "received_on": "2024-03-01", "channel": "letter", **data}
    response = client.post(_url(world, "request_new", person.pk), posted)
    assert response.status_code == 400
    assert message in page_text(response)
    assert (SubjectRequest.objects.count(), AuditEvent.objects.count()) == before


def test_answer_a_request(world):
    client = world.client_for("director")
    request = world.objects["subject_request"]
    response = client.post(
        _url(world, "request_answer", request.pk),
        {"answered_on": "2024-03-20", "outcome": "granted", "answer": "Export remis."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_on == datetime.date(2024, 3, 20) and request.outcome == "granted"
    event = AuditEvent.objects.latest("pk")
    assert event.action == "subject_request.answer" and event.changes["outcome"] == "granted"
    assert "Export" not in str(event.changes)
    # answered once only
    response = client.post(
        _url(world, "request_answer", request.pk),
        {"answered_on": "2024-03-21", "outcome": "moot", "answer": ""},
    )
    assert response.status_code == 400
    assert "Cette demande a déjà reçu une réponse." in page_text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"answered_on": "2024-03-01"},
            "La réponse ne peut pas précéder la réception de la demande.",
        ),
        ({"answered_on": "2999-01-01"}, "La date de réponse ne peut pas être dans le futur."),
        (
            {"outcome": "refused", "answer": ""},
            "Indiquez le motif du refus (il doit être communiqué à la personne).",
        ),
        ({"answered_on": "31/02/2024"}, "Saisissez une date valide."),
    ],
)
def test_bad_answer_writes_nothing(world, data, message):
    client = world.client_for("director")
    request = world.objects["subject_request"]
    before = AuditEvent.objects.count()
    posted = {"answered_on": "2024-03-20", "outcome": "granted", "answer": "", **data}
    response = client.post(_url(world, "request_answer", request.pk), posted)
    assert response.status_code == 400
    assert message in page_text(response)
    request.refresh_from_db()
    assert request.answered_on is None and request.outcome == "" and request.answer == ""
    assert AuditEvent.objects.count() == before


def test_requests_list_open_first_overdue_flagged_constant_queries(world):
    client = world.client_for("director")
    director = world.members["director"].user

    def add(n: int) -> None:
        for i in range(n):
            person = PersonFactory(school=world.school)
            SubjectRequest.objects.create(
                school=world.school,
                person=person,
                kind="objection",
                received_on=_today() - datetime.timedelta(days=i),
                channel="phone",
                recorded_by=director,
            )

    add(2)
    with CaptureQueriesContext(connection) as few:
        response = client.get(_url(world, "rights"))
    # The table (the filters above it name the kinds and states too).
    text = page_text(response).split("<table>", 1)[1]
    # the world's request (received in 2024, unanswered) is overdue and listed first
    assert '<span class="tag tag-fail">En retard</span>' in text
    assert text.index("10/03/2024") < text.index("Opposition")
    add(8)
    with CaptureQueriesContext(connection) as many:
        client.get(_url(world, "rights"))
    assert len(many) == len(few)


def test_search_people(world):
    client = world.client_for("director")
    person = world.objects["trainee_person"]
    response = client.get(_url(world, "rights"), {"q": person.last_name})
    assert _url(world, "person_rights", person.pk) in response.content.decode()
    other = world.others["trainee_person"]
    response = client.get(_url(world, "rights"), {"q": other.last_name})
    assert "Aucune personne de ce nom." in page_text(response)


# ------------------------------------------------------------------------------ notices


def _minor(world):
    """The world's trainee made a minor today (born 16 years ago), with a guardian."""
    person = world.objects["trainee_person"]
    person.birth_date = _today().replace(year=_today().year - 16, day=1)
    person.save(update_fields=["birth_date"])
    guardian = LegalGuardian.objects.filter(person=person).first()
    return person, guardian


def test_notice_to_guardian_of_a_minor(world):
    client = world.client_for("director")
    person, guardian = _minor(world)
    enrolment = world.objects["enrolment"]
    enrolment.entry_date = _today() - datetime.timedelta(days=10)
    enrolment.planned_end_date = enrolment.entry_date + datetime.timedelta(days=182)
    enrolment.save(update_fields=["entry_date", "planned_end_date"])
    trainee = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    text = page_text(client.get(trainee))
    assert "Entrée d'un·e mineur·e sans notice d'information remise à son représentant légal." in (
        text
    )
    assert "aucune notice d'information n'a encore été remise à son représentant légal" in text
    response = client.post(
        _url(world, "notice_new", person.pk),
        {
            "given_to": "guardian",
            "guardian": guardian.pk,
            "given_on": _today().isoformat(),
            "medium": "hand",
            "version": "Notice d'information v2026-01",
        },
    )
    assert response.status_code == 302
    notice = PrivacyNotice.objects.latest("pk")
    assert notice.guardian == guardian and notice.given_to == "guardian"
    assert AuditEvent.objects.latest("pk").action == "privacy_notice.create"
    text = page_text(client.get(trainee))
    assert "sans notice d'information remise" not in text
    assert "Notice d'information v2026-01" in text


def test_notice_to_guardian_of_an_adult_is_refused(world):
    client = world.client_for("director")
    person = world.objects["trainee_person"]  # born in 2000
    guardian = LegalGuardian.objects.filter(person=person).first()
    before = PrivacyNotice.objects.count(), AuditEvent.objects.count()
    response = client.post(
        _url(world, "notice_new", person.pk),
        {
            "given_to": "guardian",
            "guardian": guardian.pk,
            "given_on": "2024-02-05",
            "medium": "hand",
            "version": "v1",
        },
    )
    assert response.status_code == 400
    assert "La personne était majeure à cette date" in page_text(response)
    assert (PrivacyNotice.objects.count(), AuditEvent.objects.count()) == before


def test_trainee_page_section_only_for_direction(world):
    enrolment = world.objects["enrolment"]
    trainee = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    assert "Droits de la personne (RGPD)" in page_text(world.client_for("director").get(trainee))
    assert "Droits de la personne" not in page_text(world.client_for("referent").get(trainee))
