"""The accessibility audit (issue 13): every page of ``tests/a11y_pages.py``'s ``AUDITED`` list
is opened in Chromium, as the demo role it names, and audited with axe-core (WCAG 2.1 A/AA and
best practices): no violation of serious or critical impact. The list lives beside the URL
tables, and tests/test_a11y_pages.py fails on a page missing from it.

A failure lists, page by page, each violation's id, impact and help, and the selectors of the
offending elements.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from e2e.axe import describe, violations
from e2e.helpers import login, other_page
from tests.a11y_pages import AUDITED, DEMO_OBJECTS

pytestmark = pytest.mark.e2e

SCHOOL = "e2c-63"
PHONE = {"width": 390, "height": 844}


def audited_urls() -> dict[str, list[tuple[str, str]]]:
    """Role → [(url name, path)] of the audited pages, built from the demo."""
    found: dict[str, int | str] = {}

    def demo(key: str) -> int | str:
        if key not in found:
            found[key] = DEMO_OBJECTS[key]()
        return found[key]

    by_role: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, audit in AUDITED.items():
        kwargs = {arg: demo(key) for arg, key in audit.args.items()}
        resolver_kwargs = {"school_slug": SCHOOL, **kwargs}
        try:
            path = reverse(name, kwargs=resolver_kwargs)
        except Exception:  # URLs without the school (public, network, account pages)
            path = reverse(name, kwargs=kwargs or None)
        by_role[audit.who].append((name, path + audit.query))
    return by_role


def audit(
    page: Page, base: str, pages: list[tuple[str, str]], failures: list[str], prefix: str = ""
) -> None:
    for name, path in pages:
        response = page.goto(f"{base}{path}")
        status = response.status if response else None
        if status != 200:
            failures.append(f"{prefix}{name} ({path}) : statut {status}, pas 200")
            continue
        found = violations(page)
        if found:
            failures.append(f"{prefix}{name} ({path}) :\n{describe(found)}")


def audit_is_not_blind(page: Page, base: str) -> None:
    """A field stripped of its label and an image without a text alternative are reported."""
    page.goto(f"{base}/connexion/")
    page.evaluate(
        """() => {
            document.querySelectorAll('label').forEach((label) => label.remove());
            const img = document.createElement('img');
            img.src = '/static/parcours/favicon.svg';
            document.querySelector('main').appendChild(img);
        }"""
    )
    ids = {violation["id"] for violation in violations(page)}
    assert {"label", "image-alt"} <= ids, ids


def test_no_serious_or_critical_violation_on_the_main_pages(
    browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    by_role = audited_urls()
    failures: list[str] = []
    for who, pages in sorted(by_role.items()):
        with other_page(browser) as page:
            if who != "anonymous":
                login(page, demo_server, demo_accounts[who].email, demo_password)
                assert "/connexion/" not in page.url, f"{who} should be logged in"
            audit(page, demo_server, pages, failures)
            # Public pages are for young people and tutors, often on a phone; staff pages are
            # read zoomed in: there, wide tables scroll sideways and must take the focus.
            page.set_viewport_size(PHONE)
            phone = [(name, path) for name, path in pages if AUDITED[name].phone]
            audit(page, demo_server, phone, failures, prefix="[390 px] ")
    audited = sum(len(pages) for pages in by_role.values())
    assert audited == len(AUDITED)
    with other_page(browser) as page:
        audit_is_not_blind(page, demo_server)
    assert not failures, (
        f"{len(failures)} page(s) sur {audited} avec des violations graves ou critiques "
        "(axe-core) :\n" + "\n".join(failures)
    )
