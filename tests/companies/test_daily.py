"""``parcours daily``: runs the daily tasks and prints a line per task with its count."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from parcours.companies import services_reviews as services
from parcours.organisations.management.commands import daily

from .review_helpers import at, new_internship

pytestmark = pytest.mark.django_db


def test_daily_sends_the_due_reminders(world):
    end = timezone.localdate() - datetime.timedelta(days=8)
    internship = new_internship(world, start=end - datetime.timedelta(days=11), end=end)
    services.send_tutor_link(
        membership=world.members["company_relations"], internship=internship, now=at(end)
    )
    mail.outbox.clear()
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "relances des bilans de stage : 1" in out.getvalue().splitlines()
    # The world's exits also bring their follow-up digests: count the tutor's e-mails only.
    tutor_email = internship.tutor.email
    assert [m.to for m in mail.outbox].count([tutor_email]) == 1
    out = io.StringIO()
    call_command("daily", stdout=out)
    assert "relances des bilans de stage : 0" in out.getvalue().splitlines()


def test_a_failing_task_is_reported_and_the_others_run(world, monkeypatch):
    monkeypatch.setattr(
        daily,
        "TASKS",
        [("en panne", "builtins.int.does_not_exist"), ("compte", "builtins.int")],
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="en panne"):
        call_command("daily", stdout=out, stderr=err)
    assert "compte : 0" in out.getvalue()
