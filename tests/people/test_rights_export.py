"""« Droits des personnes »: the requests list's filters and its XLSX/CSV export (direction
only, the list's filters, every page, audited without names)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.pathways import exports
from parcours.people.models import SubjectRequest

from ..export_checks import csv_rows, events, query_count, url, xlsx_rows, xlsx_sheet
from ..factories import PersonFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db

HEADERS = [
    "Nom",
    "Prénom",
    "Demande",
    "Reçue par",
    "Reçue le",
    "Réponse due le",
    "En retard",
    "Suite donnée",
    "Répondue le",
    "Réponse",
]


def _url(name: str, **params) -> str:
    return url(f"people:{name}", **params)


def _events() -> list[AuditEvent]:
    return events("export.subject_requests")


def _request(world, person, **fields) -> SubjectRequest:
    return SubjectRequest.objects.create(
        school=world.school,
        person=person,
        recorded_by=world.members["director"].user,
        **{"kind": "access", "channel": "email", **fields},
    )


@pytest.fixture
def requests(world):
    """The world's open, overdue access request (10/03/2024), an answered erasure, an open
    rectification not yet due."""
    today = timezone.localdate()
    answered = _request(
        world,
        PersonFactory(school=world.school, last_name="Effacée", first_name="Jade"),
        kind="erasure",
        channel="letter",
        received_on=datetime.date(2024, 6, 3),
        answered_on=datetime.date(2024, 6, 20),
        outcome="partial",
        answer="Données de présence conservées (obligation légale).",
    )
    pending = _request(
        world,
        PersonFactory(school=world.school, last_name="Récente", first_name="Zoé"),
        kind="rectification",
        received_on=today,
    )
    return {"answered": answered, "pending": pending, "today": today}


def test_export_has_every_request_with_its_columns(world, requests):
    response = world.client_for("director").get(_url("rights_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[exports.Format.XLSX]
    assert "demandes-rgpd-e2c-alpha-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == HEADERS
    today = requests["today"]
    due = SubjectRequest.objects.get(pk=requests["pending"].pk).due_on

    def dt(day):
        return datetime.datetime(day.year, day.month, day.day)

    # The list's order: open requests first (earliest due first), then the answered ones.
    assert rows[1:] == [
        ("Stagiairee2c-alpha", "Léa", "Accès", "Courrier", dt(datetime.date(2024, 3, 10)),
         dt(datetime.date(2024, 4, 10)), "Oui", None, None, None),
        ("Récente", "Zoé", "Rectification", "E-mail", dt(today), dt(due), "Non", None, None,
         None),
        ("Effacée", "Jade", "Effacement", "Courrier", dt(datetime.date(2024, 6, 3)),
         dt(datetime.date(2024, 7, 3)), "Non", "Partiellement accordée",
         dt(datetime.date(2024, 6, 20)), "Données de présence conservées (obligation légale)."),
    ]  # fmt: skip
    # Never another school's requests, nor the request's details (not on the list).
    text = " ".join(str(cell) for row in rows for cell in row if cell)
    assert "Demande une copie de son dossier." not in text
    assert "Stagiairee2c-beta" not in text
    event = _events()[-1]
    assert event.changes == {"rows": 3, "format": "xlsx", "filters": {}}
    dumped = json.dumps(event.changes) + event.object_repr + event.object_id
    assert "Effacée" not in dumped and "Stagiaire" not in dumped


def test_export_dates_are_date_cells(world, requests):
    sheet = xlsx_sheet(world.client_for("director").get(_url("rights_export")))
    for column in (5, 6):
        cell = sheet.cell(row=2, column=column)
        assert cell.is_date and cell.number_format == "DD/MM/YYYY"


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"state": "open"}, ["Stagiairee2c-alpha", "Récente"]),
        ({"state": "overdue"}, ["Stagiairee2c-alpha"]),
        ({"state": "answered"}, ["Effacée"]),
        ({"kind": "erasure"}, ["Effacée"]),
        ({"state": "open", "kind": "access"}, ["Stagiairee2c-alpha"]),
    ],
)
def test_export_and_list_follow_the_filters(world, requests, filters, names):
    client = world.client_for("director")
    rows = csv_rows(client.get(_url("rights_export", format="csv", **filters)))
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == names
    assert _events()[-1].changes["filters"] == filters
    listing = page_text(client.get(_url("rights", **filters))).lower()
    for name in ("Stagiairee2c-alpha", "Récente", "Effacée"):
        assert (name.lower() in listing) == (name in names)


def test_csv_export_writes_french_dates(world, requests):
    rows = csv_rows(world.client_for("director").get(_url("rights_export", format="csv")))
    assert rows[1][4:7] == ["10/03/2024", "10/04/2024", "Oui"]


def test_bad_filters_are_refused_and_nothing_is_exported(world, requests):
    response = world.client_for("director").get(_url("rights_export", state="perdu"))
    assert response.status_code == 400
    text = page_text(response)
    assert "État inconnu : choisissez en cours, en retard ou répondues." in text
    assert "Corrigez les filtres avant d'exporter : rien n'a été exporté." in text
    assert _events() == []
    # The list itself says so too, and shows the requests unfiltered.
    listing = world.client_for("director").get(_url("rights", kind="nimporte"))
    assert listing.status_code == 400
    assert "Ce type de demande n'existe pas." in page_text(listing)


def test_unknown_format_is_refused(world):
    response = world.client_for("director").get(_url("rights_export", format="json"))
    assert response.status_code == 400
    assert "Format d'export inconnu : choisissez XLSX ou CSV." in page_text(response)
    assert _events() == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("intake", 403), ("referent", 403), ("funder", 403), ("outsider", 404)],
)
def test_export_access(world, who, status):
    assert world.client_for(who).get(_url("rights_export")).status_code == status
    assert len(_events()) == (1 if status == 200 else 0)


def test_export_has_every_page(world):
    for i in range(55):
        _request(
            world,
            PersonFactory(school=world.school),
            received_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
        )
    rows = xlsx_rows(world.client_for("director").get(_url("rights_export")))
    assert len(rows) == 1 + 56


def test_export_query_count_is_constant(world):
    client = world.client_for("director")
    for _ in range(2):
        _request(world, PersonFactory(school=world.school), received_on=datetime.date(2024, 5, 1))
    few = query_count(client, _url("rights_export"))
    for _ in range(20):
        _request(world, PersonFactory(school=world.school), received_on=datetime.date(2024, 5, 1))
    assert query_count(client, _url("rights_export")) == few


def test_answers_cannot_run_as_formulas(world, requests):
    requests["answered"].answer = '=HYPERLINK("http://example.org")'
    requests["answered"].save()
    rows = xlsx_rows(world.client_for("director").get(_url("rights_export", state="answered")))
    assert rows[1][9] == '\'=HYPERLINK("http://example.org")'


def test_the_page_links_to_the_export_with_its_filters(world):
    text = world.client_for("director").get(_url("rights", state="open")).content.decode()
    export = _url("rights_export")
    assert f'href="{export}?state=open&amp;format=xlsx"' in text
    assert f'href="{export}?state=open&amp;format=csv"' in text
