"""``key_figures_of_schools`` and ``rates_tables`` (the network's report) give each school
exactly what it gets computed alone (``key_figures``, ``rates_table``), for schools with their
own definitions (one of them in two versions), different headline choices, follow-ups, and the
boundary cases of the database's picks: several exits of one person in and around the period,
two exits of one person on the same day, exits on the period's first and last days, a person
with two enrolments in the period, ages on the day before and on the 26th and 18th birthdays,
an age kept at anonymisation. The rates also equal the rules applied to every exit in Python
(``rules.success_rate`` over ``selectors.exit_facts``), and the query count does not depend on
the number of schools."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.organisations.models import PrescriberType
from parcours.outcomes.defaults import NETWORK_3_MONTHS
from parcours.outcomes.models import Exit, ExitFollowUp, HeadlineDefinition, OutcomeDefinition
from parcours.outcomes.rules import success_rate
from parcours.outcomes.selectors import definitions_valid_during, exit_facts
from parcours.outcomes.selectors_rates import rates_table, rates_tables
from parcours.pathways.models import Enrolment
from parcours.people.models import entry_age
from parcours.reporting.indicators import _trainees, key_figures, key_figures_of_schools

from ..factories import FundingAgreementFactory, NetworkFactory, PartnerFactory, RoomFactory
from .indicator_helpers import (
    END,
    PERIOD,
    SPONTANEOUS,
    START,
    d,
    exited,
    member,
    new_school,
    new_site,
    person,
    stay,
)

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def leave(school, exit_date, destination, months=None, days=0, *, who=None, site=None):
    """An exit (``indicator_helpers.exited``) with a length in months and days."""
    exit_ = exited(school, exit_date, destination, months, who=who, site=site)
    if days:
        Exit.objects.filter(pk=exit_.pk).update(days=days)
    return exit_


def follow_up(exit_, wave, situation=None, *, unreachable=False):
    status = "unreachable" if unreachable else ("reached" if situation else "due")
    return ExitFollowUp.objects.create(
        school=exit_.school,
        exit=exit_,
        wave=wave,
        due_on=exit_.exit_date + datetime.timedelta(days=30 * wave),
        status=status,
        situation=situation or "",
    )


def own_definition(school, code, version, rules, excluded=(), **dates):
    return OutcomeDefinition.objects.create(
        school=school,
        code=code,
        version=version,
        name=f"Définition {code}",
        rules=rules,
        excluded=list(excluded),
        valid_from=dates.get("valid_from", d(2015, 1, 1)),
        valid_until=dates.get("valid_until"),
        is_current=dates.get("is_current", True),
    )


@pytest.fixture
def schools():
    """A and B with their own definitions, headlines, trainees, exits and follow-ups; C open
    but empty; all three in one network."""
    network = NetworkFactory(slug="reseau-multi", name="Réseau multi")
    a = new_school(network=network, slug="e2c-multi-a", name="E2C Multi A")
    b = new_school(network=network, slug="e2c-multi-b", name="E2C Multi B")
    c = new_school(network=network, slug="e2c-multi-c", name="E2C Multi C")
    for school in (a, b, c):
        new_site(school, surface_m2=250)
    RoomFactory(site=a.sites.get(), computer_room=True)
    member(a)
    member(b)
    funder = PartnerFactory(school=a, funder=True, name="Région")
    FundingAgreementFactory(school=a, funder=funder, year=2016, amount_eur=1000)
    FundingAgreementFactory(school=a, funder=funder, year=2019, amount_eur=5000)
    FundingAgreementFactory(school=b, year=2019, amount_eur=7000)

    # A's own definition in two versions (the second applies to 2019), chosen as headline;
    # B's own definition; B's headline is the network's 3 months; C chose nothing.
    own_definition(
        a,
        "durable-a",
        1,
        [{"destinations": ["cdi"], "min_months": None, "strict": False}],
        valid_until=d(2018, 12, 31),
        is_current=False,
    )
    durable_a = own_definition(
        a,
        "durable-a",
        2,
        [
            {"destinations": ["cdi", "cdd"], "min_months": 6, "strict": True},
            {"destinations": ["abandon"], "min_months": None, "strict": False},
        ],
        excluded=["sante"],
        valid_from=d(2019, 1, 1),
    )
    own_definition(
        b,
        "formation-b",
        1,
        [{"destinations": ["formation_qualifiante", "apprentissage"], "min_months": 12}],
        excluded=["demenagement", "maternite"],
    )
    HeadlineDefinition.objects.create(school=a, year=2019, definition=durable_a)
    HeadlineDefinition.objects.create(
        school=b,
        year=2019,
        definition=OutcomeDefinition.objects.get(code=NETWORK_3_MONTHS, is_current=True),
    )

    # A's exits. P1: dropped out in February, came back, hired in November; exits again on
    # 1 January 2020 (after the period): the November exit counts.
    p1 = person(a)
    leave(a, d(2019, 2, 1), "abandon", who=p1)
    leave(a, d(2019, 11, 4), "cdi", who=p1)
    leave(a, END + DAY, "abandon", who=p1)
    # P2: exited on 31 December 2018 (before) and on the first day: the first day counts.
    p2 = person(a)
    leave(a, START - DAY, "cdi", who=p2)
    first_day = leave(a, START, "cdd", 6, 1, who=p2)
    # P3: two exits on the last day (two enrolments): the later enrolment counts.
    p3 = person(a)
    leave(a, END, "cdi", who=p3)
    last_day = leave(a, END, "cdd", 6, who=p3)
    # One exit each: a CDD of exactly 6 months, a health reason (A excludes it), a dropout.
    six = leave(a, d(2019, 6, 28), "cdd", 6)
    leave(a, d(2019, 7, 5), "sante")
    leave(a, d(2019, 8, 30), "abandon")
    leave(a, END + DAY, "cdi")  # 2020 only
    follow_up(first_day, 3, "cdi")
    follow_up(first_day, 6, unreachable=True)
    follow_up(last_day, 3, "formation")
    follow_up(six, 3)  # due, not done: not counted
    follow_up(six, 6, "recherche_emploi")

    # B's exits: lengths around the thresholds, work-study without a length, excluded ones.
    p4 = person(b)
    leave(b, d(2019, 3, 1), "demenagement", who=p4)
    leave(b, d(2019, 9, 2), "apprentissage", who=p4)  # no length: the legal 6 months
    leave(b, START, "cdd", 3)
    leave(b, d(2019, 4, 12), "cdd", 2, 30)
    leave(b, d(2019, 5, 17), "formation_qualifiante", 12)
    leave(b, d(2019, 5, 17), "formation_qualifiante", 11, 20)
    leave(b, d(2019, 10, 1), "maternite")
    leave(b, END, "interim")  # fixed-term without a length: meets no threshold
    b_exit = leave(b, START - DAY, "cdi")  # 2018: its follow-ups are not 2019's
    follow_up(b_exit, 12, "cdi")

    # Trainees beyond the exits: two stays of one person (described by the latest), ages at
    # the boundaries, an age kept at anonymisation, prescribers, profile shares.
    mission = PartnerFactory(school=a, prescriber_type=PrescriberType.MISSION_LOCALE)
    twice = person(a, birth=d(1993, 6, 10), gender="F")
    stay(a, who=twice, entry=d(2018, 11, 5), ended=d(2019, 3, 1), qpv="QP063001")
    stay(a, who=twice, entry=d(2019, 6, 10), prescriber=mission, diploma="none")
    stay(
        a,
        entry=d(2019, 6, 9),
        birth=d(1993, 6, 10),
        rqth="yes",
        qpv="QP063002",
        prescriber=SPONTANEOUS,
    )
    stay(a, entry=d(2019, 3, 1), birth=d(2001, 3, 1), gender="F")  # 18 on the day
    stay(a, entry=d(2019, 2, 28), birth=d(2001, 3, 1))  # 17 the day before
    anonymised = stay(a, entry=d(2019, 9, 2), birth=d(1990, 1, 1))
    anonymised.age_at_entry = 22  # kept at anonymisation: wins over the birth date
    anonymised.save(update_fields=["age_at_entry"])
    stay(b, entry=d(2019, 2, 28), birth=d(1996, 2, 29), prescriber=mission)  # 22
    stay(b, entry=d(2020, 2, 29), birth=d(1996, 2, 29))  # after the period
    stay(b, entry=d(2018, 1, 8), ended=START - DAY)  # ended before the period
    stay(b, entry=d(2019, 9, 2), situation=False, gender="F")  # no entry situation
    return {"a": a, "b": b, "c": c}


def test_each_schools_key_figures_are_what_it_gets_alone(schools):
    a, b, c = schools["a"], schools["b"], schools["c"]
    alone = {school.pk: key_figures(school, PERIOD) for school in (a, b, c)}
    assert key_figures_of_schools([a, b, c], PERIOD) == [alone[a.pk], alone[b.pk], alone[c.pk]]
    assert key_figures_of_schools([c, b, a], PERIOD) == [alone[c.pk], alone[b.pk], alone[a.pk]]
    # Not vacuous: the figures differ between the schools and are the expected ones.
    k = alone[a.pk]
    # A: 7 people with a stay ending in an exit (P1–P3, three single exits, the 2020 exit's
    # stay, which began in 2019), all 18 or 19, and 5 more (one of them with two stays).
    assert k.trainees == 12
    # Not under 26: 26 on the entry day; a minor: 17 the day before (18 on the day is not);
    # the anonymised person's kept 22 counts, not the 29 of the birth date.
    assert (k.under_26.count, k.minors.count, k.women.count) == (11, 1, 2)
    # The person with two stays is described by the latest (no QPV, no diploma).
    assert (k.qpv.count, k.no_diploma.count, k.rqth.count) == (1, 1, 1)
    assert {row.code: row.count for row in k.prescribers} == {
        "mission_locale": 1,
        "spontane": 1,
        "non_renseigne": 10,
    }
    shares = ("under_26", "minors", "women", "qpv", "no_diploma", "rqth")
    assert all(type(getattr(k, name).count) is int for name in shares)  # not Decimal
    assert len(k.funding) == 1 and k.funding[0].partner_since == 2016
    assert alone[b.pk].trainees == 9 and alone[c.pk].trainees == 0


def test_each_schools_rates_table_is_what_it_gets_alone(schools):
    a, b, c = schools["a"], schools["b"], schools["c"]
    ids = [a.pk, b.pk, c.pk]
    tables = rates_tables(ids, START, END)
    assert tables == {school.pk: rates_table(school, START, END) for school in (a, b, c)}
    assert rates_tables(ids[::-1], START, END) == tables
    # The key figures leave the waves out (they do not show them); nothing else changes.
    without = rates_tables(ids, START, END, waves=False)
    assert all(table.waves == [] for table in without.values())
    assert {pk: replace(t, waves=[]) for pk, t in tables.items()} == without
    # In the key figures the waves are None: not computed (an empty list would read "none").
    figures = key_figures(a, PERIOD).outcomes
    assert figures.waves is None
    assert figures == replace(tables[a.pk], waves=None)
    # A: P1 (CDI), P2 (CDD 6 months 1 day), P3 (CDD 6 months), a CDD of 6 months, health
    # (excluded), a dropout. Its own definition: "more than 6 months" or a dropout.
    ta = tables[a.pk]
    assert ta.headline_chosen and ta.headline_code == "durable-a"
    head = ta.headline.rate
    assert (head.exits, head.excluded, head.counted, head.successful) == (6, 1, 5, 3)
    assert head.rate == Decimal("60.0")
    waves = {row.wave: row.rate for row in ta.waves}
    assert (waves[3].recorded, waves[3].employment, waves[3].training) == (2, 1, 1)
    assert (waves[6].recorded, waves[6].unreachable, waves[6].no_positive) == (2, 1, 1)
    assert ta.at_exit.recorded == ta.exits == 6
    # B: the network's 3 months chosen; P4 counted once (work-study, 6 months by law).
    tb = tables[b.pk]
    assert tb.headline_chosen and tb.headline_code == NETWORK_3_MONTHS
    assert tb.exits == 7
    assert {row.rate.recorded for row in tb.waves} == {0}  # the 2018 exit's follow-up
    own_b = next(row for row in tb.definitions if row.definition.code == "formation-b")
    assert (own_b.rate.excluded, own_b.rate.successful) == (1, 1)
    tc = tables[c.pk]
    assert (tc.exits, tc.headline_chosen, tc.headline_code) == (0, False, "reseau-6-mois")


def test_the_rates_are_the_rules_applied_to_every_exit(schools):
    """The database picks each person's latest exit and counts the shapes; the rules applied
    in Python to every exit of the period (``success_rate``) give the same rates."""
    for school in schools.values():
        table = rates_table(school, START, END)
        facts = exit_facts(school, START, END)
        by_code = {row.definition.code: row.rate for row in table.definitions}
        definitions = definitions_valid_during(school, START, END)
        assert set(by_code) == {definition.code for definition in definitions}
        for definition in definitions:
            assert by_code[definition.code] == success_rate(facts, definition.spec, START, END)


def test_the_ages_counted_by_the_database_are_entry_age(schools):
    for school in schools.values():
        for trainee in _trainees(school, PERIOD, None).values():
            enrolment = Enrolment.objects.select_related("person").get(pk=trainee.enrolment_id)
            expected = entry_age(
                enrolment.person.birth_date, enrolment.entry_date, enrolment.age_at_entry
            )
            assert trainee.age_at_entry == expected


def test_the_queries_do_not_depend_on_the_number_of_schools(schools):
    a, b, c = schools["a"], schools["b"], schools["c"]
    with CaptureQueriesContext(connection) as one:
        key_figures_of_schools([a], PERIOD)
    with CaptureQueriesContext(connection) as three:
        key_figures_of_schools([a, b, c], PERIOD)
    assert len(three) == len(one)
    with CaptureQueriesContext(connection) as one:
        rates_tables([a.pk], START, END)
    with CaptureQueriesContext(connection) as three:
        rates_tables([a.pk, b.pk, c.pk], START, END)
    assert len(three) == len(one) == 5
    with CaptureQueriesContext(connection) as without_waves:
        rates_tables([a.pk, b.pk, c.pk], START, END, waves=False)
    assert len(without_waves) == 4
