"""The benchmark harness (``bench/``): its hand-written SQL computes the same numbers as the app
(key figures, network report, monthly statements) on a small hand-built world with the
definitions' boundaries; the floor page needs a login; the table and the JSON writer work."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test.utils import override_settings

from bench import sql
from bench.common import Measure, Row, format_table, judge, percentile, write_results
from bench.reports import (
    differences,
    key_figures_app_shape,
    network_app_shape,
    statements_app_shape,
)
from parcours.organisations.models import PrescriberType, Role
from parcours.reporting.indicators import key_figures
from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period
from parcours.schedule.models import AttendanceMark
from parcours.schedule.statements import month_bounds, school_statements

from ..factories import FundingAgreementFactory, PartnerFactory, RoomFactory, UserFactory
from ..reporting.indicator_helpers import (
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
from ..utils import login_client

pytestmark = pytest.mark.django_db


def _world():
    """Two schools of one network with the cases the figures must count right."""
    school = new_school(slug="e2c-banc-a", name="E2C Banc A")
    other = new_school(network=school.network, slug="e2c-banc-b", name="E2C Banc B")
    new_school(network=school.network, slug="e2c-fermee", closed_on=d(2017, 12, 31))
    site = new_site(school, surface_m2=420)
    new_site(school, surface_m2=100, closed_on=d(2019, 6, 30))  # closed before the end
    RoomFactory(school=school, site=site, kind="computer", computers=10)
    RoomFactory(school=school, site=site)
    RoomFactory(school=school, site=site, closed_on=d(2019, 3, 1))
    mission = PartnerFactory(school=school, prescriber_type=PrescriberType.MISSION_LOCALE)
    # Ages at the boundaries: the day before and on the 26th and 18th birthdays.
    stay(school, entry=d(2019, 6, 9), birth=d(1993, 6, 10), gender="F", prescriber=mission)
    stay(school, entry=d(2019, 6, 10), birth=d(1993, 6, 10), prescriber=SPONTANEOUS)
    stay(school, entry=d(2019, 3, 4), birth=d(2001, 3, 5), qpv="QN06301M", diploma="none")
    stay(school, entry=d(2019, 3, 4), birth=d(2001, 3, 4), rqth="yes", lines=["plie"])
    stay(school, entry=d(2019, 2, 28), birth=d(2000, 2, 29), gender="F")  # born 29 February
    # Straddling the period, and outside it.
    stay(school, entry=d(2018, 9, 3), ended=START, lines=["plie"])
    stay(school, entry=END)
    stay(school, entry=d(2018, 6, 4), ended=START - datetime.timedelta(days=1))
    stay(school, entry=END + datetime.timedelta(days=1))
    # Two stays of one person: once, described by the latest; one exit per person.
    who = person(school, birth=d(1995, 1, 1), gender="F")
    exited(school, d(2019, 3, 29), "abandon", who=who, entry=d(2019, 1, 7))
    exited(school, d(2019, 11, 29), "cdd", 6, who=who, entry=d(2019, 9, 2))
    exited(school, END, "formation_qualifiante", 6)
    exited(school, START, "cdi")
    exited(school, END + datetime.timedelta(days=1), "cdi")  # after the period
    stay(school, entry=d(2019, 4, 1), situation=False)  # no entry situation
    # Staff on the last day, premises, funding.
    member(school, Role.DIRECTOR)
    member(school, Role.REFERENT, active_until=d(2019, 12, 30))  # gone before the end
    member(school, Role.INTAKE, active_from=d(2020, 1, 1))  # not yet
    member(school, Role.PRESCRIBER)  # not staff
    funder = PartnerFactory(school=school, funder=True)
    FundingAgreementFactory(school=school, funder=funder, year=2016, amount_eur=1000)
    FundingAgreementFactory(school=school, funder=funder, year=2019, amount_eur=25000)
    # The other school: a few trainees of its own.
    stay(other, entry=d(2019, 5, 6), lines=["plie"])
    stay(other, entry=d(2019, 5, 6), birth=d(2003, 1, 1), gender="F")
    exited(other, d(2019, 10, 1), "cdi")
    return school, other


def test_key_figures_sql_equals_the_app():
    school, other = _world()
    for period in (PERIOD, Period(d(2019, 3, 1), d(2019, 6, 30)), Period(START, START)):
        by_sql = sql.key_figures_sql([school.pk, other.pk], period.start, period.end)
        for each in (school, other):
            app = key_figures_app_shape(key_figures(each, period))
            assert differences(app, by_sql[each.pk]) == [], period
    whole_year = sql.key_figures_sql([school.pk], PERIOD.start, PERIOD.end)[school.pk]
    assert whole_year["trainees"] == key_figures(school, PERIOD).trainees == 12
    assert whole_year["funding_lines"]["plie"] == 2 and whole_year["exits"] == 3


def test_network_sql_equals_the_app():
    school, _other = _world()
    app = network_app_shape(network_figures(school.network, PERIOD))
    by_sql = sql.network_sql(school.network_id, PERIOD.start, PERIOD.end)
    assert differences(app, by_sql) == []
    assert by_sql["schools"] == 2 and by_sql["totals"]["trainees"] > 0


def test_statements_sql_equals_the_app():
    school = new_school(slug="e2c-etats", name="E2C États")
    user = UserFactory()
    director = member(school, Role.DIRECTOR, user=user)
    # Turns 18 on 15 March 2019: the paid half-days split on that day.
    young = stay(school, entry=d(2019, 1, 7), birth=d(2001, 3, 15))
    adult = stay(school, entry=d(2019, 1, 7), birth=d(1990, 1, 1))
    leap = stay(school, entry=d(2019, 1, 7), birth=d(2001, 2, 28))
    stay(school, entry=d(2019, 2, 4), ended=d(2019, 3, 1))  # in progress, no marks
    stay(school, entry=d(2019, 4, 1))  # not in March
    statuses = ["present", "late", "excused", "unexcused", "company", "holiday"]
    for number, day in enumerate(range(11, 20)):
        for half in ("am", "pm"):
            for enrolment in (young, adult, leap):
                status = statuses[(number + len(half) + enrolment.pk) % len(statuses)]
                AttendanceMark.objects.create(
                    school=school,
                    enrolment=enrolment,
                    day=d(2019, 3, day),
                    half=half,
                    status=status,
                    reason="illness" if status == "excused" else "",
                    recorded_by=user,
                )
    first, last = month_bounds(d(2019, 3, 1))
    app = statements_app_shape(school_statements(director, first))
    by_sql = sql.statements_sql(school.pk, first, last)
    assert differences(app, by_sql) == []
    assert by_sql["statements"] == 4
    young_row = by_sql["marks"][young.pk]
    assert young_row["paid_minor"] > 0 and young_row["paid_adult"] > 0


def test_differences_says_where():
    assert differences({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {"c": 3}}) == ["/b/c: app 2 ≠ SQL 3"]
    assert differences({"a": 1}, {}) == ["/a: app has 1, missing in SQL"]


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_floor_page_needs_a_login(client):
    response = client.get("/bench/floor/")
    assert response.status_code == 302 and "/connexion/" in response["Location"]
    school = new_school(slug="e2c-plancher")
    login_client(client, member(school, Role.DIRECTOR).user)
    response = client.get("/bench/floor/")
    assert response.status_code == 200 and b"Bonjour" in response.content


def test_percentiles_and_targets():
    assert percentile([1, 2, 3, 4, 5], 50) == 3
    assert percentile(range(1, 101), 95) == pytest.approx(95.05)
    assert percentile([7], 95) == 7
    assert judge(40, 120, median_max=50, p95_max=150, stable=True) == (
        "med≤50ms, p95≤150ms, const q",
        True,
    )
    assert judge(40, 160, median_max=50, p95_max=150)[1] is False
    assert judge(90, None, median_max=100, ratio=2.5, ratio_max=2)[1] is False
    assert judge(10, None) == ("", None)


def test_table_and_results_file(tmp_path):
    m = Measure("trainee list", times_ms=[10.0, 12.0, 11.0], queries=[9, 9, 9])
    assert m.summary()["median_ms"] == 11.0 and m.queries_stable
    rows = [
        Row("pages", "floor", 5.0, 6.0, 4, True),
        Row(
            "pages",
            m.name,
            m.median_ms,
            m.p95_ms,
            9,
            True,
            ratio=2.2,
            ratio_to="floor",
            target="med≤50ms",
            met=True,
        ),
        Row(
            "reports",
            "key figures (app)",
            120.0,
            130.0,
            15,
            False,
            ratio=3.0,
            ratio_to="SQL",
            target="med≤100ms",
            met=False,
            note="numbers equal",
        ),
    ]
    table = format_table(rows, "title")
    assert "trainee list" in table and "2.20× floor" in table and "MISSED" in table
    assert "15~" in table and "numbers equal" in table
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"import_enrolments": {"sqlite": {"rows": 1}}}))
    write_results("harness", "school", "sqlite", {"rows": [r.to_json() for r in rows]}, path)
    write_results("harness", "network", "postgresql", {"rows": []}, path)
    data = json.loads(path.read_text())
    assert data["import_enrolments"] == {"sqlite": {"rows": 1}}  # other parts kept
    assert data["harness"]["school"]["sqlite"]["rows"][1]["ratio"] == 2.2
    assert data["harness"]["network"]["postgresql"] == {"rows": []}
