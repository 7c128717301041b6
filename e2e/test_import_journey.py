"""The import journey (issue 11), in a real browser against the real server (the check and
the import run in a background thread, the page polls their progress): the director opens
"Importer des stagiaires", uploads a CSV, sees the progress bar then the check's counts,
imports the rows, sees the final counts and finds the new trainees in the trainee list; then
uploads a file with an exit before the entry and reads the row-level problem."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import body_rows, field, login, main_nav

pytestmark = pytest.mark.e2e

HEADER = (
    "nom;prenom;date_naissance;sexe;email;telephone;code_postal;commune;code_qpv;"
    "niveau_diplome;prescripteur_type;prescripteur;plie;site;date_entree;date_sortie;"
    "sortie_type;sortie_duree_mois"
)


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


def _files(site: str) -> tuple[bytes, bytes]:
    """A valid file of three rows (two people, one of them twice, one exit) and a bad one."""
    today = datetime.date.today()
    entry = today - datetime.timedelta(days=60)
    good = [
        HEADER,
        f"Parcheminier;Inès;14/02/2003;F;;;63000;Clermont-Ferrand;;3;mission_locale;"
        f"Mission Locale Reprise;non;{site};{_day(entry)};;;",
        f"Tisserandier;Noah;30/06/2002;M;;;63100;Clermont-Ferrand;;aucun;spontane;;non;"
        f"{site};05/09/2022;10/03/2023;cdi;",
        f"Tisserandier;Noah;30/06/2002;M;;;63100;Clermont-Ferrand;;aucun;spontane;;non;"
        f"{site};{_day(entry)};;;",
    ]
    bad = [
        HEADER,
        f"Rebours;Lina;01/01/2003;F;;;63000;Clermont-Ferrand;;3;spontane;;non;{site};"
        "05/09/2022;10/03/2022;cdi;",
    ]
    return ("\n".join(good) + "\n").encode(), ("\n".join(bad) + "\n").encode()


@pytest.fixture
def gate(monkeypatch) -> threading.Event:
    """Holds the background check until the test has seen the progress bar: the run reports
    one row read of three, then waits for the gate (the live server runs in this process)."""
    from parcours.imports import services

    opened = threading.Event()
    real = services.import_enrolments

    def gated(**kwargs):
        if kwargs.get("dry_run") and kwargs.get("progress") and not opened.is_set():
            kwargs["progress"](1, 3)
            opened.wait(20)
        return real(**kwargs)

    monkeypatch.setattr(services, "import_enrolments", gated)
    return opened


def test_director_imports_trainees_from_a_file(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str, gate, tmp_path
) -> None:
    from django.urls import reverse

    from parcours.demo.accounts import FLAGSHIP_SLUG
    from parcours.organisations.models import Site

    site = Site.objects.filter(school__slug=FLAGSHIP_SLUG).order_by("pk").first()
    good, bad = _files(site.name)
    (tmp_path / "reprise.csv").write_bytes(good)
    (tmp_path / "sortie-avant-entree.csv").write_bytes(bad)

    login(page, demo_server, demo_accounts["director"].email, demo_password)
    main_nav(page).get_by_role("link", name="Importer des stagiaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des stagiaires")
    expect(page.get_by_role("main")).to_contain_text("reprise-historique-2019.xlsx")

    # Upload: the check starts in the background and the job page shows its progress.
    field(page, "Fichier à importer").set_input_files(str(tmp_path / "reprise.csv"))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import de reprise.csv")
    bar = page.locator("progress.import-progress")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "3")
    expect(page.get_by_role("main")).to_contain_text("33 % — 1 lignes sur 3")

    # The check goes on; the page updates itself (no reload) with the check's counts.
    gate.set()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Le fichier est valide : 3 lignes vérifiées.")
    counts = page.locator("#import-counts")
    expect(counts).to_contain_text(re.compile(r"Personnes nouvelles\s*2"))
    expect(counts).to_contain_text(re.compile(r"Parcours à créer\s*3"))
    expect(counts).to_contain_text(re.compile(r"Sorties à enregistrer\s*1"))
    expect(counts).to_contain_text("Mission Locale Reprise")
    expect(page.locator("progress")).to_have_count(0)

    # Import: the rows are written in the background, then the final counts.
    page.get_by_role("button", name="Importer ces 3 lignes").click()
    expect(main).to_contain_text("Import terminé : 3 lignes importées.", timeout=30_000)
    expect(counts).to_contain_text(re.compile(r"Personnes créées\s*2"))
    expect(counts).to_contain_text(re.compile(r"Parcours créés\s*3"))

    # The new trainees are in the trainee list.
    trainees = reverse("pathways:trainees", args=[FLAGSHIP_SLUG])
    page.goto(f"{demo_server}{trainees}?q=Tisserandier&status=tous")
    table = page.get_by_role("table", name=re.compile(r"^Stagiaires"))
    expect(body_rows(table).filter(has_text="Tisserandier")).to_have_count(2)
    page.goto(f"{demo_server}{trainees}?q=Parcheminier&status=tous")
    expect(body_rows(table).filter(has_text="Parcheminier")).to_have_count(1)

    # A bad file: the problem by row and column, nothing to import.
    main_nav(page).get_by_role("link", name="Importer des stagiaires").click()
    expect(page.get_by_role("main")).to_contain_text("importé")
    field(page, "Fichier à importer").set_input_files(str(tmp_path / "sortie-avant-entree.csv"))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(main).to_contain_text("Le fichier est refusé : 1 problème.")
    problems = page.locator("#import-problems")
    row = body_rows(problems).first
    expect(row.locator("td").nth(0)).to_have_text("2")
    expect(row.locator("td").nth(1)).to_have_text("date_sortie")
    expect(page.get_by_role("button", name=re.compile("Importer"))).to_have_count(0)
