"""Reads of exits and outcome definitions, scoped to a school.

``exit_facts`` is what a rate is computed from (``rules.success_rate``); ``reporting`` calls it
too. The rates tables read :func:`latest_exit_shapes_by_school` instead: the same people (each
one's latest exit, :func:`latest_exits`) counted by shape in the database, judged by the same
rules (``rules.rate_of_shapes``). The funder reports, which list people with their exit, read
:func:`latest_exit_facts`: the same people, one row each (``rules.latest_per_person`` itself
only judges lists of facts already in memory).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from parcours.organisations.models import School, Site

from .defaults import NETWORK_6_MONTHS
from .grouped import grouped_rows
from .models import Exit, ExitFollowUp, FollowUpStatus, HeadlineDefinition, OutcomeDefinition
from .rules import ExitFacts, Shape


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
    return exit_facts_by_school([school.pk], start, end, site)[school.pk]


#: An exit's fields that make its :class:`ExitFacts`, in the dataclass's order (``_facts``).
EXIT_FACT_FIELDS = (
    "enrolment__person_id",
    "exit_date",
    "destination",
    "months",
    "days",
    "enrolment_id",
)


def exit_facts_by_school(
    school_ids: list[int], start: datetime.date, end: datetime.date, site: Site | None = None
) -> dict[int, list[ExitFacts]]:
    """:func:`exit_facts` of several schools at once, by school id (one query)."""
    exits = Exit.objects.filter(school__in=school_ids, exit_date__range=(start, end))
    if site is not None:
        exits = exits.filter(enrolment__site=site)
    rows = exits.values_list("school_id", *EXIT_FACT_FIELDS)
    out: dict[int, list[ExitFacts]] = {pk: [] for pk in school_ids}
    for school_id, *facts in rows:
        out[school_id].append(_facts(*facts))
    return out


def _facts(
    person_id: int,
    exit_date: datetime.date,
    destination: str,
    months: int | None,
    days: int,
    enrolment_id: int,
) -> ExitFacts:
    """An exit's row (``EXIT_FACT_FIELDS``' values) as :class:`ExitFacts`."""
    return ExitFacts(
        person_id=person_id,
        exit_date=exit_date,
        destination=destination,
        months=months,
        days=days,
        enrolment_id=enrolment_id,
    )


def latest_exits(
    school_ids: list[int], start: datetime.date, end: datetime.date, site: Site | None = None
) -> QuerySet[Exit]:
    """Each person's latest exit dated within [start, end] in each school (optionally among one
    site's exits): ``rules.latest_per_person`` in the database, in its order (the latest date,
    then the latest enrolment)."""
    exits = Exit.objects.filter(school__in=school_ids, exit_date__range=(start, end))
    if site is not None:
        exits = exits.filter(enrolment__site=site)
    return (
        exits.annotate(
            latest_rank=Window(
                RowNumber(),
                partition_by=[F("school_id"), F("enrolment__person_id")],
                order_by=[F("exit_date").desc(), F("enrolment_id").desc()],
            )
        )
        .filter(latest_rank=1)
        .order_by()
    )


def latest_exit_facts(
    school: School,
    start: datetime.date,
    end: datetime.date,
    enrolments: QuerySet | None = None,
) -> list[ExitFacts]:
    """Each person's latest exit dated within [start, end] in the school (:func:`latest_exits`,
    the rule of the rates) as :class:`ExitFacts`, in the order of ``rules.latest_per_person``
    (the earliest first; one query): what a report listing people by their exit reads.

    ``enrolments`` (a queryset of enrolments, e.g. those carrying a funding line): each
    person's latest exit *among these enrolments' exits*. The filter on the enrolment is a
    condition of the ranked query itself (a ``WHERE``, evaluated before the window function;
    only the ``latest_rank`` filter applies after it), so a later exit of another enrolment
    does not hide it — as ``latest_per_person`` of these enrolments' exits."""
    exits = latest_exits([school.pk], start, end)
    if enrolments is not None:
        exits = exits.filter(enrolment__in=enrolments)
    rows = exits.order_by("exit_date", "enrolment_id").values_list(*EXIT_FACT_FIELDS)
    return [_facts(*row) for row in rows]


def latest_exit_shapes_by_school(
    school_ids: list[int], start: datetime.date, end: datetime.date, site: Site | None = None
) -> dict[int, Counter[Shape]]:
    """Per school id, the people who exited in [start, end] counted by the shape of their
    latest exit (:func:`latest_exits`; ``rules.Shape``: destination, months, days), counted by
    the database (one query): what the rates and the destinations of a period read."""
    out: dict[int, Counter[Shape]] = {pk: Counter() for pk in school_ids}
    keys = ["school_id", "destination", "months", "days"]
    for school_id, destination, months, days, n in grouped_rows(
        latest_exits(school_ids, start, end, site), keys
    ):
        out[school_id][(destination, months, days or 0)] += n
    return out


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
    return definitions_valid_during_by_school([school.pk], start, end)[school.pk]


def definitions_valid_during_by_school(
    school_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[int, list[OutcomeDefinition]]:
    """:func:`definitions_valid_during` of several schools at once, by school id (one query:
    the network's versions are shared, so each school's list holds the same objects)."""
    network: dict[str, list[OutcomeDefinition]] = {}
    own: dict[int, dict[str, list[OutcomeDefinition]]] = {pk: {} for pk in school_ids}
    for version in OutcomeDefinition.objects.filter(
        Q(school__isnull=True) | Q(school__in=school_ids)
    ):
        by_code = network if version.school_id is None else own[version.school_id]
        by_code.setdefault(version.code, []).append(version)
    out = {}
    for pk in school_ids:
        # As one query of the network's and the school's versions grouped by code.
        by_code: dict[str, list[OutcomeDefinition]] = {}
        for code, versions in network.items():
            by_code.setdefault(code, []).extend(versions)
        for code, versions in own[pk].items():
            by_code.setdefault(code, []).extend(versions)
        applicable = [_applicable(versions, start, end) for versions in by_code.values()]
        out[pk] = sorted(
            (d for d in applicable if d is not None),
            key=lambda d: (d.school_id is not None, d.name),
        )
    return out


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
    return headlines_for([school.pk], year)[school.pk]


def headlines_for(
    school_ids: list[int], year: int
) -> dict[int, tuple[OutcomeDefinition | None, bool]]:
    """:func:`headline_for` of several schools at once, by school id (two queries)."""
    chosen = {
        row.school_id: row
        for row in HeadlineDefinition.objects.filter(
            school__in=school_ids, year=year
        ).select_related("definition")  # one a school and year (a unique constraint)
    }
    codes = {row.definition.code for row in chosen.values()} | {NETWORK_6_MONTHS}
    versions: dict[str, list[OutcomeDefinition]] = {}
    for version in OutcomeDefinition.objects.filter(code__in=codes):
        versions.setdefault(version.code, []).append(version)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    out = {}
    for pk in school_ids:
        row = chosen.get(pk)
        if row is not None:
            found = _applicable(versions.get(row.definition.code, []), first, last)
            out[pk] = (found or row.definition, True)
        else:
            out[pk] = (_applicable(versions.get(NETWORK_6_MONTHS, []), first, last), False)
    return out


def wave_counts_by_school(
    school_ids: list[int], start: datetime.date, end: datetime.date, site: Site | None = None
) -> dict[int, dict[int, Counter[str | None]]]:
    """The follow-ups recorded at each wave of the exits dated within [start, end], counted per
    situation found (``None``: unreachable): by school id, then by wave (one query)."""
    follow_ups = ExitFollowUp.objects.filter(
        school__in=school_ids,
        exit__exit_date__range=(start, end),
        status__in=[FollowUpStatus.REACHED, FollowUpStatus.UNREACHABLE],
    )
    if site is not None:
        follow_ups = follow_ups.filter(exit__enrolment__site=site)
    # Counted by the database (a wave's rate depends on how many of each situation only):
    # the network's report would otherwise fetch every follow-up of the year.
    counted = (
        follow_ups.values_list("school_id", "wave", "situation")
        .annotate(n=Count("pk"))
        .order_by("school_id", "wave", "situation")
    )
    out: dict[int, dict[int, Counter[str | None]]] = {pk: {} for pk in school_ids}
    for school_id, wave, situation, n in counted:
        out[school_id].setdefault(wave, Counter())[situation or None] += n
    return out
