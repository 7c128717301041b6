"""Scoped reads of competencies: frameworks a school may use, a trainee's assessments.

A school sees its own frameworks and the shared ones (``school = None``, shipped by Parcours);
another school's framework is a 404. Assessment rows are read for an enrolment already fetched
through ``pathways.selectors.get_enrolment`` (which scopes it to the membership's school).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership, School
from parcours.pathways.models import Enrolment

from . import levels
from .models import (
    Area,
    Assessment,
    AssessmentKind,
    Competency,
    Framework,
    FrameworkStatus,
    SchoolFramework,
)


def frameworks_for(membership: Membership) -> QuerySet[Framework]:
    """The school's own frameworks and the shared ones, every version."""
    return Framework.objects.filter(Q(school=membership.school_id) | Q(school__isnull=True))


def get_framework(membership: Membership, pk: int) -> Framework:
    return get_object_or_404(frameworks_for(membership), pk=pk)


def get_own_framework(membership: Membership, pk: int) -> Framework:
    """A framework of the membership's school (shared frameworks are not editable by it)."""
    return get_object_or_404(Framework, pk=pk, school=membership.school_id)


def school_framework(school: School) -> Framework | None:
    """The version new trainees of ``school`` are positioned on.

    The school's choice, else the latest published version of the shared default.
    """
    choice = SchoolFramework.objects.filter(school=school).select_related("framework").first()
    if choice is not None:
        return choice.framework
    return (
        Framework.objects.filter(school__isnull=True, status=FrameworkStatus.PUBLISHED)
        .order_by("family", "-version")
        .first()
    )


def enrolment_framework(enrolment: Enrolment) -> Framework | None:
    """The version an enrolment is assessed on: the one of its first assessment row (a new
    version never moves a trainee already positioned), else the school's current choice."""
    first = (
        Assessment.objects.filter(enrolment=enrolment)
        .order_by("id")
        .select_related("competency__framework")
        .first()
    )
    if first is not None:
        return first.competency.framework
    return school_framework(enrolment.school)


def framework_tree(framework: Framework) -> dict:
    """The scale, the areas (in order) and their competencies with descriptors: 4 queries."""
    competencies = Prefetch(
        "competencies",
        queryset=Competency.objects.order_by("position", "code").prefetch_related("descriptors"),
    )
    areas = list(
        Area.objects.filter(framework=framework)
        .order_by("position", "code")
        .prefetch_related(competencies)
    )
    return {
        "framework": framework,
        "scale": list(framework.levels.order_by("value")),
        "areas": areas,
        "competencies": [c for area in areas for c in area.competencies.all()],
    }


def assessment_rows(enrolment: Enrolment) -> list[Assessment]:
    """Every row of an enrolment (corrected ones included), with competency and assessor."""
    return list(
        Assessment.objects.filter(enrolment=enrolment)
        .select_related("competency", "assessor__user", "corrects")
        .prefetch_related("evidence__document")
        .order_by("assessed_on", "id")
    )


def enrolment_levels(enrolment: Enrolment) -> dict[int, levels.CompetencyLevels]:
    """``{competency_id: CompetencyLevels}`` derived from the enrolment's rows."""
    return levels.derive_levels(assessment_rows(enrolment))


def has_positioning(enrolment: Enrolment) -> bool:
    return Assessment.objects.filter(enrolment=enrolment, kind=AssessmentKind.POSITIONING).exists()
