"""Progress: the school's competency home with the distribution of levels in a group.

The trainee's own chart (levels at entry and now) is drawn on the trainee page by the
``{% progress_chart enrolment %}`` tag (``templatetags/competency_tags.py``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import exports

from .. import charts
from ..forms.progress import DistributionFilterForm
from ..selectors_progress import DistributionRow, level_distribution


def _state(request: HttpRequest) -> tuple[DistributionFilterForm, dict[str, Any], dict]:
    """The filter form, its valid filters and the distribution they give (page and export)."""
    membership = request.membership
    data = request.GET.copy()
    data.pop("format", None)
    form = DistributionFilterForm(data or None, membership=membership)
    filters = form.filters()
    return form, filters, level_distribution(membership, **filters)


def _render(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    form, filters, distribution = _state(request)
    rows = distribution["rows"]
    svg = ""
    if rows and distribution["counted"]:
        # The builder escapes every text it writes: its output is safe markup.
        svg = mark_safe(  # noqa: S308
            charts.distribution_chart_svg(
                [
                    (
                        row.competency.code,
                        row.competency.title,
                        [cell.count for cell in row.levels],
                        row.not_assessed.count,
                    )
                    for row in rows
                ],
                distribution["scale"],
            )
        )
    school = membership.school
    return render(
        request,
        "competencies/progress/overview.html",
        {
            **distribution,
            "form": form,
            "filtering": form.is_filtering,
            "as_of": filters.get("as_of"),
            "svg": svg,
            "frameworks_url": reverse("competencies:frameworks", args=[school.slug]),
            "can_assess": has_perm(membership, Perm.ASSESS),
            "export_error": export_error,
        },
        status=400 if form.errors or export_error else 200,
    )


@school_view(Perm.VIEW_TRAINEES)
def overview(request: HttpRequest) -> HttpResponse:
    return _render(request)


def _export_headers(scale: list[tuple[int, str]]) -> list[str]:
    headers = [_("Domaine"), _("Code"), _("Compétence")]
    for value, label in scale:
        level = f"{value} — {label}"
        headers += [
            _("%(level)s : nombre") % {"level": level},
            _("%(level)s : %%") % {"level": level},
        ]
    headers += [_("Non évalué : nombre"), _("Non évalué : %"), _("Stagiaires comptés")]
    return headers


def _export_row(row: DistributionRow, counted: int) -> list:
    competency = row.competency
    cells: list = [competency.area.title, competency.code, competency.title]
    for cell in row.levels:
        cells += [cell.count, cell.percent]
    cells += [row.not_assessed.count, row.not_assessed.percent, counted]
    return cells


def _audit_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as ids and ISO dates (no names) for the audit trail."""
    audited: dict[str, Any] = {}
    for key, value in filters.items():
        if hasattr(value, "pk"):
            audited[key] = value.pk
        elif hasattr(value, "isoformat"):
            audited[key] = value.isoformat()
        else:
            audited[key] = value
    return audited


@school_view(Perm.VIEW_TRAINEES)
def overview_export(request: HttpRequest) -> HttpResponse:
    """The distribution of current levels by competency, as the page shows it (same group)."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render(request, export_error=exports.UNKNOWN_FORMAT)
    form, filters, distribution = _state(request)
    if form.errors:
        return _render(request, export_error=exports.BAD_FILTERS)
    counted = distribution["counted"]
    # The page shows the table only when some trainee is counted.
    rows = distribution["rows"] if counted else []
    return exports.download(
        request,
        fmt=fmt,
        headers=_export_headers(distribution["scale"]),
        rows=(_export_row(row, counted) for row in rows),
        stem="competences",
        sheet_title=_("Compétences"),
        action="export.competency_progress",
        filters=_audit_filters(filters),
    )


urlpatterns = [
    path("competences/", overview, name="overview"),
    path("competences/export/", overview_export, name="overview_export"),
]
