"""The companies journey (issue 7), in a real browser: the company-relations officer creates a
partner company (a SIRET with a wrong check digit is refused first) and its tutor, records an
internship for a trainee, records the agreement's signatures — the internship's days then show
"in company" in attendance —, then sends the tutor of a finished internship the private link;
the tutor, with no account, fills the review from the e-mailed link, which then no longer
works; the officer sees the review on the internship page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from e2e.helpers import day, field, login, main_nav, other_page

pytestmark = pytest.mark.e2e

COMPANY = "Menuiserie des Combrailles"
SIRET_BAD = "732 829 320 00075"  # wrong check digit
SIRET = "732 829 320 00074"
TUTOR = ("Beaulieu", "Anaïs")


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def _free_trainee():
    """An adult, active trainee of the demo school whose pathway runs five more weeks, with no
    internship in the two weeks that start three weeks from now."""
    from parcours.companies.models import Internship
    from parcours.pathways.models import Enrolment

    today = timezone.localdate()
    start = today + datetime.timedelta(days=21 + (7 - today.weekday()) % 7)  # a Monday
    end = start + datetime.timedelta(days=11)  # the Friday of the next week
    busy = Internship.objects.filter(start_date__lte=end, end_date__gte=start).values(
        "enrolment_id"
    )
    enrolment = (
        Enrolment.objects.filter(
            school__slug="e2c-63",
            ended_on__isnull=True,
            entry_date__lte=today,
            planned_end_date__gte=end + datetime.timedelta(days=7),
            # An adult: a minor's agreement needs the legal guardian's signature too.
            person__birth_date__lte=datetime.date(start.year - 18, 1, 1),
        )
        .exclude(pk__in=busy)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    assert enrolment is not None, "the demo should have a trainee free for an internship"
    return enrolment, start, end


def _finished_internship_without_review():
    from parcours.companies.models import Internship

    today = timezone.localdate()
    internship = (
        Internship.objects.filter(
            school__slug="e2c-63",
            cancelled_at__isnull=True,
            end_date__lt=today,
            end_date__gte=today - datetime.timedelta(days=60),
            review__isnull=True,
        )
        .exclude(tutor__email="")
        .select_related("enrolment__person", "company", "tutor")
        .order_by("-end_date", "pk")
        .first()
    )
    assert internship is not None, "the demo should have a finished internship awaiting review"
    return internship


def test_company_relations_create_a_company_an_internship_and_get_the_tutors_review(
    page: Page, browser: Browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.companies.models import Company, Internship, TutorReview
    from parcours.schedule.models import AttendanceMark

    officer = demo_accounts["company_relations"]
    login(page, demo_server, officer.email, demo_password)

    # A new partner company; a SIRET with a wrong check digit is refused, nothing is written.
    main_nav(page).get_by_role("link", name="Entreprises").click()
    expect(h1(page)).to_have_text("Entreprises partenaires")
    page.get_by_role("link", name="Ajouter une entreprise").click()
    field(page, "Raison sociale").fill(COMPANY)
    field(page, "SIRET").fill(SIRET_BAD)
    field(page, "Secteur").select_option(label="Bâtiment, travaux publics")
    field(page, "Commune").fill("Riom")
    page.get_by_role("button", name="Créer l'entreprise").click()
    expect(page.get_by_role("main")).to_contain_text("clé de contrôle")
    assert not Company.objects.filter(name=COMPANY).exists()
    field(page, "SIRET").fill(SIRET)
    page.get_by_role("button", name="Créer l'entreprise").click()
    expect(h1(page)).to_contain_text(COMPANY)
    company = Company.objects.get(name=COMPANY)
    assert company.siret == SIRET.replace(" ", "")

    # Its tutor, who also signs agreements.
    page.get_by_role("link", name="Ajouter un contact").click()
    field(page, "Nom").fill(TUTOR[0])
    field(page, "Prénom").fill(TUTOR[1])
    field(page, "E-mail").fill("anais.beaulieu@menuiserie-combrailles.example")
    page.get_by_label(re.compile("^Tuteur·rice")).check()
    page.get_by_label(re.compile("^Signataire")).check()
    page.get_by_role("button", name="Ajouter le contact").click()
    expect(h1(page)).to_contain_text(COMPANY)
    expect(page.get_by_role("main")).to_contain_text(f"{TUTOR[1]} {TUTOR[0]}")

    # An internship for a trainee, from the trainee's page.
    enrolment, start, end = _free_trainee()
    person = enrolment.person
    page.goto(f"{demo_server}/e/e2c-63/stagiaires/{enrolment.pk}/")
    expect(h1(page)).to_have_text(person.full_name)
    page.get_by_role("link", name="Enregistrer un stage ou une PMSMP").click()
    field(page, "Entreprise").first.select_option(label=COMPANY)
    page.get_by_role("button", name=re.compile("Continuer|Changer d'entreprise")).click()
    tutor_option = f"{TUTOR[1]} {TUTOR[0]} (tuteur·rice, signataire)"  # name and roles
    field(page, "Tuteur·rice").select_option(label=tutor_option)
    field(page, "Signataire de l'entreprise").select_option(label=tutor_option)
    field(page, "Poste occupé").fill("Aide menuisier")
    field(page, "Date de début").fill(start.isoformat())
    field(page, "Date de fin").fill(end.isoformat())
    field(page, "Heures par semaine").fill("35")
    field(page, "Activités confiées").fill("Ponçage, assemblage, rangement de l'atelier.")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(h1(page)).to_contain_text(person.full_name)
    expect(page.get_by_role("main")).to_contain_text(f"du {day(start)} au {day(end)}")
    internship = Internship.objects.get(enrolment=enrolment, company=company)
    expect(page.get_by_role("main")).to_contain_text("signatures manquantes")
    assert not AttendanceMark.objects.filter(
        enrolment=enrolment, day=start, status="company"
    ).exists()

    # The agreement's signatures, one by one: then the internship may start.
    for role in ("L'école", "Le ou la stagiaire", "Signataire de l'entreprise"):
        page.get_by_role(
            "link", name=re.compile(f"Enregistrer la signature.*{re.escape(role)}")
        ).click()
        signer = field(page, "Nom du ou de la signataire")
        if not signer.input_value():
            signer.fill("Claire Vasseur")
        field(page, "Signée le").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Enregistrer la signature").click()
        expect(h1(page)).to_contain_text(person.full_name)
    expect(page.get_by_role("main")).to_contain_text("signée par toutes les parties")
    assert AttendanceMark.objects.filter(enrolment=enrolment, day=start, status="company").exists()
    assert internship.signatures.count() == 3

    # A finished internship awaiting its review: the tutor gets the private link by e-mail.
    finished = _finished_internship_without_review()
    page.goto(f"{demo_server}/e/e2c-63/stages/{finished.pk}/")
    page.get_by_role(
        "link", name=re.compile("lien au ou à la tuteur·rice|Renvoyer un lien")
    ).click()
    mail.outbox.clear()
    page.locator("main form[method=post] button[type=submit]").click()
    expect(h1(page)).to_contain_text(finished.enrolment.person.full_name)
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/bilan-de-stage/[\w-]+/", mail.outbox[0].body).group(0)
    path = link[link.index("/bilan-de-stage/") :]

    with other_page(browser) as tutor:  # no account, no login
        tutor.goto(f"{demo_server}{path}")
        main = tutor.get_by_role("main")
        expect(main).to_contain_text(finished.company.name)
        expect(main).not_to_contain_text(finished.enrolment.person.last_name)
        expect(tutor.get_by_role("navigation", name="Navigation principale")).to_have_count(0)
        tutor.get_by_role("group", name=re.compile("^Ponctualité")).get_by_label(
            "Très satisfaisant"
        ).check()
        tutor.get_by_role("group", name=re.compile("^Savoir-être")).get_by_label(
            "Satisfaisant", exact=True
        ).check()
        tutor.get_by_label(re.compile("^Tâches maîtrisées")).fill("Mise en rayon, accueil.")
        tutor.get_by_role("group", name=re.compile("^Embaucheriez-vous")).get_by_label(
            "Oui"
        ).check()
        tutor.get_by_label(re.compile("^Votre nom")).fill(finished.tutor.full_name)
        tutor.get_by_role("button", name="Envoyer le bilan").click()
        expect(tutor.get_by_role("main")).to_contain_text("Merci")
        # The link works once.
        tutor.goto(f"{demo_server}{path}")
        expect(tutor.get_by_role("main")).to_contain_text("plus valable")

    review = TutorReview.objects.get(internship=finished)
    assert (review.punctuality, review.attitude, review.would_hire) == (4, 3, "yes")
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Mise en rayon, accueil.")
