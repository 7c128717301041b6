"""The reporting journey (issue 9), in a real browser: the director opens the key figures from
the navigation, asks for 2018 and reads the article's box computed from the records, downloads
the one-page PDF and the XLSX; the network account reads the network's figures of 2018."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.helpers import login, main_nav, other_page

pytestmark = pytest.mark.e2e


def test_director_reads_the_key_figures_and_downloads_them(
    page: Page, browser, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    login(page, demo_server, demo_accounts["director"].email, demo_password)
    main_nav(page).get_by_role("link", name="Chiffres clés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chiffres clés")
    page.get_by_role("spinbutton", name="Année").fill("2018")
    page.get_by_role("button", name="Afficher").click()

    box = page.locator("#en-chiffres").locator("xpath=..")
    expect(page.locator("#en-chiffres")).to_contain_text("E2C Puy-de-Dôme en chiffres 2018")
    for text in (
        "210 stagiaires accueilli·es",
        "85 % de moins de 26 ans",
        "56 % de sorties réussies",
        "Sortie réussie — E2C Puy-de-Dôme (2018)",
        "30 stagiaires PLIE",
        "12 salarié·es",
        "7 salles",
        "dont 2 salles informatiques",
        "600 m²",
        "Clermont Auvergne Métropole : 50 000 € (Politique de la ville), partenaire depuis 2014",
    ):
        expect(box).to_contain_text(text)
    # The charts come with their data (an image with a title, and a table beside it).
    expect(page.locator("svg[role=img]").first).to_be_visible()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Télécharger en PDF (une page)").click()
    pdf = PdfReader(pdf_download.value.path())
    assert len(pdf.pages) == 1
    text = " ".join(pdf.pages[0].extract_text().split())
    assert "210" in text and "Clermont Auvergne Métropole" in text
    assert pdf_download.value.suggested_filename == "chiffres-cles-e2c-63-2018.pdf"

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Télécharger en XLSX").click()
    with open(xlsx_download.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    rows = {row[0]: row[1:] for row in book["Chiffres clés"].iter_rows(values_only=True)}
    assert rows["Stagiaires accueilli·es"][0] == 210

    # The network account: every school side by side, no names, the network's totals.
    with other_page(browser) as network:
        login(network, demo_server, demo_accounts["network"].email, demo_password)
        network.goto(f"{demo_server.rstrip('/')}/reseau/chiffres-cles/?annee=2018")
        expect(network.get_by_role("heading", level=1)).to_contain_text(
            "Chiffres clés du réseau — 2018"
        )
        totals = network.locator("#totaux").locator("xpath=..")
        expect(totals).to_contain_text(re.compile(r"Écoles\s*51"))
        expect(totals).to_contain_text(re.compile(r"Sites actifs sur l’année\s*124"))
        expect(totals).to_contain_text(re.compile(r"Stagiaires accueilli·es\s*210"))
        expect(network.get_by_role("main")).to_contain_text("E2C Puy-de-Dôme")
