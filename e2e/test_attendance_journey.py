"""The attendance journey (issue 6), in a real browser: a trainer finds their session in the
week's timetable, opens its attendance sheet (everyone present by default), marks the
exceptions — one unexcused absence, one absence excused for illness — and saves; the marks
are in the database and the sheet shows them again."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import expect_message, login, main_nav

pytestmark = pytest.mark.e2e


def trainer_session(email: str):
    """The trainer's latest session up to today, in a month still open, with at least three
    trainees whose pathway covers that day (the demo's timetable runs four weeks ahead; the
    director closes each month on the 5th of the next)."""
    from parcours.schedule.models import ClosedMonth, Session

    today = timezone.localdate()
    closed = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    after = (closed + datetime.timedelta(days=32)).replace(day=1) if closed else datetime.date.min
    for session in (
        Session.objects.filter(trainer__user__email=email, day__lte=today, day__gte=after)
        .select_related("site")
        .order_by("-day", "-start_time")[:40]
    ):
        places = [
            p.enrolment
            for p in session.participants.select_related("enrolment__person")
            if p.enrolment.entry_date <= session.day
            and (p.enrolment.ended_on is None or p.enrolment.ended_on >= session.day)
        ]
        if len(places) >= 3:
            return session, places
    pytest.fail("the demo referent should have a recent session with trainees")


def test_a_trainer_marks_a_sessions_attendance(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.schedule.models import AttendanceMark

    referent = demo_accounts["referent"]
    session, trainees = trainer_session(referent.email)
    absent, ill = trainees[0], trainees[1]

    login(page, demo_server, referent.email, demo_password)
    main_nav(page).get_by_role("link", name="Planning").click()
    page.goto(f"{demo_server}/e/e2c-63/planning/?semaine={session.day:%Y-%m-%d}")
    # This session's own link: the week often holds others of the same title (its morning
    # half, another day), and the first of them is not always the one chosen.
    detail = reverse("schedule:session", args=["e2c-63", session.pk])
    page.get_by_role("link", name=session.display_title).and_(
        page.locator(f'a[href="{detail}"]')
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(session.display_title)
    page.get_by_role("link", name="Émargement de la séance").click()

    # The sheet shows each trainee's mark, present when none was recorded yet.
    labels = {"present": "Présent·e", "unexcused": "Absence injustifiée"}
    for enrolment in trainees[:3]:
        mark = AttendanceMark.objects.filter(
            enrolment=enrolment, day=session.day, half=session.halves[0]
        ).first()
        status = mark.status if mark else "present"
        if status in labels:
            label = f"{labels[status]} — {enrolment.person.full_name}"
            expect(page.get_by_label(label)).to_be_checked()
    page.get_by_label(f"Absence injustifiée — {absent.person.full_name}").check()
    page.get_by_label(f"Absence justifiée — {ill.person.full_name}").check()
    row = page.locator("tr", has=page.get_by_role("rowheader", name=ill.person.full_name))
    row.get_by_role("combobox").select_option("illness")
    if session.day < timezone.localdate():  # a correction after the day needs a reason
        correction = page.get_by_label(re.compile("^Motif de la correction"))
        correction.select_option(index=1)
    page.get_by_role("button", name="Enregistrer l'émargement").click()
    expect_message(page, "L'émargement est enregistré.")

    for half in session.halves:
        assert (
            AttendanceMark.objects.get(enrolment=absent, day=session.day, half=half).status
            == "unexcused"
        )
        mark = AttendanceMark.objects.get(enrolment=ill, day=session.day, half=half)
        assert (mark.status, mark.reason) == ("excused", "illness")
