"""Reads for the progress views: a trainee's levels at entry and now, the distribution of
levels in a group of trainees.

Both work on rows loaded in one query and derive the levels with ``levels.py``, so their number
of queries does not depend on the number of trainees or of assessments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet

from parcours.organisations.models import Membership, Site
from parcours.pathways.models import Enrolment, EnrolmentStatus, PhaseDefinition
from parcours.pathways.selectors import enrolments_for
from parcours.pathways.selectors_lists import in_phase, with_referent

from . import levels
from .models import Assessment, Competency, Framework, ScaleLevel
from .selectors import school_framework


def _competencies(framework: Framework) -> list[Competency]:
    """The framework's competencies in the order of its tree (area, then competency)."""
    return list(
        Competency.objects.filter(framework=framework)
        .select_related("area")
        .order_by("area__position", "area__code", "position", "code")
    )


def _scale(framework: Framework) -> list[ScaleLevel]:
    return list(ScaleLevel.objects.filter(framework=framework).order_by("value"))


# ------------------------------------------------------------------------------ one trainee


def trainee_progress(enrolment: Enrolment) -> dict[str, Any]:
    """The levels at entry and now of every competency of the enrolment's framework.

    The framework is the one of the enrolment's first row (as ``selectors.enrolment_framework``).
    Without any row there is nothing to draw: ``rows`` is empty and no other query is made.
    Returns ``framework``, ``scale`` (``[(value, label)]``) and ``rows``: dicts with
    ``competency``, ``code``, ``title``, ``entry``, ``current`` and ``progress``.
    3 queries with rows, 1 without.
    """
    assessments = list(
        Assessment.objects.filter(enrolment=enrolment)
        .select_related("competency__framework")
        .order_by("assessed_on", "id")
    )
    if not assessments:
        return {"framework": None, "scale": [], "rows": []}
    framework = min(assessments, key=lambda row: row.pk).competency.framework
    derived = levels.derive_levels(
        row for row in assessments if row.competency.framework_id == framework.pk
    )
    rows = []
    for competency in _competencies(framework):
        found = derived.get(competency.pk)
        entry = found.entry_level if found else None
        current = found.current_level if found else None
        rows.append(
            {
                "competency": competency,
                "code": competency.code,
                "title": competency.title,
                "entry": entry,
                "current": current,
                "progress": found.progress if found else None,
            }
        )
    return {
        "framework": framework,
        "scale": [(level.value, level.label) for level in _scale(framework)],
        "rows": rows,
    }


# ------------------------------------------------------------------------------ a group


def percent(count: int, total: int) -> int:
    """``count`` as a whole percentage of ``total``, rounded half up (0 when ``total`` is 0)."""
    if not total:
        return 0
    return (200 * count + total) // (2 * total)


@dataclass
class Cell:
    count: int = 0
    percent: int = 0


@dataclass
class DistributionRow:
    competency: Competency
    #: One cell per level of the scale, in its order.
    levels: list[Cell] = field(default_factory=list)
    not_assessed: Cell = field(default_factory=Cell)


def group_enrolments(
    membership: Membership,
    *,
    site: Site | None = None,
    referent: Membership | int | None = None,
    phase: PhaseDefinition | None = None,
    as_of: datetime.date | None = None,
) -> QuerySet[Enrolment]:
    """The school's active trainees (or those present on ``as_of``) matching the filters.

    ``referent`` may be a membership, its id, or ``"aucun"`` for trainees with no referent.
    """
    enrolments = enrolments_for(membership)
    if as_of is None:
        enrolments = enrolments.filter(status=EnrolmentStatus.ACTIVE)
    else:
        enrolments = enrolments.filter(entry_date__lte=as_of).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=as_of)
        )
    if site is not None:
        enrolments = enrolments.filter(site=site)
    if referent == "aucun":
        enrolments = with_referent(enrolments, None)
    elif referent is not None:
        enrolments = with_referent(enrolments, getattr(referent, "pk", referent))
    if phase is not None:
        enrolments = in_phase(enrolments, phase)
    return enrolments


def level_distribution(
    membership: Membership,
    *,
    site: Site | None = None,
    referent: Membership | int | str | None = None,
    phase: PhaseDefinition | None = None,
    as_of: datetime.date | None = None,
) -> dict[str, Any]:
    """Per competency of the school's current framework, how many trainees of the group are at
    each current level, and how many are not assessed on it.

    A trainee whose first row is on another framework (another version, or another framework)
    is not spread over this one's competencies: they are counted apart (``other_version``).
    With ``as_of`` the levels are those of that day. Constant queries: the framework, its scale
    and competencies, the group's size and all its rows in one query.
    """
    framework = school_framework(membership.school)
    enrolments = group_enrolments(
        membership, site=site, referent=referent, phase=phase, as_of=as_of
    )
    trainees = enrolments.count()
    result: dict[str, Any] = {
        "framework": framework,
        "scale": [],
        "rows": [],
        "trainees": trainees,
        "counted": 0,
        "other_version": 0,
    }
    if framework is None:
        return result
    scale = _scale(framework)
    competencies = _competencies(framework)
    rows = list(
        Assessment.objects.filter(
            school=membership.school, enrolment__in=enrolments.order_by().values("pk")
        )
        .annotate(framework_id=F("competency__framework_id"))
        .only("id", "enrolment_id", "competency_id", "kind", "level", "assessed_on", "corrects_id")
        .order_by("assessed_on", "id")
    )
    first_framework: dict[int, tuple[int, int]] = {}
    for row in rows:
        known = first_framework.get(row.enrolment_id)
        if known is None or row.pk < known[0]:
            first_framework[row.enrolment_id] = (row.pk, row.framework_id)
    other = {
        enrolment_id
        for enrolment_id, (_pk, framework_id) in first_framework.items()
        if framework_id != framework.pk
    }
    by_enrolment = levels.derive_levels_by_enrolment(
        (row for row in rows if row.enrolment_id not in other), as_of=as_of
    )
    counted = trainees - len(other)
    position = {level.value: index for index, level in enumerate(scale)}
    table = []
    for competency in competencies:
        line = DistributionRow(competency, [Cell() for _level in scale])
        for found in by_enrolment.values():
            current = found.get(competency.pk)
            level = current.current_level if current else None
            if level in position:
                line.levels[position[level]].count += 1
        line.not_assessed.count = counted - sum(cell.count for cell in line.levels)
        for cell in [*line.levels, line.not_assessed]:
            cell.percent = percent(cell.count, counted)
        table.append(line)
    result.update(
        scale=[(level.value, level.label) for level in scale],
        rows=table,
        counted=counted,
        other_version=len(other),
    )
    return result
