"""Writes of exits: record, correct and undo the exit of an enrolment.

Rules (each refusal is a French ``ValidationError``; nothing is written then):

- the enrolment is the school's and still in progress (an exit is recorded once);
- the exit date is on or after the entry date and not in the future, and no presence (present
  or late) is recorded after it: the message says on which day;
- the length (months, and days beyond whole months, 0 to 30) is given for the destinations of
  ``LENGTH_REQUIRED``, may be given for ``LENGTH_ALLOWED`` and is refused for the others;
- a dropout ("abandon") needs a reason, and only a dropout has one;
- the employer or training body only for ``WITH_ORGANISATION`` destinations.

Recording the exit closes what is still open, under a row lock on the enrolment (see
:func:`open_items`): the enrolment is exited on the exit date, its open phase ends, the open
goals of its plan are dropped, its places in sessions after the exit date are removed (through
``schedule.services_sessions.remove_trainees``, audited), its attendance marks of days to come
(filled from a signed internship) are deleted. Internships running past the exit date are only
listed: they stay as they are. The follow-ups at 3, 6 and 12 months are created by
``parcours daily`` when they fall due, not here.

Audit events name records by kind and id and carry codes only (never the comment or the
employer's name): ``exit.record``, ``exit.correct`` (the diff, the reason code), ``exit.undo``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import diff_fields, record_event, snapshot
from parcours.companies.models import ContractType, Hire, Internship
from parcours.organisations.models import Membership
from parcours.pathways.models import Enrolment, EnrolmentPhase, GoalStatus, Plan, PlanGoal
from parcours.schedule import services_attendance, services_sessions
from parcours.schedule.models import AttendanceMark, AttendanceStatus, SessionTrainee

from .destinations import (
    LENGTH_ALLOWED,
    LENGTH_REQUIRED,
    WITH_ORGANISATION,
    Destination,
    DropoutReason,
)
from .models import Exit, ExitFollowUp, follow_up_due_on

#: An exit can be undone during this many days after it was recorded.
UNDO_DAYS = 31
MAX_MONTHS = 120
MAX_DAYS = 30
MAX_ORGANISATION = 200
MAX_COMMENT = 2000

#: The destination a hire's contract leads to.
CONTRACT_DESTINATIONS: dict[str, str] = {
    ContractType.CDI: Destination.CDI,
    ContractType.CDD: Destination.CDD,
    ContractType.INTERIM: Destination.INTERIM,
    ContractType.SEASONAL: Destination.SEASONAL,
    ContractType.SUBSIDISED: Destination.SUBSIDISED,
    ContractType.APPRENTICESHIP: Destination.APPRENTICESHIP,
    ContractType.PROFESSIONALISATION: Destination.PROFESSIONALISATION,
}

#: Why an exit is corrected (a code, kept in the audit event).
CORRECTION_REASONS = [
    ("entry_error", gettext_lazy("Erreur de saisie")),
    ("late_information", gettext_lazy("Information reçue après coup")),
    ("contract_changed", gettext_lazy("Le contrat ou la formation a changé avant de commencer")),
    ("other", gettext_lazy("Autre motif")),
]
#: Why an exit is undone (a code, kept in the audit event).
UNDO_REASONS = [
    ("mistake", gettext_lazy("Sortie enregistrée par erreur")),
    ("wrong_trainee", gettext_lazy("Sortie enregistrée pour le mauvais parcours")),
    ("continues", gettext_lazy("Le ou la stagiaire poursuit finalement son parcours")),
    ("other", gettext_lazy("Autre motif")),
]

#: The fields of an exit a correction may change (``hire`` stays as recorded).
FIELDS = ["exit_date", "destination", "months", "days", "organisation", "dropout_reason"]
#: Presence statuses: an exit cannot precede them.
PRESENCE = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def _today() -> datetime.date:
    return timezone.localdate()


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# ------------------------------------------------------------------------------ open items


@dataclass
class OpenItems:
    """What recording an exit on ``exit_date`` would close (and what it leaves as it is)."""

    exit_date: datetime.date
    places: list[SessionTrainee] = field(default_factory=list)
    goals: list[PlanGoal] = field(default_factory=list)
    phase: EnrolmentPhase | None = None
    #: Attendance marks of days to come after the exit (in company, on holiday): deleted.
    future_marks: list[AttendanceMark] = field(default_factory=list)
    #: Internships still running after the exit date: listed as a warning, not changed.
    internships: list[Internship] = field(default_factory=list)
    #: Half-days marked after the exit date up to today (absences…): kept as recorded.
    kept_marks: int = 0

    @property
    def closes_something(self) -> bool:
        return bool(self.places or self.goals or self.phase or self.future_marks)

    @property
    def future_mark_days(self) -> list[datetime.date]:
        return sorted({mark.day for mark in self.future_marks})


def open_items(enrolment: Enrolment, exit_date: datetime.date) -> OpenItems:
    """What an exit of ``enrolment`` on ``exit_date`` would close, in a fixed number of
    queries: places in sessions after the exit date, the open goals of the latest plan, the
    open phase, the marks of days to come; and the internships running past the exit date."""
    today = _today()
    places = list(
        SessionTrainee.objects.filter(enrolment=enrolment, session__day__gt=exit_date)
        .select_related("session__workshop_type", "session__room")
        .order_by("session__day", "session__start_time", "pk")
    )
    plan = Plan.objects.filter(enrolment=enrolment).order_by("-version").first()
    goals = (
        list(
            PlanGoal.objects.filter(
                plan=plan, status__in=[GoalStatus.TODO, GoalStatus.IN_PROGRESS]
            ).order_by("due_on", "pk")
        )
        if plan is not None
        else []
    )
    phase = (
        EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True)
        .select_related("phase")
        .first()
    )
    marks = list(
        AttendanceMark.objects.filter(enrolment=enrolment, day__gt=exit_date).order_by(
            "day", "half"
        )
    )
    internships = list(
        Internship.objects.filter(
            enrolment=enrolment, cancelled_at__isnull=True, end_date__gt=exit_date
        )
        .select_related("company")
        .order_by("start_date", "pk")
    )
    return OpenItems(
        exit_date=exit_date,
        places=places,
        goals=goals,
        phase=phase,
        future_marks=[m for m in marks if m.day > today],
        internships=internships,
        kept_marks=sum(1 for m in marks if m.day <= today and m.status not in PRESENCE),
    )


# ------------------------------------------------------------------------------ hires


def latest_hire(enrolment: Enrolment) -> Hire | None:
    """The enrolment's latest hire (it pre-fills the exit form)."""
    return (
        Hire.objects.filter(enrolment=enrolment)
        .select_related("company")
        .order_by("-start_date", "-pk")
        .first()
    )


def initial_from_hire(hire: Hire) -> dict[str, Any]:
    """The exit's fields as a hire suggests them: destination, months, employer."""
    return {
        "destination": CONTRACT_DESTINATIONS.get(hire.contract_type, ""),
        "months": hire.months,
        "days": 0,
        "organisation": hire.company.name,
        "hire": hire.pk,
    }


# ------------------------------------------------------------------------------ checks


def _check_school(membership: Membership, obj: Any) -> None:
    if obj.school_id != membership.school_id:
        raise ValidationError(_("Parcours inconnu."))


def _clean(
    *,
    enrolment: Enrolment,
    exit_date: Any,
    destination: str,
    months: int | None,
    days: int | None,
    organisation: str,
    dropout_reason: str,
    comment: str,
    hire: Hire | None,
) -> dict[str, Any]:
    """Check an exit's fields (without the database, but for the hire); return them to store."""
    if not isinstance(exit_date, datetime.date):
        raise ValidationError(_("Indiquez la date de sortie."))
    if exit_date < enrolment.entry_date:
        raise ValidationError(
            _("La date de sortie ne peut pas précéder l'entrée en parcours (%(day)s).")
            % {"day": _day(enrolment.entry_date)}
        )
    if exit_date > _today():
        raise ValidationError(_("La date de sortie ne peut pas être dans le futur."))
    if destination not in Destination.values:
        raise ValidationError(_("Choisissez la destination dans la liste."))
    label = Destination(destination).label
    days = days or 0
    if destination in LENGTH_REQUIRED and months is None:
        raise ValidationError(
            _("Indiquez la durée en mois (« %(destination)s »), 0 si moins d'un mois.")
            % {"destination": label}
        )
    if destination not in LENGTH_ALLOWED and (months is not None or days):
        raise ValidationError(
            _("Une sortie « %(destination)s » n'a pas de durée : laissez la durée vide.")
            % {"destination": label}
        )
    if months is None and days:
        raise ValidationError(_("Indiquez les mois (0 si moins d'un mois) avant les jours."))
    if months is not None and not 0 <= months <= MAX_MONTHS:
        raise ValidationError(_("La durée va de 0 à %(max)d mois.") % {"max": MAX_MONTHS})
    if not 0 <= days <= MAX_DAYS:
        raise ValidationError(_("Les jours vont de 0 à 30 : au-delà, comptez un mois de plus."))
    if months == 0 and days == 0:
        raise ValidationError(_("Une durée de 0 mois et 0 jour n'a pas de sens : indiquez-la."))
    if destination == Destination.DROPOUT:
        if not dropout_reason:
            raise ValidationError(_("Un abandon demande un motif : choisissez-le dans la liste."))
        if dropout_reason not in DropoutReason.values:
            raise ValidationError(_("Motif d'abandon inconnu : choisissez-le dans la liste."))
    elif dropout_reason:
        raise ValidationError(
            _("Seul un abandon porte un motif d'abandon : laissez le motif vide.")
        )
    organisation = " ".join((organisation or "").split())
    if organisation and destination not in WITH_ORGANISATION:
        raise ValidationError(
            _(
                "Une sortie « %(destination)s » n'a ni employeur ni organisme de formation : "
                "laissez ce champ vide."
            )
            % {"destination": label}
        )
    if len(organisation) > MAX_ORGANISATION:
        raise ValidationError(
            _("Le nom de l'employeur ou de l'organisme est limité à %(max)d caractères.")
            % {"max": MAX_ORGANISATION}
        )
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            _("Le commentaire est limité à %(max)d caractères.") % {"max": MAX_COMMENT}
        )
    if hire is not None and (
        hire.school_id != enrolment.school_id or hire.enrolment_id != enrolment.pk
    ):
        raise ValidationError(_("Embauche inconnue."))
    return {
        "exit_date": exit_date,
        "destination": destination,
        "months": months,
        "days": days,
        "organisation": organisation,
        "dropout_reason": dropout_reason or "",
        "comment": comment,
    }


def _check_no_presence_after(enrolment: Enrolment, exit_date: datetime.date) -> None:
    last = (
        AttendanceMark.objects.filter(enrolment=enrolment, day__gt=exit_date, status__in=PRESENCE)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if last is not None:
        raise ValidationError(
            _(
                "Une présence est émargée le %(day)s, après cette date de sortie : la sortie "
                "ne peut pas la précéder. Choisissez une date de sortie au %(day)s ou après."
            )
            % {"day": _day(last)}
        )


def _check_no_phase_after(enrolment: Enrolment, exit_date: datetime.date) -> None:
    started = (
        EnrolmentPhase.objects.filter(enrolment=enrolment, started_on__gt=exit_date)
        .order_by("-started_on")
        .values_list("started_on", flat=True)
        .first()
    )
    if started is not None:
        raise ValidationError(
            _(
                "Une phase du parcours a commencé le %(day)s, après cette date de sortie : "
                "choisissez une date de sortie au %(day)s ou après."
            )
            % {"day": _day(started)}
        )


def _check_active(enrolment: Enrolment) -> None:
    if enrolment.status != "active":
        raise ValidationError(_("Ce parcours est déjà clos : sa sortie est enregistrée."))


def check_exit(
    membership: Membership,
    enrolment: Enrolment,
    *,
    exit_date: Any,
    destination: str,
    months: int | None = None,
    days: int | None = 0,
    organisation: str = "",
    dropout_reason: str = "",
    comment: str = "",
    hire: Hire | None = None,
) -> dict[str, Any]:
    """Every check of :func:`record_exit`, without writing (the confirmation page uses it)."""
    _check_school(membership, enrolment)
    _check_active(enrolment)
    values = _clean(
        enrolment=enrolment,
        exit_date=exit_date,
        destination=destination,
        months=months,
        days=days,
        organisation=organisation,
        dropout_reason=dropout_reason,
        comment=comment,
        hire=hire,
    )
    _check_no_presence_after(enrolment, values["exit_date"])
    _check_no_phase_after(enrolment, values["exit_date"])
    return values


# ------------------------------------------------------------------------------ closing


def _remove_places(
    membership: Membership, enrolment: Enrolment, places: list[SessionTrainee], ip: str | None
) -> None:
    """Take the trainee out of each session (the schedule's service, one audit event each)."""
    for place in places:
        try:
            with transaction.atomic():
                services_sessions.remove_trainees(
                    membership=membership,
                    session=place.session,
                    enrolments=[enrolment],
                    ip_address=ip,
                )
        except ValidationError:
            # A session already over its room's capacity (the room shrank since) refuses any
            # change of its list: the place still goes, with the same audit event.
            SessionTrainee.objects.filter(pk=place.pk).delete()
            record_event(
                actor=membership.user,
                action="session.trainees",
                target=place.session,
                school=membership.school,
                changes={"added": [], "removed": [enrolment.pk]},
                ip_address=ip,
            )


def _delete_future_marks(
    membership: Membership, enrolment: Enrolment, marks: list[AttendanceMark]
) -> int:
    """Delete the marks of days to come: "in company" ones through the schedule's service
    (audited there), the others (holidays) here. Returns how many went."""
    if not marks:
        return 0
    company = [m for m in marks if m.status == AttendanceStatus.COMPANY]
    deleted = 0
    if company:
        deleted += services_attendance.clear_company_days(
            enrolment=enrolment,
            start=company[0].day,
            end=company[-1].day,
            recorded_by=membership,
        )
    others = [m.pk for m in marks if m.status != AttendanceStatus.COMPANY]
    if others:
        deleted += AttendanceMark.objects.filter(pk__in=others).delete()[0]
    return deleted


def _close_phase(phase: EnrolmentPhase | None, exit_date: datetime.date) -> None:
    if phase is not None:
        phase.ended_on = max(exit_date, phase.started_on)
        phase.save(update_fields=["ended_on"])


def _lock(enrolment: Enrolment) -> Enrolment:
    return Enrolment.objects.select_for_update().select_related("school").get(pk=enrolment.pk)


@transaction.atomic
def record_exit(
    membership: Membership,
    enrolment: Enrolment,
    *,
    exit_date: datetime.date,
    destination: str,
    months: int | None = None,
    days: int | None = 0,
    organisation: str = "",
    dropout_reason: str = "",
    comment: str = "",
    hire: Hire | None = None,
    ip_address: str | None = None,
) -> Exit:
    """Record the exit of ``enrolment`` and close what is still open (see the module)."""
    _check_school(membership, enrolment)
    enrolment = _lock(enrolment)
    values = check_exit(
        membership,
        enrolment,
        exit_date=exit_date,
        destination=destination,
        months=months,
        days=days,
        organisation=organisation,
        dropout_reason=dropout_reason,
        comment=comment,
        hire=hire,
    )
    exit_date = values["exit_date"]
    items = open_items(enrolment, exit_date)
    exit_ = Exit.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        hire=hire,
        recorded_by=membership.user,
        **values,
    )
    enrolment.status = "exited"
    enrolment.ended_on = exit_date
    enrolment.save(update_fields=["status", "ended_on"])
    _close_phase(items.phase, exit_date)
    if items.goals:
        PlanGoal.objects.filter(pk__in=[g.pk for g in items.goals]).update(
            status=GoalStatus.DROPPED
        )
    _remove_places(membership, enrolment, items.places, ip_address)
    marks = _delete_future_marks(membership, enrolment, items.future_marks)
    record_event(
        actor=membership.user,
        action="exit.record",
        target=exit_,
        school=enrolment.school,
        changes={
            "enrolment": enrolment.pk,
            "exit_date": exit_date.isoformat(),
            "destination": exit_.destination,
            "months": exit_.months,
            "days": exit_.days,
            "dropout_reason": exit_.dropout_reason,
            "hire": hire.pk if hire else None,
            "closed": {
                "phase": items.phase.pk if items.phase else None,
                "goals": [g.pk for g in items.goals],
                "sessions": [p.session_id for p in items.places],
                "marks": marks,
            },
            "internships_running": [i.pk for i in items.internships],
        },
        ip_address=ip_address,
    )
    return exit_


# ------------------------------------------------------------------------------ correction


@transaction.atomic
def correct_exit(
    membership: Membership,
    exit_: Exit,
    *,
    exit_date: datetime.date,
    destination: str,
    months: int | None = None,
    days: int | None = 0,
    organisation: str = "",
    dropout_reason: str = "",
    comment: str = "",
    reason: str,
    ip_address: str | None = None,
) -> Exit:
    """Correct a recorded exit (the same rules as when recording it) with a reason code of
    ``CORRECTION_REASONS``. A new exit date moves the enrolment's end with it, closes the
    places of sessions after it and moves the due dates of the follow-ups not yet recorded."""
    _check_school(membership, exit_)
    if reason not in dict(CORRECTION_REASONS):
        raise ValidationError(_("Indiquez le motif de la correction."))
    enrolment = _lock(exit_.enrolment)
    exit_ = Exit.objects.select_for_update().get(pk=exit_.pk)
    values = _clean(
        enrolment=enrolment,
        exit_date=exit_date,
        destination=destination,
        months=months,
        days=days,
        organisation=organisation,
        dropout_reason=dropout_reason,
        comment=comment,
        hire=None,
    )
    before = snapshot(exit_, FIELDS)
    old_comment = exit_.comment
    for name, value in values.items():
        setattr(exit_, name, value)
    changes = diff_fields(exit_, before, FIELDS)
    comment_changed = exit_.comment != old_comment
    if not changes and not comment_changed:
        raise ValidationError(_("Rien n'a changé : la sortie est déjà enregistrée ainsi."))
    new_date, old_date = exit_.exit_date, before["exit_date"]
    closed_sessions: list[int] = []
    moved_follow_ups: list[int] = []
    if new_date != old_date:
        _check_no_presence_after(enrolment, new_date)
        _check_no_phase_after(enrolment, new_date)
        # The places of sessions after the new date (an earlier date closes more of them).
        places = list(
            SessionTrainee.objects.filter(enrolment=enrolment, session__day__gt=new_date)
            .select_related("session")
            .order_by("session__day", "pk")
        )
        _remove_places(membership, enrolment, places, ip_address)
        closed_sessions = [p.session_id for p in places]
        enrolment.ended_on = new_date
        enrolment.save(update_fields=["ended_on"])
        last = (
            EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on=old_date)
            .order_by("-started_on", "-pk")
            .first()
        )
        _close_phase(last, new_date)
        pending = list(ExitFollowUp.objects.filter(exit=exit_, recorded_at__isnull=True))
        for follow_up in pending:
            follow_up.due_on = follow_up_due_on(new_date, follow_up.wave)
        ExitFollowUp.objects.bulk_update(pending, ["due_on"])
        moved_follow_ups = [f.pk for f in pending]
    exit_.corrected_at = timezone.now()
    exit_.save()
    if "organisation" in changes:
        changes["organisation"] = "changed"
    if comment_changed:
        changes["comment"] = "changed"
    record_event(
        actor=membership.user,
        action="exit.correct",
        target=exit_,
        school=exit_.school,
        changes={
            **changes,
            "reason": reason,
            "closed_sessions": closed_sessions,
            "follow_ups_moved": moved_follow_ups,
        },
        ip_address=ip_address,
    )
    return exit_


# ------------------------------------------------------------------------------ undo


def undo_deadline(exit_: Exit) -> datetime.datetime:
    """The moment after which the exit can no longer be undone."""
    return exit_.recorded_at + datetime.timedelta(days=UNDO_DAYS)


def undo_refusal(exit_: Exit, follow_ups: list[ExitFollowUp] | None = None) -> str:
    """Why the exit can no longer be undone ("" if it can). ``follow_ups``: the exit's
    follow-ups when already read (otherwise one query)."""
    if timezone.now() > undo_deadline(exit_):
        return _(
            "Une sortie ne peut être annulée que dans le mois qui suit son enregistrement "
            "(enregistrée le %(day)s) : corrigez-la plutôt."
        ) % {"day": _day(timezone.localtime(exit_.recorded_at).date())}
    if follow_ups is None:
        recorded = exit_.follow_ups.filter(recorded_at__isnull=False).exists()
    else:
        recorded = any(f.recorded_at is not None for f in follow_ups)
    if recorded:
        return _(
            "Un suivi après la sortie a déjà été enregistré : la sortie ne peut plus être "
            "annulée, corrigez-la plutôt."
        )
    return ""


@transaction.atomic
def undo_exit(
    membership: Membership, exit_: Exit, *, reason: str, ip_address: str | None = None
) -> Enrolment:
    """Undo an exit recorded by mistake (within ``UNDO_DAYS`` of its recording, before any
    follow-up is recorded): the exit and its follow-ups are deleted, the enrolment is in
    progress again and its last phase open again. What the exit closed (places in sessions,
    dropped goals, marks of days to come) is not restored."""
    _check_school(membership, exit_)
    if reason not in dict(UNDO_REASONS):
        raise ValidationError(_("Indiquez le motif de l'annulation."))
    enrolment = _lock(exit_.enrolment)
    exit_ = Exit.objects.select_for_update().get(pk=exit_.pk)
    refusal = undo_refusal(exit_)
    if refusal:
        raise ValidationError(refusal)
    if (
        Enrolment.objects.filter(person_id=enrolment.person_id, status="active")
        .exclude(pk=enrolment.pk)
        .exists()
    ):
        raise ValidationError(
            _(
                "Cette personne a depuis un autre parcours en cours : la sortie ne peut pas "
                "être annulée."
            )
        )
    follow_ups = list(exit_.follow_ups.values_list("pk", flat=True))
    record_event(
        actor=membership.user,
        action="exit.undo",
        target=enrolment,
        school=enrolment.school,
        changes={
            "exit": exit_.pk,
            "exit_date": exit_.exit_date.isoformat(),
            "destination": exit_.destination,
            "follow_ups": follow_ups,
            "reason": reason,
        },
        ip_address=ip_address,
    )
    exit_date = exit_.exit_date
    exit_.follow_ups.all().delete()
    exit_.delete()
    enrolment.status = "active"
    enrolment.ended_on = None
    enrolment.save(update_fields=["status", "ended_on"])
    if not EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True).exists():
        last = (
            EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__gte=exit_date)
            .order_by("-started_on", "-pk")
            .first()
        )
        if last is not None:
            last.ended_on = None
            last.save(update_fields=["ended_on"])
    return enrolment
