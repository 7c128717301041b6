"""``parcours report``: the key figures of a school and the network's, in JSON (the keys the
issue lists, values from the world's records) and in XLSX; French errors; a constant number
of queries whatever the number of trainees."""

from __future__ import annotations

import datetime
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.pathways.models import PLIE, EnrolmentFundingLine, FundingLine

from ..factories import (
    EnrolmentFactory,
    EntrySituationFactory,
    FundingAgreementFactory,
    NetworkFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

#: The keys of ``parcours report key-figures --format json`` named by the issue.
ISSUE_KEYS = {
    "trainees",
    "under_26_pct",
    "women_pct",
    "minors_pct",
    "qpv_pct",
    "no_diploma_pct",
    "plie",
    "exits",
    "successful_exits",
    "success_rate_pct",
    "by_definition",
    "staff",
    "rooms",
    "computer_rooms",
    "surface_m2",
    "funding",
}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def report_json(*args: str) -> dict:
    return json.loads(run(*args, "--format", "json"))


def add_trainee(world, *, school=None, site=None, plie=False, gender="M", born=(1990, 3, 1)):
    """A trainee entering on 03/06/2024 (aged 34 if born in 1990), man by default."""
    school = school or world.school
    person = PersonFactory(
        school=school, last_name="Confidentiel", gender=gender, birth_date=datetime.date(*born)
    )
    enrolment = EnrolmentFactory(
        school=school,
        person=person,
        site=site or world.site,
        entry_date=datetime.date(2024, 6, 3),
    )
    EntrySituationFactory(enrolment=enrolment, school=school, diploma_level="4")
    if plie:
        EnrolmentFundingLine.objects.create(
            school=school, enrolment=enrolment, funding_line=FundingLine.objects.get(code=PLIE)
        )
    return enrolment


def test_key_figures_json_has_the_issue_keys_and_the_world_values(world):
    add_trainee(world, plie=True)
    FundingAgreementFactory(
        school=world.school,
        funder=world.funder_partner,
        year=2024,
        amount_eur=12500,
        purpose="Politique de la ville",
    )
    data = report_json("key-figures", "--school", "e2c-alpha", "--year", "2024")
    assert set(data) >= ISSUE_KEYS
    # The world: Léa (pathways, entered 05/02/2024) and Noé (outcomes, exited 29/03/2024),
    # both women born 17/05/2000, plus the man of 34 added here under the PLIE.
    assert data["trainees"] == 3
    assert data["under_26_pct"] == 66.7
    assert data["women_pct"] == 66.7
    assert data["minors_pct"] == 0
    assert data["qpv_pct"] == 0
    assert data["plie"] == 1
    assert data["exits"] == 1
    # The school's headline for 2024 is its own « Emploi durable » (CDI only): the CDD isn't.
    assert data["headline_definition"] == "Emploi durable (école)"
    assert data["successful_exits"] == 0
    assert data["success_rate_pct"] == 0
    rows = {row["definition"]: row for row in data["by_definition"]}
    for row in data["by_definition"]:
        assert {"definition", "exits", "successful_exits", "success_rate_pct"} <= set(row)
    assert rows["Sortie positive — réseau (> 3 mois)"]["successful_exits"] == 1
    assert rows["Sortie positive — réseau (> 3 mois)"]["success_rate_pct"] == 100
    assert data["staff"] == 5  # director, intake, referent, company relations + the referent's
    assert data["rooms"] == 2
    assert data["computer_rooms"] == 1
    assert data["surface_m2"] == 450
    assert data["funding"] == [
        {
            "funder": "Métropole Alpha",
            "year": 2024,
            "purpose": "Politique de la ville",
            "amount_eur": 12500,
            "partner_since": 2018,  # the world's first agreement
        }
    ]


def test_key_figures_json_is_utf8_and_indented(world):
    text = run("key-figures", "--school", "e2c-alpha", "--year", "2024")  # json by default
    assert "Sortie réussie — E2C Puy-de-Dôme (2018)" in text  # not \u escapes
    assert text.startswith('{\n  "school": "E2C Alpha"')


def test_key_figures_for_dates_and_a_site(world):
    data = report_json(
        "key-figures",
        "--school",
        "e2c-alpha",
        "--from",
        "2024-03-30",
        "--to",
        "31/12/2024",
        "--site",
        str(world.site.pk),
    )
    assert data["period"] == {"start": "2024-03-30", "end": "2024-12-31"}
    assert data["trainees"] == 1  # Noé left on 29/03
    assert data["exits"] == 0


def test_key_figures_queries_do_not_grow_with_trainees(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            run("key-figures", "--school", "e2c-alpha", "--year", "2024")
        return len(queries)

    before = count()
    for n in range(6):
        add_trainee(world, plie=n % 2 == 0)
    assert count() == before


def test_key_figures_xlsx(world, tmp_path):
    target = tmp_path / "chiffres.xlsx"
    out = run(
        "key-figures", "--school", "e2c-alpha", "--year", "2024", "--format", "xlsx",
        "--output", str(target),
    )  # fmt: skip
    assert out == ""
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[0] == "Chiffres clés"
    sheet = book["Chiffres clés"]
    assert sheet["A1"].value == "E2C Alpha — 2024"
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["Stagiaires accueilli·es"] == 2
    assert values["Surface (m²)"] == 450


def test_network_json(world):
    add_trainee(world, school=world.other_school, site=world.other_site)
    data = report_json("network", "--year", "2024")
    assert data["network"] == world.school.network.name
    assert data["schools"] == 2
    assert data["sites"] == 2
    assert data["trainees"] == 2 + 3
    assert data["exits"] == 2
    assert data["rooms"] == 2 + 1
    assert data["surface_m2"] == 450 + 300
    assert data["women_pct"] == 80.0
    names = {row["definition"] for row in data["by_definition"]}
    assert "Sortie positive — réseau (> 3 mois)" in names
    assert "Emploi durable (école)" not in names  # a school's own definition


def test_network_xlsx_suppresses_small_cells(world, tmp_path):
    target = tmp_path / "reseau.xlsx"
    run("network", "--year", "2024", "--format", "xlsx", "--output", str(target))
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:2] == ["Écoles", "Totaux du réseau"]
    assert "réseau (> 3 mois)" in book.sheetnames  # a sheet per network definition
    assert book["réseau (> 3 mois)"]["A1"].value == "Sortie positive — réseau (> 3 mois)"
    sheet = book["Écoles"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert rows["E2C Alpha"][1] == "< 5"  # two trainees
    assert rows["E2C Alpha"][2] == "s"  # their share is hidden too
    assert rows["Total du réseau"][1] == "< 5"  # four in the whole network


def test_network_needs_a_choice_when_several(world):
    NetworkFactory(slug="autre-reseau", name="Autre réseau")
    with pytest.raises(CommandError, match="Plusieurs réseaux"):
        run("network", "--year", "2024")
    data = report_json("network", "--year", "2024", "--network", world.school.network.slug)
    assert data["schools"] == 2
    with pytest.raises(CommandError, match="Réseau inconnu"):
        run("network", "--year", "2024", "--network", "nulle-part")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("key-figures", "--school", "inconnue", "--year", "2024"), "École inconnue"),
        (("key-figures", "--school", "e2c-alpha", "--year", "1999"), "Année invalide"),
        (("key-figures", "--school", "e2c-alpha", "--year", "deux"), "Année invalide"),
        (("key-figures", "--school", "e2c-alpha"), "Indiquez l'année"),
        (
            ("key-figures", "--school", "e2c-alpha", "--year", "2024", "--from", "2024-01-01"),
            "soit --year",
        ),
        (("key-figures", "--school", "e2c-alpha", "--from", "2024-01-01"), "--from et --to"),
        (
            ("key-figures", "--school", "e2c-alpha", "--from", "2024-05-01", "--to", "2024-04-01"),
            "précède",
        ),
        (
            ("key-figures", "--school", "e2c-alpha", "--from", "hier", "--to", "2024-04-01"),
            "Date invalide",
        ),
        (("key-figures", "--school", "e2c-alpha", "--year", "2024", "--site", "x"), "Site inconnu"),
        (("key-figures", "--school", "e2c-alpha", "--year", "2024", "--site", "²"), "Site inconnu"),
        (
            ("key-figures", "--school", "e2c-alpha", "--from", "2018-01-01", "--to", "9999-12-31"),
            "les dates vont de 2000 à 2100",
        ),
        (("key-figures", "--school", "e2c-alpha", "--year", "2024", "--format", "pdf"), "Format"),
        (
            ("key-figures", "--school", "e2c-alpha", "--year", "2024", "--format", "xlsx"),
            "--output",
        ),
        (("network", "--year", "3000"), "Année invalide"),
        (("network",), "Indiquez l'année"),
    ],
)
def test_errors_are_french(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_site_of_another_school_is_unknown(world):
    with pytest.raises(CommandError, match="Site inconnu"):
        run(
            "key-figures",
            "--school",
            "e2c-alpha",
            "--year",
            "2024",
            "--site",
            str(world.other_site.pk),
        )


def test_xlsx_is_not_written_to_a_terminal(world, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(CommandError, match="terminal"):
        call_command(
            "report", "key-figures", "--school", "e2c-alpha", "--year", "2024",
            "--format", "xlsx", "--output", "-", stdout=Terminal(),
        )  # fmt: skip
