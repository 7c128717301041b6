"""XLSX and CSV export of the trainee list: same rows as the list, visible columns only, audited."""

from __future__ import annotations

import datetime
import json

import pytest

from parcours.pathways import exports

from ..export_checks import csv_rows, events, midnight, query_count, url, xlsx_rows, xlsx_sheet
from ..factories import MembershipFactory, SiteFactory
from ..utils import page_text
from .test_trainee_list import MARKERS, TODAY, enrol

pytestmark = pytest.mark.django_db

HEADERS = [
    "Nom",
    "Prénom",
    "Site",
    "Référent·e",
    "Date d'entrée",
    "Fin prévue",
    "Phase en cours",
    "Dispositifs",
    "Statut",
    "En retard",
]


def _url(**params) -> str:
    return url("pathways:trainees_export", **params)


def _exports() -> list:
    return events("export.trainees")


@pytest.fixture
def trainees(world):
    north = SiteFactory(school=world.school, name="Site Nord")
    enrol(
        world,
        "Martin",
        first_name="Inès",
        referent=world.members["referent"],
        site=north,
        entry=datetime.date(2024, 1, 8),
        planned_end=datetime.date(2024, 7, 8),
        phase_index=2,
        funding=("plie", "fse_plus"),
    )
    enrol(
        world,
        "Bernard",
        first_name="Yanis",
        entry=TODAY - datetime.timedelta(days=10),
        planned_end=TODAY + datetime.timedelta(days=170),
        phase_index=0,
    )
    enrol(
        world,
        "Sortie",
        entry=datetime.date(2023, 1, 9),
        exited_on=datetime.date(2023, 6, 30),
        phase_index=None,
    )
    return world


def test_xlsx_export_has_the_visible_columns_and_rows(trainees):
    response = trainees.client_for("director").get(_url())
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[exports.Format.XLSX]
    today = TODAY.isoformat()
    assert f'filename="stagiaires-e2c-alpha-{today}.xlsx"' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == HEADERS
    # Empty cells (no referent, no funding line) read back as None.
    referent = trainees.members["referent"].user.get_full_name()
    assert rows[1:] == [
        ("Bernard", "Yanis", "Site Alpha", None, midnight(TODAY - datetime.timedelta(days=10)),
         midnight(TODAY + datetime.timedelta(days=170)), "Intégration et positionnement", None,
         "En parcours", "Non"),
        ("Martin", "Inès", "Site Nord", referent, datetime.datetime(2024, 1, 8),
         datetime.datetime(2024, 7, 8), "Alternance et confirmation du projet", "FSE+, PLIE",
         "En parcours", "Oui"),
        ("Stagiairee2c-alpha", "Léa", "Site Alpha", referent, datetime.datetime(2024, 2, 5),
         datetime.datetime(2024, 8, 5), "Construction du projet professionnel", None,
         "En parcours", "Oui"),
    ]  # fmt: skip


def test_xlsx_dates_are_date_cells_shown_day_month_year(trainees):
    response = trainees.client_for("director").get(_url(q="Martin"))
    sheet = xlsx_sheet(response)
    entry = sheet.cell(row=2, column=5)
    assert entry.is_date
    assert entry.number_format == "DD/MM/YYYY"


def test_csv_export_is_utf8_with_bom_semicolons_and_french_dates(trainees):
    response = trainees.client_for("director").get(_url(format="csv", status="tous"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert sorted(by_name) == [
        "Bernard",
        "Martin",
        "Sortante2c-alpha",
        "Sortie",
        "Stagiairee2c-alpha",
    ]
    martin = by_name["Martin"]
    assert martin[1:] == [
        "Inès",
        "Site Nord",
        trainees.members["referent"].user.get_full_name(),
        "08/01/2024",
        "08/07/2024",
        "Alternance et confirmation du projet",
        "FSE+, PLIE",
        "En parcours",
        "Oui",
    ]
    assert by_name["Sortie"][8:] == ["Sorti·e", "Non"]
    assert by_name["Bernard"][3] == ""  # no referent


def test_export_follows_the_search_filters_and_sort(trainees):
    client = trainees.client_for("director")
    rows = csv_rows(client.get(_url(format="csv", q="martin")))
    assert [row[0] for row in rows[1:]] == ["Martin"]
    rows = csv_rows(client.get(_url(format="csv", tri="-entree")))
    assert [row[0] for row in rows[1:]] == ["Bernard", "Stagiairee2c-alpha", "Martin"]
    rows = csv_rows(client.get(_url(format="csv", overdue="on", funding_line="plie")))
    assert [row[0] for row in rows[1:]] == ["Martin"]
    rows = csv_rows(client.get(_url(format="csv", status="exited")))
    assert sorted(row[0] for row in rows[1:]) == ["Sortante2c-alpha", "Sortie"]


def test_export_of_a_referent_is_their_caseload_unless_they_ask_for_all(trainees):
    client = trainees.client_for("referent")
    rows = csv_rows(client.get(_url(format="csv")))
    assert sorted(row[0] for row in rows[1:]) == ["Martin", "Stagiairee2c-alpha"]
    rows = csv_rows(client.get(_url(format="csv", vue="tous")))
    assert sorted(row[0] for row in rows[1:]) == ["Bernard", "Martin", "Stagiairee2c-alpha"]


def test_export_has_every_page_not_just_the_first(world):
    for i in range(60):
        enrol(world, f"Nombreux{i:03d}")
    rows = xlsx_rows(world.client_for("director").get(_url(q="Nombreux")))
    assert len(rows) == 61
    assert _exports()[-1].changes["rows"] == 60


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("who", ["director", "referent", "intake", "company_relations"])
def test_export_never_holds_restricted_content_nor_contact_details(trainees, who, fmt):
    response = trainees.client_for(who).get(_url(format=fmt, status="tous", vue="tous"))
    assert response.status_code == 200
    if fmt == "csv":
        cells = [cell for row in csv_rows(response) for cell in row]
    else:
        cells = [str(cell) for row in xlsx_rows(response) for cell in row if cell is not None]
    content = "\n".join(cells)
    assert "Stagiairee2c-alpha" in content
    for marker in MARKERS:
        assert marker not in content
    person = trainees.objects["enrolment"].person
    assert person.email not in content
    assert "Santé" not in content
    # Nor any item of the situation at entry (postcode, commune...).
    assert "Clermont-Ferrand" not in content and "63000" not in content


def test_each_export_is_audited_without_names(trainees):
    client = trainees.client_for("director")
    client.get(_url(format="csv", q="Martin", funding_line="plie", tri="fin"))
    client.get(_url())
    first, second = _exports()
    assert first.actor == trainees.members["director"].user
    assert first.school == trainees.school
    assert first.changes["rows"] == 1
    assert first.changes["format"] == "csv"
    assert first.changes["filters"] == {
        "status": "active",
        "mine": False,
        "search": True,
        "funding_line": "plie",
        "sort": "fin",
    }
    assert second.changes["rows"] == 3 and second.changes["format"] == "xlsx"
    for event in (first, second):
        dumped = json.dumps(event.changes) + event.object_repr + event.object_id
        for name in ("Martin", "Inès", "Bernard", "Stagiaire"):
            assert name not in dumped


def test_unknown_format_is_refused_in_french_and_writes_nothing(trainees):
    response = trainees.client_for("director").get(_url(format="pdf"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert _exports() == []


def test_bad_filters_are_refused_and_nothing_is_exported(trainees):
    response = trainees.client_for("director").get(_url(format="csv", site="abc"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Ce site n'est pas un site de l'école." in text
    assert "rien n'a été exporté" in text
    assert _exports() == []


def test_unknown_sort_falls_back_to_the_default(trainees):
    response = trainees.client_for("director").get(_url(format="csv", tri="nimporte"))
    assert response.status_code == 200
    assert [row[0] for row in csv_rows(response)[1:]] == ["Bernard", "Martin", "Stagiairee2c-alpha"]


def test_formulas_are_neutralised(world):
    enrol(world, '=HYPERLINK("http://example.org")', first_name="+33")
    for fmt in ("csv", "xlsx"):
        response = world.client_for("director").get(_url(format=fmt, q="HYPERLINK"))
        rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
        assert rows[1][0] == '\'=HYPERLINK("http://example.org")'
        assert rows[1][1] == "'+33"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("company_relations", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_export_access(world, who, status):
    assert world.client_for(who).get(_url()).status_code == status
    assert len(_exports()) == (1 if status == 200 else 0)


def test_export_query_count_does_not_grow_with_the_rows(world):
    client = world.client_for("director")
    colleague = MembershipFactory(school=world.school, role="referent")

    def count() -> int:
        return query_count(client, _url(format="csv"))

    for i in range(5):
        enrol(world, f"Peu{i}", referent=colleague, funding=("plie",))
    few = count()
    for i in range(60):
        enrol(world, f"Beaucoup{i}", referent=colleague, funding=("plie", "cej"))
    assert count() == few
