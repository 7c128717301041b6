"""Every API operation declares its permission, and answers every role as ROLE_PERMS says.

Like tests/test_url_access.py for the web: the walk covers EVERY operation of the router tree
(new endpoints are covered as soon as they are registered in parcours/api/api.py) with a token
of every role of school A, the outsider (a referent of school B), no token, a revoked token and
an expired one. Path parameters name objects of the test world (``PATH_OBJECTS`` in
``tests/api/**/api_table*.py``).
"""

from __future__ import annotations

import json

import pytest

from parcours.api.auth import ANY_MEMBERSHIP
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Role

from .api_tables import collect_api_tables
from .operations import Op, all_operations

PATH_OBJECTS, STATUS, BODIES = collect_api_tables()
ROLES = [role.value for role in Role]
WHO = [*ROLES, "outsider", "no_token", "revoked", "expired", "wrong_scheme"]


def _call(client, op: Op, url: str, body: dict | None = None):
    method = getattr(client, op.method.lower())
    if op.method == "GET":
        return method(url)
    return method(url, data=json.dumps(body or {}), content_type="application/json")


def _allowed(membership, op: Op) -> bool:
    return op.perm == ANY_MEMBERSHIP or has_perm(membership, op.perm)


def test_every_operation_declares_a_permission():
    ops = all_operations()
    assert any(op.operation_id == "me" for op in ops)
    undeclared = [f"{op.method} {op.path}" for op in ops if op.perm is None]
    assert undeclared == [], f"declare auth=requires(Perm.X) on: {undeclared}"
    for op in ops:
        assert op.perm == ANY_MEMBERSHIP or isinstance(op.perm, Perm), op
        for param in op.params:
            assert param in PATH_OBJECTS, f"{op.path}: say in PATH_OBJECTS what '{param}' is"


def test_operation_ids_are_unique():
    ids = [op.operation_id for op in all_operations()]
    assert len(ids) == len(set(ids))


def _client_for(who: str, world, api_client, token_for):
    if who == "no_token":
        return api_client(None)
    if who == "wrong_scheme":
        from django.test import Client

        secret = token_for(world.members["director"])
        return Client(HTTP_AUTHORIZATION=f"Token {secret}")
    if who in ("revoked", "expired"):
        secret = token_for(world.members["director"], **{who: True})
        return api_client(secret=secret)
    membership = world.outsider if who == "outsider" else world.members[who]
    return api_client(membership)


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_every_operation_for_every_token(world, api_client, token_for, who):
    client = _client_for(who, world, api_client, token_for)
    membership = world.outsider if who == "outsider" else world.members.get(who)
    checked = 0
    for op in all_operations():
        url = op.url({p: world.objects[PATH_OBJECTS[p]].pk for p in op.params})
        body = BODIES[op.operation_id](world) if op.operation_id in BODIES else {}
        response = _call(client, op, url, body)
        where = f"{who} {op.method} {url}"
        assert response.status_code < 500, where
        assert response["Content-Type"].startswith("application/json"), where
        detail = response.json().get("detail") if response.status_code >= 400 else None
        if membership is None:  # no usable token
            assert response.status_code == 401, where
            assert response["WWW-Authenticate"].startswith("Bearer"), where
            assert "Jeton" in detail
        elif not _allowed(membership, op):
            assert response.status_code == 403, where
            assert "rôle" in detail, where
        elif who == "outsider" and op.params:
            assert response.status_code == 404, where  # school A's object: not theirs
        elif op.operation_id in STATUS and who in STATUS[op.operation_id]:
            assert response.status_code == STATUS[op.operation_id][who], where
        elif op.method == "GET":
            assert response.status_code == 200, where
        else:
            assert response.status_code in (200, 201, 204, 422), where
        checked += 1
    assert checked == len(all_operations())


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["director", "referent", "prescriber", "funder"])
def test_objects_of_another_school_are_404(world, api_client, who):
    """A token of school A given school B's object ids: 404 (403 without the permission)."""
    client = api_client(world.members[who])
    for op in all_operations():
        if not op.params:
            continue
        url = op.url({p: world.others[PATH_OBJECTS[p]].pk for p in op.params})
        body = BODIES[op.operation_id](world) if op.operation_id in BODIES else {}
        response = _call(client, op, url, body)
        expected = 404 if _allowed(world.members[who], op) else 403
        assert response.status_code == expected, f"{who} {op.method} {url}"


@pytest.mark.django_db
def test_a_session_does_not_open_the_api(world):
    """A logged-in browser session (2FA done) without a token gets 401: the API reads tokens
    only; and the session's half-open state never redirects an API call."""
    client = world.client_for("director")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Jeton")


@pytest.mark.django_db
def test_unknown_paths_under_the_api_are_json_404(api_client, world):
    response = api_client(world.members["director"]).get("/api/v1/n-existe-pas")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ressource introuvable."}
