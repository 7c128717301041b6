"""``reporting.network.network_figures``: the schools and sites active during the period (a
school closed before, a site opened after, a school opened after with its site), the schools'
counts summed, national percentages recomputed from the sums (never averaged), the success
rate per network definition, and the JSON the CLI prints."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.organisations.models import Role
from parcours.outcomes.models import OutcomeDefinition
from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period

from ..factories import FundingAgreementFactory, NetworkFactory, RoomFactory
from .indicator_helpers import END, PERIOD, START, d, exited, member, new_school, new_site, stay

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def network():
    return NetworkFactory(slug="reseau-r4", name="Réseau R4")


@pytest.fixture
def schools(network):
    """A (open all along), B (opened during 2019), E (closed on 1 January 2019) count; C
    (closed at the end of 2018) and D (opens in 2020) do not — nor another network's."""
    a = new_school(network=network, name="E2C A", opened_on=d(2010, 9, 1))
    b = new_school(network=network, name="E2C B", opened_on=d(2019, 9, 2))
    e = new_school(network=network, name="E2C E", opened_on=d(2012, 1, 2), closed_on=START)
    c = new_school(network=network, name="E2C C", opened_on=d(2012, 1, 2), closed_on=START - DAY)
    dd = new_school(network=network, name="E2C D", opened_on=END + DAY)
    outside = new_school(network=NetworkFactory(slug="autre-reseau", name="Autre"))
    a1 = new_site(a, name="A1", surface_m2=600)
    new_site(a, name="A2 (ouvre en 2020)", opened_on=END + DAY, surface_m2=100)
    new_site(a, name="A3 (fermé en 2018)", closed_on=d(2018, 6, 30), surface_m2=100)
    new_site(a, name="A4 (ferme en 2019)", opened_on=d(2015, 1, 5), closed_on=d(2019, 3, 31))
    b1 = new_site(b, name="B1", opened_on=d(2019, 9, 2), surface_m2=200)
    e1 = new_site(e, name="E1", closed_on=START, surface_m2=300)
    # The school closed in 2018 left its site's record open: the school's closing closes it.
    new_site(c, name="C1", surface_m2=999)
    new_site(dd, name="D1", surface_m2=999)
    new_site(outside, name="Ailleurs")
    return {
        "a": a,
        "b": b,
        "c": c,
        "d": dd,
        "e": e,
        "outside": outside,
        "a1": a1,
        "b1": b1,
        "e1": e1,
    }


def test_schools_and_sites_active_during_the_period(network, schools):
    n = network_figures(network, PERIOD)
    assert n.network == "Réseau R4"
    assert n.schools == 3
    assert [k.school_name for k in n.per_school] == ["E2C A", "E2C B", "E2C E"]
    # A1, A4 (closed in March), B1, E1 (closed on the first day).
    assert n.sites == 4
    # 2018: A (A1, A3, A4), C (C1), E (E1); B and D not yet open.
    n2018 = network_figures(network, Period.year(2018))
    assert (n2018.schools, n2018.sites) == (3, 5)
    # 2020: A (A1, A2), B (B1), D (D1).
    n2020 = network_figures(network, Period.year(2020))
    assert (n2020.schools, n2020.sites) == (3, 4)


def test_counts_are_summed_and_percentages_recomputed(network, schools):
    a, b = schools["a"], schools["b"]
    stay(a, site=schools["a1"], entry=d(2019, 2, 4), birth=d(2000, 1, 1), lines=["plie"])
    stay(a, site=schools["a1"], entry=d(2019, 2, 4), birth=d(2000, 1, 1), gender="F")
    stay(a, site=schools["a1"], entry=d(2019, 2, 4), birth=d(1980, 1, 1))
    stay(b, site=schools["b1"], entry=d(2019, 9, 2), birth=d(2001, 1, 1), gender="F")
    stay(schools["c"], entry=d(2018, 2, 5), ended=d(2018, 12, 21))  # closed school, 2018
    stay(schools["outside"], entry=d(2019, 2, 4))
    member(a, Role.DIRECTOR)
    member(a, Role.REFERENT)
    member(b, Role.DIRECTOR)
    member(a, Role.PRESCRIBER)
    RoomFactory(site=schools["a1"], computer_room=True)
    RoomFactory(site=schools["a1"])
    RoomFactory(site=schools["b1"])
    FundingAgreementFactory(school=a, year=2019, amount_eur=50000)
    FundingAgreementFactory(school=b, year=2019, amount_eur=20000)
    FundingAgreementFactory(school=b, year=2018, amount_eur=99999)
    n = network_figures(network, PERIOD)
    per = {k.school_name: k for k in n.per_school}
    assert per["E2C A"].trainees == 3 and per["E2C B"].trainees == 1
    assert n.totals["trainees"] == 4
    assert n.totals["plie"] == 1
    assert n.totals["staff"] == 3
    assert (n.totals["rooms"], n.totals["computer_rooms"]) == (3, 1)
    # Surface of the sites active on 31/12: A1 and B1 (A4 and E1 closed before).
    assert n.totals["surface_m2"] == 800
    # 3 under 26 of 4: 75.0 % (the schools' own 66.7 % and 100 % are not averaged).
    assert per["E2C A"].under_26.pct == Decimal("66.7")
    assert n.shares["under_26"] == (3, Decimal("75.0"))
    assert n.shares["women"] == (2, Decimal("50.0"))
    assert n.shares["minors"] == (0, Decimal("0.0"))
    assert n.funding_eur == Decimal(70000)
    data = n.to_json()
    assert data["schools"] == 3 and data["sites"] == 4
    assert data["trainees"] == 4 and data["plie"] == 1 and data["staff"] == 3
    assert data["under_26_pct"] == 75 and data["women_pct"] == 50
    assert data["funding_eur"] == 70000
    assert data["period"] == {"start": "2019-01-01", "end": "2019-12-31"}


def test_an_empty_network_has_zeros_and_no_percentages(network):
    n = network_figures(network, PERIOD)
    assert (n.schools, n.sites, n.per_school) == (0, 0, [])
    assert n.totals["trainees"] == 0
    assert n.shares["under_26"] == (0, None)
    assert n.by_definition == []
    assert n.to_json()["under_26_pct"] is None


def test_success_rate_per_network_definition(network, schools):
    a, b = schools["a"], schools["b"]
    exited(a, d(2019, 3, 29), "cdi", site=schools["a1"])
    exited(a, d(2019, 5, 31), "abandon", site=schools["a1"])
    exited(a, d(2019, 6, 28), "cdd", 4, site=schools["a1"])
    exited(b, d(2019, 11, 29), "demenagement", site=schools["b1"])
    exited(b, d(2019, 12, 20), "formation_qualifiante", site=schools["b1"])
    OutcomeDefinition.objects.create(
        school=a,
        code="propre-a",
        version=1,
        name="Définition de l'école A",
        rules=[{"destinations": ["abandon"], "min_months": None, "strict": False}],
        excluded=[],
        valid_from=d(2015, 1, 1),
    )
    n = network_figures(network, PERIOD)
    assert n.totals["exits"] == 5
    rows = {row.code: row for row in n.by_definition}
    assert "propre-a" not in rows  # a school's own definition is not the network's
    six = rows["reseau-6-mois"]
    # CDI (open-ended) and qualifying training succeed; the CDD of 4 months does not;
    # moving away is left out of the denominator.
    assert (six.counted, six.excluded, six.successful, six.rate) == (4, 1, 2, Decimal("50.0"))
    three = rows["reseau-3-mois"]
    assert (three.counted, three.successful, three.rate) == (4, 3, Decimal("75.0"))
    # The network's rate is recomputed from the sums, not averaged (A: 1/3, B: 1/1).
    per = {k.school_name: k for k in n.per_school}
    a_six = next(
        r for r in per["E2C A"].outcomes.definitions if r.definition.code == "reseau-6-mois"
    )
    assert a_six.rate.rate == Decimal("33.3")
    assert [row.name for row in n.by_definition] == sorted(row.name for row in n.by_definition)
    by_json = {row["definition"]: row for row in n.to_json()["by_definition"]}
    assert by_json["Sortie positive — réseau (≥ 6 mois)"] == {
        "definition": "Sortie positive — réseau (≥ 6 mois)",
        "exits": 4,
        "excluded": 1,
        "successful_exits": 2,
        "success_rate_pct": 50,
    }


def test_queries_grow_only_with_the_number_of_schools(network, schools):
    """Two queries, plus key_figures' constant number per school."""
    with CaptureQueriesContext(connection) as before:
        network_figures(network, PERIOD)
    for school in (schools["a"], schools["b"]):
        for i in range(5):
            stay(school, entry=d(2019, 2, 4), lines=["plie"])
            exited(school, d(2019, 1 + i, 20), "cdi")
    with CaptureQueriesContext(connection) as after:
        n = network_figures(network, PERIOD)
    assert n.totals["trainees"] == 20
    assert len(after) == len(before)
