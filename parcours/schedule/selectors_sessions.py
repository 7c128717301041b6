"""Scoped reads of the session screens and the workshop types settings."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from parcours.organisations.models import Membership, Room, Site
from parcours.pathways.models import Enrolment, EnrolmentStatus

from .models import SessionTrainee, WorkshopType
from .selectors import ensure_workshop_types
from .services_sessions import TRAINER_ROLES


def workshop_types(membership: Membership) -> QuerySet[WorkshopType]:
    """Every workshop type of the school (in use or not), with its number of sessions."""
    ensure_workshop_types(membership.school)
    return (
        WorkshopType.objects.filter(school=membership.school_id)
        .annotate(session_count=Count("sessions"))
        .order_by("-active", "position", "name")
    )


def active_workshop_types(
    membership: Membership, *, keep: int | None = None
) -> QuerySet[WorkshopType]:
    """The workshop types in use (and ``keep``, an edited session's, even if out of use)."""
    ensure_workshop_types(membership.school)
    return WorkshopType.objects.filter(
        Q(active=True) | Q(pk=keep), school=membership.school_id
    ).order_by("position", "name")


def rooms(membership: Membership) -> QuerySet[Room]:
    return Room.objects.filter(school=membership.school_id).select_related("site")


def sites(membership: Membership) -> QuerySet[Site]:
    return Site.objects.filter(school=membership.school_id).order_by("name")


def trainers(membership: Membership) -> QuerySet[Membership]:
    """Who may lead a session: the school's referents and director(s) with an active account."""
    return (
        Membership.objects.filter(
            school=membership.school_id, role__in=TRAINER_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def active_enrolments(membership: Membership) -> QuerySet[Enrolment]:
    """The school's trainees in pathway, by name."""
    return (
        Enrolment.objects.filter(school=membership.school_id, status=EnrolmentStatus.ACTIVE)
        .select_related("person", "site", "referent__user")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def session_places(session) -> QuerySet[SessionTrainee]:
    return (
        SessionTrainee.objects.filter(session=session)
        .select_related("enrolment__person", "enrolment__referent__user")
        .order_by("enrolment__person__last_name", "enrolment__person__first_name")
    )


def group_enrolments(
    membership: Membership, *, referent: Membership | None = None, site: Site | None = None
) -> list[Enrolment]:
    """The active trainees of a referent's caseload and/or of a site (the "group" helper)."""
    condition = Q()
    if referent is not None:
        condition |= Q(referent=referent)
    if site is not None:
        condition |= Q(site=site)
    if not condition:
        return []
    return list(active_enrolments(membership).filter(condition))
