"""The demo's API token: the summary says how to call the API, and the token works."""

from __future__ import annotations

from django.test import Client

from parcours.api.models import ApiToken
from parcours.demo.accounts import FLAGSHIP_SLUG
from parcours.demo.api_history import DEMO_API_SECRET


def test_the_demo_prints_a_curl_line_that_works(demo_built):
    assert f"Authorization: Bearer {DEMO_API_SECRET}" in demo_built
    token = ApiToken.objects.get(key_prefix=DEMO_API_SECRET[:8])
    assert token.membership.role == "prescriber"
    assert token.membership.school.slug == FLAGSHIP_SLUG
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_SECRET}")
    assert response.status_code == 200
    assert response.json()["school"]["slug"] == FLAGSHIP_SLUG
    referrals = (
        Client().get("/api/v1/referrals", HTTP_AUTHORIZATION=f"Bearer {DEMO_API_SECRET}").json()
    )
    assert referrals["count"] > 0  # the demo prescriber follows referrals
