"""Competency progress across the school over a period: the levels at entry and the latest levels
of the period's trainees, level by level.

``competencies.selectors_progress`` has one trainee's progress and the distribution of *current*
levels of the trainees present on a day; neither says, for a period, where the school's
trainees started and where they got to. This module does, from the same derivation
(``competencies.levels``: entry level = latest positioning, latest level = latest row, as of the
period's last day).

Who is counted: the trainees of the key figures (an enrolment overlapping the period, optionally
at one site), each through their latest such enrolment that has assessment rows, on the
framework most of them were positioned on (a trainee positioned on another framework or version
is counted apart). The unit is a *positioning*: one trainee on one competency with a level at
entry; its latest level is taken on the same competency, so both distributions have the same
total and can be compared.

The levels are read from their pre-aggregate (``competencies.models.LevelSpan``: each
enrolment's levels per competency over spans of days, computed by ``competencies.levels``
and kept up to date by every assessment write), so the database counts them as of the
period's last day, whatever the period (a past year's trainees assessed since included).

Queries: four with assessments (the stored levels, the enrolments, the framework, its scale),
one without, whatever the number of trainees.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q

from parcours.competencies.models import Framework, LevelSpan, ScaleLevel
from parcours.organisations.models import School, Site
from parcours.outcomes.rules import percentage
from parcours.pathways.models import Enrolment

from .periods import Period


@dataclass(frozen=True)
class LevelShare:
    value: int
    label: str
    entry: int  # positionings at this level at entry
    latest: int  # the same positionings at this level at the period's end
    entry_pct: Decimal | None
    latest_pct: Decimal | None


@dataclass(frozen=True)
class SchoolProgress:
    framework_id: int | None
    framework_name: str
    framework_version: int | None
    trainees: int  # trainees with at least one positioning on the framework
    progressed: int  # of whom: up at least one level on at least one competency
    other_framework: int  # trainees positioned on another framework or version
    positionings: int  # (trainee, competency) pairs with a level at entry
    raised: int  # of which: a latest level above the entry level
    levels: list[LevelShare] = field(default_factory=list)

    @property
    def progressed_pct(self) -> Decimal | None:
        return percentage(self.progressed, self.trainees)

    @property
    def raised_pct(self) -> Decimal | None:
        return percentage(self.raised, self.positionings)


EMPTY = SchoolProgress(None, "", None, 0, 0, 0, 0, 0, [])


def school_progress(school: School, period: Period, site: Site | None = None) -> SchoolProgress:
    """Levels at entry and latest levels (as of ``period.end``) of the period's trainees.

    Read from the stored levels (``competencies.models.LevelSpan``, what
    ``competencies.levels.level_spans`` derives from the rows, kept by every assessment write):
    the span of each enrolment and competency that holds on ``period.end``, counted by the
    database, instead of every assessment row derived in Python (issue 12).
    """
    end = period.end
    enrolments = Enrolment.objects.filter(school=school).overlapping(period.start, end)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    enrolments = enrolments.order_by()
    holds = Q(valid_from__lte=end) & (Q(valid_until__isnull=True) | Q(valid_until__gt=end))
    # One query for both: the open spans (one per enrolment and competency with rows, whatever
    # their days: which enrolments have rows, and their first row) and the spans that hold on
    # the last day (the positionings then), grouped by levels.
    groups = (
        LevelSpan.objects.filter(school=school, enrolment__in=enrolments.values("pk"))
        .filter(Q(valid_until__isnull=True) | holds)
        .values_list("enrolment_id", "competency__framework_id", "entry_level", "current_level")
        .annotate(
            first=Min("first_assessment_pk"),
            positionings=Count("pk", filter=holds & Q(entry_level__isnull=False)),
        )
        .order_by()
    )
    first_row: dict[int, tuple[int, int]] = {}  # enrolment → (its first row, its framework)
    found: list[tuple[int, int, int, int, int]] = []
    for enrolment_id, framework_id, entry_level, current_level, first, count in groups:
        known = first_row.get(enrolment_id)
        if known is None or first < known[0]:
            first_row[enrolment_id] = (first, framework_id)
        if count:
            found.append((enrolment_id, framework_id, entry_level, current_level, count))
    if not first_row:
        return EMPTY
    # Each person through their latest enrolment with rows; its framework is its first row's.
    latest: dict[int, tuple[datetime.date, int]] = {}
    for enrolment_id, person_id, entry_date in enrolments.values_list(
        "pk", "person_id", "entry_date"
    ):
        if enrolment_id not in first_row:
            continue
        key = (entry_date, enrolment_id)
        if person_id not in latest or latest[person_id] < key:
            latest[person_id] = key
    kept = {enrolment_id for _entry, enrolment_id in latest.values()}
    on_framework = Counter(first_row[enrolment_id][1] for enrolment_id in kept)
    framework_id = max(on_framework, key=lambda pk: (on_framework[pk], pk))
    counted = {e for e in kept if first_row[e][1] == framework_id}
    framework = Framework.objects.only("id", "name", "version").get(pk=framework_id)
    scale = list(ScaleLevel.objects.filter(framework_id=framework_id).order_by("value"))
    entry_counts: Counter[int] = Counter()
    latest_counts: Counter[int] = Counter()
    positioned: set[int] = set()
    up: set[int] = set()
    positionings = raised = 0
    for enrolment_id, on, entry_level, current_level, count in found:
        if on != framework_id or enrolment_id not in counted:
            continue
        positioned.add(enrolment_id)
        positionings += count
        entry_counts[entry_level] += count
        latest_counts[current_level] += count
        if current_level > entry_level:
            raised += count
            up.add(enrolment_id)
    return SchoolProgress(
        framework_id=framework.pk,
        framework_name=framework.name,
        framework_version=framework.version,
        trainees=len(positioned),
        progressed=len(up),
        other_framework=len(kept) - len(counted),
        positionings=positionings,
        raised=raised,
        levels=[
            LevelShare(
                value=level.value,
                label=level.label,
                entry=entry_counts[level.value],
                latest=latest_counts[level.value],
                entry_pct=percentage(entry_counts[level.value], positionings),
                latest_pct=percentage(latest_counts[level.value], positionings),
            )
            for level in scale
        ],
    )
