"""Outcome objects of the test world, for both schools: a trainee who exited (CDD of 4 months)
with the 3-month follow-up due, a definition of the school's own, and a headline choice."""

from __future__ import annotations

import datetime

from parcours.outcomes.models import (
    Exit,
    ExitFollowUp,
    HeadlineDefinition,
    OutcomeDefinition,
)
from parcours.pathways.models import EnrolmentStatus

from ..factories import EnrolmentFactory, PersonFactory

EXIT_DATE = datetime.date(2024, 3, 29)


def _build(school, site, referent, objects: dict) -> None:
    person = PersonFactory(school=school, last_name=f"Sortant{school.slug}", first_name="Noé")
    enrolment = EnrolmentFactory(
        school=school,
        person=person,
        site=site,
        referent=referent,
        entry_date=datetime.date(2023, 10, 2),
        planned_end_date=datetime.date(2024, 4, 2),
        status=EnrolmentStatus.EXITED,
        ended_on=EXIT_DATE,
    )
    exit_ = Exit.objects.create(
        school=school,
        enrolment=enrolment,
        exit_date=EXIT_DATE,
        destination="cdd",
        months=4,
        organisation="Transports Dômes",
        recorded_by=referent.user,
    )
    follow_up = ExitFollowUp.objects.create(
        school=school, exit=exit_, wave=3, due_on=datetime.date(2024, 6, 29)
    )
    definition = OutcomeDefinition.objects.create(
        school=school,
        code=f"emploi-durable-{school.slug}",
        version=1,
        name="Emploi durable (école)",
        rules=[{"destinations": ["cdi"], "min_months": None, "strict": False}],
        excluded=[],
        valid_from=datetime.date(2020, 1, 1),
    )
    HeadlineDefinition.objects.create(school=school, year=2024, definition=definition)
    objects.update(
        exited_enrolment=enrolment, exit=exit_, exit_follow_up=follow_up, definition=definition
    )


def build_outcomes_world(world) -> None:
    _build(world.school, world.site, world.members["referent"], world.objects)
    _build(world.other_school, world.other_site, world.outsider, world.others)
