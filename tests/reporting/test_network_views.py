"""The network's key figures page and its XLSX (/reseau/chiffres-cles/): network accounts
only; every school side by side and the network's totals for a year; no personal data; the
small-cell rule; a bad year is a French message and a 400; queries don't grow with the
trainees."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.organisations.models import Role
from parcours.people.models import Person

from ..utils import page_text
from .test_cli import add_trainee

pytestmark = pytest.mark.django_db

PAGE = reverse("reporting_network:key_figures")
XLSX = reverse("reporting_network:key_figures_xlsx")


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def school_row(response, name: str) -> list[str]:
    """The cells of a school's row (or of the « Total du réseau » row), as text."""
    html = page_text(response)
    row = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(name)}</th>(.*?)</tr>", html, re.S)
    assert row, f"no row for {name}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_network_account_sees_every_school_and_the_totals(world):
    response = world.client_for("network").get(PAGE, {"annee": 2024})
    assert response.status_code == 200
    text = words(response)
    assert "Chiffres clés du réseau — 2024" in text
    assert "Écoles 2" in text
    assert "Sites actifs sur l’année 2" in text
    alpha = school_row(response, "E2C Alpha")
    beta = school_row(response, "E2C Beta")
    total = school_row(response, "Total du réseau")
    # Two trainees and one exit in each school: under 5, shown « < 5 », percentages hidden.
    assert alpha[:5] == ["< 5", "s", "s", "0", "< 5"]
    assert beta[:5] == ["< 5", "s", "s", "0", "< 5"]
    assert total[:5] == ["< 5", "s", "s", "0", "< 5"]
    # Staff (5 in Alpha, 2 in Beta), rooms, surface: the last columns.
    assert alpha[-4:-1] == ["5", "2", "450"]
    assert beta[-4:-1] == ["< 5", "1", "300"]
    assert total[-4:-1] == ["7", "3", "750"]
    assert "Sortie positive — réseau (> 3 mois)" in text
    assert "Emploi durable (école)" in text  # Alpha's headline, named under its rate


def test_counts_of_five_and_more_are_shown(world):
    for n in range(3):  # Alpha: 2 + 3 = 5 trainees, the three added are men over 26
        add_trainee(world, plie=n < 2)
    for _ in range(3):  # Beta: 2 + 3 = 5 trainees, all women under 26
        add_trainee(
            world, school=world.other_school, site=world.other_site, gender="F", born=(2001, 1, 1)
        )
    response = world.client_for("network").get(PAGE, {"annee": 2024})
    alpha = school_row(response, "E2C Alpha")
    assert alpha[0] == "5"
    assert alpha[1:3] == ["s", "s"]  # 2 under 26, 2 women: percentages of fewer than 5
    assert alpha[3] == "< 5"  # 2 PLIE trainees
    beta = school_row(response, "E2C Beta")
    assert beta[:3] == ["5", "100 %", "100 %"]
    total = school_row(response, "Total du réseau")
    assert total[:4] == ["10", "70 %", "70 %", "< 5"]


def test_no_personal_data(world):
    add_trainee(world)
    response = world.client_for("network").get(PAGE, {"annee": 2024})
    content = page_text(response)
    for person in Person.objects.all():
        assert person.last_name not in content
        assert person.email not in content
    for membership in world.members.values():
        if membership.role != Role.NETWORK:
            assert membership.user.last_name not in content


@pytest.mark.parametrize("who", [role.value for role in Role if role != Role.NETWORK])
def test_school_roles_are_refused(world, who):
    assert world.client_for(who).get(PAGE).status_code == 403
    assert world.client_for(who).get(XLSX).status_code == 403


def test_outsider_is_refused_and_anonymous_goes_to_login(world):
    assert world.client_for("outsider").get(PAGE).status_code == 403
    response = world.client_for("anonymous").get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_current_year_by_default(world):
    response = world.client_for("network").get(PAGE)
    assert response.status_code == 200
    assert f"Chiffres clés du réseau — {timezone.localdate().year}" in words(response)


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("deux-mille", "Indiquez une année en chiffres"),
        ("1999", "supérieure ou égale à 2000"),
        ("2101", "inférieure ou égale à 2100"),
    ],
)
def test_bad_year_is_a_french_400(world, year, message):
    client = world.client_for("network")
    response = client.get(PAGE, {"annee": year})
    assert response.status_code == 400
    assert message in words(response)
    assert "Total du réseau" not in words(response)
    assert client.get(XLSX, {"annee": year}).status_code == 400


def test_xlsx(world):
    response = world.client_for("network").get(XLSX, {"annee": 2024})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    slug = world.school.network.slug
    assert f'filename="chiffres-cles-{slug}-2024.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["Écoles", "Totaux du réseau"]
    sheet = book["Écoles"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert rows["E2C Alpha"][1:3] == ("< 5", "s")
    assert rows["Total du réseau"][1] == "< 5"
    totals = {row[0]: row for row in book["Totaux du réseau"].iter_rows(values_only=True)}
    assert totals["Écoles"][1] == 2
    assert totals["Sites actifs sur la période"][1] == 2
    assert totals["Surface (m²)"][1] == 750
    cells = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    for person in Person.objects.all():
        assert person.last_name not in cells


def test_queries_do_not_grow_with_trainees(world):
    client = world.client_for("network")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, {"annee": 2024}).status_code == 200
        return len(queries)

    before = count()
    for n in range(4):
        add_trainee(world, plie=n % 2 == 0)
        add_trainee(world, school=world.other_school, site=world.other_site)
    assert count() == before


def test_network_home_links_to_the_key_figures(world):
    response = world.client_for("network").get(reverse("network_home"))
    assert f'href="{PAGE}"' in response.content.decode()


def test_the_year_of_an_exit_counts(world):
    """Figures come from records: the world's exits (29/03/2024) count in 2024, not 2023."""
    client = world.client_for("network")
    assert school_row(client.get(PAGE, {"annee": 2023}), "E2C Alpha")[4] == "0"
    assert school_row(client.get(PAGE, {"annee": 2024}), "E2C Alpha")[4] == "< 5"
    assert datetime.date(2024, 3, 29) == world.objects["exit"].exit_date
