"""Fixtures of the staff endpoints' tests: ``call(who, method, path, body)`` asks the API with a
token of a member of the world's school A (``who`` a role), of the outsider (a referent of
school B) or of ``"outsider_director"`` (a director of school B, who holds every permission)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from parcours.organisations.models import Role
from tests.factories import MembershipFactory

PREFIX = "/api/v1"


@pytest.fixture
def call(world, api_client) -> Callable:
    outsiders = {"outsider": world.outsider}
    clients: dict[str, Client] = {}

    def _membership(who: str):
        if who == "outsider_director" and who not in outsiders:
            outsiders[who] = MembershipFactory(school=world.other_school, role=Role.DIRECTOR)
        return outsiders[who] if who in outsiders else world.members[who]

    def _call(who: str, method: str, path: str, body: dict | None = None):
        if who not in clients:
            clients[who] = api_client(_membership(who))  # api-core's fixture: a Bearer token
        send = getattr(clients[who], method.lower())
        if body is None:
            return send(PREFIX + path)
        return send(PREFIX + path, data=json.dumps(body), content_type="application/json")

    return _call
