"""The funder reports: a page listing them with a period form, and one XLSX download each.

Direction only (``EXPORT_FUNDER_REPORTS``): the PLIE and FSE+ workbooks list participants by
name. Each download is audited like every export of personal data (``record_export``: who,
which report, which period, how many people) and is never cached. A bad period gets a French
message (status 400) and nothing is exported or written.

The download URL is ``rapports-financeurs/<kind>/xlsx/``: one pattern per report kind (the
kind is passed to the view), so that an unknown kind is a 404 from the URL resolver.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view
from parcours.organisations.models import Site
from parcours.outcomes.forms.rates import RatesPeriodForm
from parcours.pathways.exports import CONTENT_TYPES, Format, record_export

from .. import exports_funders, funders
from ..exports import workbook_bytes
from ..periods import Period


class FunderPeriodForm(RatesPeriodForm):
    """The rates page's period (``?annee=`` or ``?du=``/``?au=``), without the site: the
    funder reports are the whole school's."""

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, sites=Site.objects.none(), today=today, **kwargs)
        del self.fields["site"]


def _period_form(request: HttpRequest) -> FunderPeriodForm:
    return FunderPeriodForm(request.GET or None, today=timezone.localdate())


def _render_page(request: HttpRequest, form: FunderPeriodForm, status: int) -> HttpResponse:
    period = query = year = None
    if status == 200:
        start, end, year = form.period()
        period = Period(start, end)
        query = f"annee={year}" if year else f"du={start.isoformat()}&au={end.isoformat()}"
    return render(
        request,
        "reporting/funders/list.html",
        {
            "form": form,
            "reports": list(funders.REPORTS.values()),
            "period": period,
            "year": year,
            "query": query,
        },
        status=status,
    )


@school_view(Perm.EXPORT_FUNDER_REPORTS)
def funder_reports(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    return _render_page(request, form, 400 if form.is_bound and not form.is_valid() else 200)


@school_view(Perm.EXPORT_FUNDER_REPORTS)
def funder_report(request: HttpRequest, kind: str) -> HttpResponse:
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _render_page(request, form, 400)
    membership = request.membership
    start, end, _year = form.period()
    period = Period(start, end)
    report = funders.report(kind, membership.school, period)
    data = workbook_bytes(exports_funders.funder_workbook(report))
    record_export(
        membership=membership,
        action="export.funder_report",
        row_count=report.people,
        fmt=Format.XLSX,
        filters={"report": kind, "du": start.isoformat(), "au": end.isoformat()},
        ip_address=client_ip(request),
    )
    response = HttpResponse(data, content_type=CONTENT_TYPES[Format.XLSX])
    name = exports_funders.filename(kind, membership.school.slug, period)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("rapports-financeurs/", funder_reports, name="funder_reports"),
    *[
        path(
            f"rapports-financeurs/{kind}/xlsx/",
            funder_report,
            {"kind": kind},
            name="funder_report",
        )
        for kind in funders.REPORTS
    ],
]
