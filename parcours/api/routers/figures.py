"""Aggregated figures: a school's key figures (``Perm.VIEW_KEY_FIGURES``) and the network's
(``Perm.VIEW_NETWORK``). Aggregates only: no person is named.

- ``GET /key-figures`` computes with ``reporting.indicators.key_figures`` — the function of
  the web page, its PDF and XLSX and ``parcours report key-figures`` — over the period the web
  form accepts (``year``, or ``date_from`` and ``date_to``; this year by default) and
  serialises like the CLI (``KeyFigures.to_json``). Funding agreements follow the web page's
  rule (the direction sees them all, a funder its own, others none). For funder tokens every
  count of people goes through the small-cell rule (``reporting.suppression.funder_view``, as
  on the web page: 1 to 4 → "< 5", a percentage computed from such a count → "s").
- ``GET /network/key-figures`` is the network page's table (``network_figures`` then
  ``suppression.network_table``: every count of people under the small-cell rule).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from parcours.organisations.access import Perm
from parcours.organisations.models import Role
from parcours.organisations.selectors import get_network, sites_for
from parcours.reporting.forms import ReportPeriodForm
from parcours.reporting.indicators import key_figures
from parcours.reporting.network import network_figures
from parcours.reporting.periods import MAX_YEAR, MIN_YEAR, Period
from parcours.reporting.suppression import (
    PublishedRate,
    PublishedRow,
    PublishedShare,
    funder_scope_refused,
    funder_view,
    network_table,
)
from parcours.reporting.views.key_figures import _visible as visible_figures
from parcours.reporting.views.network import YearForm

from ..auth import requires
from ..errors import invalid

router = Router()

#: A count of people: a number, or "< 5" where the small-cell rule hides it.
Count = int | str
#: A percentage (one decimal): a number, "s" where hidden, or null when not computable.
Pct = float | int | str | None


class PeriodOut(Schema):
    start: datetime.date
    end: datetime.date


class DefinitionOut(Schema):
    definition: str
    exits: Count
    excluded: Count
    successful_exits: Count
    success_rate_pct: Pct


class FundingOut(Schema):
    funder: str
    year: int
    purpose: str
    amount_eur: float | int
    partner_since: int


class KeyFiguresOut(Schema):
    school: str
    site_id: int | None
    period: PeriodOut
    small_cells_hidden: bool = Field(
        description="Vrai quand les effectifs de 1 à 4 personnes sont masqués (« < 5 »)."
    )
    trainees: Count
    under_26_pct: Pct
    women_pct: Pct
    minors_pct: Pct
    qpv_pct: Pct
    no_diploma_pct: Pct
    rqth_pct: Pct
    plie: Count
    funding_lines: dict[str, Count]
    prescribers: dict[str, Count]
    exits: Count
    successful_exits: Count | None
    success_rate_pct: Pct
    headline_definition: str | None
    by_definition: list[DefinitionOut]
    staff: Count
    sites: int
    rooms: int
    computer_rooms: int
    surface_m2: int
    funding: list[FundingOut]


class KeyFiguresParams(Schema):
    year: int | None = Field(
        None, ge=MIN_YEAR, le=MAX_YEAR, description="Année civile (par défaut : l'année en cours)."
    )
    date_from: datetime.date | None = Field(None, description="Ou une période : du (inclus)…")
    date_to: datetime.date | None = Field(None, description="… au (inclus).")
    site: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Un site de l'école (par défaut : tous)."
    )


_FORM_FIELDS = {"annee": "year", "du": "date_from", "au": "date_to", "site": "site"}


def _refuse(form) -> None:
    invalid(form.errors, location="query", rename=_FORM_FIELDS)


def _num(value: Decimal | float | int | None):
    if value is None or isinstance(value, str):
        return value
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


@router.get(
    "/key-figures",
    response=KeyFiguresOut,
    auth=requires(Perm.VIEW_KEY_FIGURES),
    summary="Chiffres clés de l'école",
)
def school_key_figures(request: HttpRequest, params: Query[KeyFiguresParams]) -> dict:
    """Les chiffres clés de l'école du jeton (ou d'un de ses sites) sur une année ou une
    période : les mêmes que la page « Chiffres clés » et `parcours report key-figures`."""
    membership = request.membership
    if params.year is not None and (params.date_from or params.date_to):
        invalid({"year": ["Donnez soit year, soit date_from et date_to."]}, location="query")
    data = {
        "annee": params.year,
        "du": params.date_from.isoformat() if params.date_from else None,
        "au": params.date_to.isoformat() if params.date_to else None,
        "site": params.site,
    }
    form = ReportPeriodForm(
        {k: v for k, v in data.items() if v is not None},
        sites=sites_for(membership, include_closed=True),
        today=timezone.localdate(),
    )
    if not form.is_valid():
        _refuse(form)
    site = form.report_site()
    funder = membership.role == Role.FUNDER
    if funder and (refused := funder_scope_refused(form.report_period(), site)):
        invalid({"year": [refused]}, location="query")
    figures = visible_figures(request, key_figures(membership.school, form.report_period(), site))
    out = funder_view(figures) if funder else figures.to_json()
    out.update(site_id=site.pk if site else None, small_cells_hidden=funder)
    return out


# ------------------------------------------------------------------------------ network


class RateOut(Schema):
    exits: Count
    successful_exits: Count
    success_rate_pct: Pct


class ShareOut(Schema):
    count: Count
    pct: Pct


class NetworkRowOut(Schema):
    name: str
    trainees: Count
    under_26: ShareOut
    women: ShareOut
    plie: Count
    exits: Count
    headline_definition: str | None
    headline: RateOut | None
    by_definition: dict[str, RateOut | None] = Field(
        description="Par code de définition du réseau (voir « definitions »)."
    )
    staff: Count
    sites: int
    rooms: int
    computer_rooms: int
    surface_m2: int
    funding_eur: float | int


class DefinitionRefOut(Schema):
    code: str
    name: str


class NetworkFiguresOut(Schema):
    network: str
    year: int
    period: PeriodOut
    schools: int
    sites: int
    definitions: list[DefinitionRefOut]
    per_school: list[NetworkRowOut]
    totals: NetworkRowOut


class NetworkParams(Schema):
    year: int | None = Field(
        None, ge=MIN_YEAR, le=MAX_YEAR, description="Année civile (par défaut : l'année en cours)."
    )


def _rate(rate: PublishedRate | None) -> dict | None:
    if rate is None:
        return None
    return {
        "exits": rate.counted,
        "successful_exits": rate.successful,
        "success_rate_pct": _num(rate.pct),
    }


def _share(share: PublishedShare) -> dict:
    return {"count": share.count, "pct": _num(share.pct)}


def _row(row: PublishedRow, codes: list[str]) -> dict:
    return {
        "name": row.name,
        "trainees": row.trainees,
        "under_26": _share(row.under_26),
        "women": _share(row.women),
        "plie": row.plie,
        "exits": row.exits,
        "headline_definition": row.headline_name,
        "headline": _rate(row.headline),
        "by_definition": {
            code: _rate(rate) for code, rate in zip(codes, row.by_definition, strict=True)
        },
        "staff": row.staff,
        "sites": row.sites,
        "rooms": row.rooms,
        "computer_rooms": row.computer_rooms,
        "surface_m2": row.surface_m2,
        "funding_eur": _num(row.funding_eur),
    }


@router.get(
    "/network/key-figures",
    response=NetworkFiguresOut,
    auth=requires(Perm.VIEW_NETWORK),
    summary="Chiffres clés du réseau",
)
def network_key_figures(request: HttpRequest, params: Query[NetworkParams]) -> dict:
    """Les écoles du réseau côte à côte et les totaux, sur une année : le tableau de la page
    « Chiffres clés du réseau » (effectifs de 1 à 4 personnes : « < 5 » ; pourcentages qui en
    dépendent : « s »)."""
    form = YearForm({"annee": params.year} if params.year is not None else {})
    if not form.is_valid():
        _refuse(form)
    year = form.cleaned_data["annee"] or timezone.localdate().year
    network = get_network(request.membership)
    period = Period.year(year)
    table = network_table(network_figures(network, period))
    codes = [d.code for d in table.definitions]
    return {
        "network": table.network,
        "year": year,
        "period": {"start": period.start, "end": period.end},
        "schools": table.schools,
        "sites": table.sites,
        "definitions": [{"code": d.code, "name": d.name} for d in table.definitions],
        "per_school": [_row(row, codes) for row in table.rows],
        "totals": _row(table.totals, codes),
    }
