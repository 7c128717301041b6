"""The director's first journey: log in, see the school's premises and staff, open a site and a
room. Plus the failed login and the network account, which sees figures but no people."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import login

pytestmark = pytest.mark.e2e

SCHOOL_NAME = "E2C Puy-de-Dôme"
SITE_NAME = "Cours Sablon"
BREADCRUMB = "Fil d\u2019Ariane"  # the typographic apostrophe of the template


def room_rows(table):
    """The body rows of a room or staff table (the header row excluded)."""
    return table.locator("tbody").get_by_role("row")


def test_director_sees_sites_rooms_and_staff(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    director = demo_accounts["director"]
    login(page, demo_server, director.email, demo_password)

    # Lands on the school's home page, signed in as the director.
    expect(page).to_have_url(f"{demo_server}/e/{director.school_slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(SCHOOL_NAME)
    expect(page.get_by_role("banner")).to_contain_text(
        f"{director.first_name} {director.last_name}"
    )
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()

    # Key facts of the school.
    expect(page.get_by_text("7 salles, dont 2 informatiques")).to_be_visible()
    expect(page.get_by_text("12 salarié·es")).to_be_visible()

    # The site, its surface and its rooms.
    sites = page.get_by_role("region", name="Sites et salles")
    site = sites.get_by_role("article", name=SITE_NAME)
    expect(site).to_be_visible()
    expect(site).to_contain_text("Clermont-Ferrand")
    expect(site).to_contain_text("600 m²")
    rooms = site.get_by_role("table", name=f"Salles du site {SITE_NAME}")
    expect(room_rows(rooms)).to_have_count(7)
    computer_rooms = room_rows(rooms).filter(
        has=page.get_by_role("cell", name="Salle informatique", exact=True)
    )
    expect(computer_rooms).to_have_count(2)
    not_step_free = room_rows(rooms).filter(has=page.get_by_role("cell", name="Non", exact=True))
    expect(not_step_free).to_have_count(0)

    # The staff and their roles.
    staff_section = page.get_by_role("region", name="Équipe")
    staff = staff_section.get_by_role("table", name="Membres de l'équipe")
    expect(room_rows(staff)).to_have_count(12)
    director_row = room_rows(staff).filter(
        has=page.get_by_role("rowheader", name=f"{director.first_name} {director.last_name}")
    )
    expect(director_row).to_have_count(1)
    expect(director_row).to_contain_text(director.job_title)

    # The site page.
    site.get_by_role("link", name=SITE_NAME).click()
    expect(page).to_have_url(re.compile(rf"/e/{director.school_slug}/sites/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SITE_NAME)
    breadcrumb = page.get_by_role("navigation", name=BREADCRUMB)
    expect(breadcrumb.get_by_role("link", name=SCHOOL_NAME)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Clermont-Ferrand")
    expect(page.get_by_role("main")).to_contain_text("600 m²")
    site_rooms = page.get_by_role("table", name=f"Salles du site {SITE_NAME}")
    expect(room_rows(site_rooms)).to_have_count(7)

    # A computer room's page.
    computer_room = (
        room_rows(site_rooms)
        .filter(has=page.get_by_role("cell", name="Salle informatique", exact=True))
        .first
    )
    room_name = computer_room.get_by_role("rowheader").inner_text().strip()
    computer_room.get_by_role("link", name=room_name).click()
    expect(page).to_have_url(re.compile(rf"/e/{director.school_slug}/salles/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(room_name)
    breadcrumb = page.get_by_role("navigation", name=BREADCRUMB)
    expect(breadcrumb.get_by_role("link", name=SITE_NAME)).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Salle informatique")
    expect(facts).to_contain_text(re.compile(r"Capacité\s*\d+ personnes?"))
    expect(facts).to_contain_text(re.compile(r"Accès de plain-pied\s*Oui"))

    # Back to the school through the breadcrumb.
    breadcrumb.get_by_role("link", name=SCHOOL_NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SCHOOL_NAME)


def test_wrong_password_shows_a_french_message(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    director = demo_accounts["director"]
    login(page, demo_server, director.email, demo_password + "-faux")

    expect(page).to_have_url(f"{demo_server}/connexion/")
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_label("Adresse e-mail")).to_have_value(director.email)
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    # An unknown address gets the same message (no account enumeration).
    login(page, demo_server, "inconnu@e2c-63.demo", demo_password)
    expect(page).to_have_url(f"{demo_server}/connexion/")
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect")

    # Still locked out of the school.
    page.goto(f"{demo_server}/e/{director.school_slug}/")
    expect(page).to_have_url(re.compile(r"/connexion/"))


def test_network_account_sees_the_network_without_people(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    from django.contrib.auth import get_user_model

    network = demo_accounts["network"]
    login(page, demo_server, network.email, demo_password)

    expect(page).to_have_url(f"{demo_server}/reseau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau E2C France")
    schools = page.get_by_role("table", name="Écoles du réseau")
    expect(schools.get_by_role("rowheader", name=SCHOOL_NAME, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Équipe")).to_have_count(0)
    expect(page.get_by_role("link", name="Équipe")).to_have_count(0)

    # No one's name appears, except the signed-in user's own in the header.
    text = page.locator("body").inner_text()
    others = [
        user.get_full_name()
        for user in get_user_model().objects.exclude(email=network.email)
        if user.get_full_name().strip()
    ]
    assert others, "the demo should have staff accounts"
    shown = [name for name in others if name in text]
    assert shown == [], f"the network page shows people's names: {shown}"
