"""Reads of the staff endpoints that the web has no list for, scoped to the membership.

The others reuse the web's selectors (``pathways.selectors_lists``, ``outcomes.selectors_exits``).
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from parcours.intake.models import Referral
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment, EnrolmentPhase, EnrolmentStatus
from parcours.people.models import Person
from parcours.people.selectors import people_for
from parcours.schedule.models import AttendanceMark


def visible_people(membership: Membership) -> QuerySet[Person]:
    """The school's people the membership meets in the web: trainees (on the trainee pages,
    ``VIEW_TRAINEES``) and candidates (on the candidate pages, ``VIEW_CANDIDATES``)."""
    if not has_perm(membership, Perm.VIEW_PERSONAL_DATA):
        return Person.objects.none()
    seen = Q(pk__in=[])
    if has_perm(membership, Perm.VIEW_TRAINEES):
        seen |= Q(Exists(Enrolment.objects.filter(person=OuterRef("pk"))))
    if has_perm(membership, Perm.VIEW_CANDIDATES):
        seen |= Q(Exists(Referral.objects.filter(person=OuterRef("pk"))))
    return people_for(membership).filter(seen)


def search_people(membership: Membership, *, text: str = "") -> QuerySet[Person]:
    """People whose last or first name contains every word of ``text``, by name."""
    people = visible_people(membership)
    for word in text.split()[:5]:
        people = people.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    return people.order_by("last_name", "first_name", "pk")


def get_person(membership: Membership, pk: int) -> Person:
    return get_object_or_404(visible_people(membership), pk=pk)


def marks_for(
    membership: Membership,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    enrolment_id: int | None = None,
    site_id: int | None = None,
    enrolment_ids: list[int] | None = None,
    halves: list[str] | None = None,
) -> QuerySet[AttendanceMark]:
    """The school's half-day marks (``VIEW_SCHEDULE``), by day, half-day and enrolment."""
    if not has_perm(membership, Perm.VIEW_SCHEDULE):
        return AttendanceMark.objects.none()
    marks = AttendanceMark.objects.filter(school=membership.school_id)
    if date_from is not None:
        marks = marks.filter(day__gte=date_from)
    if date_to is not None:
        marks = marks.filter(day__lte=date_to)
    if enrolment_id is not None:
        marks = marks.filter(enrolment_id=enrolment_id)
    if enrolment_ids is not None:
        marks = marks.filter(enrolment_id__in=enrolment_ids)
    if halves is not None:
        marks = marks.filter(half__in=halves)
    if site_id is not None:
        marks = marks.filter(enrolment__site_id=site_id)
    return marks.order_by("day", "half", "enrolment_id", "pk")


def enrolment_phases(enrolment: Enrolment) -> list[EnrolmentPhase]:
    """The phases of an enrolment already read through a scoped selector, in order."""
    return list(
        EnrolmentPhase.objects.filter(enrolment=enrolment, school=enrolment.school_id)
        .select_related("phase")
        .order_by("started_on", "pk")
    )


def exit_id(enrolment: Enrolment) -> int | None:
    """The id of the enrolment's exit (``None`` for an enrolment in progress: no query)."""
    if enrolment.status != EnrolmentStatus.EXITED:
        return None
    return (
        Exit.objects.filter(enrolment=enrolment, school=enrolment.school_id)
        .values_list("pk", flat=True)
        .first()
    )
