"""The strict Content-Security-Policy in a real browser (issue 10).

Chromium enforces the policy the server sends (script-src/style-src 'self', no inline code, no
eval): the main pages load without a single violation, htmx still works under it (the
competency grid saves a row without a page load), and so does the Django administration.
Violations are caught two ways: ``securitypolicyviolation`` events recorded by a script the
browser injects before the page's own (Playwright's init scripts are not subject to the
page's CSP), and Chromium's "Refused to …" console messages.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.helpers import login, other_page

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


class CspWatcher:
    """Collects the violations of a page across its navigations."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(f"{self.page.url}: {text}")

    def events(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")

    def assert_clean(self, what: str) -> None:
        """No violation on the current page (and none reported on earlier ones)."""
        self.page.wait_for_load_state("load")
        assert self.events() == [], what
        assert self.console == [], what
        policy = self.page.evaluate(
            "fetch(location.href, {method: 'HEAD'}).then("
            "r => r.headers.get('content-security-policy'))"
        )
        assert policy and "script-src 'self'" in policy and "unsafe-inline" not in policy, what

    def visit(self, url: str, what: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (what, url)
        self.assert_clean(what)


def referent_trainee(referent_email: str):
    """An active trainee of the referent, positioned on the competency framework."""
    from parcours.pathways.models import Enrolment

    enrolment = (
        Enrolment.objects.filter(
            referent__user__email=referent_email,
            status="active",
            assessments__kind="positioning",
            entry_date__lt=timezone.localdate(),
        )
        .distinct()
        .order_by("pk")
        .first()
    )
    assert enrolment is not None, "the demo referent should have positioned trainees"
    return enrolment


def test_the_main_pages_raise_no_csp_violation_and_htmx_works(
    page: Page, browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from parcours.competencies.models import Assessment

    referent = demo_accounts["referent"]
    enrolment = referent_trainee(referent.email)
    watcher = CspWatcher(page)

    watcher.visit(f"{demo_server}/connexion/", "la page de connexion")
    login(page, demo_server, referent.email, demo_password)
    expect(page).to_have_url(re.compile(r"/e/e2c-63/$"))
    watcher.assert_clean("l'accueil de l'école")

    base = f"{demo_server}/e/e2c-63"
    watcher.visit(f"{base}/stagiaires/", "la liste des stagiaires")
    watcher.visit(f"{base}/stagiaires/{enrolment.pk}/", "la page d'un stagiaire")
    expect(page.get_by_role("region", name="Compétences").get_by_role("img").first).to_be_visible()
    watcher.visit(f"{base}/planning/", "le planning")
    watcher.visit(f"{base}/planning/emargement/", "l'émargement du jour")
    watcher.visit(f"{base}/chiffres-cles/?annee=2018", "les chiffres clés")
    expect(page.locator("svg[role=img]").first).to_be_visible()

    # htmx under the policy: a level chosen in the grid saves the row without a page load.
    watcher.visit(f"{base}/stagiaires/{enrolment.pk}/competences/grille/", "la grille")
    rows_before = Assessment.objects.filter(enrolment=enrolment).count()
    url_before = page.url
    row = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^ORG1 ")))
    row.get_by_label(re.compile("^Nouveau niveau")).select_option("3")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^ORG1 ")))
    expect(row.get_by_role("status")).to_have_text("Enregistré")
    assert page.url == url_before
    assert Assessment.objects.filter(enrolment=enrolment).count() == rows_before + 1
    watcher.assert_clean("la grille après un enregistrement htmx")

    # The public agenda of information sessions, for an anonymous visitor.
    with other_page(browser) as visitor:
        public = CspWatcher(visitor)
        public.visit(f"{demo_server}/agenda/e2c-63/", "l'agenda public")

    # The watcher does see a violation when there is one (an injected inline script).
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any("script-src" in event for event in watcher.events())


def test_the_django_administration_works_under_the_policy(
    page: Page, demo_server: str, demo_password: str
) -> None:
    from parcours.demo.builder import ADMIN_EMAIL

    watcher = CspWatcher(page)
    login(page, demo_server, ADMIN_EMAIL, demo_password)
    watcher.visit(f"{demo_server}/admin/", "l'accueil de l'administration")
    expect(page.get_by_role("heading", level=1)).to_contain_text("administration")
    watcher.visit(f"{demo_server}/admin/organisations/school/", "la liste des écoles")
    page.get_by_role("link", name=re.compile("Puy-de-Dôme")).first.click()
    watcher.assert_clean("la fiche d'une école")
    expect(page.locator("#content h1, #content h2").first).to_be_visible()
