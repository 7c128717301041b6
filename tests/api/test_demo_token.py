"""The demo's API token (parcours/demo/api_history.py), on the test world."""

from __future__ import annotations

import pytest

from parcours.demo.api_history import DEMO_API_SECRET, build_api, summary_line

pytestmark = pytest.mark.django_db


def test_the_demo_prescriber_can_try_the_api(world, api_client):
    assert summary_line() is None
    token = build_api(world.school)
    assert token.membership == world.members["prescriber"]
    body = api_client(secret=DEMO_API_SECRET).get("/api/v1/me").json()
    assert body["role"] == "prescriber" and body["school"]["slug"] == "e2c-alpha"
    line = summary_line()
    assert DEMO_API_SECRET in line and "démonstration" in line and "/api/v1/me" in line
