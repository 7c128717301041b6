"""The demo's exits, follow-ups and headline definitions: E2C Puy-de-Dôme's 2018 exits give
56 % successful exits under its 2018 definition, with a realistic mix of destinations, and the
follow-ups at 3, 6 and 12 months are recorded."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from parcours.companies.models import Hire
from parcours.demo.accounts import OTHER_SCHOOL_SLUG
from parcours.demo.builder import reset_demo
from parcours.demo.outcomes_history import (
    FROM_CONTRACT,
    RECORDING_DELAY,
    build_outcomes_history,
    delete_outcomes_history,
)
from parcours.organisations.models import Membership, Role, School
from parcours.outcomes.defaults import DEFAULT_DEFINITIONS, PUY_DE_DOME_2018
from parcours.outcomes.destinations import (
    GROUP_OF,
    GROUPS,
    LENGTH_REQUIRED,
    WITH_ORGANISATION,
    Destination,
)
from parcours.outcomes.models import (
    Exit,
    ExitFollowUp,
    FollowUpStatus,
    FollowUpWave,
    HeadlineDefinition,
    OutcomeDefinition,
    follow_up_due_on,
)
from parcours.outcomes.rules import DefinitionSpec, success_rate
from parcours.outcomes.selectors import exit_facts, headline_for
from parcours.pathways.models import Enrolment, EnrolmentStatus

START_2018 = datetime.date(2018, 1, 1)
END_2018 = datetime.date(2018, 12, 31)
D = Destination


@pytest.fixture
def school(demo_built, db) -> School:
    return School.objects.get(slug="e2c-63")


@pytest.fixture
def exits(school) -> list[Exit]:
    return list(
        Exit.objects.filter(school=school)
        .select_related("enrolment__referent", "hire__company")
        .order_by("exit_date", "pk")
    )


def _today() -> datetime.date:
    return timezone.localdate()


def _year(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def test_2018_exits_give_56_percent_under_the_2018_school_definition(school):
    definition, chosen = headline_for(school, 2018)
    assert chosen and definition.code == PUY_DE_DOME_2018
    rate = success_rate(exit_facts(school, START_2018, END_2018), definition.spec, *_year(2018))
    assert rate.rounded == 56
    # Everyone who left in 2018 is counted once (the definition excludes nobody).
    people = (
        Enrolment.objects.filter(school=school, ended_on__range=(START_2018, END_2018))
        .values("person")
        .distinct()
        .count()
    )
    assert rate.exits == rate.counted == people >= 100
    assert rate.excluded == 0


def test_other_years_have_a_plausible_rate(school):
    spec = OutcomeDefinition.objects.get(code=PUY_DE_DOME_2018, is_current=True).spec
    years = set(Exit.objects.filter(school=school).values_list("exit_date__year", flat=True))
    assert {2017, 2018, 2019} <= years
    for year in years - {2018}:
        rate = success_rate(exit_facts(school, *_year(year)), spec, *_year(year))
        assert 50 <= rate.rounded <= 62, (year, rate)


def test_the_more_than_2_months_boundary_matters_in_2018(school):
    """Some 2018 exits are jobs of exactly 2 months: an inclusive "2 months or more" would
    count them, the school's strict "more than 2 months" does not."""
    definition = OutcomeDefinition.objects.get(code=PUY_DE_DOME_2018, is_current=True)
    inclusive = DefinitionSpec(
        rules=tuple(dataclasses.replace(rule, strict=False) for rule in definition.spec.rules)
    )
    facts = exit_facts(school, START_2018, END_2018)
    strict = success_rate(facts, definition.spec, START_2018, END_2018)
    assert success_rate(facts, inclusive, START_2018, END_2018).successful > strict.successful


def test_every_exited_enrolment_has_exactly_one_exit_on_its_last_day(school, exits):
    by_enrolment = Counter(e.enrolment_id for e in exits)
    exited = dict(
        Enrolment.objects.filter(school=school, status=EnrolmentStatus.EXITED).values_list(
            "pk", "ended_on"
        )
    )
    assert len(exited) >= 500
    assert set(by_enrolment) == set(exited)
    assert set(by_enrolment.values()) == {1}
    assert not Exit.objects.filter(enrolment__status=EnrolmentStatus.ACTIVE).exists()
    for exit_ in exits:
        assert exit_.exit_date == exited[exit_.enrolment_id]
        assert exit_.school_id == school.pk
        assert exit_.recorded_by_id == exit_.enrolment.referent.user_id
        recorded_on = timezone.localtime(exit_.recorded_at).date()
        assert exit_.exit_date <= recorded_on <= exit_.exit_date + datetime.timedelta(days=3)
        assert exit_.corrected_at is None


def test_each_hire_becomes_the_exit_it_led_to(school, exits):
    hires = {
        h.enrolment_id: h
        for h in Hire.objects.filter(school=school, enrolment__status=EnrolmentStatus.EXITED)
    }
    assert len(hires) >= 50
    with_hire = [e for e in exits if e.hire_id]
    assert {e.enrolment_id for e in with_hire} == set(hires)
    for exit_ in with_hire:
        hire = exit_.hire
        assert hire.pk == hires[exit_.enrolment_id].pk
        assert exit_.destination == FROM_CONTRACT[hire.contract_type]
        assert exit_.months == hire.months
        assert exit_.organisation == hire.company.name
        assert hire.start_date > exit_.exit_date


def test_lengths_organisations_and_dropout_reasons_where_they_belong(exits):
    for exit_ in exits:
        assert (exit_.months is not None) == (exit_.destination in LENGTH_REQUIRED), exit_.pk
        assert exit_.months is None or exit_.months >= 1
        assert 0 <= exit_.days <= 30
        assert exit_.days == 0 or exit_.months is not None
        assert bool(exit_.dropout_reason) == (exit_.destination == D.DROPOUT), exit_.pk
        assert bool(exit_.organisation) == (exit_.destination in WITH_ORGANISATION), exit_.pk


def test_a_realistic_mix_of_destinations(school, exits):
    destinations = Counter(e.destination for e in exits)
    assert len(destinations) >= 15
    groups = Counter(GROUP_OF[d] for d in destinations.elements())
    assert set(groups) == set(GROUPS)
    assert groups["emploi"] > groups["formation"] > groups["service_civique"] > 0
    assert 0.3 <= groups["sans_solution"] / len(exits) <= 0.5
    # Fixed-term jobs of every length, at the boundary too: 1 month, exactly 2 months, and
    # 2 months and some days.
    lengths = {(e.destination, e.months, e.days) for e in exits}
    assert {(D.CDD, 1, 0), (D.CDD, 2, 0), (D.INTERIM, 1, 0), (D.INTERIM, 2, 0)} <= lengths
    assert any(e.months == 2 and e.days > 0 for e in exits)
    assert max(e.months or 0 for e in exits) == 12
    # Those who left within the first months mostly dropped out (with a reason).
    short = [e for e in exits if (e.exit_date - e.enrolment.entry_date).days < 120]
    assert len(short) >= 80
    dropped = Counter(e.destination for e in short)
    assert dropped[D.DROPOUT] > len(short) / 2
    assert {D.EXCLUDED, D.MOVED, D.HEALTH} <= set(dropped)
    assert len({e.dropout_reason for e in exits if e.dropout_reason}) >= 4
    # Real training bodies of the area.
    bodies = {e.organisation for e in exits if GROUP_OF[e.destination] == "formation"}
    for name in ("AFPA", "GRETA Auvergne", "CFA"):
        assert any(name in body for body in bodies), name
    # Only women go on maternity leave.
    assert all(
        e.enrolment.person.gender == "F"
        for e in Exit.objects.filter(school=school, destination=D.MATERNITY).select_related(
            "enrolment__person"
        )
    )


def test_follow_ups_for_every_wave_fallen_due_mostly_recorded(school, exits):
    today = _today()
    follow_ups = defaultdict(dict)
    rows = list(ExitFollowUp.objects.filter(school=school).select_related("exit__enrolment"))
    for follow_up in rows:
        follow_ups[follow_up.exit_id][follow_up.wave] = follow_up
    for exit_ in exits:
        due = {
            wave: follow_up_due_on(exit_.exit_date, wave)
            for wave in FollowUpWave.values
            if follow_up_due_on(exit_.exit_date, wave) <= today
        }
        assert {w: f.due_on for w, f in follow_ups[exit_.pk].items()} == due, exit_.pk
    for follow_up in rows:
        referent = follow_up.exit.enrolment.referent.user_id
        assert (follow_up.status == FollowUpStatus.REACHED) == bool(follow_up.situation)
        assert (follow_up.status == FollowUpStatus.REACHED) == (follow_up.contacted_on is not None)
        assert follow_up.notified_at is not None
        if follow_up.status == FollowUpStatus.DUE:
            assert follow_up.recorded_by_id is None and follow_up.recorded_at is None
            continue
        assert follow_up.recorded_by_id == referent
        recorded_on = timezone.localtime(follow_up.recorded_at).date()
        assert follow_up.due_on <= recorded_on <= today
        if follow_up.contacted_on:
            assert follow_up.due_on <= follow_up.contacted_on == recorded_on
        assert (follow_up.months is not None) == (follow_up.situation in LENGTH_REQUIRED)
        assert bool(follow_up.organisation) == (follow_up.situation in WITH_ORGANISATION)
    statuses = Counter(f.status for f in rows)
    assert len(rows) >= 1500
    assert statuses[FollowUpStatus.REACHED] >= 0.7 * len(rows)
    assert 0.08 * len(rows) <= statuses[FollowUpStatus.UNREACHABLE] <= 0.22 * len(rows)
    assert 10 <= statuses[FollowUpStatus.DUE] <= 0.06 * len(rows)  # a few left undone


def test_people_tend_to_stay_or_to_move_up(school):
    rows = ExitFollowUp.objects.filter(school=school, status=FollowUpStatus.REACHED)
    moves = Counter(rows.values_list("exit__destination", "situation"))
    assert moves[(D.CDD, D.CDI)] >= 10
    assert moves[(D.JOB_SEARCH, D.CDD)] + moves[(D.JOB_SEARCH, D.INTERIM)] >= 10
    assert moves[(D.CDI, D.CDI)] > moves[(D.CDI, D.JOB_SEARCH)]
    assert not rows.filter(situation__in=[D.DROPOUT, D.EXCLUDED]).exists()
    # At 12 months more people are in employment than at the exit.
    exits = Exit.objects.filter(school=school, follow_ups__wave=12, follow_ups__status="reached")
    at_exit = sum(GROUP_OF[d] == "emploi" for d in exits.values_list("destination", flat=True))
    at_12 = sum(
        GROUP_OF[d] == "emploi" for d in rows.filter(wave=12).values_list("situation", flat=True)
    )
    assert at_12 > at_exit


def test_as_of_an_earlier_day_recent_waves_are_still_to_do(school):
    """Built as of 1 March 2019: no follow-up of a wave not yet due, those due in the last
    three weeks still to do (notified, unless due today), the older ones mostly recorded."""
    today = datetime.date(2019, 3, 1)
    delete_outcomes_history([school.pk])
    build_outcomes_history(school, today=today)
    rows = list(ExitFollowUp.objects.filter(school=school).select_related("exit"))
    assert rows
    assert all(f.due_on <= today for f in rows)
    expected = sum(
        follow_up_due_on(e.exit_date, wave) <= today
        for e in Exit.objects.filter(school=school)
        for wave in FollowUpWave.values
    )
    assert len(rows) == expected
    recent = [f for f in rows if today - f.due_on < RECORDING_DELAY]
    assert len(recent) >= 5
    assert all(f.status == FollowUpStatus.DUE and f.recorded_at is None for f in recent)
    assert all((f.notified_at is None) == (f.due_on == today) for f in recent)
    older = [f for f in rows if today - f.due_on >= RECORDING_DELAY]
    assert sum(f.status != FollowUpStatus.DUE for f in older) >= 0.9 * len(older)
    assert all(f.recorded_at is None or f.recorded_at.date() <= today for f in rows)
    # The exits and the 2018 figure do not depend on the day.
    definition, _chosen = headline_for(school, 2018)
    rate = success_rate(exit_facts(school, START_2018, END_2018), definition.spec, *_year(2018))
    assert rate.rounded == 56
    assert set(HeadlineDefinition.objects.filter(school=school).values_list("year", flat=True)) == {
        2018,
        2019,
    }


def test_the_school_chose_its_2018_definition_for_every_year_since(school):
    director = Membership.objects.filter(school=school, role=Role.DIRECTOR).earliest(
        "active_from", "pk"
    )
    headlines = HeadlineDefinition.objects.filter(school=school).select_related("definition")
    assert sorted(h.year for h in headlines) == list(range(2018, _today().year + 1))
    for headline in headlines:
        assert headline.definition.code == PUY_DE_DOME_2018
        assert headline.definition.school_id is None and headline.definition.is_current
        assert headline.chosen_by_id == director.user_id
        assert headline.chosen_at.year == headline.year
    assert headline_for(school, 2017) == (
        OutcomeDefinition.objects.get(code="reseau-6-mois", is_current=True),
        False,
    )
    other = School.objects.get(slug=OTHER_SCHOOL_SLUG)
    assert not HeadlineDefinition.objects.filter(school=other).exists()
    assert not Exit.objects.filter(school=other).exists()


def _fingerprint(school: School) -> str:
    digest = hashlib.sha256()
    for query in (
        Exit.objects.filter(school=school)
        .order_by("enrolment_id")
        .values_list(
            "enrolment_id",
            "exit_date",
            "destination",
            "months",
            "days",
            "organisation",
            "hire_id",
            "dropout_reason",
            "comment",
            "recorded_by_id",
            "recorded_at",
        ),
        ExitFollowUp.objects.filter(school=school)
        .order_by("exit__enrolment_id", "wave")
        .values_list(
            "exit__enrolment_id",
            "wave",
            "due_on",
            "status",
            "notified_at",
            "contacted_on",
            "situation",
            "months",
            "organisation",
            "recorded_by_id",
            "recorded_at",
        ),
        HeadlineDefinition.objects.filter(school=school)
        .order_by("year")
        .values_list("year", "definition__code", "chosen_by_id", "chosen_at"),
    ):
        digest.update(repr(list(query)).encode())
    return digest.hexdigest()


def test_same_seed_same_data(school):
    before = _fingerprint(school)
    delete_outcomes_history([school.pk])
    assert not Exit.objects.filter(school=school).exists()
    assert not ExitFollowUp.objects.filter(school=school).exists()
    assert not HeadlineDefinition.objects.filter(school=school).exists()
    build_outcomes_history(school, today=_today())
    assert _fingerprint(school) == before


def test_the_shipped_definitions_come_back_in_a_flushed_database(school):
    """Browser tests flush the database (migration data included): the build then loads the
    shipped definitions again, as migration 0002 does."""
    delete_outcomes_history([school.pk])
    OutcomeDefinition.objects.all().delete()
    build_outcomes_history(school, today=_today())
    codes = set(OutcomeDefinition.objects.values_list("code", flat=True))
    assert codes == {d["code"] for d in DEFAULT_DEFINITIONS}
    definition, chosen = headline_for(school, 2018)
    assert chosen and definition.code == PUY_DE_DOME_2018


def test_reset_removes_the_outcomes_of_the_demo_schools(school):
    own = OutcomeDefinition.objects.create(
        school=school,
        code="metropole",
        version=1,
        name="Sortie positive — Métropole",
        rules=[{"destinations": ["cdi"], "min_months": None, "strict": False}],
        valid_from=START_2018,
    )
    network = set(OutcomeDefinition.objects.filter(school__isnull=True).values_list("pk"))
    reset_demo()
    assert not Exit.objects.exists()
    assert not ExitFollowUp.objects.exists()
    assert not HeadlineDefinition.objects.exists()
    assert not OutcomeDefinition.objects.filter(pk=own.pk).exists()
    assert set(OutcomeDefinition.objects.values_list("pk")) == network
