"""No personal data in error pages or logs (DEBUG is off in the tests, as in production)."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError
from django.test import Client

from parcours.logging import NoPersonalDataFilter, mask_tokens
from tests.factories import EnrolmentFactory, MembershipFactory, PartnerFactory, SchoolFactory
from tests.utils import login_client

NOTE = "Note-Confidentielle-Sante-4721"


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.hardening.urls"


@pytest.mark.django_db
def test_a_failing_view_shows_our_500_page_and_logs_no_personal_data(failing_urls, caplog) -> None:
    school = SchoolFactory(slug="e2c-erreur")
    enrolment = EnrolmentFactory(school=school, person__last_name="Zyxwadelmann")
    person = enrolment.person
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.post(
            "/test-echec/?recherche=Zyxwadelmann",
            {"person": person.pk, "note": NOTE},
            HTTP_COOKIE="sessionid=secret-cookie-value",
        )
    assert response.status_code == 500
    page = response.content.decode()
    assert "Une erreur est survenue" in page
    assert '<html lang="fr">' in page
    for secret in (person.last_name, person.first_name, NOTE, "recherche", "secret-cookie"):
        assert secret not in page
    # The failure is logged — with its place in the code, without the values.
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.ERROR
    assert record.request is None and record.exc_info is None
    assert record.request_method == "POST"
    assert "failing_view" in caplog.text and "ValueError" in caplog.text
    assert "message withheld" in caplog.text
    for secret in (person.last_name, person.first_name, NOTE, "recherche", "secret-cookie"):
        assert secret not in caplog.text


@pytest.mark.django_db
def test_a_404_on_a_school_url_shows_no_data() -> None:
    school = SchoolFactory(slug="e2c-alpha", name="E2C Alpha")
    enrolment = EnrolmentFactory(school=school, person__last_name="Qwertzmann")
    other = MembershipFactory(school=SchoolFactory(slug="e2c-beta"), role="director")
    client = Client()
    login_client(client, other.user)
    for url in (
        f"/e/e2c-alpha/stagiaires/{enrolment.pk}/",  # another school's trainee
        "/e/e2c-beta/stagiaires/987654/?q=Qwertzmann",  # no such trainee
        "/e/e2c-beta/Qwertzmann-inexistant/",  # no such page
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert "Page introuvable" in page
        for leaked in ("Qwertzmann", "E2C Alpha", f"/{enrolment.pk}/", "987654", "Aucune école"):
            assert leaked not in page, (url, leaked)


@pytest.mark.django_db
def test_a_403_shows_the_fixed_message_only() -> None:
    school = SchoolFactory(slug="e2c-gamma")
    funder = MembershipFactory(
        school=school, role="funder", partner=PartnerFactory(school=school, funder=True)
    )
    client = Client()
    login_client(client, funder.user)
    response = client.get("/e/e2c-gamma/stagiaires/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_a_bad_request_shows_our_400_page(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        response = Client().get("/connexion/", HTTP_HOST="intrus.example.com")
    assert response.status_code == 400
    assert "Requête incorrecte" in response.content.decode()
    security = [r for r in caplog.records if r.name.startswith("django.security")]
    assert security and all(getattr(r, "request", None) is None for r in security)


def test_the_500_and_400_pages_render_without_any_context() -> None:
    from django.template import loader

    for name, title in (("500.html", "Une erreur est survenue"), ("400.html", "incorrecte")):
        html = loader.get_template(name).render()
        assert title in html
        assert "{{" not in html and "<script" not in html


def test_the_filter_withholds_exception_messages_and_masks_tokens() -> None:
    email = "jeanne" + ".martin@example.org"
    try:
        try:
            raise ValueError(f"Key (email)=({email}) already exists.")
        except ValueError as inner:
            raise IntegrityError(f"duplicate key: {email}") from inner
    except IntegrityError:
        import sys

        exc_info = sys.exc_info()
    token = "Ab3_" + "x" * 40
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Not Found: %s",
        (f"/verifier/{token}/",),
        exc_info,
    )
    record.request = object()
    assert NoPersonalDataFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert "jeanne.martin" not in text
    assert "django.db.utils.IntegrityError <- builtins.ValueError" in text
    assert token not in text and "/verifier/[jeton]/" in text
    assert record.request is None
    # Slugs and ids are not tokens.
    assert (
        mask_tokens("/e/e2c-marseille-13/stagiaires/123/") == "/e/e2c-marseille-13/stagiaires/123/"
    )


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_shows_our_french_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {"username": "x@example.org", "password": "secret-typed"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Formulaire expiré" in page
    assert "x@example.org" not in page and "secret-typed" not in page
