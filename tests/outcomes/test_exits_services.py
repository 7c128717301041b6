"""Exit services: every refusal (French message, nothing written), what an exit closes, the
audit events, the correction and the undo within the month (frozen clock)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.companies.models import ContractType, Hire
from parcours.outcomes import services_exits as services
from parcours.outcomes.destinations import Destination
from parcours.outcomes.models import Exit, ExitFollowUp
from parcours.pathways.models import Enrolment, EnrolmentPhase, GoalStatus, PlanGoal
from parcours.schedule.models import AttendanceMark, Session, SessionTrainee
from tests.factories import EnrolmentFactory

PARIS = ZoneInfo("Europe/Paris")
#: "Today" in these tests: the world's trainee is in the middle of a signed internship
#: (8–19 April 2024).
TODAY = datetime.datetime(2024, 4, 15, 10, 0, tzinfo=PARIS)
EXIT_DAY = datetime.date(2024, 4, 12)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _exit_kwargs(**overrides):
    kwargs = {
        "exit_date": EXIT_DAY,
        "destination": "cdd",
        "months": 4,
        "days": 0,
        "organisation": "Transports Arvernes",
        "dropout_reason": "",
        "comment": "Commentaire PRIVE sur la personne",
    }
    kwargs.update(overrides)
    return kwargs


def _session(world, day: datetime.date) -> Session:
    session = Session.objects.create(
        school=world.school,
        site=world.site,
        room=world.room,
        workshop_type=world.objects["workshop_type"],
        day=day,
        start_time=datetime.time(13, 30),
        end_time=datetime.time(16, 30),
        trainer=world.members["referent"],
        created_by=world.members["referent"].user,
    )
    SessionTrainee.objects.create(
        school=world.school, session=session, enrolment=world.objects["enrolment"]
    )
    return session


def _mark(world, day: datetime.date, status: str, half: str = "am") -> AttendanceMark:
    return AttendanceMark.objects.create(
        school=world.school,
        enrolment=world.objects["enrolment"],
        day=day,
        half=half,
        status=status,
        recorded_by=world.members["referent"].user,
    )


def _record(world, who="referent", enrolment=None, **overrides) -> Exit:
    return services.record_exit(
        world.members[who],
        enrolment or world.objects["enrolment"],
        ip_address="127.0.0.1",
        **_exit_kwargs(**overrides),
    )


# ------------------------------------------------------------------------------ refusals

REFUSALS = [
    ({"exit_date": datetime.date(2024, 2, 1)}, "ne peut pas précéder l'entrée en parcours"),
    ({"exit_date": datetime.date(2024, 4, 16)}, "ne peut pas être dans le futur"),
    ({"exit_date": None}, "Indiquez la date de sortie."),
    ({"destination": "lune"}, "Choisissez la destination dans la liste."),
    ({"months": None}, "Indiquez la durée en mois (« CDD »)"),
    ({"destination": "cdi", "months": 3}, "Une sortie « CDI » n'a pas de durée"),
    (
        {"destination": "recherche_emploi", "months": None, "days": 3, "organisation": ""},
        "n'a pas de durée",
    ),
    ({"months": None, "destination": "apprentissage", "days": 10}, "Indiquez les mois"),
    ({"months": 121}, "La durée va de 0 à 120 mois."),
    ({"days": 31}, "Les jours vont de 0 à 30"),
    ({"months": 0, "days": 0}, "Une durée de 0 mois et 0 jour"),
    (
        {"destination": "abandon", "months": None, "organisation": ""},
        "Un abandon demande un motif",
    ),
    (
        {"destination": "abandon", "months": None, "organisation": "", "dropout_reason": "x"},
        "Motif d'abandon inconnu",
    ),
    ({"dropout_reason": "motivation"}, "Seul un abandon porte un motif"),
    (
        {"destination": "recherche_emploi", "months": None},
        "Une sortie « Recherche d'emploi » n'a ni employeur ni organisme",
    ),
    ({"organisation": "x" * 201}, "limité à 200 caractères"),
    ({"comment": "x" * 2001}, "Le commentaire est limité à 2000 caractères."),
    # The world's trainee was present on 4 March 2024 (a morning session).
    ({"exit_date": datetime.date(2024, 3, 1)}, "Une présence est émargée le 04/03/2024"),
]


def _state(world):
    enrolment = Enrolment.objects.get(pk=world.objects["enrolment"].pk)
    return (
        Exit.objects.count(),
        AuditEvent.objects.count(),
        enrolment.status,
        enrolment.ended_on,
        EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True).count(),
        sorted(PlanGoal.objects.filter(plan__enrolment=enrolment).values_list("status", flat=True)),
        SessionTrainee.objects.filter(enrolment=enrolment).count(),
        AttendanceMark.objects.filter(enrolment=enrolment).count(),
    )


@pytest.mark.parametrize(("overrides", "message"), REFUSALS)
def test_refusals_say_why_and_write_nothing(world, frozen, overrides, message):
    _session(world, datetime.date(2024, 4, 22))
    _mark(world, datetime.date(2024, 4, 18), "company")
    before = _state(world)
    with pytest.raises(ValidationError) as error:
        _record(world, **overrides)
    assert message in " ".join(error.value.messages)
    assert _state(world) == before


def test_an_exited_enrolment_cannot_exit_again(world, frozen):
    before = Exit.objects.count()
    with pytest.raises(ValidationError, match="déjà clos"):
        _record(world, enrolment=world.objects["exited_enrolment"])
    assert Exit.objects.count() == before


def test_another_schools_enrolment_is_refused(world, frozen):
    with pytest.raises(ValidationError, match="Parcours inconnu"):
        _record(world, enrolment=world.others["enrolment"])
    assert not Exit.objects.filter(enrolment=world.others["enrolment"]).exists()


def test_a_hire_of_another_enrolment_is_refused(world, frozen):
    with pytest.raises(ValidationError, match="Embauche inconnue"):
        _record(world, hire=world.others["hire"])
    assert world.objects["enrolment"].status == "active"
    assert not Exit.objects.filter(enrolment=world.objects["enrolment"]).exists()


def test_presence_on_the_exit_day_is_allowed(world, frozen):
    exit_ = _record(world, exit_date=datetime.date(2024, 3, 4))
    assert exit_.exit_date == datetime.date(2024, 3, 4)


def test_an_exit_before_the_current_phase_began_is_refused(world, frozen):
    # The world's trainee is in their second phase since 04/03/2024 (no presence recorded).
    AttendanceMark.objects.filter(enrolment=world.objects["enrolment"]).delete()
    with pytest.raises(ValidationError, match="Une phase du parcours a commencé le 04/03/2024"):
        _record(world, exit_date=datetime.date(2024, 3, 1))
    assert world.objects["enrolment"].status == "active"
    assert not Exit.objects.filter(enrolment=world.objects["enrolment"]).exists()


# ------------------------------------------------------------------------------ closing


def test_open_items_lists_what_the_exit_closes(world, frozen):
    enrolment = world.objects["enrolment"]
    before = _session(world, datetime.date(2024, 4, 11))
    after = _session(world, datetime.date(2024, 4, 22))
    _mark(world, datetime.date(2024, 4, 15), "company")  # today: a record, kept
    future = _mark(world, datetime.date(2024, 4, 16), "company")
    items = services.open_items(enrolment, EXIT_DAY)
    assert [p.session for p in items.places] == [after]
    assert before not in [p.session for p in items.places]
    assert [g.title for g in items.goals] == ["Obtenir le CACES 1"]
    assert items.phase.ended_on is None
    assert items.future_marks == [future]
    assert items.kept_marks == 1
    assert items.internships == [world.objects["internship"]]
    assert items.closes_something


def test_record_closes_the_open_items_and_audits_codes_only(world, frozen):
    enrolment = world.objects["enrolment"]
    internship = world.objects["internship"]
    kept_session = _session(world, datetime.date(2024, 4, 11))
    later = _session(world, datetime.date(2024, 4, 22))
    today_mark = _mark(world, datetime.date(2024, 4, 15), "company")
    _mark(world, datetime.date(2024, 4, 16), "company")
    _mark(world, datetime.date(2024, 4, 16), "company", half="pm")
    _mark(world, datetime.date(2024, 4, 17), "holiday")
    exit_ = _record(world)

    enrolment.refresh_from_db()
    assert enrolment.status == "exited"
    assert enrolment.ended_on == EXIT_DAY
    assert exit_.recorded_by == world.members["referent"].user
    assert (exit_.destination, exit_.months, exit_.days) == ("cdd", 4, 0)
    assert exit_.organisation == "Transports Arvernes"
    phases = EnrolmentPhase.objects.filter(enrolment=enrolment)
    assert not phases.filter(ended_on__isnull=True).exists()
    assert phases.order_by("-started_on").first().ended_on == EXIT_DAY
    assert set(
        PlanGoal.objects.filter(plan__enrolment=enrolment).values_list("status", flat=True)
    ) == {GoalStatus.DROPPED}
    places = SessionTrainee.objects.filter(enrolment=enrolment)
    assert places.filter(session=kept_session).exists()
    assert not places.filter(session=later).exists()
    marks = AttendanceMark.objects.filter(enrolment=enrolment)
    assert not marks.filter(day__gt=datetime.date(2024, 4, 15)).exists()
    assert marks.filter(pk=today_mark.pk).exists()  # today's mark is a record
    internship.refresh_from_db()
    assert internship.end_date == datetime.date(2024, 4, 19)  # left as it was
    assert not ExitFollowUp.objects.filter(exit=exit_).exists()  # parcours daily creates them

    event = AuditEvent.objects.get(action="exit.record")
    assert event.object_id == str(exit_.pk)
    assert event.changes["destination"] == "cdd"
    assert event.changes["closed"]["sessions"] == [later.pk]
    assert event.changes["closed"]["marks"] == 3
    assert event.changes["internships_running"] == [internship.pk]
    assert "PRIVE" not in str(event.changes)
    assert "Transports" not in str(event.changes)
    # The session's list changed through the schedule's service (its own audit event).
    removal = AuditEvent.objects.get(action="session.trainees", object_id=str(later.pk))
    assert removal.changes == {"added": [], "removed": [enrolment.pk]}


def test_a_hire_prefills_and_links_the_exit(world, frozen):
    hire = world.objects["hire"]
    initial = services.initial_from_hire(hire)
    assert initial == {
        "destination": "cdd",
        "months": 6,
        "days": 0,
        "organisation": hire.company.name,
        "hire": hire.pk,
    }
    assert services.latest_hire(world.objects["enrolment"]) == hire
    exit_ = _record(world, hire=hire, months=6, organisation=hire.company.name)
    assert exit_.hire == hire


def test_every_contract_type_maps_to_a_destination():
    assert set(services.CONTRACT_DESTINATIONS) == set(ContractType.values)
    assert set(services.CONTRACT_DESTINATIONS.values()) <= set(Destination.values)
    assert services.CONTRACT_DESTINATIONS["seasonal"] == "saisonnier"
    assert services.CONTRACT_DESTINATIONS["pro"] == "professionnalisation"


def test_latest_hire_is_the_most_recent(world):
    enrolment = world.objects["enrolment"]
    newer = Hire.objects.create(
        school=world.school,
        enrolment=enrolment,
        company=world.objects["company"],
        contract_type="cdi",
        job_title="Cariste",
        start_date=datetime.date(2024, 9, 1),
        recorded_by=world.members["referent"].user,
    )
    assert services.latest_hire(enrolment) == newer
    assert services.initial_from_hire(newer)["months"] is None


def test_a_dropout_with_its_reason(world, frozen):
    exit_ = _record(
        world, destination="abandon", months=None, organisation="", dropout_reason="mobilite"
    )
    assert exit_.dropout_reason == "mobilite"


# ------------------------------------------------------------------------------ correction


def test_correction_keeps_the_diff_and_the_reason(world):
    exit_ = world.objects["exit"]
    corrected = services.correct_exit(
        world.members["referent"],
        exit_,
        exit_date=exit_.exit_date,
        destination="cdd",
        months=5,
        days=10,
        organisation="Autre employeur",
        dropout_reason="",
        comment="Texte PRIVE",
        reason="entry_error",
    )
    assert (corrected.months, corrected.days) == (5, 10)
    assert corrected.corrected_at is not None
    event = AuditEvent.objects.get(action="exit.correct")
    assert event.changes["months"] == [4, 5]
    assert event.changes["days"] == [0, 10]
    assert event.changes["organisation"] == "changed"
    assert event.changes["comment"] == "changed"
    assert event.changes["reason"] == "entry_error"
    assert "PRIVE" not in str(event.changes)
    assert "Autre employeur" not in str(event.changes)


def test_correcting_the_date_moves_the_end_and_the_pending_follow_ups(world):
    exit_ = world.objects["exit"]
    follow_up = world.objects["exit_follow_up"]
    recorded = ExitFollowUp.objects.create(
        school=world.school,
        exit=exit_,
        wave=6,
        due_on=datetime.date(2024, 9, 29),
        status="unreachable",
        recorded_at=timezone.now(),
    )
    services.correct_exit(
        world.members["director"],
        exit_,
        exit_date=datetime.date(2024, 2, 29),
        destination="cdd",
        months=4,
        organisation="Transports Dômes",
        reason="late_information",
    )
    enrolment = Enrolment.objects.get(pk=exit_.enrolment_id)
    assert enrolment.ended_on == datetime.date(2024, 2, 29)
    follow_up.refresh_from_db()
    assert follow_up.due_on == datetime.date(2024, 5, 29)
    recorded.refresh_from_db()
    assert recorded.due_on == datetime.date(2024, 9, 29)  # already recorded: left alone
    event = AuditEvent.objects.get(action="exit.correct")
    assert event.changes["exit_date"] == ["2024-03-29", "2024-02-29"]
    assert event.changes["follow_ups_moved"] == [follow_up.pk]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reason": ""}, "Indiquez le motif de la correction."),
        ({"months": None}, "Indiquez la durée en mois"),
        ({"exit_date": datetime.date(2023, 9, 1)}, "ne peut pas précéder l'entrée"),
        ({}, "Rien n'a changé"),
    ],
)
def test_correction_refusals_write_nothing(world, overrides, message):
    exit_ = world.objects["exit"]
    kwargs = {
        "exit_date": exit_.exit_date,
        "destination": "cdd",
        "months": 4,
        "days": 0,
        "organisation": "Transports Dômes",
        "reason": "entry_error",
        **overrides,
    }
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.correct_exit(world.members["referent"], exit_, **kwargs)
    assert message in " ".join(error.value.messages)
    exit_.refresh_from_db()
    assert (exit_.months, exit_.corrected_at) == (4, None)
    assert AuditEvent.objects.count() == events


def test_correction_checks_presence_after_the_new_date(world, frozen):
    exit_ = _record(world)
    with pytest.raises(ValidationError, match="Une présence est émargée le 04/03/2024"):
        services.correct_exit(
            world.members["referent"],
            exit_,
            **_exit_kwargs(exit_date=datetime.date(2024, 3, 1)),
            reason="entry_error",
        )
    assert Enrolment.objects.get(pk=exit_.enrolment_id).ended_on == EXIT_DAY


def test_correction_of_another_schools_exit_is_refused(world):
    with pytest.raises(ValidationError, match="Parcours inconnu"):
        services.correct_exit(
            world.members["referent"],
            world.others["exit"],
            exit_date=datetime.date(2024, 3, 29),
            destination="cdi",
            reason="entry_error",
        )


# ------------------------------------------------------------------------------ undo


def test_undo_within_the_month_reopens_the_pathway(world, frozen):
    enrolment = world.objects["enrolment"]
    exit_ = _record(world)
    ExitFollowUp.objects.create(
        school=world.school, exit=exit_, wave=3, due_on=datetime.date(2024, 7, 12)
    )
    with time_machine.travel(TODAY + datetime.timedelta(days=30), tick=False):
        services.undo_exit(world.members["referent"], exit_, reason="mistake")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on) == ("active", None)
    assert not Exit.objects.filter(pk=exit_.pk).exists()
    assert not ExitFollowUp.objects.filter(exit_id=exit_.pk).exists()
    assert EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True).count() == 1
    # What the exit closed stays closed.
    assert set(
        PlanGoal.objects.filter(plan__enrolment=enrolment).values_list("status", flat=True)
    ) == {GoalStatus.DROPPED}
    event = AuditEvent.objects.get(action="exit.undo")
    assert event.object_id == str(enrolment.pk)
    assert event.changes["exit"] == exit_.pk
    assert event.changes["reason"] == "mistake"


def test_undo_after_the_month_is_refused(world, frozen):
    exit_ = _record(world)
    with (
        time_machine.travel(TODAY + datetime.timedelta(days=32), tick=False),
        pytest.raises(ValidationError, match="dans le mois qui suit son enregistrement"),
    ):
        services.undo_exit(world.members["referent"], exit_, reason="mistake")
    assert Exit.objects.filter(pk=exit_.pk).exists()
    assert not AuditEvent.objects.filter(action="exit.undo").exists()


def test_undo_after_a_recorded_follow_up_is_refused(world):
    exit_ = world.objects["exit"]
    follow_up = world.objects["exit_follow_up"]
    follow_up.status = "unreachable"
    follow_up.recorded_at = timezone.now()
    follow_up.save()
    with pytest.raises(ValidationError, match="Un suivi après la sortie a déjà été enregistré"):
        services.undo_exit(world.members["referent"], exit_, reason="mistake")
    assert Exit.objects.filter(pk=exit_.pk).exists()


def test_undo_needs_a_reason_and_no_other_pathway_in_progress(world):
    exit_ = world.objects["exit"]
    with pytest.raises(ValidationError, match="Indiquez le motif de l'annulation"):
        services.undo_exit(world.members["referent"], exit_, reason="")
    EnrolmentFactory(
        school=world.school,
        site=world.site,
        person=exit_.enrolment.person,
        entry_date=datetime.date(2024, 9, 2),
    )
    with pytest.raises(ValidationError, match="un autre parcours en cours"):
        services.undo_exit(world.members["referent"], exit_, reason="mistake")
    assert Exit.objects.filter(pk=exit_.pk).exists()


def test_undo_of_another_schools_exit_is_refused(world):
    with pytest.raises(ValidationError, match="Parcours inconnu"):
        services.undo_exit(world.members["referent"], world.others["exit"], reason="mistake")
    assert Exit.objects.filter(pk=world.others["exit"].pk).exists()
