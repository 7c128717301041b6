"""The demo's timetable and attendance: E2C Puy-de-Dôme's 2018 timetable at Cours Sablon in its
7 rooms, and a mark for every half-day of every trainee's pathway."""

from __future__ import annotations

import datetime
import hashlib
import itertools
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, F
from django.utils import timezone

from parcours.demo.schedule_history import (
    build_schedule_history,
    delete_schedule_history,
    demo_internship_periods,
    is_school_day,
    summary_line,
)
from parcours.organisations.models import Membership, Role, Room, School
from parcours.pathways.models import Enrolment, EnrolmentPhase
from parcours.schedule.models import (
    AttendanceMark,
    AttendanceStatus,
    CalendarFeed,
    ClosedMonth,
    Half,
    Session,
    SessionTrainee,
)

START_2018 = datetime.date(2018, 1, 1)
END_2018 = datetime.date(2018, 12, 31)
EXTENSION_OPENED_ON = datetime.date(2018, 12, 4)


@pytest.fixture
def school(demo_built, db) -> School:
    return School.objects.get(slug="e2c-63")


@pytest.fixture
def sessions_2018(school) -> list[Session]:
    return list(
        Session.objects.filter(school=school, day__range=(START_2018, END_2018))
        .select_related("room", "workshop_type", "trainer")
        .annotate(places=Count("participants"))
    )


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def _trainees_2018(school: School):
    return Enrolment.objects.filter(
        school=school, entry_date__lte=END_2018, ended_on__gte=START_2018
    ).order_by("pk")


def test_school_days_skip_weekends_public_holidays_and_closures():
    holidays_2018 = [
        datetime.date(2018, 1, 1),
        datetime.date(2018, 4, 2),  # Easter Monday
        datetime.date(2018, 5, 1),
        datetime.date(2018, 5, 8),
        datetime.date(2018, 5, 10),  # Ascension
        datetime.date(2018, 5, 21),  # Whit Monday
        datetime.date(2018, 8, 15),
        datetime.date(2018, 11, 1),
        datetime.date(2018, 12, 25),
        datetime.date(2018, 12, 27),  # Christmas closure
        datetime.date(2018, 8, 8),  # two weeks in August
        datetime.date(2018, 7, 14),  # a Saturday anyway
    ]
    assert not any(is_school_day(day) for day in holidays_2018)
    assert is_school_day(datetime.date(2018, 4, 3))
    assert is_school_day(datetime.date(2018, 12, 21))
    assert is_school_day(datetime.date(2019, 1, 2))
    assert is_school_day(datetime.date(2018, 8, 20))
    assert not is_school_day(datetime.date(2019, 4, 22))  # Easter Monday 2019
    school_days = [
        START_2018 + datetime.timedelta(days=n)
        for n in range(365)
        if is_school_day(START_2018 + datetime.timedelta(days=n))
    ]
    assert 225 <= len(school_days) <= 240


def test_every_room_of_cours_sablon_is_used_in_2018(school, sessions_2018):
    rooms = Room.objects.filter(site__school=school, site__name="Cours Sablon")
    assert rooms.count() == 7
    assert {s.room_id for s in sessions_2018} == set(rooms.values_list("pk", flat=True))
    assert {s.site_id for s in sessions_2018} == {rooms.first().site_id}
    # Each room only while it is open: three rooms until the extension, seven after.
    for session in sessions_2018:
        assert session.room.opened_on <= session.day
    before = {s.room_id for s in sessions_2018 if s.day < EXTENSION_OPENED_ON}
    assert len(before) == 3
    # A full timetable: sessions every school week of 2018, every open room busy most days.
    weeks = {s.day.isocalendar().week for s in sessions_2018}
    school_weeks = {
        day.isocalendar().week
        for day in (START_2018 + datetime.timedelta(days=n) for n in range(365))
        if is_school_day(day)
    }
    assert weeks == school_weeks
    assert len(sessions_2018) > 1000


def test_no_room_nor_trainer_nor_trainee_is_in_two_places_at_once(school, sessions_2018):
    by_room, by_trainer = defaultdict(list), defaultdict(list)
    for session in sessions_2018:
        by_room[session.room_id].append(session)
        by_trainer[session.trainer_id].append(session)
    for groups in (by_room, by_trainer):
        for sessions in groups.values():
            sessions.sort(key=lambda s: s.starts_at)
            for earlier, later in itertools.pairwise(sessions):
                assert earlier.ends_at <= later.starts_at, (earlier.pk, later.pk)
    places = SessionTrainee.objects.filter(session__in=[s.pk for s in sessions_2018])
    by_trainee = defaultdict(list)
    for enrolment_id, starts_at, ends_at in places.values_list(
        "enrolment_id", "session__starts_at", "session__ends_at"
    ):
        by_trainee[enrolment_id].append((starts_at, ends_at))
    for slots in by_trainee.values():
        slots.sort()
        for (_, earlier_end), (later_start, _) in itertools.pairwise(slots):
            assert earlier_end <= later_start


def test_rooms_capacity_computers_trainers_and_hours(school, sessions_2018):
    referents = set(
        Membership.objects.filter(school=school, role=Role.REFERENT).values_list("pk", flat=True)
    )
    for session in sessions_2018:
        assert 1 <= session.places <= session.room.capacity
        assert session.trainer_id in referents
        assert session.needs_computers == session.workshop_type.needs_computers
        if session.needs_computers:
            assert session.room.is_computer_room
        assert is_school_day(session.day)
        assert datetime.time(9) <= session.start_time < session.end_time <= datetime.time(16, 30)
        if session.day.weekday() == 4 and Half.PM in session.halves:
            assert session.workshop_type.name == "Entretien individuel"
            assert session.places == 1
    computer = [s for s in sessions_2018 if s.needs_computers]
    assert computer and {s.room.name for s in computer} == {"Salle Volvic", "Salle Pariou"}
    workshops = Counter(s.workshop_type.name for s in sessions_2018)
    assert len(workshops) == 8
    trainers = {s.trainer_id for s in sessions_2018}
    assert trainers == referents


def test_every_2018_trainee_has_a_mark_for_every_half_day_of_the_pathway(school):
    trainees = list(_trainees_2018(school))
    assert len({t.person_id for t in trainees}) == 210
    yesterday = _yesterday()
    marked = defaultdict(set)
    for enrolment_id, day, half in AttendanceMark.objects.filter(
        enrolment__in=trainees
    ).values_list("enrolment_id", "day", "half"):
        marked[enrolment_id].add((day, half))
    for enrolment in trainees:
        last = min(enrolment.ended_on, yesterday)
        expected = {
            (day, half)
            for n in range((last - enrolment.entry_date).days + 1)
            if is_school_day(day := enrolment.entry_date + datetime.timedelta(days=n))
            for half in (Half.AM, Half.PM)
        }
        assert marked[enrolment.pk] == expected, enrolment.pk


def test_no_mark_on_a_closed_day_nor_outside_the_pathway(school):
    # The days to come carry only the "in company" marks of signed internships (written by
    # the companies history, as the product does when an agreement is signed).
    to_come = AttendanceMark.objects.filter(school=school, day__gte=timezone.localdate())
    assert not to_come.exclude(status=AttendanceStatus.COMPANY).exists()
    marks = AttendanceMark.objects.filter(school=school, day__lt=timezone.localdate())
    assert not marks.filter(day__week_day__in=[1, 7]).exists()  # Sunday, Saturday
    for day in (datetime.date(2018, 5, 1), datetime.date(2018, 12, 25), datetime.date(2019, 1, 1)):
        assert not marks.filter(day=day).exists()
    assert not marks.filter(day__lt=F("enrolment__entry_date")).exists()
    assert not marks.filter(day__gt=F("enrolment__ended_on")).exists()
    assert not marks.filter(day__gte=timezone.localdate()).exists()
    # The current trainees are marked too.
    active = Enrolment.objects.filter(school=school, status="active")
    started = active.filter(entry_date__lt=_yesterday())
    assert marks.filter(enrolment__in=started).values("enrolment").distinct().count() == (
        started.count()
    )


def test_statuses_have_realistic_shares(school):
    marks = AttendanceMark.objects.filter(school=school, day__range=(START_2018, END_2018))
    counts = Counter(marks.values_list("status", flat=True))
    total = sum(counts.values())
    assert total > 25_000
    assert 0.04 <= counts[AttendanceStatus.COMPANY] / total <= 0.20
    at_school = total - counts[AttendanceStatus.COMPANY]
    shares = {status: counts[status] / at_school for status in counts}
    assert 0.75 <= shares[AttendanceStatus.PRESENT] <= 0.90
    assert 0.03 <= shares[AttendanceStatus.LATE] <= 0.08
    assert 0.03 <= shares[AttendanceStatus.EXCUSED] <= 0.08
    assert 0.02 <= shares[AttendanceStatus.UNEXCUSED] <= 0.07
    assert 0.01 <= shares[AttendanceStatus.HOLIDAY] <= 0.04
    reasons = Counter(
        marks.filter(status=AttendanceStatus.EXCUSED).values_list("reason", flat=True)
    )
    assert "" not in reasons
    assert reasons.most_common(1)[0][0] == "illness"
    assert {"illness", "appointment", "family", "transport"} <= set(reasons)


def test_company_marks_follow_the_internship_periods_in_the_alternance_phase(school):
    today = timezone.localdate()
    yesterday = _yesterday()
    company = defaultdict(set)
    for enrolment_id, day in AttendanceMark.objects.filter(
        school=school, status=AttendanceStatus.COMPANY, day__lt=today
    ).values_list("enrolment_id", "day"):
        company[enrolment_id].add(day)
    alternance = {
        p.enrolment_id: p for p in EnrolmentPhase.objects.filter(school=school, phase__position=3)
    }
    with_two = 0
    for enrolment in Enrolment.objects.filter(school=school):
        periods = demo_internship_periods(enrolment, today=today)
        expected = {
            day
            for start, end in periods
            for n in range((end - start).days + 1)
            if is_school_day(day := start + datetime.timedelta(days=n))
            and enrolment.entry_date <= day <= min(enrolment.ended_on or yesterday, yesterday)
        }
        assert company[enrolment.pk] == expected, enrolment.pk
        with_two += len(periods) == 2
        if not periods:
            continue
        phase = alternance[enrolment.pk]
        for start, end in periods:
            assert start.weekday() == 0 and (end - start).days == 11
            assert phase.started_on <= start
            if phase.ended_on:
                assert end < phase.ended_on or end == enrolment.ended_on
        assert periods == sorted(periods)
        assert len(periods) == 1 or periods[0][1] < periods[1][0]
    assert with_two > 300


def test_marks_link_to_the_session_the_trainee_was_in(school):
    marks = AttendanceMark.objects.filter(school=school, day__range=(START_2018, END_2018))
    linked = marks.exclude(session=None)
    assert linked.count() > marks.count() // 3
    assert not marks.filter(
        status__in=[AttendanceStatus.COMPANY, AttendanceStatus.HOLIDAY], session__isnull=False
    ).exists()
    assert not linked.exclude(session__day=F("day")).exists()
    places = set(
        SessionTrainee.objects.filter(session__school=school).values_list(
            "session_id", "enrolment_id"
        )
    )
    for session_id, enrolment_id, half, start in linked.values_list(
        "session_id", "enrolment_id", "half", "session__start_time"
    ):
        assert (session_id, enrolment_id) in places
        assert (half == Half.AM) == (start < datetime.time(12, 45))
    # Everyone placed in a past session has their mark of that half-day linked to it.
    yesterday = _yesterday()
    unlinked = (
        SessionTrainee.objects.filter(session__school=school, session__day__lte=yesterday)
        .exclude(
            enrolment__attendance_marks__session=F("session"),
        )
        .count()
    )
    assert unlinked == 0


def test_past_months_are_closed_by_the_director_and_the_current_month_is_open(school):
    director = Membership.objects.get(school=school, role=Role.DIRECTOR)
    closed = {c.month: c for c in ClosedMonth.objects.filter(school=school)}
    for year in (2018, 2019):
        for month in range(1, 13):
            row = closed[datetime.date(year, month, 1)]
            assert row.closed_by == director.user
            closed_on = timezone.localdate(row.closed_at)
            assert closed_on.day == 5
            assert closed_on.replace(day=1) == (
                datetime.date(year, month, 28) + datetime.timedelta(days=4)
            ).replace(day=1)
    assert timezone.localdate().replace(day=1) not in closed


def test_the_timetable_goes_on_this_week_and_the_next_ones(school):
    today = timezone.localdate()
    upcoming = Session.objects.filter(
        school=school, day__gte=today, day__lte=today + datetime.timedelta(days=21)
    )
    assert upcoming.exists()
    assert upcoming.filter(trainer__user__email="referent@e2c-63.demo").exists()


def test_the_demo_referent_has_a_calendar_feed(school):
    feed = CalendarFeed.objects.get(school=school, membership__user__email="referent@e2c-63.demo")
    assert feed.is_active and feed.enrolment_id is None


def test_summary_line(school, sessions_2018):
    line = summary_line()
    assert f"{len(sessions_2018)} séances en 2018 dans 7 salles" in line
    assert "12 mois clos en 2018" in line


def _fingerprint(school: School) -> str:
    digest = hashlib.sha256()
    sessions = Session.objects.filter(school=school).order_by("pk")
    for row in sessions.values_list(
        "room__name", "day", "start_time", "end_time", "trainer__user__email", "workshop_type__name"
    ):
        digest.update(repr(row).encode())
    places = SessionTrainee.objects.filter(school=school).order_by("session_id", "enrolment_id")
    digest.update(repr(list(places.values_list("session__starts_at", "enrolment_id"))).encode())
    # The schedule history's marks: until yesterday (the days to come of signed internships
    # are the companies history's).
    marks = AttendanceMark.objects.filter(school=school, day__lt=timezone.localdate()).order_by(
        "enrolment_id", "day", "half"
    )
    for row in marks.values_list(
        "enrolment_id", "day", "half", "status", "reason", "session__starts_at", "recorded_by"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_same_data(school):
    today = timezone.localdate()
    before = _fingerprint(school)
    delete_schedule_history([school.pk])
    assert not Session.objects.filter(school=school).exists()
    build_schedule_history(school, today=today)
    assert _fingerprint(school) == before
