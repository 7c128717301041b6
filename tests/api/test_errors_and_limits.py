"""Error bodies (French JSON), pagination bounds and rate limits."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_rate_limit_counts_per_account_and_answers_429_with_retry_after(
    world, api_client, settings
):
    settings.PARCOURS_API_RATE = "3/min"
    client = api_client(world.members["director"])
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["detail"].startswith("Trop de requêtes")
    # A second token of the same account shares the count: more tokens, no more requests.
    assert api_client(world.members["director"]).get("/api/v1/me").status_code == 429
    # Another account has its own count.
    assert api_client(world.members["referent"]).get("/api/v1/me").status_code == 200


def test_failed_authentications_are_limited_per_address(world, api_client, settings):
    settings.PARCOURS_API_ANON_RATE = "2/min"
    anonymous = api_client(secret="pas-un-jeton")
    assert [anonymous.get("/api/v1/me").status_code for _ in range(2)] == [401, 401]
    response = anonymous.get("/api/v1/me")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    # A valid token from the same address is not refused (one shared office address).
    assert api_client(world.members["director"]).get("/api/v1/me").status_code == 200
    # And the failures stay refused.
    assert anonymous.get("/api/v1/me").status_code == 429


def test_no_limit_when_the_setting_is_empty(world, api_client, settings):
    settings.PARCOURS_API_RATE = None
    client = api_client(world.members["director"])
    assert {client.get("/api/v1/me").status_code for _ in range(5)} == {200}


def test_the_openapi_document_describes_the_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "API Parcours"
    me = schema["paths"]["/api/v1/me"]["get"]
    for status in ("401", "403", "404", "422", "429"):
        assert status in me["responses"]
    assert me["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_the_docs_page_uses_the_bundled_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_the_index_points_to_the_document_and_the_docs(client):
    body = client.get("/api/v1/").json()
    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    assert body["docs"] == "http://testserver/api/v1/docs"


def test_a_method_an_address_does_not_take_is_a_json_405(world, api_client):
    response = api_client(world.members["director"]).delete("/api/v1/me")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"detail": "Méthode non permise à cette adresse."}
