"""Pathway views: the trainee list (search, filters, sorting) and its XLSX/CSV export.

The export writes exactly the list's visible columns for every row matching the same search,
filters and sort (all pages), and audits it. No restricted field, contact detail or situation
at entry is ever exported.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.organisations.access import Perm, school_view
from parcours.organisations.models import Role

from .. import exports, selectors, selectors_lists
from ..forms.trainees import TraineeFilterForm
from ..models import Enrolment

PER_PAGE = 50
#: ``?vue=`` values: the referent's own caseload or every trainee of the school.
MINE, EVERYONE = "mes", "tous"
#: Sortable columns, in the order of the table: (sort key, header).
SORTABLE = ("nom", "entree", "fin", "referent")


def _mine(request: HttpRequest) -> bool:
    """A referent sees their own caseload unless they ask for all trainees; others see all."""
    view = request.GET.get("vue")
    if view in (MINE, EVERYONE):
        return view == MINE
    return request.membership.role == Role.REFERENT


def _list_state(request: HttpRequest) -> tuple[TraineeFilterForm, str, QuerySet[Enrolment]]:
    membership = request.membership
    form = TraineeFilterForm(request.GET, membership=membership, mine=_mine(request))
    sort = selectors_lists.sort_key(request.GET.get("tri"))
    enrolments = selectors_lists.sorted_by(
        form.apply(selectors_lists.trainee_list(membership)), sort
    )
    return form, sort, enrolments


def _sort_links(sort: str) -> dict[str, dict[str, Any]]:
    links = {}
    for key in SORTABLE:
        if sort == key:
            links[key] = {"next": f"-{key}", "aria": "ascending"}
        elif sort == f"-{key}":
            links[key] = {"next": key, "aria": "descending"}
        else:
            links[key] = {"next": key, "aria": ""}
    return links


def _render_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    form, sort, enrolments = _list_state(request)
    page = Paginator(enrolments, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = list(page.object_list)
    for enrolment in rows:
        enrolment.overdue = selectors.is_overdue(enrolment, today)
    refused = bool(form.errors) or bool(export_error)
    return render(
        request,
        "pathways/trainees/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "mine": form.mine,
            "show_toggle": request.membership.role == Role.REFERENT or form.mine,
            "sort": sort,
            "sort_links": _sort_links(sort),
            "filtering": form.is_filtering,
            "export_error": export_error,
        },
        status=400 if refused else 200,
    )


@school_view(Perm.VIEW_TRAINEES)
def trainee_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


#: The export's columns: exactly what the list shows (the name split in two).
EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Site"),
    gettext_lazy("Référent·e"),
    gettext_lazy("Date d'entrée"),
    gettext_lazy("Fin prévue"),
    gettext_lazy("Phase en cours"),
    gettext_lazy("Dispositifs"),
    gettext_lazy("Statut"),
    gettext_lazy("En retard"),
)


def _export_row(enrolment: Enrolment, today) -> tuple:
    referent = enrolment.referent
    return (
        enrolment.person.last_name,
        enrolment.person.first_name,
        enrolment.site.name,
        (referent.user.get_full_name() or referent.user.email) if referent else "",
        enrolment.entry_date,
        enrolment.planned_end_date,
        enrolment.current_phase_name or "",
        ", ".join(line.name for line in enrolment.funding),
        enrolment.get_status_display(),
        selectors.is_overdue(enrolment, today),
    )


@school_view(Perm.VIEW_TRAINEES)
def trainee_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_list(request, export_error=exports.UNKNOWN_FORMAT)
    form, sort, enrolments = _list_state(request)
    if form.errors:
        return _render_list(request, export_error=exports.BAD_FILTERS)
    today = timezone.localdate()
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=(_export_row(e, today) for e in enrolments.iterator(chunk_size=500)),
        stem="stagiaires",
        sheet_title=_("Stagiaires"),
        action="export.trainees",
        filters={**form.audit_filters(), "sort": sort},
        day=today,
    )


urlpatterns = [
    path("stagiaires/", trainee_list, name="trainees"),
    path("stagiaires/export/", trainee_export, name="trainees_export"),
]
