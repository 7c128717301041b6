"""Helpers for the import tests: a small school with two sites, rows and files built from
dicts, and the counts that must not move when a file is refused."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import pytest

from parcours.audit.models import AuditEvent
from parcours.imports.columns import NAMES
from parcours.intake.models import Referral
from parcours.organisations.models import Membership, Partner, Role, School, Site
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment, EnrolmentPhase, EntrySituation
from parcours.people.models import Person
from tests.factories import MembershipFactory, NetworkFactory, SchoolFactory, SiteFactory

#: A valid row: a trainee who entered in 2021 and left for a CDI in 2022.
BASE: dict[str, str] = {
    "nom": "Martin",
    "prenom": "Léa",
    "date_naissance": "14/03/2003",
    "sexe": "F",
    "email": "lea.martin@example.org",
    "telephone": "06 12 34 56 78",
    "code_postal": "63000",
    "commune": "Clermont-Ferrand",
    "code_qpv": "",
    "niveau_diplome": "aucun",
    "prescripteur_type": "mission_locale",
    "prescripteur": "Mission Locale Test",
    "plie": "non",
    "site": "Site Alpha",
    "date_entree": "06/09/2021",
    "date_sortie": "18/03/2022",
    "sortie_type": "cdi",
    "sortie_duree_mois": "",
}


def row(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def person(n: int, **changes: Any) -> dict[str, Any]:
    """A valid row for the n-th distinct person."""
    return row(nom=f"Personne{n}", prenom="Test", email=f"p{n}@example.org", **changes)


def csv_bytes(
    rows: list[dict[str, Any]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> bytes:
    header = list(header or NAMES)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(name, "") for name in header])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    import openpyxl

    header = list(header or NAMES)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append([values.get(name) for name in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


COUNTED = (Person, Referral, Enrolment, EntrySituation, EnrolmentPhase, Exit, Partner, AuditEvent)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@dataclass
class Setup:
    school: School
    site: Site
    north: Site
    director: Membership
    other_school: School


@pytest.fixture
def setup(db) -> Setup:
    network = NetworkFactory()
    school = SchoolFactory(network=network, slug="e2c-import", name="E2C Import")
    site = SiteFactory(school=school, name="Site Alpha")
    north = SiteFactory(school=school, name="Site Nord")
    director = MembershipFactory(school=school, network=network, role=Role.DIRECTOR)
    other = SchoolFactory(network=network, slug="e2c-autre", name="E2C Autre")
    SiteFactory(school=other, name="Site Alpha")
    return Setup(school, site, north, director, other)
