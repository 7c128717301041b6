"""API objects of the test world, for both schools: a token of school A's referent and one of
the outsider (school B), for the URL walk of the token pages. Made as rows (like factories),
not through the service: the world's journal stays empty."""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.api.models import PREFIX_LENGTH, ApiToken
from parcours.api.services import hash_secret, new_secret


def _token(membership) -> ApiToken:
    secret = new_secret()
    return ApiToken.objects.create(
        membership=membership,
        name="Tableur",
        key_prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        created_by=membership.user,
        expires_at=timezone.now() + datetime.timedelta(days=365),
    )


def build_api_world(world) -> None:
    world.objects["api_token"] = _token(world.members["referent"])
    world.others["api_token"] = _token(world.outsider)
