"""Information sessions, staff side: list, create/edit/cancel, registrations, attendance."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.intake.models import InfoSession, Outcome, Registration, RegistrationStatus, Stage

from ..factories import (
    InfoSessionFactory,
    ReferralFactory,
    RegistrationFactory,
    SiteFactory,
)
from ..utils import page_text

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SLUG = "e2c-alpha"


def _url(name, *args):
    return reverse(f"intake:{name}", args=[SLUG, *args])


def _counts():
    return (
        InfoSession.objects.count(),
        Registration.objects.count(),
        list(Registration.objects.order_by("pk").values_list("status", "attended")),
        AuditEvent.objects.count(),
    )


def _in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _valid(world, **changes):
    return {
        "site": world.site.pk,
        "room": world.room.pk,
        "date": _in_days(10).isoformat(),
        "start_time": "09:30",
        "end_time": "11:30",
        "capacity": "12",
        "public_note": "Se munir d'une pièce d'identité.",
        **changes,
    }


def _past_session(world, **kwargs):
    # 10:00 three days ago: a session of two hours that ends the same day whatever the hour the
    # test runs at (from 22:00 it would end after midnight, and the form would refuse it).
    day = timezone.localdate() - datetime.timedelta(days=3)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    return InfoSessionFactory(
        school=world.school,
        site=world.site,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        **kwargs,
    )


# ------------------------------------------------------------------------------------ list


def test_list_shows_upcoming_first_then_past_with_counts(world):
    upcoming = world.objects["info_session"]
    later = InfoSessionFactory(
        school=world.school,
        site=world.site,
        room=world.room,
        starts_at=upcoming.starts_at + datetime.timedelta(days=14),
        ends_at=upcoming.ends_at + datetime.timedelta(days=14),
        capacity=2,
    )
    RegistrationFactory(session=later)
    RegistrationFactory(session=later)
    RegistrationFactory(session=later, status=RegistrationStatus.WAITLIST)
    past = world.objects["past_info_session"]
    Registration.objects.filter(session=past).update(attended=True)
    older = _past_session(world)
    older.starts_at = past.starts_at - datetime.timedelta(days=30)
    older.ends_at = older.starts_at + datetime.timedelta(hours=2)
    older.save()

    response = world.client_for("referent").get(_url("sessions"))
    assert response.status_code == 200
    mine = {upcoming.pk, later.pk, past.pk, older.pk}
    order = [row.pk for row in response.context["page"].object_list if row.pk in mine]
    assert order == [upcoming.pk, later.pk, past.pk, older.pk]
    content = page_text(response)
    assert "2 / 2" in content and "Complète" in content  # full
    assert "1 / 12" in content
    assert past.starts_at.astimezone(PARIS).strftime("%d/%m/%Y") in content
    assert "Salle Alpha" in content
    rows = {row.pk: row for row in response.context["page"].object_list}
    assert (rows[later.pk].confirmed, rows[later.pk].waiting) == (2, 1)
    assert rows[past.pk].attended_count == 1
    assert "Programmer une information collective" not in content  # referent reads only


def test_list_access(world):
    assert world.client_for("intake").get(_url("sessions")).status_code == 200
    assert world.client_for("company_relations").get(_url("sessions")).status_code == 403
    assert world.client_for("prescriber").get(_url("sessions")).status_code == 403
    assert world.client_for("outsider").get(_url("sessions")).status_code == 404


def test_list_does_not_show_another_schools_sessions(world):
    content = page_text(world.client_for("director").get(_url("sessions")))
    assert "Site Beta" not in content


def test_list_query_count_is_constant(world, django_assert_max_num_queries):
    client = world.client_for("intake")
    with CaptureQueriesContext(connection) as few:
        client.get(_url("sessions"))
    for day in range(60):
        session = InfoSessionFactory(
            school=world.school,
            site=world.site,
            room=world.room,
            starts_at=timezone.now() + datetime.timedelta(days=day + 1),
            ends_at=timezone.now() + datetime.timedelta(days=day + 1, hours=2),
        )
        RegistrationFactory(session=session)
    with django_assert_max_num_queries(len(few)):
        response = client.get(_url("sessions"))
    assert len(response.context["page"].object_list) == 50
    assert "Page 1 sur 2" in page_text(response)


# ---------------------------------------------------------------------------------- create


def test_create_form_has_defaults(world):
    response = world.client_for("intake").get(_url("session_create"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="09:30"' in content and 'value="11:30"' in content
    assert 'name="capacity" value="12"' in content
    assert "Site Beta" not in content and "Salle Beta" not in content


def test_intake_officer_creates_a_session(world):
    client = world.client_for("intake")
    response = client.post(_url("session_create"), _valid(world))
    session = InfoSession.objects.filter(school=world.school).order_by("-pk").first()
    assert response.status_code == 302
    assert response["Location"] == _url("session", session.pk)
    day = _in_days(10)
    assert session.starts_at == datetime.datetime.combine(day, datetime.time(9, 30), PARIS)
    assert session.ends_at == datetime.datetime.combine(day, datetime.time(11, 30), PARIS)
    assert (session.site, session.room, session.capacity) == (world.site, world.room, 12)
    assert session.public_note == "Se munir d'une pièce d'identité."
    assert session.created_by == world.members["intake"].user
    event = AuditEvent.objects.get(action="info_session.create")
    assert (event.school, event.object_id) == (world.school, str(session.pk))
    followed = client.get(response["Location"])
    assert f"L'information collective du {day:%d/%m/%Y} est programmée." in page_text(followed)


def test_session_without_room_is_fine(world):
    response = world.client_for("director").post(
        _url("session_create"), _valid(world, room="", capacity="40")
    )
    assert response.status_code == 302
    assert InfoSession.objects.filter(school=world.school, room=None, capacity=40).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"capacity": "0"}, "Le nombre de places doit être d'au moins 1."),
        ({"capacity": "-5"}, "Le nombre de places doit être d'au moins 1."),
        ({"capacity": "501", "room": ""}, "Le nombre de places ne peut pas dépasser 500."),
        ({"capacity": "douze"}, "Saisissez un nombre entier."),
        ({"capacity": "13"}, "La salle « Salle Alpha » ne compte que 12 places."),
        ({"end_time": "09:00"}, "L'heure de fin doit suivre l'heure de début."),
        ({"end_time": "09:30"}, "L'heure de fin doit suivre l'heure de début."),
        ({"date": "2020-03-02"}, "La date ne peut pas être dans le passé."),
        ({"date": "31/02/2030"}, "Saisissez une date valide."),
        ({"date": ""}, "Ce champ est obligatoire."),
        ({"start_time": "25:00"}, "Saisissez une heure valide."),
        ({"public_note": "x" * 301}, "au plus 300 caractères"),
        ({"site": "999999"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_session_input_is_refused(world, changes, message):
    before = _counts()
    response = world.client_for("intake").post(_url("session_create"), _valid(world, **changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_room_of_another_site_is_refused(world):
    other_site = SiteFactory(school=world.school, name="Site Gamma")
    before = _counts()
    response = world.client_for("intake").post(
        _url("session_create"), _valid(world, site=other_site.pk)
    )
    assert response.status_code == 400
    assert "Cette salle n'appartient pas au site choisi." in page_text(response)
    assert _counts() == before


def test_room_or_site_of_another_school_is_refused(world):
    before = _counts()
    client = world.client_for("intake")
    for changes in ({"room": world.other_room.pk}, {"site": world.other_site.pk, "room": ""}):
        response = client.post(_url("session_create"), _valid(world, **changes))
        assert response.status_code == 400
        assert "Sélectionnez un choix valide" in page_text(response)
    assert _counts() == before


def test_referent_cannot_create_and_outsider_gets_404(world):
    before = _counts()
    assert (
        world.client_for("referent").post(_url("session_create"), _valid(world)).status_code == 403
    )
    assert (
        world.client_for("outsider").post(_url("session_create"), _valid(world)).status_code == 404
    )
    assert (
        world.client_for("anonymous").post(_url("session_create"), _valid(world)).status_code == 302
    )
    assert _counts() == before


# ------------------------------------------------------------------------------ edit, cancel


def test_edit_form_shows_the_stored_values(world):
    session = world.objects["info_session"]
    response = world.client_for("intake").get(_url("session_edit", session.pk))
    content = response.content.decode()
    local = timezone.localtime(session.starts_at)
    assert f'value="{local:%Y-%m-%d}"' in content
    assert f'value="{local:%H:%M}"' in content
    assert "Annuler cette information collective" in content


def test_edit_changes_capacity_and_promotes_the_waiting_list(world):
    session = world.objects["info_session"]
    session.capacity = 1
    session.save()
    waiting = RegistrationFactory(session=session, status=RegistrationStatus.WAITLIST)
    local = timezone.localtime(session.starts_at)
    data = _valid(
        world,
        room="",
        date=local.date().isoformat(),
        start_time=f"{local:%H:%M}",
        end_time=f"{timezone.localtime(session.ends_at):%H:%M}",
        capacity="2",
    )
    response = world.client_for("intake").post(_url("session_edit", session.pk), data)
    assert response.status_code == 302
    session.refresh_from_db()
    waiting.refresh_from_db()
    assert session.capacity == 2
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert AuditEvent.objects.filter(action="info_session.update").count() == 1


def test_cancel_a_session(world):
    session = world.objects["info_session"]
    local = timezone.localtime(session.starts_at)
    data = _valid(
        world,
        date=local.date().isoformat(),
        start_time=f"{local:%H:%M}",
        end_time=f"{timezone.localtime(session.ends_at):%H:%M}",
        cancelled="on",
    )
    client = world.client_for("intake")
    response = client.post(_url("session_edit", session.pk), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cancelled
    assert "est annulée" in page_text(client.get(response["Location"]))
    agenda = world.client_for("anonymous").get(reverse("agenda:list", args=[SLUG]))
    assert list(agenda.context["page"].object_list) == []


def test_capacity_below_people_registered_is_refused(world):
    session = world.objects["info_session"]
    RegistrationFactory(session=session)
    local = timezone.localtime(session.starts_at)
    data = _valid(
        world,
        date=local.date().isoformat(),
        start_time=f"{local:%H:%M}",
        end_time=f"{timezone.localtime(session.ends_at):%H:%M}",
        capacity="1",
    )
    before = _counts()
    response = world.client_for("intake").post(_url("session_edit", session.pk), data)
    assert response.status_code == 400
    assert "2 personnes sont déjà inscrites" in page_text(response)
    assert _counts() == before
    session.refresh_from_db()
    assert session.capacity == 12


def test_past_session_can_be_corrected_but_not_moved_to_the_past(world):
    session = _past_session(world)
    local = timezone.localtime(session.starts_at)
    same = _valid(
        world,
        room="",
        date=local.date().isoformat(),
        start_time=f"{local:%H:%M}",
        end_time=f"{timezone.localtime(session.ends_at):%H:%M}",
        capacity="15",
    )
    client = world.client_for("intake")
    assert client.post(_url("session_edit", session.pk), same).status_code == 302
    moved = {**same, "date": (local.date() - datetime.timedelta(days=1)).isoformat()}
    response = client.post(_url("session_edit", session.pk), moved)
    assert response.status_code == 400
    assert "La date ne peut pas être dans le passé." in page_text(response)


def test_edit_access(world):
    session = world.objects["info_session"]
    before = _counts()
    data = _valid(world, capacity="3")
    assert (
        world.client_for("referent").post(_url("session_edit", session.pk), data).status_code == 403
    )
    assert (
        world.client_for("outsider").post(_url("session_edit", session.pk), data).status_code == 404
    )
    other = world.others["info_session"]
    assert world.client_for("intake").post(_url("session_edit", other.pk), data).status_code == 404
    assert _counts() == before


# ------------------------------------------------------------------- detail and registering


def test_detail_shows_registrations_with_status_and_candidacy(world):
    session = world.objects["past_info_session"]
    RegistrationFactory(session=session, status=RegistrationStatus.CANCELLED, last_name="Partie")
    RegistrationFactory(
        session=session,
        status=RegistrationStatus.WAITLIST,
        last_name="Attente",
        phone="+33612345678",
    )
    response = world.client_for("referent").get(_url("session", session.pk))
    assert response.status_code == 200
    content = page_text(response)
    assert "Orientation du 10/01/2024" in content  # the registration linked to the referral
    referral_url = reverse("intake:referral", args=[SLUG, world.objects["referral"].pk])
    assert f'href="{referral_url}"' in response.content.decode()
    assert "ATTENTE" in content and "Liste d'attente, position 1" in content
    assert "06 12 34 56 78" in content
    assert "PARTIE" in content and "Annulée" in content
    assert "Inscrire une personne déjà candidate" not in content  # referent reads only
    assert "Annuler l'inscription" not in content


def test_intake_officer_registers_a_candidate(world):
    session = world.objects["info_session"]
    referral = ReferralFactory(school=world.school, prescriber=world.prescriber_partner)
    client = world.client_for("intake")
    page = client.get(_url("session", session.pk))
    assert referral.person.last_name.upper() in page_text(page)
    response = client.post(_url("session", session.pk), {"referral": referral.pk})
    assert response.status_code == 302
    registration = Registration.objects.get(session=session, referral=referral)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.prescriber_name == world.prescriber_partner.name
    referral.refresh_from_db()
    assert referral.stage == Stage.INFO_SESSION
    assert AuditEvent.objects.filter(action="registration.create").count() == 1
    assert "est inscrit·e." in page_text(client.get(response["Location"]))


def test_registering_beyond_capacity_goes_on_the_waiting_list(world):
    session = world.objects["info_session"]
    session.capacity = 1
    session.save()
    referral = ReferralFactory(school=world.school, prescriber=world.prescriber_partner)
    response = world.client_for("intake").post(
        _url("session", session.pk), {"referral": referral.pk}
    )
    assert response.status_code == 302
    assert Registration.objects.get(referral=referral).status == RegistrationStatus.WAITLIST


def test_closed_or_foreign_or_already_registered_candidacy_is_refused(world):
    session = world.objects["info_session"]
    refused = ReferralFactory(school=world.school, outcome=Outcome.REFUSED, stage=Stage.DECISION)
    entered = ReferralFactory(school=world.school, stage=Stage.ENTERED)
    registered = ReferralFactory(school=world.school)
    RegistrationFactory(session=session, referral=registered)
    client = world.client_for("intake")
    before = _counts()
    for referral in (refused, entered, registered, world.others["referral"]):
        response = client.post(_url("session", session.pk), {"referral": referral.pk})
        assert response.status_code == 400
        assert "Choisissez une candidature en cours de l'école." in page_text(response)
    response = client.post(_url("session", session.pk), {})
    assert response.status_code == 400
    assert _counts() == before


def test_registering_on_a_past_session_is_refused(world):
    session = world.objects["past_info_session"]
    referral = ReferralFactory(school=world.school)
    before = _counts()
    response = world.client_for("intake").post(
        _url("session", session.pk), {"referral": referral.pk}
    )
    assert response.status_code == 400
    assert "Les inscriptions à cette information collective sont closes." in page_text(response)
    assert _counts() == before


def test_register_access(world):
    session = world.objects["info_session"]
    referral = ReferralFactory(school=world.school)
    before = _counts()
    data = {"referral": referral.pk}
    assert world.client_for("referent").post(_url("session", session.pk), data).status_code == 403
    assert world.client_for("outsider").post(_url("session", session.pk), data).status_code == 404
    assert world.client_for("prescriber").get(_url("session", session.pk)).status_code == 403
    assert _counts() == before


def test_detail_query_count_is_constant(world, django_assert_max_num_queries):
    session = world.objects["info_session"]
    client = world.client_for("intake")
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("session", session.pk)).status_code == 200
    session.capacity = 30
    session.save()
    for n in range(40):
        referral = ReferralFactory(school=world.school, prescriber=world.prescriber_partner)
        RegistrationFactory(
            session=session,
            referral=referral if n % 2 else None,
            status=RegistrationStatus.WAITLIST if n >= 30 else RegistrationStatus.CONFIRMED,
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(_url("session", session.pk))
    assert len(response.context["rows"]) == 41


# ------------------------------------------------------------------ cancelling a registration


def test_cancel_registration_asks_for_confirmation_then_promotes_the_waiting_list(world):
    session = world.objects["info_session"]
    session.capacity = 1
    session.save()
    confirmed = world.objects["registration"]
    first = RegistrationFactory(session=session, status=RegistrationStatus.WAITLIST)
    second = RegistrationFactory(session=session, status=RegistrationStatus.WAITLIST)
    client = world.client_for("intake")
    url = _url("registration_cancel", confirmed.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert "Oui, annuler l'inscription" in page_text(page)
    confirmed.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CONFIRMED  # GET changes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == _url("session", session.pk)
    for registration in (confirmed, first, second):
        registration.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CANCELLED
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLIST
    assert AuditEvent.objects.filter(action="registration.cancel").count() == 1


def test_cancelling_twice_is_refused(world):
    registration = world.objects["registration"]
    registration.status = RegistrationStatus.CANCELLED
    registration.save()
    before = _counts()
    client = world.client_for("intake")
    url = _url("registration_cancel", registration.pk)
    assert "Cette inscription est déjà annulée." in page_text(client.get(url))
    response = client.post(url)
    assert response.status_code == 400
    assert "Cette inscription est déjà annulée." in page_text(response)
    assert _counts() == before


def test_cancel_registration_access(world):
    registration = world.objects["registration"]
    before = _counts()
    url = _url("registration_cancel", registration.pk)
    assert world.client_for("referent").post(url).status_code == 403
    assert world.client_for("outsider").post(url).status_code == 404
    other = _url("registration_cancel", world.others["registration"].pk)
    assert world.client_for("intake").post(other).status_code == 404
    assert _counts() == before


# ----------------------------------------------------------------------------- attendance


def _session_with(world, n: int):
    session = _past_session(world, capacity=n)
    registrations = [
        RegistrationFactory(
            session=session,
            referral=ReferralFactory(school=world.school) if i % 3 == 0 else None,
        )
        for i in range(n)
    ]
    return session, registrations


def test_attendance_lists_confirmed_people_unchecked_except_those_marked(world):
    session, (first, second, third) = _session_with(world, 3)
    second.attended = True
    second.save()
    RegistrationFactory(session=session, status=RegistrationStatus.CANCELLED, last_name="Partie")
    response = world.client_for("intake").get(_url("session_attendance", session.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('type="checkbox" name="present"') == 3
    assert f'value="{second.pk}" id="present-{second.pk}" checked' in content
    assert f'value="{first.pk}" id="present-{first.pk}">' in content
    assert "PARTIE" not in content
    assert f'<label for="present-{third.pk}">' in content


def test_attendance_is_marked_for_the_whole_list(world):
    session, (first, second, third) = _session_with(world, 3)
    third.attended = True
    third.save()
    client = world.client_for("intake")
    response = client.post(
        _url("session_attendance", session.pk), {"present": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("session", session.pk)
    for registration in (first, second, third):
        registration.refresh_from_db()
    assert (first.attended, second.attended, third.attended) == (True, True, False)
    event = AuditEvent.objects.get(action="info_session.attendance")
    assert event.changes == {"present": 2, "absent": 1}
    assert "2 présent·es sur 3 inscrit·es" in page_text(client.get(response["Location"]))


def test_attendance_with_nobody_checked_marks_everyone_absent(world):
    session, _registrations = _session_with(world, 2)
    response = world.client_for("intake").post(_url("session_attendance", session.pk), {})
    assert response.status_code == 302
    assert [r.attended for r in Registration.objects.filter(session=session)] == [False, False]


def test_attendance_before_the_session_starts_is_refused(world):
    session = world.objects["info_session"]
    registration = world.objects["registration"]
    client = world.client_for("intake")
    page = client.get(_url("session_attendance", session.pk))
    assert page.status_code == 200
    assert "La présence se saisit une fois la séance commencée." in page_text(page)
    before = _counts()
    response = client.post(_url("session_attendance", session.pk), {"present": [registration.pk]})
    assert response.status_code == 400
    assert "La présence se saisit une fois la séance commencée." in page_text(response)
    assert _counts() == before


def test_attendance_of_someone_not_registered_is_refused(world):
    session, _registrations = _session_with(world, 2)
    before = _counts()
    client = world.client_for("intake")
    for value in (world.objects["registration"].pk, "abc"):
        response = client.post(_url("session_attendance", session.pk), {"present": [value]})
        assert response.status_code == 400
        assert "Une des personnes cochées n'est pas inscrite à cette séance." in page_text(response)
    assert _counts() == before


def test_attendance_access(world):
    session, registrations = _session_with(world, 1)
    before = _counts()
    data = {"present": [registrations[0].pk]}
    url = _url("session_attendance", session.pk)
    assert world.client_for("referent").post(url, data).status_code == 403
    assert world.client_for("outsider").post(url, data).status_code == 404
    other = _url("session_attendance", world.others["past_info_session"].pk)
    assert world.client_for("intake").post(other, {}).status_code == 404
    assert _counts() == before


def test_attendance_query_count_is_constant_for_40_people(world, django_assert_max_num_queries):
    small, small_regs = _session_with(world, 1)
    big, big_regs = _session_with(world, 40)
    client = world.client_for("intake")
    with CaptureQueriesContext(connection) as get_few:
        client.get(_url("session_attendance", small.pk))
    with CaptureQueriesContext(connection) as post_few:
        client.post(_url("session_attendance", small.pk), {"present": [small_regs[0].pk]})
    with django_assert_max_num_queries(len(get_few)):
        response = client.get(_url("session_attendance", big.pk))
    assert response.content.decode().count('type="checkbox" name="present"') == 40
    present = [r.pk for r in big_regs[::2]]
    with django_assert_max_num_queries(len(post_few)):
        response = client.post(_url("session_attendance", big.pk), {"present": present})
    assert response.status_code == 302
    assert Registration.objects.filter(session=big, attended=True).count() == 20
    assert Registration.objects.filter(session=big, attended=False).count() == 20
