"""Project-level views: the entry redirect and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the home of the school they act for (or the network page)."""
    membership = request.membership
    if membership is None:
        return render(request, "no_membership.html", status=403)
    if membership.school_id is None:
        return redirect("network_home")
    return redirect("organisations:home", school_slug=membership.school.slug)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database state, for a load balancer or a monitoring probe."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own (for a PDF or a download too): the SVG icon."""
    from django.templatetags.static import static

    return redirect(static("parcours/favicon.svg"))
