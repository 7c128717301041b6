"""Outcome definitions evaluated on exits: pure functions, no database.

A definition is a list of rules and a list of destinations left out of the denominator. An
exit is *successful* when one rule matches it: its destination is among the rule's, and, when
the rule has a length threshold of N months, the length is more than N months (``strict``) or
at least N months (inclusive). Open-ended destinations (CDI, business creation) meet every
threshold; a work-study contract with no length given counts as its legal minimum (6 months);
a fixed-term destination with no length meets no threshold.

The rate over a period counts **people**, not enrolments: a person who exits twice in the
period (dropped out, came back, left again) counts once, with their latest exit. Exits whose
destination the definition excludes leave the denominator (and are never successes).

``reporting`` and the screens call :func:`success_rate`; the selectors only turn rows into
:class:`ExitFacts`. The rules read only an exit's :data:`Shape` (destination, months, days): the
rates of many people are computed from the number of people per shape (:func:`rate_of_shapes`,
each shape judged once), which the database can count (``selectors.latest_exit_shapes``).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .destinations import (
    EMPLOYMENT,
    GROUP_OF,
    OPEN_ENDED,
    TRAINING,
    WORK_STUDY,
    WORK_STUDY_MINIMUM_MONTHS,
    Destination,
    DestinationGroup,
)


@dataclass(frozen=True)
class Rule:
    """Destinations that count as successful, with an optional length threshold in months."""

    destinations: frozenset[str]
    min_months: int | None = None
    strict: bool = False  # True: "more than N months"; False: "N months or more"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rule:
        min_months = data.get("min_months")
        return cls(
            destinations=frozenset(data.get("destinations", ())),
            min_months=int(min_months) if min_months is not None else None,
            strict=bool(data.get("strict", False)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "destinations": sorted(self.destinations),
            "min_months": self.min_months,
            "strict": self.strict,
        }


@dataclass(frozen=True)
class DefinitionSpec:
    rules: tuple[Rule, ...]
    excluded: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_json(
        cls, rules: Iterable[Mapping[str, Any]], excluded: Iterable[str]
    ) -> DefinitionSpec:
        return cls(rules=tuple(Rule.from_json(r) for r in rules), excluded=frozenset(excluded))


@dataclass(frozen=True)
class ExitFacts:
    """What a rate needs to know of one exit (or of the situation found at a follow-up)."""

    person_id: int
    exit_date: datetime.date
    destination: str
    months: int | None = None
    days: int = 0
    enrolment_id: int = 0  # tie-break between two exits of one person on the same day


@dataclass(frozen=True)
class Rate:
    exits: int  # people who exited in the period (one per person)
    excluded: int  # left out of the denominator by the definition
    counted: int  # exits - excluded
    successful: int
    rate: Decimal | None  # percentage, one decimal; None when nothing is counted

    @property
    def rounded(self) -> int | None:
        """The percentage as shown on screen: rounded to a whole number (half up), from the
        exact fraction — not from ``rate``, which is already rounded to one decimal (12.46 %
        is shown 12 %, whereas rounding 12.5 again would give 13)."""
        if self.rate is None:
            return None
        if self.counted > 0:
            return whole_percentage(self.successful, self.counted)
        return int(self.rate.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def percentage(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal (half up); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def whole_percentage(part: int, whole: int) -> int | None:
    """``part / whole`` as a whole percentage (half up); None when ``whole`` is 0."""
    if whole == 0:
        return None
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP))


def meets_length(facts: ExitFacts, min_months: int | None, strict: bool) -> bool:
    if min_months is None or facts.destination in OPEN_ENDED:
        return True
    months, days = facts.months, facts.days or 0
    if months is None:
        if facts.destination not in WORK_STUDY:
            return False  # a fixed-term destination of unknown length proves nothing
        months, days = WORK_STUDY_MINIMUM_MONTHS, 0
    if strict:
        return months > min_months or (months == min_months and days > 0)
    return months >= min_months


def is_excluded(facts: ExitFacts, spec: DefinitionSpec) -> bool:
    return facts.destination in spec.excluded


def is_successful(facts: ExitFacts, spec: DefinitionSpec) -> bool:
    if is_excluded(facts, spec):
        return False
    return any(
        facts.destination in rule.destinations and meets_length(facts, rule.min_months, rule.strict)
        for rule in spec.rules
    )


def latest_per_person(
    exits: Iterable[ExitFacts], start: datetime.date, end: datetime.date
) -> list[ExitFacts]:
    """The exits dated within [start, end] (both included), one per person: their latest."""
    latest: dict[int, ExitFacts] = {}
    for facts in exits:
        if not start <= facts.exit_date <= end:
            continue
        kept = latest.get(facts.person_id)
        key = (facts.exit_date, facts.enrolment_id)
        if kept is None or key > (kept.exit_date, kept.enrolment_id):
            latest[facts.person_id] = facts
    return sorted(latest.values(), key=lambda f: (f.exit_date, f.enrolment_id))


def success_rate(
    exits: Iterable[ExitFacts], spec: DefinitionSpec, start: datetime.date, end: datetime.date
) -> Rate:
    """Successful exits / (exits - excluded) over [start, end], under ``spec``."""
    return rate_among(latest_per_person(exits, start, end), spec, start)


def rate_among(kept: Sequence[ExitFacts], spec: DefinitionSpec, start: datetime.date) -> Rate:
    """:func:`success_rate` of exits already kept by :func:`latest_per_person` (one list for
    every definition of a report)."""
    return rate_of_shapes(Counter(shape_of(f) for f in kept), spec)


#: What the rules read of an exit: its destination, its length in months and the days beyond.
Shape = tuple[str, int | None, int]
#: What a definition makes of an exit of some shape.
EXCLUDED, SUCCESSFUL, NOT_SUCCESSFUL = "excluded", "successful", "not_successful"


def shape_of(facts: ExitFacts) -> Shape:
    return (facts.destination, facts.months, facts.days or 0)


def verdict(shape: Shape, spec: DefinitionSpec) -> str:
    """:data:`EXCLUDED`, :data:`SUCCESSFUL` or :data:`NOT_SUCCESSFUL`: an exit of ``shape``
    under ``spec`` (:func:`is_excluded`, :func:`is_successful`)."""
    destination, months, days = shape
    facts = ExitFacts(0, datetime.date.min, destination, months, days)
    if is_excluded(facts, spec):
        return EXCLUDED
    return SUCCESSFUL if is_successful(facts, spec) else NOT_SUCCESSFUL


def rate_of_shapes(
    shapes: Mapping[Shape, int],
    spec: DefinitionSpec,
    verdicts: dict[Shape, str] | None = None,
) -> Rate:
    """The rate of people counted by the shape of their (latest) exit: each shape is judged
    once (a network's year has tens of thousands of exits but a few dozen shapes).

    ``verdicts``: the :func:`verdict` of shapes under ``spec`` already judged, filled as
    shapes are judged (one dict per definition shared by many schools' rates)."""
    if verdicts is None:
        verdicts = {}
    exits = excluded = successful = 0
    for shape, count in shapes.items():
        found = verdicts.get(shape)
        if found is None:
            found = verdicts[shape] = verdict(shape, spec)
        exits += count
        if found == EXCLUDED:
            excluded += count
        elif found == SUCCESSFUL:
            successful += count
    counted = exits - excluded
    return Rate(
        exits=exits,
        excluded=excluded,
        counted=counted,
        successful=successful,
        rate=percentage(successful, counted),
    )


@dataclass(frozen=True)
class WaveSituation:
    """The situation found at one follow-up: a destination, or unreachable (None)."""

    destination: str | None


@dataclass(frozen=True)
class WaveRate:
    recorded: int  # follow-ups done (reached or unreachable)
    unreachable: int
    employment: int
    training: int
    civic_service: int
    no_positive: int
    in_employment_or_training: Decimal | None  # share of the recorded follow-ups, one decimal

    @property
    def rounded(self) -> int | None:
        """The share in employment or training as shown on screen: a whole percentage."""
        return whole_percentage(self.employment + self.training, self.recorded)


def wave_rate(situations: Sequence[WaveSituation]) -> WaveRate:
    """Where people were at one follow-up wave. Unreachable people stay in the denominator:
    the share says what the school knows, it does not guess."""
    return wave_rate_of_counts(Counter(s.destination for s in situations))


def wave_rate_of_counts(counts: Mapping[str | None, int]) -> WaveRate:
    """:func:`wave_rate` of the number of people per situation found (``None``: unreachable)."""
    recorded = unreachable = employment = training = civic_service = no_positive = 0
    for destination, n in counts.items():
        recorded += n
        if destination is None:
            unreachable += n
            continue
        employment += n if destination in EMPLOYMENT else 0
        training += n if destination in TRAINING else 0
        group = GROUP_OF.get(destination)
        civic_service += n if group == DestinationGroup.CIVIC_SERVICE else 0
        no_positive += n if group == DestinationGroup.NONE else 0
    return WaveRate(
        recorded=recorded,
        unreachable=unreachable,
        employment=employment,
        training=training,
        civic_service=civic_service,
        no_positive=no_positive,
        in_employment_or_training=percentage(employment + training, recorded),
    )


__all__ = [
    "EXCLUDED",
    "NOT_SUCCESSFUL",
    "SUCCESSFUL",
    "DefinitionSpec",
    "Destination",
    "ExitFacts",
    "Rate",
    "Rule",
    "Shape",
    "WaveRate",
    "WaveSituation",
    "is_excluded",
    "is_successful",
    "latest_per_person",
    "meets_length",
    "percentage",
    "rate_among",
    "rate_of_shapes",
    "shape_of",
    "success_rate",
    "verdict",
    "wave_rate",
    "wave_rate_of_counts",
    "whole_percentage",
]
