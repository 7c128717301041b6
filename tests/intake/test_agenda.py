"""The public agenda: anyone registers for an information session, without an account."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from parcours.audit.models import AuditEvent
from parcours.intake import ratelimit
from parcours.intake.models import InfoSession, Registration, RegistrationStatus

from ..factories import InfoSessionFactory, RegistrationFactory, SchoolFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
SLUG = "e2c-alpha"

VALID = {
    "first_name": "Lina",
    "last_name": "Benali",
    "phone": "06 12 34 56 78",
    "email": "",
    "prescriber_name": "Mission Locale de Clermont",
    "site_web": "",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _url(name, *args):
    return reverse(f"agenda:{name}", args=[SLUG, *args])


def _counts():
    return (
        Registration.objects.count(),
        list(Registration.objects.order_by("pk").values_list("status", flat=True)),
        AuditEvent.objects.count(),
    )


def _anonymous(world, ip="203.0.113.7"):
    client = world.client_for("anonymous")
    client.defaults["REMOTE_ADDR"] = ip
    return client


# ------------------------------------------------------------------------------------ list


def test_agenda_lists_upcoming_sessions_for_anyone(world):
    session = world.objects["info_session"]
    session.public_note = "Se munir d'une pièce d'identité."
    session.save()
    full = InfoSessionFactory(school=world.school, site=world.site, capacity=1)
    RegistrationFactory(session=full)
    InfoSessionFactory(school=world.school, site=world.site, cancelled=True, capacity=7)
    response = _anonymous(world).get(_url("list"))
    assert response.status_code == 200
    content = page_text(response)
    assert "E2C Alpha" in content
    assert timezone.localtime(session.starts_at).strftime("%d/%m/%Y") in content
    assert "de 9h00 à 11h00" in content or "de 10h00 à 12h00" in content  # 8:00 UTC in Paris
    assert "1 rue de la République, 63000 Clermont-Ferrand" in content
    assert "11 places disponibles" in content
    assert "complet — inscription sur liste d'attente" in content
    assert "Se munir d'une pièce d'identité." in content
    shown = [s.pk for s in response.context["page"].object_list]
    assert shown == sorted(shown, key=lambda pk: InfoSession.objects.get(pk=pk).starts_at)
    assert {session.pk, full.pk} <= set(shown)
    assert world.objects["past_info_session"].pk not in shown
    assert world.others["info_session"].pk not in shown
    assert not InfoSession.objects.filter(pk__in=shown, cancelled=True).exists()
    assert "Inscrite" not in content  # no personal data on the public page


def test_agenda_query_count_is_constant(world, django_assert_max_num_queries):
    client = _anonymous(world)
    with CaptureQueriesContext(connection) as few:
        client.get(_url("list"))
    for day in range(55):
        session = InfoSessionFactory(
            school=world.school,
            site=world.site,
            room=world.room,
            starts_at=timezone.now() + datetime.timedelta(days=day + 1),
            ends_at=timezone.now() + datetime.timedelta(days=day + 1, hours=2),
        )
        RegistrationFactory(session=session)
    with django_assert_max_num_queries(len(few)):
        response = client.get(_url("list"))
    assert len(response.context["page"].object_list) == 50


def test_agenda_empty_state(world):
    school = SchoolFactory(network=world.school.network, slug="e2c-vide", name="E2C Vide")
    response = _anonymous(world).get(reverse("agenda:list", args=[school.slug]))
    assert response.status_code == 200
    assert "Aucune information collective n'est programmée pour le moment." in page_text(response)


def test_agenda_of_an_unknown_school_is_404(world):
    client = _anonymous(world)
    assert client.get(reverse("agenda:list", args=["n-existe-pas"])).status_code == 404
    url = reverse("agenda:register", args=["n-existe-pas", world.objects["info_session"].pk])
    assert client.get(url).status_code == 404


def test_agenda_is_the_same_for_logged_in_users(world):
    for who in ("director", "prescriber", "outsider"):
        assert world.client_for(who).get(_url("list")).status_code == 200


# ---------------------------------------------------------------------------- registration


def test_register_form_has_honeypot_and_consent(world):
    response = _anonymous(world).get(_url("register", world.objects["info_session"].pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<div class="hp-field" aria-hidden="true">' in content
    assert 'name="site_web"' in content
    assert 'tabindex="-1"' in content and 'autocomplete="off"' in content
    text = page_text(response)
    assert "Ces informations servent uniquement à organiser l'information collective" in text
    assert "Il reste 11 places." in text


def test_anonymous_registration(world):
    session = world.objects["info_session"]
    client = _anonymous(world)
    response = client.post(_url("register", session.pk), VALID)
    registration = Registration.objects.get(last_name="Benali")
    assert response.status_code == 302
    assert response["Location"] == _url("registration", registration.token)
    assert registration.session == session
    assert registration.school == world.school
    assert registration.phone == "+33612345678"
    assert registration.email == ""
    assert registration.prescriber_name == "Mission Locale de Clermont"
    assert registration.from_public_agenda
    assert registration.status == RegistrationStatus.CONFIRMED
    event = AuditEvent.objects.get(action="registration.public")
    assert event.actor is None and event.school == world.school
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page_text(page)
    assert "Lina, vous êtes inscrit·e." in text
    assert "1 rue de la République" in text
    assert _url("session_ics", session.pk) in page.content.decode()
    assert "Annuler mon inscription" in text


def test_registration_beyond_capacity_goes_on_the_waiting_list(world):
    session = world.objects["info_session"]
    session.capacity = 1
    session.save()
    client = _anonymous(world)
    page = client.get(_url("register", session.pk))
    assert "votre inscription ira sur la liste d'attente" in page_text(page)
    response = client.post(_url("register", session.pk), VALID)
    registration = Registration.objects.get(last_name="Benali")
    assert registration.status == RegistrationStatus.WAITLIST
    second = client.post(
        _url("register", session.pk), {**VALID, "last_name": "Durand", "phone": "0756781234"}
    )
    text = page_text(client.get(response["Location"]))
    assert "vous êtes sur liste d'attente, en position 1" in text
    assert "en position 2" in page_text(client.get(second["Location"]))


def test_cancelling_a_confirmed_place_promotes_the_first_waiting_person(world):
    session = world.objects["info_session"]
    session.capacity = 1
    session.save()
    client = _anonymous(world)
    confirmed = world.objects["registration"]
    client.post(_url("register", session.pk), VALID)
    client.post(
        _url("register", session.pk), {**VALID, "last_name": "Durand", "phone": "0756781234"}
    )
    first = Registration.objects.get(last_name="Benali")
    second = Registration.objects.get(last_name="Durand")
    url = _url("registration", confirmed.token)
    response = client.post(url, {"confirm": "oui"})
    assert response.status_code == 302
    for registration in (confirmed, first, second):
        registration.refresh_from_db()
    assert confirmed.status == RegistrationStatus.CANCELLED
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITLIST
    event = AuditEvent.objects.get(action="registration.cancel")
    assert event.actor is None
    assert "Cette inscription est annulée." in page_text(client.get(url))
    assert "vous êtes inscrit·e" in page_text(client.get(_url("registration", first.token)))


def test_cancellation_needs_confirmation_and_happens_once(world):
    registration = world.objects["registration"]
    client = _anonymous(world)
    url = _url("registration", registration.token)
    before = _counts()
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Confirmez l'annulation en cochant la case prévue." in page_text(response)
    assert _counts() == before
    assert client.post(url, {"confirm": "oui"}).status_code == 302
    after = _counts()
    response = client.post(url, {"confirm": "oui"})
    assert response.status_code == 400
    assert "Cette inscription est déjà annulée." in page_text(response)
    assert _counts() == after


def test_cancelling_after_the_session_is_refused(world):
    registration = Registration.objects.get(session=world.objects["past_info_session"])
    before = _counts()
    response = _anonymous(world).post(_url("registration", registration.token), {"confirm": "oui"})
    assert response.status_code == 400
    assert "Cette information collective a déjà eu lieu." in page_text(response)
    assert _counts() == before


def test_unknown_or_foreign_token_is_404(world):
    client = _anonymous(world)
    assert client.get(_url("registration", "pas-un-jeton")).status_code == 404
    foreign = world.others["registration"].token
    assert client.get(_url("registration", foreign)).status_code == 404
    assert client.post(_url("registration", foreign), {"confirm": "oui"}).status_code == 404


def test_honeypot_answers_ok_and_writes_nothing(world):
    before = _counts()
    client = _anonymous(world)
    response = client.post(
        _url("register", world.objects["info_session"].pk),
        {**VALID, "site_web": "http://spam.example.com"},
    )
    assert response.status_code == 302
    assert "Votre demande d'inscription est enregistrée." in page_text(
        client.get(response["Location"])
    )
    assert _counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"first_name": ""}, "Ce champ est obligatoire."),
        ({"last_name": "   "}, "Ce champ est obligatoire."),
        (
            {"last_name": "x" * 5000},
            "Assurez-vous que cette valeur comporte au plus 100 caractères",
        ),
        ({"prescriber_name": "y" * 5000}, "au plus 200 caractères"),
        ({"phone": "", "email": ""}, "Indiquez un téléphone ou une adresse e-mail"),
        ({"phone": "12"}, "Ce numéro de téléphone n'est pas valide."),
        ({"phone": "0" * 5000}, "au plus 30 caractères"),
        ({"phone": "", "email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide."),
    ],
)
def test_bad_public_input_is_refused(world, changes, message):
    before = _counts()
    response = _anonymous(world).post(
        _url("register", world.objects["info_session"].pk), {**VALID, **changes}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_duplicate_registration_is_refused(world):
    session = world.objects["info_session"]
    existing = world.objects["registration"]
    client = _anonymous(world)
    assert client.post(_url("register", session.pk), VALID).status_code == 302
    before = _counts()
    for data in (
        {**VALID, "first_name": "Autre", "phone": "+33 6 12 34 56 78"},
        {**VALID, "phone": "", "email": existing.email.upper()},
    ):
        response = client.post(_url("register", session.pk), data)
        assert response.status_code == 400
        assert "Vous êtes déjà inscrit·e à cette information collective." in page_text(response)
    assert _counts() == before


def test_registration_on_a_past_cancelled_or_foreign_session_writes_nothing(world):
    client = _anonymous(world)
    before = _counts()
    past = world.objects["past_info_session"]
    page = client.get(_url("register", past.pk))
    assert page.status_code == 200
    assert "Les inscriptions à cette information collective sont closes." in page_text(page)
    response = client.post(_url("register", past.pk), VALID)
    assert response.status_code == 400
    assert "Les inscriptions à cette information collective sont closes." in page_text(response)
    cancelled = InfoSessionFactory(school=world.school, site=world.site, cancelled=True)
    assert client.post(_url("register", cancelled.pk), VALID).status_code == 404
    foreign = world.others["info_session"]
    assert client.post(_url("register", foreign.pk), VALID).status_code == 404
    assert client.post(_url("register", 999999), VALID).status_code == 404
    assert _counts() == before


# ------------------------------------------------------------------------------ rate limit


def test_rate_limit_per_ip_and_school(world):
    session = world.objects["info_session"]
    client = _anonymous(world)
    bad = {**VALID, "first_name": ""}  # refused input counts too
    for _attempt in range(ratelimit.REGISTRATION_LIMIT):
        assert client.post(_url("register", session.pk), bad).status_code == 400
    before = _counts()
    response = client.post(_url("register", session.pk), VALID)
    assert response.status_code == 429
    assert "Trop de demandes d'inscription" in page_text(response)
    assert _counts() == before
    # Reading stays open; another address may still register.
    assert client.get(_url("register", session.pk)).status_code == 200
    other_client = _anonymous(world, ip="198.51.100.20")
    assert other_client.post(_url("register", session.pk), VALID).status_code == 302


def test_rate_limit_window_expires(world, monkeypatch):
    session = world.objects["info_session"]
    client = _anonymous(world)
    for _attempt in range(ratelimit.REGISTRATION_LIMIT):
        client.post(_url("register", session.pk), {})
    assert client.post(_url("register", session.pk), VALID).status_code == 429
    cache.clear()  # the window is over
    assert client.post(_url("register", session.pk), VALID).status_code == 302


def test_rate_limit_helper():
    key = "192.0.2.1"
    assert all(ratelimit.allow("test", key, limit=3, window=60) for _ in range(3))
    assert not ratelimit.allow("test", key, limit=3, window=60)
    assert ratelimit.allow("test", "192.0.2.2", limit=3, window=60)
    assert ratelimit.allow("other-scope", key, limit=3, window=60)


# -------------------------------------------------------------------------------- calendar


def test_ics_parses_back_with_the_right_times(world):
    session = world.objects["info_session"]
    session.room = world.room
    session.public_note = "Se munir d'une pièce d'identité."
    session.save()
    response = _anonymous(world).get(_url("session_ics", session.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".ics" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Information collective — E2C Alpha"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == session.starts_at and end == session.ends_at
    assert start.utcoffset() == session.starts_at.astimezone(PARIS).utcoffset()
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert str(event["LOCATION"]).startswith("Site Alpha, 1 rue de la République, 63000")
    assert "Salle Alpha" in str(event["LOCATION"])
    assert list(calendar.walk("VTIMEZONE"))
    again = Calendar.from_ical(_anonymous(world).get(_url("session_ics", session.pk)).content)
    assert str(next(iter(again.walk("VEVENT")))["UID"]) == str(event["UID"])
    body = response.content.decode()
    registration = world.objects["registration"]
    assert registration.last_name not in body and registration.email not in body


def test_ics_of_a_cancelled_or_foreign_session_is_404(world):
    client = _anonymous(world)
    cancelled = InfoSessionFactory(school=world.school, site=world.site, cancelled=True)
    assert client.get(_url("session_ics", cancelled.pk)).status_code == 404
    assert client.get(_url("session_ics", world.others["info_session"].pk)).status_code == 404


def test_ics_times_in_winter_and_summer(world):
    for month in (1, 7):
        year = timezone.localdate().year + 1
        start = datetime.datetime(year, month, 10, 9, 30, tzinfo=PARIS)
        session = InfoSessionFactory(
            school=world.school,
            site=world.site,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
        )
        calendar = Calendar.from_ical(
            _anonymous(world).get(_url("session_ics", session.pk)).content
        )
        event = next(iter(calendar.walk("VEVENT")))
        assert event.decoded("DTSTART") == start
        assert event["DTSTART"].to_ical() == f"{year}{month:02d}10T093000".encode()
