"""The rates page: for a period (a calendar year, or two dates) and optionally one site, the
success rate under each definition valid then (the headline first), the destinations, and
where people were at each follow-up wave. Counts only: no personal data.

One computation (``selectors_rates.rates_table``) per request, in a constant number of
queries. A bad period gets a French message (status 400), never a 500.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm, school_view
from parcours.organisations.selectors import sites_for

from .. import selectors_rates
from ..forms.rates import RatesPeriodForm


@school_view(Perm.VIEW_OUTCOMES)
def rates(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    today = timezone.localdate()
    form = RatesPeriodForm(
        request.GET or None, sites=sites_for(membership, include_closed=True), today=today
    )
    table = year = site = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        start, end, year = form.period()
        site = form.chosen_site()
        table = selectors_rates.rates_table(membership.school, start, end, site)
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
        },
        status=status,
    )


urlpatterns = [
    path("resultats-des-sorties/", rates, name="rates"),
]
