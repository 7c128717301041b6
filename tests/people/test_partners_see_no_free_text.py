"""Partners (prescribers, funders, the network) never get free text nor restricted content.

Every free-text field of every record held about the people of the school holds a unique
marker; the test then walks every URL a partner account may open (the URL tables say which:
status 200 for their role) — HTML, XLSX and PDF bodies — and the funder reports (direction
only, but meant to be sent to funders), and asserts that no marker appears.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from parcours.people.models import Person
from parcours.reporting import funders

from ..test_url_access import _kwargs, expected_status, project_urls
from .rich_person import complete_holdings, mark_free_text

pytestmark = pytest.mark.django_db

# Identity a prescriber typed in and sees on their own referrals; the funder reports (PLIE,
# FSE+) list participants by name, and the PLIE's steps name the internship's job title.
SHOWN_BY_DESIGN = {
    "prescriber": {"people.Person.last_name", "people.Person.first_name"},
    "funder_reports": {
        "people.Person.last_name",
        "people.Person.first_name",
        "companies.Internship.job_title",
    },
}


def _body(response) -> str:
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    if content[:2] == b"PK":  # XLSX (and any zipped export): every XML part
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


@pytest.fixture
def marked(world):
    complete_holdings(world)
    markers: dict[str, str] = {}
    for person in Person.objects.filter(school=world.school):
        markers.update(mark_free_text(person))
    assert len(markers) > 50
    return markers


def _name(world) -> str:
    """The marked trainee's last name (itself a marker)."""
    return Person.objects.get(pk=world.objects["trainee_person"].pk).last_name


def _leaks(body: str, markers: dict[str, str], allowed: set[str]) -> dict[str, str]:
    return {m: where for m, where in markers.items() if m in body and where not in allowed}


@pytest.mark.parametrize("who", ["prescriber", "funder", "network"])
def test_partner_pages_carry_no_free_text(world, marked, who):
    client = world.client_for(who)
    allowed = SHOWN_BY_DESIGN.get(who, set())
    opened = 0
    seen = {}
    for pattern in project_urls():
        name = pattern.name
        if expected_status(name, pattern.callback, who) != 200:
            continue
        variants = [_kwargs(name, pattern, world)]
        if name == "intake:my_referral":  # also the referral of the fully marked trainee
            variants.append({**variants[0], "pk": world.objects["trainee_referral"].pk})
        for kwargs in variants:
            url = reverse(name, kwargs=kwargs)
            response = client.get(url)
            assert response.status_code == 200, url
            body = _body(response)
            if kwargs.get("pk") == world.objects["trainee_referral"].pk:
                seen["trainee"] = _name(world) in body
            leaks = _leaks(body, marked, allowed)
            assert leaks == {}, f"{who} sees free text on {url}: {leaks}"
            opened += 1
    assert opened >= 2
    if who == "prescriber":  # the prescriber does see the referral of the marked trainee
        assert seen == {"trainee": True}


@pytest.mark.parametrize("kind", list(funders.REPORTS))
def test_funder_reports_carry_no_free_text(world, marked, kind):
    client = world.client_for("director")
    url = reverse("reporting:funder_reports", args=[world.school.slug]) + f"{kind}/xlsx/"
    response = client.get(url, {"annee": 2024})
    assert response.status_code == 200
    body = _body(response)
    if kind in ("plie", "fse-plus"):  # they list participants: the marked trainee is there
        assert _name(world) in body
    leaks = _leaks(body, marked, SHOWN_BY_DESIGN["funder_reports"])
    assert leaks == {}, f"the {kind} report carries free text: {leaks}"
