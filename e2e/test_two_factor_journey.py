"""Two-factor login (issue 10), in a real browser: a new referent logs in with their password,
is sent to the enrolment page (and nowhere else), configures their app from the secret shown,
notes their backup codes and reaches the school; later, without their phone, they log in with a
backup code."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from e2e.helpers import code_from_secret

pytestmark = pytest.mark.e2e

EMAIL = "nouvelle.referente-e2e@e2c-63.demo"


def new_referent(password: str) -> None:
    """Set-up: a referent just hired at the demo school, with no authenticator app yet."""
    from parcours.accounts.models import User
    from parcours.demo.accounts import FLAGSHIP_SLUG
    from parcours.organisations.models import Membership, School

    school = School.objects.get(slug=FLAGSHIP_SLUG)
    user, _created = User.objects.get_or_create(
        email=EMAIL, defaults={"first_name": "Inès", "last_name": "Nouvelle-E2E"}
    )
    user.set_password(password)
    user.save()
    Membership.objects.get_or_create(
        user=user,
        school=school,
        defaults={
            "network": school.network,
            "role": "referent",
            "active_from": datetime.date.today(),
        },
    )


def submit_password(page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def test_referent_enrols_then_logs_in_with_a_backup_code(demo_server, page, demo_password):
    new_referent(demo_password)
    submit_password(page, demo_server, demo_password)

    # Sent to the enrolment page; the school's pages send back to it.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Activer la double authentification")
    expect(page.get_by_role("img", name="QR code de configuration")).to_be_visible()
    page.goto(f"{demo_server}/e/e2c-63/")
    expect(heading).to_have_text("Activer la double authentification")

    # The app is configured by hand from the secret shown; its first code confirms it.
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code affiché par l'application").fill(code_from_secret(secret))
    page.get_by_role("button", name="Activer").click()
    expect(heading).to_have_text("Vos codes de secours")
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(heading).to_contain_text("E2C Puy-de-Dôme")

    # « Mon compte » says it is on.
    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("main")).to_contain_text("Il vous reste 10 codes de secours.")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(heading).to_have_text("Connexion")

    # Without the phone: a backup code.
    submit_password(page, demo_server, demo_password)
    expect(heading).to_have_text("Code de vérification")
    page.get_by_label("Code de vérification").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    expect(heading).to_contain_text("E2C Puy-de-Dôme")
    expect(page.get_by_role("main")).to_contain_text("Il vous en reste 9.")
