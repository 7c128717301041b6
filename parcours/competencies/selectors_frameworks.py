"""Scoped reads of the framework screens: the list by family, a draft's areas and competencies.

A school reads its own frameworks and the shared ones (``selectors.frameworks_for``); it edits
only its own (an area or competency of another school's framework, or of a shared one, is a 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, Q
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership, School

from .models import Area, Competency, Framework
from .selectors import frameworks_for, school_framework


@dataclass
class FrameworkFamily:
    family: str
    name: str
    shared: bool
    versions: list[Framework] = field(default_factory=list)


def framework_families(membership: Membership) -> dict:
    """The frameworks the school sees, grouped by family (newest version first): 2 queries."""
    in_use = school_framework(membership.school)
    families: dict[tuple, FrameworkFamily] = {}
    for framework in frameworks_for(membership).order_by("school_id", "family", "-version"):
        key = (framework.school_id, framework.family)
        if key not in families:
            families[key] = FrameworkFamily(framework.family, framework.name, framework.is_shared)
        families[key].versions.append(framework)
    ordered = sorted(families.values(), key=lambda f: (not f.shared, f.name.lower()))
    return {"families": ordered, "in_use": in_use}


def next_version_number(school: School, family: str) -> int:
    """The next free version number of ``family`` for ``school`` (after the shared ones too)."""
    last = Framework.objects.filter(Q(school=school) | Q(school__isnull=True), family=family)
    return (last.aggregate(last=Max("version"))["last"] or 0) + 1


def get_own_area(membership: Membership, area_pk: int) -> Area:
    return get_object_or_404(
        Area.objects.select_related("framework", "parent"),
        pk=area_pk,
        framework__school=membership.school_id,
    )


def get_own_competency(membership: Membership, competency_pk: int) -> Competency:
    return get_object_or_404(
        Competency.objects.select_related("framework", "area").prefetch_related("descriptors"),
        pk=competency_pk,
        framework__school=membership.school_id,
    )
