"""Reads of the person's rights (requests, notices), scoped to the membership's school."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership

from .models import LegalGuardian, NoticeRecipient, Person, PrivacyNotice, SubjectRequest


def get_person(membership: Membership, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.filter(school=membership.school).select_related("school"), pk=pk
    )


def get_request(membership: Membership, pk: int) -> SubjectRequest:
    return get_object_or_404(
        SubjectRequest.objects.filter(school=membership.school).select_related("person", "school"),
        pk=pk,
    )


def school_requests(membership: Membership) -> QuerySet[SubjectRequest]:
    """The school's requests: open ones first (earliest due first), then the answered ones."""
    return (
        SubjectRequest.objects.filter(school=membership.school)
        .select_related("person", "recorded_by")
        .order_by(F("answered_on").desc(nulls_first=True), "due_on", "-pk")
    )


def search_people(membership: Membership, query: str, limit: int = 20) -> list[Person]:
    words = query.split()
    if not words:
        return []
    people = Person.objects.filter(school=membership.school)
    for word in words[:4]:
        people = people.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    return list(people.order_by("last_name", "first_name", "pk")[:limit])


def person_rights(
    membership: Membership, person: Person, today: datetime.date, *, with_guardians: bool = True
) -> dict[str, Any]:
    """Requests, notices (and guardians) of a person, and whether a guardian's notice is
    missing for a minor (two or three queries)."""
    requests = list(
        SubjectRequest.objects.filter(school=membership.school, person=person).order_by(
            F("answered_on").desc(nulls_first=True), "-received_on", "-pk"
        )
    )
    notices = list(
        PrivacyNotice.objects.filter(school=membership.school, person=person)
        .select_related("guardian")
        .order_by("-given_on", "-pk")
    )
    guardians = (
        list(LegalGuardian.objects.filter(school=membership.school, person=person).order_by("pk"))
        if with_guardians
        else []
    )
    minor = person.age_on(today) < 18
    to_guardian = [n for n in notices if n.given_to == NoticeRecipient.GUARDIAN]
    return {
        "person": person,
        "requests": requests,
        "notices": notices,
        "guardians": guardians,
        "minor": minor,
        "person_notice_given": any(n.given_to == NoticeRecipient.PERSON for n in notices),
        "guardian_notice_given": bool(to_guardian),
        "guardian_notice_missing": minor and not to_guardian,
        "today": today,
    }


def latest_notice_version(membership: Membership) -> str:
    """The notice version recorded last in the school (the form's default)."""
    notice = (
        PrivacyNotice.objects.filter(school=membership.school).order_by("-given_on", "-pk").first()
    )
    return notice.version if notice else ""


def person_enrolments(membership: Membership, person: Person) -> list:
    from parcours.pathways.models import Enrolment

    return list(
        Enrolment.objects.filter(school=membership.school, person=person).order_by("-entry_date")
    )
