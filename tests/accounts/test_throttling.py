"""Login throttling (django-axes): 5 failures for an account, or from an address, lock further
attempts for 15 minutes, even with the right password; one message that says nothing about the
account; the lockout ends after the cool-off."""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ..factories import TEST_PASSWORD
from ..utils import page_text

pytestmark = pytest.mark.django_db

LOCKED = "Trop de tentatives de connexion ont échoué."
FAILURE = "Adresse e-mail ou mot de passe incorrect."
OTHER_EMAIL = "prescriber@alpha.example.org"  # no second factor: lands on the home page


def _attempt(client, email, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def _fail_five_times(client, email, address="10.0.0.1"):
    for _ in range(5):
        response = _attempt(client, email, "mauvais-mot-de-passe", address)
    return response


def test_settings_lock_an_account_and_an_address_after_five_failures_for_15_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_four_failures_then_the_right_password_works(world):
    client = Client()
    for _ in range(4):
        assert FAILURE in page_text(_attempt(client, OTHER_EMAIL, "mauvais"))
    assert _attempt(client, OTHER_EMAIL, TEST_PASSWORD).status_code == 302


def test_after_five_failures_the_right_password_is_refused_with_a_clear_message(world):
    client = Client()
    response = _fail_five_times(client, OTHER_EMAIL)
    assert response.status_code == 429
    assert LOCKED in page_text(response)
    response = _attempt(client, OTHER_EMAIL, TEST_PASSWORD)
    assert response.status_code == 429
    text = page_text(response)
    assert LOCKED in text and "15 minutes" in text
    assert "_auth_user_id" not in client.session
    # The same e-mail in capitals is the same account.
    assert _attempt(Client(), OTHER_EMAIL.upper(), TEST_PASSWORD, "10.9.9.9").status_code == 429


def test_an_unknown_address_gets_the_same_lockout_message(world):
    response = _fail_five_times(Client(), "personne@example.org")
    assert response.status_code == 429 and LOCKED in page_text(response)


def test_the_account_is_locked_from_any_address(world):
    _fail_five_times(Client(), OTHER_EMAIL, "10.0.0.1")
    assert _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD, "10.0.0.2").status_code == 429


def test_the_address_is_locked_for_any_account_and_others_are_unaffected(world):
    _fail_five_times(Client(), "personne@example.org", "10.0.0.1")
    # Another account from the locked address: refused.
    assert _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD, "10.0.0.1").status_code == 429
    # Another account from another address: not affected.
    assert _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD, "10.0.0.2").status_code == 302


def test_login_works_again_after_the_cool_off(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail_five_times(Client(), OTHER_EMAIL)
        assert _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=10), tick=False):
        assert _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=40), tick=False):
        client = Client()
        assert _attempt(client, OTHER_EMAIL, TEST_PASSWORD).status_code == 302
        assert client.get("/e/e2c-alpha/").status_code == 200


def test_wrong_second_factor_codes_lock_the_account_too(world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ..utils import current_code

    device = TOTPDevice.objects.create(user=world.members["director"].user, confirmed=True)
    wrong = "123456" if current_code(device) != "123456" else "654321"
    for _ in range(5):
        client = Client()
        _attempt(client, "director@alpha.example.org", TEST_PASSWORD)
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        response = client.post(reverse("accounts:two_factor_verify"), {"code": wrong})
    assert response.status_code == 429
    assert LOCKED in page_text(response)
    assert "_auth_user_id" not in client.session  # the half-open session is closed
    assert _attempt(Client(), "director@alpha.example.org", TEST_PASSWORD).status_code == 429


def test_daily_deletes_old_login_records(world):
    import io

    from axes.models import AccessAttempt, AccessLog
    from django.core.management import call_command

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _attempt(Client(), OTHER_EMAIL, "mauvais")
        _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD)  # clears that account's counter
        _attempt(Client(), "personne@example.org", "mauvais")
    assert AccessLog.objects.exists() and AccessAttempt.objects.exists()
    with time_machine.travel(start + datetime.timedelta(days=91), tick=False):
        out = io.StringIO()
        call_command("daily", stdout=out)
        assert "journaux de connexion purgés :" in out.getvalue()
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()


def test_the_logs_of_failures_and_lockouts_hold_no_address_nor_e_mail(world, caplog):
    caplog.set_level(logging.DEBUG)
    _fail_five_times(Client(), OTHER_EMAIL, "203.0.113.9")
    assert _attempt(Client(), OTHER_EMAIL, TEST_PASSWORD, "203.0.113.9").status_code == 429
    assert any("axes" in record.name for record in caplog.records)  # it did log
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "203.0.113.9" not in text
    assert OTHER_EMAIL not in text and "prescriber" not in text
