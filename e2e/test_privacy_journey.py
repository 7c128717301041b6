"""The data-protection journey (issue 10), in a real browser: the director opens "Protection
des données", reads how many people are due for anonymisation and the demo's legal hold, is
refused a retention of 11 years, sets 3 then 2 again, and opens the hold's lifting
confirmation without lifting it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import expect_message, login, main_nav

pytestmark = pytest.mark.e2e


def test_director_reads_the_retention_page(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    login(page, demo_server, demo_accounts["director"].email, demo_password)
    main_nav(page).get_by_role("link", name="Protection des données").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Protection des données")
    expect(
        page.get_by_role("heading", name=re.compile(r"\d+ personnes à anonymiser"))
    ).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(
        "Contentieux prud'homal en cours — conserver le dossier"
    )

    page.get_by_role("link", name="Modifier la durée de conservation").click()
    years = page.get_by_label("Durée de conservation après le dernier contact (années)")
    years.fill("11")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("main")).to_contain_text(
        "La durée de conservation est de 10 ans au plus."
    )
    for value in ("3", "2"):
        page.get_by_label("Durée de conservation après le dernier contact (années)").fill(value)
        page.get_by_role("button", name="Enregistrer").click()
        expect_message(page, "La durée de conservation est enregistrée.")
        if value == "3":
            page.get_by_role("link", name="Modifier la durée de conservation").click()

    page.get_by_role("link", name="Lever", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lever la conservation pour motif légal ?"
    )
    page.get_by_role("link", name="Annuler").click()
    expect(page.get_by_role("main")).to_contain_text("Contentieux prud'homal en cours")
