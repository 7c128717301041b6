"""Builders of companies, contacts, history, internships, hires and reviews for the company
tests (the world has one of each per school; these add more)."""

from __future__ import annotations

import datetime
import itertools

from parcours.companies.models import (
    Company,
    CompanyEvent,
    Contact,
    Hire,
    Internship,
    TutorReview,
)

from ..factories import EnrolmentFactory

_numbers = itertools.count(1)

#: Valid SIRETs (checked with python-stdnum); the world's companies use 73282932000074.
FREE_SIRETS = ("35600000000048", "44306184100047")


def author(world):
    return world.members["company_relations"].user


def company(world, *, school=None, **fields) -> Company:
    school = school or world.school
    values = {
        "name": f"Entreprise {next(_numbers)}",
        "sector": "retail",
        "commune": "Riom",
        "created_by": author(world),
    }
    values.update(fields)
    return Company.objects.create(school=school, **values)


def contact(world, company_: Company, **fields) -> Contact:
    values = {"last_name": f"Contact{next(_numbers)}", "first_name": "Alex"}
    values.update(fields)
    return Contact.objects.create(school=company_.school, company=company_, **values)


def history(world, company_: Company, *, day=datetime.date(2024, 5, 2), **fields):
    values = {"kind": "call", "happened_on": day, "recorded_by": author(world)}
    values.update(fields)
    return CompanyEvent.objects.create(school=company_.school, company=company_, **values)


def internship(world, company_: Company, *, enrolment=None, tutor=None, start=None, **fields):
    """An internship in ``company_`` (a new trainee of the company's school by default)."""
    school = company_.school
    enrolment = enrolment or EnrolmentFactory(school=school)
    tutor = tutor or contact(world, company_, is_tutor=True, is_signatory=True)
    start = start or datetime.date(2024, 5, 6)
    values = {
        "job_title": "Employé·e de rayon",
        "start_date": start,
        "end_date": start + datetime.timedelta(days=11),
        "weekly_hours": 35,
        "tasks": "Mise en rayon.",
        "created_by": author(world),
    }
    values.update(fields)
    return Internship.objects.create(
        school=school, enrolment=enrolment, company=company_, tutor=tutor, signatory=tutor, **values
    )


def review(world, internship_: Internship, **fields) -> TutorReview:
    values = {
        "punctuality": 3,
        "attitude": 4,
        "tasks_mastered": "Mise en rayon.",
        "would_hire": "maybe",
        "comments": "Commentaire libre du tuteur.",
        "reviewer_name": internship_.tutor.full_name,
        "source": "call",
        "recorded_by": author(world),
    }
    values.update(fields)
    return TutorReview.objects.create(school=internship_.school, internship=internship_, **values)


def hire(world, internship_: Internship, **fields) -> Hire:
    values = {
        "contract_type": "cdi",
        "job_title": "Employé·e de rayon",
        "start_date": internship_.end_date + datetime.timedelta(days=14),
        "recorded_by": author(world),
    }
    values.update(fields)
    return Hire.objects.create(
        school=internship_.school,
        enrolment=internship_.enrolment,
        company=internship_.company,
        internship=internship_,
        **values,
    )


def full_company(world, *, rows: int, **fields) -> Company:
    """A company with ``rows`` contacts, history entries, internships, reviews and hires."""
    company_ = company(world, **fields)
    for index in range(rows):
        tutor = contact(world, company_, is_tutor=True, is_signatory=True, phone="+33473000000")
        history(world, company_, contact=tutor, summary=f"Échange {index}")
        done = internship(
            world,
            company_,
            tutor=tutor,
            start=datetime.date(2024, 1, 8) + datetime.timedelta(weeks=index),
        )
        review(world, done)
        hire(world, done)
    return company_
