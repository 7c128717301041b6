"""Scoped reads of the weekly timetables and of the rooms' occupancy.

- ``week_of(day)``: the Monday and Friday of ``day``'s week.
- ``week_sessions(membership, monday=..., site=/room=/trainer=/enrolment=)``: the week's
  sessions (Monday to Saturday) of the school, filtered; a constant number of queries.
- ``week_grid(sessions, monday)``: the sessions by day, as the timetable shows them.
- ``room_occupancy(membership, from_monday=..., weeks=..., site=...)``: per room and week, the
  hours booked within the school's opening hours (9:00–12:30 and 13:30–17:00, Monday to
  Friday: 35 hours a week) and the use rate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.models import Membership, Role, Room, Site
from parcours.people.models import full_name

from .models import HALF_DAY_HOURS, Session, SessionTrainee

#: Opening hours of a school day: the periods whose hours count as available.
OPENING_PERIODS = (
    (datetime.time(9, 0), datetime.time(12, 30)),
    (datetime.time(13, 30), datetime.time(17, 0)),
)
#: School days of a week (Monday = 0 … Friday = 4).
SCHOOL_DAYS = 5
WEEK_HOURS = HALF_DAY_HOURS * 2 * SCHOOL_DAYS  # 35
#: Roles whose members give sessions (offered in the trainer choice).
TRAINER_ROLES = (Role.DIRECTOR, Role.REFERENT)
MAX_OCCUPANCY_WEEKS = 12


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Monday and the Friday of ``day``'s week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=4)


def this_monday() -> datetime.date:
    return week_of(timezone.localdate())[0]


# ------------------------------------------------------------------------------ timetable


def week_sessions(
    membership: Membership,
    *,
    monday: datetime.date,
    site: Site | None = None,
    room: Room | None = None,
    trainer: Membership | None = None,
    enrolment=None,
) -> list[Session]:
    """The school's sessions from ``monday`` to the Saturday after it, in order of time.

    The filters combine; ``enrolment`` keeps the sessions that trainee takes part in. Each
    session comes with its site, room, workshop, trainer and ``participant_names`` (their full
    names, by last name): two queries whatever the number of sessions.
    """
    saturday = monday + datetime.timedelta(days=5)
    sessions = Session.objects.filter(school=membership.school_id, day__range=(monday, saturday))
    if site is not None:
        sessions = sessions.filter(site=site)
    if room is not None:
        sessions = sessions.filter(room=room)
    if trainer is not None:
        sessions = sessions.filter(trainer=trainer)
    if enrolment is not None:
        sessions = sessions.filter(participants__enrolment=enrolment)
    found = list(
        sessions.select_related("site", "room", "workshop_type", "trainer__user").order_by(
            "day", "start_time", "room__name"
        )
    )
    # The participants' names only (what the page shows), as tuples: a week has thousands of
    # participants, and a model instance for each one, their enrolment and their person cost
    # most of the page's time (issue 12).
    names: dict[int, list[str]] = {session.pk: [] for session in found}
    for session_id, first_name, last_name in (
        SessionTrainee.objects.filter(session__in=names)
        .order_by("enrolment__person__last_name", "enrolment__person__first_name", "pk")
        .values_list("session_id", "enrolment__person__first_name", "enrolment__person__last_name")
    ):
        names[session_id].append(full_name(first_name, last_name))
    for session in found:
        session.participant_names = names[session.pk]
    return found


@dataclass
class GridSession:
    session: Session
    trainees: int
    capacity: int

    @property
    def is_full(self) -> bool:
        return self.trainees >= self.capacity


@dataclass
class GridDay:
    day: datetime.date
    is_today: bool
    sessions: list[GridSession] = field(default_factory=list)


def week_grid(sessions: list[Session], monday: datetime.date) -> list[GridDay]:
    """Monday to Friday (and Saturday when a session takes place that day), each day with its
    sessions sorted by start time; sessions outside the week are left out."""
    today = timezone.localdate()
    days = [
        GridDay(day=monday + datetime.timedelta(days=offset), is_today=False) for offset in range(6)
    ]
    for day in days:
        day.is_today = day.day == today
    by_day = {day.day: day for day in days}
    for session in sorted(sessions, key=lambda s: (s.day, s.start_time, s.end_time)):
        day = by_day.get(session.day)
        if day is None:
            continue
        day.sessions.append(
            GridSession(
                session=session,
                trainees=len(session.participant_names),
                capacity=session.room.capacity,
            )
        )
    if not days[5].sessions:
        days.pop()
    return days


# --------------------------------------------------------------------------- choices, filters


def site_choices(membership: Membership, day: datetime.date) -> list[Site]:
    """The school's sites open during ``day``'s week."""
    monday, friday = week_of(day)
    return list(
        Site.objects.filter(school=membership.school_id)
        .active_during(monday, friday)
        .order_by("name")
    )


def room_choices(membership: Membership, day: datetime.date) -> list[Room]:
    """The school's rooms open during ``day``'s week, by site then name."""
    monday, friday = week_of(day)
    return list(
        Room.objects.filter(school=membership.school_id)
        .active_during(monday, friday)
        .select_related("site")
        .order_by("site__name", "name")
    )


def trainers_for(membership: Membership) -> QuerySet[Membership]:
    """Memberships of the school's staff (any one may have been given a session)."""
    return (
        Membership.objects.filter(school=membership.school_id)
        .staff()
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def get_trainer(membership: Membership, pk: int) -> Membership:
    return get_object_or_404(trainers_for(membership), pk=pk)


def trainer_choices(membership: Membership, day: datetime.date) -> list[Membership]:
    """Trainers active during ``day``'s week: referents and the direction."""
    monday, friday = week_of(day)
    return list(
        trainers_for(membership)
        .filter(role__in=TRAINER_ROLES, user__is_active=True, active_from__lte=friday)
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=monday))
    )


class EnrolmentChoice(NamedTuple):
    """A trainee of the week's « Stagiaire » filter: the enrolment's pk and the person's name."""

    pk: int
    label: str


def enrolment_choices(membership: Membership, day: datetime.date) -> list[EnrolmentChoice]:
    """Trainees in their pathway during ``day``'s week, by name.

    Plain rows, not model instances: a school has hundreds of trainees in the week and the
    filter only shows their names (building the instances was a fifth of the page, issue 12).
    """
    from parcours.pathways.selectors import enrolments_for

    monday, friday = week_of(day)
    rows = (
        enrolments_for(membership)
        .filter(entry_date__lte=friday)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=monday))
        .order_by("person__last_name", "person__first_name", "pk")
        .values_list("pk", "person__first_name", "person__last_name")
    )
    return [EnrolmentChoice(pk, full_name(first, last)) for pk, first, last in rows]


# ------------------------------------------------------------------------------ occupancy


def _hours(minutes: int) -> Decimal:
    return Decimal(minutes) / Decimal(60)


def rate(booked: Decimal, available: Decimal) -> Decimal:
    """``booked`` as a percentage of ``available``, with one decimal."""
    if not available:
        return Decimal("0.0")
    return (booked * 100 / available).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _minutes(at: datetime.time) -> int:
    return at.hour * 60 + at.minute


def opening_minutes(day: datetime.date, start: datetime.time, end: datetime.time) -> int:
    """Minutes of ``start``–``end`` on ``day`` within the opening hours (0 on a weekend)."""
    if day.weekday() >= SCHOOL_DAYS:
        return 0
    total = 0
    for open_at, close_at in OPENING_PERIODS:
        begin = max(_minutes(start), _minutes(open_at))
        finish = min(_minutes(end), _minutes(close_at))
        total += max(0, finish - begin)
    return total


@dataclass
class OccupancyCell:
    monday: datetime.date
    booked_hours: Decimal
    available_hours: Decimal

    @property
    def rate(self) -> Decimal:
        return rate(self.booked_hours, self.available_hours)

    @property
    def bar_width(self) -> str:
        """The rate as the width of a bar out of 100 (for the small SVG)."""
        return f"{min(self.rate, Decimal(100)):.1f}"


@dataclass
class RoomOccupancy:
    room: Room
    weeks: list[OccupancyCell]
    total: OccupancyCell


def room_occupancy(
    membership: Membership,
    *,
    from_monday: datetime.date,
    weeks: int = 4,
    site: Site | None = None,
) -> list[RoomOccupancy]:
    """Per room (by site then name) and per week from ``from_monday``: the hours booked within
    the opening hours, the 35 available hours and the use rate. Two queries."""
    from_monday = week_of(from_monday)[0]
    mondays = [from_monday + datetime.timedelta(weeks=index) for index in range(weeks)]
    last_day = mondays[-1] + datetime.timedelta(days=6)
    rooms = Room.objects.filter(school=membership.school_id)
    if site is not None:
        rooms = rooms.filter(site=site)
    rooms = list(
        rooms.active_during(from_monday, last_day)
        .select_related("site")
        .order_by("site__name", "name")
    )
    booked: dict[tuple[int, datetime.date], int] = {}
    sessions = Session.objects.filter(
        school=membership.school_id,
        room__in=[room.pk for room in rooms],
        day__range=(from_monday, last_day),
    ).values_list("room_id", "day", "start_time", "end_time")
    for room_id, day, start, end in sessions:
        key = (room_id, week_of(day)[0])
        booked[key] = booked.get(key, 0) + opening_minutes(day, start, end)
    rows = []
    for room in rooms:
        cells = [
            OccupancyCell(
                monday=monday,
                booked_hours=_hours(booked.get((room.pk, monday), 0)),
                available_hours=WEEK_HOURS,
            )
            for monday in mondays
        ]
        total = OccupancyCell(
            monday=from_monday,
            booked_hours=sum((cell.booked_hours for cell in cells), Decimal(0)),
            available_hours=WEEK_HOURS * weeks,
        )
        rows.append(RoomOccupancy(room=room, weeks=cells, total=total))
    return rows
