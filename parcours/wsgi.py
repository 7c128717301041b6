"""WSGI entry point for gunicorn: ``gunicorn parcours.wsgi``.

The garbage collector is tuned for a web worker (issue 12). A page allocates tens of thousands
of short-lived objects (template nodes' output, model instances, query parts); with Python's
default thresholds (700, 10, 10) the collector ran hundreds of times a request and took 8 to
19 % of the workers' CPU in the benchmarks. Once the application is loaded, its objects (code,
settings, URL patterns, cached templates) are moved out of the collector's sight
(``gc.freeze()``) and the collections are made rarer. ``PARCOURS_GC_THRESHOLDS`` sets them
(three numbers, ``700,10,10`` restores Python's defaults); ``parcours/gc_tuning.py`` applies
them.
"""

import os

from django.core.wsgi import get_wsgi_application

from parcours import gc_tuning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")

application = get_wsgi_application()

gc_tuning.tune(os.environ.get("PARCOURS_GC_THRESHOLDS"))
