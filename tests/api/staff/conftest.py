"""Fixtures of the staff endpoints' tests: ``call(who, method, path, body)`` asks the API with a
token of a member of the world's school A (``who`` a role) or of the outsider of school B."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from parcours.api.services import create_token

PREFIX = "/api/v1"


@pytest.fixture
def call(world) -> Callable:
    secrets: dict[str, str] = {}

    def _call(who: str, method: str, path: str, body: dict | None = None):
        membership = world.outsider if who == "outsider" else world.members[who]
        if who not in secrets:
            secrets[who] = create_token(
                actor=membership.user, membership=membership, name=f"tests {who}"
            ).secret
        client = Client()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secrets[who]}"}
        send = getattr(client, method.lower())
        if body is None:
            return send(PREFIX + path, **headers)
        return send(PREFIX + path, data=json.dumps(body), content_type="application/json", **headers)

    return _call
