"""Tokens: what opens the API, what does not, and what a token records."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.api.models import ApiToken
from parcours.api.services import create_token, hash_secret, revoke_token
from parcours.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_token_acts_as_its_membership(world, api_client):
    membership = world.members["prescriber"]
    response = api_client(membership).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["membership_id"] == membership.pk
    assert body["role"] == "prescriber"
    assert body["school"] == {"slug": "e2c-alpha", "name": "E2C Alpha"}
    assert body["partner"] == {"id": world.prescriber_partner.pk, "name": "Mission Locale Alpha"}
    assert body["permissions"] == ["refer", "view_school"]


def test_the_network_token_has_no_school(world, api_client):
    body = api_client(world.members["network"]).get("/api/v1/me").json()
    assert body["school"] is None and body["role"] == "network"


def test_only_the_hash_is_stored_and_the_secret_is_shown_once(world):
    membership = world.members["director"]
    created = create_token(actor=membership.user, membership=membership, name="Compta")
    token = ApiToken.objects.get(name="Compta")
    assert created.secret not in str(list(ApiToken.objects.values()))
    assert token.key_hash == hash_secret(created.secret)
    assert token.key_prefix == created.secret[:8]
    assert len(created.secret) >= 40
    assert token.expires_at - token.created_at == datetime.timedelta(days=365)
    event = AuditEvent.objects.get(action="api_token.create", object_id=str(token.pk))
    assert event.school == world.school and event.actor == membership.user
    assert created.secret not in str(event.changes)


def test_a_token_for_someone_elses_membership_or_too_long_is_refused(world):
    director = world.members["director"]
    before = ApiToken.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        create_token(actor=director.user, membership=world.members["referent"], name="x")
    with pytest.raises(ValidationError):
        create_token(actor=director.user, membership=director, name="x", lifetime_days=731)
    with pytest.raises(ValidationError):
        create_token(actor=director.user, membership=director, name="  ")
    assert (ApiToken.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Token {secret}", "Basic {secret}", "Bearer x{secret}", "Bearer abc"],
)
def test_bad_headers_get_401(world, token_for, header):
    from django.test import Client

    secret = token_for(world.members["director"])
    client = Client(HTTP_AUTHORIZATION=header.format(secret=secret)) if header else Client()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["detail"].startswith("Jeton d'accès absent")


def test_revoked_and_expired_tokens_get_401(world, token_for, api_client):
    for state in ("revoked", "expired"):
        secret = token_for(world.members["director"], **{state: True})
        assert api_client(secret=secret).get("/api/v1/me").status_code == 401


def test_revoking_closes_the_token_at_once_and_is_audited(world, token_for, api_client):
    membership = world.members["referent"]
    secret = token_for(membership)
    client = api_client(secret=secret)
    assert client.get("/api/v1/me").status_code == 200
    token = ApiToken.objects.get(key_hash=hash_secret(secret))
    revoke_token(actor=world.members["director"].user, token=token)
    assert client.get("/api/v1/me").status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.school == world.school and event.object_id == str(token.pk)
    revoke_token(actor=membership.user, token=token)  # twice: nothing more
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_an_ended_membership_or_inactive_user_closes_the_token(world, token_for, api_client):
    membership = world.members["referent"]
    secret = token_for(membership)
    membership.active_until = timezone.localdate() - datetime.timedelta(days=1)
    membership.active_from = membership.active_until - datetime.timedelta(days=10)
    membership.save()
    assert api_client(secret=secret).get("/api/v1/me").status_code == 401

    other = world.members["intake"]
    secret = token_for(other)
    other.user.is_active = False
    other.user.save()
    assert api_client(secret=secret).get("/api/v1/me").status_code == 401


def test_a_membership_starting_later_does_not_open_yet(world, token_for, api_client):
    membership = world.members["referent"]
    secret = token_for(membership)
    membership.active_from = timezone.localdate() + datetime.timedelta(days=3)
    membership.save()
    assert api_client(secret=secret).get("/api/v1/me").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(world, token_for, api_client):
    secret = token_for(world.members["director"])
    client = api_client(secret=secret)
    client.get("/api/v1/me")
    token = ApiToken.objects.get(key_hash=hash_secret(secret))
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_no_session_cookie_is_set_by_an_api_call(world, api_client):
    response = api_client(world.members["director"]).get("/api/v1/me")
    assert "sessionid" not in response.cookies


def test_a_half_open_session_does_not_redirect_api_calls(world, api_client):
    """The two-factor middleware leaves /api/ alone: a password-only session of a staff
    member calling with a token is answered by the token, not sent to the code page."""
    membership = world.members["director"]
    client = api_client(membership)
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["membership_id"] == membership.pk
