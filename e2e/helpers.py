"""Shared steps of the browser journeys."""

from __future__ import annotations

from playwright.sync_api import Page


def login(page: Page, base_url: str, email: str, password: str) -> None:
    """Open the login page and submit the credentials (the caller asserts where it lands)."""
    page.goto(f"{base_url.rstrip('/')}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
