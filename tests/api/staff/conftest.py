"""Fixtures of the staff endpoints' tests: ``call(who, method, path, body)`` asks the API with a
token of a member of the world's school A (``who`` a role), of the outsider (a referent of
school B) or of ``"outsider_director"`` (a director of school B, who holds every permission)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from parcours.api.services import create_token
from parcours.organisations.models import Role
from tests.factories import MembershipFactory

PREFIX = "/api/v1"


@pytest.fixture
def call(world) -> Callable:
    secrets: dict[str, str] = {}

    outsiders = {"outsider": world.outsider}

    def _membership(who: str):
        if who == "outsider_director" and who not in outsiders:
            outsiders[who] = MembershipFactory(school=world.other_school, role=Role.DIRECTOR)
        return outsiders[who] if who in outsiders else world.members[who]

    def _call(who: str, method: str, path: str, body: dict | None = None):
        membership = _membership(who)
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
