"""« Accès à l'API » (Mon compte) and the director's page of the school's tokens."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parcours.api.models import ApiToken
from parcours.api.services import hash_secret
from parcours.audit.models import AuditEvent

from ..factories import TEST_PASSWORD, MembershipFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db

PAGE = "/compte/acces-api/"


def _counts():
    return ApiToken.objects.count(), AuditEvent.objects.count()


def test_create_a_token_and_see_its_secret_once(world):
    client = world.client_for("director")
    page = page_text(client.get(PAGE))
    assert "Accès à l'API" in page and "Créer un jeton" in page
    response = client.post(
        PAGE, {"name": "Tableur de suivi", "lifetime_days": "90", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    created = response.context["created"]
    token = ApiToken.objects.get(name="Tableur de suivi")
    assert token.membership == world.members["director"]
    assert token.key_hash == hash_secret(created.secret)
    assert (token.expires_at - token.created_at).days == 90
    text = page_text(response)
    assert created.secret in text
    assert "Copiez-le maintenant : il ne sera plus jamais affiché." in text
    # The secret works, and is never shown again.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    assert api.get("/api/v1/me").json()["membership_id"] == world.members["director"].pk
    again = page_text(client.get(PAGE))
    assert created.secret not in again
    assert token.key_prefix in again and "Tableur de suivi" in again
    assert AuditEvent.objects.filter(action="api_token.create", school=world.school).exists()


def test_the_account_page_links_to_it(world):
    text = client_text = page_text(world.client_for("prescriber").get("/compte/"))
    assert "Gérer mes jetons d'accès à l'API" in client_text and text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "lifetime_days": "365"}, "Ce champ est obligatoire."),
        ({"name": "x" * 81, "lifetime_days": "365"}, "au plus 80 caractères"),
        ({"name": "Script", "lifetime_days": "3650"}, "Choisissez l'une des durées proposées."),
        ({"name": "Script", "lifetime_days": "abc"}, "Choisissez l'une des durées proposées."),
        (
            {"name": "Script", "lifetime_days": "365", "password": "pas le bon"},
            "Mot de passe incorrect : aucun jeton n'a été créé.",
        ),
        ({"name": "Script", "lifetime_days": "365", "password": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(world, data, message):
    before = _counts()
    response = world.client_for("referent").post(PAGE, data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_a_user_with_several_memberships_chooses_and_only_among_theirs(world):
    director = world.members["director"]
    second = MembershipFactory(user=director.user, school=world.other_school, role="referent")
    client = world.client_for("director")
    form = page_text(client.get(PAGE))
    assert "E2C Beta — Référent" in form or "E2C Beta" in form
    before = _counts()
    response = client.post(
        PAGE, {"name": "x", "lifetime_days": "365", "membership": world.members["referent"].pk}
    )
    assert response.status_code == 400
    assert "Choisissez l'un de vos rattachements." in page_text(response)
    assert _counts() == before
    response = client.post(
        PAGE,
        {
            "name": "Beta",
            "lifetime_days": "365",
            "membership": second.pk,
            "password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Beta")
    assert token.membership == second
    # Audited in the journal of the token's school.
    assert AuditEvent.objects.get(action="api_token.create", object_id=str(token.pk)).school == (
        world.other_school
    )


def test_a_password_change_revokes_the_users_tokens(world, token_for):
    """A token minted by whoever knew the old password must not outlive it."""
    director = world.members["director"]
    secret = token_for(director, name="Script")
    other = token_for(world.members["referent"], name="Autre")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").status_code == 200
    in_force = ApiToken.objects.filter(membership=director, revoked_at__isnull=True).count()
    client = world.client_for("director")
    new_password = "un-nouveau-mot-de-passe-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(membership=director, revoked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == in_force
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other}").get("/api/v1/me").status_code == 200


def test_a_half_open_staff_session_cannot_create_a_token(world):
    """Creating a token needs the second factor: the middleware sends the session to it."""
    client = Client()
    client.force_login(
        world.members["director"].user, backend="django.contrib.auth.backends.ModelBackend"
    )
    before = _counts()
    response = client.post(
        PAGE, {"name": "Script", "lifetime_days": "365", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert _counts() == before


def test_revoke_my_token(world):
    token = world.objects["api_token"]  # the referent's
    client = world.client_for("referent")
    url = reverse("api_tokens:token_revoke", args=[token.pk])
    assert "cessera de fonctionner immédiatement" in page_text(client.get(url))
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == PAGE
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.members["referent"].user
    assert "révoqué" in page_text(client.get(PAGE))
    # Someone else's token: 404, and nothing changes.
    other = world.others["api_token"]
    assert client.post(reverse("api_tokens:token_revoke", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_the_director_sees_and_revokes_the_schools_tokens(world, token_for):
    token_for(world.members["prescriber"], name="Logiciel ML")
    client = world.client_for("director")
    url = reverse("api_school_tokens:tokens", args=[world.school.slug])
    text = page_text(client.get(url))
    assert "Logiciel ML" in text and "Tableur" in text
    assert "Mission Locale Alpha" in text
    assert world.others["api_token"].key_prefix not in text  # school B's
    assert "Jetons d'accès à l'API des membres" in page_text(
        client.get(reverse("organisations:staff", args=[world.school.slug]))
    )
    token = world.objects["api_token"]
    response = client.post(
        reverse("api_school_tokens:token_revoke", args=[world.school.slug, token.pk])
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == world.members["director"].user
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.school == world.school and event.actor == world.members["director"].user


def test_the_lists_run_a_constant_number_of_queries(
    world, token_for, django_assert_max_num_queries
):
    for n in range(5):
        token_for(world.members["prescriber"], name=f"Jeton {n}")
        token_for(world.members["director"], name=f"Jeton D{n}")
    client = world.client_for("director")
    with django_assert_max_num_queries(14):
        assert (
            client.get(reverse("api_school_tokens:tokens", args=[world.school.slug])).status_code
            == 200
        )
    with django_assert_max_num_queries(14):
        assert client.get(PAGE).status_code == 200
