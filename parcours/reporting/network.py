"""The network's figures for a period: schools and sites active, and the schools' key figures
side by side with their sums. Aggregates only: no person is named anywhere.

Totals are sums of the schools' counts (a person enrolled in two schools counts in each);
national percentages are recomputed from the summed counts, never averaged. The success rate
of the network is given per *network* definition (each school's headline may differ).

Queries: two, plus :func:`key_figures_of_schools`'s constant number (whatever the number of
schools: each figure is read for all the schools at once, grouped by school).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parcours.organisations.models import Network, School, Site
from parcours.outcomes.rules import percentage

from .indicators import KeyFigures, _num, key_figures_of_schools
from .periods import Period

#: Counts summed across schools (attributes of KeyFigures).
SUMMED = ("trainees", "plie", "exits", "staff", "rooms", "computer_rooms", "surface_m2")
SHARES = ("under_26", "minors", "women", "qpv", "no_diploma", "rqth")


@dataclass(frozen=True)
class DefinitionTotal:
    code: str
    name: str
    counted: int
    excluded: int
    successful: int
    rate: Decimal | None


@dataclass(frozen=True)
class NetworkFigures:
    network: str
    period: Period
    schools: int
    sites: int
    per_school: list[KeyFigures]
    totals: dict[str, int]
    shares: dict[str, tuple[int, Decimal | None]]
    funding_eur: Decimal
    by_definition: list[DefinitionTotal]

    def to_json(self) -> dict[str, Any]:
        """The figures as the CLI prints them (``parcours report network``)."""
        return {
            "network": self.network,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "schools": self.schools,
            "sites": self.sites,
            **self.totals,
            **{f"{name}_pct": _num(pct) for name, (_count, pct) in self.shares.items()},
            "funding_eur": _num(self.funding_eur),
            "by_definition": [
                {
                    "definition": row.name,
                    "exits": row.counted,
                    "excluded": row.excluded,
                    "successful_exits": row.successful,
                    "success_rate_pct": _num(row.rate),
                }
                for row in self.by_definition
            ],
        }


def network_figures(network: Network, period: Period) -> NetworkFigures:
    active = School.objects.filter(network=network).active_during(period.start, period.end)
    schools = list(active.order_by("name"))
    # A site counts only with its school: a closed school whose site was never closed in the
    # records (or a school not open yet with an undated site) has no site active.
    sites = Site.objects.filter(school__in=active).active_during(period.start, period.end).count()
    per_school = key_figures_of_schools(schools, period)
    totals = {name: sum(getattr(k, name) for k in per_school) for name in SUMMED}
    trainees = totals["trainees"]
    shares = {}
    for name in SHARES:
        count = sum(getattr(k, name).count for k in per_school)
        shares[name] = (count, percentage(count, trainees))
    by_code: dict[str, list] = defaultdict(list)
    names: dict[str, str] = {}
    for figures in per_school:
        for row in figures.outcomes.definitions:
            if row.definition.is_network:
                by_code[row.definition.code].append(row.rate)
                names[row.definition.code] = row.definition.name
    by_definition = []
    for code, rates in by_code.items():
        counted = sum(r.counted for r in rates)
        successful = sum(r.successful for r in rates)
        by_definition.append(
            DefinitionTotal(
                code=code,
                name=names[code],
                counted=counted,
                excluded=sum(r.excluded for r in rates),
                successful=successful,
                rate=percentage(successful, counted),
            )
        )
    by_definition.sort(key=lambda row: row.name)
    return NetworkFigures(
        network=network.name,
        period=period,
        schools=len(schools),
        sites=sites,
        per_school=per_school,
        totals=totals,
        shares=shares,
        funding_eur=sum((k.funding_total_eur for k in per_school), Decimal(0)),
        by_definition=by_definition,
    )
