"""Passwords: Argon2 in production (older hashes upgraded at login), the rules, reset by e-mail
with an expiring link (same answer for unknown addresses), change from « Mon compte »; both end
the other sessions."""

from __future__ import annotations

import datetime
import importlib
import re

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import User
from parcours.audit.models import AuditEvent

from ..factories import TEST_PASSWORD
from ..utils import login_client, page_text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Un-nouveau-mot-de-passe-2026"
OTHER_EMAIL = "company_relations@alpha.example.org"


def _production_settings(monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    import parcours.settings as production

    return importlib.reload(production)


def test_production_settings_hash_with_argon2_first_and_keep_pbkdf2(monkeypatch):
    production = _production_settings(monkeypatch)
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS
    assert production.PASSWORD_RESET_TIMEOUT == 2 * 3600
    assert production.SESSION_COOKIE_AGE == 3600
    assert production.SESSION_EXPIRE_AT_BROWSER_CLOSE and production.SESSION_SAVE_EVERY_REQUEST
    assert production.PARCOURS_REQUIRE_2FA is True


def test_environment_configures_the_reset_link_and_session_lifetimes(monkeypatch):
    monkeypatch.setenv("DJANGO_PASSWORD_RESET_TIMEOUT", "1800")
    monkeypatch.setenv("DJANGO_SESSION_AGE", "900")
    monkeypatch.setenv("PARCOURS_LOGIN_FAILURE_LIMIT", "3")
    production = _production_settings(monkeypatch)
    assert production.PASSWORD_RESET_TIMEOUT == 1800
    assert production.SESSION_COOKIE_AGE == 900
    assert production.AXES_FAILURE_LIMIT == 3


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(world, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = User.objects.get(email=OTHER_EMAIL)
    user.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    user.save()
    response = Client().post(
        reverse("accounts:login"), {"username": OTHER_EMAIL, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_password_rules_are_in_french(world):
    client = world.client_for("company_relations")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    text = page_text(response)
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in text
    assert "Ce mot de passe est entièrement numérique." in text
    user = User.objects.get(email=OTHER_EMAIL)
    assert user.check_password(TEST_PASSWORD)


def test_change_password_keeps_this_session_and_ends_the_others(world):
    user = User.objects.get(email=OTHER_EMAIL)
    other = login_client(Client(), user)
    client = login_client(Client(), user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get("/e/e2c-alpha/").status_code == 200
    assert other.get("/e/e2c-alpha/").status_code == 302
    assert AuditEvent.objects.filter(action="account.password.change").count() == 1


def _reset_link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/mot-de-passe-oublie/\S+)", body).group(1)


def test_login_page_links_to_the_reset_page(db):
    assert "Mot de passe oublié ?" in page_text(Client().get(reverse("accounts:login")))


def test_reset_sends_a_french_email_with_an_expiring_link(world, settings):
    settings.PUBLIC_BASE_URL = "https://parcours.example.org"
    response = Client().post(reverse("accounts:password_reset"), {"email": OTHER_EMAIL.upper()})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [OTHER_EMAIL]
    assert message.subject == "Parcours : choisir un nouveau mot de passe"
    assert "expire dans 2 heures" in message.body
    assert "https://parcours.example.org/mot-de-passe-oublie/" in message.body


def test_unknown_address_gets_the_same_answer_and_no_email(world):
    known = Client().post(reverse("accounts:password_reset"), {"email": OTHER_EMAIL}, follow=True)
    unknown = Client().post(
        reverse("accounts:password_reset"), {"email": "personne@example.org"}, follow=True
    )

    def main(response):
        return page_text(response).split('<main id="contenu" tabindex="-1">')[1]

    assert main(known) == main(unknown)
    assert len(mail.outbox) == 1


def test_reset_sets_a_new_password_checked_by_the_rules_and_ends_every_session(world):
    user = User.objects.get(email=OTHER_EMAIL)
    open_session = login_client(Client(), user)
    Client().post(reverse("accounts:password_reset"), {"email": OTHER_EMAIL})
    client = Client()
    form_page = client.get(_reset_link(mail.outbox[0].body), follow=True)
    assert "Nouveau mot de passe" in page_text(form_page)
    set_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "motdepasse", "new_password2": "motdepasse"})
    assert "Ce mot de passe est trop court." in page_text(weak)
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert open_session.get("/e/e2c-alpha/").status_code == 302
    assert AuditEvent.objects.filter(action="account.password.reset").count() == 1
    # The link served once.
    again = Client().get(_reset_link(mail.outbox[0].body), follow=True)
    assert "Ce lien n'est pas valide" in page_text(again)


def test_reset_link_expires_after_two_hours(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().post(reverse("accounts:password_reset"), {"email": OTHER_EMAIL})
    link = _reset_link(mail.outbox[0].body)
    with time_machine.travel(start + datetime.timedelta(hours=2, minutes=1), tick=False):
        response = Client().get(link, follow=True)
    assert "Ce lien n'est pas valide : il a expiré" in page_text(response)


def test_reset_requests_are_limited_per_address_and_per_client(world):
    """Nobody floods a mailbox: 3 e-mails an hour for one address, 10 requests an hour from one
    client; beyond, the page answers the same and sends nothing."""
    url = reverse("accounts:password_reset")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            response = Client().post(url, {"email": OTHER_EMAIL}, REMOTE_ADDR="10.1.1.1")
            assert response["Location"] == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 3
        # From one client, whatever the addresses asked: 10 requests an hour.
        mail.outbox.clear()
        for _ in range(3):
            Client().post(url, {"email": "director@alpha.example.org"}, REMOTE_ADDR="10.2.2.2")
        for n in range(8):
            Client().post(url, {"email": f"inconnu{n}@example.org"}, REMOTE_ADDR="10.2.2.2")
        Client().post(url, {"email": "referent@alpha.example.org"}, REMOTE_ADDR="10.2.2.2")
        assert [m.to[0] for m in mail.outbox] == ["director@alpha.example.org"] * 3
    # An hour later, the address may ask again.
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1), tick=False):
        mail.outbox.clear()
        Client().post(url, {"email": OTHER_EMAIL}, REMOTE_ADDR="10.1.1.1")
        assert len(mail.outbox) == 1
