"""The school's pathway settings: phase list (add, rename, reorder, use) and pathway lengths."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.organisations.models import School
from parcours.pathways import services_settings
from parcours.pathways.models import DEFAULT_PHASES, PhaseDefinition

from ..factories import MembershipFactory, SchoolFactory
from ..utils import page_text

pytestmark = pytest.mark.django_db


def _url(slug: str = "e2c-alpha") -> str:
    return reverse("pathways:settings", args=[slug])


def _phases(school) -> list[tuple[str, bool]]:
    return [
        (p.name, p.active)
        for p in PhaseDefinition.objects.filter(school=school).order_by("position")
    ]


def _snapshot(world) -> tuple:
    school = School.objects.get(pk=world.school.pk)
    return (
        _phases(world.school),
        _phases(world.other_school),
        school.pathway_months,
        school.max_pathway_months,
        AuditEvent.objects.count(),
    )


def _phase(world, position: int) -> PhaseDefinition:
    return PhaseDefinition.objects.get(school=world.school, position=position)


DEFAULTS = [(name, True) for name in DEFAULT_PHASES]


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
    assert world.client_for(who).get(_url()).status_code == status


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("outsider", 404)])
def test_a_post_by_someone_who_may_not_writes_nothing(world, who, status):
    before = _snapshot(world)
    client = world.client_for(who)
    assert client.post(_url(), {"action": "add", "add-name": "Nouvelle"}).status_code == status
    data = {"action": "lengths", "lengths-pathway_months": 8, "lengths-max_pathway_months": 10}
    assert client.post(_url(), data).status_code == status
    assert _snapshot(world) == before


def test_the_page_shows_phases_in_order_with_their_trainees_and_the_lengths(world):
    response = world.client_for("director").get(_url())
    text = page_text(response)
    positions = [text.index(name) for name in DEFAULT_PHASES]
    assert positions == sorted(positions)
    counts = {p.name: p.open_count for p in response.context["phases"]}
    assert counts == {
        DEFAULT_PHASES[0]: 0,
        DEFAULT_PHASES[1]: 1,  # the world's trainee
        DEFAULT_PHASES[2]: 0,
        DEFAULT_PHASES[3]: 0,
    }
    assert response.context["lengths_form"]["pathway_months"].value() == 6
    assert response.context["lengths_form"]["max_pathway_months"].value() == 9


# ------------------------------------------------------------------------------ add, rename


def test_add_a_phase_at_the_end(world):
    response = world.client_for("director").post(
        _url(), {"action": "add", "add-name": "  Suivi   renforcé "}, follow=True
    )
    assert "La phase « Suivi renforcé » a été ajoutée." in page_text(response)
    assert _phases(world.school) == [*DEFAULTS, ("Suivi renforcé", True)]
    event = AuditEvent.objects.get(action="phase.create")
    assert event.changes == {"name": "Suivi renforcé", "position": 5}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Indiquez l'intitulé de la phase."),
        ("   ", "Indiquez l'intitulé de la phase."),
        ("x" * 121, "L'intitulé est limité à 120 caractères."),
        ("préparation DE LA sortie", "L'école a déjà une phase « préparation DE LA sortie »."),
    ],
)
def test_a_bad_new_phase_is_refused(world, name, message):
    before = _snapshot(world)
    response = world.client_for("director").post(_url(), {"action": "add", "add-name": name})
    assert response.status_code == 400
    assert message in page_text(response)
    assert _snapshot(world) == before


def test_rename_a_phase(world):
    phase = _phase(world, 2)
    response = world.client_for("director").post(
        _url(), {"action": "rename", "phase": phase.pk, "name": "Projet professionnel"}
    )
    assert response.status_code == 302
    assert _phases(world.school)[1] == ("Projet professionnel", True)
    event = AuditEvent.objects.get(action="phase.rename")
    assert event.changes == {"name": [DEFAULT_PHASES[1], "Projet professionnel"]}


def test_a_refused_rename_shows_the_message_and_what_was_typed(world):
    phase = _phase(world, 2)
    before = _snapshot(world)
    response = world.client_for("director").post(
        _url(), {"action": "rename", "phase": phase.pk, "name": DEFAULT_PHASES[0].upper()}
    )
    assert response.status_code == 400
    assert "L'école a déjà une phase" in page_text(response)
    assert f'value="{DEFAULT_PHASES[0].upper()}"' in response.content.decode()
    assert _snapshot(world) == before


@pytest.mark.parametrize("action", ["rename", "move", "active"])
@pytest.mark.parametrize("phase", ["OTHER", "abc", ""])
def test_a_phase_of_another_school_or_a_bad_id_is_refused(world, action, phase):
    other = PhaseDefinition.objects.filter(school=world.other_school).first()
    data = {
        "action": action,
        "phase": other.pk if phase == "OTHER" else phase,
        "name": "Piratée",
        "direction": "down",
        "active": "0",
    }
    before = _snapshot(world)
    response = world.client_for("director").post(_url(), data)
    assert response.status_code == 400
    text = page_text(response)
    assert "Cette phase n'est pas une phase de l'école." in text or "Choisissez une phase." in text
    assert _snapshot(world) == before


# -------------------------------------------------------------------------------- reorder


def test_move_a_phase_up_and_down(world):
    client = world.client_for("director")
    third = _phase(world, 3)
    response = client.post(_url(), {"action": "move", "phase": third.pk, "direction": "up"})
    assert response.status_code == 302
    names = [name for name, _active in _phases(world.school)]
    assert names == [DEFAULT_PHASES[0], DEFAULT_PHASES[2], DEFAULT_PHASES[1], DEFAULT_PHASES[3]]
    client.post(_url(), {"action": "move", "phase": third.pk, "direction": "down"})
    client.post(_url(), {"action": "move", "phase": third.pk, "direction": "down"})
    names = [name for name, _active in _phases(world.school)]
    assert names == [DEFAULT_PHASES[0], DEFAULT_PHASES[1], DEFAULT_PHASES[3], DEFAULT_PHASES[2]]
    assert AuditEvent.objects.filter(action="phase.move").count() == 3


@pytest.mark.parametrize(
    ("position", "direction", "message"),
    [
        (1, "up", "Cette phase est déjà la première."),
        (4, "down", "Cette phase est déjà la dernière."),
        (2, "sideways", "Déplacement inconnu."),
    ],
)
def test_a_move_past_the_ends_is_refused(world, position, direction, message):
    before = _snapshot(world)
    response = world.client_for("director").post(
        _url(), {"action": "move", "phase": _phase(world, position).pk, "direction": direction}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _snapshot(world) == before


# -------------------------------------------------------------------------------- in use


def test_a_phase_in_use_cannot_be_put_out_of_use(world):
    before = _snapshot(world)
    response = world.client_for("director").post(
        _url(), {"action": "active", "phase": _phase(world, 2).pk, "active": "0"}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert f"La phase « {DEFAULT_PHASES[1]} » ne peut pas être désactivée" in text
    assert "1 stagiaire y est actuellement" in text
    assert _snapshot(world) == before


def test_an_unused_phase_can_be_put_out_of_use_and_back(world):
    client = world.client_for("director")
    last = _phase(world, 4)
    response = client.post(
        _url(), {"action": "active", "phase": last.pk, "active": "0"}, follow=True
    )
    assert f"La phase « {DEFAULT_PHASES[3]} » n'est plus en usage." in page_text(response)
    assert _phases(world.school)[3] == (DEFAULT_PHASES[3], False)
    assert "Hors d'usage" in page_text(response)
    client.post(_url(), {"action": "active", "phase": last.pk, "active": "1"})
    assert _phases(world.school)[3] == (DEFAULT_PHASES[3], True)
    actions = list(
        AuditEvent.objects.filter(action__startswith="phase.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["phase.activate", "phase.deactivate"]


def test_the_last_phase_in_use_stays_in_use(world):
    membership = world.members["director"]
    for position in (1, 3, 4):
        services_settings.set_phase_active(
            membership=membership, phase=_phase(world, position), active=False
        )
    # Phase 2 has the world's trainee; empty it first to test the "last one" rule.
    world.objects["enrolment"].phases.all().delete()
    before = _snapshot(world)
    response = world.client_for("director").post(
        _url(), {"action": "active", "phase": _phase(world, 2).pk, "active": "0"}
    )
    assert response.status_code == 400
    assert "Au moins une phase doit rester en usage." in page_text(response)
    assert _snapshot(world) == before


def test_adding_a_phase_to_a_school_without_phases_creates_the_defaults_first(world):
    school = SchoolFactory(network=world.school.network)
    director = MembershipFactory(school=school, role="director")
    services_settings.add_phase(membership=director, name="Bilan final")
    assert _phases(school) == [*DEFAULTS, ("Bilan final", True)]


def test_services_refuse_another_school_phase(world):
    other = PhaseDefinition.objects.filter(school=world.other_school).first()
    with pytest.raises(ValidationError):
        services_settings.rename_phase(membership=world.members["director"], phase=other, name="x")
    with pytest.raises(ValidationError):
        services_settings.set_phase_active(
            membership=world.members["director"], phase=other, active=False
        )


# ------------------------------------------------------------------------------- lengths


def test_save_the_pathway_lengths(world):
    response = world.client_for("director").post(
        _url(),
        {"action": "lengths", "lengths-pathway_months": "8", "lengths-max_pathway_months": "12"},
        follow=True,
    )
    assert "Les durées de parcours ont été enregistrées." in page_text(response)
    school = School.objects.get(pk=world.school.pk)
    assert (school.pathway_months, school.max_pathway_months) == (8, 12)
    event = AuditEvent.objects.get(action="school.pathway_lengths")
    assert event.changes == {"pathway_months": [6, 8], "max_pathway_months": [9, 12]}


@pytest.mark.parametrize(
    ("planned", "maximum", "message"),
    [
        ("8", "6", "La durée maximale ne peut pas être inférieure à la durée prévue (8 mois)."),
        ("0", "6", "Indiquez au moins 1 mois."),
        ("37", "40", "Indiquez au plus 36 mois."),
        ("6", "49", "Indiquez au plus 48 mois."),
        ("six", "9", "Indiquez un nombre entier de mois."),
        ("", "9", "Indiquez une durée en mois."),
    ],
)
def test_bad_lengths_are_refused(world, planned, maximum, message):
    before = _snapshot(world)
    response = world.client_for("director").post(
        _url(),
        {
            "action": "lengths",
            "lengths-pathway_months": planned,
            "lengths-max_pathway_months": maximum,
        },
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert _snapshot(world) == before


def test_the_lengths_service_checks_its_bounds_too(world):
    membership = world.members["director"]
    with pytest.raises(ValidationError, match="inférieure à la durée prévue"):
        services_settings.save_pathway_lengths(
            membership=membership, pathway_months=10, max_pathway_months=9
        )
    with pytest.raises(ValidationError, match="entre 1 et 36"):
        services_settings.save_pathway_lengths(
            membership=membership, pathway_months=40, max_pathway_months=48
        )


def test_an_unknown_action_is_refused(world):
    before = _snapshot(world)
    response = world.client_for("director").post(_url(), {"action": "supprimer"})
    assert response.status_code == 400
    assert "Action inconnue : rien n'a été modifié." in page_text(response)
    assert _snapshot(world) == before
