"""The pathway journey (issue 4), in a real browser: a referent's daily work on a trainee, then
what the company-relations staff may (and may not) see of the same trainee.

The referent opens "my trainees", moves a trainee to the next phase, records a confidential
meeting, a mobility and a health support action, and revises the individual plan. The
company-relations user then opens the same page: no health content, not even the domain's
name, and no confidential summary.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import body_rows, day, expect_message, field, login, main_nav, other_page

pytestmark = pytest.mark.e2e

PHASE_COMMENT = "COMMENTAIRE-PHASE-E2E : bilan de phase positif."
MEETING_KIND = "Entretien individuel de suivi"
MEETING_SUMMARY = "SECRET-CONFIDENTIEL-E2E : difficultés familiales évoquées."
NEXT_STEPS = "Revoir la recherche de stage dans quinze jours."
MOBILITY_ACTION = "AIDE-MOBILITE-E2E : dossier d'aide au permis de conduire."
MOBILITY_PARTNER = "Auto-école sociale"
HEALTH_ACTION = "SECRET-SANTE-E2E : rendez-vous au centre d'examens de santé."
REVIEW_NOTE = "REVISION-E2E : bilan de fin de phase."
NEW_GOAL = "Obtenir le code de la route (objectif E2E)"
BREADCRUMB = "Fil d\u2019Ariane"  # the typographic apostrophe of the templates


@dataclass
class Trainee:
    pk: int
    full_name: str
    listed_name: str
    last_name: str
    current_phase: str | None
    next_phase_pk: int
    next_phase: str
    plan_version: int
    goals: int
    #: Restricted texts already in the demo (health actions, confidential summaries).
    restricted_texts: list[str]


def pick_trainee(referent_email: str) -> Trainee:
    """One of the referent's current trainees who has a next phase, preferably one whose
    record already holds health actions, a confidential summary and a plan."""
    from parcours.pathways.models import (
        RESTRICTED_DOMAINS,
        Enrolment,
        EnrolmentPhase,
        Meeting,
        PhaseDefinition,
        Plan,
        SupportAction,
    )

    enrolments = list(
        Enrolment.objects.filter(referent__user__email=referent_email, status="active")
        .select_related("person")
        .order_by("pk")
    )
    assert enrolments, "the demo referent should have current trainees"
    phases = list(
        PhaseDefinition.objects.filter(school=enrolments[0].school, active=True).order_by(
            "position"
        )
    )
    assert phases, "the demo school should have its phase list"
    candidates = []
    for enrolment in enrolments:
        current = (
            EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True)
            .select_related("phase")
            .first()
        )
        if current is None:
            following = phases[0]
        elif current.phase_id == phases[-1].pk or current.started_on > timezone.localdate():
            continue
        else:
            following = next((p for p in phases if p.position > current.phase.position), None)
            if following is None:
                continue
        health = list(
            SupportAction.objects.filter(enrolment=enrolment, domain__in=RESTRICTED_DOMAINS)
        )
        meetings = list(Meeting.objects.filter(enrolment=enrolment).exclude(summary=""))
        secret = [m.summary for m in meetings if m.confidential]
        plan = Plan.objects.filter(enrolment=enrolment).order_by("-version").first()
        # A text that also stands in open content (the demo reuses sentences) proves nothing.
        open_texts = {m.summary for m in meetings if not m.confidential} | {
            a.description
            for a in SupportAction.objects.filter(enrolment=enrolment).exclude(
                domain__in=RESTRICTED_DOMAINS
            )
        }
        restricted = [
            text[:60]
            for text in [a.description for a in health] + secret
            if not any(text[:60] in other for other in open_texts)
        ]
        person = enrolment.person
        trainee = Trainee(
            pk=enrolment.pk,
            full_name=person.full_name,
            listed_name=str(person),
            last_name=person.last_name,
            current_phase=current.phase.name if current else None,
            next_phase_pk=following.pk,
            next_phase=f"{following.name}",
            plan_version=plan.version if plan else 0,
            goals=plan.goals.count() if plan else 0,
            restricted_texts=restricted,
        )
        candidates.append(((bool(health), bool(secret), plan is not None), trainee))
    assert candidates, "one of the referent's trainees should have a next phase"
    return max(candidates, key=lambda c: c[0])[1]


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def back_to_trainee(page: Page, trainee: Trainee) -> None:
    page.get_by_role("link", name="Retour à la fiche du stagiaire").click()
    expect(h1(page)).to_have_text(trainee.full_name)


def test_referent_follows_a_trainee_and_company_relations_sees_no_restricted_content(
    page: Page, browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.audit.models import AuditEvent

    today = timezone.localdate()
    referent = demo_accounts["referent"]
    referent_name = f"{referent.first_name} {referent.last_name}"
    trainee = pick_trainee(referent.email)

    # "Stagiaires" shows the referent's own trainees by default.
    login(page, demo_server, referent.email, demo_password)
    main_nav(page).get_by_role("link", name="Stagiaires").click()
    expect(h1(page)).to_have_text("Mes stagiaires")
    shown = page.get_by_role("navigation", name="Stagiaires affichés")
    expect(shown.get_by_role("link", name="Mes stagiaires")).to_have_attribute(
        "aria-current", "page"
    )
    trainees = page.get_by_role("table", name=re.compile(r"^Stagiaires"))
    rows = body_rows(trainees)
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_not_text=referent_name)).to_have_count(0)
    row = rows.filter(has=page.get_by_role("rowheader", name=trainee.listed_name))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(trainee.current_phase or "—")
    row.get_by_role("link", name=trainee.listed_name).click()

    expect(h1(page)).to_have_text(trainee.full_name)
    facts = page.locator("dl.facts").first  # the identity facts (the attendance facts follow)
    expect(facts).to_contain_text(re.compile(rf"Référent·e\s*{referent_name}"))
    if trainee.current_phase:
        expect(facts).to_contain_text(
            re.compile(rf"Phase en cours\s*{re.escape(trainee.current_phase)}")
        )

    # The next phase, with a comment.
    page.get_by_role("link", name="Changer de phase").click()
    expect(h1(page)).to_have_text(f"Changer de phase : {trainee.full_name}")
    expect(field(page, "Nouvelle phase")).to_have_value(str(trainee.next_phase_pk))
    expect(field(page, "Date du changement")).to_have_value(today.isoformat())
    field(page, "Commentaire").fill(PHASE_COMMENT)
    page.get_by_role("button", name="Enregistrer le changement de phase").click()

    expect_message(
        page,
        f"{trainee.full_name} est en phase « {trainee.next_phase} » depuis le {day(today)}.",
    )
    expect(facts).to_contain_text(re.compile(rf"Phase en cours\s*{re.escape(trainee.next_phase)}"))
    phase_rows = body_rows(
        page.get_by_role("table", name="Historique des phases, la plus récente en premier")
    )
    expect(phase_rows.first.get_by_role("rowheader")).to_have_text(trainee.next_phase)
    expect(phase_rows.first).to_contain_text("en cours")
    expect(phase_rows.first).to_contain_text(PHASE_COMMENT)
    if trainee.current_phase:
        previous = phase_rows.nth(1)
        expect(previous.get_by_role("rowheader")).to_have_text(trainee.current_phase)
        expect(previous.get_by_role("cell").nth(1)).to_have_text(day(today))  # its end
    timeline = page.get_by_role("region", name="Chronologie")
    moved = timeline.get_by_role("listitem").filter(has_text=PHASE_COMMENT)
    expect(moved).to_have_count(1)
    expect(moved).to_contain_text(f"{day(today)} — Phase : {trainee.next_phase}")
    expect(moved).to_contain_text(f"par {referent_name}")

    # A confidential meeting.
    page.get_by_role("link", name="Enregistrer un entretien").click()
    expect(h1(page)).to_contain_text("Nouvel entretien")
    expect(field(page, "Date de l'entretien")).to_have_value(today.isoformat())
    field(page, "Type d'entretien").select_option(label=MEETING_KIND)
    field(page, "Participants").fill(f"{trainee.full_name}, {referent_name}")
    field(page, "Compte rendu").fill(MEETING_SUMMARY)
    field(page, "Compte rendu confidentiel").check()
    field(page, "Suites à donner").fill(NEXT_STEPS)
    page.get_by_role("button", name="Enregistrer l'entretien").click()

    expect_message(page, f"L'entretien du {day(today)} est enregistré.")
    expect(h1(page)).to_have_text(f"{MEETING_KIND} du {day(today)}")
    summary = page.get_by_role("region", name=re.compile(r"^Compte rendu"))
    expect(summary).to_contain_text("confidentiel")
    expect(summary).to_contain_text(MEETING_SUMMARY)
    meeting_url = page.url
    back_to_trainee(page, trainee)
    meetings = body_rows(
        page.get_by_role("region", name="Derniers entretiens").get_by_role("table")
    )
    expect(meetings.first.get_by_role("rowheader")).to_have_text(day(today))
    expect(meetings.first).to_contain_text(MEETING_KIND)
    expect(meetings.first).to_contain_text("Confidentiel")
    expect(meetings.first).to_contain_text(MEETING_SUMMARY)
    expect(meetings.first).to_contain_text(referent_name)

    # A support action in the mobility domain, then one in health.
    page.get_by_role("link", name="Ajouter une action d'accompagnement").click()
    expect(h1(page)).to_contain_text("Nouvelle action d'accompagnement")
    expect(field(page, "Domaine").locator("option", has_text="Santé")).to_have_count(1)
    field(page, "Domaine").select_option(label="Mobilité")
    field(page, "Action menée").fill(MOBILITY_ACTION)
    field(page, "Partenaire mobilisé").fill(MOBILITY_PARTNER)
    field(page, "Heures consacrées").fill("1,5")
    page.get_by_role("button", name="Enregistrer l'action").click()

    expect_message(page, "L'action d'accompagnement « Mobilité » est enregistrée.")
    expect(h1(page)).to_contain_text("Accompagnement social")
    support_url = page.url
    mobility = page.get_by_role("region", name="Mobilité", exact=True)
    ours = body_rows(mobility.get_by_role("table")).filter(has_text=MOBILITY_ACTION)
    expect(ours).to_have_count(1)
    expect(ours).to_contain_text("en cours")
    expect(ours).to_contain_text(MOBILITY_PARTNER)

    page.get_by_role("link", name="Nouvelle action").click()
    field(page, "Domaine").select_option(label="Santé")
    field(page, "Action menée").fill(HEALTH_ACTION)
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect_message(page, "L'action d'accompagnement « Santé » est enregistrée.")
    health = page.get_by_role("region", name=re.compile(r"^Santé"))
    expect(health).to_contain_text("restreint")
    expect(health).to_contain_text(HEALTH_ACTION)
    expect(page.get_by_role("main")).to_contain_text(
        "Cette page contient des informations de santé : votre lecture est enregistrée"
    )

    back_to_trainee(page, trainee)
    support = page.get_by_role("region", name="Accompagnement social en cours")
    open_actions = body_rows(support.get_by_role("table"))
    mobility_row = open_actions.filter(has_text=MOBILITY_ACTION)
    expect(mobility_row.get_by_role("rowheader")).to_have_text("Mobilité")
    expect(mobility_row).to_contain_text(day(today))
    expect(mobility_row).to_contain_text(MOBILITY_PARTNER)
    expect(mobility_row.get_by_role("cell").last).to_have_text("1,50")  # floatformat:"-2"
    expect(open_actions.filter(has_text=HEALTH_ACTION).get_by_role("rowheader")).to_have_text(
        "Santé"
    )

    # The individual plan: a new version (a first one before, if the trainee had none).
    version = trainee.plan_version
    goals = trainee.goals
    if version == 0:
        page.get_by_role("link", name="Établir le plan").click()
        field(page, "Projet professionnel").fill("Travailler dans la logistique.")
        field(page, "Métier visé, ligne 1").fill("Préparateur de commandes")
        page.get_by_role("button", name="Enregistrer la nouvelle version").click()
        expect_message(page, "La version 1 du plan individuel est enregistrée.")
        page.get_by_role("navigation", name=BREADCRUMB).get_by_role(
            "link", name=trainee.full_name
        ).click()
        version = 1
    page.get_by_role("link", name="Réviser le plan").click()
    expect(h1(page)).to_have_text(f"Réviser le plan individuel : {trainee.full_name}")
    expect(page.get_by_role("main")).to_contain_text(f"Le formulaire reprend la version {version}.")
    field(page, "Motif de la révision").fill(REVIEW_NOTE)
    field(page, f"Objectif, ligne {goals + 1}").fill(NEW_GOAL)
    field(page, f"Échéance, ligne {goals + 1}").fill(
        (today + datetime.timedelta(days=30)).isoformat()
    )
    page.get_by_role("button", name="Enregistrer la nouvelle version").click()

    new_version = version + 1
    assert new_version >= 2
    expect_message(page, f"La version {new_version} du plan individuel est enregistrée.")
    expect(h1(page)).to_have_text(f"Plan individuel : {trainee.full_name}")
    expect(page.get_by_role("heading", level=2, name="Version en vigueur")).to_have_text(
        f"Version en vigueur (version {new_version})"
    )
    current_version = page.get_by_role("region", name="Version en vigueur")
    expect(current_version).to_contain_text(REVIEW_NOTE)
    expect(current_version).to_contain_text(NEW_GOAL)
    versions = body_rows(
        page.get_by_role("table", name="Toutes les versions, la plus récente en premier")
    )
    expect(versions).to_have_count(new_version)
    expect(versions.first.get_by_role("rowheader")).to_have_text(
        f"Version {new_version} en vigueur"
    )
    expect(versions.nth(1).get_by_role("link", name=f"Version {version}")).to_be_visible()
    page.get_by_role("navigation", name=BREADCRUMB).get_by_role(
        "link", name=trainee.full_name
    ).click()
    plan_entry = page.get_by_role("region", name="Chronologie").get_by_role("listitem")
    expect(plan_entry.filter(has_text=REVIEW_NOTE)).to_contain_text(
        f"Plan individuel, version {new_version}"
    )

    # The company-relations user: the same trainee, without any restricted content.
    company = demo_accounts["company_relations"]
    with other_page(browser) as other:
        login(other, demo_server, company.email, demo_password)
        main_nav(other).get_by_role("link", name="Stagiaires").click()
        expect(h1(other)).to_have_text("Stagiaires")
        field(other, "Nom ou prénom").fill(trainee.last_name)
        other.get_by_role("button", name="Rechercher").click()
        other.get_by_role("link", name=trainee.listed_name).click()

        expect(h1(other)).to_have_text(trainee.full_name)
        expect(other.get_by_role("link", name="Changer de phase")).to_have_count(0)
        expect(other.get_by_role("link", name="Enregistrer un entretien")).to_have_count(0)
        expect(other.locator("dl.facts").first).to_contain_text(trainee.next_phase)

        # No social support at all for company relations (issue 7), health or not.
        expect(other.get_by_role("region", name="Accompagnement social en cours")).to_have_count(0)

        meetings = other.get_by_role("region", name="Derniers entretiens")
        ours = body_rows(meetings.get_by_role("table")).first
        expect(ours).to_contain_text(MEETING_KIND)
        expect(ours).to_contain_text("Compte rendu confidentiel")
        expect(ours).not_to_contain_text(MEETING_SUMMARY)

        timeline = other.get_by_role("region", name="Chronologie")
        expect(timeline).to_contain_text(PHASE_COMMENT)
        expect(timeline).not_to_contain_text("Accompagnement : ")
        expect(timeline).not_to_contain_text("Accès restreint")

        main = other.get_by_role("main")
        for secret in [
            MEETING_SUMMARY,
            HEALTH_ACTION,
            MOBILITY_ACTION,
            "SECRET-",
            *trainee.restricted_texts,
        ]:
            expect(main).not_to_contain_text(secret)

        # Nor on the support page (refused) or the meeting's page.
        response = other.goto(support_url)
        assert response is not None and response.status == 403
        other.goto(meeting_url)
        expect(h1(other)).to_have_text(f"{MEETING_KIND} du {day(today)}")
        expect(other.get_by_role("main")).to_contain_text(
            "Compte rendu confidentiel : réservé au référent et à la direction."
        )
        expect(other.get_by_role("main")).not_to_contain_text(MEETING_SUMMARY)

    # The referent's reads of restricted content were audited; the other user read none.
    reads = AuditEvent.objects.filter(action__startswith="restricted.read.")
    assert reads.filter(actor__email=referent.email).exists()
    assert not reads.filter(actor__email=company.email).exists()
