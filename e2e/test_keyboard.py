"""Keyboard only (issue 13, RGAA 7.3 and 12): a referent records a meeting and a trainer marks
a session's attendance without the mouse — Tab to move, arrows in radio groups and selects,
Space for a checkbox, Enter to follow a link or submit. At each step the focus moves forward in
the page's order and is visible (the ``:focus-visible`` ring of parcours.css)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import day, expect_message, login
from e2e.test_attendance_journey import trainer_session

pytestmark = pytest.mark.e2e

#: What the focused element is: its tag, label (or text), position in the document and whether
#: its focus ring shows.
FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const label = (el.labels && el.labels[0] ? el.labels[0].innerText
                 : el.getAttribute('aria-label') || el.innerText || '').trim();
  const all = Array.from(document.querySelectorAll('*'));
  return {
    tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', label: label,
    checked: !!el.checked, value: el.value === undefined ? '' : String(el.value),
    position: all.indexOf(el),
    // The ring of parcours.css; a date field's last stop is its calendar button, inside the
    // field (the host does not match :focus then, and its style cannot be read): the page's
    // stylesheet must give that button a ring of its own.
    visible: el.matches(':focus') ? ringed(style) : el.type === 'date' && calendarRinged(),
  };
  function ringed(style) {
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  }
  function calendarRinged() {
    return Array.from(document.styleSheets).some((sheet) => Array.from(sheet.cssRules).some(
      (rule) => (rule.selectorText || '').includes(
        '::-webkit-calendar-picker-indicator:focus-visible') && ringedRule(rule.style)));
  }
  function ringedRule(style) {  // a shorthand with var() leaves the longhands empty
    const outline = style.getPropertyValue('outline');
    const width = outline.match(/(\d+(?:\.\d+)?)px/);
    return /solid|dashed|dotted|double|auto/.test(outline) && !!width && parseFloat(width[1]) >= 2;
  }
}"""


class Keyboard:
    """Presses keys and follows the focus, asserting it moves forward and stays visible."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.position = -1

    def focused(self) -> dict:
        focused = self.page.evaluate(FOCUSED)
        assert focused is not None, "the focus fell back to the page's body"
        return focused

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        focused = self.focused()
        assert focused["visible"], f"no visible focus on {focused}"
        return focused

    def tab_to(self, label: str | re.Pattern, *, limit: int = 40) -> dict:
        """Tab until the focused element's label matches (a date field's segments are tab stops
        of the same element): the focus only ever moves forward in the document."""
        pattern = label if isinstance(label, re.Pattern) else re.compile(f"^{re.escape(label)}")
        for _ in range(limit):
            focused = self.press("Tab")
            assert focused["position"] >= self.position, (
                f"the focus went backwards to {focused} on its way to {label}"
            )
            self.position = focused["position"]
            if pattern.search(focused["label"]):
                return focused
        raise AssertionError(f"{label!r} not reached with Tab in {limit} presses")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def choose(self, key: str, until, *, limit: int = 12) -> dict:
        """Press ``key`` (an arrow) until ``until(focused)`` holds."""
        for _ in range(limit):
            focused = self.press(key)
            if until(focused):
                return focused
        raise AssertionError(f"{key} never reached the expected choice")


def skip_to_content(page: Page, keys: Keyboard) -> None:
    """Enter on « Aller au contenu »: the focus goes to the main content (without a ring: it
    is not a control), and Tab continues from there."""
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    keys.position = -1


def followed_trainee(email: str):
    from parcours.pathways.models import Enrolment

    return (
        Enrolment.objects.filter(referent__user__email=email, status="active")
        .select_related("person")
        .order_by("pk")
        .first()
    )


def test_a_referent_records_a_meeting_with_the_keyboard_only(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.pathways.models import Meeting

    referent = demo_accounts["referent"]
    enrolment = followed_trainee(referent.email)
    login(page, demo_server, referent.email, demo_password)
    page.goto(f"{demo_server}/e/e2c-63/stagiaires/{enrolment.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(enrolment.person.full_name)
    before = Meeting.objects.filter(enrolment=enrolment).count()

    keys = Keyboard(page)
    # The skip link comes first and takes the focus to the main content.
    assert keys.press("Tab")["label"] == "Aller au contenu"
    skip_to_content(page, keys)
    keys.tab_to("Enregistrer un entretien", limit=80)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nouvel entretien")

    keys = Keyboard(page)
    date = keys.tab_to("Date de l'entretien", limit=60)
    assert date["value"] == timezone.localdate().isoformat()  # today, kept
    kind = keys.tab_to("Type d'entretien")
    assert kind["tag"] == "select"
    chosen = keys.choose("ArrowDown", lambda f: f["value"] not in ("", kind["value"]))
    keys.tab_to("Participants")
    keys.type("Le jeune, sa référente")
    keys.tab_to("Compte rendu")
    keys.type("Point sur la recherche de stage, saisi au clavier.")
    confidential = keys.tab_to("Compte rendu confidentiel")
    assert confidential["type"] == "checkbox" and not confidential["checked"]
    assert keys.press("Space")["checked"]
    keys.tab_to("Suites à donner")
    keys.type("Relancer l'entreprise lundi.")
    button = keys.tab_to("Enregistrer l'entretien")
    assert button["tag"] == "button"
    page.keyboard.press("Enter")

    expect_message(page, f"L'entretien du {day(timezone.localdate())} est enregistré.")
    summary = page.get_by_role("region", name=re.compile(r"^Compte rendu"))
    expect(summary).to_contain_text("saisi au clavier")
    expect(summary).to_contain_text("confidentiel")
    assert Meeting.objects.filter(enrolment=enrolment).count() == before + 1
    meeting = Meeting.objects.filter(enrolment=enrolment).latest("pk")
    assert (meeting.kind, meeting.confidential) == (chosen["value"], True)
    assert meeting.next_steps == "Relancer l'entreprise lundi."


def test_a_trainer_marks_attendance_with_the_keyboard_only(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.schedule.models import AttendanceMark
    from parcours.schedule.selectors_attendance import session_trainee_ids

    referent = demo_accounts["referent"]
    session, trainees = trainer_session(referent.email)
    # The first two rows of the sheet, in the sheet's own order (by name, the database's
    # collation).
    rows = session_trainee_ids(session)
    trainees = sorted(trainees, key=lambda enrolment: rows.index(enrolment.pk))
    first, second = trainees[0], trainees[1]
    login(page, demo_server, referent.email, demo_password)
    page.goto(f"{demo_server}/e/e2c-63/planning/emargement/seance/{session.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(session.display_title)

    keys = Keyboard(page)
    assert keys.press("Tab")["label"] == "Aller au contenu"
    skip_to_content(page, keys)
    # Tab enters the first trainee's group of radios on its checked choice; the arrows move
    # the choice (and check it).
    here = keys.tab_to(re.compile(rf"— {re.escape(first.person.full_name)}$"), limit=60)
    assert here["type"] == "radio" and here["checked"]
    keys.choose(
        "ArrowRight", lambda f: f["label"].startswith("Absence injustifiée") and f["checked"]
    )
    # The reason of an absence shows (and takes the focus) only for an excused absence: the
    # next Tab goes on to the second trainee's radios.
    keys.tab_to(re.compile(rf"— {re.escape(second.person.full_name)}$"), limit=1)
    keys.choose("ArrowRight", lambda f: f["label"].startswith("Absence justifiée") and f["checked"])
    reason = keys.press("Tab")
    assert reason["tag"] == "select" and reason["name"] != "correction_reason", reason
    keys.choose("ArrowDown", lambda f: f["value"] == "illness")
    if session.day < timezone.localdate():  # a correction after the day needs a reason
        keys.tab_to(re.compile("^Motif de la correction"), limit=200)
        keys.choose("ArrowDown", lambda f: f["value"] != "")
    save = keys.tab_to("Enregistrer l'émargement", limit=200)
    assert save["tag"] == "button"
    page.keyboard.press("Space")

    expect_message(page, "L'émargement est enregistré.")
    expect(page.get_by_label(f"Absence injustifiée — {first.person.full_name}")).to_be_checked()
    expect(page.get_by_label(f"Absence justifiée — {second.person.full_name}")).to_be_checked()
    for half in session.halves:
        assert (
            AttendanceMark.objects.get(enrolment=first, day=session.day, half=half).status
            == "unexcused"
        )
        mark = AttendanceMark.objects.get(enrolment=second, day=session.day, half=half)
        assert (mark.status, mark.reason) == ("excused", "illness")
