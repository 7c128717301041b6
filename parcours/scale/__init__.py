"""Scale data for the benchmarks (issue 12): ``parcours bench generate --scale school|network``.

The names below are the contract between the generator (``parcours/scale/``) and the benchmark
harness (``bench/``): the harness finds the generated schools, users and objects through them.
Nothing here is ever created outside a benchmark database.
"""

from __future__ import annotations

#: Password of every generated account (benchmark databases only, never a real one).
BENCH_PASSWORD = "parcours-bench-2026"  # noqa: S105 — published, benchmark databases only
#: Slug of the generated network.
NETWORK_SLUG = "reseau-bench"


def school_slug(number: int) -> str:
    """Slug of the ``number``-th generated school (1-based): ``bench-01``, ``bench-02``…"""
    return f"bench-{number:02d}"


def staff_email(role: str, slug: str) -> str:
    """E-mail of the generated member of ``role`` (a ``Role`` value) of school ``slug``."""
    return f"{role}@{slug}.bench.example.org"


#: Secret mixed into every generated TOTP key (benchmark databases only).
_TOTP_SECRET = b"parcours-bench-totp-2026"


def totp_key(email: str) -> str:
    """The hex TOTP key of the generated staff account ``email`` (as django-otp stores it: 20
    bytes, 40 hex digits), derived from the e-mail so that the load test can compute codes:
    ``django_otp.oath.totp(bytes.fromhex(totp_key(email)))``. Every device is confirmed, with
    the django-otp defaults (30 s step, 6 digits, tolerance 1); a code is accepted once per
    step (``last_t``), so a client logging in twice within 30 s must use the next step."""
    import hashlib
    import hmac

    return hmac.new(_TOTP_SECRET, email.lower().encode(), hashlib.sha1).hexdigest()


def extra_staff_email(role: str, slug: str, number: int) -> str:
    """E-mail of the ``number``-th member of ``role`` of school ``slug`` (``number`` 1 is
    :func:`staff_email`; the others — extra referents — are ``referent-2@…``)."""
    if number == 1:
        return staff_email(role, slug)
    return f"{role}-{number}@{slug}.bench.example.org"


def network_email() -> str:
    """E-mail of the generated network account (role ``network``, no school, no 2FA)."""
    return staff_email("network", NETWORK_SLUG)
