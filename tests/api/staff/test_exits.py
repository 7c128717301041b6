"""Exits: the list (VIEW_TRAINEES, date filters), record / correct / undo (RECORD_EXITS)
through the web's forms and services: the same French messages, the same audit events."""

from __future__ import annotations

import datetime

import pytest

from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment
from tests.factories import EnrolmentFactory, PersonFactory

from .helpers import events, has_message, queries_of

pytestmark = pytest.mark.django_db


def _exit_for(world, day: datetime.date, last_name: str) -> Exit:
    enrolment = EnrolmentFactory(
        school=world.school,
        site=world.site,
        person=PersonFactory(school=world.school, last_name=last_name),
        entry_date=day - datetime.timedelta(days=90),
        status="exited",
        ended_on=day,
    )
    return Exit.objects.create(
        school=world.school,
        enrolment=enrolment,
        exit_date=day,
        destination="cdi",
        recorded_by=world.members["director"].user,
    )


# ------------------------------------------------------------------------------ list


def test_list_with_date_filters(world, call):
    _exit_for(world, datetime.date(2025, 6, 30), "Juin")
    rows = call("company_relations", "get", "/exits").json()["results"]
    assert [row["person"]["last_name"] for row in rows] == ["Juin", "Sortante2c-alpha"]
    assert rows[1]["destination"] == "cdd" and rows[1]["months"] == 4
    assert rows[1]["enrolment"] == world.objects["exited_enrolment"].pk
    assert [
        r["person"]["last_name"]
        for r in call("director", "get", "/exits?date_from=2025-01-01").json()["results"]
    ] == ["Juin"]
    assert [
        r["person"]["last_name"]
        for r in call("director", "get", "/exits?date_to=2024-12-31").json()["results"]
    ] == ["Sortante2c-alpha"]
    assert call("director", "get", "/exits?group=emploi").json()["count"] == 2
    assert call("director", "get", "/exits?group=formation").json()["count"] == 0


def test_list_bad_filters_and_other_schools(world, call):
    response = call("director", "get", "/exits?group=nimporte")
    assert response.status_code == 422
    assert has_message(response, "Groupe de destinations inconnu.")
    response = call("director", "get", f"/exits?site={world.other_site.pk}")
    assert response.status_code == 422 and has_message(response, "Site inconnu.")
    theirs = [row["id"] for row in call("outsider", "get", "/exits").json()["results"]]
    assert theirs == [world.others["exit"].pk]
    assert call("outsider", "get", f"/exits/{world.objects['exit'].pk}").status_code == 404
    assert call("prescriber", "get", "/exits").status_code == 403


def test_list_runs_a_constant_number_of_queries(world, call):
    call("director", "get", "/exits")
    few = queries_of(lambda: call("director", "get", "/exits"))
    for index in range(15):
        _exit_for(world, datetime.date(2025, 1, 1) + datetime.timedelta(days=index), f"S{index}")
    assert queries_of(lambda: call("director", "get", "/exits")) == few


# ------------------------------------------------------------------------------ record


def _body(**overrides):
    return {"exit_date": "2024-04-12", "destination": "cdd", "months": 4, **overrides}


def test_referent_records_an_exit_like_the_web(world, call):
    enrolment = world.objects["enrolment"]
    response = call("referent", "post", f"/enrolments/{enrolment.pk}/exit", _body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["enrolment"] == enrolment.pk and body["destination"] == "cdd"
    enrolment.refresh_from_db()
    assert enrolment.status == "exited" and enrolment.ended_on == datetime.date(2024, 4, 12)
    assert not enrolment.phases.filter(ended_on__isnull=True).exists()  # closed like the web
    [event] = events("exit.record")
    assert event.object_id == str(body["id"]) and event.actor == world.members["referent"].user
    # recorded once: a second exit is refused with the service's message
    again = call("referent", "post", f"/enrolments/{enrolment.pk}/exit", _body())
    assert again.status_code == 422
    assert has_message(again, "Ce parcours est déjà clos : sa sortie est enregistrée.")


def test_record_refused_by_role_and_school(world, call):
    enrolment = world.objects["enrolment"]
    url = f"/enrolments/{enrolment.pk}/exit"
    assert call("company_relations", "post", url, _body()).status_code == 403
    assert call("intake", "post", url, _body()).status_code == 403
    assert call("outsider", "post", url, _body()).status_code == 404
    assert not Exit.objects.filter(enrolment=enrolment).exists()
    assert events("exit.record") == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"exit_date": "2024-01-02"},
            "La date de sortie ne peut pas précéder l'entrée en parcours (05/02/2024).",
        ),
        ({"exit_date": "2099-01-02"}, "La date de sortie ne peut pas être dans le futur."),
        ({"months": None}, "Indiquez la durée en mois (« CDD »), 0 si moins d'un mois."),
        (
            {"destination": "cdi", "months": 3},
            "Une sortie « CDI » n'a pas de durée : laissez la durée vide.",
        ),
        ({"destination": "abandon", "months": None}, "Un abandon demande un motif"),
        ({"destination": "lune"}, "Choisissez la destination dans la liste."),
        ({"months": -1}, "La durée ne peut pas être négative."),
        ({"comment": "NIR 1 84 12 76 451 089 46"}, "numéro de sécurité sociale"),
        ({"exit_date": "12/04/2024"}, "Une date est attendue"),
    ],
)
def test_record_bad_input_writes_nothing(world, call, overrides, message):
    enrolment = world.objects["enrolment"]
    exits = Exit.objects.count()
    response = call("referent", "post", f"/enrolments/{enrolment.pk}/exit", _body(**overrides))
    assert response.status_code == 422, response.content
    assert has_message(response, message), response.json()
    assert Exit.objects.count() == exits
    assert Enrolment.objects.get(pk=enrolment.pk).status == "active"
    assert events("exit.record") == []


# ------------------------------------------------------------------------------ correct, undo


def test_correct_an_exit(world, call):
    exit_ = world.objects["exit"]
    url = f"/exits/{exit_.pk}"
    body = {"exit_date": "2024-03-29", "destination": "cdd", "months": 6, "reason": "entry_error"}
    assert call("company_relations", "put", url, body).status_code == 403
    assert call("outsider", "put", url, body).status_code == 404
    response = call("referent", "put", url, {**body, "reason": ""})
    assert response.status_code == 422
    assert has_message(response, "Indiquez le motif de la correction.")
    assert events("exit.correct") == []
    response = call("referent", "put", url, body)
    assert response.status_code == 200, response.content
    assert response.json()["months"] == 6 and response.json()["corrected_at"]
    [event] = events("exit.correct")
    assert event.changes["months"] == [4, 6] and event.changes["reason"] == "entry_error"


def test_undo_an_exit(world, call):
    exit_ = world.objects["exit"]
    url = f"/exits/{exit_.pk}/undo"
    assert call("company_relations", "post", url, {"reason": "mistake"}).status_code == 403
    assert call("outsider", "post", url, {"reason": "mistake"}).status_code == 404
    response = call("referent", "post", url, {"reason": "autre chose"})
    assert response.status_code == 422
    assert has_message(response, "Motif d'annulation inconnu.")
    assert Exit.objects.filter(pk=exit_.pk).exists()
    # the world's exit has a follow-up due, none recorded: it can be undone
    response = call("referent", "post", url, {"reason": "mistake"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active" and response.json()["exit_id"] is None
    assert not Exit.objects.filter(pk=exit_.pk).exists()
    [event] = events("exit.undo")
    assert event.changes["reason"] == "mistake"


def test_undo_too_late_is_refused_with_the_web_message(world, call):
    exit_ = world.objects["exit"]
    Exit.objects.filter(pk=exit_.pk).update(
        recorded_at=datetime.datetime(2024, 3, 29, 12, tzinfo=datetime.UTC)
    )
    response = call("referent", "post", f"/exits/{exit_.pk}/undo", {"reason": "mistake"})
    assert response.status_code == 422
    assert has_message(response, "Une sortie ne peut être annulée que dans le mois")
    assert Exit.objects.filter(pk=exit_.pk).exists()
    assert events("exit.undo") == []
