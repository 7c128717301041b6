"""Partners (prescribers, funders) and funding agreements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.organisations.models import FundingAgreement, Partner

from ..factories import FundingAgreementFactory, PartnerFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db


def _counts():
    return Partner.objects.count(), FundingAgreement.objects.count(), AuditEvent.objects.count()


def test_director_adds_a_partner_that_is_both_prescriber_and_funder(world):
    client = world.client_for("director")
    response = client.post(
        reverse("organisations:partner_create", args=["e2c-alpha"]),
        {
            "name": "Conseil départemental",
            "is_prescriber": "on",
            "prescriber_type": "departement",
            "is_funder": "on",
            "funder_type": "departement",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="Conseil départemental")
    assert partner.is_prescriber and partner.is_funder and partner.school == world.school
    assert AuditEvent.objects.filter(action="partner.create", object_id=str(partner.pk)).exists()
    listing = page_text(client.get(reverse("organisations:partners", args=["e2c-alpha"])))
    assert "Département (services sociaux) · Département" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Sans rôle"}, "cochez au moins un rôle"),
        ({"name": "ML", "is_prescriber": "on"}, "Précisez le type de prescripteur."),
        ({"name": "Fonds", "is_funder": "on"}, "Précisez le type de financeur."),
        (
            {"name": "mission locale alpha", "is_prescriber": "on", "prescriber_type": "plie"},
            "Un partenaire de ce nom existe déjà.",
        ),
        (
            {"name": "ML", "is_prescriber": "on", "prescriber_type": "x", "email": "faux"},
            "Saisissez une adresse de courriel valide.",
        ),
    ],
)
def test_bad_partner_input_is_refused(world, data, message):
    before = _counts()
    response = world.client_for("director").post(
        reverse("organisations:partner_create", args=["e2c-alpha"]), data
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_director_records_a_funding_agreement(world):
    client = world.client_for("director")
    response = client.post(
        reverse("organisations:funding_create", args=["e2c-alpha"]),
        {
            "funder": world.funder_partner.pk,
            "year": "2019",
            "amount_eur": "52000",
            "purpose": "Politique de la ville",
        },
    )
    assert response.status_code == 302
    agreement = FundingAgreement.objects.get(year=2019)
    assert agreement.amount_eur == 52000
    listing = page_text(client.get(reverse("organisations:funding", args=["e2c-alpha"])))
    assert "52 000 €" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_eur": "-1"}, "Le montant ne peut pas être négatif."),
        ({"year": "1999"}, "L'année doit être 2000 ou après."),
        ({"year": "2200"}, "L'année doit être 2100 ou avant."),
        (
            {"year": "2018"},
            "Une convention de ce financeur pour cet objet existe déjà cette année.",
        ),
        ({"funder": "prescriber"}, "Sélectionnez un choix valide."),
        ({"funder": "other"}, "Sélectionnez un choix valide."),
        ({"amount_eur": "cinquante mille"}, "Saisissez un nombre."),
    ],
)
def test_bad_funding_input_is_refused(world, changes, message):
    data = {
        "funder": world.funder_partner.pk,
        "year": "2020",
        "amount_eur": "50000",
        "purpose": "Politique de la ville",
        **changes,
    }
    if data["funder"] == "prescriber":
        data["funder"] = world.prescriber_partner.pk  # not a funder
    if data["funder"] == "other":
        data["funder"] = world.other_funding.funder_id  # another school's funder
    before = _counts()
    response = world.client_for("director").post(
        reverse("organisations:funding_create", args=["e2c-alpha"]), data
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_funder_sees_only_its_own_agreements(world):
    other_funder = PartnerFactory(school=world.school, funder=True, name="Région Alpha")
    FundingAgreementFactory(school=world.school, funder=other_funder, amount_eur=300000)
    text = page_text(
        world.client_for("funder").get(reverse("organisations:funding", args=["e2c-alpha"]))
    )
    assert "Métropole Alpha" in text
    assert "Région Alpha" not in text
    director_view = page_text(
        world.client_for("director").get(reverse("organisations:funding", args=["e2c-alpha"]))
    )
    assert "Région Alpha" in director_view


def test_partner_list_paginates_with_constant_queries(world, django_assert_max_num_queries):
    for n in range(120):
        PartnerFactory(school=world.school, name=f"Partenaire {n:03d}")
    client = world.client_for("director")
    url = reverse("organisations:partners", args=["e2c-alpha"])
    with django_assert_max_num_queries(12):
        first = client.get(url)
    text = page_text(first)
    assert "Page 1 sur 3" in text
    assert "Partenaire 000" in text and "Partenaire 100" not in text
    assert "Page 3 sur 3" in page_text(client.get(url + "?page=3"))
    assert "Page 3 sur 3" in page_text(client.get(url + "?page=999"))  # out of range: last page
