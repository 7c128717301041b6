"""Outcome definitions as data: versions written by ``services_definitions`` (validated in
French, nothing written when refused, audited, earlier versions never changed), who may write
which, the headline definition of a year, and the admin that edits the network's."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.outcomes import selectors
from parcours.outcomes.defaults import NETWORK_6_MONTHS, PLIE, PUY_DE_DOME_2018
from parcours.outcomes.models import HeadlineDefinition, OutcomeDefinition
from parcours.outcomes.services_definitions import (
    choose_headline,
    clean_definition,
    save_definition_version,
)

from ..factories import MembershipFactory, UserFactory
from ..utils import login_client

pytestmark = pytest.mark.django_db

JAN_2020 = datetime.date(2020, 1, 1)
CDI = {"destinations": ["cdi"], "min_months": None, "strict": False}
CDD_6 = {"destinations": ["cdd"], "min_months": 6, "strict": True}


def writes() -> tuple[int, int, int]:
    return (
        OutcomeDefinition.objects.count(),
        HeadlineDefinition.objects.count(),
        AuditEvent.objects.count(),
    )


def network(code: str) -> OutcomeDefinition:
    return OutcomeDefinition.objects.get(code=code, is_current=True)


def new_definition(membership, **overrides) -> OutcomeDefinition:
    data = {
        "name": "Emploi de l'école",
        "description": "Convention avec la métropole.",
        "rules": [CDI, CDD_6],
        "excluded": ["demenagement"],
        "valid_from": JAN_2020,
        "valid_until": None,
    }
    data.update(overrides)
    return save_definition_version(membership, **data)


def refused(call, *args, **kwargs) -> list[str]:
    before = writes()
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    assert writes() == before, "nothing is written when refused"
    return error.value.messages


# ------------------------------------------------------------------------------ shipped


def test_the_four_network_definitions_are_shipped():
    shipped = OutcomeDefinition.objects.filter(school__isnull=True, is_current=True)
    assert {d.code for d in shipped} >= {PUY_DE_DOME_2018, NETWORK_6_MONTHS, PLIE}
    assert shipped.count() == 4
    assert network(PUY_DE_DOME_2018).name == "Sortie réussie — E2C Puy-de-Dôme (2018)"


# ------------------------------------------------------------------------------ versions


def test_a_director_creates_a_school_definition(world):
    director = world.members["director"]
    definition = new_definition(director)
    assert definition.school == world.school
    assert (definition.version, definition.is_current) == (1, True)
    assert definition.code.endswith("-e2c-alpha")
    assert definition.rules == [
        {"destinations": ["cdi"], "min_months": None, "strict": False},
        {"destinations": ["cdd"], "min_months": 6, "strict": True},
    ]
    assert definition.excluded == ["demenagement"]
    assert definition.created_by == director.user
    event = AuditEvent.objects.get(action="outcome_definition.create")
    assert event.school == world.school and event.actor == director.user
    assert event.object_id == str(definition.pk)
    assert event.changes["version"] == 1 and event.changes["excluded"] == ["demenagement"]


def test_two_schools_may_use_one_name_with_distinct_codes(world):
    first = new_definition(world.members["director"])
    other_director = MembershipFactory(
        school=world.other_school,
        role="director",
        user=UserFactory(email="direction@beta.example.org", last_name="Betadirection"),
    )
    second = new_definition(other_director)
    assert first.name == second.name and first.code != second.code


def test_editing_writes_the_next_version_and_leaves_the_earlier_one(world):
    director = world.members["director"]
    first = new_definition(director)
    first_values = (first.name, first.rules, first.excluded, first.valid_from)
    second = new_definition(
        director,
        code=first,
        name="Emploi durable",
        rules=[CDI],
        excluded=[],
        valid_until=datetime.date(2030, 12, 31),
        based_on_version=1,
    )
    third = new_definition(director, code=first.code, rules=[CDD_6])
    assert (second.code, second.version, third.version) == (first.code, 2, 3)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, first.rules, first.excluded, first.valid_from) == first_values
    assert [first.is_current, second.is_current, third.is_current] == [False, False, True]
    assert selectors.definitions_for(world.school).filter(code=first.code).get() == third
    assert AuditEvent.objects.filter(action="outcome_definition.version").count() == 2


def test_editing_any_version_continues_from_the_latest(world):
    director = world.members["director"]
    first = new_definition(director)
    new_definition(director, code=first)
    third = new_definition(director, code=first)  # from the old row: still the next number
    assert third.version == 3


def test_a_stale_form_is_refused(world):
    director = world.members["director"]
    first = new_definition(director)
    new_definition(director, code=first, based_on_version=1)
    messages = refused(new_definition, director, code=first, based_on_version=1)
    assert "modifiée entre-temps (version 2)" in messages[0]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rules": []}, "Une définition doit compter au moins une règle."),
        (
            {"rules": [{"destinations": [], "min_months": 2, "strict": True}]},
            "Règle 1 : choisissez au moins une destination.",
        ),
        (
            {"rules": [{"destinations": ["cdi", "lune"], "min_months": None}]},
            "Règle 1 : destination inconnue (lune).",
        ),
        (
            {"rules": [CDI, {"destinations": ["cdd"], "min_months": 0}]},
            "Règle 2 : la durée minimale doit être comprise entre 1 et 60 mois.",
        ),
        (
            {"rules": [{"destinations": ["cdd"], "min_months": 61}]},
            "Règle 1 : la durée minimale doit être comprise entre 1 et 60 mois.",
        ),
        (
            {"rules": [{"destinations": ["cdd"], "min_months": "six"}]},
            "Règle 1 : la durée minimale doit être comprise entre 1 et 60 mois.",
        ),
        ({"excluded": ["ailleurs"]}, "Destination exclue inconnue (ailleurs)."),
        (
            {"excluded": ["cdi", "sante"]},
            "Une destination ne peut pas à la fois compter comme réussie et être exclue du "
            "dénominateur : CDI.",
        ),
        (
            {"valid_until": datetime.date(2019, 12, 31)},
            "La fin de validité (31/12/2019) doit suivre son début (01/01/2020).",
        ),
        ({"name": "  "}, "Donnez un nom à la définition."),
        ({"rules": "cdi"}, "Les règles doivent être une liste de règles."),
        ({"rules": [CDI] * 5}, "Une définition compte au plus 4 règles."),
    ],
)
def test_bad_definitions_are_refused_in_french(world, changes, message):
    messages = refused(new_definition, world.members["director"], **changes)
    assert message in messages


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        clean_definition(name="", rules=[], excluded=["x"], valid_from=JAN_2020, valid_until=None)
    assert len(error.value.messages) == 3


def test_a_threshold_of_1_and_60_months_is_accepted_and_strict_needs_a_threshold():
    rules, excluded = clean_definition(
        name="Bornes",
        rules=[
            {"destinations": ["cdd"], "min_months": "1", "strict": True},
            {"destinations": ["interim"], "min_months": 60},
            {"destinations": ["formation"], "min_months": None, "strict": True},
        ],
        excluded=("sante", "sante"),
        valid_from=JAN_2020,
        valid_until=JAN_2020,
    )
    assert [r["min_months"] for r in rules] == [1, 60, None]
    assert [r["strict"] for r in rules] == [True, False, False]
    assert excluded == ["sante"]


@pytest.mark.parametrize("role", ["referent", "intake", "company_relations", "funder"])
def test_only_the_direction_writes_definitions(world, role):
    messages = refused(new_definition, world.members[role])
    assert messages == ["Seule la direction de l'école peut modifier les définitions de sortie."]


def test_a_director_cannot_edit_a_network_definition(world):
    messages = refused(new_definition, world.members["director"], code=network(PLIE))
    assert "ne se modifient que dans l'administration" in messages[0]


def test_a_director_cannot_edit_another_schools_definition(world):
    messages = refused(new_definition, world.members["director"], code=world.others["definition"])
    assert messages == ["Cette définition n'est pas une définition de votre école."]


def test_a_superuser_versions_a_network_definition_but_not_a_schools():
    admin_user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    plie = network(PLIE)
    saved = save_definition_version(
        admin_user,
        code=plie,
        name=plie.name,
        description=plie.description,
        rules=[CDI, {"destinations": ["cdd"], "min_months": 4, "strict": True}],
        excluded=plie.excluded,
        valid_from=plie.valid_from,
    )
    assert (saved.school, saved.version, saved.code) == (None, 2, PLIE)
    assert AuditEvent.objects.get(action="outcome_definition.version").school is None
    plain = UserFactory(email="plain@example.org")
    messages = refused(save_definition_version, plain, name="X", rules=[CDI], valid_from=JAN_2020)
    assert "Seul l'administrateur" in messages[0]


def test_a_superuser_cannot_version_a_schools_definition(world):
    admin_user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    messages = refused(
        save_definition_version,
        admin_user,
        code=world.objects["definition"],
        name="X",
        rules=[CDI],
        valid_from=JAN_2020,
    )
    assert messages == ["Cette définition n'est pas une définition de votre école."]


# ------------------------------------------------------------------------------ headline


def test_choosing_the_headline_of_a_year_and_replacing_it(world):
    director = world.members["director"]
    first = choose_headline(director, 2018, network(PUY_DE_DOME_2018))
    assert (first.school, first.year, first.definition.code) == (
        world.school,
        2018,
        PUY_DE_DOME_2018,
    )
    assert selectors.headline_for(world.school, 2018) == (first.definition, True)
    again = choose_headline(director, 2018, network(PLIE))
    assert again.pk == first.pk
    assert HeadlineDefinition.objects.filter(school=world.school, year=2018).count() == 1
    assert selectors.headline_for(world.school, 2018)[0].code == PLIE
    events = AuditEvent.objects.filter(action="outcome_headline.choose").order_by("pk")
    assert [e.changes["year"] for e in events] == [2018, 2018]
    assert events.last().changes["definition"] == [
        network(PUY_DE_DOME_2018).pk,
        network(PLIE).pk,
    ]


def test_the_headline_takes_the_current_version(world):
    director = world.members["director"]
    own = new_definition(director)
    newer = new_definition(director, code=own)
    choice = choose_headline(director, 2021, own)
    assert choice.definition == newer
    # Edited after the choice: the headline follows the definition's current version.
    newest = new_definition(director, code=newer)
    assert selectors.headline_for(world.school, 2021) == (newest, True)


def test_without_a_choice_the_network_six_months_stands_in(world):
    definition, chosen = selectors.headline_for(world.school, 2019)
    assert (definition.code, chosen) == (NETWORK_6_MONTHS, False)


def test_a_headline_must_be_valid_that_year(world):
    messages = refused(choose_headline, world.members["director"], 2017, network(PUY_DE_DOME_2018))
    assert messages == [
        "La définition « Sortie réussie — E2C Puy-de-Dôme (2018) » n'est pas valable en 2017 "
        "(valable à partir du 01/01/2018)."
    ]
    ended = new_definition(world.members["director"], valid_until=datetime.date(2021, 6, 30))
    assert choose_headline(world.members["director"], 2021, ended).year == 2021
    messages = refused(choose_headline, world.members["director"], 2022, ended)
    assert "n'est pas valable en 2022 (valable du 01/01/2020 au 30/06/2021)" in messages[0]


def test_a_headline_must_be_available_to_the_school(world):
    messages = refused(choose_headline, world.members["director"], 2024, world.others["definition"])
    assert messages == ["Cette définition n'est pas disponible dans votre école."]


def test_a_headline_year_must_be_plausible(world):
    messages = refused(choose_headline, world.members["director"], 1999, network(PLIE))
    assert messages[0].startswith("Choisissez une année entre 2000 et ")


def test_only_the_direction_chooses_the_headline(world):
    messages = refused(choose_headline, world.members["referent"], 2024, network(PLIE))
    assert messages == ["Seule la direction de l'école peut choisir la définition retenue."]


# ------------------------------------------------------------------------------ admin


def _admin_client() -> Client:
    user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client = Client()
    login_client(client, user)
    return client


def _admin_data(definition: OutcomeDefinition, **changes) -> dict:
    import json

    data = {
        "name": definition.name,
        "description": definition.description,
        "rules": json.dumps(definition.rules),
        "excluded": json.dumps(definition.excluded),
        "valid_from": definition.valid_from.strftime("%d/%m/%Y"),
        "valid_until": "",
    }
    data.update(changes)
    return data


def test_the_admin_lists_network_definitions_only(world):
    client = _admin_client()
    response = client.get(reverse("admin:outcomes_outcomedefinition_changelist"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Sortie positive — PLIE" in text
    assert "Emploi durable (école)" not in text  # the schools' own: edited in the product
    school_definition = world.objects["definition"]
    url = reverse("admin:outcomes_outcomedefinition_change", args=[school_definition.pk])
    assert client.get(url).status_code == 302  # not found in the admin's list: back to it


def test_saving_a_network_definition_in_the_admin_writes_a_new_version():
    client = _admin_client()
    plie = network(PLIE)
    url = reverse("admin:outcomes_outcomedefinition_change", args=[plie.pk])
    assert client.get(url).status_code == 200
    rules = [CDI, {"destinations": ["cdd"], "min_months": 4, "strict": True}]
    import json

    response = client.post(url, _admin_data(plie, rules=json.dumps(rules)))
    assert response.status_code == 302, response.content.decode()[:2000]
    versions = OutcomeDefinition.objects.filter(code=PLIE).order_by("version")
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    old, new = versions
    assert old.rules == plie.rules  # the earlier version is unchanged
    assert new.rules == rules and new.school is None
    assert AuditEvent.objects.filter(action="outcome_definition.version").count() == 1
    # The earlier version is read-only now; nothing can be deleted.
    response = client.post(
        reverse("admin:outcomes_outcomedefinition_change", args=[old.pk]), _admin_data(old)
    )
    assert response.status_code == 403
    assert OutcomeDefinition.objects.filter(code=PLIE).count() == 2
    delete = reverse("admin:outcomes_outcomedefinition_delete", args=[new.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_the_admin_shows_the_services_refusal_in_french():
    client = _admin_client()
    plie = network(PLIE)
    url = reverse("admin:outcomes_outcomedefinition_change", args=[plie.pk])
    before = writes()
    response = client.post(url, _admin_data(plie, rules="[]", excluded='["cdi", "lune"]'))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Une définition doit compter au moins une règle." in text
    assert "Destination exclue inconnue (lune)." in text
    assert writes() == before


def test_the_admin_adds_a_network_definition():
    client = _admin_client()
    response = client.post(
        reverse("admin:outcomes_outcomedefinition_add"),
        {
            "name": "Sortie positive — métropole",
            "description": "",
            "rules": '[{"destinations": ["cdi", "cdd"], "min_months": 3, "strict": false}]',
            "excluded": "[]",
            "valid_from": "01/01/2024",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    added = OutcomeDefinition.objects.get(name="Sortie positive — métropole")
    assert (added.school, added.version, added.code) == (None, 1, "sortie-positive-metropole")


def test_the_admin_lists_headline_choices_read_only(world):
    client = _admin_client()
    response = client.get(reverse("admin:outcomes_headlinedefinition_changelist"))
    assert response.status_code == 200
    assert client.get(reverse("admin:outcomes_headlinedefinition_add")).status_code == 403


def test_a_version_valid_from_a_later_date_leaves_earlier_periods_on_the_older_one(world):
    director = world.members["director"]
    first = new_definition(director, rules=[CDI])
    later = new_definition(
        director, code=first, rules=[CDI, CDD_6], valid_from=datetime.date(2024, 1, 1)
    )
    year_2021 = (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))
    year_2024 = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    own = [d for d in selectors.definitions_valid_during(world.school, *year_2021) if d.school_id]
    assert first in own and later not in own  # 2021's figures keep the rules of 2021
    own = [d for d in selectors.definitions_valid_during(world.school, *year_2024) if d.school_id]
    assert later in own and first not in own
    # The headline of 2021 can still be chosen, and it is the version valid in 2021.
    choice = choose_headline(director, 2021, later)
    assert choice.definition == first
    assert selectors.headline_for(world.school, 2021) == (first, True)


def test_a_name_already_used_by_another_definition_is_refused(world):
    director = world.members["director"]
    before = OutcomeDefinition.objects.count()
    with pytest.raises(ValidationError, match="Une autre définition s'appelle déjà"):
        new_definition(director, name="sortie positive — plie")  # the network's, any case
    assert OutcomeDefinition.objects.count() == before
    own = new_definition(director, name="Emploi durable")
    assert new_definition(director, code=own, name="Emploi durable").version == 2  # same one
