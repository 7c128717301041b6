"""Reads of the individual plan: its versions, and one version with its lists.

Every function takes an enrolment already read through ``selectors.get_enrolment`` (so scoped
to the membership's school and to ``Perm.VIEW_TRAINEES``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from parcours.organisations.models import Membership

from .models import Enrolment, Plan


def plan_versions(membership: Membership, enrolment: Enrolment) -> QuerySet[Plan]:
    """The plan's versions, newest first (without their lists)."""
    return (
        Plan.objects.filter(school=membership.school, enrolment=enrolment)
        .select_related("created_by")
        .order_by("-version")
    )


def plan_version(membership: Membership, enrolment: Enrolment, version: int | None) -> Plan | None:
    """One version with its target jobs, goals and steps (the latest when ``version`` is None).

    An unknown version is a 404; an enrolment without a plan gives None.
    """
    plans = plan_versions(membership, enrolment).prefetch_related("target_jobs", "goals", "steps")
    if version is None:
        return plans.first()
    plan = plans.filter(version=version).first()
    if plan is None:
        raise Http404("Version de plan inconnue.")
    return plan
