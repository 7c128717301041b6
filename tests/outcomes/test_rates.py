"""The rates page and ``selectors_rates.rates_table``: hand-made exits in the test world give
the right counts under each definition (the headline first), the destinations and the
follow-up waves; the period and site come from the address (bad input: a French message and
status 400, never a 500); constant queries; no personal data on the page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.outcomes.defaults import NETWORK_3_MONTHS, NETWORK_6_MONTHS, PLIE, PUY_DE_DOME_2018
from parcours.outcomes.models import Exit, ExitFollowUp, HeadlineDefinition, OutcomeDefinition
from parcours.outcomes.selectors_rates import rates_table
from parcours.pathways.models import EnrolmentStatus

from ..factories import EnrolmentFactory, PersonFactory, SiteFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db

Y2019 = (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))


def url(**params) -> str:
    base = reverse("outcomes:rates", kwargs={"school_slug": "e2c-alpha"})
    if not params:
        return base
    return base + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def network(code: str) -> OutcomeDefinition:
    return OutcomeDefinition.objects.get(code=code, is_current=True)


def make_exit(world, destination, exit_date, months=None, days=0, *, person=None, site=None):
    person = person or PersonFactory(school=world.school, last_name="Confidentiel")
    enrolment = EnrolmentFactory(
        school=world.school,
        person=person,
        site=site or world.site,
        referent=world.members["referent"],
        entry_date=exit_date - datetime.timedelta(days=150),
        planned_end_date=exit_date + datetime.timedelta(days=30),
        status=EnrolmentStatus.EXITED,
        ended_on=exit_date,
    )
    return Exit.objects.create(
        school=world.school,
        enrolment=enrolment,
        exit_date=exit_date,
        destination=destination,
        months=months,
        days=days,
        dropout_reason="motivation" if destination == "abandon" else "",
    )


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


@pytest.fixture
def exits_2019(world):
    """Nine people; eight exited in 2019 (one of them twice), one on 1 January 2020."""
    day = datetime.date(2019, 6, 14)
    other_site = SiteFactory(school=world.school, name="Site Bis")
    made = {
        "cdi": make_exit(world, "cdi", day),
        "cdd_2": make_exit(world, "cdd", day, 2),
        "cdd_2_1": make_exit(world, "cdd", day, 2, 1),
        "training": make_exit(world, "formation", day, 3),
        "moved": make_exit(world, "demenagement", day),
        "new_years_eve": make_exit(world, "recherche_emploi", datetime.date(2019, 12, 31)),
        "new_years_day": make_exit(world, "cdi", datetime.date(2020, 1, 1)),
        "other_site": make_exit(world, "cdd", day, 6, site=other_site),
    }
    twice = PersonFactory(school=world.school, last_name="Confidentiel")
    made["dropped_out"] = make_exit(world, "abandon", datetime.date(2019, 2, 1), person=twice)
    made["came_back"] = make_exit(world, "cdd", datetime.date(2019, 11, 4), 7, person=twice)
    follow_up(made["cdi"], 3, "cdi")
    follow_up(made["cdi"], 6, "cdi")
    follow_up(made["cdd_2"], 3, "formation")
    follow_up(made["cdd_2_1"], 3, unreachable=True)
    follow_up(made["training"], 3)  # due, not done: not counted
    follow_up(made["new_years_day"], 3, "cdi")  # a 2020 exit
    made["site"] = other_site
    return made


# ------------------------------------------------------------------------------ the selector


def test_rates_table_counts_each_definition(world, exits_2019):
    table = rates_table(world.school, *Y2019)
    assert table.exits == 8  # the person who exited twice counts once; 1 January 2020 is out
    by_code = {row.definition.code: row for row in table.definitions}
    # The school's own definition is valid from 2020 only: not in the 2019 table.
    assert set(by_code) == {PUY_DE_DOME_2018, NETWORK_6_MONTHS, NETWORK_3_MONTHS, PLIE}
    counts = {
        code: (r.rate.exits, r.rate.excluded, r.rate.counted, r.rate.successful, r.rate.rounded)
        for code, r in by_code.items()
    }
    # cdi, cdd 2 m 1 d, training, cdd 7 (the latest exit of the dropout), cdd 6
    assert counts[PUY_DE_DOME_2018] == (8, 0, 8, 5, 63)
    assert by_code[PUY_DE_DOME_2018].rate.rate == Decimal("62.5")
    # cdi, cdd 7, cdd 6; moving away is left out of the denominator
    assert counts[NETWORK_6_MONTHS] == (8, 1, 7, 3, 43)
    assert counts[NETWORK_3_MONTHS] == (8, 1, 7, 3, 43)
    # cdi, cdd 7 — not the cdd of exactly 6 months
    assert counts[PLIE] == (8, 1, 7, 2, 29)


def test_without_a_choice_the_default_headline_comes_first(world, exits_2019):
    table = rates_table(world.school, *Y2019)
    assert table.definitions[0].definition.code == NETWORK_6_MONTHS
    assert table.definitions[0].is_headline and not table.headline_chosen
    assert [row.is_headline for row in table.definitions].count(True) == 1
    assert table.headline == table.definitions[0]


def test_the_chosen_headline_comes_first(world, exits_2019):
    HeadlineDefinition.objects.create(
        school=world.school, year=2019, definition=network(PUY_DE_DOME_2018)
    )
    table = rates_table(world.school, *Y2019)
    assert (table.headline_year, table.headline_chosen) == (2019, True)
    assert table.headline.definition.code == PUY_DE_DOME_2018
    assert table.headline.rate.rounded == 63


def test_a_headline_not_valid_in_the_period_is_not_shown(world):
    """The world chose its own definition for 2024: it leads the 2024 table. Once it is no
    longer valid in 2024, no row is marked (the table says so)."""
    table = rates_table(world.school, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert table.headline.definition.name == "Emploi durable (école)"
    assert table.headline.rate.exits == 1  # the world's CDD of 4 months
    assert table.headline.rate.successful == 0
    own = world.objects["definition"]
    own.valid_until = datetime.date(2023, 12, 31)
    own.save()
    table = rates_table(world.school, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert table.headline is None and table.headline_code is None


def test_rates_table_counts_destinations_per_person(world, exits_2019):
    table = rates_table(world.school, *Y2019)
    groups = {group.code: group for group in table.groups}
    assert [g.code for g in table.groups] == [
        "emploi",
        "formation",
        "service_civique",
        "sans_solution",
    ]
    assert groups["emploi"].count == 5 and groups["emploi"].share == Decimal("62.5")
    per_destination = {d.code: d.count for g in table.groups for d in g.destinations}
    assert per_destination["cdd"] == 4 and per_destination["cdi"] == 1
    assert per_destination["abandon"] == 0  # the dropout came back and left again
    assert groups["formation"].count == 1
    assert groups["service_civique"].count == 0 and groups["service_civique"].share == Decimal(
        "0.0"
    )
    assert groups["sans_solution"].count == 2
    assert sum(g.count for g in table.groups) == table.exits


def test_rates_table_reports_the_follow_up_waves(world, exits_2019):
    waves = {row.wave: row.rate for row in rates_table(world.school, *Y2019).waves}
    assert list(waves) == [3, 6, 12]
    three = waves[3]
    assert (three.recorded, three.unreachable, three.employment, three.training) == (3, 1, 1, 1)
    assert three.in_employment_or_training == Decimal("66.7") and three.rounded == 67
    assert (waves[6].recorded, waves[6].rounded) == (1, 100)
    assert (waves[12].recorded, waves[12].rounded) == (0, None)
    at_exit = rates_table(world.school, *Y2019).at_exit  # the same people, where they went
    assert at_exit.recorded == rates_table(world.school, *Y2019).exits


def test_rates_table_of_one_site(world, exits_2019):
    table = rates_table(world.school, *Y2019, site=exits_2019["site"])
    assert table.exits == 1 and table.site_id == exits_2019["site"].pk
    by_code = {row.definition.code: row.rate for row in table.definitions}
    assert (by_code[NETWORK_6_MONTHS].successful, by_code[PLIE].successful) == (1, 0)
    assert all(row.rate.recorded == 0 for row in table.waves)


def test_rates_table_of_an_empty_period(world):
    table = rates_table(world.school, datetime.date(2005, 1, 1), datetime.date(2005, 12, 31))
    assert table.exits == 0
    assert all(row.rate.rate is None for row in table.definitions)
    assert all(group.share is None for group in table.groups)


def test_rates_table_is_scoped_to_the_school(world, exits_2019):
    table = rates_table(world.other_school, *Y2019)
    assert table.exits == 0
    assert "Emploi durable (école)" not in {row.definition.name for row in table.definitions}


# ------------------------------------------------------------------------------ the page


READERS = [
    ("director", 200),
    ("referent", 200),
    ("intake", 200),
    ("company_relations", 200),
    ("prescriber", 403),
    ("funder", 403),
    ("outsider", 404),
]


@pytest.mark.parametrize(("who", "status"), READERS)
def test_page_access(world, who, status):
    assert world.client_for(who).get(url(annee=2019)).status_code == status


def test_the_page_shows_the_counts_of_2019(world, exits_2019):
    response = world.client_for("referent").get(url(annee=2019))
    assert response.status_code == 200
    text = words(response)
    assert "Sorties de 2019" in text
    assert "8 personnes sorties sur la période." in text
    headline = text.index("Sortie positive — réseau (≥ 6 mois) par défaut")
    assert headline < text.index("Sortie réussie — E2C Puy-de-Dôme (2018)")
    assert "CDI ; CDD de plus de 6 mois 8 1 7 2 29 %" in text  # the PLIE
    assert "formation (toute durée) 8 0 8 5 63 %" in text  # Puy-de-Dôme 2018
    assert "Emploi durable (école)" not in text
    assert "Emploi 5 62.5 %" in text or "Emploi 5 62,5 %" in text
    assert "CDD 4" in text and "Déménagement 1" in text
    assert "À 3 mois 3 1 1 1 67 %" in text
    assert "À 6 mois 1 0 1 0 100 %" in text
    assert "À 12 mois 0 0 0 0 —" in text
    assert "Confidentiel" not in page_text(response)  # counts only, no names


def test_the_page_marks_the_chosen_headline(world, exits_2019):
    HeadlineDefinition.objects.create(school=world.school, year=2019, definition=network(PLIE))
    text = words(world.client_for("director").get(url(annee=2019)))
    assert "Sortie positive — PLIE définition retenue pour 2019" in text
    assert text.index("Sortie positive — PLIE") < text.index("Sortie positive — réseau (≥ 6 mois)")


def test_the_page_defaults_to_the_current_year(world):
    from django.utils import timezone

    response = world.client_for("director").get(url())
    assert response.status_code == 200
    assert f"Sorties de {timezone.localdate().year}" in words(response)


def test_the_page_takes_two_dates_and_a_site(world, exits_2019):
    client = world.client_for("director")
    text = words(client.get(url(du="01/06/2019", au="30/06/2019")))
    assert "Sorties du 01/06/2019 au 30/06/2019" in text
    assert "6 personnes sorties sur la période." in text
    text = words(client.get(url(du="2019-01-01", au="2019-12-31")))
    assert "Sorties de 2019" in text and "8 personnes sorties" in text
    text = words(client.get(url(annee=2019, site=exits_2019["site"].pk)))
    assert "Sorties de 2019 — Site Bis" in text and "1 personne sortie sur la période." in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"annee": "deux-mille"}, "Année invalide : écrivez-la sur quatre chiffres."),
        ({"annee": "1999"}, "Choisissez une année entre 2000 et "),
        ({"annee": "99999999999999999999"}, "Choisissez une année entre 2000 et "),
        ({"du": "31/02/2019", "au": "31/03/2019"}, "Date invalide : écrivez-la jj/mm/aaaa."),
        ({"du": "01/01/2019"}, "Indiquez les deux dates de la période (du … au …)."),
        ({"au": "01/01/2019"}, "Indiquez les deux dates de la période (du … au …)."),
        ({"du": "01/02/2019", "au": "01/01/2019"}, "La date de fin doit suivre la date de début."),
        ({"du": "01/01/1900", "au": "01/01/2019"}, "La période doit se situer entre 2000 et "),
        ({"du": "01/01/2005", "au": "31/12/2016"}, "La période ne peut dépasser dix ans."),
        ({"site": "abc"}, "Ce site n'est pas un site de l'école."),
        ({"site": "OTHER"}, "Ce site n'est pas un site de l'école."),
    ],
)
def test_a_bad_period_gets_a_french_message(world, params, message):
    if params.get("site") == "OTHER":
        params = {"site": world.other_site.pk}
    response = world.client_for("director").get(url(**params))
    assert response.status_code == 400
    text = words(response)
    assert message in text
    assert "sur la période." not in text  # no table computed


def test_the_page_runs_a_constant_number_of_queries(world, exits_2019):
    client = world.client_for("director")
    client.get(url(annee=2019))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(annee=2019)).status_code == 200
    for n in range(12):
        made = make_exit(world, ["cdi", "cdd", "formation"][n % 3], datetime.date(2019, 3, 1), 8)
        follow_up(made, 3, "cdi")
        follow_up(made, 12, unreachable=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(annee=2019))
    assert "20 personnes sorties sur la période." in words(response)
    assert len(many) == len(few)
    exit_reads = [q for q in many.captured_queries if 'FROM "outcomes_exit"' in q["sql"]]
    assert len(exit_reads) == 1  # one query for the exits, computed once
