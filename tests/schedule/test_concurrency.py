"""Double booking is impossible on PostgreSQL, even at the same moment: several threads (each
with its own database connection) book the same room and slot at once, exactly one succeeds;
and the database itself refuses an overlapping row written without the service."""

from __future__ import annotations

import datetime
import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from parcours.schedule import services_sessions
from parcours.schedule.models import Session

from .sessions_helpers import T, booking, second_trainer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's"
)

THREADS = 8
DAY = datetime.date(2024, 3, 5)


# serialized_rollback: the flush after a transactional test would otherwise take away the rows
# that migrations create (the default competency framework…) from the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_several_people_booking_the_same_room_at_once_exactly_one_succeeds(world):
    # Different trainers, so only the room is contended.
    trainers = [world.members["referent"], world.members["director"], second_trainer(world)]
    from ..factories import MembershipFactory, UserFactory

    trainers += [
        MembershipFactory(
            user=UserFactory(email=f"f{i}@alpha.example.org"), school=world.school, role="referent"
        )
        for i in range(THREADS - len(trainers))
    ]
    barrier = threading.Barrier(THREADS)
    created, refused, crashed = [], [], []

    def book(trainer):
        try:
            barrier.wait(timeout=10)
            session = services_sessions.create_session(
                **booking(world, day=DAY, start_time=T(9, 0), end_time=T(12, 0), trainer=trainer)
            )
            created.append(session.pk)
        except ValidationError as error:
            refused.append(error.messages)
        except Exception as error:
            crashed.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(trainer,)) for trainer in trainers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not crashed, crashed
    assert len(created) == 1
    assert len(refused) == THREADS - 1
    assert all("Salle Alpha" in " ".join(messages) for messages in refused)
    assert Session.objects.filter(room=world.room, day=DAY).count() == 1


@pytest.mark.django_db
def test_the_database_alone_refuses_an_overlapping_session(world):
    existing = world.objects["session"]  # 9:00–12:00 in world.room
    overlapping = Session(
        school=world.school,
        site=world.site,
        room=world.room,
        workshop_type=existing.workshop_type,
        day=existing.day,
        start_time=T(11, 0),
        end_time=T(13, 0),
        trainer=second_trainer(world),
        created_by=world.members["director"].user,
    )
    with pytest.raises(IntegrityError, match="session_room_no_overlap"), transaction.atomic():
        overlapping.save()  # the savepoint keeps the test's transaction usable
    # Touching at noon is fine for the database too.
    overlapping.pk = None
    overlapping.start_time, overlapping.end_time = T(12, 0), T(13, 0)
    overlapping.save()
    assert Session.objects.filter(room=world.room, day=existing.day).count() == 2


@pytest.mark.django_db
def test_the_constraint_error_becomes_a_french_message(world):
    """When the checks saw the room free but another booking committed meanwhile, the
    constraint's IntegrityError is turned into the same kind of message; nothing is written."""
    before = Session.objects.count()
    with (
        mock.patch.object(services_sessions, "_slot_problems", return_value=[]),
        pytest.raises(ValidationError) as caught,
    ):
        services_sessions.create_session(
            **booking(world, start_time=T(11, 0), end_time=T(13, 0), trainer=second_trainer(world))
        )
    assert caught.value.messages == [
        "La salle « Salle Alpha » vient d'être réservée par quelqu'un d'autre pour ce créneau "
        "(le 04/03/2024 de 11:00 à 13:00). Choisissez un autre créneau ou une autre salle."
    ]
    assert Session.objects.count() == before
