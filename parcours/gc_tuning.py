"""The garbage collector's settings of a web worker (applied by ``parcours/wsgi.py``).

Kept apart from ``wsgi.py`` so that reading them (the tests) does not change the collector of
the process that imports them.
"""

from __future__ import annotations

import gc

DEFAULT_GC_THRESHOLDS = (50_000, 20, 50)


DEFAULT_GC_THRESHOLDS = (50_000, 20, 50)


def gc_thresholds(value: str | None) -> tuple[int, int, int]:
    """The collector's thresholds from ``PARCOURS_GC_THRESHOLDS`` (the default if unset)."""
    if not value:
        return DEFAULT_GC_THRESHOLDS
    try:
        parts = [int(part) for part in value.replace(" ", "").split(",")]
    except ValueError:
        parts = []
    if len(parts) != 3 or any(part < 1 for part in parts):
        raise ValueError(
            "PARCOURS_GC_THRESHOLDS : trois nombres entiers positifs séparés par des virgules "
            f"(par exemple 50000,20,50), reçu {value!r}."
        )
    return parts[0], parts[1], parts[2]


def tune(value: str | None) -> None:
    """Move the loaded application's objects out of the collector's sight and make its passes
    rarer (``value``: ``PARCOURS_GC_THRESHOLDS``)."""
    thresholds = gc_thresholds(value)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
