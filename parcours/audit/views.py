"""The director's audit trail: a read-only, filterable list of the school's events and its
XLSX export (itself audited). Nothing here writes an event except the export's own, and no
URL edits or deletes one.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _

from parcours.organisations.access import Perm, school_view
from parcours.pathways import exports

from . import selectors
from .forms import TrailFilterForm
from .labels import action_label
from .models import AuditEvent

app_name = "audit"

PER_PAGE = 50

#: Where a record of each type is shown (URL name, taking the school slug and the id).
RECORD_URLS: dict[str, str] = {
    "pathways.enrolment": "pathways:trainee",
    "intake.referral": "intake:referral",
    "intake.infosession": "intake:session",
    "companies.company": "companies:company",
    "companies.internship": "companies:internship",
    "schedule.session": "schedule:session",
    "organisations.site": "organisations:site",
    "organisations.room": "organisations:room",
}


def record_url(event: AuditEvent, school_slug: str) -> str:
    """The page of the event's record, when there is one (else its trainee's page)."""
    name = RECORD_URLS.get(event.object_type)
    pk = event.object_id
    if name is None:
        enrolment = event.changes.get("enrolment") if isinstance(event.changes, dict) else None
        if not isinstance(enrolment, int | str) or not str(enrolment).isdigit():
            return ""
        name, pk = "pathways:trainee", str(enrolment)
    if not pk.isdigit():
        return ""
    try:
        return reverse(name, args=[school_slug, int(pk)])
    except NoReverseMatch:
        return ""


def author_name(event: AuditEvent) -> str:
    if event.actor is None:
        return _("Système")
    return event.actor.get_full_name() or event.actor.email


def _rows(events, school_slug: str) -> list[dict]:
    return [
        {
            "event": event,
            "author": author_name(event),
            "label": action_label(event.action),
            "url": record_url(event, school_slug),
            "details": selectors.changes_items(event.changes),
        }
        for event in events
    ]


def _form(request: HttpRequest) -> TrailFilterForm:
    form = TrailFilterForm(request.GET or None, membership=request.membership)
    if request.GET:
        form.is_valid()
    return form


def _render(request: HttpRequest, form: TrailFilterForm, *, export_error: str = ""):
    membership = request.membership
    refused = form.is_bound and (bool(form.errors) or bool(export_error))
    page = None
    rows: list[dict] = []
    if not (form.is_bound and form.errors):
        filters = form.filters() if form.is_bound else selectors.TrailFilters()
        events = selectors.trail(membership, filters)
        page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
        rows = _rows(page.object_list, membership.school.slug)
    filtering = any(v for k, v in request.GET.items() if k != "page")
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtering": filtering,
            "export_error": export_error,
            "query": request.GET.urlencode(),
        },
        status=400 if refused or export_error else 200,
    )


@school_view(Perm.VIEW_AUDIT_TRAIL)
def trail(request: HttpRequest) -> HttpResponse:
    return _render(request, _form(request))


EXPORT_HEADERS = (
    "Date",
    "Auteur",
    "Action",
    "Code de l'action",
    "Type d'objet",
    "N°",
    "Objet",
    "Adresse IP",
    "Détails",
)


@school_view(Perm.VIEW_AUDIT_TRAIL)
def trail_export(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if form.is_bound and form.errors:
        return _render(request, form, export_error=exports.BAD_FILTERS)
    membership = request.membership
    filters = form.filters() if form.is_bound else selectors.TrailFilters()
    events = selectors.trail(membership, filters)
    rows = (
        (
            event.created_at,
            author_name(event),
            action_label(event.action),
            event.action,
            selectors.object_type_label(event.object_type) if event.object_type else "",
            event.object_id,
            event.object_repr,
            event.ip_address or "",
            "; ".join(
                f"{key} : {value}" if key else value
                for key, value in selectors.changes_items(event.changes)
            ),
        )
        for event in events.iterator(chunk_size=500)
    )
    # XLSX only (no ``?format=``). ``download`` audits with the request's address, which is
    # also what ``record_event`` falls back to without one.
    return exports.download(
        request,
        fmt=exports.Format.XLSX,
        headers=EXPORT_HEADERS,
        rows=rows,
        stem="journal-audit",
        sheet_title=_("Journal d'audit"),
        action="audit.export",
        filters=form.as_audit_filters() if form.is_bound else {},
    )


urlpatterns = [
    path("journal/", trail, name="trail"),
    path("journal/export/", trail_export, name="trail_export"),
]
