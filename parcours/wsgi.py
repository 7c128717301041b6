"""WSGI entry point for gunicorn: ``gunicorn parcours.wsgi``.

The garbage collector is tuned for a web worker (issue 12). A page allocates tens of thousands
of short-lived objects (template nodes' output, model instances, query parts); with Python's
default thresholds (700, 10, 10) the collector ran hundreds of times a request and took 8 to
19 % of the workers' CPU in the benchmarks. Once the application is loaded, its objects (code,
settings, URL patterns, cached templates) are moved out of the collector's sight
(``gc.freeze()``) and the collections are made rarer. ``PARCOURS_GC_THRESHOLDS`` sets them
(three numbers, ``700,10,10`` restores Python's defaults).
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")

application = get_wsgi_application()

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


gc.collect()
gc.freeze()
gc.set_threshold(*gc_thresholds(os.environ.get("PARCOURS_GC_THRESHOLDS")))
