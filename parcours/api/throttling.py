"""Rate limits of the API, read from the settings at each request (tests may lower them):

- ``PARCOURS_API_RATE`` (default ``600/min``): requests per account, whatever token it uses
  (creating more tokens does not raise the limit);
- ``PARCOURS_API_ANON_RATE`` (default ``60/min``): failed authentications per client address
  (no token, an unknown, revoked or expired one) — beyond it, failures answer 429; a valid
  token is never refused for its address.

Both count in the Django cache. Beyond a limit the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from ninja.errors import Throttled
from ninja.throttling import SimpleRateThrottle

from parcours.audit.services import client_ip


def _parse(rate: str | None) -> tuple[int, int] | None:
    if not rate:
        return None
    count, duration = SimpleRateThrottle.parse_rate(SimpleRateThrottle, rate)  # type: ignore[arg-type]
    return count, duration  # type: ignore[return-value]


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per account (sliding window, ninja's algorithm), rate from the settings."""

    scope = "api_token"

    def __init__(self) -> None:  # the rate is read at each request, not at import
        self.rate = None

    def allow_request(self, request) -> bool:
        parsed = _parse(getattr(settings, "PARCOURS_API_RATE", "600/min"))
        if parsed is None:
            return True
        self.num_requests, self.duration = parsed
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        token = getattr(request, "auth", None)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.membership.user_id}


def _failure_key(request) -> str:
    return f"api_auth_failures:{client_ip(request) or '-'}"


def check_failures(request) -> None:
    """Refuse (429) an address that failed to authenticate too often in the current window."""
    parsed = _parse(getattr(settings, "PARCOURS_API_ANON_RATE", "60/min"))
    if parsed is None:
        return
    limit, duration = parsed
    state = cache.get(_failure_key(request))
    if state and state[0] >= limit:
        raise Throttled(wait=max(1, int(state[1] + duration - time.time())))


def count_failure(request) -> None:
    parsed = _parse(getattr(settings, "PARCOURS_API_ANON_RATE", "60/min"))
    if parsed is None:
        return
    _, duration = parsed
    key = _failure_key(request)
    count, started = cache.get(key) or (0, time.time())
    cache.set(key, (count + 1, started), max(1, int(started + duration - time.time())))
