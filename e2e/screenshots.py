"""Screenshots of the main pages of the demo, for the README (``make screenshots`` writes them
into docs/screenshots/; e2e/test_screenshots.py takes them into a temporary folder).

Each shot is the top of the page at 1280×800 (stable sizes, a few hundred KB at most), in the
browser context of the demo user who sees that page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser

from e2e.helpers import LOCALE, TIMEOUT_MS, TIMEZONE, login

VIEWPORT = {"width": 1280, "height": 800}
OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    file: str  # PNG file name
    who: str  # demo role (``demo_accounts`` key) or "anonymous"
    path: str  # built from the demo objects: see ``paths``
    heading: str  # text the page's first heading contains: the shot shows the right page


def shots(objects: dict) -> list[Shot]:
    school = "/e/e2c-63"
    return [
        Shot("connexion.png", "anonymous", "/connexion/", "Connexion"),
        Shot("accueil-ecole.png", "director", f"{school}/", "E2C Puy-de-Dôme"),
        Shot("stagiaires.png", "referent", f"{school}/stagiaires/", "stagiaires"),
        Shot(
            "fiche-stagiaire.png",
            "referent",
            f"{school}/stagiaires/{objects['trainee']}/",
            objects["trainee_name"],
        ),
        Shot(
            "emargement.png",
            "referent",
            f"{school}/planning/emargement/seance/{objects['session']}/",
            "Émargement",
        ),
        Shot("chiffres-cles.png", "director", f"{school}/chiffres-cles/?annee=2018", "Chiffres"),
        Shot("agenda-public.png", "anonymous", "/agenda/e2c-63/", "Information"),
    ]


def demo_objects() -> dict:
    """The demo's trainee and attendance sheet shown (the same as the accessibility audit's)."""
    from parcours.pathways.models import Enrolment
    from tests.a11y_pages import DEMO_OBJECTS

    trainee = DEMO_OBJECTS["trainee"]()
    return {
        "trainee": trainee,
        "trainee_name": Enrolment.objects.get(pk=trainee).person.full_name,
        "session": DEMO_OBJECTS["session"](),
    }


def take(
    browser: Browser, base_url: str, accounts: dict, password: str, output: Path = OUTPUT
) -> list[Path]:
    """Take every shot into ``output``; returns the files written."""
    from playwright.sync_api import expect

    output.mkdir(parents=True, exist_ok=True)
    written = []
    by_role: dict[str, list[Shot]] = {}
    for shot in shots(demo_objects()):
        by_role.setdefault(shot.who, []).append(shot)
    for who, role_shots in by_role.items():
        context = browser.new_context(
            locale=LOCALE, timezone_id=TIMEZONE, viewport=VIEWPORT, device_scale_factor=1
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            if who != "anonymous":
                login(page, base_url, accounts[who].email, password)
            for shot in role_shots:
                response = page.goto(f"{base_url}{shot.path}")
                assert response is not None and response.status == 200, shot
                expect(page.get_by_role("heading", level=1)).to_contain_text(shot.heading)
                page.evaluate("document.activeElement && document.activeElement.blur()")
                target = output / shot.file
                page.screenshot(path=str(target), full_page=False, animations="disabled")
                written.append(target)
        finally:
            context.close()
    return written
