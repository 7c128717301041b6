"""Helpers of the session tests: rooms, trainees and a ready-to-book set of arguments."""

from __future__ import annotations

import datetime

from parcours.organisations.models import Room
from parcours.schedule.models import Session, WorkshopType

from ..factories import EnrolmentFactory, MembershipFactory, PersonFactory, RoomFactory, UserFactory

DAY = datetime.date(2024, 3, 4)  # the world session's day: 9:00–12:00 in world.room
NEXT_MONDAY = datetime.date(2024, 3, 11)
T = datetime.time


def plain_type(world) -> WorkshopType:
    return WorkshopType.objects.get(school=world.school, name="Français et communication")


def computer_type(world) -> WorkshopType:
    return WorkshopType.objects.get(school=world.school, name="Numérique")


def computer_room(world) -> Room:
    return Room.objects.get(site=world.site, name="Salle Informatique Alpha")


def trainee(world, *, step_free: bool = False, **kwargs):
    person = PersonFactory(school=world.school, needs_step_free=step_free)
    kwargs.setdefault("referent", world.members["referent"])
    return EnrolmentFactory(school=world.school, person=person, site=world.site, **kwargs)


def second_trainer(world):
    user = UserFactory(email="formateur2@alpha.example.org", last_name="Alphaformateur")
    return MembershipFactory(user=user, school=world.school, role="referent")


def booking(world, **overrides) -> dict:
    """Arguments of ``create_session``: a free slot (14:00–16:00) in world.room."""
    kwargs = {
        "membership": world.members["director"],
        "site": world.site,
        "room": world.room,
        "workshop_type": plain_type(world),
        "day": DAY,
        "start_time": T(14, 0),
        "end_time": T(16, 0),
        "trainer": world.members["referent"],
    }
    kwargs.update(overrides)
    return kwargs


def count() -> int:
    return Session.objects.count()


def step_free_room(world, *, step_free: bool, **kwargs) -> Room:
    return RoomFactory(site=world.site, step_free=step_free, **kwargs)
