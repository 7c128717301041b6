"""XLSX/CSV exports of the staff, partners and funding lists: same rows as the lists, audited;
a funder exports only its own agreements and never the free-text "other targets"."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from parcours.organisations import selectors
from parcours.pathways import exports

from ..export_checks import (
    all_text,
    csv_rows,
    events,
    midnight,
    query_count,
    url,
    xlsx_rows,
    xlsx_sheet,
)
from ..factories import FundingAgreementFactory, MembershipFactory, PartnerFactory, UserFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db


def _url(name: str, **params) -> str:
    return url(f"organisations:{name}", **params)


# ------------------------------------------------------------------------------------ staff


def test_staff_export_has_the_list_columns_and_every_member(world):
    user = UserFactory(first_name="Awa", last_name="Diallo")
    MembershipFactory(
        user=user,
        school=world.school,
        role="intake",
        job_title="Chargée d'accueil",
        active_from=datetime.date(2021, 9, 1),
    )
    # A partner account and a member who left are not on the staff list: not exported either.
    MembershipFactory(school=world.school, role="referent", active_until=datetime.date(2022, 1, 1))
    response = world.client_for("referent").get(_url("staff_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[exports.Format.XLSX]
    assert "equipe-e2c-alpha-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == ["Nom", "Prénom", "Rôle", "Fonction", "Depuis le"]
    assert ("Diallo", "Awa", "Chargé·e d'accueil", "Chargée d'accueil", midnight(
        datetime.date(2021, 9, 1)
    )) in rows  # fmt: skip
    names = [row[0] for row in rows[1:]]
    expected = [m.user.last_name for m in selectors.staff_for(world.members["director"])]
    assert names == expected  # the list's order: direction first
    assert world.members["prescriber"].user.last_name not in names
    assert world.members["funder"].user.last_name not in names
    event = events("export.staff")[-1]
    assert event.changes == {"rows": len(expected), "format": "xlsx", "filters": {}}
    assert event.actor == world.members["referent"].user


def test_staff_export_dates_are_date_cells(world):
    sheet = xlsx_sheet(world.client_for("director").get(_url("staff_export")))
    cell = sheet.cell(row=2, column=5)
    assert cell.is_date and cell.number_format == "DD/MM/YYYY"


def test_staff_csv_export(world):
    rows = csv_rows(world.client_for("director").get(_url("staff_export", format="csv")))
    director = world.members["director"]
    assert rows[1] == [
        director.user.last_name,
        director.user.first_name,
        "Direction",
        director.job_title,
        director.active_from.strftime("%d/%m/%Y"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("company_relations", 200), ("prescriber", 403), ("funder", 403), ("outsider", 404)],
)
def test_staff_export_access(world, who, status):
    assert world.client_for(who).get(_url("staff_export")).status_code == status
    assert len(events("export.staff")) == (1 if status == 200 else 0)


def test_staff_export_query_count_is_constant(world):
    client = world.client_for("director")
    few = query_count(client, _url("staff_export"))
    for _ in range(20):
        MembershipFactory(school=world.school, role="referent")
    assert query_count(client, _url("staff_export")) == few


# --------------------------------------------------------------------------------- partners


def test_partner_export_has_every_partner_and_no_contact_detail(world):
    PartnerFactory(
        school=world.school,
        name="Conseil départemental",
        prescriber_type="departement",
        is_funder=True,
        funder_type="departement",
        commune="Clermont-Ferrand",
        email="contact@cd.example.org",
        phone="0473000000",
        address="1 rue de la Paix",
    )
    response = world.client_for("intake").get(_url("partners_export"))
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert list(rows[0]) == ["Nom", "Type de prescripteur", "Type de financeur", "Commune"]
    # In the list's order (by name; accents sort as the database's collation says).
    assert [row[0] for row in rows[1:]] == [
        p.name for p in selectors.partners_for(world.members["director"])
    ]
    assert sorted(rows[1:]) == [
        ("Conseil départemental", "Département (services sociaux)", "Département",
         "Clermont-Ferrand"),
        ("Mission Locale Alpha", "Mission Locale", None, None),
        ("Métropole Alpha", None, "Collectivité locale (métropole, commune…)", None),
    ]  # fmt: skip
    text = all_text(response)
    assert "contact@cd.example.org" not in text and "rue de la Paix" not in text
    assert "Mission Locale Beta" not in text  # another school's partner
    assert events("export.partners")[-1].changes["rows"] == 3


def test_partner_export_has_every_page(world):
    for i in range(60):
        PartnerFactory(school=world.school, name=f"Partenaire {i:03d}")
    rows = xlsx_rows(world.client_for("director").get(_url("partners_export")))
    assert len(rows) == 1 + 62


def test_partner_names_cannot_run_as_formulas(world):
    PartnerFactory(school=world.school, name='=HYPERLINK("http://example.org")')
    client = world.client_for("director")
    rows = xlsx_rows(client.get(_url("partners_export")))
    assert rows[1][0] == '\'=HYPERLINK("http://example.org")'
    rows = csv_rows(client.get(_url("partners_export", format="csv")))
    assert rows[1][0] == '\'=HYPERLINK("http://example.org")'


@pytest.mark.parametrize(
    ("who", "status"),
    [("referent", 200), ("prescriber", 403), ("funder", 403), ("outsider", 404)],
)
def test_partner_export_access(world, who, status):
    assert world.client_for(who).get(_url("partners_export")).status_code == status
    assert len(events("export.partners")) == (1 if status == 200 else 0)


def test_partner_export_query_count_is_constant(world):
    client = world.client_for("director")
    few = query_count(client, _url("partners_export"))
    for _ in range(20):
        PartnerFactory(school=world.school)
    assert query_count(client, _url("partners_export")) == few


# ---------------------------------------------------------------------------------- funding


@pytest.fixture
def agreements(world):
    """Two agreements of the world's funder, one of another funder of the school; free text in
    "other targets" (never exported)."""
    world.funding.targets = "OBJECTIF-INTERNE-SECRET"
    world.funding.save()
    FundingAgreementFactory(
        school=world.school,
        funder=world.funder_partner,
        year=2024,
        amount_eur=Decimal("120000.50"),
        purpose="Fonctionnement",
        target_trainees=80,
    )
    other = PartnerFactory(school=world.school, funder=True, name="Région Alpha")
    FundingAgreementFactory(school=world.school, funder=other, year=2024, purpose="Parcours")
    return world


HEADERS = ["Année", "Financeur", "Objet", "Montant (€)", "Objectif (stagiaires)"]


def test_director_exports_every_agreement_of_the_school(agreements):
    response = agreements.client_for("director").get(_url("funding_export"))
    rows = xlsx_rows(response)
    assert list(rows[0]) == HEADERS
    assert rows[1:] == [
        (2024, "Métropole Alpha", "Fonctionnement", 120000.5, 80),
        (2024, "Région Alpha", "Parcours", 50000, None),
        (2018, "Métropole Alpha", "Politique de la ville", 50000, None),
    ]
    assert events("export.funding")[-1].changes["rows"] == 3


def test_a_funder_exports_only_its_own_agreements_and_no_free_text(agreements):
    response = agreements.client_for("funder").get(_url("funding_export"))
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert [row[1] for row in rows[1:]] == ["Métropole Alpha", "Métropole Alpha"]
    text = all_text(response)
    assert "Région Alpha" not in text
    assert "OBJECTIF-INTERNE-SECRET" not in text
    event = events("export.funding")[-1]
    assert event.actor == agreements.members["funder"].user and event.changes["rows"] == 2


def test_funding_csv_amounts_use_a_decimal_comma(agreements):
    rows = csv_rows(agreements.client_for("director").get(_url("funding_export", format="csv")))
    assert rows[1] == ["2024", "Métropole Alpha", "Fonctionnement", "120000,50", "80"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("funder", 200), ("intake", 403), ("prescriber", 403), ("outsider", 404)],
)
def test_funding_export_access(world, who, status):
    assert world.client_for(who).get(_url("funding_export")).status_code == status
    assert len(events("export.funding")) == (1 if status == 200 else 0)


def test_funding_export_query_count_is_constant(world):
    client = world.client_for("director")
    few = query_count(client, _url("funding_export"))
    for year in range(2000, 2020):
        FundingAgreementFactory(school=world.school, year=year, purpose=f"Objet {year}")
    assert query_count(client, _url("funding_export")) == few


# ------------------------------------------------------------------------ refusals, buttons


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("staff_export", "export.staff"),
        ("partners_export", "export.partners"),
        ("funding_export", "export.funding"),
    ],
)
def test_unknown_format_shows_the_list_with_a_message_and_exports_nothing(world, name, action):
    response = world.client_for("director").get(_url(name, format="pdf"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Format d'export inconnu : choisissez XLSX ou CSV." in page_text(response)
    assert events(action) == []


@pytest.mark.parametrize(
    ("page", "export"),
    [("staff", "staff_export"), ("partners", "partners_export"), ("funding", "funding_export")],
)
def test_lists_link_to_their_exports(world, page, export):
    text = world.client_for("director").get(_url(page)).content.decode()
    assert f'href="{_url(export)}?format=xlsx"' in text
    assert f'href="{_url(export)}?format=csv"' in text


def test_audit_events_name_nobody(world):
    world.client_for("director").get(_url("staff_export"))
    event = events("export.staff")[-1]
    dumped = json.dumps(event.changes) + event.object_repr + event.object_id
    assert world.members["referent"].user.last_name not in dumped
