"""Reads of exits and outcome definitions, scoped to a school.

``exit_facts`` is what every rate is computed from (``rules.success_rate``); ``reporting``
calls it too.
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from parcours.organisations.models import School, Site

from .defaults import NETWORK_6_MONTHS
from .models import Exit, ExitFollowUp, FollowUpStatus, HeadlineDefinition, OutcomeDefinition
from .rules import ExitFacts, WaveSituation


def exits_between(
    school: School, start: datetime.date, end: datetime.date, site: Site | None = None
) -> QuerySet[Exit]:
    """The school's exits dated within [start, end] (both included), optionally one site's."""
    exits = Exit.objects.filter(school=school, exit_date__range=(start, end))
    if site is not None:
        exits = exits.filter(enrolment__site=site)
    return exits


def exit_facts(
    school: School, start: datetime.date, end: datetime.date, site: Site | None = None
) -> list[ExitFacts]:
    """The facts the rates need, one per exit in [start, end] (one query)."""
    rows = exits_between(school, start, end, site).values_list(
        "enrolment__person_id", "exit_date", "destination", "months", "days", "enrolment_id"
    )
    return [
        ExitFacts(
            person_id=person_id,
            exit_date=exit_date,
            destination=destination,
            months=months,
            days=days,
            enrolment_id=enrolment_id,
        )
        for person_id, exit_date, destination, months, days, enrolment_id in rows
    ]


def definitions_for(school: School) -> QuerySet[OutcomeDefinition]:
    """The current version of every definition the school may use: the network's and its own."""
    return OutcomeDefinition.objects.filter(
        Q(school__isnull=True) | Q(school=school), is_current=True
    ).order_by("school_id", "name")


def _applicable(
    versions: list[OutcomeDefinition], start: datetime.date, end: datetime.date
) -> OutcomeDefinition | None:
    """Of one definition's versions, the one that applies to [start, end]: the latest whose
    validity overlaps the period. A new version valid from a later date leaves the earlier
    periods on the version that was valid then; figures of the past stay as they were."""
    valid = [v for v in versions if v.is_valid_during(start, end)]
    return max(valid, key=lambda v: v.version) if valid else None


def definitions_valid_during(
    school: School, start: datetime.date, end: datetime.date
) -> list[OutcomeDefinition]:
    """Per definition the school may use, the version that applies to the period (one query);
    the network's first, then the school's, by name."""
    by_code: dict[str, list[OutcomeDefinition]] = {}
    for version in OutcomeDefinition.objects.filter(Q(school__isnull=True) | Q(school=school)):
        by_code.setdefault(version.code, []).append(version)
    applicable = [_applicable(versions, start, end) for versions in by_code.values()]
    return sorted(
        (d for d in applicable if d is not None), key=lambda d: (d.school_id is not None, d.name)
    )


def version_for_year(code: str, year: int) -> OutcomeDefinition | None:
    """The version of definition ``code`` that applies to calendar year ``year``."""
    return _applicable(
        list(OutcomeDefinition.objects.filter(code=code)),
        datetime.date(year, 1, 1),
        datetime.date(year, 12, 31),
    )


def headline_for(school: School, year: int) -> tuple[OutcomeDefinition | None, bool]:
    """The school's headline definition for ``year`` (the version of the chosen definition that
    applies to that year) and whether the school chose it.

    With no choice recorded, the network's "≥ 6 mois" definition stands in (``False``).
    """
    chosen = (
        HeadlineDefinition.objects.filter(school=school, year=year)
        .select_related("definition")
        .first()
    )
    if chosen is not None:
        return version_for_year(chosen.definition.code, year) or chosen.definition, True
    return version_for_year(NETWORK_6_MONTHS, year), False


def wave_situations(
    school: School,
    start: datetime.date,
    end: datetime.date,
    wave: int,
    site: Site | None = None,
) -> list[WaveSituation]:
    """The situations found at follow-up ``wave`` of the exits dated within [start, end]:
    one per recorded follow-up (reached: its situation; unreachable: ``None``)."""
    follow_ups = ExitFollowUp.objects.filter(
        school=school,
        wave=wave,
        exit__exit_date__range=(start, end),
        status__in=[FollowUpStatus.REACHED, FollowUpStatus.UNREACHABLE],
    )
    if site is not None:
        follow_ups = follow_ups.filter(exit__enrolment__site=site)
    return [
        WaveSituation(destination=situation or None)
        for situation in follow_ups.values_list("situation", flat=True)
    ]
