"""The rates page: for a period (a calendar year, or two dates) and optionally one site, the
success rate under each definition valid then (the headline first), the destinations, and
where people were at each follow-up wave. Counts only: no personal data.

One computation (``selectors_rates.rates_table``) per request, in a constant number of
queries. A bad period gets a French message (status 400), never a 500. The XLSX export is the
same table (the same computation), one sheet per table of the page, numbers as numbers.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.organisations.selectors import sites_for
from parcours.pathways import exports

from .. import selectors_rates
from ..exports import rates_response
from ..forms.rates import RatesPeriodForm


def _rates_state(request: HttpRequest):
    """The period form, and the table with its year and site (``None`` when refused)."""
    membership = request.membership
    form = RatesPeriodForm(
        request.GET or None,
        sites=sites_for(membership, include_closed=True),
        today=timezone.localdate(),
    )
    if form.is_bound and not form.is_valid():
        return form, None, None, None
    start, end, year = form.period()
    site = form.chosen_site()
    return form, selectors_rates.rates_table(membership.school, start, end, site), year, site


def _render_rates(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    today = timezone.localdate()
    form, table, year, site = _rates_state(request)
    return render(
        request,
        "outcomes/rates/rates.html",
        {
            "form": form,
            "table": table,
            "year": year,
            "previous_year": year - 1 if year and year > 2000 else None,
            "next_year": year + 1 if year and year <= today.year else None,
            "site": site,
            "may_manage": has_perm(membership, Perm.MANAGE_OUTCOMES),
            "export_error": export_error,
        },
        status=400 if table is None or export_error else 200,
    )


@school_view(Perm.VIEW_OUTCOMES)
def rates(request: HttpRequest) -> HttpResponse:
    return _render_rates(request)


@school_view(Perm.VIEW_OUTCOMES)
def rates_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt != exports.Format.XLSX:
        return _render_rates(
            request,
            export_error=_("Format d'export inconnu : ce rapport s'exporte en XLSX."),
        )
    _form, table, _year, site = _rates_state(request)
    if table is None:
        return _render_rates(
            request,
            export_error=_("Corrigez la période avant d'exporter : rien n'a été exporté."),
        )
    membership = request.membership
    filters = {"start": table.start.isoformat(), "end": table.end.isoformat()}
    if site is not None:
        filters["site"] = site.pk
    response, count = rates_response(
        table,
        site,
        exports.export_filename(
            f"resultats-sorties-{membership.school.slug}-{table.start:%Y%m%d}-{table.end:%Y%m%d}",
            fmt,
        ),
    )
    exports.record_export(
        membership=membership,
        action="export.rates",
        row_count=count,
        fmt=fmt,
        filters=filters,
        ip_address=client_ip(request),
    )
    return response


urlpatterns = [
    path("resultats-des-sorties/", rates, name="rates"),
    path("resultats-des-sorties/export/", rates_export, name="rates_export"),
]
