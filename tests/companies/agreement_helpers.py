"""Helpers of the agreement tests: a minor trainee, an internship in the future or the past."""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.companies.models import Contact, Internship
from parcours.people.models import LegalGuardian

from ..factories import EnrolmentFactory, PersonFactory

#: The world's internship (8–19 April 2024); a trainee born on this day is 17 on its start.
MINOR_BIRTH = datetime.date(2007, 1, 15)


def minor_enrolment(world, *, guardian: bool = True):
    person = PersonFactory(
        school=world.school, last_name="Mineur", first_name="Théo", birth_date=MINOR_BIRTH
    )
    enrolment = EnrolmentFactory(school=world.school, person=person, site=world.site)
    if guardian:
        LegalGuardian.objects.create(
            school=world.school,
            person=person,
            relation="father",
            last_name="Mineur",
            first_name="Paul",
            address="3 rue des Gras, 63000 Clermont-Ferrand",
            phone="0473000000",
        )
    return enrolment


def internship(
    world,
    *,
    enrolment=None,
    start: datetime.date = datetime.date(2024, 4, 8),
    end: datetime.date = datetime.date(2024, 4, 19),
    second_signatory: bool = False,
    **fields,
) -> Internship:
    """A new internship with the world's company (no signature yet)."""
    company = world.objects["company"]
    contact = world.objects["contact"]
    second = None
    if second_signatory:
        second = Contact.objects.create(
            school=world.school,
            company=company,
            last_name="Gérante",
            first_name="Anne",
            job_title="Gérante",
            is_signatory=True,
        )
    values = {
        "school": world.school,
        "enrolment": enrolment or world.objects["enrolment"],
        "company": company,
        "tutor": contact,
        "signatory": contact,
        "second_signatory": second,
        "job_title": "Employé·e libre-service",
        "rome_code": "D1507",
        "start_date": start,
        "end_date": end,
        "weekly_hours": 30,
        "schedule": "Du lundi au vendredi, 9 h – 12 h et 14 h – 17 h",
        "tasks": "Mise en rayon, accueil des clients.",
        "created_by": world.members["company_relations"].user,
    }
    values.update(fields)
    return Internship.objects.create(**values)


def future_internship(world, **kwargs) -> Internship:
    today = timezone.localdate()
    return internship(
        world,
        start=today + datetime.timedelta(days=10),
        end=today + datetime.timedelta(days=20),
        **kwargs,
    )
