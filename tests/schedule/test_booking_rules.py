"""The booking rules of ``services_sessions`` (both databases): overlaps at the boundary,
trainer, times, capacity, computer rooms, step-free rooms, trainees' other sessions and
pathway dates, recurring series (all or nothing), changes, cancellation, trainees."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from parcours.audit.models import AuditEvent
from parcours.schedule import services_sessions
from parcours.schedule.models import Session, SessionSeries, SessionTrainee

from ..factories import RoomFactory, SiteFactory
from .sessions_helpers import (
    NEXT_MONDAY,
    T,
    booking,
    computer_room,
    computer_type,
    count,
    second_trainer,
    step_free_room,
    trainee,
)

pytestmark = pytest.mark.django_db


def refused(message: str, **kwargs) -> None:
    """``create_session(**kwargs)`` is refused with ``message`` and writes nothing."""
    before = (count(), SessionTrainee.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        services_sessions.create_session(**kwargs)
    assert any(message in text for text in caught.value.messages), caught.value.messages
    assert (count(), SessionTrainee.objects.count(), AuditEvent.objects.count()) == before


# ------------------------------------------------------------------------------ room and slot


def test_a_session_ending_at_noon_and_one_starting_at_noon_do_not_overlap(world):
    # The world session is 9:00–12:00 in world.room with the same trainer.
    session = services_sessions.create_session(
        **booking(world, start_time=T(12, 0), end_time=T(15, 0))
    )
    assert session.room == world.room and count() == 3
    before = services_sessions.create_session(
        **booking(world, start_time=T(7, 0), end_time=T(9, 0))
    )
    assert before.pk
    event = AuditEvent.objects.get(action="session.create", object_id=str(session.pk))
    assert event.changes["room"] == world.room.pk and event.changes["trainees"] == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [(T(11, 0), T(13, 0)), (T(8, 0), T(9, 30)), (T(9, 0), T(12, 0)), (T(10, 0), T(11, 0))],
)
def test_an_overlapping_session_in_the_same_room_is_refused(world, start, end):
    refused(
        "Le 04/03/2024, la salle « Salle Alpha » est déjà occupée de 09:00 à 12:00 "
        "(Français et communication).",
        **booking(world, start_time=start, end_time=end, trainer=second_trainer(world)),
    )


def test_the_same_slot_in_another_room_is_fine_but_not_with_the_same_trainer(world):
    other_room = RoomFactory(site=world.site, name="Salle Bis")
    refused(
        "anime déjà une séance de 09:00 à 12:00",
        **booking(world, room=other_room, start_time=T(10, 0), end_time=T(11, 0)),
    )
    session = services_sessions.create_session(
        **booking(
            world,
            room=other_room,
            start_time=T(10, 0),
            end_time=T(11, 0),
            trainer=second_trainer(world),
        )
    )
    assert session.pk


def test_times_must_be_ordered_and_within_the_day(world):
    refused("La séance doit finir après son début.", **booking(world, end_time=T(14, 0)))
    refused("La séance doit finir après son début.", **booking(world, end_time=T(13, 0)))
    refused("Les séances ont lieu entre 07:00 et 20:00.", **booking(world, start_time=T(6, 30)))
    refused("Les séances ont lieu entre 07:00 et 20:00.", **booking(world, end_time=T(20, 30)))


def test_the_room_must_be_of_the_site_and_the_school_and_open(world):
    other_site = SiteFactory(school=world.school, name="Site Bis")
    refused("n'est pas une salle du site", **booking(world, site=other_site))
    refused("Site inconnu.", **booking(world, site=world.other_site, room=world.other_room))
    refused("n'est pas une salle du site", **booking(world, room=world.other_room))
    closed = RoomFactory(
        site=world.site, name="Ancienne salle", closed_on=datetime.date(2024, 1, 1)
    )
    refused(
        "Le 04/03/2024, la salle « Ancienne salle » n'est pas ouverte.",
        **booking(world, room=closed),
    )


def test_the_trainer_must_be_a_referent_or_the_director_of_the_school(world):
    refused("doit être un·e référent·e", **booking(world, trainer=world.members["intake"]))
    refused("doit être un·e référent·e", **booking(world, trainer=world.outsider))


# ------------------------------------------------------------------------------ room fit


def test_a_session_needing_computers_goes_only_in_a_computer_room(world):
    refused(
        "Cette séance nécessite des ordinateurs",
        **booking(world, workshop_type=computer_type(world)),
    )
    refused("Cette séance nécessite des ordinateurs", **booking(world, needs_computers=True))
    session = services_sessions.create_session(
        **booking(world, workshop_type=computer_type(world), room=computer_room(world))
    )
    assert session.needs_computers is True
    # Said explicitly: this digital session needs no computers.
    session = services_sessions.create_session(
        **booking(
            world,
            workshop_type=computer_type(world),
            needs_computers=False,
            start_time=T(16, 0),
            end_time=T(17, 0),
        )
    )
    assert session.needs_computers is False


def test_no_more_trainees_than_the_room_holds(world):
    small = RoomFactory(site=world.site, name="Petite salle", capacity=3)
    trainees = [trainee(world) for _ in range(4)]
    refused(
        "La salle « Petite salle » accueille au plus 3 personnes (4 choisies).",
        **booking(world, room=small, trainees=trainees),
    )
    session = services_sessions.create_session(**booking(world, room=small, trainees=trainees[:3]))
    assert session.participants.count() == 3


def test_a_trainee_who_needs_step_free_access_only_in_a_step_free_room(world):
    upstairs = step_free_room(world, step_free=False, name="Salle à l'étage")
    needs = trainee(world, step_free=True)
    refused(
        "a besoin d'une salle de plain-pied, ce que « Salle à l'étage » n'est pas.",
        **booking(world, room=upstairs, trainees=[needs]),
    )
    # Others may go upstairs; the trainee goes in a step-free room.
    assert services_sessions.create_session(
        **booking(world, room=upstairs, trainees=[trainee(world)])
    )
    ground = step_free_room(world, step_free=True, name="Salle du rez-de-chaussée")
    session = services_sessions.create_session(
        **booking(world, room=ground, trainees=[needs], trainer=second_trainer(world))
    )
    assert list(session.trainees.all()) == [needs]


def test_a_trainee_cannot_be_in_two_sessions_at_once(world):
    enrolment = world.objects["enrolment"]  # in the world session, 9:00–12:00
    other_room = RoomFactory(site=world.site, name="Salle Bis")
    refused(
        "est déjà inscrit·e à une séance de 09:00 à 12:00",
        **booking(
            world,
            room=other_room,
            start_time=T(11, 0),
            end_time=T(12, 30),
            trainer=second_trainer(world),
            trainees=[enrolment],
        ),
    )


def test_a_trainee_only_during_their_pathway(world):
    late = trainee(world, entry_date=datetime.date(2024, 3, 5))
    refused("n'est pas en parcours ce jour-là.", **booking(world, trainees=[late]))
    gone = trainee(
        world,
        entry_date=datetime.date(2023, 9, 4),
        status="exited",
        ended_on=datetime.date(2024, 3, 1),
    )
    refused("n'est pas en parcours ce jour-là.", **booking(world, trainees=[gone]))


def test_a_trainee_of_another_school_is_refused(world):
    refused("Stagiaire inconnu·e.", **booking(world, trainees=[world.others["enrolment"]]))


# ------------------------------------------------------------------------------ recurring


def series(world, **overrides) -> dict:
    kwargs = booking(world, **overrides)
    kwargs.pop("day")
    kwargs.setdefault("weekday", 0)
    kwargs.setdefault("first_day", datetime.date(2024, 3, 1))
    kwargs.setdefault("last_day", datetime.date(2024, 3, 31))
    return kwargs


def test_recurring_sessions_every_monday_until_a_date(world):
    enrolment = trainee(world)
    sessions = services_sessions.create_recurring_sessions(
        **series(world, start_time=T(13, 30), end_time=T(16, 30), trainees=[enrolment])
    )
    assert [s.day for s in sessions] == [
        datetime.date(2024, 3, 4),
        datetime.date(2024, 3, 11),
        datetime.date(2024, 3, 18),
        datetime.date(2024, 3, 25),
    ]
    series_row = SessionSeries.objects.get()
    assert {s.series_id for s in sessions} == {series_row.pk}
    assert all(list(s.trainees.all()) == [enrolment] for s in sessions)
    event = AuditEvent.objects.get(action="session.create_series")
    assert event.changes["sessions"] == [s.pk for s in sessions]


def test_recurring_creation_is_rolled_back_entirely_if_one_occurrence_conflicts(world):
    # The world session (Monday 4 March 9:00–12:00) and another one on 18 March.
    services_sessions.create_session(
        **booking(world, day=datetime.date(2024, 3, 18), start_time=T(10, 0), end_time=T(11, 0))
    )
    before = (count(), SessionSeries.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        services_sessions.create_recurring_sessions(
            **series(world, start_time=T(9, 0), end_time=T(12, 0), trainer=second_trainer(world))
        )
    messages = caught.value.messages
    assert (
        "Le 04/03/2024, la salle « Salle Alpha » est déjà occupée de 09:00 à 12:00 "
        "(Français et communication)." in messages
    )
    assert any(m.startswith("Le 18/03/2024, la salle « Salle Alpha »") for m in messages)
    assert not any("11/03/2024" in m or "25/03/2024" in m for m in messages)
    assert (count(), SessionSeries.objects.count(), AuditEvent.objects.count()) == before


def test_recurring_creation_checks_the_pathway_on_every_day(world):
    leaving = trainee(
        world, entry_date=datetime.date(2023, 9, 4), status="exited", ended_on=NEXT_MONDAY
    )
    before = count()
    with pytest.raises(ValidationError) as caught:
        services_sessions.create_recurring_sessions(**series(world, trainees=[leaving]))
    assert [m[:13] for m in caught.value.messages] == ["Le 18/03/2024", "Le 25/03/2024"]
    assert count() == before


def test_recurring_limits(world):
    with pytest.raises(ValidationError, match="au plus 53 séances"):
        services_sessions.create_recurring_sessions(
            **series(world, last_day=datetime.date(2025, 6, 30))
        )
    with pytest.raises(ValidationError, match="doit suivre"):
        services_sessions.create_recurring_sessions(
            **series(world, last_day=datetime.date(2024, 2, 1))
        )
    with pytest.raises(ValidationError, match="Aucun lundi"):
        services_sessions.create_recurring_sessions(
            **series(world, first_day=datetime.date(2024, 3, 5), last_day=datetime.date(2024, 3, 9))
        )
    assert count() == 2 and not SessionSeries.objects.exists()


# ------------------------------------------------------------------------------ changes


def test_a_change_does_not_conflict_with_itself_but_with_others(world):
    session = services_sessions.create_session(**booking(world, trainees=[trainee(world)]))
    kwargs = booking(world, start_time=T(13, 0), end_time=T(16, 30))
    kwargs.pop("trainees", None)
    services_sessions.update_session(session=session, **kwargs)
    session.refresh_from_db()
    assert (session.start_time, session.end_time) == (T(13, 0), T(16, 30))
    event = AuditEvent.objects.get(action="session.update")
    assert event.changes["start_time"] == ["14:00", "13:00"]
    kwargs["start_time"] = T(11, 30)
    with pytest.raises(ValidationError, match="est déjà occupée de 09:00 à 12:00"):
        services_sessions.update_session(session=session, **kwargs)
    session.refresh_from_db()
    assert session.start_time == T(13, 0)


def test_a_change_rechecks_the_trainees_in_the_new_room(world):
    session = services_sessions.create_session(
        **booking(world, trainees=[trainee(world, step_free=True)])
    )
    upstairs = step_free_room(world, step_free=False, name="Salle à l'étage")
    kwargs = booking(world, room=upstairs)
    with pytest.raises(ValidationError, match="plain-pied"):
        services_sessions.update_session(session=session, **kwargs)
    assert Session.objects.get(pk=session.pk).room == world.room


def test_a_session_with_marks_keeps_its_day_and_times(world):
    session = world.objects["session"]
    kwargs = booking(world, start_time=T(9, 0), end_time=T(11, 0))
    with pytest.raises(ValidationError, match="présences de cette séance ont déjà été saisies"):
        services_sessions.update_session(session=session, **kwargs)
    # Its title may still change.
    kwargs.update(start_time=T(9, 0), end_time=T(12, 0), title="Français : l'argumentation")
    services_sessions.update_session(session=session, **kwargs)
    assert Session.objects.get(pk=session.pk).title == "Français : l'argumentation"


# ------------------------------------------------------------------------------ cancel


def test_cancel_a_session_without_marks(world):
    session = services_sessions.create_session(**booking(world, trainees=[trainee(world)]))
    services_sessions.cancel_session(
        membership=world.members["director"], session=session, reason="trainer_absent"
    )
    assert not Session.objects.filter(pk=session.pk).exists()
    event = AuditEvent.objects.get(action="session.cancel")
    assert event.changes["trainees"] == 1 and event.object_id == str(session.pk)
    assert event.changes["reason"] == "trainer_absent"


def test_a_session_with_marks_cannot_be_cancelled(world):
    before = (count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="elle ne peut plus être annulée"):
        services_sessions.cancel_session(
            membership=world.members["director"], session=world.objects["session"], reason="other"
        )
    for reason in (" ", "Formateur absent"):  # a code of SessionCancelReason, no free text
        with pytest.raises(ValidationError, match="Indiquez le motif"):
            services_sessions.cancel_session(
                membership=world.members["director"],
                session=world.objects["session"],
                reason=reason,
            )
    with pytest.raises(ValidationError, match="Séance inconnue"):
        services_sessions.cancel_session(
            membership=world.members["director"], session=world.others["session"], reason="other"
        )
    assert (count(), AuditEvent.objects.count()) == before


# ------------------------------------------------------------------------------ trainees


def test_add_set_and_remove_trainees(world):
    session = services_sessions.create_session(**booking(world))
    director = world.members["director"]
    first, second = trainee(world), trainee(world)
    services_sessions.add_trainees(membership=director, session=session, enrolments=[first])
    services_sessions.add_trainees(membership=director, session=session, enrolments=[second])
    assert set(session.trainees.all()) == {first, second}
    services_sessions.remove_trainees(membership=director, session=session, enrolments=[first])
    assert list(session.trainees.all()) == [second]
    services_sessions.set_trainees(membership=director, session=session, enrolments=[first])
    assert list(session.trainees.all()) == [first]
    assert AuditEvent.objects.filter(action="session.trainees").count() == 4


def test_adding_trainees_keeps_the_rules(world):
    small = RoomFactory(site=world.site, name="Petite salle", capacity=2, step_free=False)
    session = services_sessions.create_session(
        **booking(world, room=small, trainees=[trainee(world)])
    )
    director = world.members["director"]
    before = (SessionTrainee.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="accueille au plus 2 personnes"):
        services_sessions.add_trainees(
            membership=director, session=session, enrolments=[trainee(world), trainee(world)]
        )
    with pytest.raises(ValidationError, match="plain-pied"):
        services_sessions.add_trainees(
            membership=director, session=session, enrolments=[trainee(world, step_free=True)]
        )
    busy = world.objects["enrolment"]
    morning = services_sessions.create_session(
        **booking(
            world, room=small, start_time=T(10, 0), end_time=T(11, 0), trainer=second_trainer(world)
        )
    )
    with pytest.raises(ValidationError, match="est déjà inscrit·e à une séance de 09:00 à 12:00"):
        services_sessions.add_trainees(membership=director, session=morning, enrolments=[busy])
    assert (SessionTrainee.objects.count(), AuditEvent.objects.count()) == (
        before[0],
        before[1] + 1,  # the morning session's creation
    )
