"""The intake journey (issue 3), in a real browser, from the referral to the entry.

A prescriber refers a young person; the intake officer schedules an information session; an
anonymous visitor registers for it on the public agenda; the candidate attends a session (set
up in the database: attendance is only marked once a session has started), has an interview,
is admitted after the eligibility check and enters the school; the prescriber then sees the new
status, and nothing of the school's notes.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import body_rows, day, expect_message, field, login, main_nav, other_page

pytestmark = pytest.mark.e2e

SCHOOL_NAME = "E2C Puy-de-Dôme"
SITE_NAME = "Cours Sablon"
BREADCRUMB = "Fil d\u2019Ariane"

FIRST_NAME, LAST_NAME = "Zoé", "Testeuse-E2E"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"  # Person.full_name
LISTED_NAME = f"{LAST_NAME.upper()} {FIRST_NAME}"  # Person / Registration __str__
EMAIL = "zoe.testeuse-e2e@example.org"
REASON = "Jeune motivée, cherche une formation dans la logistique."
PUBLIC_NOTE = "Se munir d'une pièce d'identité (séance E2E)."
VISITOR_FIRST, VISITOR_LAST = "Lina", "Visiteuse-E2E"
INTERVIEW_NOTES = "NOTES-ENTRETIEN-E2E : freins de mobilité, projet en logistique."
DECISION_REASON = "MOTIF-INTERNE-E2E : dossier complet."


def years_before(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def past_session_with_candidate(intake_email: str):
    """Set-up, not a step of the journey: an information session that began an hour ago, the
    new candidate registered for it (as ``services.register_referral`` would have done before
    the session, which the services refuse once it has started)."""
    from django.contrib.auth import get_user_model

    from parcours.intake.models import InfoSession, Referral, Registration, Stage
    from parcours.organisations.models import Site

    referral = Referral.objects.select_related("school", "prescriber", "person").get(
        person__last_name=LAST_NAME, person__first_name=FIRST_NAME
    )
    now = timezone.now().replace(second=0, microsecond=0)
    session = InfoSession.objects.create(
        school=referral.school,
        site=Site.objects.get(school=referral.school, name=SITE_NAME),
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
        capacity=10,
        created_by=get_user_model().objects.get(email=intake_email),
    )
    Registration.objects.create(
        school=referral.school,
        session=session,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        email=EMAIL,
        prescriber_name=referral.prescriber.name,
        referral=referral,
    )
    referral.stage = Stage.INFO_SESSION
    referral.save(update_fields=["stage", "updated_at"])
    return session


def test_intake_journey_from_referral_to_entry(
    page: Page, browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.organisations.models import Membership

    today = timezone.localdate()
    slug = demo_accounts["prescriber"].school_slug

    # (a) The prescriber refers a young person ------------------------------------------
    prescriber = demo_accounts["prescriber"]
    login(page, demo_server, prescriber.email, demo_password)
    main_nav(page).get_by_role("link", name="Mes orientations").click()
    expect(h1(page)).to_have_text("Mes orientations")
    expect(main_nav(page).get_by_role("link", name="Mes orientations")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Orienter une personne").click()
    expect(h1(page)).to_have_text(f"Orienter une personne vers {SCHOOL_NAME}")

    field(page, "Nom").fill(LAST_NAME)
    field(page, "Prénom").fill(FIRST_NAME)
    field(page, "Date de naissance").fill(years_before(today, 19).isoformat())
    field(page, "Sexe").select_option(label="Femme")
    field(page, "E-mail").fill(EMAIL)
    field(page, "Téléphone").fill("06 12 34 56 78")
    field(page, "Situation").select_option(label="Demandeur d'emploi inscrit à France Travail")
    field(page, "Sortie du système scolaire le").fill(years_before(today, 2).isoformat())
    field(page, "Motif de l'orientation").fill(REASON)
    page.get_by_role("button", name="Transmettre l'orientation").click()

    expect_message(page, f"Votre orientation de {FULL_NAME} a été transmise à l'école.")
    expect(h1(page)).to_have_text(FULL_NAME)
    expect(page.locator(".registration-status")).to_have_text("Orientation reçue")
    page.get_by_role("navigation", name=BREADCRUMB).get_by_role(
        "link", name="Mes orientations"
    ).click()
    my_referrals = page.get_by_role("table", name="Mes orientations, les plus récentes d'abord")
    row = body_rows(my_referrals).filter(has=page.get_by_role("rowheader", name=FULL_NAME))
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(0)).to_have_text(day(today))
    expect(row.get_by_role("cell").nth(1)).to_have_text("Orientation reçue")

    # (b) The intake officer schedules an information session a week ahead -----------------
    intake = demo_accounts["intake"]
    week_ahead = today + datetime.timedelta(days=7)
    with other_page(browser) as officer:
        login(officer, demo_server, intake.email, demo_password)
        main_nav(officer).get_by_role("link", name="Informations collectives").click()
        expect(h1(officer)).to_have_text("Informations collectives")
        officer.get_by_role("link", name="Programmer une information collective").click()
        expect(h1(officer)).to_have_text("Nouvelle information collective")
        field(officer, "Site").select_option(label=SITE_NAME)
        field(officer, "Date").fill(week_ahead.isoformat())
        field(officer, "Heure de début").fill("14:00")
        field(officer, "Heure de fin").fill("16:00")
        field(officer, "Nombre de places").fill("8")
        field(officer, "Information publique").fill(PUBLIC_NOTE)
        officer.get_by_role("button", name="Enregistrer").click()

        expect_message(officer, f"L'information collective du {day(week_ahead)} est programmée.")
        expect(h1(officer)).to_have_text(f"Information collective du {day(week_ahead)}")
        facts = officer.locator("dl.facts")
        expect(facts).to_contain_text("14h00–16h00")
        expect(facts).to_contain_text(SITE_NAME)
        expect(facts).to_contain_text(re.compile(r"Inscrit·es / places\s*0 / 8"))
        expect(officer.get_by_text("Personne n'est encore inscrit·e.")).to_be_visible()
        session_url = officer.url

        # (c) An anonymous visitor registers on the public agenda --------------------------
        with other_page(browser) as visitor:
            visitor.goto(f"{demo_server}/agenda/{slug}/")
            expect(h1(visitor)).to_have_text(f"Informations collectives — {SCHOOL_NAME}")
            expect(visitor.get_by_role("button", name="Se déconnecter")).to_have_count(0)
            agenda = visitor.get_by_role("list", name="Prochaines informations collectives")
            card = agenda.get_by_role("listitem").filter(has_text=PUBLIC_NOTE)
            expect(card).to_have_count(1)
            expect(card.get_by_role("heading", level=2)).to_contain_text(day(week_ahead))
            expect(card).to_contain_text("de 14h00 à 16h00")
            expect(card).to_contain_text("8 places disponibles")
            card.get_by_role("link", name=re.compile(r"^S.inscrire")).click()

            expect(h1(visitor)).to_have_text(
                f"Inscription à l'information collective du {day(week_ahead)}"
            )
            expect(visitor.get_by_text("Il reste 8 places.")).to_be_visible()
            field(visitor, "Prénom").fill(VISITOR_FIRST)
            field(visitor, "Nom").fill(VISITOR_LAST)
            field(visitor, "Téléphone").fill("07 81 22 33 44")
            field(visitor, "Structure qui vous oriente").fill("Mission Locale")
            visitor.get_by_role("button", name="M'inscrire").click()

            expect_message(visitor, "Votre inscription est enregistrée.")
            expect(h1(visitor)).to_have_text("Votre inscription")
            expect(visitor.locator(".registration-status")).to_have_text(
                f"{VISITOR_FIRST}, vous êtes inscrit·e."
            )
            expect(visitor.get_by_role("main")).to_contain_text(PUBLIC_NOTE)
            ics_link = visitor.get_by_role("link", name="Ajouter à mon agenda (fichier iCalendar)")
            expect(ics_link).to_have_attribute("href", re.compile(r"\.ics$"))
            with visitor.expect_download() as download_info:
                ics_link.click()
            download = download_info.value
            assert (
                download.suggested_filename
                == f"information-collective-{slug}-{week_ahead.isoformat()}.ics"
            )
            ics = Path(download.path()).read_text(encoding="utf-8")
            assert "BEGIN:VCALENDAR" in ics
            assert f"DTSTART;TZID=Europe/Paris:{week_ahead:%Y%m%d}T140000" in ics
            assert VISITOR_LAST not in ics, "the calendar file must hold no personal data"

        # The officer sees the online registration on the session's page.
        officer.goto(session_url)
        registrations = officer.get_by_role(
            "table",
            name="Personnes inscrites, sur liste d'attente ou dont l'inscription est annulée",
        )
        visitor_row = body_rows(registrations).filter(
            has=officer.get_by_role("rowheader", name=f"{VISITOR_LAST.upper()} {VISITOR_FIRST}")
        )
        expect(visitor_row).to_have_count(1)
        expect(visitor_row).to_contain_text("inscription en ligne")
        expect(visitor_row).to_contain_text("Mission Locale")
        expect(officer.locator("dl.facts")).to_contain_text(
            re.compile(r"Inscrit·es / places\s*1 / 8")
        )

        # (d) Attendance at a session that has started (set up in the database) -------------
        past = past_session_with_candidate(intake.email)
        starts, ends = timezone.localtime(past.starts_at), timezone.localtime(past.ends_at)
        hours = f"{starts.hour}h{starts:%M}–{ends.hour}h{ends:%M}"
        main_nav(officer).get_by_role("link", name="Informations collectives").click()
        sessions = officer.get_by_role(
            "table", name="Informations collectives : à venir d'abord, puis passées"
        )
        session_row = (
            body_rows(sessions)
            .filter(has=officer.get_by_role("rowheader", name=day(starts)))
            .filter(has=officer.get_by_role("cell", name=hours, exact=True))
        )
        expect(session_row).to_have_count(1)
        expect(session_row).to_contain_text("En cours")
        session_row.get_by_role("link", name=day(starts)).click()
        expect(h1(officer)).to_have_text(f"Information collective du {day(starts)}")
        officer.get_by_role("link", name="Saisir les présences").click()
        expect(h1(officer)).to_have_text(f"Présences à l'information collective du {day(starts)}")
        officer.get_by_label(LISTED_NAME).check()
        officer.get_by_role("button", name="Enregistrer les présences").click()

        expect_message(officer, "Présences enregistrées : 1 présent·es sur 1 inscrit·es.")
        registrations = officer.get_by_role(
            "table",
            name="Personnes inscrites, sur liste d'attente ou dont l'inscription est annulée",
        )
        candidate_row = body_rows(registrations).filter(
            has=officer.get_by_role("rowheader", name=LISTED_NAME)
        )
        expect(candidate_row).to_contain_text("Présent·e")
        expect(officer.locator("dl.facts")).to_contain_text(re.compile(r"Présent·es\s*1"))

        # (e) Interview, admission after the eligibility check, entry ------------------------
        main_nav(officer).get_by_role("link", name="Candidatures").click()
        expect(h1(officer)).to_have_text("Candidatures par étape")
        column = officer.get_by_role("region", name=re.compile(r"^Information collective"))
        column.get_by_role("link", name=FULL_NAME).click()
        expect(h1(officer)).to_have_text(FULL_NAME)
        expect(officer.locator("dl.facts")).to_contain_text(
            re.compile(r"Étape\s*Information collective")
        )
        sessions_attended = officer.get_by_role("region", name="Informations collectives")
        expect(sessions_attended).to_contain_text("Présent·e")

        officer.get_by_role("link", name="Enregistrer un entretien").click()
        expect(h1(officer)).to_have_text(f"Entretien avec {FULL_NAME}")
        held = timezone.localtime() - datetime.timedelta(minutes=2)
        held_time = held.strftime("%H:%M") if held.date() == today else "00:00"
        field(officer, "Heure").fill(held_time)
        field(officer, "Notes d'entretien").fill(INTERVIEW_NOTES)
        officer.get_by_role("button", name="Enregistrer l'entretien").click()

        expect_message(officer, "L'entretien est enregistré.")
        expect(officer.locator("dl.facts")).to_contain_text(re.compile(r"Étape\s*Entretien"))
        interviews = officer.get_by_role("region", name="Entretiens")
        expect(interviews.get_by_role("heading", level=3)).to_have_text(
            f"Entretien du {day(today)} à {held_time}, mené par "
            f"{intake.first_name} {intake.last_name}"
        )
        expect(interviews).to_contain_text(INTERVIEW_NOTES)

        officer.get_by_role("link", name="Enregistrer une décision").click()
        expect(h1(officer)).to_have_text(f"Décision pour {FULL_NAME}")
        field(officer, "Décision").select_option(label="Admis·e")
        field(officer, "Date d'entrée prévue").fill(today.isoformat())
        field(officer, "Site d'entrée").select_option(label=SITE_NAME)
        field(officer, "Motif").fill(DECISION_REASON)
        officer.get_by_role("button", name="Enregistrer la décision").click()

        # The eligibility check on the planned entry date, before anything is written.
        check = officer.get_by_role("region", name="Vérification avant l'admission")
        eligibility = check.get_by_role(
            "table",
            name=f"Critères d'éligibilité au {day(today)}",  # the start of the caption
        )
        criteria = body_rows(eligibility)
        expect(criteria.first).to_be_visible()
        results = [row.get_by_role("cell").first.inner_text().strip() for row in criteria.all()]
        assert results and set(results) == {"Rempli"}, results
        expect(check).to_contain_text(
            "La personne remplit tous les critères d'éligibilité à cette date."
        )
        expect(officer.locator(".messages")).to_have_count(0)  # nothing recorded yet
        officer.get_by_role("button", name="Confirmer l'admission").click()

        expect_message(officer, "Décision enregistrée : admis·e.")
        facts = officer.locator("dl.facts")
        expect(facts).to_contain_text(re.compile(r"Étape\s*Décision"))
        expect(facts).to_contain_text(f"Admis·e — entrée prévue le {day(today)}")
        decisions = officer.get_by_role("region", name="Décisions")
        expect(body_rows(decisions.get_by_role("table"))).to_have_count(1)
        expect(decisions).to_contain_text(DECISION_REASON)

        officer.get_by_role("link", name="Enregistrer l'entrée").click()
        expect(h1(officer)).to_have_text(f"Entrée de {FULL_NAME}")
        expect(field(officer, "Date d'entrée")).to_have_value(today.isoformat())
        referent = demo_accounts["referent"]
        referent_role = (
            Membership.objects.get(user__email=referent.email, school__slug=slug)
        ).get_role_display()
        field(officer, "Référent·e").select_option(
            label=f"{referent.first_name} {referent.last_name} ({referent_role})"
        )
        field(officer, "Adresse").fill("12 rue des Essais")
        field(officer, "Code postal").fill("63000")
        field(officer, "Commune").fill("Clermont-Ferrand")
        field(officer, "Plus haut diplôme").select_option(label="Aucun diplôme (infra niveau 3)")
        field(officer, "RQTH (reconnaissance de handicap)").select_option(label="Non")
        field(officer, "Bénéficiaire du RSA").select_option(label="Non")
        field(officer, "Ménage sans emploi").select_option(label="Ne souhaite pas répondre")
        field(officer, "Parent isolé avec enfant(s) à charge").select_option(label="Non")
        field(officer, "Sans domicile ou exclu du logement").select_option(label="Non")
        field(officer, "Personne d'origine étrangère").select_option(
            label="Ne souhaite pas répondre"
        )
        officer.get_by_role("button", name="Enregistrer l'entrée").click()

        expect_message(
            officer,
            f"L'entrée de {FULL_NAME} est enregistrée : son parcours commence le {day(today)}.",
        )
        expect(h1(officer)).to_have_text(FULL_NAME)
        expect(officer.locator("dl.facts")).to_contain_text(re.compile(r"Étape\s*Entré·e"))
        expect(officer.get_by_role("main")).to_contain_text(
            f"Entré·e le {day(today)} sur le site {SITE_NAME}. "
            f"Référent·e : {referent.first_name} {referent.last_name}."
        )
        # A closed candidacy offers no more intake actions.
        expect(officer.get_by_role("link", name="Enregistrer une décision")).to_have_count(0)

    # (f) Back to the prescriber: the new status, none of the school's notes ---------------
    main_nav(page).get_by_role("link", name="Mes orientations").click()
    my_referrals = page.get_by_role("table", name="Mes orientations, les plus récentes d'abord")
    row = body_rows(my_referrals).filter(has=page.get_by_role("rowheader", name=FULL_NAME))
    expect(row.get_by_role("cell").nth(1)).to_have_text(f"Entré·e à l'école le {day(today)}")
    row.get_by_role("link", name=FULL_NAME).click()
    expect(h1(page)).to_have_text(FULL_NAME)
    expect(page.locator(".registration-status")).to_have_text(f"Entré·e à l'école le {day(today)}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(re.compile(rf"Entrée le\s*{re.escape(day(today))}"))
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(INTERVIEW_NOTES)
    expect(main).not_to_contain_text("NOTES-ENTRETIEN")
    expect(main).not_to_contain_text(DECISION_REASON)
    expect(main).not_to_contain_text("MOTIF-INTERNE")
    expect(page.get_by_role("link", name="Enregistrer un entretien")).to_have_count(0)
