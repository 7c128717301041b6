"""Sessions: one hour of inactivity, closed with the browser; « Mon compte »; log out
everywhere (a per-user secret in the session hash)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from parcours.accounts import services
from parcours.accounts.models import User
from parcours.audit.models import AuditEvent

from ..utils import login_client, page_text

pytestmark = pytest.mark.django_db

HOME = "/e/e2c-alpha/"


def test_sessions_expire_after_an_hour_of_inactivity_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE == 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_header_links_to_my_account_and_logout(world):
    text = page_text(world.client_for("intake").get(HOME))
    assert f'href="{reverse("accounts:account")}"' in text
    assert "Mon compte" in text and "Se déconnecter" in text


def test_account_page_shows_the_two_factor_status(world):
    text = page_text(world.client_for("director").get(reverse("accounts:account")))
    assert "Activée depuis le" in text
    assert "Elle est obligatoire pour votre rôle." in text
    assert "Désactiver la double authentification" not in text
    text = page_text(world.client_for("funder").get(reverse("accounts:account")))
    assert "Non activée." in text and "Activer la double authentification" in text


def test_session_hash_changes_with_the_session_token(world):
    user = world.members["intake"].user
    before = user.get_session_auth_hash()
    user.rotate_session_token()
    assert user.get_session_auth_hash() != before


def test_log_out_everywhere_asks_then_ends_every_session(world):
    user = world.members["director"].user
    laptop = world.client_for("director")
    phone = world.client_for("director")
    page = laptop.get(reverse("accounts:logout_everywhere"))
    assert "Se déconnecter partout ?" in page_text(page)
    assert phone.get(HOME).status_code == 200  # GET changed nothing
    response = laptop.post(reverse("accounts:logout_everywhere"), follow=True)
    assert "Toutes vos sessions sont fermées" in page_text(response)
    for client in (laptop, phone):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action="account.sessions.end_all")
    # In the journal of the school the account belongs to.
    assert event.school == world.school and event.object_id == str(user.pk)
    # Logging in again works.
    assert login_client(Client(), User.objects.get(pk=user.pk)).get(HOME).status_code == 200


def test_end_all_sessions_service_ends_sessions_of_the_user_only(world):
    mine = world.client_for("intake")
    theirs = world.client_for("referent")
    services.end_all_sessions(user=world.members["intake"].user)
    assert mine.get(HOME).status_code == 302
    assert theirs.get(HOME).status_code == 200


def test_a_session_ends_after_an_hour_without_a_request(world):
    import datetime

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = world.client_for("intake")
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        assert client.get(HOME).status_code == 200  # activity pushes the expiry back
    with time_machine.travel(start + datetime.timedelta(minutes=100), tick=False):
        assert client.get(HOME).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=161), tick=False):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def _stored_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_unchanged_session_is_written_at_most_once_a_minute(world, settings):
    """The expiry is pushed back by a request at most once a minute (not one write per page
    view): within a minute nothing is written, after a minute the hour starts again."""
    import datetime

    import time_machine
    from django.utils import timezone

    from parcours.accounts.sessions import SessionStore

    assert settings.SESSION_ENGINE == "parcours.accounts.sessions"
    settings.PARCOURS_SESSION_REFRESH_SECONDS = 60  # production's (tests/conftest.py: 0)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = world.client_for("intake")
        assert client.get(HOME).status_code == 200
        first = _stored_expiry(client)
        assert first == start + datetime.timedelta(hours=1)
    with time_machine.travel(start + datetime.timedelta(seconds=50), tick=False):
        assert client.get(HOME).status_code == 200
        assert _stored_expiry(client) == first  # not written
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert client.get(HOME).status_code == 200
        assert _stored_expiry(client) == start + datetime.timedelta(seconds=61 + 3600)
    # A change is written at once, whatever the time since the last write.
    with time_machine.travel(start + datetime.timedelta(seconds=70), tick=False):
        store = SessionStore(session_key=client.session.session_key)
        store["marker"] = 1
        store.save()
        assert _stored_expiry(client) == start + datetime.timedelta(seconds=70 + 3600)


def test_an_active_user_stays_logged_in_and_an_idle_one_is_logged_out(world, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    settings.PARCOURS_SESSION_REFRESH_SECONDS = 60  # production's (tests/conftest.py: 0)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = world.client_for("intake")
        assert client.get(HOME).status_code == 200
    # A request every 45 seconds for 75 minutes (past the first hour): always logged in.
    for step in range(1, 101):
        with time_machine.travel(start + datetime.timedelta(seconds=45 * step), tick=False):
            assert client.get(HOME).status_code == 200
    last = start + datetime.timedelta(seconds=45 * 100)
    # An hour without a request, give or take the minute between writes: logged out.
    with time_machine.travel(last + datetime.timedelta(minutes=60), tick=False):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_short_timeout_is_still_pushed_back_by_use(world, settings):
    """With a timeout of five minutes, the session is written at least every 30 s (a tenth
    of it): a request every 45 s keeps the user logged in past the five minutes."""
    import datetime

    import time_machine
    from django.utils import timezone

    settings.PARCOURS_SESSION_REFRESH_SECONDS = 60
    settings.SESSION_COOKIE_AGE = 300
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = world.client_for("intake")
        assert client.get(HOME).status_code == 200
    for step in range(1, 15):  # 10 min 30 s
        with time_machine.travel(start + datetime.timedelta(seconds=45 * step), tick=False):
            assert client.get(HOME).status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=45 * 14 + 301), tick=False):
        assert client.get(HOME).status_code == 302
