"""Shared steps of the browser journeys."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Locator, Page, expect


def login(page: Page, base_url: str, email: str, password: str) -> None:
    """Open the login page, submit the credentials and, when the account asks for it, complete
    the second factor like its owner would: the code of their authenticator app (computed from
    the device's key, which the test can read in the database) or, at the first login of a
    director or referent, the enrolment (secret read from the page, first code, backup codes
    noted). The caller asserts where it lands."""
    page.goto(f"{base_url.rstrip('/')}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/connexion/code/" in page.url:
        enter_code(page, code_for(email))
    elif "/compte/double-authentification/" in page.url:
        enrol(page)


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Code de vérification").fill(code)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()


def enrol(page: Page) -> list[str]:
    """Complete the enrolment page: read the secret, type the current code, note the backup
    codes and continue. Returns the backup codes."""
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code affiché par l'application").fill(code_from_secret(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_load_state()
    codes = page.locator(".backup-codes code").all_inner_texts()
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    page.wait_for_load_state()
    return codes


def code_from_secret(secret: str) -> str:
    """The current code of the base-32 secret shown on the enrolment page."""
    from base64 import b32decode

    from django_otp.oath import totp

    key = b32decode("".join(secret.split()))
    return str(totp(key)).zfill(6)


def code_for(email: str) -> str:
    """The code the user's authenticator app shows, for a time step the server has not accepted
    yet (a code is accepted once: two logins in the same 30 s use the next step)."""
    import time

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email__iexact=email, confirmed=True)
    while True:
        now = int(time.time()) // device.step + device.drift
        for offset in (0, 1):  # the server accepts one step ahead
            if now + offset > device.last_t:
                drift = device.drift + offset
                return str(totp(device.bin_key, step=device.step, drift=drift)).zfill(6)
        time.sleep(1)


# Same settings as the ``page`` fixture of conftest.py: a second user gets their own context.
LOCALE = "fr-FR"
TIMEZONE = "Europe/Paris"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


@contextmanager
def other_page(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context (its own cookies): another user, or an anonymous one."""
    context = browser.new_context(locale=LOCALE, timezone_id=TIMEZONE, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def main_nav(page: Page) -> Locator:
    """The main navigation of the school's pages."""
    return page.get_by_role("navigation", name="Navigation principale")


def expect_message(page: Page, text: str) -> None:
    """A flash message (the ``role="status"`` box at the top of the main content) says ``text``."""
    expect(page.get_by_role("main").locator(".messages[role=status]")).to_contain_text(text)


def day(value: datetime.date | datetime.datetime) -> str:
    """A date as the pages show it (d/m/Y)."""
    return value.strftime("%d/%m/%Y")


def body_rows(table: Locator) -> Locator:
    """The body rows of a table (the header row excluded)."""
    return table.locator("tbody").get_by_role("row")


def field(scope: Page | Locator, label: str) -> Locator:
    """The form control labelled exactly ``label``, required or not.

    A required field's label ends with an asterisk (``aria-hidden``, but part of the label's
    text, which ``get_by_label`` matches): ``get_by_label("Nom", exact=True)`` would miss it,
    and without ``exact`` "Nom" would also match "Prénom".
    """
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))
