"""Intake objects of the test world, for both schools (used by the URL walk and view tests)."""

from __future__ import annotations

import datetime

from parcours.intake.models import Outcome, Stage

from ..factories import (
    DecisionFactory,
    InfoSessionFactory,
    InterviewFactory,
    PersonFactory,
    ReferralFactory,
    RegistrationFactory,
)


def _build(world, school, site, prescriber, adviser, interviewer, objects: dict) -> None:
    person = PersonFactory(school=school, last_name=f"Candidat{school.slug}", first_name="Yanis")
    referral = ReferralFactory(school=school, person=person, prescriber=prescriber, adviser=adviser)
    InterviewFactory(
        referral=referral, school=school, interviewer=interviewer, created_by=interviewer.user
    )
    DecisionFactory(referral=referral, school=school, site=site, decided_by=interviewer.user)
    referral.stage, referral.outcome = Stage.DECISION, Outcome.ADMITTED
    referral.save()
    upcoming = InfoSessionFactory(school=school, site=site)
    past = InfoSessionFactory(
        school=school,
        site=site,
        starts_at=datetime.datetime(2024, 1, 15, 8, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2024, 1, 15, 10, 0, tzinfo=datetime.UTC),
    )
    registration = RegistrationFactory(session=upcoming, school=school)
    RegistrationFactory(session=past, school=school, referral=referral)
    objects.update(
        person=person,
        referral=referral,
        info_session=upcoming,
        past_info_session=past,
        registration=registration,
    )


def build_intake_world(world) -> None:
    _build(
        world,
        world.school,
        world.site,
        world.prescriber_partner,
        world.members["prescriber"],
        world.members["intake"],
        world.objects,
    )
    _build(
        world,
        world.other_school,
        world.other_site,
        world.other_partner,
        None,
        world.outsider,
        world.others,
    )
