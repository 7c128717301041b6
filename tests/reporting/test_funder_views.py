"""The funder reports page and downloads: access, period, audit, workbook, queries."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from parcours.audit.models import AuditEvent
from parcours.pathways.models import FSE_PLUS, PLIE
from parcours.reporting import funders

from ..utils import page_text
from .test_funders import _populate, leave, trainee

pytestmark = pytest.mark.django_db

EXPORT_ACTION = "export.funder_report"


def page_url(world, **params) -> str:
    url = reverse("reporting:funder_reports", kwargs={"school_slug": world.school.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def report_url(world, kind, **params) -> str:
    url = reverse(
        "reporting:funder_report", kwargs={"school_slug": world.school.slug, "kind": kind}
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def exports() -> int:
    return AuditEvent.objects.filter(action=EXPORT_ACTION).count()


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("referent", 403),
        ("intake", 403),
        ("company_relations", 403),
        ("funder", 403),
        ("prescriber", 403),
        ("outsider", 404),
    ],
)
def test_page_and_download_access(world, who, status):
    client = world.client_for(who)
    assert client.get(page_url(world)).status_code == status
    assert client.get(report_url(world, funders.PLIE_REPORT, annee=2019)).status_code == status
    assert exports() == (1 if status == 200 else 0)


def test_anonymous_is_sent_to_the_login_page(world):
    client = world.client_for("anonymous")
    for url in (page_url(world), report_url(world, funders.FSE_REPORT)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert exports() == 0


def test_an_unknown_report_is_404(world):
    client = world.client_for("director")
    url = f"/e/{world.school.slug}/rapports-financeurs/inconnu/xlsx/"
    assert client.get(url).status_code == 404
    assert exports() == 0


def test_the_urls_name_each_report():
    assert reverse("reporting:funder_report", kwargs={"school_slug": "x", "kind": "plie"}) == (
        "/e/x/rapports-financeurs/plie/xlsx/"
    )
    assert reverse(
        "reporting:funder_report", kwargs={"school_slug": "x", "kind": "politique-de-la-ville"}
    ).endswith("/rapports-financeurs/politique-de-la-ville/xlsx/")


# ------------------------------------------------------------------------------ the page


def test_the_page_lists_the_four_reports_for_the_year(world):
    response = world.client_for("director").get(page_url(world, annee=2019))
    assert response.status_code == 200
    text = page_text(response)
    assert "Rapports de l'année 2019" in text
    for report in funders.REPORTS.values():
        assert report.title in text
        assert report_url(world, report.kind) + "?annee=2019" in text


def test_the_page_defaults_to_the_current_year(world):
    from django.utils import timezone

    text = page_text(world.client_for("director").get(page_url(world)))
    assert f"Rapports de l'année {timezone.localdate().year}" in text


def test_the_page_takes_two_dates(world):
    response = world.client_for("director").get(page_url(world, du="2019-01-01", au="2019-06-30"))
    text = page_text(response)
    assert "Rapports du 01/01/2019 au 30/06/2019" in text
    assert "du=2019-01-01&au=2019-06-30" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"annee": "abc"}, "Année invalide : écrivez-la sur quatre chiffres."),
        ({"annee": "1990"}, "Choisissez une année entre 2000 et"),
        ({"du": "2019-05-01", "au": "2019-01-01"}, "La date de fin doit suivre la date de début."),
        ({"du": "2019-05-01"}, "Indiquez les deux dates de la période (du … au …)."),
        ({"du": "31/02/2019", "au": "2019-03-01"}, "Date invalide : écrivez-la jj/mm/aaaa."),
    ],
)
def test_a_bad_period_gets_a_french_message_and_nothing_is_exported(world, params, message):
    client = world.client_for("director")
    for url in (page_url(world, **params), report_url(world, funders.PLIE_REPORT, **params)):
        response = client.get(url)
        assert response.status_code == 400
        assert message in page_text(response)
        assert "Télécharger le rapport" not in page_text(response)
    assert exports() == 0


# ------------------------------------------------------------------------------ downloads


@pytest.mark.parametrize("kind", list(funders.REPORTS))
def test_each_report_downloads_as_xlsx_and_is_audited(world, kind):
    _populate(world, 3)
    response = world.client_for("director").get(report_url(world, kind, annee=2019))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rapport-{kind}-{world.school.slug}-2019.xlsx"'
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Synthèse"
    assert "2019" in book["Synthèse"]["A1"].value
    event = AuditEvent.objects.get(action=EXPORT_ACTION)
    director = world.members["director"]
    assert (event.actor_id, event.school_id) == (director.user_id, world.school.pk)
    assert event.changes == {
        "rows": 3,
        "format": "xlsx",
        "filters": {"report": kind, "du": "2019-01-01", "au": "2019-12-31"},
    }


def test_the_plie_workbook_lists_participants_and_steps(world):
    enrolment = trainee(world, ended=datetime.date(2019, 7, 31), lines=[PLIE])
    enrolment.person.last_name = "=HYPERLINK(1)"
    enrolment.person.save()
    leave(enrolment, "cdi")
    _populate(world, 2)
    response = world.client_for("director").get(report_url(world, "plie", annee=2019))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Synthèse", "Participants", "Étapes", "Destinations"]
    rows = list(book["Participants"].iter_rows(values_only=True))
    assert rows[0][0] == "Nom"
    assert len(rows) == 1 + 3
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(1)" in names  # never run as a formula
    ours = next(row for row in rows[1:] if row[0] == "'=HYPERLINK(1)")
    assert ours[9] == "CDI" and ours[-1] == "Oui"
    steps = list(book["Étapes"].iter_rows(values_only=True))
    assert {row[2] for row in steps[1:]} == {"Phase"}


def test_the_fse_workbook_shows_declined_answers(world):
    trainee(world, lines=[FSE_PLUS], rqth="declined")
    response = world.client_for("director").get(report_url(world, "fse-plus", annee=2019))
    book = load_workbook(io.BytesIO(response.content))
    summary = [row for row in book["Synthèse"].iter_rows(values_only=True) if row and row[0]]
    assert ("Ne souhaite pas répondre", 1, 100.0) in summary
    participants = list(book["Participants"].iter_rows(values_only=True))
    header = participants[0]
    column = header.index("RQTH (reconnaissance de handicap)")
    assert participants[1][column] == "Ne souhaite pas répondre"


def test_a_period_of_two_dates_names_the_file(world):
    response = world.client_for("director").get(
        report_url(world, "region", du="2019-01-01", au="2019-06-30")
    )
    assert response.status_code == 200
    assert (
        "rapport-region-e2c-alpha-2019-01-01-au-2019-06-30.xlsx"
        in (response["Content-Disposition"])
    )
    book = load_workbook(io.BytesIO(response.content))
    months = list(book["États de présence"].iter_rows(values_only=True))
    assert len(months) == 1 + 6 + 1  # header, January to June, total


@pytest.mark.parametrize("kind", [funders.PLIE_REPORT, funders.FSE_REPORT])
def test_a_download_runs_a_constant_number_of_queries(world, kind):
    client = world.client_for("director")
    _populate(world, 2)
    client.get(report_url(world, kind, annee=2019))
    with CaptureQueriesContext(connection) as few:
        assert client.get(report_url(world, kind, annee=2019)).status_code == 200
    _populate(world, 8)
    with CaptureQueriesContext(connection) as many:
        assert client.get(report_url(world, kind, annee=2019)).status_code == 200
    assert len(many) == len(few)
