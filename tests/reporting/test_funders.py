"""The funder reports computed on hand-built data (year 2019: the world's own trainees are in
2023–2024, so only the people built here count)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.companies.models import Internship
from parcours.outcomes.defaults import PUY_DE_DOME_2018
from parcours.outcomes.models import Exit, ExitFollowUp, HeadlineDefinition, OutcomeDefinition
from parcours.pathways.models import (
    FSE_PLUS,
    PLIE,
    EnrolmentFundingLine,
    EnrolmentPhase,
    EnrolmentStatus,
    FundingLine,
)
from parcours.pathways.services import ensure_phases
from parcours.reporting import funders
from parcours.reporting.indicators import key_figures
from parcours.reporting.periods import Period
from parcours.schedule.models import AttendanceMark, ClosedMonth

from ..factories import EnrolmentFactory, EntrySituationFactory, PersonFactory

pytestmark = pytest.mark.django_db

Y2019 = Period.year(2019)
_names = itertools.count()


def birthday_minus(day: datetime.date, years: int, days: int = 0) -> datetime.date:
    """The birth date of someone who turns ``years`` on ``day + days``."""
    when = day + datetime.timedelta(days=days)
    return when.replace(year=when.year - years)


def trainee(
    world,
    *,
    entry=datetime.date(2019, 2, 4),
    ended=None,
    birth=datetime.date(1995, 6, 1),
    gender="F",
    person=None,
    lines=(),
    **situation,
):
    """An enrolment with its entry situation (and funding lines)."""
    person = person or PersonFactory(
        school=world.school, birth_date=birth, gender=gender, last_name=f"Rapport{next(_names)}"
    )
    enrolment = EnrolmentFactory(
        school=world.school,
        person=person,
        site=world.site,
        entry_date=entry,
        planned_end_date=entry + datetime.timedelta(days=180),
        status=EnrolmentStatus.EXITED if ended else EnrolmentStatus.ACTIVE,
        ended_on=ended,
    )
    EntrySituationFactory(enrolment=enrolment, school=world.school, **situation)
    for code in lines:
        EnrolmentFundingLine.objects.create(
            school=world.school,
            enrolment=enrolment,
            funding_line=FundingLine.objects.get(code=code),
        )
    return enrolment


def leave(enrolment, destination, months=None, on=None):
    on = on or enrolment.ended_on
    return Exit.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        exit_date=on,
        destination=destination,
        months=months,
        dropout_reason="motivation" if destination == "abandon" else "",
    )


# ------------------------------------------------------------------------ politique de la ville


def test_city_policy_counts_qpv_residents_by_code_and_women_over_25(world):
    entry = datetime.date(2019, 3, 4)
    on_26th = trainee(world, entry=entry, birth=birthday_minus(entry, 26), qpv_code="QN06301M")
    trainee(world, entry=entry, birth=birthday_minus(entry, 26, 1), qpv_code="QN06301M")
    man = trainee(world, entry=entry, gender="M", birth=datetime.date(1989, 1, 1), qpv_code="QN2")
    outside = trainee(world, entry=entry, birth=datetime.date(1980, 1, 1))
    # Two enrolments: the latest (no QPV) describes the person.
    moved = trainee(world, entry=datetime.date(2019, 1, 7), ended=datetime.date(2019, 2, 1))
    trainee(world, person=moved.person, entry=datetime.date(2019, 5, 6), qpv_code="")
    moved.entry_situation.qpv_code = "QN3"
    moved.entry_situation.save()
    on_26th.status, on_26th.ended_on = EnrolmentStatus.EXITED, datetime.date(2019, 9, 30)
    on_26th.save()
    leave(on_26th, "cdi")
    man.status, man.ended_on = EnrolmentStatus.EXITED, datetime.date(2019, 12, 31)
    man.save()
    leave(man, "recherche_emploi")
    outside.status, outside.ended_on = EnrolmentStatus.EXITED, datetime.date(2019, 6, 3)
    outside.save()
    leave(outside, "cdi")

    report = funders.city_policy_report(world.school, Y2019)

    assert report.trainees == 5
    assert report.qpv_trainees == 3 == key_figures(world.school, Y2019).qpv.count
    assert report.qpv_pct == Decimal("60.0")
    assert [(r.code, r.trainees, r.women, r.women_over_25) for r in report.by_qpv] == [
        ("QN06301M", 2, 2, 1),  # 26 on the entry day counts; the day before does not
        ("QN2", 1, 0, 0),
    ]
    assert (report.women, report.women_over_25) == (2, 1)
    outcomes = report.outcomes
    assert outcomes.exits == 2  # the resident's exits only
    assert outcomes.definition == "Sortie positive — réseau (≥ 6 mois)"  # no choice: default
    assert (outcomes.rate.counted, outcomes.rate.successful) == (2, 1)
    assert {g.code: g.count for g in outcomes.groups} == {
        "emploi": 1,
        "formation": 0,
        "service_civique": 0,
        "sans_solution": 1,
    }


def test_city_policy_uses_the_headline_chosen_for_the_year(world):
    definition = OutcomeDefinition.objects.get(code=PUY_DE_DOME_2018, is_current=True)
    HeadlineDefinition.objects.create(school=world.school, year=2019, definition=definition)
    enrolment = trainee(world, ended=datetime.date(2019, 6, 28), qpv_code="QN1")
    leave(enrolment, "cdd", months=3)  # > 2 months: success for the school, not the network
    report = funders.city_policy_report(world.school, Y2019)
    assert report.outcomes.definition == definition.name
    assert report.outcomes.rate.successful == 1
    figures = key_figures(world.school, Y2019)
    assert figures.successful_exits == 1  # the same rule as the key figures


# ------------------------------------------------------------------------------ PLIE


@pytest.fixture
def plie_world(world):
    phases = ensure_phases(world.school)
    inside = trainee(world, entry=datetime.date(2018, 11, 5), ended=datetime.date(2019, 5, 31))
    EnrolmentFundingLine.objects.create(
        school=world.school, enrolment=inside, funding_line=FundingLine.objects.get(code=PLIE)
    )
    EnrolmentPhase.objects.create(
        school=world.school,
        enrolment=inside,
        phase=phases[0],
        started_on=inside.entry_date,
        ended_on=datetime.date(2018, 12, 14),  # before the period: not a step of 2019
    )
    EnrolmentPhase.objects.create(
        school=world.school,
        enrolment=inside,
        phase=phases[1],
        started_on=datetime.date(2018, 12, 14),
        ended_on=datetime.date(2019, 5, 31),
    )
    internship = world.objects["internship"]
    Internship.objects.create(
        school=world.school,
        enrolment=inside,
        company=internship.company,
        tutor=internship.tutor,
        signatory=internship.signatory,
        job_title="Magasinier",
        start_date=datetime.date(2019, 3, 4),
        end_date=datetime.date(2019, 3, 15),
        weekly_hours=35,
        tasks="Réception.",
        created_by=internship.created_by,
    )
    leave(inside, "cdd", months=7)  # more than 6 months: positive for the PLIE
    # Ended before the period: not a participant of 2019.
    trainee(world, entry=datetime.date(2018, 1, 8), ended=datetime.date(2018, 12, 31), lines=[PLIE])
    # No PLIE line.
    trainee(world, entry=datetime.date(2019, 2, 4))
    # Two enrolments in 2019, the PLIE line on the first: a participant; moved away (excluded).
    first = trainee(
        world, entry=datetime.date(2019, 1, 7), ended=datetime.date(2019, 3, 1), lines=[PLIE]
    )
    leave(first, "demenagement")
    trainee(world, person=first.person, entry=datetime.date(2019, 4, 1))
    return {"inside": inside, "first": first}


def test_plie_participants_are_those_with_the_line(world, plie_world):
    report = funders.plie_report(world.school, Y2019)
    assert {p.person_id for p in report.participants} == {
        plie_world["inside"].person_id,
        plie_world["first"].person_id,
    }
    assert report.people == key_figures(world.school, Y2019).plie == 2
    assert report.entries == 1  # the second entered in 2019, the first in 2018
    assert report.in_progress == 0


def test_plie_steps_are_those_of_the_period(world, plie_world):
    report = funders.plie_report(world.school, Y2019)
    inside = next(p for p in report.participants if p.person_id == plie_world["inside"].person_id)
    assert [(s.phase, s.started_on) for s in inside.phases] == [
        ("Construction du projet professionnel", datetime.date(2018, 12, 14))
    ]
    assert [(i.job_title, i.start_date) for i in inside.internships] == [
        ("Magasinier", datetime.date(2019, 3, 4))
    ]
    assert (report.phases, report.internships, report.pmsmp) == (1, 1, 0)


def test_plie_exits_under_the_plie_definition(world, plie_world):
    report = funders.plie_report(world.school, Y2019)
    rate = report.outcomes.rate
    assert report.outcomes.definition == "Sortie positive — PLIE"
    assert (rate.exits, rate.excluded, rate.counted, rate.successful) == (2, 1, 1, 1)
    assert rate.rate == Decimal("100.0")
    inside = next(p for p in report.participants if p.person_id == plie_world["inside"].person_id)
    assert inside.exit.successful is True
    assert inside.exit.destination_label == "CDD"


def test_plie_cdd_of_exactly_six_months_is_not_positive(world):
    enrolment = trainee(world, ended=datetime.date(2019, 8, 30), lines=[PLIE])
    leave(enrolment, "cdd", months=6)
    rate = funders.plie_report(world.school, Y2019).outcomes.rate
    assert (rate.counted, rate.successful) == (1, 0)


# ------------------------------------------------------------------------------ FSE+


def test_fse_counts_declined_answers_apart(world):
    entry = datetime.date(2019, 3, 4)
    trainee(
        world,
        entry=entry,
        birth=birthday_minus(entry, 18, 1),  # 17 on the entry day
        lines=[FSE_PLUS],
        rqth="declined",
        foreign_origin="declined",
    )
    trainee(
        world,
        entry=entry,
        gender="M",
        birth=birthday_minus(entry, 30, 1),  # 29
        lines=[FSE_PLUS],
        rqth="no",
        foreign_origin="yes",
        single_parent="yes",
    )
    trainee(world, entry=entry, lines=[], rqth="declined")  # not an FSE+ participant

    report = funders.fse_report(world.school, Y2019)
    items = {item.code: {row.code: row.count for row in item.rows} for item in report.at_entry}
    assert report.people == 2
    assert items["rqth"] == {"yes": 0, "no": 1, "declined": 1}
    assert items["foreign_origin"] == {"yes": 1, "no": 0, "declined": 1}
    assert items["single_parent"] == {"yes": 1, "no": 1, "declined": 0}
    assert items["gender"] == {"F": 1, "M": 1}
    assert items["age"] == {"moins_18": 1, "18_29": 1, "30_54": 0, "55_plus": 0}
    rqth = next(item for item in report.at_entry if item.code == "rqth")
    assert [row.label for row in rqth.rows] == ["Oui", "Non", "Ne souhaite pas répondre"]
    answers = {p.answers["rqth"] for p in report.participants}
    assert answers == {"Non", "Ne souhaite pas répondre"}


def test_fse_situation_at_exit_and_six_months_after(world):
    def exited(destination, on=datetime.date(2019, 4, 30)):
        enrolment = trainee(world, ended=on, lines=[FSE_PLUS])
        return leave(enrolment, destination, months=8 if destination == "cdd" else None)

    def follow(exit_, wave, status, situation=""):
        ExitFollowUp.objects.create(
            school=world.school,
            exit=exit_,
            wave=wave,
            due_on=exit_.exit_date + datetime.timedelta(days=30 * wave),
            status=status,
            situation=situation,
        )

    reached = exited("cdi")
    follow(reached, 3, "reached", "cdi")
    follow(reached, 6, "reached", "formation_qualifiante")
    follow(exited("cdd"), 6, "unreachable")
    follow(exited("recherche_emploi"), 6, "due")
    exited("service_civique", datetime.date(2019, 12, 20))  # not due yet: no follow-up
    trainee(world, lines=[FSE_PLUS])  # still in the pathway

    report = funders.fse_report(world.school, Y2019)
    assert report.exits == 4
    assert {row.code: row.count for row in report.at_exit} == {
        "emploi": 2,
        "formation": 0,
        "service_civique": 1,
        "sans_solution": 1,
        "en_parcours": 1,
    }
    assert {row.code: row.count for row in report.six_months} == {
        "emploi": 0,
        "formation": 1,
        "service_civique": 0,
        "sans_solution": 0,
        "injoignable": 1,
        "a_faire": 1,
        "pas_encore_echu": 1,
    }
    situations = sorted(p.six_months for p in report.participants)
    assert situations == sorted(
        [
            "",
            "Formation qualifiante",
            "Injoignable",
            "Suivi à faire (échu, non réalisé)",
            "Suivi pas encore échu",
        ]
    )


# ------------------------------------------------------------------------------ Région


def mark(enrolment, day, half, status, user):
    return AttendanceMark.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        day=day,
        half=half,
        status=status,
        reason="illness" if status == "excused" else "",
        recorded_by=user,
    )


def test_region_age_brackets_at_18_and_26(world):
    entry = datetime.date(2019, 3, 4)
    trainee(world, entry=entry, birth=birthday_minus(entry, 18, 1))  # 17
    trainee(world, entry=entry, birth=birthday_minus(entry, 18))  # 18 on the day
    trainee(world, entry=entry, birth=birthday_minus(entry, 26, 1))  # 25
    trainee(world, entry=entry, birth=birthday_minus(entry, 26))  # 26 on the day
    report = funders.region_report(world.school, Y2019)
    assert [(b.code, b.trainees) for b in report.brackets] == [
        ("moins_18", 1),
        ("18_25", 2),
        ("26_plus", 1),
    ]
    figures = key_figures(world.school, Y2019)
    assert report.brackets[0].trainees == figures.minors.count
    assert report.brackets[0].trainees + report.brackets[1].trainees == figures.under_26.count


def test_region_attendance_and_statements_from_marks(world):
    user = world.members["referent"].user
    entry = datetime.date(2019, 1, 7)
    # Turns 18 on Friday 15 March 2019: the 14th is paid at the under-18 rate, the 15th not.
    minor = trainee(world, entry=entry, birth=datetime.date(2001, 3, 15))
    adult = trainee(world, entry=entry, birth=datetime.date(1990, 1, 1))
    mark(minor, datetime.date(2019, 3, 14), "am", "present", user)
    mark(minor, datetime.date(2019, 3, 15), "am", "late", user)
    mark(minor, datetime.date(2019, 3, 15), "pm", "unexcused", user)
    mark(minor, datetime.date(2019, 3, 18), "am", "holiday", user)
    mark(adult, datetime.date(2019, 3, 14), "am", "company", user)
    mark(adult, datetime.date(2019, 4, 1), "am", "excused", user)
    mark(adult, datetime.date(2020, 1, 6), "am", "present", user)  # after the period
    ClosedMonth.objects.create(school=world.school, month=datetime.date(2019, 3, 1), closed_by=user)

    report = funders.region_report(world.school, Y2019)
    brackets = {b.code: b for b in report.brackets}
    assert brackets["moins_18"].attendance.counted == 3  # the holiday is left out
    assert brackets["moins_18"].attendance.attendance_rate == Decimal("66.7")
    assert brackets["26_plus"].attendance.attendance_rate == Decimal("50.0")
    assert report.attendance.attendance_rate == Decimal("60.0")  # 3 of 5

    months = {m.month.month: m for m in report.months}
    assert len(report.months) == 12
    march = months[3]
    assert march.closed and not months[4].closed
    assert (march.trainees, march.paid_half_days) == (2, 3)
    assert (march.paid_minor, march.paid_adult) == (1, 2)  # the pay rate on the day
    assert march.by_bracket == {"moins_18": 2, "18_25": 0, "26_plus": 1}  # the entry bracket
    assert march.paid_hours == Decimal("10.5")
    assert (months[4].trainees, months[4].paid_half_days) == (1, 0)
    assert report.paid_half_days == 3


# ------------------------------------------------------------------------------ queries


def _populate(world, n: int) -> None:
    user = world.members["referent"].user
    phases = ensure_phases(world.school)
    for i in range(n):
        enrolment = trainee(
            world,
            entry=datetime.date(2019, 1, 7) + datetime.timedelta(days=i),
            ended=datetime.date(2019, 6, 28),
            lines=[PLIE, FSE_PLUS],
            qpv_code=f"QN{i % 3}",
        )
        EnrolmentPhase.objects.create(
            school=world.school,
            enrolment=enrolment,
            phase=phases[0],
            started_on=enrolment.entry_date,
        )
        made = leave(enrolment, ["cdi", "cdd", "formation"][i % 3], months=7)
        ExitFollowUp.objects.create(
            school=world.school,
            exit=made,
            wave=6,
            due_on=datetime.date(2019, 12, 28),
            status="reached",
            situation="cdi",
        )
        mark(enrolment, datetime.date(2019, 2, 4), "am", "present", user)
        mark(enrolment, datetime.date(2019, 3, 4), "pm", "company", user)


@pytest.mark.parametrize("kind", list(funders.REPORTS))
def test_each_report_runs_a_constant_number_of_queries(world, kind):
    _populate(world, 2)
    with CaptureQueriesContext(connection) as few:
        small = funders.report(kind, world.school, Y2019)
    _populate(world, 6)
    with CaptureQueriesContext(connection) as many:
        large = funders.report(kind, world.school, Y2019)
    assert large.people > small.people
    assert len(many) == len(few)
    assert len(many) <= 8
