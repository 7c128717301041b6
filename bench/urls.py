"""The project's URLs plus the framework floor: ``bench/floor/``, the cheapest authenticated
Django page (the whole middleware stack, a login check, a tiny template rendered with the
request's context processors). The harness measures it next to the real pages and prints
each page's ratio to it. Used through ``override_settings(ROOT_URLCONF="bench.urls")``, and by
``bench/floor_wsgi.py`` for the load test's floor run (``bench/load.py --floor``): never by
the product's own settings.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from parcours.urls import urlpatterns as project_urlpatterns

FLOOR_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Plancher</title></head>'
    "<body><main><h1>Bonjour {{ request.user.get_short_name|default:request.user.email }}"
    "</h1></main></body></html>"
)


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR_TEMPLATE.render({}, request))


urlpatterns = [*project_urlpatterns, path("bench/floor/", floor, name="bench_floor")]
