"""A funder's key figures (page, PDF, XLSX): the small-cell rule of ``reporting.suppression``
(1 to 4 people → "< 5", a percentage computed from them → "s"), no charts, no names; the
school's staff keep the exact figures."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from ..utils import page_text
from .test_key_figures_views import PAGES, trainee, url, words, year_2019  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

QUERY = "annee=2019"


def cell(text: str, label: str) -> str:
    """The value next to ``label`` in the funder's first table."""
    match = re.search(rf"{re.escape(label)}</th><td class=\"num\">(.*?)</td>", text)
    assert match, label
    return match.group(1)


def workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "status"), [("funder", 200), ("prescriber", 403), ("outsider", 404)]
)
def test_who_gets_the_funders_view(world, name, who, status):
    assert world.client_for(who).get(url(name, QUERY)).status_code == status


def test_the_page_hides_three_trainees_the_director_sees_them(world, year_2019):  # noqa: F811
    director = words(world.client_for("director").get(url(query=QUERY)))
    assert "3 stagiaires accueilli·es" in director

    response = world.client_for("funder").get(url(query=QUERY))
    assert response.status_code == 200
    assert response.templates[0].name == "reporting/key_figures/funder.html"
    assert "figures" not in response.context  # only the suppressed dict reaches the template
    text = page_text(response)
    assert cell(text, "Stagiaires accueilli·es") == "< 5"
    assert cell(text, "Sorties") == "< 5" and cell(text, "Stagiaires PLIE") == "< 5"
    assert cell(text, "Taux de sorties réussies") == "s"
    assert cell(text, "Moins de 26 ans à l'entrée") == "s"  # 2 of 3: 66.7 % for the staff
    assert cell(text, "Sites") == "1"  # not people: shown
    assert "Les effectifs de 1 à 4 personnes sont masqués (« < 5 »)" in text
    html = response.content.decode()  # a whole year of the whole school: no site, no dates
    assert 'name="annee"' in html and 'name="site"' not in html and 'name="du"' not in html
    assert "<svg" not in text and "secret" not in text.lower()  # no chart, no person's name
    assert "Métropole Alpha : 42 000 €" in words(response)


def test_the_xlsx_hides_three_trainees(world, year_2019):  # noqa: F811
    book = workbook(world.client_for("funder").get(url("reporting:key_figures_xlsx", QUERY)))
    summary = dict(book["Chiffres clés"].iter_rows(min_row=2, values_only=True))
    assert summary["Stagiaires accueilli·es"] == "< 5"
    assert summary["Sorties"] == "< 5" and summary["Taux de sorties réussies (%)"] == "s"
    assert summary["Sites"] == 1 and summary["Surface (m²)"] == 450
    profile = list(book["Profil"].iter_rows(min_row=2, values_only=True))
    assert profile and all(pct == "s" for _label, pct in profile)
    for title in ("Prescripteurs", "Dispositifs", "Sorties"):
        for row in book[title].iter_rows(min_row=2, values_only=True):
            assert not any(value in (1, 2, 3, 4) for value in row[1:]), (title, row)
    lines = [row[1] for row in book["Dispositifs"].iter_rows(min_row=2, values_only=True)]
    assert "< 5" in lines  # the PLIE trainee
    everything = " ".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )
    assert "secret" not in everything.lower()


def test_the_pdf_hides_three_trainees(world, year_2019):  # noqa: F811
    response = world.client_for("funder").get(url("reporting:key_figures_pdf", QUERY))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Stagiaires accueilli·es < 5" in text
    assert "Stagiaires accueilli·es 3" not in text
    assert "Les effectifs de 1 à 4 personnes sont masqués" in text
    assert "secret" not in text.lower()


def test_five_trainees_are_shown_to_the_funder(world):
    for day in range(1, 6):
        trainee(world, datetime.date(1995, 1, day), datetime.date(2019, 2, day))
    text = page_text(world.client_for("funder").get(url(query=QUERY)))
    assert cell(text, "Stagiaires accueilli·es") == "5"


SCOPE_REFUSED = "Un financeur consulte les chiffres d'une année civile entière, pour toute l'école"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    "query",
    [
        "du=01/01/2019&au=30/06/2019",
        "annee=2019&site={site}",
        "du=01/01/2019&au=31/12/2019&site={site}",
    ],
)
def test_a_funder_reads_whole_years_of_the_whole_school_only(world, year_2019, name, query):  # noqa: F811
    """Two overlapping periods, or a site against the school, would tell by difference the
    one or two people the rule hides (found in review): another scope is refused."""
    query = query.format(site=world.site.pk)
    response = world.client_for("funder").get(url(name, query))
    assert response.status_code == 400
    assert SCOPE_REFUSED in page_text(response)
    # The direction keeps every period and site.
    assert world.client_for("director").get(url(name, query)).status_code == 200
