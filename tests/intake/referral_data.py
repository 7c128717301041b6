"""Shared data for the tests of referrals, decisions and entries (dates relative to today)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.intake.models import Decision, Interview, Referral
from parcours.pathways.models import Enrolment, EntrySituation
from parcours.people.models import Person, years_before

from ..factories import PersonFactory, ReferralFactory


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


def born_aged(age: int) -> datetime.date:
    """A birth date giving ``age`` today and for the next ten months."""
    return years_before(today(), age) - datetime.timedelta(days=60)


def fresh_referral(world, *, age: int = 20, gender: str = "F", person=None, **kwargs) -> Referral:
    """An eligible candidate of the world's school, referred by the world's prescriber."""
    if person is None:
        person = PersonFactory(school=world.school, birth_date=born_aged(age), gender=gender)
    defaults = {
        "school": world.school,
        "person": person,
        "prescriber": world.prescriber_partner,
        "adviser": world.members["prescriber"],
        "received_on": days_ago(20),
        "left_school_on": days_ago(800),
    }
    defaults.update(kwargs)
    return ReferralFactory(**defaults)


def referral_form_data(**changes) -> dict:
    """A valid submission of the prescriber's referral form."""
    data = {
        "last_name": "Martin",
        "first_name": "Léa",
        "birth_date": born_aged(19).isoformat(),
        "gender": "F",
        "email": "lea.martin@example.net",
        "phone": "06 12 34 56 78",
        "job_seeker_status": "registered",
        "left_school_on": days_ago(500).isoformat(),
        "qpv_code": "",
        "reason": "Souhaite reprendre une formation dans la logistique.",
        "funding_line": "",
    }
    data.update(changes)
    return data


def staff_referral_data(world, **changes) -> dict:
    """A valid submission of the intake team's form (a referral received by phone)."""
    data = referral_form_data(
        channel="phone",
        received_on=days_ago(2).isoformat(),
        prescriber=world.prescriber_partner.pk,
        adviser="",
    )
    data.update(changes)
    return data


def counts() -> tuple[int, ...]:
    """Rows that any intake write could add: nothing may change when input is refused."""
    return (
        Person.objects.count(),
        Referral.objects.count(),
        Interview.objects.count(),
        Decision.objects.count(),
        Enrolment.objects.count(),
        EntrySituation.objects.count(),
        AuditEvent.objects.count(),
    )
