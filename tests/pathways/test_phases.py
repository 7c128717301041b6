"""Moving an enrolment to another phase: dated, audited, backwards only with a reason."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.pathways.models import EnrolmentPhase, PhaseDefinition
from tests.factories import EnrolmentFactory
from tests.utils import login_client, page_text


def _url(world, enrolment=None) -> str:
    enrolment = enrolment or world.objects["enrolment"]
    return reverse("pathways:phase_move", args=[world.school.slug, enrolment.pk])


def _phases(school) -> list[PhaseDefinition]:
    return list(PhaseDefinition.objects.filter(school=school).order_by("position"))


def _counts() -> tuple[int, int, int]:
    return (
        EnrolmentPhase.objects.count(),
        EnrolmentPhase.objects.filter(ended_on__isnull=True).count(),
        AuditEvent.objects.count(),
    )


def _post(world, who="referent", enrolment=None, client=None, **data):
    today = timezone.localdate()
    payload = {"on": today.isoformat(), "comment": "", "backwards_reason": ""}
    payload.update({k: (v.pk if isinstance(v, PhaseDefinition) else v) for k, v in data.items()})
    client = client or world.client_for(who)
    return client.post(_url(world, enrolment), payload)


def _current(enrolment) -> EnrolmentPhase:
    return EnrolmentPhase.objects.get(enrolment=enrolment, ended_on__isnull=True)


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize("who", ["referent", "director"])
def test_the_form_proposes_the_next_phase_and_today(world, who):
    response = world.client_for(who).get(_url(world))
    assert response.status_code == 200
    content = response.content.decode()
    third = _phases(world.school)[2]
    assert re.search(rf'<option value="{third.pk}" selected>', content)
    assert f'value="{timezone.localdate().isoformat()}"' in content
    assert "Phase en cours : Construction du projet professionnel." in page_text(response)


@pytest.mark.parametrize("who", ["intake", "company_relations", "prescriber", "funder"])
def test_roles_that_do_not_manage_pathways_get_403(world, who):
    before = _counts()
    assert world.client_for(who).get(_url(world)).status_code == 403
    phase = _phases(world.school)[2]
    assert _post(world, who, phase=phase).status_code == 403
    assert _counts() == before


def test_outsider_gets_404(world):
    before = _counts()
    assert world.client_for("outsider").get(_url(world)).status_code == 404
    assert _post(world, "outsider", phase=_phases(world.school)[2]).status_code == 404
    assert _counts() == before


def test_another_schools_enrolment_is_404(world):
    other = world.others["enrolment"]
    before = _counts()
    client = world.client_for("director")
    assert client.get(_url(world, other)).status_code == 404
    response = client.post(
        _url(world, other),
        {"phase": _phases(world.other_school)[2].pk, "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert _counts() == before


def test_anonymous_is_sent_to_login(world):
    response = world.client_for("anonymous").get(_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ------------------------------------------------------------------------------- moves


def test_forward_move_is_dated_and_audited(world):
    enrolment = world.objects["enrolment"]
    phases = _phases(world.school)
    previous = _current(enrolment)
    day = datetime.date(2024, 4, 15)
    total, _, events = _counts()
    client = world.client_for("referent")
    response = _post(
        world, client=client, phase=phases[2], on=day.isoformat(), comment="Projet validé"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "pathways:trainee", args=[world.school.slug, enrolment.pk]
    )
    previous.refresh_from_db()
    assert previous.ended_on == day
    current = _current(enrolment)
    assert current.phase == phases[2]
    assert current.started_on == day
    assert current.comment == "Projet validé"
    assert current.moved_by == world.members["referent"].user
    assert current.backwards_reason == ""
    assert EnrolmentPhase.objects.count() == total + 1
    event = AuditEvent.objects.filter(action="enrolment.phase").get()
    assert event.actor == world.members["referent"].user
    assert event.object_id == str(enrolment.pk)
    assert event.changes["to"] == phases[2].pk
    assert event.changes["on"] == "2024-04-15"
    assert event.changes["backwards"] is False
    assert AuditEvent.objects.count() == events + 1
    # The trainee page shows the new phase, its history and the message.
    page = page_text(client.get(response["Location"]))
    assert "est en phase « Alternance et confirmation du projet » depuis le 15/04/2024." in page
    flat = re.sub(r"<[^>]+>", " ", page)
    assert re.search(r"Construction du projet professionnel\s+04/03/2024\s+15/04/2024\s+42\b", flat)
    assert "Projet validé" in page


def test_move_on_today_by_default(world):
    enrolment = world.objects["enrolment"]
    assert _post(world, "director", phase=_phases(world.school)[3]).status_code == 302
    assert _current(enrolment).started_on == timezone.localdate()
    assert _current(enrolment).moved_by == world.members["director"].user


def test_backwards_without_reason_is_refused(world):
    before = _counts()
    response = _post(world, phase=_phases(world.school)[0], on="2024-04-01")
    assert response.status_code == 400
    assert "Revenir à une phase précédente demande un motif." in page_text(response)
    assert _counts() == before
    assert _current(world.objects["enrolment"]).phase == _phases(world.school)[1]


def test_backwards_with_a_reason_is_recorded(world):
    enrolment = world.objects["enrolment"]
    phases = _phases(world.school)
    response = _post(
        world, phase=phases[0], on="2024-04-01", backwards_reason="Positionnement à refaire"
    )
    assert response.status_code == 302
    current = _current(enrolment)
    assert current.phase == phases[0]
    assert current.backwards_reason == "Positionnement à refaire"
    event = AuditEvent.objects.filter(action="enrolment.phase").get()
    assert event.changes["backwards"] is True
    page = page_text(world.client_for("intake").get(response["Location"]))
    assert "Retour en arrière : Positionnement à refaire" in page


def test_same_phase_is_refused(world):
    before = _counts()
    response = _post(world, phase=_phases(world.school)[1], on="2024-04-01")
    assert response.status_code == 400
    assert "Le parcours est déjà dans cette phase." in page_text(response)
    assert _counts() == before


def test_date_in_the_future_is_refused(world):
    before = _counts()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(world, phase=_phases(world.school)[2], on=tomorrow.isoformat())
    assert response.status_code == 400
    assert "La date du changement de phase ne peut pas être dans le futur." in page_text(response)
    assert _counts() == before


def test_date_before_entry_is_refused(world):
    before = _counts()
    response = _post(world, phase=_phases(world.school)[2], on="2024-01-31")
    assert response.status_code == 400
    assert "Le changement de phase ne peut pas précéder l'entrée." in page_text(response)
    assert _counts() == before


def test_date_before_the_current_phase_started_is_refused(world):
    before = _counts()
    response = _post(world, phase=_phases(world.school)[2], on="2024-03-01")
    assert response.status_code == 400
    assert (
        "Le changement ne peut pas précéder le début de la phase en cours (04/03/2024)."
        in page_text(response)
    )
    assert _counts() == before


@pytest.mark.parametrize("bad", ["", "31/02/2024", "demain"])
def test_missing_or_malformed_date_is_refused(world, bad):
    before = _counts()
    response = _post(world, phase=_phases(world.school)[2], on=bad)
    assert response.status_code == 400
    text = page_text(response)
    assert "Ce champ est obligatoire." in text or "Saisissez une date valide." in text
    assert _counts() == before


def test_a_phase_of_another_school_or_unused_is_refused(world):
    before = _counts()
    response = _post(world, phase=_phases(world.other_school)[2])
    assert response.status_code == 400
    assert "Choisissez une phase de la liste." in page_text(response)
    unused = _phases(world.school)[3]
    unused.active = False
    unused.save()
    response = _post(world, phase=unused)
    assert response.status_code == 400
    assert "Choisissez une phase de la liste." in page_text(response)
    assert _counts() == before


def test_overlong_comment_is_refused(world):
    before = _counts()
    response = _post(world, phase=_phases(world.school)[2], comment="x" * 501)
    assert response.status_code == 400
    assert "500 caractères" in page_text(response)
    assert _counts() == before


def test_closed_enrolment_cannot_change_phase(world):
    enrolment = world.objects["enrolment"]
    enrolment.status = "exited"
    enrolment.ended_on = datetime.date(2024, 9, 30)
    enrolment.save()
    message = "Ce parcours est clos : il ne peut plus être modifié."
    get = world.client_for("referent").get(_url(world))
    assert get.status_code == 200
    assert message in page_text(get)
    assert '<form method="post" novalidate>' not in get.content.decode()
    before = _counts()
    response = _post(world, phase=_phases(world.school)[2], on="2024-09-01")
    assert response.status_code == 400
    assert message in page_text(response)
    assert _counts() == before


def test_first_phase_of_an_enrolment_without_any(world):
    """An enrolment without a phase yet is offered the first one."""
    enrolment = EnrolmentFactory(school=world.school, site=world.site)
    phases = _phases(world.school)
    response = world.client_for("referent").get(_url(world, enrolment))
    assert re.search(rf'<option value="{phases[0].pk}" selected>', response.content.decode())
    assert "Aucune phase en cours." in page_text(response)
    response = _post(world, enrolment=enrolment, phase=phases[0], on="2024-02-05")
    assert response.status_code == 302
    assert _current(enrolment).phase == phases[0]


def test_another_referent_of_the_school_may_move_the_phase(world):
    """Moving phases needs MANAGE_PATHWAY, not being the enrolment's referent."""
    from tests.factories import MembershipFactory, UserFactory

    colleague = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(email="remplacant@alpha.example.org")
    )
    client = Client()
    login_client(client, colleague.user)
    response = client.post(
        _url(world),
        {"phase": _phases(world.school)[2].pk, "on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert _current(world.objects["enrolment"]).moved_by == colleague.user


def test_in_the_last_phase_the_form_never_proposes_a_step_back(world):
    phases = _phases(world.school)
    assert _post(world, phase=phases[3], on="2024-04-01").status_code == 302
    response = world.client_for("referent").get(_url(world))
    content = response.content.decode()
    assert re.search(rf'<option value="{phases[3].pk}" selected>', content)
    assert not re.search(rf'<option value="{phases[0].pk}" selected>', content)
