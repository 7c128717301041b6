"""Bearer-token authentication of the API, and the permission each operation declares.

``Authorization: Bearer <secret>`` (only this scheme). The token must be neither revoked nor
expired, its membership active today and its user active. The request then acts as that
membership: ``request.user``, ``request.membership`` (and ``request.api_token``) are set, so
the web's selectors and services work unchanged. Sessions are never used by the API.

Every operation declares what it needs with ``auth=requires(Perm.X)`` (or
``requires(ANY_MEMBERSHIP)`` for what any valid token may read): the permission is checked here,
before the input is read, so a role without it gets 403 whatever it sends (as on the web).
"""

from __future__ import annotations

import datetime
import hmac

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from parcours.organisations.access import Perm, has_perm

from .models import PREFIX_LENGTH, ApiToken
from .services import hash_secret
from .throttling import check_failures, count_failure

#: What an operation open to every valid token declares instead of a permission.
ANY_MEMBERSHIP = "any_membership"

#: ``last_used_at`` is written at most this often for one token.
TOUCH_EVERY = datetime.timedelta(minutes=1)

MAX_SECRET_LENGTH = 100


def find_token(secret: str) -> ApiToken | None:
    """The token whose secret this is (compared in constant time), whatever its state."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    wanted = hash_secret(secret)
    candidates = ApiToken.objects.filter(key_prefix=secret[:PREFIX_LENGTH]).select_related(
        "membership__user", "membership__school", "membership__network", "membership__partner"
    )
    found = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.key_hash, wanted):
            found = candidate
    return found


def usable(token: ApiToken, now: datetime.datetime) -> bool:
    membership = token.membership
    today = timezone.localdate(now)
    return (
        token.revoked_at is None
        and token.expires_at > now
        and membership.user.is_active
        and membership.active_from <= today
        and (membership.active_until is None or membership.active_until >= today)
    )


class TokenAuth(HttpBearer):
    """One instance per operation, carrying the permission the operation requires."""

    def __init__(self, perm: Perm | str | None = None) -> None:
        self.perm = perm
        super().__init__()

    def __call__(self, request: HttpRequest):
        # Parsed here rather than by HttpBearer.__call__, which logs a wrong header in DEBUG
        # (the secret with it).
        scheme, _, secret = request.headers.get(self.header, "").partition(" ")
        result = None
        if scheme.lower() == self.openapi_scheme and secret.strip():
            result = self.authenticate(request, secret)
        if result is None:
            # Only failures count and are refused: a valid token always gets through, so the
            # failures of one machine behind a shared office address lock nobody else out.
            check_failures(request)
            count_failure(request)
            return None
        if self.perm != ANY_MEMBERSHIP and not has_perm(result.membership, self.perm):
            raise AuthorizationError(message="Votre rôle ne permet pas cette opération.")
        return result

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        now = timezone.now()
        found = find_token(token.strip())
        if found is None or not usable(found, now):
            return None
        request.user = found.membership.user
        request.membership = found.membership  # type: ignore[attr-defined]
        request.api_token = found  # type: ignore[attr-defined]
        if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        return found


def requires(perm: Perm | str) -> TokenAuth:
    """The ``auth=`` of an operation: a valid token whose role grants ``perm``."""
    assert perm == ANY_MEMBERSHIP or isinstance(perm, Perm), perm
    return TokenAuth(perm)


def declared_perm(operation) -> Perm | str | None:
    """The permission an operation declared (None: it declared none — a test refuses that)."""
    for callback in operation.auth_callbacks or ():
        if isinstance(callback, TokenAuth) and callback.perm is not None:
            return callback.perm
    return None
