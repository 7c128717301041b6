"""The article's "En chiffres" box, from the demo's records: E2C Puy-de-Dôme in 2018 has 210
trainees, 85 % under 26, 56 % successful exits under its 2018 definition, 30 PLIE trainees,
12 staff, 7 rooms of which 2 computer rooms, 600 m², and 50 000 € from Clermont Auvergne
Métropole (politique de la ville), partner since 2014; the network has 51 schools on 124 sites
in 2018. No figure is typed anywhere: a trainee enrolled, an exit recorded or corrected through
the product's services moves the figures (each test is rolled back: the shared demo is left as
it was built)."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest

from parcours.demo.builder import NETWORK_SLUG
from parcours.intake.models import Channel, Outcome
from parcours.intake.services import confirm_entry, create_referral, decide
from parcours.organisations.models import Membership, Network, School, Site
from parcours.outcomes.defaults import PUY_DE_DOME_2018
from parcours.outcomes.models import Exit
from parcours.outcomes.rules import percentage, whole_percentage
from parcours.outcomes.services_exits import correct_exit, record_exit
from parcours.pathways.models import PLIE, FundingLine
from parcours.reporting.indicators import key_figures
from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period

YEAR_2018 = Period.year(2018)


@pytest.fixture
def school(demo_built, db) -> School:
    return School.objects.get(slug="e2c-63")


def _member(school: School, email: str) -> Membership:
    return Membership.objects.select_related("user", "school").get(school=school, user__email=email)


def test_the_article_box_from_records(school):
    k = key_figures(school, YEAR_2018)
    assert k.trainees == 210
    assert k.under_26.pct == Decimal("85.2") and whole_percentage(k.under_26.count, 210) == 85
    assert k.headline is not None and k.headline.definition.code == PUY_DE_DOME_2018
    assert k.headline.definition.name == "Sortie réussie — E2C Puy-de-Dôme (2018)"
    assert k.headline.rate.rounded == 56
    assert k.success_rate_pct == Decimal("55.7")
    assert k.plie == 30
    assert k.staff == 12
    assert (k.rooms, k.computer_rooms, k.surface_m2) == (7, 2, 600)
    metropole = [row for row in k.funding if row.funder == "Clermont Auvergne Métropole"]
    assert len(metropole) == 1
    row = metropole[0]
    assert (row.year, row.amount_eur, row.partner_since) == (2018, Decimal(50000), 2014)
    assert row.purpose.lower() == "politique de la ville"
    # The CLI's JSON carries the same figures.
    data = k.to_json()
    assert (data["trainees"], data["plie"], data["staff"], data["rooms"]) == (210, 30, 12, 7)
    assert (data["computer_rooms"], data["surface_m2"], data["under_26_pct"]) == (2, 600, 85.2)
    assert data["success_rate_pct"] == 55.7


def test_the_network_has_51_schools_on_124_sites_in_2018(demo_built, db):
    network = Network.objects.get(slug=NETWORK_SLUG)
    n = network_figures(network, YEAR_2018)
    assert (n.schools, n.sites) == (51, 124)
    flagship = next(k for k in n.per_school if k.school_name == "E2C Puy-de-Dôme")
    assert flagship.trainees == 210
    assert n.totals["trainees"] >= 210 and n.totals["staff"] >= 12
    assert n.to_json()["schools"] == 51 and n.to_json()["sites"] == 124


def test_a_trainee_enrolled_and_exited_through_the_product_moves_the_figures(school):
    before = key_figures(school, YEAR_2018)
    trainees_2019 = key_figures(school, Period.year(2019)).trainees
    intake = _member(school, "accueil@e2c-63.demo")
    director = _member(school, "direction@e2c-63.demo")
    referent = _member(school, "referent@e2c-63.demo")
    site = Site.objects.get(school=school)
    plie = FundingLine.objects.get(code=PLIE)

    referral = create_referral(
        membership=intake,
        person_fields={
            "last_name": "Nouvelle",
            "first_name": "Inès",
            "birth_date": datetime.date(2000, 3, 15),
            "gender": "F",
        },
        channel=Channel.SPONTANEOUS,
        received_on=datetime.date(2018, 4, 3),
        left_school_on=datetime.date(2016, 6, 30),
        job_seeker_status="registered",
    )
    decide(
        membership=director,
        referral=referral,
        outcome=Outcome.ADMITTED,
        decided_on=datetime.date(2018, 4, 20),
        planned_entry_date=datetime.date(2018, 5, 14),
        site=site,
    )
    enrolment = confirm_entry(
        membership=intake,
        referral=referral,
        entry_date=datetime.date(2018, 5, 14),
        site=site,
        referent=referent,
        funding_lines=[plie],
        situation={
            "gender": "F",
            "birth_date": datetime.date(2000, 3, 15),
            "postcode": "63000",
            "commune": "Clermont-Ferrand",
            "diploma_level": "none",
            "left_school_on": datetime.date(2016, 6, 30),
            "job_seeker_status": "registered",
            "rqth": "no",
            "receives_rsa": "no",
            "jobless_household": "no",
            "single_parent": "no",
            "homeless": "no",
            "foreign_origin": "declined",
        },
    )

    after = key_figures(school, YEAR_2018)
    assert after.trainees == before.trainees + 1 == 211
    assert after.under_26.count == before.under_26.count + 1  # 18 on entry
    assert after.minors.count == before.minors.count
    assert after.women.count == before.women.count + 1
    assert after.no_diploma.count == before.no_diploma.count + 1
    assert after.plie == before.plie + 1 == 31
    assert after.under_26.pct == percentage(before.under_26.count + 1, 211)
    may = next(m for m in after.months if m.month == datetime.date(2018, 5, 1))
    may_before = next(m for m in before.months if m.month == datetime.date(2018, 5, 1))
    assert may.entries == may_before.entries + 1
    spontaneous = {row.code: row.count for row in after.prescribers}
    assert (
        spontaneous["spontane"]
        == {r.code: r.count for r in before.prescribers}.get("spontane", 0) + 1
    )

    record_exit(
        referent,
        enrolment,
        exit_date=datetime.date(2018, 11, 30),
        destination="cdi",
        organisation="Michelin",
    )
    exited = key_figures(school, YEAR_2018)
    assert exited.trainees == 211
    assert exited.exits == before.exits + 1
    assert exited.successful_exits == before.successful_exits + 1
    rate = exited.headline.rate
    assert (rate.successful, rate.counted) == (
        before.headline.rate.successful + 1,
        before.headline.rate.counted + 1,
    )
    assert exited.success_rate_pct == percentage(rate.successful, rate.counted)
    november = next(m for m in exited.months if m.month == datetime.date(2018, 11, 1))
    november_before = next(m for m in before.months if m.month == datetime.date(2018, 11, 1))
    assert november.exits == november_before.exits + 1
    # Left in 2018: not a 2019 trainee.
    assert key_figures(school, Period.year(2019)).trainees == trainees_2019


def test_correcting_a_2018_exit_moves_the_success_rate(school):
    before = key_figures(school, YEAR_2018)
    # A job search recorded for someone whose only 2018 exit it is.
    exits_2018 = Exit.objects.filter(school=school, exit_date__year=2018)
    per_person = Counter(exits_2018.values_list("enrolment__person_id", flat=True))
    exit_ = next(
        e
        for e in exits_2018.filter(destination="recherche_emploi")
        .select_related("enrolment")
        .order_by("exit_date", "pk")
        if per_person[e.enrolment.person_id] == 1
    )
    director = _member(school, "direction@e2c-63.demo")
    correct_exit(
        director,
        exit_,
        exit_date=exit_.exit_date,
        destination="cdi",
        organisation="Limagrain",
        reason="late_information",
    )
    after = key_figures(school, YEAR_2018)
    assert after.trainees == before.trainees == 210
    assert after.exits == before.exits
    assert after.successful_exits == before.successful_exits + 1
    assert after.success_rate_pct == percentage(before.successful_exits + 1, before.exits)
    groups = {g.code: g.count for g in after.outcomes.groups}
    groups_before = {g.code: g.count for g in before.outcomes.groups}
    assert groups["emploi"] == groups_before["emploi"] + 1
    assert groups["sans_solution"] == groups_before["sans_solution"] - 1


def test_the_demo_command_prints_the_figures_computed_by_reporting(demo_built, school):
    k = key_figures(school, YEAR_2018)
    n = network_figures(Network.objects.get(slug=NETWORK_SLUG), YEAR_2018)
    assert f"{n.schools} actives en 2018 ; {n.sites} sites actifs en 2018" in demo_built
    assert f"{k.trainees} stagiaires présents en 2018 (dont {k.plie} PLIE)" in demo_built
    rate = k.headline.rate
    assert (
        f"{rate.rounded} % de sorties réussies en 2018 ({rate.successful} sur {rate.counted}, "
        f"« {k.headline.definition.name} »)"
    ) in demo_built
    assert (
        "E2C Puy-de-Dôme en 2018 : 210 stagiaires, 85 % de moins de 26 ans, 30 PLIE, "
        "56 % de sorties réussies, 12 salariés, 7 salles dont 2 informatiques, 600 m²"
    ) in demo_built
    assert (
        "Financements 2018 : Clermont Auvergne Métropole, 50 000 € (Politique de la ville, "
        "partenaire depuis 2014)"
    ) in demo_built
