"""Aggregated figures through the API: the same function as the web page and the CLI, the
small-cell rule for funders and the network, funding agreements as on the web."""

from __future__ import annotations

import pytest

from parcours.reporting.indicators import key_figures
from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period

from ..factories import FundingAgreementFactory
from ..reporting.test_key_figures_views import year_2019  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_direction_reads_the_clis_figures(world, api_client, year_2019):  # noqa: F811
    response = api_client(world.members["director"]).get("/api/v1/key-figures?year=2019")
    assert response.status_code == 200
    body = response.json()
    expected = key_figures(world.school, Period.year(2019)).to_json()
    assert body["small_cells_hidden"] is False and body["site_id"] is None
    for key, value in expected.items():
        assert body[key] == value, key
    assert body["trainees"] == 3 and body["under_26_pct"] == 66.7
    assert body["funding"][0]["amount_eur"] == 42000


def test_other_staff_read_them_without_funding(world, api_client, year_2019):  # noqa: F811
    body = api_client(world.members["referent"]).get("/api/v1/key-figures?year=2019").json()
    assert body["trainees"] == 3 and body["funding"] == []


def test_a_funder_reads_them_with_small_cells_hidden_and_its_own_funding(
    world,
    api_client,
    year_2019,  # noqa: F811
):
    FundingAgreementFactory(school=world.school, year=2019, amount_eur=77000, purpose="Autre")
    response = api_client(world.members["funder"]).get("/api/v1/key-figures?year=2019")
    assert response.status_code == 200
    body = response.json()
    assert body["small_cells_hidden"] is True
    assert body["trainees"] == "< 5" and body["exits"] == "< 5" and body["plie"] == "< 5"
    assert body["under_26_pct"] == "s" and body["success_rate_pct"] == "s"
    assert body["funding_lines"]["plie"] == "< 5"
    assert [row["amount_eur"] for row in body["funding"]] == [42000]
    assert "Secret" not in response.content.decode()  # the trainees' last name
    assert body["sites"] == 1 and body["surface_m2"] == 450  # not people: shown


def test_a_site_and_a_period(world, api_client, year_2019):  # noqa: F811
    client = api_client(world.members["director"])
    body = client.get(f"/api/v1/key-figures?year=2019&site={world.site.pk}").json()
    assert body["site_id"] == world.site.pk and body["trainees"] == 3
    body = client.get("/api/v1/key-figures?date_from=2019-01-01&date_to=2019-03-31").json()
    assert body["period"] == {"start": "2019-01-01", "end": "2019-03-31"}
    assert body["trainees"] == 3


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("year=1999", "year", "supérieure ou égale à 2000"),
        ("year=2090", "year", "Choisissez une année entre"),
        ("year=abc", "year", "Un nombre entier est attendu."),
        ("year=2019&date_from=2019-01-01", "year", "Donnez soit year"),
        ("date_from=2019-01-01", "date_to", "Indiquez les deux dates"),
        ("date_from=2019-06-01&date_to=2019-01-01", "date_to", "La date de fin doit suivre"),
        ("site=999999", "site", "Ce site n'est pas un site de l'école."),
        ("site=OTHER", "site", "Ce site n'est pas un site de l'école."),
    ],
)
def test_bad_parameters_are_a_french_422(world, api_client, query, field, message):
    query = query.replace("OTHER", str(world.other_site.pk))
    response = api_client(world.members["director"]).get(f"/api/v1/key-figures?{query}")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["loc"] == ["query", field] and message in e["message"] for e in errors), errors


def test_the_network_reads_its_suppressed_table(world, api_client, year_2019):  # noqa: F811
    response = api_client(world.members["network"]).get("/api/v1/network/key-figures?year=2019")
    assert response.status_code == 200
    body = response.json()
    figures = network_figures(world.school.network, Period.year(2019))
    assert body["year"] == 2019 and body["schools"] == figures.schools
    alpha = next(row for row in body["per_school"] if row["name"] == "E2C Alpha")
    assert alpha["trainees"] == "< 5" and alpha["under_26"] == {"count": "< 5", "pct": "s"}
    assert body["totals"]["trainees"] == "< 5"
    codes = [d["code"] for d in body["definitions"]]
    assert set(alpha["by_definition"]) == set(codes)
    assert "Secret" not in response.content.decode()


def test_the_network_year_is_checked(world, api_client):
    client = api_client(world.members["network"])
    response = client.get("/api/v1/network/key-figures?year=1800")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "year"]
    assert client.get("/api/v1/network/key-figures").status_code == 200  # this year


SCOPE_REFUSED = "Un financeur consulte les chiffres d'une année civile entière, pour toute l'école"


def test_the_api_refuses_a_funder_another_scope(world, api_client, year_2019):  # noqa: F811
    client = api_client(world.members["funder"])
    for query in ("date_from=2019-01-01&date_to=2019-06-30", f"year=2019&site={world.site.pk}"):
        response = client.get(f"/api/v1/key-figures?{query}")
        assert response.status_code == 422, query
        assert SCOPE_REFUSED in response.json()["detail"] + str(response.json()["errors"])
    assert client.get("/api/v1/key-figures?year=2019").status_code == 200
