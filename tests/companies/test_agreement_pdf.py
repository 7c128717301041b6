"""The agreement PDF: rendered by WeasyPrint in the test, its key texts read back with pypdf;
who may download it; the download is audited as an export of personal data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.companies.models import AgreementSignature, InternshipGoal
from parcours.competencies.models import Competency

from .agreement_helpers import internship, minor_enrolment

pytestmark = pytest.mark.django_db


def _url(world, stage) -> str:
    return reverse("companies:agreement_pdf", args=[world.school.slug, stage.pk])


def _pdf_text(response) -> str:
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_pdf_of_an_adults_signed_internship(world):
    stage = world.objects["internship"]
    person = stage.enrolment.person
    person.address, person.postcode, person.commune = "5 place de Jaude", "63000", "Clermont"
    person.save()
    response = world.client_for("company_relations").get(_url(world, stage))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="convention-stagiairee2c-alpha-lea-2024-04-08.pdf"'
    )
    assert "no-store" in response["Cache-Control"]  # personal data: never cached
    text = _pdf_text(response)
    for expected in (
        "Convention de stage",
        "Stage en entreprise — École de la Deuxième Chance",
        "du 08/04/2024 au 19/04/2024",
        # the school, the site's address
        "E2C Alpha",
        "Site Alpha",
        # the trainee
        "Léa Stagiairee2c-alpha",
        "17/05/2000",
        "5 place de Jaude, 63000 Clermont",
        # the company, its signatory and the tutor
        "Logistique Arverne e2c-alpha",
        "73282932000074",
        "12 rue de l'Industrie, 63000 Clermont-Ferrand",
        "Marc Tuteur, Chef d'équipe",
        "tuteur@e2c-alpha.example",
        # the internship
        "Préparateur de commandes — code ROME N1103",
        "35 heures par semaine",
        "Du lundi au vendredi, 8 h – 12 h et 13 h – 16 h",
        "Préparation de commandes, réception de marchandises.",
        "Ponctualité",
        # insurance mentions
        "stagiaire de la formation professionnelle",
        "ne constitue pas un contrat de travail",
        "accidents du travail et les maladies professionnelles",
        "L. 6342-1",
        "responsabilité civile",
        # signatures recorded
        "L'école",
        "Signataire de l'entreprise",
        "Signée le 02/04/2024",
    ):
        assert expected in text, expected
    # An adult: no guardian, no PMSMP paragraph.
    assert "représentant·e légal·e" not in text
    assert "L. 5135-1" not in text
    event = AuditEvent.objects.get(action="agreement.download")
    assert event.object_id == str(stage.pk)
    assert event.changes == {"enrolment": stage.enrolment_id}
    assert event.actor == world.members["company_relations"].user


def test_the_pdf_of_a_minor_names_the_guardian(world):
    stage = internship(world, enrolment=minor_enrolment(world), second_signatory=True)
    competency = Competency.objects.filter(framework__school__isnull=True).order_by("pk").first()
    InternshipGoal.objects.create(
        school=world.school, internship=stage, competency=competency, description="Accueil client"
    )
    AgreementSignature.objects.create(
        school=world.school,
        internship=stage,
        role="guardian",
        signer_name="Paul Mineur",
        signed_on=datetime.date(2024, 4, 1),
        recorded_by=world.members["referent"].user,
    )
    text = _pdf_text(world.client_for("referent").get(_url(world, stage)))
    for expected in (
        "Théo Mineur",
        "15/01/2007 (mineur·e au début du stage)",
        "Son ou sa représentant·e légal·e",
        "Père",
        "Paul Mineur",
        "3 rue des Gras, 63000 Clermont-Ferrand",
        "Le ou la représentant·e légal·e",
        "Signée le 01/04/2024",
        "Second·e signataire de l'entreprise",
        "Anne Gérante",
        "jeunes de moins de 18 ans",
        "Accueil client",
        "Employé·e libre-service — code ROME D1507",
    ):
        assert expected in text, expected
    # Unsigned roles get a blank to sign on paper.
    assert "Date, mention « lu et approuvé » et signature" in text


def test_the_pdf_of_a_pmsmp_names_the_prescriber(world):
    stage = internship(
        world,
        kind="pmsmp",
        prescriber=world.prescriber_partner,
        end=datetime.date(2024, 4, 12),
    )
    text = _pdf_text(world.client_for("director").get(_url(world, stage)))
    assert "Période de mise en situation en milieu professionnel (PMSMP)" in text
    assert "Le prescripteur de la PMSMP" in text
    assert "Mission Locale Alpha" in text
    assert "L. 5135-1" in text
    assert "ne dépasse pas un mois" in text


def test_who_may_download(world):
    stage = world.objects["internship"]
    url = _url(world, stage)
    # VIEW_TRAINEES is not enough: the PDF carries personal data (MANAGE_INTERNSHIPS).
    assert world.client_for("intake").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    assert world.client_for("anonymous").get(url).status_code == 302
    other = world.others["internship"]
    assert world.client_for("director").get(_url(world, other)).status_code == 404
    assert not AuditEvent.objects.filter(action="agreement.download").exists()
