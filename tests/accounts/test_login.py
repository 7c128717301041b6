"""Login by email and password; one French message for every failure; nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.accounts.models import User
from parcours.audit.models import AuditEvent

from ..factories import TEST_PASSWORD, MembershipFactory, UserFactory
from ..utils import current_code, login_client, page_text

pytestmark = pytest.mark.django_db

FAILURE = "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie et réessayez."


def test_director_logs_in_with_password_then_code_and_lands_on_school_home(world):
    device = TOTPDevice.objects.create(user=world.members["director"].user, confirmed=True)
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "director@alpha.example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    # Password only: nothing of the school is reachable yet.
    assert client.get(reverse("organisations:home", args=["e2c-alpha"])).status_code == 302
    response = client.post(response["Location"], {"code": current_code(device)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("organisations:home", args=["e2c-alpha"])
    assert "E2C Alpha" in page_text(response)


def test_email_is_case_insensitive(world):
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "Director@Alpha.Example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("director@alpha.example.org", "mauvais-mot-de-passe"),
        ("inconnu@example.org", TEST_PASSWORD),
        ("director@alpha.example.org", ""),
    ],
)
def test_login_failures_give_one_clear_message_and_write_nothing(world, email, password):
    client = Client()
    users_before = list(User.objects.values_list("pk", "last_login"))
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    assert response.status_code == 200
    text = page_text(response)
    assert FAILURE in text or "Ce champ est obligatoire." in text
    assert "_auth_user_id" not in client.session
    assert list(User.objects.values_list("pk", "last_login")) == users_before
    assert AuditEvent.objects.count() == 0


def test_unknown_email_and_wrong_password_give_the_same_message(world):
    client = Client()
    wrong = client.post(
        reverse("accounts:login"),
        {"username": "director@alpha.example.org", "password": "faux-mot-de-passe"},
    )
    unknown = client.post(
        reverse("accounts:login"), {"username": "personne@example.org", "password": "x"}
    )
    assert FAILURE in page_text(wrong) and FAILURE in page_text(unknown)


def test_malformed_email_is_refused(world):
    response = Client().post(
        reverse("accounts:login"), {"username": "pas-un-email", "password": "x"}
    )
    assert "Saisissez une adresse de courriel valide." in page_text(response)


def test_deactivated_account_cannot_log_in(world):
    user = world.members["referent"].user
    user.is_active = False
    user.save()
    response = Client().post(
        reverse("accounts:login"), {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_logout_is_post_only_and_ends_the_session(world):
    client = world.client_for("director")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert reverse("accounts:login") in client.get(reverse("home"))["Location"]


def test_anonymous_user_is_sent_to_login_with_next(world):
    response = Client().get(reverse("organisations:staff", args=["e2c-alpha"]))
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/e/e2c-alpha/equipe/"


def test_user_of_several_schools_switches_from_the_header(world):
    user = world.members["director"].user
    MembershipFactory(user=user, school=world.other_school, role="referent")
    client = world.client_for("director")
    home = page_text(client.get(reverse("organisations:home", args=["e2c-alpha"])))
    assert "Changer d’école" in home
    assert f'href="/e/{world.other_school.slug}/"' in home
    # Going to the other school makes it the current one, including for "/".
    other = client.get(reverse("organisations:home", args=[world.other_school.slug]))
    assert other.status_code == 200
    assert "Site Beta" in page_text(other)
    assert client.get(reverse("home"))["Location"] == f"/e/{world.other_school.slug}/"


def test_ended_membership_gives_no_access(world):
    membership = world.members["intake"]
    membership.active_until = datetime.date.today() - datetime.timedelta(days=1)
    membership.save()
    client = world.client_for("intake")
    assert client.get(reverse("organisations:home", args=["e2c-alpha"])).status_code == 404
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Aucune école rattachée à votre compte" in page_text(response)


def test_user_without_membership_sees_an_explanation(db):
    UserFactory(email="seul@example.org")
    client = login_client(Client(), User.objects.get(email="seul@example.org"))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Adressez-vous à la direction" in page_text(response)


def test_network_account_lands_on_network_page_without_personal_data(world):
    client = world.client_for("network")
    response = client.get(reverse("home"), follow=True)
    text = page_text(response)
    assert response.redirect_chain[-1][0] == reverse("network_home")
    assert "E2C Alpha" in text and "E2C Beta" in text
    assert "2 écoles ouvertes aujourd'hui, réparties sur 2 sites." in text
    for member in world.members.values():
        if member.role != "network":
            assert member.user.last_name not in text
