"""Session screens: detail, new (one or weekly), edit, trainees, cancel — each with the
three-user treatment, and refused input that shows the French message and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.schedule.models import Session, SessionSeries, SessionTrainee

from ..utils import page_text
from .sessions_helpers import DAY, count, plain_type, second_trainer, trainee

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"schedule:{name}", args=["e2c-alpha", *args])


def form_data(world, **overrides) -> dict:
    data = {
        "room": world.room.pk,
        "workshop_type": plain_type(world).pk,
        "title": "",
        "day": DAY.isoformat(),
        "start_time": "14:00",
        "end_time": "16:00",
        "trainer": world.members["referent"].pk,
        "needs_computers": "",
        "repeat_until": "",
    }
    data.update(overrides)
    return data


def writes() -> tuple:
    return (count(), SessionTrainee.objects.count(), AuditEvent.objects.count())


# ------------------------------------------------------------------------------ detail


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("referent", 200),
        ("company_relations", 200),
        ("intake", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_session_detail_access(world, who, status):
    response = world.client_for(who).get(url("session", world.objects["session"].pk))
    assert response.status_code == status
    if status == 200:
        text = page_text(response)
        assert "Français et communication" in text and "Salle Alpha" in text
        assert world.objects["enrolment"].person.last_name.upper() in text


def test_session_of_another_school_is_404(world):
    client = world.client_for("director")
    for name in ("session", "session_edit", "session_trainees", "session_cancel"):
        assert client.get(url(name, world.others["session"].pk)).status_code == 404


def test_detail_shows_management_links_only_to_managers(world):
    pk = world.objects["session"].pk
    assert url("session_edit", pk) in page_text(
        world.client_for("referent").get(url("session", pk))
    )
    assert url("session_edit", pk) not in page_text(
        world.client_for("company_relations").get(url("session", pk))
    )


# ------------------------------------------------------------------------------ new


def test_a_referent_creates_a_session_with_trainees_and_a_group(world):
    chosen = trainee(world, referent=second_trainer(world))
    caseload = [world.objects["enrolment"], trainee(world)]  # world referent's caseload
    response = world.client_for("referent").post(
        url("session_new"),
        {
            **form_data(world),
            "trainees": [chosen.pk],
            "group_referent": world.members["referent"].pk,
        },
    )
    session = Session.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == url("session", session.pk)
    assert set(session.trainees.all()) >= {chosen, *caseload}
    assert session.created_by == world.members["referent"].user
    assert AuditEvent.objects.filter(action="session.create", object_id=str(session.pk)).exists()


def test_new_session_form_prefills_from_the_query(world):
    response = world.client_for("director").get(
        url("session_new") + f"?day=2024-03-05&start=09:00&room={world.room.pk}"
    )
    assert response.status_code == 200
    text = page_text(response)
    assert 'value="2024-03-05"' in text and 'value="09:00"' in text


@pytest.mark.parametrize(
    ("who", "status"), [("company_relations", 403), ("intake", 403), ("outsider", 404)]
)
def test_who_may_not_create_writes_nothing(world, who, status):
    before = writes()
    response = world.client_for(who).post(url("session_new"), form_data(world))
    assert response.status_code == status
    assert writes() == before


def test_a_conflicting_session_is_refused_with_the_message(world):
    before = writes()
    response = world.client_for("director").post(
        url("session_new"),
        form_data(world, start_time="11:00", end_time="13:00", trainer=second_trainer(world).pk),
    )
    assert response.status_code == 400
    assert (
        "Le 04/03/2024, la salle « Salle Alpha » est déjà occupée de 09:00 à 12:00 "
        "(Français et communication)." in page_text(response)
    )
    assert writes() == before


def test_bad_input_is_refused(world):
    client = world.client_for("director")
    before = writes()
    response = client.post(
        url("session_new"), form_data(world, start_time="15:00", end_time="14:00")
    )
    assert response.status_code == 400
    assert "La séance doit finir après son début." in page_text(response)
    response = client.post(url("session_new"), form_data(world, room=world.other_room.pk))
    assert response.status_code == 400
    assert "Choisissez une salle." in page_text(response)
    response = client.post(url("session_new"), form_data(world, trainer=world.members["intake"].pk))
    assert response.status_code == 400
    assert "Choisissez qui anime la séance." in page_text(response)
    assert writes() == before


def test_weekly_sessions_in_one_action(world):
    response = world.client_for("director").post(
        url("session_new"), form_data(world, repeat_until="2024-03-25")
    )
    assert response.status_code == 302
    series = SessionSeries.objects.get()
    assert [s.day for s in series.sessions.order_by("day")] == [
        DAY + datetime.timedelta(weeks=n) for n in range(4)
    ]


def test_weekly_sessions_all_or_nothing(world):
    before = writes()
    response = world.client_for("director").post(
        url("session_new"),
        form_data(
            world,
            start_time="09:00",
            end_time="10:00",
            repeat_until="2024-03-25",
            trainer=second_trainer(world).pk,
        ),
    )
    assert response.status_code == 400
    assert "Le 04/03/2024, la salle « Salle Alpha » est déjà occupée" in page_text(response)
    assert writes() == before and not SessionSeries.objects.exists()


# ------------------------------------------------------------------------------ edit


def test_edit_a_session(world):
    client = world.client_for("referent")
    session = world.objects["session"]
    response = client.get(url("session_edit", session.pk))
    assert response.status_code == 200 and 'value="09:00"' in page_text(response)
    response = client.post(
        url("session_edit", session.pk),
        form_data(world, start_time="09:00", end_time="12:00", title="Lecture à voix haute"),
    )
    assert response.status_code == 302
    assert Session.objects.get(pk=session.pk).title == "Lecture à voix haute"


def test_edit_refused(world):
    session = world.objects["session"]  # attendance already marked
    before = (writes(), Session.objects.get(pk=session.pk).start_time)
    response = world.client_for("director").post(
        url("session_edit", session.pk), form_data(world, start_time="10:00", end_time="12:00")
    )
    assert response.status_code == 400
    assert "sa date et ses horaires ne peuvent plus changer" in page_text(response)
    response = world.client_for("company_relations").post(
        url("session_edit", session.pk), form_data(world, title="x")
    )
    assert response.status_code == 403
    assert (writes(), Session.objects.get(pk=session.pk).start_time) == before


# ------------------------------------------------------------------------------ trainees


def test_add_and_remove_trainees(world):
    session = world.objects["session"]
    client = world.client_for("referent")
    response = client.get(url("session_trainees", session.pk))
    assert response.status_code == 200
    newcomer = trainee(world)
    response = client.post(
        url("session_trainees", session.pk), {"action": "add", "add-trainees": [newcomer.pk]}
    )
    assert response.status_code == 302
    assert newcomer in session.trainees.all()
    response = client.post(
        url("session_trainees", session.pk),
        {"action": "remove", "remove-trainees": [world.objects["enrolment"].pk]},
    )
    assert response.status_code == 302
    assert list(session.trainees.all()) == [newcomer]


def test_add_a_whole_site_at_once(world):
    session = world.objects["session"]
    others = [trainee(world) for _ in range(3)]
    response = world.client_for("director").post(
        url("session_trainees", session.pk), {"action": "add", "add-group_site": world.site.pk}
    )
    assert response.status_code == 302
    assert set(session.trainees.all()) >= set(others)


def test_trainees_refused(world):
    session = world.objects["session"]
    upstairs_session = session
    upstairs_session.room.step_free = False
    upstairs_session.room.save()
    needs = trainee(world, step_free=True)
    before = writes()
    client = world.client_for("director")
    response = client.post(
        url("session_trainees", session.pk), {"action": "add", "add-trainees": [needs.pk]}
    )
    assert response.status_code == 400
    assert "a besoin d'une salle de plain-pied" in page_text(response)
    response = client.post(url("session_trainees", session.pk), {"action": "add"})
    assert response.status_code == 400
    assert "Choisissez au moins un·e stagiaire à ajouter." in page_text(response)
    response = client.post(
        url("session_trainees", session.pk),
        {"action": "add", "add-trainees": [world.others["enrolment"].pk]},
    )
    assert response.status_code == 400
    response = world.client_for("company_relations").post(
        url("session_trainees", session.pk), {"action": "add", "add-trainees": [trainee(world).pk]}
    )
    assert response.status_code == 403
    assert writes() == before


# ------------------------------------------------------------------------------ cancel


def test_cancel_a_session(world):
    client = world.client_for("referent")
    client.post(url("session_new"), form_data(world))
    session = Session.objects.latest("pk")
    response = client.get(url("session_cancel", session.pk))
    assert response.status_code == 200
    response = client.post(url("session_cancel", session.pk), {"reason": ""})
    assert response.status_code == 400
    assert "Indiquez le motif de l'annulation." in page_text(response)
    assert Session.objects.filter(pk=session.pk).exists()
    response = world.client_for("company_relations").post(
        url("session_cancel", session.pk), {"reason": "room_unavailable"}
    )
    assert response.status_code == 403
    assert Session.objects.filter(pk=session.pk).exists()
    response = client.post(url("session_cancel", session.pk), {"reason": "room_unavailable"})
    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    assert AuditEvent.objects.filter(action="session.cancel", object_id=str(session.pk)).exists()


def test_a_session_with_marks_cannot_be_cancelled(world):
    session = world.objects["session"]
    before = writes()
    response = world.client_for("director").post(
        url("session_cancel", session.pk), {"reason": "trainer_absent"}
    )
    assert response.status_code == 400
    assert "elle ne peut plus être annulée" in page_text(response)
    assert writes() == before
