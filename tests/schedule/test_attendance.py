"""Marking a session or a day sheet: defaults, exceptions, reasons, corrections, closed
months, constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.audit.models import AuditEvent
from parcours.schedule.models import AttendanceMark, ClosedMonth
from parcours.schedule.services_attendance import (
    fill_company_days,
    mark_day,
    mark_session,
)

from .attendance_helpers import session_on, today, trainees

pytestmark = pytest.mark.django_db


def statuses(session_or_day, enrolments, half="am"):
    return [
        AttendanceMark.objects.get(enrolment=e, day=session_or_day, half=half).status
        for e in enrolments
    ]


def test_everyone_is_present_by_default(world):
    people = trainees(world, 3)
    session = session_on(world, today(), people)
    marks = mark_session(membership=world.members["referent"], session=session, marks={})
    assert len(marks) == 3
    assert statuses(today(), people) == ["present"] * 3
    assert all(m.session_id == session.pk for m in AttendanceMark.objects.filter(day=today()))
    event = AuditEvent.objects.get(action="attendance.mark_session")
    assert event.changes["created"] == 3


def test_exceptions_are_saved(world):
    a, b, c = trainees(world, 3)
    session = session_on(world, today(), [a, b, c])
    mark_session(
        membership=world.members["referent"],
        session=session,
        marks={a.pk: ("late", ""), b.pk: ("excused", "illness")},
    )
    assert statuses(today(), [a, b, c]) == ["late", "excused", "present"]
    assert AttendanceMark.objects.get(enrolment=b, day=today()).reason == "illness"


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (("excused", ""), "Une absence justifiée demande un motif"),
        (("present", "illness"), "Seule une absence justifiée porte un motif"),
        (("absent", ""), "Présence inconnue"),
        (("excused", "flu"), "Motif d'absence inconnu"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(world, choice, message):
    a, b = trainees(world, 2)
    session = session_on(world, today(), [a, b])
    with pytest.raises(ValidationError, match=message):
        mark_session(membership=world.members["referent"], session=session, marks={a.pk: choice})
    assert not AttendanceMark.objects.filter(day=today()).exists()


def test_a_trainee_not_in_the_session_is_refused(world):
    a, stranger = trainees(world, 2)
    session = session_on(world, today(), [a])
    with pytest.raises(ValidationError, match="n'est pas attendue"):
        mark_session(
            membership=world.members["referent"],
            session=session,
            marks={stranger.pk: ("late", "")},
        )
    assert not AttendanceMark.objects.filter(day=today()).exists()


def test_a_day_to_come_cannot_be_marked(world):
    a = trainees(world, 1)
    session = session_on(world, today() + datetime.timedelta(days=1), a)
    with pytest.raises(ValidationError, match="jour à venir"):
        mark_session(membership=world.members["referent"], session=session, marks={})
    assert not AttendanceMark.objects.filter(session=session).exists()


def test_a_member_who_may_not_mark_is_refused(world):
    a = trainees(world, 1)
    session = session_on(world, today(), a)
    with pytest.raises(ValidationError, match="ne permet pas d'émarger"):
        mark_session(membership=world.members["intake"], session=session, marks={})
    assert not AttendanceMark.objects.filter(session=session).exists()


def test_same_day_change_needs_no_reason(world):
    a, b = trainees(world, 2)
    session = session_on(world, today(), [a, b])
    referent = world.members["referent"]
    mark_session(membership=referent, session=session, marks={})
    mark_session(membership=referent, session=session, marks={a.pk: ("unexcused", "")})
    assert statuses(today(), [a, b]) == ["unexcused", "present"]
    assert not AuditEvent.objects.filter(action="attendance.correct").exists()


def test_correction_after_the_day_needs_a_reason_and_is_audited(world):
    day = today() - datetime.timedelta(days=2)
    a, b = trainees(world, 2)
    session = session_on(world, day, [a, b])
    referent = world.members["referent"]
    # The first marking of a past day is not a correction.
    mark_session(membership=referent, session=session, marks={b.pk: ("late", "")})
    with pytest.raises(ValidationError, match="une correction d'émargement demande un motif"):
        mark_session(membership=referent, session=session, marks={a.pk: ("unexcused", "")})
    assert statuses(day, [a, b]) == ["present", "late"]
    assert not AuditEvent.objects.filter(action="attendance.correct").exists()

    with pytest.raises(ValidationError, match="Motif de correction inconnu"):
        mark_session(
            membership=referent,
            session=session,
            marks={a.pk: ("unexcused", "")},
            correction_reason="because",
        )
    mark_session(
        membership=referent,
        session=session,
        marks={a.pk: ("unexcused", ""), b.pk: ("late", "")},  # b unchanged: no correction
        correction_reason="document",
        ip_address="10.0.0.1",
    )
    assert statuses(day, [a, b]) == ["unexcused", "late"]
    events = AuditEvent.objects.filter(action="attendance.correct")
    assert events.count() == 1
    event = events.get()
    assert event.changes == {"status": ["present", "unexcused"], "correction_reason": "document"}
    assert event.object_id == str(AttendanceMark.objects.get(enrolment=a, day=day).pk)
    assert a.person.last_name not in str(event.changes) + event.object_repr
    assert event.ip_address == "10.0.0.1"


def test_closed_month_refuses_and_reopening_allows_again(world):
    from parcours.schedule.services_attendance import close_month, reopen_month

    director = world.members["director"]
    a = trainees(world, 1)
    session = session_on(world, datetime.date(2024, 3, 11), a)
    close_month(membership=director, month=datetime.date(2024, 3, 20))
    assert ClosedMonth.objects.filter(school=world.school, month="2024-03-01").exists()
    with pytest.raises(ValidationError) as refused:
        mark_session(membership=world.members["referent"], session=session, marks={})
    assert refused.value.messages == [
        "Le mois de mars 2024 est clos : demandez à la direction de le rouvrir."
    ]
    assert not AttendanceMark.objects.filter(session=session).exists()

    reopen_month(membership=director, month=datetime.date(2024, 3, 1), reason="correction")
    mark_session(membership=world.members["referent"], session=session, marks={})
    assert AttendanceMark.objects.filter(session=session).count() == 1
    assert AuditEvent.objects.get(action="attendance.month_reopen").changes == {
        "month": "2024-03",
        "reason": "correction",
    }


def test_a_session_over_both_halves_writes_morning_and_afternoon(world):
    a, b = trainees(world, 2)
    session = session_on(world, today(), [a, b], start=(9, 0), end=(16, 0))
    marks = mark_session(
        membership=world.members["director"], session=session, marks={a.pk: ("late", "")}
    )
    assert len(marks) == 4
    assert statuses(today(), [a, b], "am") == ["late", "present"]
    assert statuses(today(), [a, b], "pm") == ["late", "present"]


def test_an_afternoon_session_writes_the_afternoon_only(world):
    a = trainees(world, 1)
    session = session_on(world, today(), a, start=(14, 0), end=(17, 0))
    mark_session(membership=world.members["referent"], session=session, marks={})
    assert list(AttendanceMark.objects.filter(session=session).values_list("half", flat=True)) == [
        "pm"
    ]


def test_company_and_holiday_are_not_overwritten_by_the_default(world):
    a, b, c = trainees(world, 3)
    referent = world.members["referent"]
    fill_company_days(enrolment=a, start=today(), end=today(), recorded_by=referent.user)
    AttendanceMark.objects.create(
        school=world.school,
        enrolment=b,
        day=today(),
        half="am",
        status="holiday",
        recorded_by=referent.user,
    )
    session = session_on(world, today(), [a, b, c])
    mark_session(membership=referent, session=session, marks={})
    if today().weekday() < 5:
        assert statuses(today(), [a, b, c]) == ["company", "holiday", "present"]
    # An explicit change does replace them.
    mark_session(membership=referent, session=session, marks={b.pk: ("present", "")})
    assert statuses(today(), [b]) == ["present"]


def test_trainees_of_an_ended_pathway_are_not_on_the_sheet(world):
    day = today() - datetime.timedelta(days=1)
    here = trainees(world, 1)[0]
    gone = trainees(world, 1, status="exited", ended_on=day - datetime.timedelta(days=10))[0]
    session = session_on(world, day, [here, gone])
    marks = mark_session(membership=world.members["referent"], session=session, marks={})
    assert [m.enrolment_id for m in marks] == [here.pk]


def test_day_sheet_marks_the_site_trainees_of_that_day(world):
    from tests.factories import SiteFactory

    day = today()
    here = trainees(world, 2)
    elsewhere = trainees(world, 1, site=SiteFactory(school=world.school))
    not_yet = trainees(world, 1, entry_date=day + datetime.timedelta(days=3))
    mark_day(
        membership=world.members["referent"],
        site=world.site,
        day=day,
        half="pm",
        marks={here[0].pk: ("excused", "appointment")},
    )
    written = AttendanceMark.objects.filter(day=day)
    assert {m.enrolment_id for m in written} >= {e.pk for e in here}
    assert not written.filter(enrolment__in=[*elsewhere, *not_yet]).exists()
    assert set(written.values_list("half", flat=True)) == {"pm"}
    assert written.get(enrolment=here[0]).status == "excused"
    assert written.get(enrolment=here[0]).session is None


def test_day_sheet_refuses_a_site_of_another_school(world):
    with pytest.raises(ValidationError, match="n'appartient pas"):
        mark_day(
            membership=world.members["referent"],
            site=world.other_site,
            day=today(),
            half="am",
            marks={},
        )


def _queries(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def test_marking_a_session_runs_a_constant_number_of_queries(world):
    """The acceptance criterion: 20 trainees take no more queries than 5."""
    referent = world.members["referent"]
    few = session_on(world, today(), trainees(world, 5))
    many = session_on(world, today(), trainees(world, 20), start=(13, 30), end=(17, 0))
    counts = {}
    for name, session in (("few", few), ("many", many)):
        people = [p.enrolment_id for p in session.participants.all()]
        counts[name] = (
            _queries(lambda s=session: mark_session(membership=referent, session=s, marks={})),
            _queries(
                lambda s=session, p=people: mark_session(
                    membership=referent,
                    session=s,
                    marks={pk: ("late", "") for pk in p[:3]}
                    | {pk: ("excused", "illness") for pk in p[3:]},
                )
            ),
        )
    assert counts["few"] == counts["many"]
    assert AttendanceMark.objects.filter(session=many, status="excused").count() == 17


def test_marking_a_day_of_twenty_runs_a_constant_number_of_queries(
    world, django_assert_max_num_queries
):
    referent = world.members["referent"]
    from tests.factories import SiteFactory

    small_site = SiteFactory(school=world.school)
    trainees(world, 5, site=small_site)
    few = _queries(
        lambda: mark_day(membership=referent, site=small_site, day=today(), half="am", marks={})
    )
    trainees(world, 20)
    with django_assert_max_num_queries(few):
        mark_day(membership=referent, site=world.site, day=today(), half="am", marks={})
    assert AttendanceMark.objects.filter(enrolment__site=world.site, day=today()).count() >= 20
