"""The individual plan: current version, earlier versions read-only, a revision = a new version."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.pathways.models import Plan, PlanGoal, PlanStep, TargetJob
from tests.factories import EnrolmentFactory
from tests.utils import page_text


def _plan_url(world, enrolment=None) -> str:
    enrolment = enrolment or world.objects["enrolment"]
    return reverse("pathways:plan", args=[world.school.slug, enrolment.pk])


def _edit_url(world, enrolment=None) -> str:
    enrolment = enrolment or world.objects["enrolment"]
    return reverse("pathways:plan_edit", args=[world.school.slug, enrolment.pk])


def _counts() -> tuple[int, ...]:
    return (
        Plan.objects.count(),
        TargetJob.objects.count(),
        PlanGoal.objects.count(),
        PlanStep.objects.count(),
        AuditEvent.objects.count(),
    )


def _payload(
    *,
    project="Logistique : préparation de commandes",
    review_note="Bilan de fin de phase",
    jobs=(("Préparateur de commandes", "N1103"),),
    goals=(("Obtenir le CACES 1", "2024-05-01", "in_progress"),),
    steps=(("Stage de découverte en entrepôt", "2024-03-10"),),
    rows=4,
) -> dict[str, str]:
    """A posted revision: ``rows`` rows in each list, the given ones first, then empty ones."""
    data = {"project": project, "review_note": review_note}
    for prefix, items, names in (
        ("jobs", jobs, ("title", "rome_code")),
        ("goals", goals, ("title", "due_on", "status")),
        ("steps", steps, ("description", "agreed_on")),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(max(rows, len(items)))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "30"
        for index in range(max(rows, len(items))):
            values = items[index] if index < len(items) else ("",) * len(names)
            for name, value in zip(names, values, strict=True):
                if name == "status" and not value:
                    value = "todo"
                data[f"{prefix}-{index}-{name}"] = value
    return data


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize("who", ["director", "referent", "intake", "company_relations"])
def test_every_member_of_staff_reads_the_plan(world, who):
    response = world.client_for(who).get(_plan_url(world))
    assert response.status_code == 200
    text = page_text(response)
    assert "Version en vigueur (version 1)" in text
    assert "Logistique" in text
    assert "Préparateur de commandes" in text and "N1103" in text
    assert "Obtenir le CACES 1" in text and "01/05/2024" in text
    edit = _edit_url(world)
    assert (edit in response.content.decode()) is (who in ("director", "referent"))


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_get_403(world, who):
    before = _counts()
    client = world.client_for(who)
    assert client.get(_plan_url(world)).status_code == 403
    assert client.get(_edit_url(world)).status_code == 403
    assert client.post(_edit_url(world), _payload()).status_code == 403
    assert _counts() == before


@pytest.mark.parametrize("who", ["intake", "company_relations"])
def test_staff_who_do_not_manage_pathways_cannot_revise(world, who):
    before = _counts()
    client = world.client_for(who)
    assert client.get(_edit_url(world)).status_code == 403
    assert client.post(_edit_url(world), _payload()).status_code == 403
    assert _counts() == before


def test_outsider_gets_404(world):
    before = _counts()
    client = world.client_for("outsider")
    assert client.get(_plan_url(world)).status_code == 404
    assert client.get(_edit_url(world)).status_code == 404
    assert client.post(_edit_url(world), _payload()).status_code == 404
    assert _counts() == before


def test_another_schools_enrolment_is_404(world):
    other = world.others["enrolment"]
    before = _counts()
    client = world.client_for("director")
    assert client.get(_plan_url(world, other)).status_code == 404
    assert client.get(_edit_url(world, other)).status_code == 404
    assert client.post(_edit_url(world, other), _payload()).status_code == 404
    assert _counts() == before


# ---------------------------------------------------------------------------- revision


def test_the_form_is_prefilled_from_the_current_version(world):
    response = world.client_for("referent").get(_edit_url(world))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Logistique</textarea>" in content
    assert 'value="Préparateur de commandes"' in content
    assert 'value="N1103"' in content
    assert 'value="Obtenir le CACES 1"' in content
    assert 'value="2024-05-01"' in content
    assert "Le formulaire reprend la version 1." in page_text(response)
    # The current rows plus empty ones; every input has a label.
    assert 'name="jobs-TOTAL_FORMS" value="4"' in content
    assert 'for="id_jobs-3-title"' in content


def test_a_revision_writes_a_new_version_and_keeps_the_old_one(world):
    enrolment = world.objects["enrolment"]
    v1 = world.objects["plan"]
    v1_jobs = list(v1.target_jobs.values_list("title", "rome_code"))
    v1_goals = list(v1.goals.values_list("title", "due_on", "status"))
    events = AuditEvent.objects.count()
    client = world.client_for("referent")
    data = _payload(
        jobs=(("Cariste", "n1101"), ("Préparateur de commandes", "N1103")),
        goals=(
            ("Obtenir le CACES 1", "2024-05-01", "done"),
            ("Trouver un stage en entrepôt", "2024-06-15", "todo"),
        ),
    )
    response = client.post(_edit_url(world), data)
    assert response.status_code == 302
    assert response["Location"] == _plan_url(world)
    v2 = Plan.objects.get(enrolment=enrolment, version=2)
    assert v2.project == "Logistique : préparation de commandes"
    assert v2.review_note == "Bilan de fin de phase"
    assert v2.created_by == world.members["referent"].user
    assert list(v2.target_jobs.values_list("title", "rome_code")) == [
        ("Cariste", "N1101"),
        ("Préparateur de commandes", "N1103"),
    ]
    assert list(v2.goals.values_list("title", "due_on", "status")) == [
        ("Obtenir le CACES 1", datetime.date(2024, 5, 1), "done"),
        ("Trouver un stage en entrepôt", datetime.date(2024, 6, 15), "todo"),
    ]
    assert list(v2.steps.values_list("description", "agreed_on")) == [
        ("Stage de découverte en entrepôt", datetime.date(2024, 3, 10))
    ]
    # Version 1 is unchanged.
    v1.refresh_from_db()
    assert v1.project == "Logistique"
    assert v1.review_note == ""
    assert list(v1.target_jobs.values_list("title", "rome_code")) == v1_jobs
    assert list(v1.goals.values_list("title", "due_on", "status")) == v1_goals
    assert not v1.steps.exists()
    event = AuditEvent.objects.filter(action="plan.create").get()
    assert event.changes == {"version": 2}
    assert event.object_id == str(enrolment.pk)
    assert AuditEvent.objects.count() == events + 1
    # The plan page shows version 2 as current, version 1 in the list, and the message.
    text = page_text(client.get(response["Location"]))
    assert "La version 2 du plan individuel est enregistrée." in text
    assert "Version en vigueur (version 2)" in text
    assert "Cariste" in text
    assert "?version=1" in text


def test_an_old_version_is_shown_read_only(world):
    client = world.client_for("referent")
    assert client.post(_edit_url(world), _payload(jobs=(("Cariste", "N1101"),))).status_code == 302
    response = client.get(_plan_url(world) + "?version=1")
    assert response.status_code == 200
    text = page_text(response)
    assert "Version 1 (ancienne version)" in text
    assert "Ancienne version, en lecture seule." in text
    assert "Préparateur de commandes" in text
    assert "Cariste" not in text.split("Versions du plan")[0]
    assert "<form" not in response.content.decode().split("</header>")[1]


@pytest.mark.parametrize("version", ["99", "abc", "-1"])
def test_an_unknown_version_is_404(world, version):
    response = world.client_for("director").get(_plan_url(world) + f"?version={version}")
    assert response.status_code == 404


def test_the_first_version_needs_no_review_note(world):
    enrolment = EnrolmentFactory(school=world.school, site=world.site)
    client = world.client_for("director")
    page = page_text(client.get(_plan_url(world, enrolment)))
    assert "Pas encore de plan individuel." in page
    assert "Établir le plan" in page
    response = client.post(_edit_url(world, enrolment), _payload(review_note="", goals=()))
    assert response.status_code == 302
    plan = Plan.objects.get(enrolment=enrolment)
    assert plan.version == 1
    assert plan.review_note == ""


def test_a_first_version_with_a_target_job_only_is_enough(world):
    enrolment = EnrolmentFactory(school=world.school, site=world.site)
    data = _payload(project="", review_note="", goals=(), steps=())
    response = world.client_for("referent").post(_edit_url(world, enrolment), data)
    assert response.status_code == 302
    assert Plan.objects.get(enrolment=enrolment).target_jobs.count() == 1


def test_more_rows_writes_nothing_and_keeps_what_was_typed(world):
    before = _counts()
    data = _payload(jobs=(("Cariste", "N1101"),), rows=4)
    data["more_rows"] = "1"
    response = world.client_for("referent").post(_edit_url(world), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Cariste"' in content
    assert 'name="jobs-TOTAL_FORMS" value="4"' in content  # 1 typed row + 3 empty ones
    assert "Bilan de fin de phase" in content
    assert _counts() == before


# ------------------------------------------------------------------------------ refusals


def _refused(world, data, message, enrolment=None):
    before = _counts()
    response = world.client_for("referent").post(_edit_url(world, enrolment), data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text, text[text.find("form-errors") : text.find("form-errors") + 800]
    assert "Le plan n'a pas été enregistré" in text
    assert _counts() == before
    return text


def test_review_note_required_when_a_version_exists(world):
    _refused(world, _payload(review_note="  "), "Indiquez le motif de la révision du plan.")


@pytest.mark.parametrize("code", ["N110", "1103N", "NN103", "N11034", "N 1103", "É1103"])
def test_invalid_rome_code_is_refused(world, code):
    _refused(
        world,
        _payload(jobs=(("Cariste", code),)),
        "une lettre et quatre chiffres, ex. N1103.",
    )


def test_overlong_goal_title_is_refused(world):
    _refused(
        world,
        _payload(goals=(("x" * 301, "2024-05-01", "todo"),)),
        "L'intitulé de l'objectif : 300 caractères au plus.",
    )


def test_overlong_job_title_is_refused(world):
    _refused(
        world,
        _payload(jobs=(("x" * 201, "N1103"),)),
        "L'intitulé du métier : 200 caractères au plus.",
    )


def test_goal_due_before_entry_is_refused(world):
    _refused(
        world,
        _payload(goals=(("Obtenir le CACES 1", "2024-01-15", "todo"),)),
        "L'échéance ne peut pas précéder l'entrée en parcours (05/02/2024).",
    )


def test_a_goal_without_title_is_refused(world):
    _refused(
        world,
        _payload(goals=(("", "2024-05-01", "todo"),)),
        "Indiquez l'intitulé de l'objectif.",
    )


def test_a_job_with_a_code_but_no_title_is_refused(world):
    _refused(world, _payload(jobs=(("", "N1103"),)), "Indiquez l'intitulé du métier visé.")


def test_a_step_with_a_date_but_no_description_is_refused(world):
    _refused(world, _payload(steps=(("", "2024-03-10"),)), "Décrivez l'étape convenue.")


def test_an_unknown_goal_status_is_refused(world):
    _refused(
        world,
        _payload(goals=(("Obtenir le CACES 1", "2024-05-01", "perdu"),)),
        "Sélectionnez un choix valide",
    )


def test_a_malformed_date_is_refused(world):
    _refused(
        world,
        _payload(goals=(("Obtenir le CACES 1", "01/13/2024", "todo"),)),
        "Saisissez une date valide.",
    )


def test_an_empty_first_version_is_refused(world):
    enrolment = EnrolmentFactory(school=world.school, site=world.site)
    _refused(
        world,
        _payload(project="  ", review_note="", jobs=(), goals=(), steps=()),
        "Indiquez au moins le projet professionnel ou un métier visé.",
        enrolment=enrolment,
    )


def test_too_many_rows_are_refused(world):
    jobs = tuple((f"Métier {i}", "") for i in range(31))
    _refused(world, _payload(jobs=jobs), "Veuillez soumettre au plus 30 formulaires.")


def test_a_closed_enrolment_cannot_be_revised(world):
    enrolment = world.objects["enrolment"]
    enrolment.status = "exited"
    enrolment.ended_on = datetime.date(2024, 9, 30)
    enrolment.save()
    client = world.client_for("referent")
    get = client.get(_edit_url(world))
    assert "Ce parcours est clos : il ne peut plus être modifié." in page_text(get)
    assert _edit_url(world) not in client.get(_plan_url(world)).content.decode()
    before = _counts()
    response = client.post(_edit_url(world), _payload())
    assert response.status_code == 400
    assert "Ce parcours est clos : il ne peut plus être modifié." in page_text(response)
    assert _counts() == before
