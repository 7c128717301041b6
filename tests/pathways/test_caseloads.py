"""Caseloads per referent, trainees with no referent, and bulk reassignment (all or nothing)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.pathways.models import Enrolment, ReferentChange

from ..factories import MembershipFactory, UserFactory
from ..utils import page_text
from .test_trainee_list import enrol

pytestmark = pytest.mark.django_db


def _caseloads_url(**params) -> str:
    url = reverse("pathways:caseloads", args=["e2c-alpha"])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _reassign_url() -> str:
    return reverse("pathways:reassign", args=["e2c-alpha"])


def _snapshot() -> tuple:
    return (
        sorted(Enrolment.objects.values_list("pk", "referent_id")),
        ReferentChange.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def team(world):
    """Two more referents of school A: Blanc (3 trainees) and Noir (none); 2 unassigned."""
    blanc = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Blanc")
    )
    noir = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Noir")
    )
    for i in range(3):
        enrol(world, f"Suiviblanc{i}", referent=blanc)
    enrol(world, "Orphelin1")
    enrol(world, "Orphelin2")
    enrol(
        world,
        "Sortieblanc",
        referent=blanc,
        entry=datetime.date(2023, 1, 9),
        exited_on=datetime.date(2023, 6, 30),
        phase_index=None,
    )
    world.objects.update(blanc=blanc, noir=noir)
    return world


# ---------------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("intake", 403),
        ("referent", 403),
        ("company_relations", 403),
        ("prescriber", 403),
        ("funder", 403),
        ("network", 404),
        ("outsider", 404),
    ],
)
def test_access(world, who, status):
    client = world.client_for(who)
    assert client.get(_caseloads_url()).status_code == status
    assert client.get(_reassign_url()).status_code == status


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("outsider", 404)])
def test_reassign_by_someone_who_may_not_writes_nothing(world, who, status):
    enrolment = world.objects["enrolment"]
    before = _snapshot()
    response = world.client_for(who).post(
        _reassign_url(), {"enrolments": [enrolment.pk], "new_referent": "aucun"}
    )
    assert response.status_code == status
    assert _snapshot() == before


def test_get_on_reassign_points_to_the_caseloads_page(world):
    response = world.client_for("director").get(_reassign_url())
    assert response.status_code == 200
    assert _caseloads_url() in response.content.decode()


# ------------------------------------------------------------------------------- the page


def test_caseload_sizes_per_referent(team):
    response = team.client_for("director").get(_caseloads_url())
    assert response.status_code == 200
    sizes = {
        row["membership"].user.last_name: row["count"] for row in response.context["caseloads"]
    }
    # Exited trainees are not counted; referents with no trainee are listed with 0.
    assert sizes == {"Alphareferent": 1, "Blanc": 3, "Collegue": 0, "Noir": 0}
    text = page_text(response)
    assert "Stagiaires en parcours par référent" in text


def test_trainees_with_no_referent_are_counted_and_listed(team):
    response = team.client_for("director").get(_caseloads_url())
    assert response.context["unassigned_count"] == 2
    text = page_text(response)
    assert "2 stagiaires en parcours n'ont pas de référent." in text
    assert "ORPHELIN1" in text and "ORPHELIN2" in text


def test_the_table_lists_active_trainees_and_filters_by_current_referent(team):
    client = team.client_for("director")
    rows = client.get(_caseloads_url()).context["page"].object_list
    names = sorted(e.person.last_name for e in rows)
    assert names == [
        "Orphelin1",
        "Orphelin2",
        "Stagiairee2c-alpha",
        "Suiviblanc0",
        "Suiviblanc1",
        "Suiviblanc2",
    ]
    blanc = team.objects["blanc"]
    rows = client.get(_caseloads_url(referent=blanc.pk)).context["page"].object_list
    assert sorted(e.person.last_name for e in rows) == ["Suiviblanc0", "Suiviblanc1", "Suiviblanc2"]
    rows = client.get(_caseloads_url(referent="aucun")).context["page"].object_list
    assert sorted(e.person.last_name for e in rows) == ["Orphelin1", "Orphelin2"]


@pytest.mark.parametrize("value", ["abc", "999999"])
def test_a_bad_table_filter_gets_a_french_message(team, value):
    response = team.client_for("director").get(_caseloads_url(referent=value))
    assert response.status_code == 400
    assert "Ce référent n'est pas un membre de l'école." in page_text(response)
    assert len(response.context["page"].object_list) == 6


def test_the_table_paginates_by_100(world):
    for i in range(105):
        enrol(world, f"Nombreux{i:03d}")
    client = world.client_for("director")
    assert len(client.get(_caseloads_url()).context["page"].object_list) == 100
    assert len(client.get(_caseloads_url(page=2)).context["page"].object_list) == 6


def test_caseloads_page_runs_a_constant_number_of_queries(world):
    client = world.client_for("director")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_caseloads_url()).status_code == 200
        return len(queries)

    for i in range(5):
        referent = MembershipFactory(school=world.school, role="referent")
        enrol(world, f"Peu{i}", referent=referent)
        enrol(world, f"Seul{i}")
    few = count()
    for i in range(60):
        referent = MembershipFactory(school=world.school, role="referent")
        enrol(world, f"Beaucoup{i}", referent=referent)
        enrol(world, f"Orphelin{i}")
    assert count() == few


# --------------------------------------------------------------------------- reassignment


def test_reassigning_50_trainees_is_one_audited_action(world):
    enrolments = [enrol(world, f"Lot{i:02d}") for i in range(50)]
    noir = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Noir")
    )
    changes, events = ReferentChange.objects.count(), AuditEvent.objects.count()
    response = world.client_for("director").post(
        _reassign_url(),
        {"enrolments": [e.pk for e in enrolments], "new_referent": str(noir.pk)},
        follow=True,
    )
    assert response.redirect_chain[-1] == (_caseloads_url(), 302)
    assert "50 stagiaires confié·es à" in page_text(response)
    assert Enrolment.objects.filter(pk__in=[e.pk for e in enrolments], referent=noir).count() == 50
    assert ReferentChange.objects.count() == changes + 50
    new_changes = ReferentChange.objects.filter(enrolment__in=enrolments)
    assert {(c.previous_id, c.new_id, c.changed_by_id) for c in new_changes} == {
        (None, noir.pk, world.members["director"].user_id)
    }
    assert AuditEvent.objects.count() == events + 50
    assert AuditEvent.objects.filter(action="enrolment.referent").count() == 50


def test_reassigning_to_no_referent(team):
    blanc = team.objects["blanc"]
    ids = list(
        Enrolment.objects.filter(referent=blanc, status="active").values_list("pk", flat=True)
    )
    response = team.client_for("director").post(
        _reassign_url() + f"?referent={blanc.pk}",
        {"enrolments": ids, "new_referent": "aucun"},
        follow=True,
    )
    assert response.redirect_chain[-1] == (_caseloads_url(referent=blanc.pk), 302)
    assert "3 stagiaires n'ont plus de référent." in page_text(response)
    assert Enrolment.objects.filter(pk__in=ids, referent__isnull=True).count() == 3


def test_reassigning_to_the_current_referent_changes_nothing(team):
    blanc = team.objects["blanc"]
    ids = list(
        Enrolment.objects.filter(referent=blanc, status="active").values_list("pk", flat=True)
    )
    before = _snapshot()
    response = team.client_for("director").post(
        _reassign_url(), {"enrolments": ids, "new_referent": str(blanc.pk)}, follow=True
    )
    assert "Aucun changement" in page_text(response)
    assert _snapshot() == before


def _batch_with(world, intruder: Enrolment) -> tuple[list[int], object]:
    enrolments = [enrol(world, f"Lot{i:02d}") for i in range(49)]
    noir = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Noir")
    )
    return [e.pk for e in enrolments[:25]] + [intruder.pk] + [e.pk for e in enrolments[25:]], noir


def test_one_enrolment_of_another_school_among_50_changes_nothing(world):
    ids, noir = _batch_with(world, world.others["enrolment"])
    before = _snapshot()
    response = world.client_for("director").post(
        _reassign_url(), {"enrolments": ids, "new_referent": str(noir.pk)}
    )
    assert response.status_code == 400
    assert "Un des parcours sélectionnés est inconnu de l'école : rien n'a été modifié." in (
        page_text(response)
    )
    assert _snapshot() == before
    # The ticked boxes stay ticked.
    assert f'value="{ids[0]}" id="select-{ids[0]}" checked' in response.content.decode()


def test_one_closed_enrolment_among_50_changes_nothing(world):
    closed = enrol(
        world,
        "Sortie",
        entry=datetime.date(2023, 1, 9),
        exited_on=datetime.date(2023, 6, 30),
        phase_index=None,
    )
    ids, noir = _batch_with(world, closed)
    before = _snapshot()
    response = world.client_for("director").post(
        _reassign_url(), {"enrolments": ids, "new_referent": str(noir.pk)}
    )
    assert response.status_code == 400
    assert "Un des parcours sélectionnés est clos." in page_text(response)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new_referent": "aucun"}, "Sélectionnez au moins un stagiaire."),
        ({"enrolments": ["abc"], "new_referent": "aucun"}, "n'est pas un identifiant de parcours"),
        ({"enrolments": ["ENROLMENT"]}, "Choisissez le nouveau référent"),
        ({"enrolments": ["ENROLMENT"], "new_referent": "OUTSIDER"}, "Ce référent n'est pas"),
        ({"enrolments": ["ENROLMENT"], "new_referent": "INTAKE"}, "Ce référent n'est pas"),
        ({"enrolments": ["ENROLMENT"], "new_referent": "xyz"}, "Ce référent n'est pas"),
    ],
)
def test_bad_input_gets_a_french_message_and_writes_nothing(world, data, message):
    values = {
        "ENROLMENT": str(world.objects["enrolment"].pk),
        "OUTSIDER": str(world.outsider.pk),
        "INTAKE": str(world.members["intake"].pk),
    }
    data = {
        key: [values.get(v, v) for v in value]
        if isinstance(value, list)
        else values.get(value, value)
        for key, value in data.items()
    }
    before = _snapshot()
    response = world.client_for("director").post(_reassign_url(), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert _snapshot() == before


def test_a_former_referent_cannot_receive_trainees(world):
    former = MembershipFactory(
        school=world.school,
        role="referent",
        active_until=datetime.date(2020, 12, 31),
        user=UserFactory(last_name="Ancien"),
    )
    before = _snapshot()
    response = world.client_for("director").post(
        _reassign_url(),
        {"enrolments": [world.objects["enrolment"].pk], "new_referent": str(former.pk)},
    )
    assert response.status_code == 400
    assert "Ce référent n'est pas un formateur référent actif de l'école." in page_text(response)
    assert _snapshot() == before


def test_the_trainee_timeline_says_who_reassigned_and_when(world):
    enrolment = world.objects["enrolment"]
    noir = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Noir")
    )
    world.client_for("director").post(
        _reassign_url(), {"enrolments": [enrolment.pk], "new_referent": str(noir.pk)}
    )
    change = ReferentChange.objects.get(enrolment=enrolment)
    assert change.previous == world.members["referent"]
    assert change.new == noir
    assert change.changed_by == world.members["director"].user
