"""API objects of the test world, for both schools: a token of school A's referent and one of
the outsider (school B), for the URL walk of the token pages."""

from __future__ import annotations

from parcours.api.models import ApiToken
from parcours.api.services import create_token


def _token(membership) -> ApiToken:
    created = create_token(actor=membership.user, membership=membership, name="Tableur")
    return created.token


def build_api_world(world) -> None:
    world.objects["api_token"] = _token(world.members["referent"])
    world.others["api_token"] = _token(world.outsider)
