"""The API journey (issue 11), in a real browser: a prescriber opens « Accès à l'API » from
« Mon compte », creates a token and sees its secret once, calls ``/api/v1/me`` with it (from
Python, as a script would), revokes it, and the call then gets 401. The Swagger page of the
API renders under the strict Content-Security-Policy, from our own static files."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from e2e.helpers import login
from e2e.test_csp import CspWatcher

pytestmark = pytest.mark.e2e


def _me(base_url: str, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (the live server, on loopback)
        f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_prescriber_creates_uses_and_revokes_a_token(
    page: Page, demo_server: str, demo_accounts: dict, demo_password: str
) -> None:
    account = demo_accounts["prescriber"]
    login(page, demo_server, account.email, demo_password)
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Gérer mes jetons d'accès à l'API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès à l'API")

    page.get_by_label("Nom du jeton").fill("Logiciel de la Mission Locale")
    page.get_by_label("Durée de validité").select_option(label="90 jours")
    page.get_by_label("Votre mot de passe actuel").fill(demo_password)
    page.get_by_role("button", name="Créer le jeton").click()
    expect(
        page.get_by_text("Copiez-le maintenant : il ne sera plus jamais affiché.")
    ).to_be_visible()
    secret = page.locator("#api-secret").inner_text().strip()
    assert len(secret) >= 40

    status, body = _me(demo_server, secret)
    assert status == 200
    assert body["role"] == "prescriber" and body["token_name"] == "Logiciel de la Mission Locale"

    # Shown once: the list, opened again, shows the token's beginning only.
    page.goto(page.url)
    assert secret not in page.content()
    row = page.get_by_role("row").filter(has_text="Logiciel de la Mission Locale")
    expect(row).to_contain_text(secret[:8])
    expect(row).to_contain_text("actif")

    row.get_by_role("link", name="Révoquer").click()
    page.get_by_role("button", name="Révoquer le jeton").click()
    expect(
        page.get_by_text("Le jeton « Logiciel de la Mission Locale » est révoqué.")
    ).to_be_visible()
    expect(
        page.get_by_role("row").filter(has_text="Logiciel de la Mission Locale")
    ).to_contain_text("révoqué")

    status, body = _me(demo_server, secret)
    assert status == 401
    assert body["detail"].startswith("Jeton d'accès absent")


def test_the_api_docs_render_under_the_csp(page: Page, demo_server: str) -> None:
    watcher = CspWatcher(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    watcher.visit(f"{demo_server}/api/v1/docs", "the API's Swagger page")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API Parcours")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/v1/referrals").first).to_be_visible()
    watcher.assert_clean("the API's Swagger page, rendered")
    # Everything comes from our own server (no CDN).
    assert all(url.startswith(demo_server) or url.startswith("data:") for url in requests), requests
