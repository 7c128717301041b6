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
