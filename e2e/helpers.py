"""Shared steps of the browser journeys."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Locator, Page, expect


def login(page: Page, base_url: str, email: str, password: str) -> None:
    """Open the login page and submit the credentials (the caller asserts where it lands)."""
    page.goto(f"{base_url.rstrip('/')}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


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
