"""Definition screens: the list (network and school definitions in French, the headline of
each year), a definition's versions, the school's own definitions (new, new version) and the
choice of the headline — three-user treatment (the director writes; a referent reads but may
not write: 403; a member of another school: 404), refused input shows the French message and
writes nothing, constant queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.outcomes.defaults import NETWORK_6_MONTHS, PLIE, PUY_DE_DOME_2018
from parcours.outcomes.models import HeadlineDefinition, OutcomeDefinition
from parcours.outcomes.services_definitions import save_definition_version

from ..utils import page_text

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"outcomes:{name}", kwargs={"school_slug": "e2c-alpha", **kwargs})


def writes() -> tuple[int, int, int]:
    return (
        OutcomeDefinition.objects.count(),
        HeadlineDefinition.objects.count(),
        AuditEvent.objects.count(),
    )


def words(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def network(code: str) -> OutcomeDefinition:
    return OutcomeDefinition.objects.get(code=code, is_current=True)


def form_data(rules: list[dict] | None = None, **overrides) -> dict:
    data = {
        "name": "Emploi ou formation longue",
        "description": "",
        "valid_from": "01/01/2022",
        "valid_until": "",
        "version": "",
        "regles-TOTAL_FORMS": "4",
        "regles-INITIAL_FORMS": "0",
        "regles-MIN_NUM_FORMS": "0",
        "regles-MAX_NUM_FORMS": "4",
    }
    excluded = overrides.pop("excluded", ["demenagement", "sante"])
    for index, rule in enumerate(rules or []):
        for key, value in rule.items():
            data[f"regles-{index}-{key}"] = value
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    data["excluded"] = excluded
    return data


JOB_3 = {"destinations": ["cdi", "cdd", "interim"], "min_months": "3", "threshold": "strict"}
TRAINING = {"destinations": ["formation_qualifiante"], "min_months": "", "threshold": "inclusive"}

READERS = [
    ("director", 200),
    ("referent", 200),
    ("intake", 200),
    ("company_relations", 200),
    ("prescriber", 403),
    ("funder", 403),
    ("outsider", 404),
]
WRITERS = [
    ("director", 200),
    ("referent", 403),
    ("company_relations", 403),
    ("funder", 403),
    ("outsider", 404),
]


# ------------------------------------------------------------------------------ reading


@pytest.mark.parametrize(("who", "status"), READERS)
def test_list_access(world, who, status):
    response = world.client_for(who).get(url("definitions"))
    assert response.status_code == status
    if status == 200:
        text = page_text(response)
        assert "Sortie positive — PLIE" in text
        assert "Emploi durable (école)" in text  # the school's own
        assert "e2c-beta" not in text
        assert ("Nouvelle définition de l'école" in text) == (who == "director")


def test_the_list_says_the_rules_in_french(world):
    text = page_text(world.client_for("referent").get(url("definitions")))
    assert "CDI ; CDD de plus de 6 mois" in text  # the PLIE
    assert (
        "Emploi de plus de 2 mois (CDI et création d'entreprise : quelle que soit la durée) ; "
        "formation (toute durée)"
    ) in text
    assert "Déménagement, Raisons de santé, Maternité" in text
    assert "depuis le 01/01/2018" in text


def test_the_list_shows_the_headline_of_each_year(world):
    director = world.members["director"]
    HeadlineDefinition.objects.create(
        school=world.school, year=2018, definition=network(PUY_DE_DOME_2018)
    )
    text = words(world.client_for("director").get(url("definitions")))
    assert "Définition retenue par année" in text
    assert "Sortie réussie — E2C Puy-de-Dôme (2018)" in text
    this_year = timezone.localdate().year
    if this_year != 2024:  # the world chose the school's definition for 2024
        assert f"{this_year} Sortie positive — réseau (≥ 6 mois) par défaut" in text
    assert "2018 Sortie réussie — E2C Puy-de-Dôme (2018)" in text
    assert "2024 Emploi durable (école)" in text
    assert director  # the form to choose is there for the direction
    assert "Retenir cette définition" in text
    referent_text = page_text(world.client_for("referent").get(url("definitions")))
    assert "Retenir cette définition" not in referent_text


def test_the_list_runs_a_constant_number_of_queries(world):
    client = world.client_for("director")
    client.get(url("definitions"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("definitions")).status_code == 200
    director = world.members["director"]
    for n in range(6):
        definition = save_definition_version(
            director,
            name=f"Définition {n}",
            rules=[{"destinations": ["cdi"]}],
            excluded=[],
            valid_from=datetime.date(2020, 1, 1),
        )
        HeadlineDefinition.objects.create(school=world.school, year=2010 + n, definition=definition)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("definitions")).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(("who", "status"), READERS)
def test_detail_access(world, who, status):
    response = world.client_for(who).get(
        url("definition_detail", pk=world.objects["definition"].pk)
    )
    assert response.status_code == status


def test_a_network_definition_is_readable_not_editable(world):
    plie = network(PLIE)
    response = world.client_for("director").get(url("definition_detail", pk=plie.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "Sortie positive — PLIE" in text and "Nouvelle version" not in text
    assert world.client_for("director").get(url("definition_edit", pk=plie.pk)).status_code == 403
    before = writes()
    response = world.client_for("director").post(
        url("definition_edit", pk=plie.pk), form_data([JOB_3])
    )
    assert response.status_code == 403
    assert writes() == before


def test_another_schools_definition_is_404(world):
    other = world.others["definition"]
    client = world.client_for("director")
    assert client.get(url("definition_detail", pk=other.pk)).status_code == 404
    assert client.get(url("definition_edit", pk=other.pk)).status_code == 404
    before = writes()
    assert client.post(url("definition_edit", pk=other.pk), form_data([JOB_3])).status_code == 404
    assert writes() == before


def test_the_detail_lists_the_versions(world):
    director = world.members["director"]
    own = world.objects["definition"]
    save_definition_version(
        director,
        code=own,
        name="Emploi durable, v2",
        rules=[{"destinations": ["cdi", "cdd"], "min_months": 12}],
        excluded=[],
        valid_from=own.valid_from,
    )
    response = world.client_for("referent").get(url("definition_detail", pk=own.pk))
    text = page_text(response)
    assert "n'est plus en vigueur" in text
    assert "Emploi durable (école)" in text and "Emploi durable, v2" in text
    assert "Emploi (CDI, CDD) de 12 mois ou plus" in text
    assert "en vigueur" in text


# ------------------------------------------------------------------------------ writing


@pytest.mark.parametrize(("who", "status"), WRITERS)
def test_new_form_access(world, who, status):
    assert world.client_for(who).get(url("definition_new")).status_code == status


@pytest.mark.parametrize(("who", "status"), WRITERS)
def test_edit_form_access(world, who, status):
    response = world.client_for(who).get(url("definition_edit", pk=world.objects["definition"].pk))
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), WRITERS)
def test_headline_form_access(world, who, status):
    assert world.client_for(who).get(url("headline_choose")).status_code == status


def test_the_new_form_groups_destinations_by_typology(world):
    text = page_text(world.client_for("director").get(url("definition_new")))
    for label in ("Règle 1", "Règle 4", "Emploi", "Formation", "Sans sortie positive"):
        assert label in text
    assert "plus de N mois (seuil exclu)" in text


def test_a_director_creates_a_definition(world):
    response = world.client_for("director").post(
        url("definition_new"), form_data([JOB_3, TRAINING])
    )
    assert response.status_code == 302
    definition = OutcomeDefinition.objects.get(name="Emploi ou formation longue")
    assert response["Location"] == url("definition_detail", pk=definition.pk)
    assert definition.school == world.school and definition.version == 1
    assert definition.rules == [
        {"destinations": ["cdd", "cdi", "interim"], "min_months": 3, "strict": True},
        {"destinations": ["formation_qualifiante"], "min_months": None, "strict": False},
    ]
    assert definition.excluded == ["demenagement", "sante"]
    assert definition.valid_from == datetime.date(2022, 1, 1)
    assert AuditEvent.objects.filter(action="outcome_definition.create").count() == 1


def test_a_director_writes_a_new_version(world):
    own = world.objects["definition"]
    client = world.client_for("director")
    form = client.get(url("definition_edit", pk=own.pk))
    assert 'value="Emploi durable (école)"' in form.content.decode()
    response = client.post(
        url("definition_edit", pk=own.pk),
        form_data([JOB_3], name="Emploi durable (école)", version="1", excluded=[]),
    )
    assert response.status_code == 302
    versions = OutcomeDefinition.objects.filter(code=own.code).order_by("version")
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].rules == own.rules
    assert versions[1].rules[0]["min_months"] == 3


def test_a_stale_edit_form_is_refused(world):
    own = world.objects["definition"]
    client = world.client_for("director")
    data = form_data([JOB_3], version="1")
    assert client.post(url("definition_edit", pk=own.pk), data).status_code == 302
    before = writes()
    response = client.post(url("definition_edit", pk=own.pk), data)
    assert response.status_code == 400
    assert "modifiée entre-temps (version 2)" in page_text(response)
    assert writes() == before


@pytest.mark.parametrize(
    ("rules", "overrides", "message"),
    [
        ([], {}, "Une définition doit compter au moins une règle."),
        (
            [{"destinations": [], "min_months": "3", "threshold": "strict"}],
            {},
            "Choisissez au moins une destination.",
        ),
        (
            [{**JOB_3, "min_months": "0"}],
            {},
            "La durée minimale doit être comprise entre 1 et 60 mois.",
        ),
        (
            [{**JOB_3, "min_months": "61"}],
            {},
            "La durée minimale doit être comprise entre 1 et 60 mois.",
        ),
        ([{**JOB_3, "destinations": ["lune"]}], {}, "Destination inconnue : lune."),
        (
            [JOB_3],
            {"excluded": ["cdd"]},
            "Une destination ne peut pas à la fois compter comme réussie et être exclue du "
            "dénominateur : CDD.",
        ),
        ([JOB_3], {"valid_until": "31/12/2021"}, "La fin de validité doit suivre son début."),
        ([JOB_3], {"valid_from": "31/02/2022"}, "Date invalide (jj/mm/aaaa)."),
        ([JOB_3], {"name": ""}, "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(world, rules, overrides, message):
    before = writes()
    response = world.client_for("director").post(
        url("definition_new"), form_data(rules, **overrides)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert writes() == before


def test_a_referent_cannot_post_a_definition(world):
    before = writes()
    response = world.client_for("referent").post(url("definition_new"), form_data([JOB_3]))
    assert response.status_code == 403
    assert writes() == before


# ------------------------------------------------------------------------------ headline


def test_a_director_chooses_the_headline_of_a_year(world):
    client = world.client_for("director")
    plie = network(PLIE)
    response = client.post(url("headline_choose"), {"year": "2019", "definition": plie.pk})
    assert response.status_code == 302 and response["Location"] == url("definitions")
    choice = HeadlineDefinition.objects.get(school=world.school, year=2019)
    assert choice.definition == plie and choice.chosen_by == world.members["director"].user
    text = page_text(client.get(url("definitions")))
    assert "« Sortie positive — PLIE » est la définition retenue pour 2019." in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "2016", "definition": "PDD"}, "n'est pas valable en 2016"),
        ({"year": "1999", "definition": "PLIE"}, "Choisissez une année de la liste."),
        ({"year": "2019", "definition": "OTHER"}, "n'est pas disponible dans votre école."),
        ({"year": "2019", "definition": ""}, "Choisissez une définition."),
    ],
)
def test_a_bad_headline_choice_is_refused(world, data, message):
    ids = {
        "PDD": network(PUY_DE_DOME_2018).pk,
        "PLIE": network(PLIE).pk,
        "OTHER": world.others["definition"].pk,
        "": "",
    }
    data = {**data, "definition": ids[data["definition"]]}
    before = writes()
    response = world.client_for("director").post(url("headline_choose"), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert writes() == before


def test_a_referent_cannot_choose_the_headline(world):
    before = writes()
    response = world.client_for("referent").post(
        url("headline_choose"), {"year": "2019", "definition": network(NETWORK_6_MONTHS).pk}
    )
    assert response.status_code == 403
    assert writes() == before
