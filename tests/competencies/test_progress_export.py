"""Export of the school's distribution of competency levels (the competency home): the same
numbers as the page, through the same function and filter form; audited; refusals."""

from __future__ import annotations

import pytest
from django.utils.html import strip_tags

from parcours.competencies.models import ScaleLevel
from parcours.competencies.selectors_progress import level_distribution

from ..export_checks import csv_rows, events, query_count, url, xlsx_rows
from ..factories import SiteFactory
from ..utils import page_text
from .test_progress import _competency, _crowd, _row, group  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

EXPORT = "competencies:overview_export"


def _headers(world) -> list[str]:
    levels = ScaleLevel.objects.filter(framework=world.objects["default_framework"])
    headers = ["Domaine", "Code", "Compétence"]
    for level in levels.order_by("value"):
        headers += [f"{level.value} — {level.label} : nombre", f"{level.value} — {level.label} : %"]
    return [*headers, "Non évalué : nombre", "Non évalué : %", "Stagiaires comptés"]


def test_export_has_the_pages_numbers(world, group):  # noqa: F811
    site, _trainees = group
    response = world.client_for("referent").get(url(EXPORT, site=site.pk))
    assert 'filename="competences-e2c-alpha-' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == _headers(world)
    distribution = level_distribution(world.members["director"], site=site)
    assert len(rows) == 1 + len(distribution["rows"])
    fr1 = next(row for row in rows[1:] if row[1] == "FR1")
    competency = _competency(world, "FR1")
    # FR1 at 1, 2 and 2 for the three trainees: 1 (33 %) and 2 (67 %), as the page shows.
    title = competency.title
    assert fr1 == (competency.area.title, "FR1", title, 1, 33, 2, 67, 0, 0, 0, 0, 0, 0, 3)
    page = world.client_for("referent").get(url("competencies:overview", site=site.pk))
    words = " ".join(strip_tags(page_text(page)).split())
    assert "1 (33 %)" in words and "2 (67 %)" in words
    # Every competency's counts are the function's.
    for row in rows[1:]:
        expected = _row(distribution, row[1])
        counts = [value for cell in expected.levels for value in (cell.count, cell.percent)]
        assert list(row[3:-3]) == counts
        assert row[-3:-1] == (expected.not_assessed.count, expected.not_assessed.percent)
        assert row[-1] == distribution["counted"] == 3


def test_export_follows_the_filters(world, group):  # noqa: F811
    site, trainees = group
    client = world.client_for("director")

    def fr1(**params):
        rows = csv_rows(client.get(url(EXPORT, format="csv", **params)))
        return next(row for row in rows[1:] if row[1] == "FR1")

    assert fr1(site=site.pk)[3:7] == ["1", "33", "2", "67"]
    # On 08/02/2024 only the positionings are there: two of the three trainees at 1.
    assert fr1(site=site.pk, as_of="2024-02-08")[3:7] == ["2", "67", "0", "0"]
    # Nobody without a referent on that site: no table (the page says so).
    rows = csv_rows(client.get(url(EXPORT, format="csv", site=site.pk, referent="aucun")))
    assert len(rows) == 1
    (*_, event) = events("export.competency_progress")
    assert event.changes == {
        "rows": 0,
        "format": "csv",
        "filters": {"site": site.pk, "referent": "aucun"},
    }
    client.get(url(EXPORT, site=site.pk, as_of="2024-02-08"))
    (*_, event) = events("export.competency_progress")
    assert event.changes["filters"] == {"site": site.pk, "as_of": "2024-02-08"}
    assert event.changes["rows"] > 0
    assert all(name not in str(event.changes) for name in (t.person.last_name for t in trainees))


def test_bad_filters_and_bad_format_are_refused(world, group):  # noqa: F811
    client = world.client_for("director")
    response = client.get(url(EXPORT, site=world.other_site.pk))
    assert response.status_code == 400
    text = page_text(response)
    assert "Ce site n'est pas un site de l'école." in text
    assert "rien n'a été exporté" in text
    response = client.get(url(EXPORT, format="pdf"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events("export.competency_progress") == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("company_relations", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_access(world, who, status):
    assert world.client_for(who).get(url(EXPORT)).status_code == status
    assert len(events("export.competency_progress")) == (1 if status == 200 else 0)


def test_query_count_does_not_grow_with_the_trainees(world):
    small, large = (SiteFactory(school=world.school, name=name) for name in ("Petit", "Grand"))
    _crowd(world, small, 3)
    _crowd(world, large, 20)
    client = world.client_for("director")
    few = query_count(client, url(EXPORT, format="csv", site=small.pk))
    many = query_count(client, url(EXPORT, format="csv", site=large.pk))
    assert few == many
    rows = xlsx_rows(client.get(url(EXPORT, site=large.pk)))
    assert next(row for row in rows[1:] if row[1] == "FR1")[-1] == 20


def test_the_page_has_the_export_button(world):
    response = world.client_for("director").get(url("competencies:overview", as_of="2024-03-01"))
    assert f'href="{url(EXPORT)}?as_of=2024-03-01&format=xlsx"' in page_text(response)
