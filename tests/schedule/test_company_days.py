"""Internship days: ``fill_company_days`` sets "in company" on weekdays, both half-days."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.schedule.models import AttendanceMark, ClosedMonth
from parcours.schedule.services_attendance import fill_company_days

from .attendance_helpers import trainees

pytestmark = pytest.mark.django_db

FRIDAY = datetime.date(2024, 3, 8)
TUESDAY = datetime.date(2024, 3, 12)


def test_only_weekdays_both_halves(world):
    enrolment = trainees(world, 1)[0]
    count = fill_company_days(
        enrolment=enrolment, start=FRIDAY, end=TUESDAY, recorded_by=world.members["referent"]
    )
    assert count == 6  # Friday, Monday, Tuesday × morning and afternoon
    marks = AttendanceMark.objects.filter(enrolment=enrolment)
    assert sorted({m.day for m in marks}) == [
        FRIDAY,
        datetime.date(2024, 3, 11),
        TUESDAY,
    ]
    assert {(m.half, m.status) for m in marks} == {("am", "company"), ("pm", "company")}
    event = AuditEvent.objects.get(action="attendance.company_days")
    assert event.changes["created"] == 6
    assert event.changes["closed_months"] == []


def test_marks_to_come_become_company_but_holidays_stay(world):
    enrolment = trainees(world, 1)[0]
    user = world.members["referent"].user
    common = {"school": world.school, "enrolment": enrolment, "recorded_by": user}
    today = timezone.localdate()
    first = today + datetime.timedelta(days=7 - today.weekday())  # next Monday
    last = first + datetime.timedelta(days=1)
    enrolment.planned_end_date = last + datetime.timedelta(days=30)
    enrolment.save()
    AttendanceMark.objects.create(day=first, half="am", status="present", **common)
    AttendanceMark.objects.create(day=first, half="pm", status="holiday", **common)
    AttendanceMark.objects.create(day=last, half="am", status="excused", reason="illness", **common)
    count = fill_company_days(enrolment=enrolment, start=first, end=last, recorded_by=user)
    assert count == 3  # the holiday stays; two marks changed, one created
    by_key = {(m.day, m.half): m for m in AttendanceMark.objects.filter(enrolment=enrolment)}
    assert by_key[(first, "am")].status == "company"
    assert by_key[(first, "pm")].status == "holiday"
    assert (by_key[(last, "am")].status, by_key[(last, "am")].reason) == ("company", "")
    # Filling again changes nothing.
    assert fill_company_days(enrolment=enrolment, start=first, end=last, recorded_by=user) == 0


def test_marks_of_past_days_are_records_left_as_they_are(world):
    """An agreement signed after the start, or dates moved back: what was recorded on past
    days (at school, absent…) is not rewritten; a correction goes through the sheet."""
    enrolment = trainees(world, 1)[0]
    user = world.members["referent"].user
    common = {"school": world.school, "enrolment": enrolment, "recorded_by": user}
    AttendanceMark.objects.create(day=FRIDAY, half="am", status="present", **common)
    AttendanceMark.objects.create(
        day=TUESDAY, half="am", status="excused", reason="illness", **common
    )
    filled = fill_company_days(enrolment=enrolment, start=FRIDAY, end=TUESDAY, recorded_by=user)
    assert filled == 4  # the half-days without a mark
    assert filled.kept_days == (FRIDAY, TUESDAY)
    by_key = {(m.day, m.half): m for m in AttendanceMark.objects.filter(enrolment=enrolment)}
    assert by_key[(FRIDAY, "am")].status == "present"
    assert (by_key[(TUESDAY, "am")].status, by_key[(TUESDAY, "am")].reason) == (
        "excused",
        "illness",
    )
    assert by_key[(FRIDAY, "pm")].status == "company"


def test_days_are_kept_within_the_pathway(world):
    enrolment = trainees(world, 1, entry_date=datetime.date(2024, 3, 11))[0]
    count = fill_company_days(
        enrolment=enrolment, start=FRIDAY, end=TUESDAY, recorded_by=world.members["referent"]
    )
    assert count == 4
    assert not AttendanceMark.objects.filter(enrolment=enrolment, day=FRIDAY).exists()


def test_closed_months_are_left_untouched_and_reported(world):
    enrolment = trainees(world, 1)[0]
    ClosedMonth.objects.create(
        school=world.school,
        month=datetime.date(2024, 3, 1),
        closed_by=world.members["director"].user,
    )
    count = fill_company_days(
        enrolment=enrolment,
        start=datetime.date(2024, 3, 28),  # Thursday
        end=datetime.date(2024, 4, 2),  # Tuesday
        recorded_by=world.members["referent"].user,
    )
    assert count == 4  # 1 and 2 April only
    assert count.closed_months == (datetime.date(2024, 3, 1),)
    assert not AttendanceMark.objects.filter(enrolment=enrolment, day__month=3).exists()


def test_dates_in_the_wrong_order_are_refused(world):
    enrolment = trainees(world, 1)[0]
    with pytest.raises(ValidationError, match="La date de fin précède la date de début"):
        fill_company_days(
            enrolment=enrolment, start=TUESDAY, end=FRIDAY, recorded_by=world.members["referent"]
        )
    assert not AttendanceMark.objects.filter(enrolment=enrolment).exists()


def test_days_to_come_may_be_filled(world):
    enrolment = trainees(world, 1)[0]
    start = datetime.date.today() + datetime.timedelta(days=30)
    count = fill_company_days(
        enrolment=enrolment,
        start=start,
        end=start + datetime.timedelta(days=6),
        recorded_by=world.members["referent"],
    )
    assert count == 10
