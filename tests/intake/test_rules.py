"""The school's eligibility rules: versions and special publics, edited by the direction."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.intake import eligibility, services
from parcours.intake.models import EligibilityRules, SpecialPublic

from ..factories import PartnerFactory
from ..utils import page_text
from .referral_data import fresh_referral, today

pytestmark = pytest.mark.django_db

SLUG = "e2c-alpha"
PUBLIC = "Femmes de plus de 25 ans habitant un QPV, orientées par le PLIE"


def url(name: str) -> str:
    return reverse(name, args=[SLUG])


def rules_data(publics: list[dict] | None = None, **changes) -> dict:
    data = {
        "valid_from": today().isoformat(),
        "min_age": "16",
        "max_age": "25",
        "min_months_out_of_school": "12",
        "require_not_in_employment_or_training": "on",
        "note": "Délibération du conseil d'administration.",
        "publics-TOTAL_FORMS": "3",
        "publics-INITIAL_FORMS": "0",
        "publics-MIN_NUM_FORMS": "0",
        "publics-MAX_NUM_FORMS": "3",
    }
    for index, public in enumerate(publics or []):
        for key, value in public.items():
            data[f"publics-{index}-{key}"] = value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


WOMEN_QPV_PLIE = {
    "label": PUBLIC,
    "gender": "F",
    "min_age": "26",
    "max_age": "",
    "requires_qpv": "on",
    "prescriber_type": "plie",
}


def _counts():
    return (
        EligibilityRules.objects.count(),
        SpecialPublic.objects.count(),
        AuditEvent.objects.count(),
    )


def test_rules_page_without_any_version_shows_the_networks_defaults(world):
    response = world.client_for("intake").get(url("intake:rules"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Aucune version enregistrée : les règles par défaut du réseau s'appliquent" in text
    assert "de 16 à 25 ans inclus" in text
    assert "Nouvelle version" not in text  # the intake officer reads only


def test_director_creates_versions_and_old_ones_stay_unchanged(world):
    client = world.client_for("director")
    assert client.get(url("intake:rules_create")).status_code == 200
    response = client.post(url("intake:rules_create"), rules_data())
    assert response.status_code == 302
    assert response["Location"] == url("intake:rules")
    first = EligibilityRules.objects.get(school=world.school)
    assert (first.version, first.min_age, first.max_age) == (1, 16, 25)
    assert first.created_by == world.members["director"].user

    response = client.post(
        url("intake:rules_create"), rules_data([WOMEN_QPV_PLIE], max_age="26"), follow=True
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "La version 2 des règles d'éligibilité est enregistrée" in text
    second = EligibilityRules.objects.get(school=world.school, version=2)
    public = second.special_publics.get()
    assert (public.label, public.gender, public.min_age, public.max_age) == (PUBLIC, "F", 26, None)
    assert public.requires_qpv and public.prescriber_type == "plie"
    first.refresh_from_db()
    assert first.max_age == 25 and not first.special_publics.exists()  # unchanged
    assert AuditEvent.objects.filter(action="eligibility_rules.create").count() == 2
    # The page shows the version in force and the history.
    assert "v2, depuis le" in text and "de 16 à 26 ans inclus" in text
    assert PUBLIC in text and "orienté·e par : PLIE" in text
    assert text.count("Délibération du conseil d'administration.") == 2


def test_new_version_form_starts_from_the_current_one(world):
    client = world.client_for("director")
    client.post(url("intake:rules_create"), rules_data([WOMEN_QPV_PLIE], max_age="24"))
    html = client.get(url("intake:rules_create")).content.decode()
    assert 'name="max_age" value="24"' in html
    assert f'value="{PUBLIC}"' in html


def test_an_emptied_public_is_not_carried_over(world):
    client = world.client_for("director")
    client.post(url("intake:rules_create"), rules_data([WOMEN_QPV_PLIE]))
    response = client.post(
        url("intake:rules_create"),
        rules_data(
            [{"label": "", "gender": "", "min_age": "", "prescriber_type": ""}],
            **{"publics-INITIAL_FORMS": "1"},
        ),
    )
    assert response.status_code == 302
    latest = EligibilityRules.objects.get(school=world.school, version=2)
    assert not latest.special_publics.exists()
    assert EligibilityRules.objects.get(version=1).special_publics.count() == 1


def test_a_future_version_is_shown_as_upcoming(world):
    client = world.client_for("director")
    client.post(url("intake:rules_create"), rules_data())
    later = today() + datetime.timedelta(days=30)
    client.post(url("intake:rules_create"), rules_data(valid_from=later.isoformat(), min_age="18"))
    text = page_text(client.get(url("intake:rules")))
    assert "à venir" in text and "en vigueur" in text
    assert "v1, depuis le" in text
    assert services.rules_in_force(world.school, today()).version == 1
    assert services.rules_in_force(world.school, later).version == 2


def test_the_special_public_makes_a_candidate_eligible(world):
    plie = PartnerFactory(school=world.school, name="PLIE Alpha", prescriber_type="plie")
    woman = fresh_referral(
        world, age=30, gender="F", prescriber=plie, adviser=None, qpv_code="QN06301M"
    )
    man = fresh_referral(
        world, age=30, gender="M", prescriber=plie, adviser=None, qpv_code="QN06301M"
    )
    by_mission_locale = fresh_referral(world, age=30, gender="F", qpv_code="QN06301M")
    client = world.client_for("director")

    def eligible(referral) -> bool:
        text = page_text(client.get(reverse("intake:referral", args=[SLUG, referral.pk])))
        return "La personne remplit tous les critères d'éligibilité" in text

    assert not eligible(woman)
    client.post(url("intake:rules_create"), rules_data([WOMEN_QPV_PLIE]))
    assert eligible(woman)
    assert not eligible(man)
    assert not eligible(by_mission_locale)


def test_rules_from_the_database_match_the_pure_rules(world):
    rules = services.save_rules_version(
        membership=world.members["director"],
        valid_from=datetime.date(2018, 1, 1),
        min_age=16,
        max_age=25,
        min_months_out_of_school=12,
        require_not_in_employment_or_training=True,
        special_publics=[
            {
                "label": PUBLIC,
                "gender": "F",
                "min_age": 26,
                "requires_qpv": True,
                "prescriber_type": "plie",
            }
        ],
    )
    pure = eligibility.Rules.from_model(rules)
    assert pure.max_age == 25
    assert pure.special_publics == (
        eligibility.SpecialPublicRule(
            label=PUBLIC, gender="F", min_age=26, requires_qpv=True, prescriber_type="plie"
        ),
    )


@pytest.mark.parametrize(
    ("changes", "publics", "message"),
    [
        ({"valid_from": "", "min_age": ""}, [], "Ce champ est obligatoire."),
        ({"valid_from": "31/02/2026"}, [], "Saisissez une date valide."),
        ({"min_age": "20", "max_age": "18"}, [], "L'âge maximum doit être supérieur ou égal"),
        ({"min_age": "10"}, [], "Un âge doit être compris entre 14 et 99 ans."),
        ({"max_age": "120"}, [], "Un âge doit être compris entre 14 et 99 ans."),
        ({"min_months_out_of_school": "-1"}, [], "Le nombre de mois doit être compris"),
        ({"min_age": "seize"}, [], "Saisissez un nombre entier."),
        ({"note": "x" * 300}, [], "au plus 255 caractères"),
        ({}, [{**WOMEN_QPV_PLIE, "label": ""}], "Donnez un intitulé à ce public spécifique."),
        ({}, [{"label": "Tout le monde"}], "doit préciser au moins un critère"),
        ({}, [{**WOMEN_QPV_PLIE, "min_age": "40", "max_age": "30"}], "L'âge maximum doit être"),
        ({}, [{**WOMEN_QPV_PLIE, "label": "x" * 250}], "au plus 200 caractères"),
        (
            {},
            [{**WOMEN_QPV_PLIE, "prescriber_type": "boulangerie"}],
            "Sélectionnez un choix valide",
        ),
        ({"publics-TOTAL_FORMS": "5"}, [WOMEN_QPV_PLIE] * 5, "au plus 3 formulaires"),
    ],
)
def test_bad_rules_input_is_refused(world, changes, publics, message):
    before = _counts()
    response = world.client_for("director").post(
        url("intake:rules_create"), rules_data(publics, **changes)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_a_version_cannot_apply_before_the_latest_one(world):
    client = world.client_for("director")
    client.post(url("intake:rules_create"), rules_data())
    before = _counts()
    response = client.post(url("intake:rules_create"), rules_data(valid_from="2010-01-01"))
    assert response.status_code == 400
    assert "ne peut pas s'appliquer avant la dernière version" in page_text(response)
    assert _counts() == before


def test_rules_access(world):
    assert world.client_for("referent").get(url("intake:rules")).status_code == 200
    for who, status in (("intake", 403), ("referent", 403), ("prescriber", 403), ("outsider", 404)):
        before = _counts()
        response = world.client_for(who).post(url("intake:rules_create"), rules_data())
        assert response.status_code == status, who
        assert _counts() == before
    assert world.client_for("prescriber").get(url("intake:rules")).status_code == 403
    assert world.client_for("funder").get(url("intake:rules")).status_code == 403
    assert world.client_for("outsider").get(url("intake:rules")).status_code == 404


def test_rules_list_queries_do_not_grow(world, django_assert_max_num_queries):
    client = world.client_for("director")
    for n in range(6):
        client.post(
            url("intake:rules_create"),
            rules_data([{**WOMEN_QPV_PLIE, "label": f"Public {n}"}]),
        )
    with django_assert_max_num_queries(12):
        response = client.get(url("intake:rules"))
    assert "Public 5" in page_text(response)
