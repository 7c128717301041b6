"""The person's rights (issue 10), in a real browser: the director opens a trainee, records
the person's access request, downloads everything held about them (PDF and JSON) and records
the answer."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.helpers import day, expect_message, field, login

pytestmark = pytest.mark.e2e


def _trainee_with_a_meeting(django_db_blocker):
    from parcours.demo.accounts import FLAGSHIP_SLUG
    from parcours.pathways.models import Meeting

    with django_db_blocker.unblock():
        meeting = (
            Meeting.objects.filter(
                school__slug=FLAGSHIP_SLUG, enrolment__status="active", confidential=False
            )
            .exclude(summary="")
            .select_related("enrolment__person")
            .order_by("-held_on", "pk")
            .first()
        )
        assert meeting is not None
        return meeting.enrolment, meeting.enrolment.person, meeting


def test_director_exports_a_persons_data_and_answers_their_request(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str, django_db_blocker
) -> None:
    enrolment, person, meeting = _trainee_with_a_meeting(django_db_blocker)
    base = demo_server.rstrip("/")
    login(page, demo_server, demo_accounts["director"].email, demo_password)
    page.goto(f"{base}/e/{enrolment.school.slug}/stagiaires/{enrolment.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(person.full_name)
    section = page.locator("section", has=page.locator("#droits"))
    expect(section).to_contain_text("Droits de la personne (RGPD)")

    # The person asked, by e-mail, for a copy of their data.
    section.get_by_role("link", name="Enregistrer une demande").click()
    field(page, "Demande").select_option(label="Accès")
    field(page, "Reçue par").select_option(label="E-mail")
    field(page, "Précisions").fill("Souhaite une copie de son dossier.")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect_message(page, "La demande est enregistrée ; la réponse est due le")
    expect(page.get_by_role("heading", level=1)).to_have_text(person.full_name)

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Télécharger le JSON").click()
    with open(json_download.value.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["person"] == {"id": person.pk, "name": person.full_name}
    meetings = next(s for s in data["sections"] if s["model"] == "pathways.Meeting")
    assert any(row["id"] == meeting.pk for row in meetings["rows"])

    with page.expect_download(timeout=90_000) as pdf_download:
        started = time.monotonic()
        page.get_by_role("link", name="Télécharger le PDF").click(timeout=90_000)
    print(f"PDF export in {time.monotonic() - started:.1f} s")
    pdf = PdfReader(pdf_download.value.path())
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert person.full_name in text
    assert "Entretiens de suivi" in text and day(meeting.held_on) in text
    assert "Document généré le" in text

    # The answer, sent the same day.
    page.get_by_role("link", name="Enregistrer la réponse").first.click()
    field(page, "Suite donnée").select_option(label="Accordée")
    field(page, "Réponse").fill("Export PDF remis en main propre.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect_message(page, "La réponse à la demande est enregistrée.")
    expect(page.get_by_role("main")).to_contain_text("Accordée")
