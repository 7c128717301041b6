"""The import journey (issue 11), in a real browser against the real server (the check and
the import run in a background thread, the page polls their progress): the director opens
"Importer des stagiaires", uploads a CSV, sees the progress bar then the check's counts,
imports the rows, sees the final counts and finds the new trainees in the trainee list; then
uploads a file with an exit before the entry and reads the row-level problem."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import body_rows, field, login, main_nav
from e2e.test_csp import CspWatcher

pytestmark = pytest.mark.e2e

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "docs" / "examples" / "import-enrolments-exemple.csv"
)


def _bad_file(site: str) -> bytes:
    """One row whose exit (10/03/2022) is before its entry (05/09/2022)."""
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    row = (
        f"Rebours;Lina;01/01/2003;F;;;63000;Clermont-Ferrand;;3;spontane;;non;{site};"
        "05/09/2022;10/03/2022;cdi;"
    )
    return f"{header}\n{row}\n".encode()


@pytest.fixture
def gates(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Hold the background runs until the test has seen their progress (the live server runs
    in this process): the check reports one row read of twelve, then waits for the first gate;
    the import waits for the second one (the job page is shown before the write starts: the
    in-memory test database locks its tables while the import writes, the polls then fail
    and htmx polls again)."""
    from parcours.imports import services

    check, write = threading.Event(), threading.Event()
    real = services.import_enrolments

    def gated(**kwargs):
        if kwargs.get("dry_run"):
            if kwargs.get("progress") and not check.is_set():
                # Said again until the gate opens: a progress that finds SQLite busy (a poll,
                # the session) is dropped by design, the next one says it.
                deadline = time.monotonic() + 20
                kwargs["progress"](1, 12)
                while not check.wait(0.25) and time.monotonic() < deadline:
                    kwargs["progress"](1, 12)
        else:
            write.wait(20)
        return real(**kwargs)

    monkeypatch.setattr(services, "import_enrolments", gated)
    return check, write


def test_director_imports_trainees_from_a_file(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str, gates, tmp_path
) -> None:
    from django.urls import reverse

    from parcours.demo.accounts import FLAGSHIP_SLUG
    from parcours.organisations.models import Site
    from parcours.people.models import Person

    site = Site.objects.filter(school__slug=FLAGSHIP_SLUG).order_by("pk").first()
    assert site.name == "Cours Sablon"  # the example file names the demo school's site
    (tmp_path / "import-enrolments-exemple.csv").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "sortie-avant-entree.csv").write_bytes(_bad_file(site.name))
    people = Person.objects.filter(school__slug=FLAGSHIP_SLUG)
    nguyen = {"last_name": "Nguyen", "first_name": "Sarah", "birth_date": "2004-09-09"}
    assert not people.filter(**nguyen).exists()

    csp = CspWatcher(page)  # the progress bar and its polling under the strict policy
    login(page, demo_server, demo_accounts["director"].email, demo_password)
    main_nav(page).get_by_role("link", name="Importer des stagiaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des stagiaires")
    main = page.get_by_role("main")
    expect(main).to_contain_text("reprise-historique-2019.xlsx")  # the demo's past import

    # Upload: the check starts in the background and the job page shows its progress.
    field(page, "Fichier à importer").set_input_files(
        str(tmp_path / "import-enrolments-exemple.csv")
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import de import-enrolments-exemple.csv"
    )
    bar = page.locator("progress.import-progress")
    expect(bar).to_have_attribute("value", "1")
    expect(bar).to_have_attribute("max", "12")
    expect(main).to_contain_text("8 % — 1 lignes sur 12")

    # The check goes on; the page updates itself (no reload) with the check's counts.
    check_gate, write_gate = gates
    check_gate.set()
    expect(main).to_contain_text("Le fichier est valide : 12 lignes vérifiées.")
    counts = page.locator("#import-counts")
    expect(counts).to_contain_text(re.compile(r"Personnes nouvelles\s*11"))
    expect(counts).to_contain_text(re.compile(r"Parcours à créer\s*12"))
    expect(counts).to_contain_text(re.compile(r"Sorties à enregistrer\s*10"))
    expect(page.locator("progress")).to_have_count(0)
    assert not people.filter(**nguyen).exists()  # checked, nothing written
    csp.assert_clean("the import job page, polled by htmx")

    # Import: the rows are written in the background, then the final counts.
    page.get_by_role("button", name="Importer ces 12 lignes").click()
    expect(page.get_by_role("heading", name="Import en cours")).to_be_visible()
    expect(page.locator("progress.import-progress")).to_be_visible()
    write_gate.set()
    expect(main).to_contain_text("Import terminé : 12 lignes importées.", timeout=30_000)
    expect(counts).to_contain_text(re.compile(r"Personnes créées\s*11"))
    expect(counts).to_contain_text(re.compile(r"Parcours créés\s*12"))

    # The new trainees are in the trainee list.
    page.get_by_role("link", name="Voir la liste des stagiaires").click()
    trainees = reverse("pathways:trainees", args=[FLAGSHIP_SLUG])
    page.goto(f"{demo_server}{trainees}?q=Nguyen&status=tous")
    table = page.get_by_role("table", name=re.compile(r"^Stagiaires"))
    expect(body_rows(table).filter(has_text="Sarah")).not_to_have_count(0)
    assert people.filter(**nguyen).count() == 1

    # A bad file: the problem by row and column, nothing to import.
    main_nav(page).get_by_role("link", name="Importer des stagiaires").click()
    expect(main).to_contain_text("importé")
    field(page, "Fichier à importer").set_input_files(str(tmp_path / "sortie-avant-entree.csv"))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(main).to_contain_text("Le fichier est refusé : 1 problème.")
    problems = page.locator("#import-problems")
    row = body_rows(problems).first
    expect(row.locator("td").nth(0)).to_have_text("2")
    expect(row.locator("td").nth(1)).to_have_text("date_sortie")
    expect(page.get_by_role("button", name=re.compile("Importer"))).to_have_count(0)
    assert not people.filter(last_name="Rebours").exists()
