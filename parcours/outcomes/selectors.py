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


def definitions_valid_during(
    school: School, start: datetime.date, end: datetime.date
) -> list[OutcomeDefinition]:
    return [d for d in definitions_for(school) if d.is_valid_during(start, end)]


def headline_for(school: School, year: int) -> tuple[OutcomeDefinition | None, bool]:
    """The school's headline definition for ``year`` (the current version of the one chosen)
    and whether the school chose it.

    With no choice recorded, the network's "≥ 6 mois" definition stands in (``False``).
    """
    chosen = (
        HeadlineDefinition.objects.filter(school=school, year=year)
        .select_related("definition")
        .first()
    )
    if chosen is not None:
        definition = chosen.definition
        if not definition.is_current:  # edited since it was chosen: its current version
            definition = (
                OutcomeDefinition.objects.filter(code=definition.code, is_current=True).first()
                or definition
            )
        return definition, True
    fallback = OutcomeDefinition.objects.filter(
        code=NETWORK_6_MONTHS, school__isnull=True, is_current=True
    ).first()
    return fallback, False


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
