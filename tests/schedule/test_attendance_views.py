"""The attendance screens: the session sheet, the day sheet, a trainee's month; three users."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.schedule.models import AttendanceMark
from parcours.schedule.services_attendance import close_month, fill_company_days
from tests.utils import page_text

from .attendance_helpers import session_on, today, trainees

pytestmark = pytest.mark.django_db


def sheet_url(world, session):
    return reverse("schedule:session_attendance", args=[world.school.slug, session.pk])


def post_data(people, changes=None):
    """Everyone as shown (present) except ``changes``: {enrolment: (status, reason)}."""
    changes = changes or {}
    data = {}
    for person in people:
        status, reason = changes.get(person, ("present", ""))
        data[f"status_{person.pk}"] = status
        data[f"reason_{person.pk}"] = reason
    return data


def test_the_sheet_shows_everyone_present_by_default(world):
    people = trainees(world, 3)
    session = session_on(world, today(), people)
    response = world.client_for("referent").get(sheet_url(world, session))
    assert response.status_code == 200
    text = page_text(response)
    for person in people:
        assert person.person.full_name in text
    content = response.content.decode()
    assert content.count('value="present"\n') + content.count('value="present" ') >= 3
    assert content.count("checked") == 3
    assert "Tous présents" in text


@pytest.mark.parametrize("who", ["director", "referent"])
def test_who_may_marks_the_exceptions(world, who):
    a, b = trainees(world, 2)
    session = session_on(world, today(), [a, b])
    response = world.client_for(who).post(
        sheet_url(world, session), post_data([a, b], {a: ("excused", "family")})
    )
    assert response.status_code == 302
    marks = {m.enrolment_id: m for m in AttendanceMark.objects.filter(session=session)}
    assert (marks[a.pk].status, marks[a.pk].reason) == ("excused", "family")
    assert marks[b.pk].status == "present"


@pytest.mark.parametrize("who", ["intake", "company_relations", "funder"])
def test_who_may_not_mark_gets_403(world, who):
    a = trainees(world, 1)
    session = session_on(world, today(), a)
    response = world.client_for(who).post(sheet_url(world, session), post_data(a))
    assert response.status_code == 403
    assert not AttendanceMark.objects.filter(session=session).exists()


def test_an_outsider_gets_404(world):
    a = trainees(world, 1)
    session = session_on(world, today(), a)
    client = world.client_for("outsider")
    assert client.get(sheet_url(world, session)).status_code == 404
    assert client.post(sheet_url(world, session), post_data(a)).status_code == 404
    other_url = reverse("schedule:session_attendance", args=[world.other_school.slug, session.pk])
    assert client.get(other_url).status_code == 404  # not a session of their school
    assert not AttendanceMark.objects.filter(session=session).exists()


def test_excused_without_reason_is_refused(world):
    a, b = trainees(world, 2)
    session = session_on(world, today(), [a, b])
    response = world.client_for("referent").post(
        sheet_url(world, session), post_data([a, b], {a: ("excused", "")})
    )
    assert response.status_code == 400
    assert "Indiquez le motif de l'absence justifiée" in page_text(response)
    assert not AttendanceMark.objects.filter(session=session).exists()


def test_a_reason_is_dropped_when_the_status_is_not_excused(world):
    a = trainees(world, 1)
    session = session_on(world, today(), a)
    response = world.client_for("referent").post(
        sheet_url(world, session), post_data(a, {a[0]: ("late", "illness")})
    )
    assert response.status_code == 302
    mark = AttendanceMark.objects.get(session=session)
    assert (mark.status, mark.reason) == ("late", "")


def test_a_correction_after_the_day_needs_a_reason(world):
    day = today() - datetime.timedelta(days=3)
    a, b = trainees(world, 2)
    session = session_on(world, day, [a, b])
    client = world.client_for("referent")
    assert client.post(sheet_url(world, session), post_data([a, b])).status_code == 302
    response = client.get(sheet_url(world, session))
    assert "Motif de la correction" in page_text(response)

    response = client.post(sheet_url(world, session), post_data([a, b], {a: ("unexcused", "")}))
    assert response.status_code == 400
    assert "une correction d'émargement demande un motif" in page_text(response)
    assert AttendanceMark.objects.get(enrolment=a, day=day).status == "present"

    data = post_data([a, b], {a: ("unexcused", "")}) | {"correction_reason": "entry_error"}
    assert client.post(sheet_url(world, session), data).status_code == 302
    assert AttendanceMark.objects.get(enrolment=a, day=day).status == "unexcused"
    event = AuditEvent.objects.get(action="attendance.correct")
    assert event.changes == {"status": ["present", "unexcused"], "correction_reason": "entry_error"}
    assert event.ip_address == "127.0.0.1"


def test_a_closed_month_shows_no_save_and_refuses(world):
    a = trainees(world, 1)
    session = session_on(world, datetime.date(2024, 3, 12), a)
    close_month(membership=world.members["director"], month=datetime.date(2024, 3, 1))
    client = world.client_for("referent")
    response = client.get(sheet_url(world, session))
    text = page_text(response)
    assert "Le mois de mars 2024 est clos : demandez à la direction de le rouvrir." in text
    assert "Enregistrer l'émargement" not in text
    response = client.post(sheet_url(world, session), post_data(a))
    assert response.status_code == 400
    assert "Le mois de mars 2024 est clos" in page_text(response)
    assert not AttendanceMark.objects.filter(session=session).exists()


def test_all_present_keeps_company_days(world):
    a, b = trainees(world, 2)
    session = session_on(world, today(), [a, b])
    referent = world.members["referent"]
    AttendanceMark.objects.create(
        school=world.school,
        enrolment=a,
        day=today(),
        half="am",
        status="company",
        recorded_by=referent.user,
    )
    AttendanceMark.objects.create(
        school=world.school,
        enrolment=b,
        day=today(),
        half="am",
        status="late",
        recorded_by=referent.user,
    )
    data = post_data([a, b], {a: ("company", ""), b: ("late", "")}) | {"all_present": "1"}
    assert world.client_for("referent").post(sheet_url(world, session), data).status_code == 302
    assert AttendanceMark.objects.get(enrolment=a, day=today()).status == "company"
    assert AttendanceMark.objects.get(enrolment=b, day=today()).status == "present"


def test_untouched_rows_keep_their_marks(world):
    """A both-halves session whose afternoon is in company: saving without touching the row
    keeps the afternoon in company."""
    a = trainees(world, 1)[0]
    referent = world.members["referent"]
    AttendanceMark.objects.create(
        school=world.school,
        enrolment=a,
        day=today(),
        half="pm",
        status="company",
        recorded_by=referent.user,
    )
    session = session_on(world, today(), [a], start=(9, 0), end=(16, 0))
    page = page_text(world.client_for("referent").get(sheet_url(world, session)))
    assert "En entreprise" in page
    data = post_data([a], {a: ("company", "")})
    assert world.client_for("referent").post(sheet_url(world, session), data).status_code == 302
    assert AttendanceMark.objects.get(enrolment=a, day=today(), half="pm").status == "company"
    assert AttendanceMark.objects.get(enrolment=a, day=today(), half="am").status == "present"


def _count(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_the_sheet_page_runs_a_constant_number_of_queries(world):
    client = world.client_for("referent")
    few = session_on(world, today(), trainees(world, 5))
    many = session_on(world, today(), trainees(world, 20), start=(14, 0), end=(17, 0))
    assert _count(client, sheet_url(world, few)) == _count(client, sheet_url(world, many))
    many_data = post_data(list(many.trainees.all()))
    few_data = post_data(list(few.trainees.all()))
    with CaptureQueriesContext(connection) as posted_many:
        client.post(sheet_url(world, many), many_data)
    with CaptureQueriesContext(connection) as posted_few:
        client.post(sheet_url(world, few), few_data)
    assert len(posted_many) == len(posted_few)
    assert AttendanceMark.objects.filter(session=many).count() == 20


# -------------------------------------------------------------------------------- day sheet


def day_url(world, **params):
    base = reverse("schedule:day_attendance", args=[world.school.slug])
    return base + "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else base


def test_day_sheet_lists_the_site_trainees_and_saves(world):
    people = trainees(world, 2)
    client = world.client_for("referent")
    url = day_url(world, site=world.site.pk, jour=today().isoformat(), demi="pm")
    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert all(p.person.full_name in text for p in people)
    assert world.objects["enrolment"].person.full_name in text
    everyone = [*people, world.objects["enrolment"]]
    response = client.post(url, post_data(everyone, {people[0]: ("unexcused", "")}))
    assert response.status_code == 302
    marks = AttendanceMark.objects.filter(day=today(), half="pm")
    assert marks.count() == 3
    assert marks.get(enrolment=people[0]).status == "unexcused"


def test_day_sheet_defaults_and_bad_parameters(world):
    client = world.client_for("director")
    assert client.get(day_url(world)).status_code == 200
    response = client.get(day_url(world, site=world.other_site.pk, jour="2024-03-04", demi="am"))
    assert response.status_code == 400
    response = client.get(day_url(world, site=world.site.pk, jour="hier", demi="am"))
    assert response.status_code == 400


def test_day_sheet_access(world):
    trainees(world, 1)
    url = day_url(world, site=world.site.pk, jour=today().isoformat(), demi="am")
    assert world.client_for("intake").post(url, {}).status_code == 403
    assert world.client_for("outsider").post(url, {}).status_code == 404
    assert not AttendanceMark.objects.filter(day=today()).exists()


def test_day_sheet_queries_do_not_grow(world):
    from tests.factories import SiteFactory

    client = world.client_for("referent")
    small = SiteFactory(school=world.school)
    trainees(world, 3, site=small)
    trainees(world, 20)
    jour = today().isoformat()
    assert _count(client, day_url(world, site=small.pk, jour=jour, demi="am")) == _count(
        client, day_url(world, site=world.site.pk, jour=jour, demi="am")
    )


# ---------------------------------------------------------------------- a trainee's month


def test_trainee_month_calendar(world):
    enrolment = world.objects["enrolment"]
    fill_company_days(
        enrolment=enrolment,
        start=datetime.date(2024, 3, 18),
        end=datetime.date(2024, 3, 19),
        recorded_by=world.members["referent"],
    )
    url = reverse("schedule:trainee_attendance", args=[world.school.slug, enrolment.pk])
    response = world.client_for("company_relations").get(url + "?mois=2024-03")
    assert response.status_code == 200
    text = page_text(response)
    assert "Mars 2024" in text
    assert "1 demi-journée" in text  # present, 4 March morning
    assert "4 demi-journées" in text  # in company
    assert "?mois=2024-02" in response.content.decode()
    assert "?mois=2024-04" in response.content.decode()
    assert world.client_for("funder").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
