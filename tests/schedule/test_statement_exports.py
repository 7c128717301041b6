"""The statement downloads: one trainee's PDF (staff) and the school's XLSX (the director),
both audited; refused or bad requests write nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.schedule.models import ClosedMonth

from ..export_checks import xlsx_sheet
from .statement_helpers import MARCH, trainee_turning_18

pytestmark = pytest.mark.django_db


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _pdf_url(world, enrolment, month="2024-03") -> str:
    url = reverse("schedule:trainee_statement_pdf", args=[world.school.slug, enrolment.pk])
    return f"{url}?mois={month}"


def _xlsx_url(world, month="2024-03") -> str:
    return f"{reverse('schedule:school_statements_xlsx', args=[world.school.slug])}?mois={month}"


@pytest.mark.parametrize("who", ["referent", "intake"])
def test_trainee_pdf(world, who):
    enrolment = trainee_turning_18(world, last_name="Dùpont-Éloïse", first_name="Zoé")
    response = world.client_for(who).get(_pdf_url(world, enrolment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # An ASCII file name: accents dropped.
    assert response["Content-Disposition"] == (
        'attachment; filename="etat-presence-dupont-eloise-zoe-2024-03.pdf"'
    )
    text = _pdf_text(response)
    assert "DÙPONT-ÉLOÏSE Zoé" in text
    assert "15/03/2006" in text  # birth date
    assert "mars 2024" in text
    assert "Provisoire : mois non clos" in text
    # Total 13 half-days = 6,5 days = 45,5 h; paid 9 = 4,5 days = 31,5 h;
    # under 18: 4 = 14,0 h; 18 and over: 5 = 17,5 h.
    for figure in ("Total 13 6,5 45,5", "Total rémunéré 9 4,5 31,5"):
        assert figure in text, figure
    assert "Moins de 18 ans 4 2,0 14,0" in text
    assert "18 ans et plus 5 2,5 17,5" in text
    assert "18 ans le 15/03/2024" in text
    event = AuditEvent.objects.get(action="statement.download")
    assert event.actor == world.members[who].user
    assert event.object_id == str(enrolment.pk)
    assert event.changes == {"month": "2024-03", "closed": False}


def test_trainee_pdf_of_a_closed_month(world):
    enrolment = trainee_turning_18(world)
    ClosedMonth.objects.create(
        school=world.school, month=MARCH, closed_by=world.members["director"].user
    )
    text = _pdf_text(world.client_for("director").get(_pdf_url(world, enrolment)))
    assert f"Mois clos le {datetime.date.today():%d/%m/%Y}" in text
    assert "Provisoire" not in text


def test_trainee_pdf_refused_and_bad_month_write_nothing(world):
    enrolment = trainee_turning_18(world)
    assert world.client_for("funder").get(_pdf_url(world, enrolment)).status_code == 403
    assert world.client_for("outsider").get(_pdf_url(world, enrolment)).status_code == 404
    other = world.others["enrolment"]
    assert world.client_for("director").get(_pdf_url(world, other)).status_code == 404
    bad = world.client_for("director").get(_pdf_url(world, enrolment, month="03-2024"))
    assert bad.status_code == 400
    assert "Mois invalide" in bad.content.decode()
    assert not AuditEvent.objects.filter(action="statement.download").exists()


def test_school_xlsx(world):
    enrolment = trainee_turning_18(world)
    ClosedMonth.objects.create(
        school=world.school, month=MARCH, closed_by=world.members["director"].user
    )
    response = world.client_for("director").get(_xlsx_url(world))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="etats-presence-e2c-alpha-2024-03.xlsx"'
    )
    sheet = xlsx_sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("Nom", "Prénom", "Date de naissance")
    assert headers[-1] == "Mois clos"
    by_name = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    assert world.others["enrolment"].person.last_name not in by_name
    row = by_name["Majeure"]
    assert row["Prénom"] == "Zoé"
    assert row["Date de naissance"] == datetime.datetime(2006, 3, 15)
    assert row["Demi-journées : Présent·e"] == 4
    assert row["Demi-journées : En retard"] == 2
    assert row["Demi-journées : Absence justifiée"] == 1
    assert row["Demi-journées : Absence injustifiée"] == 1
    assert row["Demi-journées : En entreprise"] == 3
    assert row["Demi-journées : Congé"] == 2
    assert row["Demi-journées (total)"] == 13
    assert row["Heures (total)"] == 45.5
    assert row["Demi-journées rémunérées"] == 9
    assert row["Heures rémunérées"] == 31.5
    assert row["Demi-journées rémunérées, moins de 18 ans"] == 4
    assert row["Demi-journées rémunérées, 18 ans et plus"] == 5
    assert row["Heures rémunérées, moins de 18 ans"] == 14
    assert row["Heures rémunérées, 18 ans et plus"] == 17.5
    assert row["Mois clos"] == "oui"
    world_row = by_name[world.objects["enrolment"].person.last_name]
    assert world_row["Demi-journées : Présent·e"] == 1
    event = AuditEvent.objects.get(action="statement.export")
    assert event.actor == world.members["director"].user
    assert event.changes == {
        "rows": len(rows) - 1,
        "format": "xlsx",
        "filters": {"month": "2024-03"},
    }
    assert enrolment.pk  # listed above by name


def test_school_xlsx_refused_and_bad_month_write_nothing(world):
    assert world.client_for("referent").get(_xlsx_url(world)).status_code == 403
    assert world.client_for("outsider").get(_xlsx_url(world)).status_code == 404
    bad = world.client_for("director").get(_xlsx_url(world, month="2024-00"))
    assert bad.status_code == 400
    assert "Mois invalide" in bad.content.decode()
    assert not AuditEvent.objects.filter(action="statement.export").exists()
