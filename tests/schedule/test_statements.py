"""Monthly statements checked against hand-computed figures (see statement_helpers for the
marks), including a trainee who turns 18 in the middle of the month."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.schedule.models import ClosedMonth
from parcours.schedule.statements import (
    PAID_STATUSES,
    build_statement,
    monthly_statement,
    parse_month,
    school_statements,
    shift_month,
)

from ..factories import EnrolmentFactory, PersonFactory, SiteFactory
from ..utils import page_text
from .statement_helpers import MARCH, add_marks, trainee_turning_18

pytestmark = pytest.mark.django_db


def test_paid_statuses_are_presence_lateness_and_company():
    assert {"present", "late", "company"} == PAID_STATUSES


def test_statement_of_a_trainee_turning_18_mid_month(world):
    enrolment = trainee_turning_18(world)
    statement = monthly_statement(enrolment, datetime.date(2024, 3, 20))  # any day of March

    assert statement.month == datetime.date(2024, 3, 1)
    assert statement.last_day == datetime.date(2024, 3, 31)
    # Half-days by status (29/02 and 01/04 are outside March):
    #   present: 14am, 15am, 19am, 19pm = 4   late: 14pm, 20am = 2
    #   company: 12am, 12pm, 15pm = 3         excused: 11am = 1   unexcused: 11pm = 1
    #   holiday: 18am, 18pm = 2               total = 13
    assert statement.counts == {
        "present": 4,
        "late": 2,
        "excused": 1,
        "unexcused": 1,
        "company": 3,
        "holiday": 2,
    }
    lines = {line.status: line for line in statement.lines}
    # Days = half-days / 2, hours = half-days × 3.5.
    expected = {
        "present": (4, "2.0", "14.0"),
        "late": (2, "1.0", "7.0"),
        "excused": (1, "0.5", "3.5"),
        "unexcused": (1, "0.5", "3.5"),
        "company": (3, "1.5", "10.5"),
        "holiday": (2, "1.0", "7.0"),
    }
    for status, (half_days, days, hours) in expected.items():
        quantity = lines[status].quantity
        assert (quantity.half_days, quantity.days, quantity.hours) == (
            half_days,
            Decimal(days),
            Decimal(hours),
        ), status
    assert [line.paid for line in statement.lines] == [True, True, False, False, True, False]
    # Total: 13 half-days = 6.5 days = 45.5 hours.
    assert (statement.total.half_days, statement.total.days, statement.total.hours) == (
        13,
        Decimal("6.5"),
        Decimal("45.5"),
    )
    # Paid = present 4 + late 2 + company 3 = 9 half-days = 4.5 days = 31.5 hours.
    assert (statement.paid.half_days, statement.paid.days, statement.paid.hours) == (
        9,
        Decimal("4.5"),
        Decimal("31.5"),
    )
    # Under 18 (before Friday 15/03): 12am, 12pm (company), 14am (present), 14pm (late) = 4
    #   = 2.0 days = 14.0 hours.
    # 18 and over (from 15/03): 15am, 15pm, 19am, 19pm, 20am = 5 = 2.5 days = 17.5 hours.
    # (The absences of 11/03 and the holidays of 18/03 are not paid, whatever the age.)
    assert (statement.paid_minor.half_days, statement.paid_minor.hours) == (4, Decimal("14.0"))
    assert (statement.paid_adult.half_days, statement.paid_adult.hours) == (5, Decimal("17.5"))
    assert statement.paid_minor.days == Decimal("2.0")
    assert statement.paid_adult.days == Decimal("2.5")
    assert statement.adult_on == datetime.date(2024, 3, 15)
    assert not statement.is_closed

    # The day-by-day grid: every day of March, morning and afternoon.
    assert len(statement.days) == 31
    rows = {row.day.day: row for row in statement.days}
    assert (rows[14].am, rows[14].pm) == ("present", "late")
    assert (rows[20].am, rows[20].pm) == ("late", "")
    assert (rows[21].am, rows[21].pm) == ("", "")
    assert (rows[15].am_code, rows[15].pm_code) == ("P", "E")
    # The grid shown omits weekend days without marks: March 2024 has 21 weekdays.
    assert len(statement.grid_days) == 21


def test_a_month_entirely_under_18_and_one_entirely_over(world):
    enrolment = trainee_turning_18(world)
    february = monthly_statement(enrolment, datetime.date(2024, 2, 1))
    # Only 29/02 morning, present, at 17: one paid half-day under 18.
    assert (february.paid_minor.half_days, february.paid_adult.half_days) == (1, 0)
    assert february.adult_on is None
    april = monthly_statement(enrolment, datetime.date(2024, 4, 1))
    # Only 01/04 morning, present, at 18.
    assert (april.paid_minor.half_days, april.paid_adult.half_days) == (0, 1)
    assert april.total.hours == Decimal("3.5")


def test_a_month_without_marks_is_all_zero(world):
    enrolment = trainee_turning_18(world)
    statement = monthly_statement(enrolment, datetime.date(2024, 6, 1))
    assert statement.total.half_days == 0
    assert statement.total.days == Decimal("0.0")
    assert statement.paid.hours == Decimal("0.0")
    assert len(statement.days) == 30


def test_born_on_29_february_is_18_on_1_march():
    # Born 29/02/2004: in 2022 (not a leap year) the 18th birthday is taken on 01/03.
    person = SimpleNamespace(birth_date=datetime.date(2004, 2, 29))
    marks = [
        SimpleNamespace(day=datetime.date(2022, 2, 28), half="am", status="present"),
        SimpleNamespace(day=datetime.date(2022, 3, 1), half="am", status="present"),
    ]
    february = build_statement(None, datetime.date(2022, 2, 1), marks, person=person)
    march = build_statement(None, datetime.date(2022, 3, 1), marks, person=person)
    assert (february.paid_minor.half_days, february.paid_adult.half_days) == (1, 0)
    assert (march.paid_minor.half_days, march.paid_adult.half_days) == (0, 1)
    assert march.adult_on == datetime.date(2022, 3, 1)


def test_closed_month_is_on_the_statement(world):
    enrolment = trainee_turning_18(world)
    closed = ClosedMonth.objects.create(
        school=world.school, month=MARCH, closed_by=world.members["director"].user
    )
    assert monthly_statement(enrolment, MARCH).closed == closed
    assert monthly_statement(enrolment, datetime.date(2024, 4, 1)).closed is None
    # Another school's closed month does not close ours.
    ClosedMonth.objects.create(
        school=world.other_school, month=datetime.date(2024, 4, 1), closed_by=world.outsider.user
    )
    assert not monthly_statement(enrolment, datetime.date(2024, 4, 1)).is_closed


def test_parse_and_shift_month():
    assert parse_month("2024-03") == datetime.date(2024, 3, 1)
    for bad in ("", None, "2024-13", "mars", "2024-03-01", "1800-01", "2024"):
        assert parse_month(bad) is None, bad
    assert shift_month(datetime.date(2024, 1, 1), -1) == datetime.date(2023, 12, 1)
    assert shift_month(datetime.date(2024, 12, 1), 1) == datetime.date(2025, 1, 1)


def _add_trainees(world, count: int, start: int) -> None:
    site = world.site
    for i in range(start, start + count):
        person = PersonFactory(school=world.school, last_name=f"Groupe{i:02d}")
        enrolment = EnrolmentFactory(school=world.school, person=person, site=site)
        add_marks(
            enrolment,
            [
                (datetime.date(2024, 3, 5), "am", "present"),
                (datetime.date(2024, 3, 5), "pm", "late"),
            ],
            world.members["referent"].user,
        )


def test_school_statements_scope_and_constant_queries(world):
    director = world.members["director"]
    majeure = trainee_turning_18(world)
    # In progress in March without a mark: listed with zeros.
    quiet = EnrolmentFactory(
        school=world.school,
        person=PersonFactory(school=world.school, last_name="Sansmarque"),
        site=world.site,
        entry_date=datetime.date(2024, 3, 25),
    )
    # Left in February, no mark in March: not listed.
    gone = EnrolmentFactory(
        school=world.school,
        person=PersonFactory(school=world.school, last_name="Partie"),
        site=world.site,
        entry_date=datetime.date(2023, 10, 2),
        status="exited",
        ended_on=datetime.date(2024, 2, 20),
    )
    # Starts in April: not listed.
    later = EnrolmentFactory(
        school=world.school,
        person=PersonFactory(school=world.school, last_name="Avril"),
        site=world.site,
        entry_date=datetime.date(2024, 4, 2),
    )
    _add_trainees(world, 2, 0)
    with CaptureQueriesContext(connection) as few:
        statements = school_statements(director, MARCH)
    ids = {s.enrolment.pk for s in statements}
    assert {majeure.pk, quiet.pk, world.objects["enrolment"].pk} <= ids
    assert gone.pk not in ids and later.pk not in ids
    assert world.others["enrolment"].pk not in ids
    by_pk = {s.enrolment.pk: s for s in statements}
    assert by_pk[majeure.pk].paid.half_days == 9
    assert by_pk[quiet.pk].total.half_days == 0
    # The world's trainee: the morning of 04/03, present.
    assert by_pk[world.objects["enrolment"].pk].counts["present"] == 1
    names = [s.person.last_name for s in statements]
    assert names == sorted(names)

    _add_trainees(world, 12, 10)
    with CaptureQueriesContext(connection) as many:
        statements = school_statements(director, MARCH)
    assert len(statements) == len(ids) + 12
    assert len(many) == len(few) == 3  # enrolments with persons, marks, closed month


# ------------------------------------------------------------------------------ the screens


def _trainee_url(world, enrolment, month="2024-03") -> str:
    url = reverse("schedule:trainee_statement", args=[world.school.slug, enrolment.pk])
    return f"{url}?mois={month}" if month else url


@pytest.mark.parametrize("who", ["director", "referent", "intake", "company_relations"])
def test_trainee_statement_page_for_staff(world, who):
    enrolment = trainee_turning_18(world)
    response = world.client_for(who).get(_trainee_url(world, enrolment))
    assert response.status_code == 200
    text = page_text(response)
    assert "État de présence de Zoé Majeure — mars 2024" in text
    assert "Provisoire : mois non clos" in text
    assert "18 ans le 15/03/2024" in text
    assert "31,5" in text  # paid hours
    assert "45,5" in text  # total hours
    assert "etat-de-presence/pdf/?mois=2024-03" in response.content.decode()


def test_trainee_statement_page_access(world):
    enrolment = trainee_turning_18(world)
    assert world.client_for("funder").get(_trainee_url(world, enrolment)).status_code == 403
    assert world.client_for("outsider").get(_trainee_url(world, enrolment)).status_code == 404
    other = world.others["enrolment"]
    url = reverse("schedule:trainee_statement", args=[world.school.slug, other.pk])
    assert world.client_for("director").get(url).status_code == 404


def test_trainee_statement_closed_month_and_default_month(world):
    enrolment = trainee_turning_18(world)
    ClosedMonth.objects.create(
        school=world.school, month=MARCH, closed_by=world.members["director"].user
    )
    client = world.client_for("referent")
    text = page_text(client.get(_trainee_url(world, enrolment)))
    assert "Mois clos le" in text
    assert "Provisoire" not in text
    # Without ?mois: the current month.
    response = client.get(_trainee_url(world, enrolment, month=None))
    assert response.status_code == 200
    assert response.context["month"] == datetime.date.today().replace(day=1)


def test_trainee_statement_bad_month(world):
    enrolment = trainee_turning_18(world)
    response = world.client_for("referent").get(_trainee_url(world, enrolment, month="2024-13"))
    assert response.status_code == 400
    assert "Mois invalide : indiquez-le sous la forme AAAA-MM" in page_text(response)


def _school_url(world, month="2024-03") -> str:
    return f"{reverse('schedule:school_statements', args=[world.school.slug])}?mois={month}"


def test_school_statements_page(world):
    trainee_turning_18(world)
    response = world.client_for("director").get(_school_url(world))
    assert response.status_code == 200
    text = page_text(response)
    assert "États de présence — mars 2024" in text
    assert "Majeure Zoé" in text
    assert world.others["enrolment"].person.last_name not in text
    assert world.client_for("referent").get(_school_url(world)).status_code == 403
    assert world.client_for("outsider").get(_school_url(world)).status_code == 404
    bad = world.client_for("director").get(_school_url(world, month="x"))
    assert bad.status_code == 400
    assert "Mois invalide" in page_text(bad)


def test_school_statements_page_constant_queries(world):
    client = world.client_for("director")
    client.get(_school_url(world))  # warm up
    with CaptureQueriesContext(connection) as few:
        assert client.get(_school_url(world)).status_code == 200
    site = SiteFactory(school=world.school, name="Site Gamma")
    for i in range(15):
        person = PersonFactory(school=world.school, last_name=f"Nombreux{i}")
        enrolment = EnrolmentFactory(school=world.school, person=person, site=site)
        add_marks(
            enrolment,
            [(datetime.date(2024, 3, 6), "am", "present")],
            world.members["referent"].user,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(_school_url(world))
    assert "Nombreux14" in page_text(response)
    assert len(many) == len(few)
