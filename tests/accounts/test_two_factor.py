"""Two-factor authentication: who must use it, enrolment with a QR code, the code at login,
backup codes (one-time, stored hashed), enforcement on every page, disabling when optional."""

from __future__ import annotations

import re
from base64 import b32decode
from binascii import hexlify

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts import two_factor
from parcours.accounts.models import BackupCode, BackupCodeDevice, User
from parcours.audit.models import AuditEvent

from ..factories import TEST_PASSWORD, MembershipFactory, UserFactory
from ..utils import current_code, login_client, page_text

pytestmark = pytest.mark.django_db

HOME = "/e/e2c-alpha/"


def _password_login(client: Client, email: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": TEST_PASSWORD})


def _secret_from_page(response) -> str:
    """The hex key of the secret shown for manual entry (base 32, in groups)."""
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', response.content.decode()).group(1)
    return hexlify(b32decode(shown.replace(" ", ""))).decode()


def _enrol(client: Client) -> tuple[str, list[str]]:
    page = client.get(reverse("accounts:two_factor_setup"))
    key = _secret_from_page(page)
    response = client.post(
        reverse("accounts:two_factor_setup"),
        {"code": str(totp(bytes.fromhex(key))).zfill(6), "next": HOME},
    )
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    return key, codes


# ------------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("role", "mandatory"),
    [
        ("director", True),
        ("referent", True),
        ("intake", True),
        ("company_relations", True),
        ("prescriber", False),
        ("funder", False),
        ("network", False),
    ],
)
def test_mandatory_for_staff_optional_for_partners_and_the_network(world, role, mandatory):
    assert two_factor.requires_two_factor(world.members[role].user) is mandatory


def test_a_password_only_session_of_a_user_with_a_device_must_give_the_code(world):
    """Whatever opened the session (the admin's own login page, say), a user who has an
    authenticator app gives its code before anything else."""
    client = world.client_for("prescriber")  # optional for them
    _enrol(client)
    user = User.objects.get(pk=world.members["prescriber"].user_id)  # its new session token
    other = Client()
    other.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = other.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert other.get("/admin/")["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_a_bare_word_as_next_is_ignored_not_a_server_error(world):
    client = Client()
    assert client.get(reverse("accounts:two_factor_verify") + "?next=foo").status_code in (
        200,
        302,
    )


def test_mandatory_for_the_technical_administration(db):
    assert two_factor.requires_two_factor(UserFactory(is_staff=True, is_superuser=True))


def test_an_ended_director_membership_no_longer_requires_it(world):
    import datetime

    director = world.members["director"]
    director.active_until = datetime.date(2020, 1, 1)
    director.save()
    assert not two_factor.requires_two_factor(director.user)


def test_the_setting_switches_enforcement_off_for_a_lab_install(world, settings):
    settings.PARCOURS_REQUIRE_2FA = False
    assert not two_factor.requires_two_factor(world.members["director"].user)
    client = Client()
    response = _password_login(client, "director@alpha.example.org")
    assert response["Location"] == "/"
    assert client.get(HOME).status_code == 200


# -------------------------------------------------------------------------------- enrolment


def test_referent_without_app_is_sent_to_enrolment_and_reaches_nothing_else(world):
    client = Client()
    response = _password_login(client, "referent@alpha.example.org")
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    for url in (HOME, "/", reverse("accounts:account"), f"{HOME}equipe/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:two_factor_setup")), url
    assert client.get("/healthz").status_code == 200
    page = client.get(reverse("accounts:two_factor_setup"))
    text = page_text(page)
    assert page.status_code == 200
    assert "la double authentification est obligatoire" in text
    assert "<svg" in page.content.decode()  # the QR code, inline
    assert ' style="' not in page.content.decode() and "<script>" not in page.content.decode()
    # Logging out stays possible.
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_enrolment_confirms_with_a_code_and_shows_ten_backup_codes_once(world):
    client = Client()
    _password_login(client, "referent@alpha.example.org")
    key, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = world.members["referent"].user
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    # Stored hashed: no code appears in the database.
    stored = list(BackupCode.objects.filter(device__user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert client.get(HOME).status_code == 200  # the session is verified
    event = AuditEvent.objects.get(action="account.two_factor.enable")
    assert event.school == world.school and event.object_id == str(user.pk) and event.actor == user
    # The codes are never shown again.
    account = page_text(client.get(reverse("accounts:account")))
    assert "Il vous reste 10 codes de secours." in account
    assert codes[0] not in account


def test_a_wrong_enrolment_code_is_refused_and_nothing_is_written(world):
    client = Client()
    _password_login(client, "referent@alpha.example.org")
    client.get(reverse("accounts:two_factor_setup"))
    response = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    # (000000 could be right once in a million: the test allows the real code's neighbours out)
    assert response.status_code == 400
    assert "Ce code ne correspond pas." in page_text(response)
    assert not TOTPDevice.objects.exists() and not BackupCodeDevice.objects.exists()
    assert not AuditEvent.objects.exists()
    assert client.get(HOME).status_code == 302


def test_enrolment_ends_the_other_sessions_opened_with_the_password_only(world):
    user = world.members["prescriber"].user  # optional for them: a password-only session exists
    other = login_client(Client(), user)
    assert other.get(HOME).status_code == 200
    client = login_client(Client(), user)
    _enrol(client)
    assert client.get(HOME).status_code == 200
    assert other.get(HOME).status_code == 302  # sent to the login page


def test_optional_user_may_enrol_from_the_account_page(world):
    client = world.client_for("prescriber")
    assert client.get(HOME).status_code == 200  # optional: no enrolment forced
    assert "Activer la double authentification" in page_text(
        client.get(reverse("accounts:account"))
    )
    _key, codes = _enrol(client)
    assert len(codes) == 10


# ------------------------------------------------------------------------- login with a code


def test_wrong_code_is_refused_and_counts_as_a_failure(world):
    device = TOTPDevice.objects.create(user=world.members["director"].user, confirmed=True)
    client = Client()
    _password_login(client, "director@alpha.example.org")
    good = current_code(device)
    wrong = "123456" if good != "123456" else "654321"
    response = client.post(reverse("accounts:two_factor_verify"), {"code": wrong})
    assert response.status_code == 400
    assert "Ce code n'est pas valide." in page_text(response)
    assert client.get(HOME).status_code == 302
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get(username="director@alpha.example.org").failures_since_start


def test_backup_code_works_once(world):
    client = Client()
    _password_login(client, "referent@alpha.example.org")
    _key, codes = _enrol(client)
    client.post(reverse("accounts:logout"))

    client = Client()
    _password_login(client, "referent@alpha.example.org")
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": codes[0].upper(), "next": HOME}
    )
    assert response.status_code == 302 and response["Location"] == HOME
    assert "Il vous en reste 9." in page_text(client.get(HOME, follow=True))
    client.post(reverse("accounts:logout"))

    client = Client()
    _password_login(client, "referent@alpha.example.org")
    response = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    assert response.status_code == 400
    assert client.get(HOME).status_code == 302


def test_regenerating_backup_codes_replaces_the_old_ones(world):
    client = Client()
    _password_login(client, "referent@alpha.example.org")
    _key, old = _enrol(client)
    assert "Générer de nouveaux codes" in page_text(client.get(reverse("accounts:backup_codes")))
    response = client.post(reverse("accounts:backup_codes"), {"password": TEST_PASSWORD})
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEvent.objects.filter(action="account.two_factor.backup_codes").count() == 1
    device = BackupCodeDevice.objects.get(user=world.members["referent"].user)
    assert not device.verify_token(old[0])
    device.throttle_reset()  # django-otp waits 1 s after a failure (then 2, 4…)
    assert device.verify_token(new[0])


def test_mandatory_two_factor_cannot_be_disabled(world):
    client = world.client_for("director")
    response = client.get(reverse("accounts:two_factor_disable"))
    assert response.status_code == 403
    assert client.post(reverse("accounts:two_factor_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=world.members["director"].user).exists()


def test_optional_two_factor_can_be_disabled_after_confirmation(world):
    client = world.client_for("prescriber")
    _enrol(client)
    user = world.members["prescriber"].user
    assert "Désactiver la double authentification ?" in page_text(
        client.get(reverse("accounts:two_factor_disable"))
    )
    response = client.post(reverse("accounts:two_factor_disable"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not BackupCodeDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="account.two_factor.disable").count() == 1


def test_new_backup_codes_need_the_current_password(world):
    client = Client()
    _password_login(client, "referent@alpha.example.org")
    _key, old = _enrol(client)
    user = world.members["referent"].user
    response = client.post(reverse("accounts:backup_codes"), {"password": "pas le bon"})
    assert response.status_code == 200
    assert "Mot de passe incorrect : rien n'a été changé." in page_text(response)
    assert not AuditEvent.objects.filter(action="account.two_factor.backup_codes").exists()
    device = BackupCodeDevice.objects.get(user=user)
    assert device.verify_token(old[0])  # the old codes still work


def test_disabling_two_factor_needs_the_current_password(world):
    client = world.client_for("prescriber")
    _enrol(client)
    user = world.members["prescriber"].user
    response = client.post(reverse("accounts:two_factor_disable"), {"password": ""})
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in page_text(response)
    assert TOTPDevice.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(action="account.two_factor.disable").exists()


def test_five_wrong_confirmation_passwords_end_the_session(world):
    client = world.client_for("prescriber")
    _enrol(client)
    user = world.members["prescriber"].user
    for _attempt in range(4):
        response = client.post(reverse("accounts:two_factor_disable"), {"password": "faux"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:two_factor_disable"), {"password": "faux"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert TOTPDevice.objects.filter(user=user).exists()
    assert client.get(reverse("accounts:account")).status_code == 302  # logged out


def test_every_test_login_helper_session_is_verified_for_mandatory_users(world):
    client = world.client_for("referent")
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("accounts:two_factor_verify"))["Location"] == "/"


def test_new_director_from_membership_factory_is_enrolled_by_the_helper(world):
    member = MembershipFactory(school=world.school, role="director")
    assert login_client(Client(), member.user).get(HOME).status_code == 200
