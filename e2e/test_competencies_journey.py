"""The competencies journey (issue 5), in a real browser.

A referent opens a trainee's competencies (the entry-vs-now chart is on the trainee page),
assesses a competency in the one-trainee grid (htmx: the row saves without a page load) and
records an assessment with an observation as evidence. The director then issues the
Attestation de Compétences Acquises of a trainee in the last phase, downloads its PDF, and
re-issues the attestation of a trainee who left; an anonymous visitor checks both numbers on
the public verification page: one valid, one revoked, and nothing else about the holder.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import expect_message, field, login, other_page

pytestmark = pytest.mark.e2e

OBSERVATION = "OBSERVATION-E2E : a présenté son projet au groupe sans notes."
REISSUE_REASON = "Coquille dans le prénom (réédition E2E)."


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def referent_trainee(referent_email: str):
    """An active, positioned trainee of the referent."""
    from parcours.pathways.models import Enrolment

    enrolment = (
        Enrolment.objects.filter(
            referent__user__email=referent_email,
            status="active",
            assessments__kind="positioning",
            entry_date__lt=timezone.localdate(),
        )
        .select_related("person")
        .distinct()
        .order_by("pk")
        .first()
    )
    assert enrolment is not None, "the demo referent should have positioned trainees"
    return enrolment


def trainee_in_last_phase(school):
    """An active trainee of ``school`` in the last phase, without an attestation yet (one is
    moved there if the demo has none today)."""
    from parcours.organisations.models import Membership
    from parcours.pathways.models import Enrolment, EnrolmentPhase, PhaseDefinition
    from parcours.pathways.services import move_phase

    last = PhaseDefinition.objects.filter(school=school, active=True).order_by("position").last()
    candidates = Enrolment.objects.filter(
        school=school, status="active", assessments__isnull=False, attestations__isnull=True
    ).distinct()
    for enrolment in candidates.order_by("pk"):
        current = EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True).first()
        if current and current.phase_id == last.pk and current.started_on <= timezone.localdate():
            return enrolment
    enrolment = candidates.order_by("entry_date", "pk").first()
    director = Membership.objects.filter(school=school, role="director").first()
    move_phase(
        membership=director,
        enrolment=enrolment,
        phase=last,
        on=timezone.localdate(),
        comment="Entrée en phase de sortie (préparation du test navigateur).",
    )
    return enrolment


def test_referent_assesses_and_director_issues_the_attestation(
    page: Page, browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.competencies.models import Assessment, Attestation, Competency, Evidence

    referent = demo_accounts["referent"]
    enrolment = referent_trainee(referent.email)
    person = enrolment.person
    rows_before = Assessment.objects.filter(enrolment=enrolment).count()

    # The trainee page shows the chart of levels at entry and now.
    login(page, demo_server, referent.email, demo_password)
    page.goto(f"{demo_server}/e/e2c-63/stagiaires/{enrolment.pk}/")
    expect(h1(page)).to_have_text(person.full_name)
    section = page.get_by_role("region", name="Compétences")
    expect(section.get_by_role("img").first).to_be_visible()
    section.get_by_role("link", name="Voir le détail des compétences").click()
    expect(h1(page)).to_contain_text("Compétences")
    expect(page.get_by_role("main")).to_contain_text(
        "Référentiel : Compétences transversales Parcours, version 1."
    )

    # One trainee × every competency: changing a level saves the row through htmx.
    page.get_by_role("link", name="Saisie en grille").click()
    row = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^ORG2 ")))
    url_before = page.url
    row.get_by_label(re.compile("^Contexte")).select_option("project")
    row.get_by_label(re.compile("^Nouveau niveau")).select_option("4")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^ORG2 ")))
    expect(row.get_by_role("status")).to_have_text("Enregistré")
    expect(row.get_by_role("cell").first).to_contain_text("4 — Confirmée")
    assert page.url == url_before  # no page load
    org2 = Competency.objects.get(framework__school=None, code="ORG2")
    saved = Assessment.objects.filter(enrolment=enrolment, competency=org2).latest("id")
    assert (saved.level, saved.context, saved.assessed_on) == (
        4,
        "project",
        timezone.localdate(),
    )

    # An assessment with an observation as evidence.
    page.goto(f"{demo_server}/e/e2c-63/stagiaires/{enrolment.pk}/competences/")
    page.get_by_role("link", name="Évaluer", exact=True).click()
    expect(h1(page)).to_contain_text("Évaluer une compétence")
    proj1 = Competency.objects.get(framework__school=None, code="PROJ1")
    field(page, "Compétence").select_option(label=f"PROJ1 — {proj1.title}")
    field(page, "Niveau atteint").select_option("3")
    field(page, "Contexte").select_option("workshop")
    field(page, "Observation").fill(OBSERVATION)
    page.get_by_role("button", name="Enregistrer l'évaluation").click()
    expect(h1(page)).to_contain_text("Compétences")
    # The history of each competency (with its evidence) is folded under the level table.
    expect(page.get_by_role("main")).to_contain_text(OBSERVATION)
    assert Assessment.objects.filter(enrolment=enrolment).count() == rows_before + 2
    assert Evidence.objects.filter(assessment__enrolment=enrolment, note=OBSERVATION).exists()

    # The director issues the attestation of a trainee in the last phase.
    director = demo_accounts["director"]
    finishing = trainee_in_last_phase(enrolment.school)
    with other_page(browser) as boss:
        login(boss, demo_server, director.email, demo_password)
        boss.goto(f"{demo_server}/e/e2c-63/stagiaires/{finishing.pk}/attestations/delivrer/")
        expect(h1(boss)).to_contain_text("Délivrer l'attestation de compétences acquises")
        boss.get_by_role("button", name="Délivrer l'attestation").click()
        issued = Attestation.objects.get(enrolment=finishing, status="valid")
        expect(h1(boss)).to_contain_text(f"n° {issued.number}")
        with boss.expect_download() as download_info:
            boss.get_by_role("link", name="Télécharger le PDF").click()
        download = download_info.value
        assert download.suggested_filename == f"{issued.number}.pdf"
        with open(download.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

        # A trainee who left: re-issue their attestation (the old number is revoked).
        old = (
            Attestation.objects.filter(school=enrolment.school, status="valid")
            .exclude(pk=issued.pk)
            .order_by("-issued_on")
            .first()
        )
        boss.goto(f"{demo_server}/e/e2c-63/stagiaires/{old.enrolment_id}/attestations/{old.pk}/")
        boss.get_by_role("link", name="Rééditer").click()
        field(boss, "Motif").fill(REISSUE_REASON)
        boss.get_by_role("button", name=re.compile("^Rééditer")).click()
        old.refresh_from_db()
        assert old.status == "revoked" and old.replaced_by is not None
        expect(h1(boss)).to_contain_text(f"n° {old.replaced_by.number}")
        expect_message(boss, old.replaced_by.number)

    # Anyone with the link sees the validity and the holder's name, nothing more.
    with other_page(browser) as visitor:
        visitor.goto(f"{demo_server}/verifier/e2c-63/{issued.token}/")
        expect(h1(visitor)).to_have_text(f"Attestation de Compétences Acquises n° {issued.number}")
        expect(visitor.get_by_role("status")).to_contain_text("valide")
        holder = finishing.person
        expect(visitor.get_by_role("main")).to_contain_text(
            f"{holder.first_name} {holder.last_name}"
        )
        expect(visitor.get_by_role("main")).not_to_contain_text(
            holder.birth_date.strftime("%d/%m/%Y")
        )
        expect(visitor.get_by_role("main")).not_to_contain_text("Confirmée")
        visitor.goto(f"{demo_server}/verifier/e2c-63/{old.token}/")
        expect(visitor.get_by_role("status")).to_contain_text("révoquée")
        expect(visitor.get_by_role("main")).to_contain_text(old.replaced_by.number)
