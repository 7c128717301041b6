"""Enrolments: the trainee list's filters and the trainee page without restricted content
(VIEW_TRAINEES), the move to a phase (MANAGE_PATHWAY), the referent (MANAGE_CASELOADS)."""

from __future__ import annotations

import datetime
import json

import pytest

from parcours.pathways.models import EnrolmentPhase, ReferentChange
from tests.factories import EnrolmentFactory, PersonFactory, SiteFactory

from .helpers import events, has_message, queries_of

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["person"]["last_name"] for row in response.json()["results"]]


# ------------------------------------------------------------------------------ list


def test_list_filters_like_the_trainee_list(world, call):
    other_site = SiteFactory(school=world.school, name="Site Bis")
    EnrolmentFactory(
        school=world.school,
        site=other_site,
        person=PersonFactory(school=world.school, last_name="Bis"),
        entry_date=datetime.date(2025, 9, 1),
    )
    active = _names(call("company_relations", "get", "/enrolments?page_size=200"))
    assert "Stagiairee2c-alpha" in active and "Bis" in active
    assert "Sortante2c-alpha" not in active  # exited: not in the default list
    assert _names(call("director", "get", "/enrolments?status=exited")) == ["Sortante2c-alpha"]
    assert _names(call("director", "get", f"/enrolments?site={other_site.pk}")) == ["Bis"]
    assert _names(call("director", "get", "/enrolments?date_from=2025-01-01")) == ["Bis"]
    assert "Bis" not in _names(call("director", "get", "/enrolments?date_to=2024-12-31"))
    mine = world.members["referent"].pk
    assert _names(call("director", "get", f"/enrolments?referent={mine}")) == ["Stagiairee2c-alpha"]
    assert _names(call("director", "get", "/enrolments?q=stagiaire")) == ["Stagiairee2c-alpha"]


def test_list_rows_carry_phase_referent_and_funding(world, call):
    enrolment = world.objects["enrolment"]
    row = next(
        r
        for r in call("director", "get", "/enrolments").json()["results"]
        if r["id"] == enrolment.pk
    )
    assert row["site"] == {"id": world.site.pk, "name": world.site.name}
    assert row["referent"]["id"] == world.members["referent"].pk
    assert row["current_phase"]["name"] == enrolment.phases.get(ended_on__isnull=True).phase.name
    assert row["status"] == "active" and row["overdue"] is True  # planned end in 2024


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=nimporte", "Statut inconnu"),
        ("referent=999999", "Ce référent n'est pas un membre de l'école."),
        ("funding_line=inconnu", "Ce dispositif n'existe pas."),
        ("date_from=2025-02-01&date_to=2025-01-01", "date_from doit être antérieure"),
    ],
)
def test_bad_filters_answer_422_in_french(world, call, query, message):
    response = call("director", "get", f"/enrolments?{query}")
    assert response.status_code == 422
    assert has_message(response, message)


def test_another_schools_site_is_refused_as_the_list_does(world, call):
    response = call("director", "get", f"/enrolments?site={world.other_site.pk}")
    assert response.status_code == 422
    assert has_message(response, "Ce site n'est pas un site de l'école.")


def test_list_runs_a_constant_number_of_queries(world, call):
    def add(count):
        EnrolmentFactory.create_batch(count, school=world.school, site=world.site)

    add(2)
    call("director", "get", "/enrolments")
    few = queries_of(lambda: call("director", "get", "/enrolments"))
    add(25)
    assert queries_of(lambda: call("director", "get", "/enrolments")) == few


def test_partners_are_refused(world, call):
    for who in ("prescriber", "funder", "network"):
        assert call(who, "get", "/enrolments").status_code == 403


# ------------------------------------------------------------------------------ read


def test_detail_has_no_restricted_content_even_for_the_referent(world, call):
    enrolment = world.objects["enrolment"]
    for who in ("referent", "director", "company_relations"):
        response = call(who, "get", f"/enrolments/{enrolment.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["person"]["id"] == enrolment.person_id
        assert [step["phase"]["name"] for step in body["phases"]][:1]
        assert body["exit_id"] is None
        text = json.dumps(body, ensure_ascii=False)
        assert "SECRET" not in text and "Point d'étape" not in text


def test_detail_of_an_exited_enrolment_names_its_exit(world, call):
    exited = world.objects["exited_enrolment"]
    body = call("intake", "get", f"/enrolments/{exited.pk}").json()
    assert body["status"] == "exited" and body["exit_id"] == world.objects["exit"].pk


def test_detail_of_another_school_is_not_found(world, call):
    assert (
        call("outsider", "get", f"/enrolments/{world.objects['enrolment'].pk}").status_code == 404
    )
    assert (
        call("prescriber", "get", f"/enrolments/{world.objects['enrolment'].pk}").status_code == 403
    )


# ------------------------------------------------------------------------------ phase


def _phase_body(world, **overrides):
    return {"phase": world.objects["phase"].pk, "on": "2024-06-03", **overrides}


def test_referent_moves_the_phase_with_its_audit_event(world, call):
    enrolment = world.objects["enrolment"]
    response = call("referent", "post", f"/enrolments/{enrolment.pk}/phase", _phase_body(world))
    assert response.status_code == 200, response.content
    assert response.json()["current_phase"]["id"] == world.objects["phase"].pk
    [event] = events("enrolment.phase")
    assert event.object_id == str(enrolment.pk)
    assert event.actor == world.members["referent"].user
    assert event.changes["to"] == world.objects["phase"].pk


def test_phase_move_refused_by_role_and_school(world, call):
    enrolment = world.objects["enrolment"]
    before = EnrolmentPhase.objects.count()
    url = f"/enrolments/{enrolment.pk}/phase"
    assert call("company_relations", "post", url, _phase_body(world)).status_code == 403
    assert call("intake", "post", url, _phase_body(world)).status_code == 403
    assert call("outsider", "post", url, _phase_body(world)).status_code == 404
    assert EnrolmentPhase.objects.count() == before
    assert events("enrolment.phase") == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phase": 1}, "Choisissez une phase de la liste."),  # not one of the school's
        ({"on": "2024-01-02"}, "Le changement de phase ne peut pas précéder l'entrée."),
        ({"on": "2099-01-02"}, "ne peut pas être dans le futur"),
        ({"phase": None}, "Un nombre entier est attendu."),
    ],
)
def test_phase_move_bad_input_writes_nothing(world, call, overrides, message):
    enrolment = world.objects["enrolment"]
    if overrides.get("phase") == 1:
        overrides = {"phase": world.others["phase"].pk}
    before = EnrolmentPhase.objects.count()
    response = call(
        "referent", "post", f"/enrolments/{enrolment.pk}/phase", _phase_body(world, **overrides)
    )
    assert response.status_code == 422, response.content
    assert has_message(response, message)
    assert EnrolmentPhase.objects.count() == before
    assert events("enrolment.phase") == []


def test_going_back_needs_a_reason(world, call):
    enrolment = world.objects["enrolment"]
    first = enrolment.phases.order_by("started_on").first().phase
    url = f"/enrolments/{enrolment.pk}/phase"
    response = call("referent", "post", url, {"phase": first.pk, "on": "2024-06-03"})
    assert response.status_code == 422
    assert has_message(response, "Revenir à une phase précédente demande un motif.")
    response = call(
        "referent",
        "post",
        url,
        {"phase": first.pk, "on": "2024-06-03", "backwards_reason": "Projet à reprendre"},
    )
    assert response.status_code == 200


# ------------------------------------------------------------------------------ referent


def test_director_changes_the_referent_with_its_audit_event(world, call):
    enrolment = world.objects["enrolment"]
    url = f"/enrolments/{enrolment.pk}/referent"
    response = call("director", "post", url, {"referent": world.members["director"].pk})
    assert response.status_code == 200, response.content
    assert response.json()["referent"]["id"] == world.members["director"].pk
    [event] = events("enrolment.referent")
    assert event.object_id == str(enrolment.pk)
    response = call("director", "post", url, {"referent": None})
    assert response.status_code == 200 and response.json()["referent"] is None
    assert ReferentChange.objects.filter(enrolment=enrolment).count() == 2


def test_referent_change_refused_by_role_school_and_input(world, call):
    enrolment = world.objects["enrolment"]
    url = f"/enrolments/{enrolment.pk}/referent"
    body = {"referent": world.members["director"].pk}
    assert call("referent", "post", url, body).status_code == 403  # no MANAGE_CASELOADS
    assert call("outsider", "post", url, body).status_code == 403  # no MANAGE_CASELOADS either
    assert call("outsider_director", "post", url, body).status_code == 404
    response = call("director", "post", url, {"referent": world.members["intake"].pk})
    assert response.status_code == 422
    assert has_message(response, "Ce référent n'est pas un formateur référent actif de l'école.")
    response = call("director", "post", url, {"referent": world.outsider.pk})
    assert response.status_code == 422
    assert ReferentChange.objects.filter(enrolment=enrolment).count() == 0
    assert events("enrolment.referent") == []
