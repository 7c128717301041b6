"""Reads of the outcome pages: the rates of a period and the definitions.

:func:`rates_table` is the one computation behind the rates page (and ``reporting``): the
success rate of each definition valid during the period (``rules.rate_of_shapes``: the rules of
``rules.success_rate`` applied to the people counted by the shape of their latest exit; the
headline first), the destinations of the people who exited, and the follow-up waves
(``rules.wave_rate``). It returns plain data — no personal data, only counts — in a constant
number of queries.

The definitions' pages read through :func:`get_definition`, :func:`definition_versions` and
:func:`headline_choices`, scoped to the school; :func:`definition_summary` says a
definition's rules in French.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from parcours.organisations.models import Membership, School, Site

from . import selectors
from .destinations import (
    GROUP_OF,
    GROUPS,
    LENGTH_ALLOWED,
    OPEN_ENDED,
    Destination,
    DestinationGroup,
)
from .models import FollowUpWave, HeadlineDefinition, OutcomeDefinition
from .rules import (
    DefinitionSpec,
    ExitFacts,
    Rate,
    Rule,
    Shape,
    WaveRate,
    percentage,
    rate_of_shapes,
    wave_rate_of_counts,
)

# ------------------------------------------------------------------------------ definitions


def available_definitions(membership: Membership) -> QuerySet[OutcomeDefinition]:
    """Every version of the definitions the school may use: the network's and its own."""
    return OutcomeDefinition.objects.filter(
        Q(school__isnull=True) | Q(school=membership.school)
    ).select_related("created_by")


def get_definition(membership: Membership, pk: int) -> OutcomeDefinition:
    """A version of a network definition or of the school's own (another school's: 404)."""
    return get_object_or_404(available_definitions(membership), pk=pk)


def definition_versions(
    membership: Membership, definition: OutcomeDefinition
) -> QuerySet[OutcomeDefinition]:
    return available_definitions(membership).filter(code=definition.code).order_by("-version")


def current_version(membership: Membership, definition: OutcomeDefinition) -> OutcomeDefinition:
    if definition.is_current:
        return definition
    return get_object_or_404(
        available_definitions(membership), code=definition.code, is_current=True
    )


def headline_choices(membership: Membership) -> QuerySet[HeadlineDefinition]:
    """The school's headline definition of each year it chose one, latest year first."""
    return (
        HeadlineDefinition.objects.filter(school=membership.school)
        .select_related("definition")
        .order_by("-year")
    )


def _labels(codes) -> list[str]:
    labels = dict(Destination.choices)
    return [str(labels.get(code, code)) for code in codes]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


def rule_summary(rule: Rule) -> str:
    """« Emploi (CDI, CDD, intérim) de plus de 2 mois », « Formation (toute durée) »."""
    parts = []
    for group, codes in GROUPS.items():
        chosen = [code for code in codes if code in rule.destinations]
        if not chosen:
            continue
        if len(chosen) == len(codes):
            parts.append(str(DestinationGroup(group).label))
        elif len(chosen) == 1:
            parts.append(_labels(chosen)[0])
        else:
            labels = ", ".join(_lower_first(label) for label in _labels(chosen))
            parts.append(f"{DestinationGroup(group).label} ({labels})")
    parts.extend(sorted(d for d in rule.destinations if d not in GROUP_OF))
    text = _(" ou ").join([parts[0], *(_lower_first(p) for p in parts[1:])]) if parts else ""
    open_ended = [code for code in Destination.values if code in rule.destinations & OPEN_ENDED]
    if rule.min_months is not None:
        if rule.strict:
            text += _(" de plus de %(n)d mois") % {"n": rule.min_months}
        else:
            text += _(" de %(n)d mois ou plus") % {"n": rule.min_months}
        if open_ended and rule.destinations - OPEN_ENDED:
            text += _(" (%(labels)s : quelle que soit la durée)") % {
                "labels": _(" et ").join(_lower_first(label) for label in _labels(open_ended))
            }
    elif rule.destinations & LENGTH_ALLOWED:
        text += _(", toute durée") if text.endswith(")") else _(" (toute durée)")
    return text


def definition_summary(spec: DefinitionSpec) -> str:
    """The rules of a definition in one French sentence, rules joined by « ; »."""
    texts = [rule_summary(rule) for rule in spec.rules]
    return " ; ".join([texts[0], *(_lower_first(t) for t in texts[1:])]) if texts else ""


def excluded_summary(spec: DefinitionSpec) -> str:
    """The destinations left out of the denominator, in the typology's order."""
    order = list(Destination.values)
    codes = sorted(spec.excluded, key=lambda c: order.index(c) if c in order else len(order))
    return ", ".join(_labels(codes))


@dataclass(frozen=True)
class DefinitionRow:
    """A definition as the pages show it."""

    pk: int
    code: str
    version: int
    name: str
    description: str
    school_id: int | None
    valid_from: datetime.date
    valid_until: datetime.date | None
    summary: str
    excluded: str

    @property
    def is_network(self) -> bool:
        return self.school_id is None


def definition_row(definition: OutcomeDefinition) -> DefinitionRow:
    spec = definition.spec
    return DefinitionRow(
        pk=definition.pk,
        code=definition.code,
        version=definition.version,
        name=definition.name,
        description=definition.description,
        school_id=definition.school_id,
        valid_from=definition.valid_from,
        valid_until=definition.valid_until,
        summary=definition_summary(spec),
        excluded=excluded_summary(spec),
    )


# ------------------------------------------------------------------------------ rates


@dataclass(frozen=True)
class DefinitionRate:
    definition: DefinitionRow
    rate: Rate
    is_headline: bool


@dataclass(frozen=True)
class DestinationCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class GroupCount:
    code: str
    label: str
    count: int
    share: Decimal | None  # of the people who exited, one decimal
    destinations: list[DestinationCount]


@dataclass(frozen=True)
class WaveRow:
    wave: int
    label: str
    rate: WaveRate


@dataclass(frozen=True)
class RatesTable:
    start: datetime.date
    end: datetime.date
    site_id: int | None
    exits: int  # people who exited in the period (one per person, their latest exit)
    #: The year whose headline definition leads the table (the end's year), whether the
    #: school chose it (False: the network's default), and its code (None if not valid then).
    headline_year: int
    headline_chosen: bool
    headline_code: str | None
    definitions: list[DefinitionRate]  # the headline first, then by network/school and name
    groups: list[GroupCount]  # every group and destination of the typology, zeros included
    waves: list[WaveRow]  # 3, 6 and 12 months (none: left out, ``rates_tables(waves=False)``)
    #: Where the same people went at exit, on the waves' basis (the first line of that table).
    at_exit: WaveRate | None = None

    @property
    def headline(self) -> DefinitionRate | None:
        first = self.definitions[0] if self.definitions else None
        return first if first is not None and first.is_headline else None


def headline_during(
    school: School,
    start: datetime.date,
    end: datetime.date,
    definitions: list[OutcomeDefinition] | None = None,
) -> tuple[OutcomeDefinition | None, bool]:
    """The headline of a period: the definition the school chose for the end's year (or the
    network's default), in its version that applies to the period; None when no version of
    it is valid then. ``chosen`` says whether the school chose it."""
    headline, chosen = selectors.headline_for(school, end.year)
    if headline is None:
        return None, chosen
    if definitions is None:
        definitions = selectors.definitions_valid_during(school, start, end)
    return next((d for d in definitions if d.code == headline.code), None), chosen


def destination_groups(people: list[ExitFacts]) -> list[GroupCount]:
    """Every group and destination of the typology (zeros included) among ``people`` (one
    exit each), with each group's share."""
    return destination_groups_of_counts(Counter(f.destination for f in people))


def _typology_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The destinations' and the groups' labels in the active language."""
    return (
        {code: str(label) for code, label in Destination.choices},
        {code: str(label) for code, label in DestinationGroup.choices},
    )


def destination_groups_of_counts(
    per_destination: Mapping[str, int],
    labels: tuple[dict[str, str], dict[str, str]] | None = None,
) -> list[GroupCount]:
    """:func:`destination_groups` of the number of people per destination. ``labels``:
    :func:`_typology_labels`, when the caller already has them."""
    destination_labels, group_labels = labels or _typology_labels()
    total = sum(per_destination.values())
    groups = []
    for group, codes in GROUPS.items():
        destinations = [
            DestinationCount(
                code=code, label=destination_labels[code], count=per_destination.get(code, 0)
            )
            for code in codes
        ]
        count = sum(d.count for d in destinations)
        groups.append(
            GroupCount(
                code=str(group),
                label=group_labels[group],
                count=count,
                share=percentage(count, total),
                destinations=destinations,
            )
        )
    return groups


def rates_table(
    school: School, start: datetime.date, end: datetime.date, site: Site | None = None
) -> RatesTable:
    """Rates of the exits dated within [start, end] (both included), optionally one site's.

    Queries: one for the exits, two for the headline, one for the definitions, one for the
    follow-up waves — whatever the number of exits.
    """
    return rates_tables([school.pk], start, end, site)[school.pk]


def rates_tables(
    school_ids: list[int],
    start: datetime.date,
    end: datetime.date,
    site: Site | None = None,
    *,
    waves: bool = True,
) -> dict[int, RatesTable]:
    """:func:`rates_table` of several schools at once, by school id: the same five queries
    whatever the number of schools (the network's report). ``waves=False``: the follow-up
    waves are left out (``RatesTable.waves`` empty, one query less) for the key figures,
    which do not show them.

    The people who exited (each one's latest exit) come counted by the shape of that exit
    (``selectors.latest_exit_shapes_by_school``); each definition judges each shape once, for
    all the schools using it (``rules.rate_of_shapes``)."""
    shapes_by_school = selectors.latest_exit_shapes_by_school(school_ids, start, end, site)
    definitions_by_school = selectors.definitions_valid_during_by_school(school_ids, start, end)
    headlines = selectors.headlines_for(school_ids, end.year)
    waves_by_school = (
        selectors.wave_counts_by_school(school_ids, start, end, site)
        if waves
        else {pk: None for pk in school_ids}
    )
    labels = _typology_labels()
    wave_labels = {int(wave): str(wave.label) for wave in FollowUpWave}
    rows_by_definition: dict[int, DefinitionRow] = {}
    specs: dict[int, DefinitionSpec] = {}
    verdicts: dict[int, dict[Shape, str]] = {}
    out = {}
    for pk in school_ids:
        shapes = shapes_by_school[pk]
        definitions = definitions_by_school[pk]
        wanted, chosen = headlines[pk]
        headline = (
            next((d for d in definitions if d.code == wanted.code), None)
            if wanted is not None
            else None
        )
        headline_code = headline.code if headline is not None else None
        rows = []
        for definition in definitions:
            if definition.pk not in rows_by_definition:
                rows_by_definition[definition.pk] = definition_row(definition)
                specs[definition.pk] = definition.spec
                verdicts[definition.pk] = {}
            rows.append(
                DefinitionRate(
                    definition=rows_by_definition[definition.pk],
                    rate=rate_of_shapes(shapes, specs[definition.pk], verdicts[definition.pk]),
                    is_headline=definition.code == headline_code,
                )
            )
        rows.sort(key=lambda row: not row.is_headline)  # stable: the selector's order otherwise
        per_destination: Counter[str] = Counter()
        for (destination, _months, _days), n in shapes.items():
            per_destination[destination] += n
        school_waves = waves_by_school[pk]
        wave_rows = (
            []
            if school_waves is None
            else [
                WaveRow(
                    wave=wave, label=label, rate=wave_rate_of_counts(school_waves.get(wave, {}))
                )
                for wave, label in wave_labels.items()
            ]
        )
        out[pk] = RatesTable(
            start=start,
            end=end,
            site_id=site.pk if site else None,
            exits=sum(per_destination.values()),
            headline_year=end.year,
            headline_chosen=chosen,
            headline_code=headline_code,
            definitions=rows,
            groups=destination_groups_of_counts(per_destination, labels),
            waves=wave_rows,
            at_exit=wave_rate_of_counts(per_destination),
        )
    return out
