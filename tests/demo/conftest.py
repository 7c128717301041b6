"""The demo, built once for the tests of this package (per test worker) and rolled back after.

Building the demo takes about a minute: the tests that only read it share one build
(``demo_output``, run as ``parcours demo --force`` with DEBUG off, as on a server); the few
that test the command itself (``--reset``, refusals) run it again inside their own test, which
rolls back to the shared build.
"""

from __future__ import annotations

import datetime
import time
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone


def noon_today() -> datetime.datetime:
    """Noon of the school's today: where the demo's package runs, its clock ticking."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(timezone.localdate(), datetime.time(12), tzinfo=zone)


@pytest.fixture(scope="package")
def demo_output(django_db_setup, django_db_blocker) -> tuple[str, float]:
    """The output of ``parcours demo --force`` and its duration in seconds.

    The build and every test of the package that uses it run from noon of today, the clock
    ticking: a run crossing midnight would otherwise build the demo on one day and check its
    "today" (company days, past sessions, a rebuild's fingerprint) against the next. The
    price: these tests no longer run in the evening, where a UTC-versus-local date mistake
    would show (other packages' tests still do); and the database's own clock does not move
    (the application reads none).
    """
    with (
        time_machine.travel(noon_today(), tick=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        out = StringIO()
        started = time.monotonic()
        call_command("demo", "--force", stdout=out)
        elapsed = time.monotonic() - started
        # The demo's foreign keys checked once, here: left deferred, every test's teardown
        # (check_constraints after rolling back its savepoint) re-checked all ~270,000 rows.
        connection.check_constraints()
        yield out.getvalue(), elapsed
        transaction.set_rollback(True)


@pytest.fixture
def demo_built(demo_output, db) -> str:
    """The demo is in the database (for this test, which is rolled back)."""
    return demo_output[0]
