"""Helpers of the attendance tests: trainees of the world's site and sessions on any day."""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.schedule.models import Session, SessionTrainee
from tests.factories import EnrolmentFactory


def today() -> datetime.date:
    return timezone.localdate()


def trainees(world, count: int, **kwargs):
    kwargs.setdefault("site", world.site)
    return EnrolmentFactory.create_batch(count, school=world.school, **kwargs)


def session_on(world, day, enrolments=(), start=(9, 0), end=(12, 0), room=None) -> Session:
    trainer = world.members["referent"]
    session = Session.objects.create(
        school=world.school,
        site=world.site,
        room=room or world.room,
        workshop_type=world.objects["workshop_type"],
        day=day,
        start_time=datetime.time(*start),
        end_time=datetime.time(*end),
        trainer=trainer,
        created_by=trainer.user,
    )
    SessionTrainee.objects.bulk_create(
        SessionTrainee(school=world.school, session=session, enrolment=enrolment)
        for enrolment in enrolments
    )
    return session
