"""The network's key figures (network accounts only): every school side by side and the
network's totals for a year, with no personal data — aggregates only, every count of people
under the small-cell rule (``reporting.suppression``). Downloadable as XLSX.

The year comes from ``?annee=`` (the current year by default); a bad year gets a French
message and status 400. Queries: ``network_figures`` runs ``key_figures`` per school (a
constant number each), so the count grows with the schools, never with their trainees.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.access import network_view
from parcours.organisations.selectors import get_network

from ..exports import workbook_bytes
from ..exports_network import network_workbook
from ..network import network_figures
from ..periods import MAX_YEAR, MIN_YEAR, Period
from ..suppression import HIDDEN_PCT, SUPPRESSED, THRESHOLD, network_table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class YearForm(forms.Form):
    annee = forms.IntegerField(
        label=_("Année"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("Indiquez une année en chiffres, par exemple 2018.")},
    )


def _year(request: HttpRequest) -> tuple[YearForm, int | None]:
    """The form and the chosen year (None when the input is invalid)."""
    form = YearForm(request.GET or None)
    if not form.is_bound:
        return form, timezone.localdate().year
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["annee"] or timezone.localdate().year


@network_view
def key_figures(request: HttpRequest) -> HttpResponse:
    network = get_network(request.membership)
    form, year = _year(request)
    if year is None:
        context = {"network": network, "form": form, "table": None}
        return render(request, "reporting/network/key_figures.html", context, status=400)
    table = network_table(network_figures(network, Period.year(year)))
    this_year = timezone.localdate().year
    return render(
        request,
        "reporting/network/key_figures.html",
        {
            "network": network,
            "form": form,
            "table": table,
            "year": year,
            "previous_year": year - 1 if year > MIN_YEAR else None,
            "next_year": year + 1 if year < min(this_year, MAX_YEAR) else None,
            "suppressed": SUPPRESSED,
            "hidden_pct": HIDDEN_PCT,
            "threshold": THRESHOLD,
        },
    )


@network_view
def key_figures_xlsx(request: HttpRequest) -> HttpResponse:
    network = get_network(request.membership)
    form, year = _year(request)
    if year is None:
        context = {"network": network, "form": form, "table": None}
        return render(request, "reporting/network/key_figures.html", context, status=400)
    book = network_workbook(network_figures(network, Period.year(year)))
    response = HttpResponse(workbook_bytes(book), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="chiffres-cles-{network.slug}-{year}.xlsx"'
    )
    return response


urlpatterns = [
    path("chiffres-cles/", key_figures, name="key_figures"),
    path("chiffres-cles/xlsx/", key_figures_xlsx, name="key_figures_xlsx"),
]
