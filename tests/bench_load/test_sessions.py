"""The load test's sessions and pages: a session opened by ``load.open_session`` is logged in
with the second factor verified, and every page planned for a staff member answers 200."""

from __future__ import annotations

import load
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse

STAFF = ("director", "referent", "intake", "company_relations")


def _client(session_key: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


@pytest.mark.django_db
def test_session_opens_a_staff_page_without_login_or_code(world):
    user = world.members["referent"].user
    key = load.open_session(user)
    response = _client(key).get(reverse("pathways:trainees", args=[world.school.slug]))
    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert response.wsgi_request.user.is_verified()


@pytest.mark.django_db
def test_without_the_device_the_code_is_asked(world):
    """The control: the same session without django-otp's key is sent to the code page."""
    from django_otp import DEVICE_ID_SESSION_KEY

    key = load.open_session(world.members["director"].user)
    stored = Session.objects.get(session_key=key)
    data = stored.get_decoded()
    del data[DEVICE_ID_SESSION_KEY]
    stored.session_data = Session.objects.encode(data)
    stored.save()
    response = _client(key).get(reverse("pathways:trainees", args=[world.school.slug]))
    assert response.status_code == 302
    assert reverse("accounts:two_factor_verify") in response["Location"]


@pytest.mark.django_db
def test_close_sessions_deletes_them(world):
    keys = [load.open_session(world.members[role].user) for role in ("director", "intake")]
    assert load.close_sessions(keys) == 2
    assert not Session.objects.filter(session_key__in=keys).exists()


@pytest.mark.django_db
def test_prepare_opens_a_session_per_staff_member_and_plans_pages_that_answer(world):
    plan = load.prepare(schools=1)
    assert plan["schools"] == [world.school.slug]
    assert {session["role"] for session in plan["sessions"]} == set(STAFF)
    kinds_seen = set()
    for session in plan["sessions"]:
        client = _client(session["session_key"])
        assert session["pages"], session["role"]
        for kind, urls in session["pages"].items():
            kinds_seen.add(kind)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, (session["role"], kind, url)
    # The world has a trainee, a company and a group session: every kind is planned.
    assert kinds_seen == set(load.PAGE_WEIGHTS)
    # The attendance sheet only for the roles that mark attendance.
    marking = {s["role"] for s in plan["sessions"] if s["pages"].get("attendance sheet")}
    assert marking == {"director", "referent"}


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.urls")
def test_floor_plan_sends_every_session_to_the_floor_page(world):
    """``load.py --floor``: the same sessions, each requesting only the framework floor, which
    answers them (served by ``bench/floor_wsgi.py`` with these URLs)."""
    plan = load.floor_plan(load.prepare(schools=1))
    assert plan["weights"] == {"floor": 1}
    assert {session["role"] for session in plan["sessions"]} == set(STAFF)
    for session in plan["sessions"]:
        assert session["pages"] == {"floor": [load.FLOOR_URL]}
        response = _client(session["session_key"]).get(load.FLOOR_URL)
        assert response.status_code == 200 and b"Bonjour" in response.content
