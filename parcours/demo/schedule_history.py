"""The demo's timetable and attendance for E2C Puy-de-Dôme (site Cours Sablon).

Runs after the competency history, on every enrolment of the flagship school (the 2017–2020
history and the current trainees), from ``HISTORY_START`` to four weeks after today:

- the school's workshop types (the defaults);
- a weekly timetable: workshops Monday to Thursday 9:00–12:00 and 13:30–16:30 and Friday
  9:00–12:00, individual appointments on Friday afternoon. The trainees on site each week are
  split into groups of 8 to 12 by entry cohort; every half-day, each room open that day takes one
  group that fits in it (computer workshops only in the computer rooms), with one of the school's
  trainers (its referent-role members), never two sessions in one room nor one trainer in two
  rooms at once. Until the extension was inaugurated on 4 December 2018 Cours Sablon had three
  rooms for some 60–100 trainees, so the groups took turns and spent the other half-days in
  individual work (a mark without a session); from then on its seven rooms hold almost every
  group every half-day. No sessions on weekends, public holidays, the Christmas week and two
  weeks in August (``is_school_day``);
- an attendance mark for every trainee for every school half-day of their pathway until
  yesterday: mostly present, some late, excused (illness most often), unexcused or on leave,
  and "in company" during the internships of ``demo_internship_periods``. A mark taken in a
  session links to it;
- every past month with marks closed by the director on the 5th of the next month (the current
  month stays open), and a calendar feed for the demo referent.

Deterministic (``random.Random(2024)``; the feed's token too), written in a few ``executemany``
statements (``competency_history._insert``), no audit events, rows dated as they happened.
"""

from __future__ import annotations

import base64
import datetime
import functools
import math
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from parcours.organisations.models import Membership, Role, Room, School, Site
from parcours.pathways.models import Enrolment
from parcours.schedule.models import (
    MIDDAY,
    AbsenceReason,
    AttendanceMark,
    AttendanceStatus,
    CalendarFeed,
    ClosedMonth,
    Half,
    Session,
    SessionSeries,
    SessionTrainee,
    WorkshopType,
    local_moment,
)
from parcours.schedule.selectors import ensure_workshop_types

from .competency_history import _db_date
from .competency_history import _insert as _executemany
from .pathway_history import _phase_plan

SEED = 2024
SITE_NAME = "Cours Sablon"
DEMO_REFERENT_EMAIL = "referent@e2c-63.demo"
#: The first Monday of the generated period (before the first entry of the demo history).
HISTORY_START = datetime.date(2017, 1, 2)
#: Sessions are planned until this many weeks after the current one.
WEEKS_AHEAD = 4
#: Groups have at most this many trainees (8 to 10 once there are enough trainees).
GROUP_SIZE = 10
#: The trainer who leads the computer workshops when free (by job title).
DIGITAL_TRAINER = "numérique"

MORNING = (datetime.time(9, 0), datetime.time(12, 0))
AFTERNOON = (datetime.time(13, 30), datetime.time(16, 30))
#: Friday afternoon: one-hour individual appointments.
APPOINTMENTS = (
    (datetime.time(13, 30), datetime.time(14, 30)),
    (datetime.time(14, 30), datetime.time(15, 30)),
    (datetime.time(15, 30), datetime.time(16, 30)),
)
FRIDAY = 4
#: Plain strings for ``_insert`` (psycopg would write an enum member by its name).
AM, PM = Half.AM.value, Half.PM.value
HALVES = (AM, PM)
PRESENT, LATE = AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value
EXCUSED, UNEXCUSED = AttendanceStatus.EXCUSED.value, AttendanceStatus.UNEXCUSED.value
COMPANY, HOLIDAY = AttendanceStatus.COMPANY.value, AttendanceStatus.HOLIDAY.value
ILLNESS = AbsenceReason.ILLNESS.value

COMPUTER_WORKSHOPS = ("Numérique", "Recherche d'emploi")
HALL_WORKSHOPS = (
    "Sport et santé",
    "Citoyenneté",
    "Projet professionnel",
    "Français et communication",
)
ROOM_WORKSHOPS = (
    "Français et communication",
    "Mathématiques et raisonnement",
    "Projet professionnel",
    "Citoyenneté",
    "Mathématiques et raisonnement",
    "Français et communication",
)
APPOINTMENT_WORKSHOP = "Entretien individuel"

#: Excused absences: reason and weight (illness is by far the most frequent).
EXCUSE_REASONS = (
    (AbsenceReason.ILLNESS, 0),  # whole days of illness, drawn separately
    (AbsenceReason.APPOINTMENT, 45),
    (AbsenceReason.FAMILY, 25),
    (AbsenceReason.TRANSPORT, 20),
    (AbsenceReason.HEARING, 6),
    (AbsenceReason.OTHER, 4),
)
#: How often trainees miss or come late, relative to the average.
ASSIDUITY = (0.4, 0.7, 1.0, 1.0, 1.0, 1.2, 1.7)


# ---------------------------------------------------------------------------- the calendar


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    line = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * line) // 451
    month, day = divmod(h + line - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


@functools.cache
def public_holidays(year: int) -> frozenset[datetime.date]:
    """The French public holidays of ``year``."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    days = [datetime.date(year, month, day) for month, day in fixed]
    days += [easter + datetime.timedelta(days=n) for n in (1, 39, 50)]  # Monday, Ascension, Whit
    return frozenset(days)


@functools.cache
def _summer_closure(year: int) -> tuple[datetime.date, datetime.date]:
    """Two weeks in August, Monday to Friday, around the 15th."""
    tenth = datetime.date(year, 8, 10)
    monday = tenth - datetime.timedelta(days=tenth.weekday())
    return monday, monday + datetime.timedelta(days=11)


@functools.cache
def is_school_day(day: datetime.date) -> bool:
    """Whether the school is open on ``day``: a weekday, not a public holiday, not in the
    Christmas closure (24 December to 1 January) nor the two weeks in August."""
    if day.weekday() >= 5 or day in public_holidays(day.year):
        return False
    if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
        return False
    start, end = _summer_closure(day.year)
    return not (start <= day <= end)


def _days(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


# ---------------------------------------------------------------------------- internships


def demo_internship_periods(
    enrolment: Enrolment, today: datetime.date | None = None
) -> list[tuple[datetime.date, datetime.date]]:
    """The demo's internship periods of ``enrolment``: ``(first day, last day)``, in order.

    Two periods of two weeks (Monday to the Friday of the next week) in the "alternance" phase
    (the third phase, as ``pathway_history`` dates it), a single one when the phase is too short
    for two, none for a pathway that never reached it. Pure and deterministic: the same
    enrolment gives the same periods. The attendance of these days is marked "in company".

    The internships issue (#7) must create the demo's internships for exactly these periods, so
    the internships and the attendance agree.
    """
    today = today or timezone.localdate()
    entry = enrolment.entry_date
    end = enrolment.ended_on or today
    months = (end - entry).days / 30
    reached = 1 if months < 1.2 else 2 if months < 2.5 else 3 if months < 5 else 4
    starts = _phase_plan(entry, end, reached)
    if len(starts) < 3:
        return []
    if len(starts) > 3:
        last = starts[3] - datetime.timedelta(days=1)
    else:  # still in the alternance phase, or left during it
        last = enrolment.ended_on or max(enrolment.planned_end_date or end, end)

    def monday_on_or_after(day: datetime.date) -> datetime.date:
        return day + datetime.timedelta(days=-day.weekday() % 7)

    span = datetime.timedelta(days=11)
    first = monday_on_or_after(starts[2] + datetime.timedelta(days=7 + 7 * (enrolment.pk % 2)))
    if first + span > last:
        first = monday_on_or_after(starts[2])
        if first + span > last:
            return []
    periods = [(first, first + span)]
    for gap_weeks in (5, 3):
        second = first + datetime.timedelta(weeks=gap_weeks)
        if second + span <= last:
            periods.append((second, second + span))
            break
    return periods


# ---------------------------------------------------------------------------- database form


def _insert(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples into ``model``'s table: ``COPY`` on PostgreSQL (an ``executemany``
    of 170 000 rows takes some 20 s there, ``COPY`` about one), ``executemany`` elsewhere."""
    if connection.vendor != "postgresql" or not rows:
        _executemany(model, fields, rows)
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(model._meta.get_field(f).column) for f in fields)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


@functools.cache
def _db_moment(day: datetime.date, at: datetime.time) -> object:
    return connection.ops.adapt_datetimefield_value(local_moment(day, at))


@functools.cache
def _db_time(at: datetime.time) -> object:
    return connection.ops.adapt_timefield_value(at)


# ---------------------------------------------------------------------------- planning


@dataclass(slots=True)
class _Mark:
    status: str
    reason: str = ""
    session: _Session | None = None


@dataclass(slots=True)
class _Session:
    room: Room
    workshop: WorkshopType
    day: datetime.date
    start: datetime.time
    end: datetime.time
    trainer: Membership
    trainees: list[int]
    created_on: datetime.date
    pk: int | None = None
    trainer_id: int = 0

    def __post_init__(self) -> None:
        self.trainer_id = self.trainer.pk


@dataclass(eq=False)
class _Trainee:
    enrolment: Enrolment
    pk: int
    referent_id: int | None
    first: datetime.date  # first day at school in the period
    last: datetime.date  # last day of the pathway (or far ahead for a current one)
    company: set[datetime.date] = field(default_factory=set)
    away: dict[tuple[datetime.date, str], str] = field(default_factory=dict)  # status by half

    def on_site(self, day: datetime.date, half: str) -> bool:
        if not (self.first <= day <= self.last) or day in self.company:
            return False
        return self.away.get((day, half)) != HOLIDAY


def _plan_marks(
    rng: random.Random, trainee: _Trainee, until: datetime.date
) -> dict[tuple[datetime.date, str], _Mark]:
    """A mark for every school half-day of the trainee's pathway up to ``until``."""
    marks: dict[tuple[datetime.date, str], _Mark] = {}
    factor = rng.choice(ASSIDUITY)
    sick = holiday = 0
    reasons = [reason.value for reason, _ in EXCUSE_REASONS]
    weights = [weight for _, weight in EXCUSE_REASONS]
    for day in _days(trainee.first, min(trainee.last, until)):
        if not is_school_day(day):
            continue
        if day in trainee.company:
            for half in HALVES:
                marks[(day, half)] = _Mark(COMPANY)
            continue
        if not sick and not holiday:
            roll = rng.random()
            if roll < 0.0065:
                holiday = rng.randint(1, 5)
            elif roll < 0.0065 + 0.011 * factor:
                sick = rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]
        if holiday:
            holiday -= 1
            for half in HALVES:
                marks[(day, half)] = _Mark(HOLIDAY)
                trainee.away[(day, half)] = HOLIDAY
            continue
        if sick:
            sick -= 1
            for half in HALVES:
                marks[(day, half)] = _Mark(EXCUSED, ILLNESS)
            continue
        for half in HALVES:
            roll = rng.random()
            if roll < 0.05 * factor:
                mark = _Mark(LATE)
            elif roll < 0.07 * factor:
                mark = _Mark(EXCUSED, rng.choices(reasons, weights=weights)[0])
            elif roll < 0.11 * factor:
                mark = _Mark(UNEXCUSED)
            else:
                mark = _Mark(PRESENT)
            marks[(day, half)] = mark
    return marks


def _groups(trainees: list[_Trainee]) -> list[_Group]:
    """Split the week's trainees (in entry order) into groups of at most ``GROUP_SIZE``."""
    count = math.ceil(len(trainees) / GROUP_SIZE)
    if not count:
        return []
    size, extra = divmod(len(trainees), count)
    groups, start = [], 0
    for index in range(count):
        stop = start + size + (1 if index < extra else 0)
        groups.append(_Group.of(trainees[start:stop]))
        start = stop
    return groups


@dataclass(eq=False)
class _Group:
    trainees: list[_Trainee]
    referent_id: int | None  # the referent of most of its trainees

    @classmethod
    def of(cls, trainees: list[_Trainee]) -> _Group:
        counts = Counter(t.referent_id for t in trainees if t.referent_id)
        main = min(counts, key=lambda pk: (-counts[pk], pk)) if counts else None
        return cls(trainees, main)


def _active(item: Room | Membership, day: datetime.date) -> bool:
    """Whether a room is open, or a member in post, on ``day``."""
    if isinstance(item, Room):
        first, last = item.opened_on, item.closed_on
    else:
        first, last = item.active_from, item.active_until
    return (first is None or first <= day) and (last is None or day <= last)


def build_schedule_history(school: School, today: datetime.date | None = None) -> dict[str, int]:
    """Write the workshop types, sessions, attendance marks, closed months and the demo
    referent's calendar feed of ``school``'s Cours Sablon site."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    _db_moment.cache_clear()
    _db_time.cache_clear()
    _db_date.cache_clear()  # shared with the competency history
    site = Site.objects.get(school=school, name=SITE_NAME)
    workshops = {w.name: w for w in ensure_workshop_types(school)}
    rooms = list(Room.objects.filter(site=site).order_by("capacity", "name"))
    trainers = list(
        Membership.objects.filter(school=school, role=Role.REFERENT)
        .select_related("user")
        .order_by("active_from", "pk")
    )
    director = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR)
        .select_related("user")
        .earliest("active_from", "pk")
    )
    enrolments = list(
        Enrolment.objects.filter(school=school, site=site).order_by("entry_date", "pk")
    )
    far = datetime.date.max
    this_monday = today - datetime.timedelta(days=today.weekday())
    period_end = this_monday + datetime.timedelta(weeks=WEEKS_AHEAD, days=4)
    yesterday = today - datetime.timedelta(days=1)

    trainees: list[_Trainee] = []
    marks: dict[int, dict[tuple[datetime.date, str], _Mark]] = {}
    for enrolment in enrolments:
        trainee = _Trainee(
            enrolment,
            enrolment.pk,
            enrolment.referent_id,
            max(enrolment.entry_date, HISTORY_START),
            enrolment.ended_on or far,
        )
        for start, end in demo_internship_periods(enrolment, today):
            trainee.company.update(_days(start, end))
        trainees.append(trainee)
        marks[enrolment.pk] = _plan_marks(rng, trainee, yesterday)

    sessions: list[_Session] = []
    room_turns: Counter[int] = Counter()
    monday = HISTORY_START
    week = 0
    while monday <= period_end:
        friday = monday + datetime.timedelta(days=4)
        school_days = [d for d in _days(monday, friday) if is_school_day(d)]
        present = [
            t
            for t in trainees
            if t.first <= friday
            and t.last >= monday
            and any(t.on_site(d, h) for d in school_days for h in HALVES)
        ]
        if school_days and present:
            created_on = monday - datetime.timedelta(days=3)
            plan = _Week(_groups(present), workshops, created_on, room_turns)
            slot = 0
            for day in school_days:
                open_rooms = [r for r in rooms if _active(r, day)]
                free_trainers = [m for m in trainers if _active(m, day)]
                halves = [AM] if day.weekday() == FRIDAY else [AM, PM]
                for half in halves:
                    sessions += _half_day_sessions(
                        plan, open_rooms, free_trainers, day, half, slot + week
                    )
                    slot += len(open_rooms)
                if day.weekday() == FRIDAY:
                    sessions += _appointments(
                        present, open_rooms, free_trainers, workshops, day, week, created_on
                    )
        monday += datetime.timedelta(weeks=1)
        week += 1

    # Link the marks to the sessions they were taken in.
    for session in sessions:
        half = AM if session.start < MIDDAY else PM
        for enrolment_id in session.trainees:
            mark = marks[enrolment_id].get((session.day, half))
            if mark is not None:
                mark.session = session

    _write_sessions(school, site, director, sessions)
    school_id = school.pk
    _insert(
        SessionTrainee,
        ("school", "session", "enrolment"),
        [(school_id, s.pk, e) for s in sessions for e in s.trainees],
    )
    rows = _mark_rows(school.pk, trainees, marks, director.user_id)
    months = {day.replace(day=1) for by_half in marks.values() for day, _half in by_half}
    _insert(
        AttendanceMark,
        (
            "school",
            "enrolment",
            "day",
            "half",
            "status",
            "reason",
            "session",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ),
        rows,
    )
    closed = []
    for month in sorted(months):
        next_month = (month + datetime.timedelta(days=32)).replace(day=1)
        closed_on = next_month.replace(day=5)
        if closed_on <= today:
            closed.append(
                (
                    school.pk,
                    _db_date(month),
                    _db_moment(closed_on, datetime.time(10, 0)),
                    director.user_id,
                )
            )
    _insert(ClosedMonth, ("school", "month", "closed_at", "closed_by"), closed)
    demo_referent = next((m for m in trainers if m.user.email == DEMO_REFERENT_EMAIL), None)
    if demo_referent is not None:
        token = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
        CalendarFeed.objects.create(
            school=school, membership=demo_referent, token=token, created_by=demo_referent.user
        )
    return {
        "sessions": len(sessions),
        "places": sum(len(s.trainees) for s in sessions),
        "marks": len(rows),
        "closed_months": len(closed),
    }


def _mark_rows(
    school_id: int,
    trainees: list[_Trainee],
    marks: dict[int, dict[tuple[datetime.date, str], _Mark]],
    director_user_id: int,
) -> list[tuple]:
    """The marks as ``_insert`` takes them, by the session's trainer or else the referent."""
    users = {
        pk: user_id
        for pk, user_id in Membership.objects.filter(
            school_id=school_id, role=Role.REFERENT
        ).values_list("pk", "user_id")
    }
    ends = {AM: datetime.time(12, 0), PM: AFTERNOON[1]}
    rows = []
    for trainee in trainees:
        fallback = users.get(trainee.referent_id, director_user_id)
        for (day, half), mark in marks[trainee.pk].items():
            session = mark.session
            at = _db_moment(day, ends[half])
            rows.append(
                (
                    school_id,
                    trainee.pk,
                    _db_date(day),
                    half,
                    mark.status,
                    mark.reason,
                    session.pk if session else None,
                    users[session.trainer_id] if session else fallback,
                    at,
                    at,
                )
            )
    return rows


@dataclass
class _Week:
    """What the timetable of one week is made of."""

    groups: list[_Group]
    workshops: dict[str, WorkshopType]
    created_on: datetime.date
    turns: Counter[int]  # sessions held so far, by room (to vary the workshops)
    load: Counter[int] = field(default_factory=Counter)  # sessions this week, by trainer


def _half_day_sessions(
    week: _Week,
    rooms: list[Room],
    trainers: list[Membership],
    day: datetime.date,
    half: str,
    offset: int,
) -> list[_Session]:
    """One session per open room, each with a group that fits, the groups taking turns; the
    least busy trainer of the week leads it (the group's main referent when tied, the digital
    trainer in the computer rooms)."""
    start, end = MORNING if half == AM else AFTERNOON
    result: list[_Session] = []
    free_rooms = list(rooms)  # smallest first: each group takes the smallest room it fits in
    free_trainers = list(trainers)
    count = len(week.groups)
    for index in range(count):
        if not free_rooms or not free_trainers:
            break
        group = week.groups[(offset + index) % count]
        on_site = [t.pk for t in group.trainees if t.on_site(day, half)]
        if not on_site:
            continue
        room = next((r for r in free_rooms if r.capacity >= len(on_site)), None)
        if room is None:
            continue
        free_rooms.remove(room)
        week.turns[room.pk] += 1
        turn = week.turns[room.pk] + index
        if room.is_computer_room:
            names = COMPUTER_WORKSHOPS
        elif room.capacity >= 20:
            names = HALL_WORKSHOPS
        else:
            names = ROOM_WORKSHOPS
        workshop = week.workshops[names[turn % len(names)]]
        trainer = min(
            free_trainers,
            key=lambda m: (
                week.load[m.pk],
                m.pk != group.referent_id,
                workshop.needs_computers != (DIGITAL_TRAINER in m.job_title),
            ),
        )
        free_trainers.remove(trainer)
        week.load[trainer.pk] += 1
        result.append(_Session(room, workshop, day, start, end, trainer, on_site, week.created_on))
    return result


def _appointments(
    present: list[_Trainee],
    rooms: list[Room],
    trainers: list[Membership],
    workshops: dict[str, WorkshopType],
    day: datetime.date,
    week: int,
    created_on: datetime.date,
) -> list[_Session]:
    """Friday afternoon: trainers meet their trainees one by one, one room each (the meeting
    rooms first), the trainers taking turns when rooms are short."""
    result = []
    ordered_rooms = sorted(rooms, key=lambda r: (r.kind != "meeting", r.capacity, r.name))
    start = week % len(trainers) if trainers else 0
    rotation = trainers[start:] + trainers[:start]
    for trainer, room in zip(rotation, ordered_rooms, strict=False):
        caseload = [t for t in present if t.referent_id == trainer.pk and t.on_site(day, PM)]
        if not caseload:
            continue
        first = (week * len(APPOINTMENTS)) % len(caseload)
        chosen = (caseload[first:] + caseload[:first])[: len(APPOINTMENTS)]
        for (begin, finish), trainee in zip(APPOINTMENTS, chosen, strict=False):
            result.append(
                _Session(
                    room,
                    workshops[APPOINTMENT_WORKSHOP],
                    day,
                    begin,
                    finish,
                    trainer,
                    [trainee.pk],
                    created_on,
                )
            )
    return result


def _write_sessions(
    school: School, site: Site, director: Membership, sessions: list[_Session]
) -> None:
    """Insert ``sessions`` (in order) and set their ``pk``."""
    last = Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert(
        Session,
        (
            "school",
            "site",
            "room",
            "workshop_type",
            "title",
            "day",
            "start_time",
            "end_time",
            "starts_at",
            "ends_at",
            "trainer",
            "needs_computers",
            "series",
            "created_by",
            "created_at",
        ),
        [
            (
                school.pk,
                site.pk,
                s.room.pk,
                s.workshop.pk,
                "",
                _db_date(s.day),
                _db_time(s.start),
                _db_time(s.end),
                _db_moment(s.day, s.start),
                _db_moment(s.day, s.end),
                s.trainer_id,
                s.workshop.needs_computers,
                None,
                director.user_id,
                _db_moment(s.created_on, datetime.time(16, 0)),
            )
            for s in sessions
        ],
    )
    pks = list(
        Session.objects.filter(school=school, pk__gt=last)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(pks) != len(sessions):  # pragma: no cover — a concurrent writer during the build
        raise RuntimeError("demo sessions: unexpected rows in the table")
    for session, pk in zip(sessions, pks, strict=True):
        session.pk = pk


def delete_schedule_history(school_ids: list[int]) -> None:
    """Remove the schedule rows of the given schools (before their enrolments, rooms and
    memberships). Marks and sessions go in single statements: nothing else refers to them
    once the marks and the places are gone."""
    for model in (AttendanceMark, SessionTrainee, Session):
        rows = model.objects.filter(school_id__in=school_ids)
        rows._raw_delete(rows.db)
    for model in (SessionSeries, ClosedMonth, CalendarFeed, WorkshopType):
        model.objects.filter(school_id__in=school_ids).delete()


def summary_line() -> str | None:
    """A line about the flagship's 2018 timetable and attendance for the demo summary."""
    from .accounts import FLAGSHIP_SLUG

    school = School.objects.filter(slug=FLAGSHIP_SLUG).first()
    if school is None:
        return None
    start, end = datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)
    sessions = Session.objects.filter(school=school, day__range=(start, end))
    marks = AttendanceMark.objects.filter(school=school, day__range=(start, end))
    rooms = sessions.values("room").distinct().count()
    closed = ClosedMonth.objects.filter(school=school, month__range=(start, end)).count()
    return (
        f"{school.name} : {sessions.count()} séances en 2018 dans {rooms} salles "
        f"({SITE_NAME}), {marks.count()} émargements en 2018, {closed} mois clos en 2018."
    )
