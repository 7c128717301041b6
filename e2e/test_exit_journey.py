"""The exit journey (issue 8), in a real browser: a referent opens one of their trainees in
progress, records the exit (a CDD of 4 months), sees the confirmation page listing what the
exit closes (the open phase, the open goals of the plan), confirms, and finds the exit on the
trainee's page."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import day, expect_message, field, login

pytestmark = pytest.mark.e2e

EMPLOYER = "Transports Volcans Logistique"


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def _trainee_in_progress(referent_email: str):
    """An enrolment in progress of the demo referent's caseload, with an open phase and open
    goals in its plan, and no presence marked after today."""
    from parcours.pathways.models import Enrolment, GoalStatus

    enrolment = (
        Enrolment.objects.filter(
            school__slug="e2c-63",
            status="active",
            referent__user__email=referent_email,
            phases__ended_on__isnull=True,
            plans__goals__status__in=[GoalStatus.TODO, GoalStatus.IN_PROGRESS],
        )
        .select_related("person")
        .order_by("pk")
        .first()
    )
    assert enrolment is not None, "the demo referent should follow a trainee in progress"
    return enrolment


def test_referent_records_an_exit_after_the_confirmation(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.audit.models import AuditEvent
    from parcours.outcomes.models import Exit

    referent = demo_accounts["referent"]
    enrolment = _trainee_in_progress(referent.email)
    person = enrolment.person
    login(page, demo_server, referent.email, demo_password)

    page.goto(f"{demo_server}/e/e2c-63/stagiaires/{enrolment.pk}/")
    expect(h1(page)).to_have_text(person.full_name)
    page.get_by_role("link", name="Enregistrer la sortie").click()
    expect(h1(page)).to_contain_text("Enregistrer la sortie")

    today = timezone.localdate()
    field(page, "Date de sortie").fill(today.isoformat())
    field(page, "Destination").select_option(label="CDD")
    field(page, "Durée (mois)").fill("4")
    field(page, "et jours").fill("0")
    field(page, "Employeur ou organisme de formation").fill(EMPLOYER)
    field(page, "Motif d'abandon").select_option(value="")
    page.get_by_role("button", name="Continuer").click()

    # The confirmation lists what the exit closes; nothing is written yet.
    expect(h1(page)).to_contain_text("Confirmer la sortie")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Ce que la sortie va clore")
    expect(main).to_contain_text("La phase en cours")
    expect(main).to_contain_text(re.compile(r"pass(e|ent) à « Abandonné »"))
    expect(main).to_contain_text(EMPLOYER)
    assert not Exit.objects.filter(enrolment=enrolment).exists()

    page.get_by_role("button", name="Confirmer la sortie").click()
    expect(h1(page)).to_have_text(person.full_name)
    expect_message(page, "Sortie enregistrée pour")
    section = page.locator("section", has=page.get_by_role("heading", name="Sortie", exact=True))
    expect(section).to_contain_text(day(today))
    expect(section).to_contain_text("CDD")
    expect(section).to_contain_text("4 mois")
    expect(section).to_contain_text(EMPLOYER)
    expect(section).to_contain_text("à 3 mois")
    expect(section.get_by_role("link", name="Corriger la sortie")).to_be_visible()
    expect(page.get_by_role("link", name="Enregistrer la sortie")).to_have_count(0)

    exit_ = Exit.objects.get(enrolment=enrolment)
    assert (exit_.destination, exit_.months, exit_.exit_date) == ("cdd", 4, today)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on) == ("exited", today)
    assert AuditEvent.objects.filter(action="exit.record", object_id=str(exit_.pk)).exists()
