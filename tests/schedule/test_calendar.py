"""Calendar feeds: the private .ics (content, window, no trainee names, revocation) and the
page to create and revoke them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from parcours.audit.models import AuditEvent
from parcours.schedule.models import CalendarFeed, Session, SessionTrainee
from parcours.schedule.services_calendar import create_feed, revoke_feed

from ..factories import EnrolmentFactory, PersonFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db


def _session(world, day: datetime.date, start: int, end: int, *, title="", trainees=()):
    trainer = world.members["referent"]
    session = Session.objects.create(
        school=world.school,
        site=world.site,
        room=world.room,
        workshop_type=world.objects["workshop_type"],
        title=title,
        day=day,
        start_time=datetime.time(start, 0),
        end_time=datetime.time(end, 0),
        trainer=trainer,
        created_by=trainer.user,
    )
    for enrolment in trainees:
        SessionTrainee.objects.create(school=world.school, session=session, enrolment=enrolment)
    return session


def _feed_url(world, feed, slug=None) -> str:
    return reverse("calendar_feed:feed", args=[slug or world.school.slug, feed.token])


def _events(response) -> list:
    calendar = Calendar.from_ical(response.content)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


@pytest.fixture
def sessions(world):
    """Sessions of the world's trainer around today, with the world's trainee and another."""
    today = timezone.localdate()
    other = EnrolmentFactory(
        school=world.school,
        person=PersonFactory(school=world.school, last_name="Autrestagiaire", first_name="Noé"),
        site=world.site,
    )
    trainee = world.objects["enrolment"]
    return {
        "other": other,
        "past": _session(world, today - datetime.timedelta(days=10), 9, 12, trainees=[trainee]),
        "soon": _session(
            world,
            today + datetime.timedelta(days=3),
            14,
            17,
            title="Atelier CV",
            trainees=[trainee, other],
        ),
        "far": _session(world, today + datetime.timedelta(days=100), 9, 12, trainees=[other]),
        "too_old": _session(world, today - datetime.timedelta(days=40), 9, 12, trainees=[trainee]),
        "too_far": _session(world, today + datetime.timedelta(days=200), 9, 12, trainees=[trainee]),
    }


def test_trainer_feed(world, sessions):
    feed = world.objects["calendar_feed"]  # the world's trainer
    response = world.client_for("anonymous").get(_feed_url(world, feed))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"].startswith("private")
    events = _events(response)
    # From 30 days ago to 180 days ahead: past, soon, far (not the ones 40 days ago, 200 ahead).
    assert sorted(str(e["uid"]) for e in events) == sorted(
        f"session-{sessions[key].pk}.e2c-alpha@parcours" for key in ("past", "soon", "far")
    )
    soon = next(e for e in events if str(e["uid"]).startswith(f"session-{sessions['soon'].pk}."))
    # The workshop's name, never the session's own title (free text: it could name someone).
    assert str(soon["summary"]) == world.objects["workshop_type"].name
    assert "Atelier CV" not in response.content.decode()
    assert str(soon["location"]) == "Site Alpha, Salle Alpha"
    start = soon.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Paris" or getattr(start.tzinfo, "key", "") == (
        "Europe/Paris"
    )
    assert (start.hour, soon.decoded("dtend").hour) == (14, 17)
    body = response.content.decode()
    assert "TZID=Europe/Paris" in body
    assert "BEGIN:VTIMEZONE" in body
    # No trainee's name, not even the world's trainee.
    assert "Autrestagiaire" not in body
    assert world.objects["enrolment"].person.last_name not in body
    # The UID is stable from one fetch to the next.
    again = _events(world.client_for("anonymous").get(_feed_url(world, feed)))
    assert sorted(str(e["uid"]) for e in again) == sorted(str(e["uid"]) for e in events)


def test_trainee_feed_lists_only_their_sessions_without_names(world, sessions):
    feed = world.objects["trainee_feed"]  # the world's trainee
    response = world.client_for("anonymous").get(_feed_url(world, feed))
    assert response.status_code == 200
    uids = {str(e["uid"]) for e in _events(response)}
    assert uids == {f"session-{sessions[key].pk}.e2c-alpha@parcours" for key in ("past", "soon")}
    body = response.content.decode()
    assert "Autrestagiaire" not in body and "Noé" not in body
    assert world.objects["enrolment"].person.last_name not in body


def test_revoked_unknown_and_foreign_tokens_are_404(world, sessions):
    client = world.client_for("anonymous")
    feed = world.objects["calendar_feed"]
    foreign = world.others["calendar_feed"]
    assert client.get(_feed_url(world, foreign, slug=world.other_school.slug)).status_code == 200
    # Another school's token with this school's slug.
    assert client.get(_feed_url(world, foreign)).status_code == 404
    assert client.get(f"/calendrier/{world.school.slug}/inconnu.ics").status_code == 404
    revoke_feed(membership=world.members["referent"], feed=feed)
    assert client.get(_feed_url(world, feed)).status_code == 404


def test_feed_of_a_deactivated_account_is_404(world):
    user = world.members["referent"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = world.client_for("anonymous").get(_feed_url(world, world.objects["calendar_feed"]))
    assert response.status_code == 404


def test_feed_of_a_staff_member_who_left_is_404(world):
    trainer = world.members["referent"]
    trainer.active_until = timezone.localdate() - datetime.timedelta(days=1)
    trainer.save(update_fields=["active_until"])
    response = world.client_for("anonymous").get(_feed_url(world, world.objects["calendar_feed"]))
    assert response.status_code == 404


# ------------------------------------------------------------------------------ services


def test_create_feed_revokes_the_previous_one(world):
    referent = world.members["referent"]
    old = world.objects["calendar_feed"]
    new = create_feed(membership=referent)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.membership == referent and new.enrolment is None and new.token != old.token
    event = AuditEvent.objects.get(action="calendar_feed.create")
    assert event.changes == {"owner": "staff", "revoked_previous": 1}
    # The trainee's feed is untouched.
    assert CalendarFeed.objects.get(pk=world.objects["trainee_feed"].pk).revoked_at is None


def test_trainee_feed_needs_manage_schedule(world):
    with pytest.raises(PermissionDenied):
        create_feed(membership=world.members["intake"], enrolment=world.objects["enrolment"])
    with pytest.raises(PermissionDenied):
        revoke_feed(membership=world.members["intake"], feed=world.objects["trainee_feed"])
    assert CalendarFeed.objects.filter(revoked_at__isnull=False).count() == 0
    assert not AuditEvent.objects.filter(action__startswith="calendar_feed.").exists()


def test_revoking_twice_is_refused(world):
    feed = world.objects["calendar_feed"]
    revoke_feed(membership=world.members["referent"], feed=feed)
    with pytest.raises(ValidationError, match="déjà révoqué"):
        revoke_feed(membership=world.members["referent"], feed=feed)
    assert AuditEvent.objects.filter(action="calendar_feed.revoke").count() == 1


# ------------------------------------------------------------------------------ the page


def _page(world, name="calendar_feeds") -> str:
    return reverse(f"schedule:{name}", args=[world.school.slug])


def test_page_shows_own_feed_and_trainee_picker(world):
    client = world.client_for("referent")
    response = client.get(_page(world))
    assert response.status_code == 200
    assert world.objects["calendar_feed"].token in response.content.decode()
    assert world.objects["enrolment"].person.last_name in page_text(response)  # the picker
    response = client.get(f"{_page(world)}?stagiaire={world.objects['enrolment'].pk}")
    assert world.objects["trainee_feed"].token in response.content.decode()
    # Another school's trainee: 404; not a number: 404.
    assert client.get(f"{_page(world)}?stagiaire={world.others['enrolment'].pk}").status_code == 404
    assert client.get(f"{_page(world)}?stagiaire=abc").status_code == 404


def test_page_without_manage_schedule(world):
    client = world.client_for("company_relations")
    response = client.get(_page(world))
    assert response.status_code == 200
    assert "Aucune adresse d'abonnement active." in page_text(response)
    assert world.objects["enrolment"].person.last_name not in page_text(response)
    url = f"{_page(world)}?stagiaire={world.objects['enrolment'].pk}"
    assert client.get(url).status_code == 403


def test_create_own_feed_three_users(world):
    url = _page(world, "calendar_feed_create")
    # A staff member may: their own feed is created.
    client = world.client_for("intake")
    assert client.get(url).status_code == 200  # the confirmation
    response = client.post(url)
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(membership=world.members["intake"])
    assert feed.is_active
    assert feed.token in world.client_for("intake").get(_page(world)).content.decode()
    # A funder may not: 403, nothing written.
    assert world.client_for("funder").post(url).status_code == 403
    # An outsider: 404, nothing written.
    assert world.client_for("outsider").post(url).status_code == 404
    assert CalendarFeed.objects.count() == 5  # 2 per school in the world + the intake's
    assert AuditEvent.objects.filter(action="calendar_feed.create").count() == 1


def test_create_and_revoke_a_trainee_feed(world):
    enrolment = world.objects["enrolment"]
    old = world.objects["trainee_feed"]
    # Without MANAGE_SCHEDULE: 403 and nothing written.
    response = world.client_for("intake").post(
        _page(world, "calendar_feed_create"), {"stagiaire": enrolment.pk}
    )
    assert response.status_code == 403
    assert CalendarFeed.objects.filter(enrolment=enrolment).count() == 1
    # A referent renews it: the old URL stops working.
    client = world.client_for("referent")
    response = client.post(_page(world, "calendar_feed_create"), {"stagiaire": enrolment.pk})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?stagiaire={enrolment.pk}")
    new = CalendarFeed.objects.get(enrolment=enrolment, revoked_at__isnull=True)
    assert new.pk != old.pk
    anonymous = world.client_for("anonymous")
    assert anonymous.get(_feed_url(world, old)).status_code == 404
    assert anonymous.get(_feed_url(world, new)).status_code == 200
    # Then revokes it.
    response = client.post(_page(world, "calendar_feed_revoke"), {"stagiaire": enrolment.pk})
    assert response.status_code == 302
    assert anonymous.get(_feed_url(world, new)).status_code == 404
    assert not CalendarFeed.objects.filter(enrolment=enrolment, revoked_at__isnull=True).exists()
    # Another school's trainee: 404, nothing written.
    response = client.post(
        _page(world, "calendar_feed_create"), {"stagiaire": world.others["enrolment"].pk}
    )
    assert response.status_code == 404
    assert CalendarFeed.objects.filter(enrolment=world.others["enrolment"]).count() == 1


def test_revoke_without_active_feed(world):
    client = world.client_for("director")  # no feed of their own
    assert client.get(_page(world, "calendar_feed_revoke")).status_code == 200
    response = client.post(_page(world, "calendar_feed_revoke"))
    assert response.status_code == 400
    assert "Aucun abonnement actif à révoquer." in page_text(response)
    assert not AuditEvent.objects.filter(action__startswith="calendar_feed.").exists()
