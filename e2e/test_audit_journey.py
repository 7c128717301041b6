"""The audit journey (issue 10), in a real browser: a referent opens the page of one of their
trainees with health support actions; the director then opens the journal from the main
navigation, keeps the "Lecture de contenu restreint" family and finds that read — who, when,
which record (a link to the trainee's page), from which address."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import body_rows, field, login, main_nav, other_page

pytestmark = pytest.mark.e2e


def _trainee_with_health(referent_email: str) -> int:
    from parcours.pathways.models import Enrolment, SupportAction

    health = SupportAction.objects.filter(domain="health").values("enrolment_id")
    enrolment = (
        Enrolment.objects.filter(
            status="active", referent__user__email=referent_email, pk__in=health
        )
        .order_by("pk")
        .first()
    )
    assert enrolment is not None, "the demo referent follows a trainee with health actions"
    return enrolment.pk


def test_director_finds_the_referent_s_restricted_read_in_the_journal(
    browser, page, demo_server, demo_accounts, demo_password
):
    referent = demo_accounts["referent"]
    director = demo_accounts["director"]
    pk = _trainee_with_health(referent.email)
    slug = "e2c-63"

    with other_page(browser) as referent_page:
        login(referent_page, demo_server, referent.email, demo_password)
        referent_page.goto(f"{demo_server}/e/{slug}/stagiaires/{pk}/")
        expect(referent_page.get_by_role("heading", level=1)).to_be_visible()
    opened_at = timezone.localtime()

    login(page, demo_server, director.email, demo_password)
    main_nav(page).get_by_role("link", name="Journal d'audit").click()
    expect(page.get_by_role("heading", name="Journal d'audit", level=1)).to_be_visible()
    expect(main_nav(page).get_by_role("link", name="Journal d'audit")).to_have_attribute(
        "aria-current", "page"
    )

    field(page, "Action").select_option(label="Lecture de contenu restreint")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(f"{demo_server}/e/{slug}/journal/?" + page.url.split("?", 1)[1])
    rows = body_rows(page.get_by_role("table"))
    first = rows.first
    expect(first).to_contain_text(f"{referent.first_name} {referent.last_name}")
    expect(first).to_contain_text("Lecture de contenu restreint — fiche du stagiaire")
    expect(first).to_contain_text("127.0.0.1")
    expect(first).to_contain_text(opened_at.strftime("%d/%m/%Y"))
    link = first.get_by_role("link", name=f"parcours n° {pk}")
    expect(link).to_have_attribute("href", f"/e/{slug}/stagiaires/{pk}/")
    # Every row shown belongs to the family chosen.
    for text in rows.all_inner_texts():
        assert "Lecture de contenu restreint" in text

    # The same event, found by its record number.
    field(page, "N°").fill(str(pk))
    page.get_by_role("button", name="Filtrer").click()
    expect(rows.first).to_contain_text("127.0.0.1")
