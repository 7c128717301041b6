"""Helpers of the tutor review tests: a fresh internship without review, the token in a mail."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from parcours.companies.models import Internship, InternshipGoal

TOKEN_RE = re.compile(r"/bilan-de-stage/([A-Za-z0-9_\-]+)/")


def new_internship(
    world,
    *,
    start: datetime.date,
    end: datetime.date,
    other: bool = False,
    with_goal: bool = True,
) -> Internship:
    """An internship of the world's trainee (or the other school's), without review or link."""
    objects = world.others if other else world.objects
    school = world.other_school if other else world.school
    internship = Internship.objects.create(
        school=school,
        enrolment=objects["enrolment"],
        company=objects["company"],
        tutor=objects["contact"],
        signatory=objects["contact"],
        job_title="Employé·e libre-service",
        start_date=start,
        end_date=end,
        weekly_hours=35,
        tasks="Mise en rayon.",
        created_by=world.members["company_relations"].user,
    )
    if with_goal:
        InternshipGoal.objects.create(
            school=school,
            internship=internship,
            competency=objects["competency"],
            description="S'exprimer avec les clients",
        )
    return internship


def recent_internship(world, **kwargs) -> Internship:
    """An internship that ended ten days ago."""
    today = timezone.localdate()
    return new_internship(
        world,
        start=today - datetime.timedelta(days=24),
        end=today - datetime.timedelta(days=10),
        **kwargs,
    )


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def token_from(message) -> str:
    match = TOKEN_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def review_data(**overrides) -> dict:
    data = {
        "punctuality": 4,
        "attitude": 3,
        "tasks_mastered": "Mise en rayon, accueil des clients.",
        "would_hire": "yes",
        "comments": "Stagiaire sérieuse.",
        "reviewer_name": "Marc Tuteur",
        "levels": {},
    }
    data.update(overrides)
    return data
