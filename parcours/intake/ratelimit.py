"""A small fixed-window rate limit on Django's cache, for public forms (no login).

``allow(scope, key, limit=5, window=600)`` counts one hit for ``key`` (e.g. the client IP and
the school) in ``scope`` and answers whether it is still within ``limit`` hits in the current
window of ``window`` seconds. The counter starts at the first hit and expires with the window.

The count is only as shared as the cache: Django's default local-memory cache counts per worker
process, so a deployment with several gunicorn workers should configure a shared cache
(``CACHES``: database, Redis or Memcached) for the limit to hold across workers. If the cache
fails, the request is allowed (a rate limit must never take the public page down).
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

#: Public registrations: at most 5 POSTs per 10 minutes per client IP and school.
REGISTRATION_LIMIT = 5
REGISTRATION_WINDOW = 600


def _cache_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no raw IP in cache keys
    return f"ratelimit:{scope}:{digest}"


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count a hit; ``False`` once more than ``limit`` hits fell in the current window."""
    cache_key = _cache_key(scope, key)
    try:
        cache.add(cache_key, 0, timeout=window)
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=window)
            hits = 1
    except Exception:  # a broken cache must not break the public page
        logger.exception("rate limit: cache unavailable")
        return True
    return hits <= limit
