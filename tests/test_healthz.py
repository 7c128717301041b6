import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_state():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_is_get_only():
    assert Client().post("/healthz").status_code == 405
