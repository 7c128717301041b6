"""``reporting.indicators.key_figures``: every definition on hand-built cases at its
boundaries — age on the entry date (the day before and on the 26th and 18th birthdays),
enrolments straddling the period, two stays of one person (counted once, described by the
latest), profile shares, prescriber mix, funding lines, exits on the period's first and last
days, staff on the last day, premises at the end, funding agreements and first partnership
year, the site filter — and a constant number of queries as the school grows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.organisations.models import PrescriberType, Role
from parcours.outcomes.defaults import PUY_DE_DOME_2018
from parcours.outcomes.models import HeadlineDefinition, OutcomeDefinition
from parcours.pathways.models import FundingLine
from parcours.reporting.indicators import NOT_RECORDED, SPONTANEOUS, key_figures
from parcours.reporting.periods import Period

from ..factories import (
    FundingAgreementFactory,
    PartnerFactory,
    RoomFactory,
)
from .indicator_helpers import (
    DAY,
    END,
    NO_REFERRAL,
    PERIOD,
    START,
    d,
    exited,
    member,
    new_school,
    new_site,
    person,
    stay,
)
from .indicator_helpers import SPONTANEOUS as SPONTANEOUS_REFERRAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return new_school(slug="e2c-indicateurs", name="E2C Indicateurs")


def figures(school, period=PERIOD, site=None):
    return key_figures(school, period, site)


def pct(text: str) -> Decimal:
    return Decimal(text)


# ----------------------------------------------------------------------------- trainees


def test_an_empty_school_has_zeros_and_no_percentages(school):
    k = figures(school)
    assert k.trainees == 0
    assert k.under_26.count == 0 and k.under_26.pct is None
    assert k.women.pct is None and k.minors.pct is None and k.qpv.pct is None
    assert k.prescribers == [] and k.plie == 0
    assert k.exits == 0 and k.success_rate_pct is None
    assert [m.month for m in k.months] == [d(2019, m, 1) for m in range(1, 13)]
    assert all(m.entries == 0 and m.exits == 0 for m in k.months)


def test_enrolments_straddling_the_period(school):
    counted = [
        stay(school, entry=d(2018, 9, 3)),  # entered before, still there
        stay(school, entry=d(2018, 9, 3), ended=d(2020, 1, 15)),  # before → after
        stay(school, entry=d(2018, 6, 4), ended=START),  # leaving on the first day
        stay(school, entry=END),  # entering on the last day
        stay(school, entry=d(2019, 3, 4), ended=d(2019, 9, 30)),  # within
    ]
    stay(school, entry=d(2018, 6, 4), ended=START - DAY)  # left the day before the start
    stay(school, entry=END + DAY)  # entered the day after the end
    stay(school, entry=d(2016, 1, 4), ended=d(2016, 7, 1))  # long before
    k = figures(school)
    assert k.trainees == len(counted) == 5
    # Entries by month: enrolments whose entry date falls in the period.
    assert {m.month.month: m.entries for m in k.months if m.entries} == {3: 1, 12: 1}
    # A one-day period: present on that day.
    assert figures(school, Period(START, START)).trainees == 3
    assert figures(school, Period(END, END)).trainees == 3


def test_two_enrolments_of_one_person_count_once_described_by_the_latest(school):
    # 26 on 10/06/2019: under 26 at the first entry, 26 at the second.
    who = person(school, birth=d(1993, 6, 10), gender="F")
    stay(school, who=who, entry=d(2019, 1, 7), ended=d(2019, 3, 29), qpv="QN06301M", diploma="none")
    stay(school, who=who, entry=d(2019, 9, 2), qpv="", diploma="4", rqth="yes")
    k = figures(school)
    assert k.trainees == 1
    assert k.under_26.count == 0  # the latest entry: 26
    assert k.qpv.count == 0 and k.no_diploma.count == 0  # the latest entry situation
    assert k.rqth.count == 1 and k.women.count == 1
    # A period holding the first stay only describes the person by it.
    spring = figures(school, Period(d(2019, 1, 1), d(2019, 6, 30)))
    assert spring.trainees == 1
    assert spring.under_26.count == 1 and spring.qpv.count == 1 and spring.no_diploma.count == 1
    assert spring.rqth.count == 0
    # Two enrolments entered the same day (a data-entry slip): still one person.
    other = person(school)
    stay(school, who=other, entry=d(2019, 5, 6), ended=d(2019, 5, 6))
    stay(school, who=other, entry=d(2019, 5, 6), ended=d(2019, 5, 20))
    assert figures(school).trainees == 2


@pytest.mark.parametrize(
    ("entry", "under_26"),
    [
        (d(2019, 6, 9), True),  # the day before the 26th birthday: 25
        (d(2019, 6, 10), False),  # on the 26th birthday: 26
    ],
)
def test_under_26_is_the_age_on_the_entry_date(school, entry, under_26):
    stay(school, entry=entry, birth=d(1993, 6, 10))
    k = figures(school)
    assert k.trainees == 1
    assert k.under_26.count == int(under_26)
    assert k.under_26.pct == (Decimal(100) if under_26 else Decimal(0))


@pytest.mark.parametrize(
    ("entry", "minor"),
    [
        (d(2019, 6, 9), True),  # the day before the 18th birthday: 17
        (d(2019, 6, 10), False),  # on the 18th birthday
    ],
)
def test_minors_are_under_18_on_the_entry_date(school, entry, minor):
    stay(school, entry=entry, birth=d(2001, 6, 10))
    k = figures(school)
    assert k.minors.count == int(minor)
    assert k.under_26.count == 1


def test_age_is_taken_at_entry_not_during_the_period(school):
    # Entered in 2018 at 25, turned 26 in 2019, still there: under 26 (at entry).
    stay(school, entry=d(2018, 10, 1), birth=d(1993, 6, 10))
    assert figures(school).under_26.count == 1


def test_born_on_29_february_turns_26_on_1_march(school):
    stay(school, entry=d(2022, 2, 28), birth=d(1996, 2, 29))
    stay(school, entry=d(2022, 3, 1), birth=d(1996, 2, 29))
    k = figures(school, Period.year(2022))
    assert (k.trainees, k.under_26.count) == (2, 1)


def test_profile_shares_women_qpv_no_diploma_rqth(school):
    stay(school, entry=d(2019, 2, 4), gender="F", qpv="QN06301M", diploma="none", rqth="yes")
    stay(school, entry=d(2019, 2, 4), gender="F", qpv="", diploma="3", rqth="declined")
    stay(school, entry=d(2019, 2, 4), gender="M", qpv="QN06302M", diploma="none", rqth="no")
    stay(school, entry=d(2019, 2, 4), gender="M", diploma="5+", situation=False)
    k = figures(school)
    assert k.trainees == 4
    assert (k.women.count, k.women.pct) == (2, pct("50.0"))
    assert (k.qpv.count, k.qpv.pct) == (2, pct("50.0"))
    assert (k.no_diploma.count, k.no_diploma.pct) == (2, pct("50.0"))
    # "Does not wish to answer" is not a yes.
    assert (k.rqth.count, k.rqth.pct) == (1, pct("25.0"))


def test_percentages_have_one_decimal_rounded_half_up(school):
    # 2 of 3 under 26: 66.666… → 66.7 ; 1 of 8 → 12.5.
    stay(school, entry=d(2019, 2, 4), birth=d(2000, 1, 1))
    stay(school, entry=d(2019, 2, 4), birth=d(2000, 1, 1))
    stay(school, entry=d(2019, 2, 4), birth=d(1980, 1, 1))
    k = figures(school)
    assert k.under_26.pct == pct("66.7")
    assert k.to_json()["under_26_pct"] == 66.7


def test_prescriber_mix(school):
    for kind in PrescriberType.values:
        partner = PartnerFactory(school=school, name=f"Prescripteur {kind}", prescriber_type=kind)
        stay(school, entry=d(2019, 3, 4), prescriber=partner)
    stay(school, entry=d(2019, 3, 4), prescriber=SPONTANEOUS_REFERRAL)
    stay(school, entry=d(2019, 3, 4), prescriber=NO_REFERRAL)
    k = figures(school)
    assert k.trainees == 8
    codes = [row.code for row in k.prescribers]
    assert codes == [*PrescriberType.values, SPONTANEOUS, NOT_RECORDED]
    assert all(row.count == 1 and row.pct == pct("12.5") for row in k.prescribers)
    labels = {row.code: row.label for row in k.prescribers}
    assert labels[SPONTANEOUS] == "Candidature spontanée"
    assert labels[NOT_RECORDED] == "Non renseigné"
    assert labels[PrescriberType.MISSION_LOCALE] == "Mission Locale"
    assert k.to_json()["prescribers"] == {code: 1 for code in codes}


def test_prescriber_mix_leaves_out_types_nobody_came_from(school):
    local = PartnerFactory(school=school, prescriber_type=PrescriberType.MISSION_LOCALE)
    stay(school, entry=d(2019, 3, 4), prescriber=local)
    stay(school, entry=d(2019, 3, 4), prescriber=PartnerFactory(school=school, name="ML 2"))
    stay(school, entry=d(2019, 3, 4), prescriber=SPONTANEOUS_REFERRAL)
    k = figures(school)
    assert [(r.code, r.count, r.pct) for r in k.prescribers] == [
        (PrescriberType.MISSION_LOCALE, 2, pct("66.7")),
        (SPONTANEOUS, 1, pct("33.3")),
    ]


def test_funding_lines_count_people_once(school):
    both = person(school)
    stay(school, who=both, entry=d(2019, 1, 7), ended=d(2019, 4, 26), lines=["plie"])
    stay(school, who=both, entry=d(2019, 9, 2))  # a second stay without PLIE
    twice = person(school)
    stay(school, who=twice, entry=d(2019, 1, 7), ended=d(2019, 4, 26), lines=["plie", "cej"])
    stay(school, who=twice, entry=d(2019, 9, 2), lines=["plie"])
    stay(school, entry=d(2019, 2, 4), lines=["politique_ville"])
    stay(school, entry=d(2018, 2, 5), ended=START - DAY, lines=["plie"])  # left before 2019
    stay(school, entry=END + DAY, lines=["plie"])  # after
    k = figures(school)
    assert k.trainees == 3
    assert k.plie == 2
    lines = {line.code: line.count for line in k.funding_lines}
    assert lines["plie"] == 2 and lines["cej"] == 1 and lines["politique_ville"] == 1
    # Every active line is listed, zeros included.
    assert set(lines) >= set(FundingLine.objects.filter(active=True).values_list("code", flat=True))
    assert lines["fse_plus"] == 0
    assert k.to_json()["plie"] == 2


def test_an_inactive_funding_line_still_carried_is_listed(school):
    line = FundingLine.objects.get(code="cej")
    line.active = False
    line.save()
    stay(school, entry=d(2019, 2, 4), lines=["cej"])
    codes = [row.code for row in figures(school).funding_lines]
    assert "cej" in codes
    other = new_school()
    assert "cej" not in [row.code for row in figures(other).funding_lines]


# -------------------------------------------------------------------------------- exits


def test_exits_on_the_first_and_last_days_are_in_the_period(school):
    exited(school, START, "cdd", 3)
    exited(school, END, "abandon")
    exited(school, START - DAY, "cdi")  # the day before: not counted
    exited(school, END + DAY, "cdi")  # the day after: not counted
    k = figures(school)
    assert k.exits == 2
    by_month = {m.month.month: m.exits for m in k.months if m.exits}
    assert by_month == {1: 1, 12: 1}
    # Their stays: the one who left the day after the end was still there in 2019.
    assert k.trainees == 3


def test_successful_exits_use_the_headline_definition_of_the_years_end(school):
    exited(school, d(2019, 3, 29), "cdd", 3)  # > 2 months: success in 2018's definition
    exited(school, d(2019, 5, 31), "cdd", 2)  # 2 months: not more than 2
    exited(school, d(2019, 6, 28), "formation")
    exited(school, d(2019, 10, 4), "abandon")
    # Without a choice: the network's "≥ 6 mois".
    k = figures(school)
    assert k.headline.definition.code == "reseau-6-mois"
    assert (k.exits, k.successful_exits, k.success_rate_pct) == (4, 0, Decimal("0.0"))
    chosen = OutcomeDefinition.objects.get(code=PUY_DE_DOME_2018, is_current=True)
    HeadlineDefinition.objects.create(school=school, year=2019, definition=chosen)
    k = figures(school)
    assert k.headline.definition.code == PUY_DE_DOME_2018
    assert (k.successful_exits, k.success_rate_pct) == (2, pct("50.0"))
    # Every other valid definition has its row.
    codes = {row.definition.code for row in k.outcomes.definitions}
    assert {"reseau-6-mois", "reseau-3-mois", "plie", PUY_DE_DOME_2018} <= codes
    data = k.to_json()
    assert data["successful_exits"] == 2 and data["success_rate_pct"] == 50
    assert data["headline_definition"] == "Sortie réussie — E2C Puy-de-Dôme (2018)"
    assert data["by_definition"][0]["definition"] == data["headline_definition"]
    # The 2018 choice does not lead 2019's figures.
    HeadlineDefinition.objects.filter(school=school).update(year=2018)
    assert figures(school).headline.definition.code == "reseau-6-mois"


def test_one_exit_per_person_their_latest(school):
    who = person(school)
    exited(school, d(2019, 2, 28), "abandon", who=who, entry=d(2019, 1, 7))
    exited(school, d(2019, 11, 29), "formation", who=who, entry=d(2019, 4, 1))
    chosen = OutcomeDefinition.objects.get(code=PUY_DE_DOME_2018, is_current=True)
    HeadlineDefinition.objects.create(school=school, year=2019, definition=chosen)
    k = figures(school)
    assert (k.trainees, k.exits, k.successful_exits) == (1, 1, 1)


# -------------------------------------------------------------------------------- staff


def test_staff_are_the_schools_employees_active_on_the_last_day(school):
    member(school, Role.DIRECTOR)  # since 2015, open-ended
    member(school, Role.INTAKE, active_until=END)  # until the last day: counted
    member(school, Role.REFERENT, active_from=END)  # from the last day: counted
    member(school, Role.COMPANY_RELATIONS, active_until=d(2025, 1, 1))
    member(school, Role.REFERENT, active_until=END - DAY)  # left the day before
    member(school, Role.REFERENT, active_from=END + DAY)  # arrives after
    member(school, Role.PRESCRIBER)
    member(school, Role.FUNDER)
    member(school, Role.NETWORK)
    member(new_school(network=school.network), Role.REFERENT)  # another school
    k = figures(school)
    assert k.staff == 4
    assert k.to_json()["staff"] == 4
    # Mid-period: the one who left the day before the end was still there.
    assert figures(school, Period(START, d(2019, 6, 30))).staff == 4


# ----------------------------------------------------------------------------- premises


def test_sites_rooms_and_surface_active_at_the_end(school):
    main = new_site(school, name="Principal", surface_m2=600)
    RoomFactory(site=main, name="Atelier")
    RoomFactory(site=main, name="Informatique", computer_room=True)
    RoomFactory(site=main, name="Informatique 2", computer_room=True, closed_on=END)
    RoomFactory(site=main, name="Fermée", closed_on=END - DAY)  # closed during the period
    RoomFactory(site=main, name="Future", opened_on=END + DAY)
    closed = new_site(school, name="Fermé", surface_m2=200, closed_on=d(2019, 6, 30))
    RoomFactory(site=closed, name="Salle du site fermé", computer_room=True)
    new_site(school, name="Plus tard", surface_m2=150, opened_on=END + DAY)
    new_site(school, name="Ouvert en 2019", surface_m2=50, opened_on=d(2019, 9, 1))
    k = figures(school)
    assert (k.sites, k.rooms, k.computer_rooms, k.surface_m2) == (2, 3, 2, 650)
    # At the end of June, the closed site and room were still open.
    june = figures(school, Period(START, d(2019, 6, 30)))
    assert (june.sites, june.rooms, june.computer_rooms, june.surface_m2) == (2, 5, 3, 800)
    data = k.to_json()
    assert (data["rooms"], data["computer_rooms"], data["surface_m2"]) == (3, 2, 650)


def test_a_school_without_sites_has_no_premises(school):
    k = figures(school)
    assert (k.sites, k.rooms, k.computer_rooms, k.surface_m2) == (0, 0, 0, 0)


# ------------------------------------------------------------------------------ funding


def test_funding_of_the_period_and_partner_since_the_earliest_year(school):
    metropole = PartnerFactory(school=school, funder=True, name="Métropole Test")
    region = PartnerFactory(school=school, funder=True, name="Région Test")
    past = PartnerFactory(school=school, funder=True, name="Ancien financeur")
    FundingAgreementFactory(school=school, funder=metropole, year=2014, amount_eur=30000)
    FundingAgreementFactory(school=school, funder=metropole, year=2016, amount_eur=40000)
    FundingAgreementFactory(
        school=school,
        funder=metropole,
        year=2019,
        amount_eur=50000,
        purpose="Politique de la ville",
    )
    FundingAgreementFactory(
        school=school, funder=region, year=2019, amount_eur=120000, purpose="Formation"
    )
    FundingAgreementFactory(
        school=school, funder=region, year=2020, amount_eur=1, purpose="Formation"
    )
    FundingAgreementFactory(school=school, funder=past, year=2017, amount_eur=9000)
    FundingAgreementFactory(school=new_school(), year=2019)  # another school's
    k = figures(school)
    rows = [(r.funder, r.year, r.purpose, r.amount_eur, r.partner_since) for r in k.funding]
    assert rows == [
        ("Métropole Test", 2019, "Politique de la ville", Decimal(50000), 2014),
        ("Région Test", 2019, "Formation", Decimal(120000), 2019),
    ]
    assert k.funding_total_eur == Decimal(170000)
    assert k.to_json()["funding"][0] == {
        "funder": "Métropole Test",
        "year": 2019,
        "purpose": "Politique de la ville",
        "amount_eur": 50000,
        "partner_since": 2014,
    }
    # A period over two years takes the agreements of both.
    both = figures(school, Period(d(2019, 7, 1), d(2020, 6, 30)))
    assert [(r.funder, r.year) for r in both.funding] == [
        ("Métropole Test", 2019),
        ("Région Test", 2019),
        ("Région Test", 2020),
    ]


# ---------------------------------------------------------------------------- site filter


def test_the_site_filter_keeps_one_sites_people_exits_and_premises(school):
    north = new_site(school, name="Nord", surface_m2=400)
    south = new_site(school, name="Sud", surface_m2=250)
    RoomFactory(site=north, computer_room=True)
    RoomFactory(site=south)
    RoomFactory(site=south)
    stay(school, site=north, entry=d(2019, 2, 4), gender="F", lines=["plie"])
    stay(school, site=south, entry=d(2019, 2, 4), gender="M")
    stay(school, site=south, entry=d(2019, 3, 4), gender="M", lines=["plie"])
    exited(school, d(2019, 6, 28), "cdi", site=north)
    exited(school, d(2019, 6, 28), "abandon", site=south)
    member(school, Role.DIRECTOR)
    FundingAgreementFactory(school=school, year=2019)
    whole = figures(school)
    nord = figures(school, site=north)
    sud = figures(school, site=south)
    assert (whole.trainees, nord.trainees, sud.trainees) == (5, 2, 3)
    assert (whole.plie, nord.plie, sud.plie) == (2, 1, 1)
    assert (nord.women.count, sud.women.count) == (1, 0)
    assert (whole.exits, nord.exits, sud.exits) == (2, 1, 1)
    assert (nord.sites, nord.rooms, nord.computer_rooms, nord.surface_m2) == (1, 1, 1, 400)
    assert (sud.sites, sud.rooms, sud.computer_rooms, sud.surface_m2) == (1, 2, 0, 250)
    assert (whole.sites, whole.rooms, whole.surface_m2) == (2, 3, 650)
    assert sum(m.entries for m in nord.months) == 2 and sum(m.entries for m in sud.months) == 3
    assert nord.site_id == north.pk and whole.site_id is None
    # Staff and funding belong to the school.
    assert nord.staff == sud.staff == whole.staff == 1
    assert len(nord.funding) == len(whole.funding) == 1


def test_another_schools_records_never_count(school):
    other = new_school(network=school.network)
    stay(other, entry=d(2019, 2, 4), lines=["plie"])
    exited(other, d(2019, 6, 28), "cdi")
    RoomFactory(site=new_site(other))
    k = figures(school)
    assert (k.trainees, k.plie, k.exits, k.rooms) == (0, 0, 0, 0)


# ------------------------------------------------------------------------------ queries


def _populate(school, n: int) -> None:
    prescribers = [
        PartnerFactory(school=school, name=f"P{kind}", prescriber_type=kind)
        for kind in PrescriberType.values
    ]
    for i in range(n):
        site = new_site(school, surface_m2=100 + i)
        RoomFactory(site=site, computer_room=bool(i % 2))
        who = person(school, birth=d(1995 + i % 8, 1 + i % 12, 1 + i % 28), gender="FM"[i % 2])
        stay(
            school,
            who=who,
            site=site,
            entry=d(2018, 10, 1),
            ended=d(2019, 1 + i % 12, 15),
            prescriber=prescribers[i % len(prescribers)],
            lines=["plie", "cej"][: 1 + i % 2],
            qpv="QN06301M" if i % 3 else "",
        )
        exited(school, d(2019, 1 + i % 12, 20), ["cdi", "cdd", "abandon"][i % 3], 4, site=site)
        stay(school, who=who, site=site, entry=d(2019, 11, 4), prescriber=SPONTANEOUS_REFERRAL)
        member(school, Role.REFERENT)
        funder = PartnerFactory(school=school, funder=True, name=f"Financeur {i}")
        FundingAgreementFactory(school=school, funder=funder, year=2014 + i % 5)
        FundingAgreementFactory(school=school, funder=funder, year=2019)


def test_key_figures_run_in_a_constant_number_of_queries(django_assert_num_queries):
    small = new_school()
    _populate(small, 2)
    with CaptureQueriesContext(connection) as queries:
        k = figures(small)
    assert k.trainees == 4 and k.exits == 2
    measured = len(queries)
    assert measured <= 20

    big = new_school()
    _populate(big, 15)
    with django_assert_num_queries(measured):
        k = figures(big)
    assert k.trainees == 30 and k.exits == 15 and k.plie == 15 and len(k.funding) == 15
    site = big.sites.order_by("pk").first()
    with django_assert_num_queries(measured):
        figures(big, site=site)
