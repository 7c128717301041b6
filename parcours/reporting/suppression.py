"""Small-cell suppression: what funder and network accounts may see of a count of people.

The rule (issue 9): in any breakdown shown to a funder or network account, a cell counting
**fewer than 5 people** is shown as ``"< 5"``, and a percentage computed from it is hidden too.

Decisions, applied everywhere through the functions below:

- ``0`` stays ``0`` (an empty cell reveals no one); 1 to 4 become ``"< 5"``; 5 and more are
  shown as they are. ``None`` (not computable) stays ``None``.
- A percentage is hidden (``"s"``, *secret statistique*) when its numerator **or** its
  denominator counts 1 to 4 people: 2 successes out of 40 exits, or 3 successes out of 4.
- Counts that are not people (rooms, surface, euros, schools, sites) are never suppressed.
  Staff headcounts are people and follow the rule.
- The rule applies to the network's totals as well (a network total under 5 is ``"< 5"``).
- The complement of a shown percentage is *not* suppressed (97 % of 150 trainees under 26
  implies about 4 over 26): the rule is the cell rule of the issue, nothing more.

The school's own staff see exact figures on their pages; the CLI's JSON (run on the server by
an administrator) prints exact figures too. The network's view and its spreadsheet go through
:func:`network_table`; a funder's view of the school's key figures (web page, PDF, XLSX and
``GET /api/v1/key-figures``) goes through :func:`funder_view`, so the rule is applied in one
place for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _lazy

from parcours.outcomes.rules import Rate, whole_percentage

from .indicators import KeyFigures
from .network import NetworkFigures

THRESHOLD = 5
SUPPRESSED = "< 5"
HIDDEN_PCT = "s"

Count = int | str | None  # an int, or SUPPRESSED
Pct = Decimal | str | None  # a percentage, or HIDDEN_PCT


def is_small(count: int | None) -> bool:
    """True for 1 to 4 people: the counts that are not shown."""
    return count is not None and 0 < count < THRESHOLD


def suppress(count: int | None) -> Count:
    """``count`` as funder and network accounts may see it: ``"< 5"`` for 1 to 4 people."""
    return SUPPRESSED if is_small(count) else count


def suppress_pct(pct: Decimal | int | None, *counts: int | None) -> Pct:
    """``pct`` hidden (``"s"``) when any of the ``counts`` it is computed from is small."""
    if pct is None:
        return None
    if any(is_small(count) for count in counts):
        return HIDDEN_PCT
    return pct


#: Why a funder's figures cover a whole calendar year of the whole school: two overlapping
#: periods (1 Jan–30 Jun, 1 Jan–1 Jul) or a site against the school would tell, by difference,
#: the profile of the one or two people the small-cell rule hides.
FUNDER_SCOPE_MESSAGE = _lazy(
    "Un financeur consulte les chiffres d'une année civile entière, pour toute l'école "
    "(une autre période ou un seul site permettrait de retrouver, par différence, des "
    "effectifs masqués)."
)


def funder_scope_refused(period, site) -> str | None:
    """The French message when a funder asks for another scope than a calendar year of the
    whole school; ``None`` when the scope is allowed."""
    if site is not None or not period.is_calendar_year:
        return str(FUNDER_SCOPE_MESSAGE)
    return None


def funder_view(figures: KeyFigures) -> dict[str, Any]:
    """``figures.to_json()`` as a funder may see it: every count of people under the rule
    (1 to 4 → ``"< 5"``), every percentage computed from such a count hidden (``"s"``).
    Counts that are not people (sites, rooms, surface) and the funding amounts stay."""
    data = figures.to_json()
    trainees = figures.trainees
    for name in ("under_26", "women", "minors", "qpv", "no_diploma", "rqth"):
        share = getattr(figures, name)
        data[f"{name}_pct"] = suppress_pct(data[f"{name}_pct"], share.count, trainees)
    data["trainees"] = suppress(trainees)
    for key in ("plie", "exits", "staff"):
        data[key] = suppress(data[key])
    data["funding_lines"] = {k: suppress(v) for k, v in data["funding_lines"].items()}
    data["prescribers"] = {k: suppress(v) for k, v in data["prescribers"].items()}
    headline = figures.headline
    if headline is not None:
        counted, successful = headline.rate.counted, headline.rate.successful
        data["success_rate_pct"] = suppress_pct(data["success_rate_pct"], counted, successful)
        data["successful_exits"] = suppress(successful)
    for row in data["by_definition"]:
        row["success_rate_pct"] = suppress_pct(
            row["success_rate_pct"], row["exits"], row["successful_exits"]
        )
        for key in ("exits", "excluded", "successful_exits"):
            row[key] = suppress(row[key])
    return data


@dataclass(frozen=True)
class PublishedRate:
    """A success rate as the network sees it: counted exits, successes, percentage (one
    decimal) and the whole percentage shown on screen, each possibly suppressed."""

    counted: Count
    successful: Count
    pct: Pct
    rounded: Pct


def publish_rate(counted: int, successful: int, pct: Decimal | None) -> PublishedRate:
    rounded = whole_percentage(successful, counted)
    return PublishedRate(
        counted=suppress(counted),
        successful=suppress(successful),
        pct=suppress_pct(pct, counted, successful),
        rounded=suppress_pct(rounded, counted, successful),
    )


def _from_rate(rate: Rate | None) -> PublishedRate | None:
    if rate is None:
        return None
    return publish_rate(rate.counted, rate.successful, rate.rate)


@dataclass(frozen=True)
class PublishedShare:
    count: Count
    pct: Pct
    rounded: Pct


def publish_share(count: int, whole: int, pct: Decimal | None) -> PublishedShare:
    return PublishedShare(
        count=suppress(count),
        pct=suppress_pct(pct, count, whole),
        rounded=suppress_pct(whole_percentage(count, whole), count, whole),
    )


@dataclass(frozen=True)
class PublishedRow:
    """One school of the network (or the network's totals), every count of people
    suppressed. ``by_definition`` follows :attr:`PublishedNetwork.definitions`."""

    name: str
    trainees: Count
    under_26: PublishedShare
    women: PublishedShare
    plie: Count
    exits: Count
    headline_name: str | None
    headline: PublishedRate | None
    by_definition: list[PublishedRate | None]
    staff: Count
    sites: int
    rooms: int
    computer_rooms: int
    surface_m2: int
    funding_eur: Decimal


@dataclass(frozen=True)
class PublishedDefinition:
    code: str
    name: str


@dataclass(frozen=True)
class PublishedNetwork:
    network: str
    period_label: str
    schools: int
    sites: int
    definitions: list[PublishedDefinition]
    rows: list[PublishedRow]
    totals: PublishedRow

    @property
    def definition_totals(self) -> list[tuple[PublishedDefinition, PublishedRate | None]]:
        """Each network definition with the network's rate under it."""
        return list(zip(self.definitions, self.totals.by_definition, strict=True))


def network_table(figures: NetworkFigures) -> PublishedNetwork:
    """The network's figures side by side, as network accounts may see them: the schools'
    key figures and the network's totals, every count of people under the small-cell rule.
    Nothing is computed here but the suppression (and whole percentages for the screen)."""
    definitions = [PublishedDefinition(row.code, row.name) for row in figures.by_definition]
    rows = []
    for school in figures.per_school:
        by_code = {
            row.definition.code: row.rate
            for row in school.outcomes.definitions
            if row.definition.is_network
        }
        headline = school.headline
        rows.append(
            PublishedRow(
                name=school.school_name,
                trainees=suppress(school.trainees),
                under_26=publish_share(school.under_26.count, school.trainees, school.under_26.pct),
                women=publish_share(school.women.count, school.trainees, school.women.pct),
                plie=suppress(school.plie),
                exits=suppress(school.exits),
                headline_name=headline.definition.name if headline is not None else None,
                headline=_from_rate(headline.rate) if headline is not None else None,
                by_definition=[_from_rate(by_code.get(d.code)) for d in definitions],
                staff=suppress(school.staff),
                sites=school.sites,
                rooms=school.rooms,
                computer_rooms=school.computer_rooms,
                surface_m2=school.surface_m2,
                funding_eur=school.funding_total_eur,
            )
        )
    totals = figures.totals
    trainees = totals["trainees"]
    under_26, under_26_pct = figures.shares["under_26"]
    women, women_pct = figures.shares["women"]
    total_row = PublishedRow(
        name=figures.network,
        trainees=suppress(trainees),
        under_26=publish_share(under_26, trainees, under_26_pct),
        women=publish_share(women, trainees, women_pct),
        plie=suppress(totals["plie"]),
        exits=suppress(totals["exits"]),
        headline_name=None,  # each school's headline differs: no network headline
        headline=None,
        by_definition=[
            publish_rate(row.counted, row.successful, row.rate) for row in figures.by_definition
        ],
        staff=suppress(totals["staff"]),
        sites=figures.sites,
        rooms=totals["rooms"],
        computer_rooms=totals["computer_rooms"],
        surface_m2=totals["surface_m2"],
        funding_eur=figures.funding_eur,
    )
    return PublishedNetwork(
        network=figures.network,
        period_label=figures.period.label,
        schools=figures.schools,
        sites=figures.sites,
        definitions=definitions,
        rows=rows,
        totals=total_row,
    )
