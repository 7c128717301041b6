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


#: Where the demo's rows are kept between journeys: a schema on PostgreSQL, a table-name prefix
#: on SQLite. Not model tables, so the flush after each journey leaves them alone.
SNAPSHOT_SCHEMA = "e2e_demo_snapshot"
SNAPSHOT_PREFIX = "e2e_demo_snapshot__"


def _snapshot_name(connection, table: str) -> str:
    if connection.vendor == "postgresql":
        return f"{SNAPSHOT_SCHEMA}.{connection.ops.quote_name(table)}"
    return connection.ops.quote_name(f"{SNAPSHOT_PREFIX}{table}")


def _model_tables(connection) -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _tables_with_rows(connection, tables: list[str]) -> list[str]:
    """The tables of ``tables`` that hold at least one row, in one query."""
    if not tables:
        return []
    quote = connection.ops.quote_name
    # Names of the models' own tables, quoted: no outside input.
    sql = " UNION ALL ".join(
        f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(table)})"  # noqa: S608
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return [row[0] for row in cursor.fetchall()]


def _take_snapshot() -> list[str]:
    """Copy every model table's rows (the freshly built demo) aside, inside the database.
    Returns the tables that hold rows: the only ones ``_restore_snapshot`` copies back."""
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _drop_snapshot()
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE SCHEMA {SNAPSHOT_SCHEMA}")
        for table in _model_tables(connection):
            snapshot = _snapshot_name(connection, table)
            # Names of the models' own tables, quoted: no outside input.
            cursor.execute(f"CREATE TABLE {snapshot} AS SELECT * FROM {quote(table)}")  # noqa: S608
    return _tables_with_rows(connection, _model_tables(connection))


def _restore_snapshot(filled: list[str]) -> None:
    """Put the demo's rows back into the model tables: the same rows, primary keys included,
    as ``_build_demo`` makes, in a fraction of its time. Every model table is emptied first
    (the flush after a journey recreates the content types and permissions, with other ids),
    then the ``filled`` ones (those whose copy holds rows, ``_take_snapshot``) get their rows
    back: the others stay empty, as in the demo. The foreign keys are deferred (Django creates
    them so on both databases): checked at commit.

    On PostgreSQL, when the test role may (a superuser, as in CI and locally), the copy is put
    back with ``session_replication_role = replica`` for this transaction only: no trigger
    fires, so the commit skips re-checking every foreign key of the ~270,000 rows one by one
    (about two thirds of the restore's time). The rows are those of a committed, consistent
    database, every table at once, primary keys included: they satisfy their foreign keys by
    construction. The journey's own writes come afterwards and are checked as usual."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    tables = _model_tables(connection)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
            cursor.execute(sql)
        for table in filled:
            snapshot = _snapshot_name(connection, table)
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {snapshot}")  # noqa: S608


def _drop_snapshot() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {SNAPSHOT_SCHEMA} CASCADE")
            return
        for table in connection.introspection.table_names(cursor):
            if table.startswith(SNAPSHOT_PREFIX):
                cursor.execute(f"DROP TABLE {connection.ops.quote_name(table)}")


@pytest.fixture(scope="package")
def _demo_data(django_db_setup, django_db_blocker) -> Iterator[list[str]]:
    """The demo, built once for the browser tests of a test worker and committed (the live
    server's threads read it through their own connections). Building it takes about a minute,
    so it is built once and its rows copied aside (``_take_snapshot``): the live server makes
    each journey a transactional test, flushed afterwards, and the next journey gets the same
    demo back from the copy (``demo_server``), its primary keys included. Each journey creates
    its own records and reads the demo's, and does not depend on another journey having run.
    The database is emptied afterwards, as pytest-django does after a transactional test."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        _build_demo()
        filled = _take_snapshot()
    yield filled
    with django_db_blocker.unblock():
        _drop_snapshot()
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
        if not School.objects.filter(slug=FLAGSHIP_SLUG).exists():  # flushed after a test
            _restore_snapshot(_demo_data)
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
