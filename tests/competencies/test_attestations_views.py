"""The attestation pages: list, issue, detail, PDF, revoke, re-issue (three-user treatment)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.competencies.models import Attestation, AttestationCounter
from parcours.competencies.services_attestations import issue_attestation, revoke_attestation

from ..utils import page_text
from .attestation_helpers import EVIDENCE_NOTE, exited_enrolment

pytestmark = pytest.mark.django_db


def _url(world, name, enrolment, attestation=None):
    kwargs = {"school_slug": world.school.slug, "pk": enrolment.pk}
    if attestation is not None:
        kwargs["attestation_pk"] = attestation.pk
    return reverse(f"competencies:{name}", kwargs=kwargs)


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# ------------------------------------------------------------------------------ issue


def test_director_sees_what_will_be_attested_then_issues(world):
    enrolment = exited_enrolment(world)
    client = world.client_for("director")
    url = _url(world, "attestation_issue", enrolment)
    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "Échanger à l'oral" in text and "3 — Maîtrisée" in text
    assert "Délivrer l'attestation</button>" in text

    response = client.post(url, {"issued_on": "2024-08-02"})
    attestation = Attestation.objects.get(enrolment=enrolment)
    assert response.status_code == 302
    assert response["Location"] == _url(world, "attestation", enrolment, attestation)
    assert attestation.number == "ACA-E2C-ALPHA-2024-0002"


def test_issue_page_explains_a_refusal_instead_of_the_button(world):
    world.school.label_valid_until = datetime.date(2024, 6, 30)
    world.school.save(update_fields=["label_valid_until"])
    enrolment = exited_enrolment(world)
    client = world.client_for("director")
    url = _url(world, "attestation_issue", enrolment)
    response = client.get(url)
    text = page_text(response)
    assert response.status_code == 200
    assert "Le label E2C de l'école n'est pas valide le 02/08/2024" in text
    assert "Délivrer l'attestation</button>" not in text

    before = Attestation.objects.count(), AttestationCounter.objects.count()
    response = client.post(url, {"issued_on": "2024-08-02"})
    assert response.status_code == 400
    assert "(valide du 01/01/2016 au 30/06/2024)" in page_text(response)
    assert (Attestation.objects.count(), AttestationCounter.objects.count()) == before


def test_issue_page_of_an_enrolment_with_a_valid_attestation_points_to_reissue(world):
    enrolment = world.objects["enrolment"]
    attestation = world.objects["attestation"]
    response = world.client_for("director").get(_url(world, "attestation_issue", enrolment))
    text = page_text(response)
    assert "Une attestation valide existe déjà" in text
    assert _url(world, "attestation_reissue", enrolment, attestation) in text


def test_issue_with_a_bad_date_is_refused(world):
    enrolment = exited_enrolment(world)
    response = world.client_for("director").post(
        _url(world, "attestation_issue", enrolment), {"issued_on": "pas une date"}
    )
    assert response.status_code == 400
    assert not Attestation.objects.filter(enrolment=enrolment).exists()


def test_referent_may_not_issue_revoke_or_reissue(world):
    enrolment = exited_enrolment(world)
    attestation = world.objects["attestation"]
    client = world.client_for("referent")
    assert client.get(_url(world, "attestation_issue", enrolment)).status_code == 403
    assert client.post(_url(world, "attestation_issue", enrolment)).status_code == 403
    assert not Attestation.objects.filter(enrolment=enrolment).exists()
    world_enrolment = world.objects["enrolment"]
    for name in ("attestation_revoke", "attestation_reissue"):
        url = _url(world, name, world_enrolment, attestation)
        assert client.post(url, {"reason": "Erreur", "issued_on": "2024-08-02"}).status_code == 403
    attestation.refresh_from_db()
    assert attestation.is_valid
    assert Attestation.objects.count() == 2  # one per school in the world


def test_referent_reads_the_list_detail_and_pdf(world):
    enrolment = world.objects["enrolment"]
    attestation = world.objects["attestation"]
    client = world.client_for("referent")
    response = client.get(_url(world, "attestations", enrolment))
    assert response.status_code == 200
    text = page_text(response)
    assert attestation.number in text
    assert "Délivrer l'attestation" not in text
    response = client.get(_url(world, "attestation", enrolment, attestation))
    assert response.status_code == 200
    assert "Révoquer" not in page_text(response)


def test_outsider_gets_404(world):
    enrolment = world.objects["enrolment"]
    attestation = world.objects["attestation"]
    client = world.client_for("outsider")
    for name in ("attestations", "attestation_issue"):
        assert client.get(_url(world, name, enrolment)).status_code == 404
    for name in ("attestation", "attestation_pdf", "attestation_revoke", "attestation_reissue"):
        assert client.get(_url(world, name, enrolment, attestation)).status_code == 404


def test_attestation_of_another_enrolment_is_404(world):
    other_enrolment = exited_enrolment(world)
    attestation = world.objects["attestation"]
    client = world.client_for("director")
    url = _url(world, "attestation", other_enrolment, attestation)
    assert client.get(url).status_code == 404


def test_list_query_count_is_constant(world, django_assert_max_num_queries):
    director = world.members["director"]
    enrolment = exited_enrolment(world)
    for _ in range(4):
        attestation = issue_attestation(membership=director, enrolment=enrolment)
        revoke_attestation(membership=director, attestation=attestation, reason="Essai")
    client = world.client_for("director")
    with django_assert_max_num_queries(12):
        response = client.get(_url(world, "attestations", enrolment))
    assert response.status_code == 200
    assert page_text(response).count("Révoquée") == 4


# ------------------------------------------------------------------------------ detail and PDF


def test_detail_shows_content_status_and_verification_link(world):
    enrolment = exited_enrolment(world)
    attestation = issue_attestation(membership=world.members["director"], enrolment=enrolment)
    response = world.client_for("director").get(_url(world, "attestation", enrolment, attestation))
    text = page_text(response)
    assert response.status_code == 200
    assert f"Attestation de compétences acquises n° {attestation.number}" in text
    assert "preuves : 1 observation" in text
    assert EVIDENCE_NOTE not in text
    assert f"http://testserver/verifier/e2c-alpha/{attestation.token}/" in text
    assert 'src="data:image/svg+xml;base64,' in text


def test_pdf_is_rendered_with_the_frozen_content(world):
    enrolment = exited_enrolment(world)
    attestation = issue_attestation(membership=world.members["director"], enrolment=enrolment)
    response = world.client_for("referent").get(
        _url(world, "attestation_pdf", enrolment, attestation)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{attestation.number}.pdf"'
    text = _pdf_text(response)
    assert "Attestation de Compétences Acquises" in text
    assert "E2C Alpha" in text
    assert "Camille Delivrance" in text
    assert attestation.number in text
    assert "Échanger à l'oral" in text
    assert "3 — Maîtrisée" in text
    assert "Pour l'école, la direction" in text
    assert "label valide du 01/01/2016 au 31/12/2030" in text
    assert "RÉVOQUÉE" not in text
    event = AuditEvent.objects.get(action="attestation.download")
    assert event.actor == world.members["referent"].user
    assert event.object_id == str(attestation.pk)


def test_pdf_of_a_revoked_attestation_says_so(world):
    enrolment = exited_enrolment(world)
    director = world.members["director"]
    attestation = issue_attestation(membership=director, enrolment=enrolment)
    revoke_attestation(membership=director, attestation=attestation, reason="Erreur")
    response = world.client_for("director").get(
        _url(world, "attestation_pdf", enrolment, attestation)
    )
    assert "RÉVOQUÉE" in _pdf_text(response)


# ------------------------------------------------------------------------------ revoke, re-issue


def test_revoke_view(world):
    enrolment = world.objects["enrolment"]
    attestation = world.objects["attestation"]
    client = world.client_for("director")
    url = _url(world, "attestation_revoke", enrolment, attestation)
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Indiquez le motif de la révocation." in page_text(response)
    attestation.refresh_from_db()
    assert attestation.is_valid

    response = client.post(url, {"reason": "Délivrée par erreur"})
    assert response.status_code == 302
    attestation.refresh_from_db()
    assert attestation.status == "revoked"
    assert attestation.revocation_reason == "Délivrée par erreur"
    detail = page_text(client.get(response["Location"]))
    assert "Révoquée le" in detail and "Délivrée par erreur" in detail


def test_reissue_view(world):
    enrolment = exited_enrolment(world)
    director = world.members["director"]
    old = issue_attestation(membership=director, enrolment=enrolment)
    client = world.client_for("director")
    url = _url(world, "attestation_reissue", enrolment, old)
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "Correction", "issued_on": "2099-01-01"})
    assert response.status_code == 400
    assert "La date de délivrance ne peut pas être dans le futur." in page_text(response)
    old.refresh_from_db()
    assert old.is_valid

    response = client.post(url, {"reason": "Correction", "issued_on": "2024-09-01"})
    assert response.status_code == 302
    old.refresh_from_db()
    new = old.replaced_by
    assert new is not None and new.is_valid and not old.is_valid
    assert response["Location"] == _url(world, "attestation", enrolment, new)
    text = page_text(client.get(_url(world, "attestations", enrolment)))
    assert f"(remplacée par le n° {new.number})" in text
