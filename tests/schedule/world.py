"""Schedule objects of the test world, for both schools: a morning session with the world's
trainee, their attendance mark, and a calendar feed of the trainer."""

from __future__ import annotations

import datetime

from parcours.schedule.models import AttendanceMark, CalendarFeed, Session, SessionTrainee
from parcours.schedule.selectors import ensure_workshop_types

SESSION_DAY = datetime.date(2024, 3, 4)  # a Monday, in the world enrolment's pathway


def _build(school, site, room, trainer, objects: dict) -> None:
    types = ensure_workshop_types(school)
    enrolment = objects["enrolment"]
    session = Session.objects.create(
        school=school,
        site=site,
        room=room,
        workshop_type=types[0],
        day=SESSION_DAY,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
        trainer=trainer,
        created_by=trainer.user,
    )
    SessionTrainee.objects.create(school=school, session=session, enrolment=enrolment)
    mark = AttendanceMark.objects.create(
        school=school,
        enrolment=enrolment,
        day=SESSION_DAY,
        half="am",
        status="present",
        session=session,
        recorded_by=trainer.user,
    )
    feed = CalendarFeed.objects.create(school=school, membership=trainer, created_by=trainer.user)
    trainee_feed = CalendarFeed.objects.create(
        school=school, enrolment=enrolment, created_by=trainer.user
    )
    objects.update(
        workshop_type=types[0],
        session=session,
        attendance_mark=mark,
        calendar_feed=feed,
        trainee_feed=trainee_feed,
    )


def build_schedule_world(world) -> None:
    _build(world.school, world.site, world.room, world.members["referent"], world.objects)
    _build(world.other_school, world.other_site, world.other_room, world.outsider, world.others)
