"""Reads of people, scoped to the membership's school."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from parcours.organisations.models import Membership, School

from .models import Person


def find_duplicates(
    *,
    school: School,
    last_name: str,
    first_name: str,
    birth_date: datetime.date | None,
    email: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
) -> QuerySet[Person]:
    """People of ``school`` who look like the one being entered.

    Same name and birth date (case-insensitive, surrounding spaces ignored), or the same email,
    or the same phone number (``phone`` already normalised to E.164).
    """
    match = Q(pk__in=[])
    if last_name and first_name and birth_date:
        match |= Q(
            last_name__iexact=last_name.strip(),
            first_name__iexact=first_name.strip(),
            birth_date=birth_date,
        )
    if email:
        match |= Q(email__iexact=email.strip())
    if phone:
        match |= Q(phone=phone)
    people = Person.objects.filter(match, school=school)
    if exclude_pk:
        people = people.exclude(pk=exclude_pk)
    return people.order_by("last_name", "first_name")


def duplicates_with_history(*, membership: Membership, limit: int = 10, **identity) -> list[Person]:
    """Look-alikes of the person being entered (staff only), with their referrals and stays."""
    from django.db.models import Prefetch

    from parcours.intake.models import Referral

    people = find_duplicates(school=membership.school, **identity).prefetch_related(
        Prefetch(
            "referrals",
            queryset=Referral.objects.filter(school=membership.school)
            .select_related("prescriber")
            .order_by("-received_on"),
        ),
        "enrolments",
    )
    return list(people[:limit])


def people_for(membership: Membership) -> QuerySet[Person]:
    return Person.objects.filter(school=membership.school)
