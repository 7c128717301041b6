"""Fixtures for the real-browser tests: Debian's chromium driven by Playwright, the app served
by pytest-django's ``live_server`` with the demo data loaded.

Run them with ``uv run pytest e2e`` (or ``-m e2e``). Chromium comes from Debian's packages
(``make browser`` / ``scripts/ensure-chromium.sh``): never ``playwright install``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; Django would otherwise refuse
# synchronous database access from the test (fixtures and assertions that read the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous enough for a loaded CI machine, short enough to fail fast on a real problem.
DEFAULT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Debian chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium est introuvable ({CHROMIUM}) : les tests navigateur en ont besoin. "
            "Installez-le avec `make browser` (ou `bash scripts/ensure-chromium.sh`, "
            "qui installe le paquet Debian `chromium`). "
            "N'utilisez pas `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page in its own context (no shared cookies), in French, Paris time."""
    context = browser.new_context(
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _build_demo() -> None:
    from django.core.management import call_command

    call_command("demo", "--reset", "--force", verbosity=0)


@pytest.fixture(scope="package")
def _demo_data(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo, built once for the browser tests of a test worker and committed (the live
    server's threads read it through their own connections). Building it takes about a minute,
    so the journeys share it: each journey creates its own records and reads the demo's, and
    does not depend on another journey having run. The database is emptied afterwards, as
    pytest-django does after a transactional test."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        _build_demo()
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def demo_server(_demo_data, live_server, django_db_blocker) -> Iterator[str]:
    """The app served on loopback with the demo data loaded; returns the base URL. The test
    may read and write the database directly (its writes are committed, like the browser's)."""
    from django.core.cache import cache

    from parcours.demo.accounts import FLAGSHIP_SLUG
    from parcours.organisations.models import School

    # The live server shares this process's cache: the public pages' rate limits (per address,
    # 127.0.0.1 for every test) start from zero for each journey.
    cache.clear()
    with django_db_blocker.unblock():
        if not School.objects.filter(slug=FLAGSHIP_SLUG).exists():  # emptied by another test
            _build_demo()
        yield live_server.url


@pytest.fixture
def demo_accounts() -> dict:
    """The demo accounts by role (plus ``other_referent`` for the second school)."""
    from parcours.demo.accounts import DEMO_ACCOUNTS, FLAGSHIP_SLUG

    accounts = {}
    for account in DEMO_ACCOUNTS:
        key = account.role
        if account.school_slug not in (None, FLAGSHIP_SLUG):
            key = f"other_{account.role}"
        accounts[key] = account
    return accounts


@pytest.fixture
def demo_password() -> str:
    from parcours.demo.accounts import DEMO_PASSWORD

    return DEMO_PASSWORD
