"""Attendance: half-day marks read with filters (VIEW_SCHEDULE), sheets saved through the web's
service (MARK_ATTENDANCE): a session's or a site's half-day, corrections with a reason, closed
months refused with the web's message, audited like the web."""

from __future__ import annotations

import datetime

import pytest

from parcours.schedule.models import AttendanceMark, ClosedMonth
from tests.factories import EnrolmentFactory

from .helpers import events, has_message, queries_of

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 5)  # a Tuesday: the world's trainee and the exited one attend


def _day_body(world, marks, **overrides):
    return {
        "site": world.site.pk,
        "day": DAY.isoformat(),
        "half": "am",
        "marks": marks,
        **overrides,
    }


# ------------------------------------------------------------------------------ read


def test_read_marks_with_filters(world, call):
    enrolment = world.objects["enrolment"]
    rows = call("company_relations", "get", "/attendance").json()["results"]
    assert [(r["enrolment"], r["day"], r["half"], r["status"]) for r in rows] == [
        (enrolment.pk, "2024-03-04", "am", "present")
    ]
    assert rows[0]["session"] == world.objects["session"].pk
    assert call("director", "get", "/attendance?date_from=2024-03-05").json()["count"] == 0
    assert call("director", "get", "/attendance?date_to=2024-03-04").json()["count"] == 1
    assert call("director", "get", f"/attendance?enrolment={enrolment.pk}").json()["count"] == 1
    assert call("director", "get", f"/attendance?site={world.site.pk}").json()["count"] == 1
    # another school's ids match nothing; its marks are never listed
    assert call("director", "get", f"/attendance?site={world.other_site.pk}").json()["count"] == 0
    other = world.others["enrolment"].pk
    assert call("director", "get", f"/attendance?enrolment={other}").json()["count"] == 0
    assert call("prescriber", "get", "/attendance").status_code == 403
    theirs = call("outsider", "get", "/attendance").json()["results"]
    assert [row["id"] for row in theirs] == [world.others["attendance_mark"].pk]
    response = call("director", "get", "/attendance?date_from=2024-03-06&date_to=2024-03-05")
    assert response.status_code == 422


def test_read_runs_a_constant_number_of_queries(world, call):
    call("director", "get", "/attendance")
    few = queries_of(lambda: call("director", "get", "/attendance"))
    for enrolment in EnrolmentFactory.create_batch(10, school=world.school, site=world.site):
        AttendanceMark.objects.create(
            school=world.school,
            enrolment=enrolment,
            day=DAY,
            half="pm",
            status="present",
            recorded_by=world.members["director"].user,
        )
    assert queries_of(lambda: call("director", "get", "/attendance")) == few


# ------------------------------------------------------------------------------ day sheet


def test_referent_marks_a_half_day_like_the_sheet(world, call):
    trainee = world.objects["enrolment"]
    exited = world.objects["exited_enrolment"]
    response = call(
        "referent",
        "post",
        "/attendance",
        _day_body(world, [{"enrolment": trainee.pk, "status": "excused", "reason": "illness"}]),
    )
    assert response.status_code == 200, response.content
    marks = {row["enrolment"]: row for row in response.json()["marks"]}
    assert marks[trainee.pk]["status"] == "excused" and marks[trainee.pk]["reason"] == "illness"
    # the others of the sheet without a mark are present, as on the web
    assert marks[exited.pk]["status"] == "present"
    assert AttendanceMark.objects.filter(day=DAY, half="am").count() == len(marks)
    [event] = events("attendance.mark_day")
    assert event.object_id == str(world.site.pk) and event.changes["created"] == len(marks)


def test_a_past_change_needs_a_correction_reason(world, call):
    trainee = world.objects["enrolment"]
    first = [{"enrolment": trainee.pk, "status": "present"}]
    assert call("referent", "post", "/attendance", _day_body(world, first)).status_code == 200
    change = [{"enrolment": trainee.pk, "status": "unexcused"}]
    response = call("referent", "post", "/attendance", _day_body(world, change))
    assert response.status_code == 422
    assert has_message(response, "une correction d'émargement demande un motif de correction")
    assert AttendanceMark.objects.get(enrolment=trainee, day=DAY).status == "present"
    response = call(
        "referent", "post", "/attendance", _day_body(world, change, correction_reason="document")
    )
    assert response.status_code == 200
    [event] = events("attendance.correct")
    assert event.changes == {"status": ["present", "unexcused"], "correction_reason": "document"}


def test_a_closed_month_is_refused_with_the_web_message(world, call):
    ClosedMonth.objects.create(
        school=world.school, month=DAY.replace(day=1), closed_by=world.members["director"].user
    )
    before = AttendanceMark.objects.count()
    body = _day_body(world, [{"enrolment": world.objects["enrolment"].pk, "status": "present"}])
    response = call("director", "post", "/attendance", body)
    assert response.status_code == 422
    assert has_message(
        response, "Le mois de mars 2024 est clos : demandez à la direction de le rouvrir."
    )
    assert AttendanceMark.objects.count() == before
    assert events("attendance.mark_day") == []


@pytest.mark.parametrize(
    ("marks", "overrides", "message"),
    [
        ([{"status": "excused"}], {}, "Une absence justifiée demande un motif"),
        (
            [{"status": "present", "reason": "illness"}],
            {},
            "Seule une absence justifiée porte un motif.",
        ),
        ([{"status": "endormi"}], {}, "Présence inconnue"),
        ([{"status": "present"}], {"day": "2099-03-05"}, "On ne peut pas émarger un jour à venir."),
        ([{"status": "present"}], {"half": "pp"}, "Choisissez le matin ou l'après-midi."),
        ([{"status": "present"}], {"half": None}, "Indiquez la séance, ou le site"),
        (
            [{"status": "present"}, {"status": "late"}],
            {},
            "Une personne est indiquée deux fois sur la feuille.",
        ),
    ],
)
def test_bad_sheets_write_nothing(world, call, marks, overrides, message):
    for mark in marks:
        mark["enrolment"] = world.objects["enrolment"].pk
    before = AttendanceMark.objects.count()
    response = call("referent", "post", "/attendance", _day_body(world, marks, **overrides))
    assert response.status_code == 422, response.content
    assert has_message(response, message), response.json()
    assert AttendanceMark.objects.count() == before
    assert events("attendance.mark_day") == []


def test_a_trainee_not_on_the_sheet_is_refused(world, call):
    """Another school's enrolment (or one not expected that day) is not on the sheet."""
    body = _day_body(world, [{"enrolment": world.others["enrolment"].pk, "status": "present"}])
    response = call("referent", "post", "/attendance", body)
    assert response.status_code == 422
    assert has_message(response, "Une personne de la feuille n'est pas attendue ce jour-là.")
    assert not AttendanceMark.objects.filter(day=DAY).exists()


def test_marking_refused_by_role_and_school(world, call):
    body = _day_body(world, [])
    assert call("intake", "post", "/attendance", body).status_code == 403
    assert call("company_relations", "post", "/attendance", body).status_code == 403
    assert call("outsider", "post", "/attendance", body).status_code == 404  # school A's site
    session_body = {"session": world.objects["session"].pk, "marks": []}
    assert call("outsider", "post", "/attendance", session_body).status_code == 404
    assert not AttendanceMark.objects.filter(day=DAY).exists()


# ------------------------------------------------------------------------------ session


def test_marking_a_session(world, call):
    session = world.objects["session"]
    trainee = world.objects["enrolment"]
    response = call(
        "referent",
        "post",
        "/attendance",
        {
            "session": session.pk,
            "marks": [{"enrolment": trainee.pk, "status": "late"}],
            "correction_reason": "entry_error",
        },
    )
    assert response.status_code == 200, response.content
    [mark] = response.json()["marks"]
    assert mark["status"] == "late" and mark["session"] == session.pk
    assert {e.action for e in events("attendance.mark_session")} == {"attendance.mark_session"}
    assert len(events("attendance.correct")) == 1
    response = call(
        "referent",
        "post",
        "/attendance",
        {"session": session.pk, "site": world.site.pk, "marks": []},
    )
    assert response.status_code == 422
    assert has_message(response, "pas les deux")
