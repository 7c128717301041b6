"""API test fixtures: tokens for the test world's memberships and clients that send them.

- ``token_for(membership, revoked=False, expired=False)`` → the secret of a new token;
- ``api_client(membership)`` → a django test ``Client`` sending ``Authorization: Bearer …``
  (``api_client(None)``: no token; ``api_client(secret="…")``: that secret).

Failed authentications are not rate-limited here (the permission walk makes many); the rate
limit tests set ``settings.PARCOURS_API_ANON_RATE`` themselves.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from parcours.api.models import ApiToken
from parcours.api.services import create_token


@pytest.fixture(autouse=True)
def _no_auth_failure_limit(settings):
    settings.PARCOURS_API_ANON_RATE = None


@pytest.fixture
def token_for(db):
    def make(membership, *, name: str = "Test", revoked: bool = False, expired: bool = False):
        secret = create_token(actor=membership.user, membership=membership, name=name).secret
        token = ApiToken.objects.get(key_prefix=secret[:8], membership=membership, name=name)
        now = timezone.now()
        if revoked:
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
        if expired:
            past = now - datetime.timedelta(days=400)
            ApiToken.objects.filter(pk=token.pk).update(
                created_at=past, expires_at=now - datetime.timedelta(seconds=1)
            )
        return secret

    return make


@pytest.fixture
def api_client(token_for):
    def make(membership=None, *, secret: str | None = None) -> Client:
        if secret is None and membership is not None:
            secret = token_for(membership)
        if secret is None:
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make
