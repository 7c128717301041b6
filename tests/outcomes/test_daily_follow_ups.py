"""``parcours daily`` and the follow-ups after the exit, with a frozen clock: it creates the
waves that fall due, e-mails the digests, and a second run does nothing twice."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from parcours.organisations.management.commands import daily
from parcours.outcomes.models import ExitFollowUp

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
CREATE = "suivis après la sortie créés"
DIGESTS = "récapitulatifs des suivis envoyés"


def _run() -> dict[str, str]:
    out = io.StringIO()
    call_command("daily", stdout=out)
    lines = dict(line.split(" : ") for line in out.getvalue().strip().splitlines())
    return lines


def _frozen(year: int, month: int, day: int, hour: int = 6):
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=PARIS), tick=False)


def test_the_tasks_are_registered_creation_first():
    paths = [dotted for _label, dotted in daily.TASKS]
    create = paths.index("parcours.outcomes.services_follow_ups.create_due_follow_ups")
    digests = paths.index("parcours.outcomes.services_follow_ups.send_follow_up_digests")
    assert create < digests


def test_daily_creates_the_due_waves_and_mails_the_digests_once(world):
    world_exit = world.objects["exit"]  # exited 29/03/2024, both schools alike
    # The day before the 6-month wave: the 3-month ones exist already; the digests go out.
    with _frozen(2024, 9, 28):
        mail.outbox.clear()
        lines = _run()
        assert lines[CREATE] == "0"
        assert lines[DIGESTS] == "2"  # school A's referent, school B's referent
        assert sorted(m.to[0] for m in mail.outbox) == sorted(
            [world.members["referent"].user.email, world.outsider.user.email]
        )
    # The due day: one wave per school, one digest per referent listing only the new one.
    with _frozen(2024, 9, 29):
        mail.outbox.clear()
        lines = _run()
        assert lines[CREATE] == "2"
        assert lines[DIGESTS] == "2"
        assert set(world_exit.follow_ups.values_list("wave", "due_on")) == {
            (3, datetime.date(2024, 6, 29)),
            (6, datetime.date(2024, 9, 29)),
        }
        mine = next(m for m in mail.outbox if m.to == [world.members["referent"].user.email])
        assert mine.subject == "1 suivi après la sortie à faire — E2C Alpha"
        assert "suivi à 6 mois (sortie le 29/03/2024), à faire depuis le 29/09/2024" in mine.body
        assert "à 3 mois" not in mine.body
        # Run again the same day (or the scheduler retried): nothing twice.
        mail.outbox.clear()
        lines = _run()
        assert (lines[CREATE], lines[DIGESTS]) == ("0", "0")
        assert mail.outbox == []
    assert ExitFollowUp.objects.filter(exit=world_exit).count() == 2
    # A year after the exit: the 12-month wave.
    with _frozen(2025, 3, 29, hour=0):  # 23:00 UTC the day before: the local day counts
        lines = _run()
        assert (lines[CREATE], lines[DIGESTS]) == ("2", "2")
        assert world_exit.follow_ups.filter(wave=12).get().due_on == datetime.date(2025, 3, 29)
        assert (_run()[CREATE], _run()[DIGESTS]) == ("0", "0")
