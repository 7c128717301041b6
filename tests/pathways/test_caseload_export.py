"""Export of the caseloads page: each referent and the number of trainees they follow, then the
trainees without a referent — the page's numbers, audited, direction only."""

from __future__ import annotations

import pytest

from ..export_checks import csv_rows, events, query_count, url, xlsx_rows
from ..factories import MembershipFactory, UserFactory
from ..utils import page_text
from .test_caseloads import team  # noqa: F401 (the fixture)
from .test_trainee_list import enrol

pytestmark = pytest.mark.django_db

EXPORT = "pathways:caseloads_export"


def test_export_has_the_pages_caseloads(team):  # noqa: F811
    client = team.client_for("director")
    response = client.get(url(EXPORT))
    assert 'filename="referents-e2c-alpha-' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0] == ("Référent·e", "Stagiaires en parcours")
    page = client.get(url("pathways:caseloads"))
    expected = [
        (row["membership"].user.get_full_name(), row["count"]) for row in page.context["caseloads"]
    ]
    # Exited trainees are not counted; referents with none are listed with 0; then the
    # trainees without a referent.
    assert rows[1:] == [*expected, ("Sans référent", 2)]
    counts = {name.split()[-1]: count for name, count in rows[1:-1]}
    assert counts == {"Alphareferent": 1, "Blanc": 3, "Collegue": 0, "Noir": 0}
    assert page.context["unassigned_count"] == 2
    (event,) = events("export.caseloads")
    assert event.actor == team.members["director"].user
    assert event.changes == {"rows": 5, "format": "xlsx", "filters": {}}


def test_csv_export(team):  # noqa: F811
    rows = csv_rows(team.client_for("director").get(url(EXPORT, format="csv")))
    assert rows[0] == ["Référent·e", "Stagiaires en parcours"]
    assert rows[-1] == ["Sans référent", "2"]


def test_a_reassignment_changes_the_numbers(team):  # noqa: F811
    client = team.client_for("director")
    enrol(team, "Nouveau", referent=team.objects["noir"])
    rows = xlsx_rows(client.get(url(EXPORT)))
    noir = team.objects["noir"].user.get_full_name()
    assert (noir, 1) in rows


def test_bad_format_is_refused_in_french(team):  # noqa: F811
    response = team.client_for("director").get(url(EXPORT, format="odt"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events("export.caseloads") == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("referent", 403), ("intake", 403), ("prescriber", 403), ("outsider", 404)],
)
def test_access(world, who, status):
    assert world.client_for(who).get(url(EXPORT)).status_code == status
    assert len(events("export.caseloads")) == (1 if status == 200 else 0)


def test_query_count_does_not_grow(world):
    client = world.client_for("director")
    address = url(EXPORT, format="csv")
    few = query_count(client, address)
    for n in range(15):
        referent = MembershipFactory(
            school=world.school, role="referent", user=UserFactory(last_name=f"Ref{n:02d}")
        )
        enrol(world, f"Suivi{n}", referent=referent)
        enrol(world, f"Seul{n}")
    assert len(xlsx_rows(client.get(url(EXPORT)))) > 17
    assert query_count(client, address) == few


def test_the_page_has_the_export_button(world):
    response = world.client_for("director").get(url("pathways:caseloads"))
    assert f'href="{url(EXPORT)}?format=xlsx"' in page_text(response)
