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

Queries: three with assessments (the rows, the scale, the competencies), one without, whatever
the number of trainees.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F

from parcours.competencies import levels
from parcours.competencies.models import Assessment, Competency, Framework, ScaleLevel
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
    """Levels at entry and latest levels (as of ``period.end``) of the period's trainees."""
    enrolments = Enrolment.objects.filter(school=school).overlapping(period.start, period.end)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    rows = list(
        Assessment.objects.filter(school=school, enrolment__in=enrolments.order_by().values("pk"))
        .annotate(
            framework_id=F("competency__framework_id"),
            person_id=F("enrolment__person_id"),
            entry_date=F("enrolment__entry_date"),
        )
        .only("id", "enrolment_id", "competency_id", "kind", "level", "assessed_on", "corrects_id")
        .order_by("assessed_on", "id")
    )
    if not rows:
        return EMPTY
    # Each person through their latest enrolment with rows; its framework is its first row's.
    latest: dict[int, tuple[datetime.date, int]] = {}
    first_row: dict[int, tuple[int, int]] = {}
    for row in rows:
        key = (row.entry_date, row.enrolment_id)
        if row.person_id not in latest or latest[row.person_id] < key:
            latest[row.person_id] = key
        known = first_row.get(row.enrolment_id)
        if known is None or row.pk < known[0]:
            first_row[row.enrolment_id] = (row.pk, row.framework_id)
    kept = {enrolment_id for _entry, enrolment_id in latest.values()}
    on_framework = Counter(first_row[enrolment_id][1] for enrolment_id in kept)
    framework_id = max(on_framework, key=lambda pk: (on_framework[pk], pk))
    counted = {e for e in kept if first_row[e][1] == framework_id}
    framework = Framework.objects.only("id", "name", "version").get(pk=framework_id)
    scale = list(ScaleLevel.objects.filter(framework_id=framework_id).order_by("value"))
    competency_ids = set(
        Competency.objects.filter(framework_id=framework_id).values_list("pk", flat=True)
    )
    by_enrolment = levels.derive_levels_by_enrolment(
        (row for row in rows if row.enrolment_id in counted), as_of=period.end
    )
    entry_counts: Counter[int] = Counter()
    latest_counts: Counter[int] = Counter()
    positionings = raised = progressed = 0
    for found in by_enrolment.values():
        up = False
        for competency_id, derived in found.items():
            if competency_id not in competency_ids or derived.entry_level is None:
                continue
            positionings += 1
            entry_counts[derived.entry_level] += 1
            latest_counts[derived.current_level] += 1
            if derived.current_level > derived.entry_level:
                raised += 1
                up = True
        progressed += up
    trainees = sum(
        1
        for found in by_enrolment.values()
        if any(c in competency_ids and d.entry_level is not None for c, d in found.items())
    )
    return SchoolProgress(
        framework_id=framework.pk,
        framework_name=framework.name,
        framework_version=framework.version,
        trainees=trainees,
        progressed=progressed,
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
