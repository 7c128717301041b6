"""``parcours.wsgi`` serving ``bench.urls`` (the project's URLs plus ``bench/floor/``, the
framework floor): the application ``bench/load.py --floor`` loads, to measure what the same
load test gives on the cheapest authenticated Django page of this machine."""

from __future__ import annotations

from django.conf import settings

from parcours.wsgi import application

# Before the first request: the URL resolver is built from the setting on first use.
settings.ROOT_URLCONF = "bench.urls"

__all__ = ["application"]
