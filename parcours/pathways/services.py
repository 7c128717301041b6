"""Every write of the pathway: one transaction and one audit event each.

Functions take keyword-only arguments and raise ``ValidationError`` with a French message when
the write is refused (nothing is written then).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership, Role, School

from . import visibility
from .models import (
    DEFAULT_PHASES,
    Document,
    Enrolment,
    EnrolmentPhase,
    Meeting,
    MeetingKind,
    PhaseDefinition,
    Plan,
    PlanGoal,
    PlanStep,
    ReferentChange,
    RestrictedShare,
    SupportAction,
    TargetJob,
)


def _check_school(membership: Membership, enrolment: Enrolment) -> None:
    if enrolment.school_id != membership.school_id:
        raise ValidationError(_("Parcours inconnu."))


def _check_active(enrolment: Enrolment) -> None:
    if enrolment.status != "active":
        raise ValidationError(_("Ce parcours est clos : il ne peut plus être modifié."))


def _check_not_future(day: datetime.date, label: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("%(label)s ne peut pas être dans le futur.") % {"label": label})


# ------------------------------------------------------------------------------ phases


def ensure_phases(school: School) -> list[PhaseDefinition]:
    """The school's active phases in order (the network's defaults are created if none)."""
    phases = list(PhaseDefinition.objects.filter(school=school, active=True).order_by("position"))
    if not phases and not PhaseDefinition.objects.filter(school=school).exists():
        PhaseDefinition.objects.bulk_create(
            PhaseDefinition(school=school, position=index, name=name)
            for index, name in enumerate(DEFAULT_PHASES, start=1)
        )
        phases = list(PhaseDefinition.objects.filter(school=school).order_by("position"))
    return phases


def start_first_phase(*, enrolment: Enrolment, actor) -> EnrolmentPhase:
    """Open the first phase on the entry day (called when the enrolment is created)."""
    first = ensure_phases(enrolment.school)[0]
    return EnrolmentPhase.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        phase=first,
        started_on=enrolment.entry_date,
        moved_by=actor,
    )


@transaction.atomic
def move_phase(
    *,
    membership: Membership,
    enrolment: Enrolment,
    phase: PhaseDefinition,
    on: datetime.date,
    comment: str = "",
    backwards_reason: str = "",
    ip_address: str | None = None,
) -> EnrolmentPhase:
    """Close the current phase on ``on`` and open ``phase``. Going back needs a reason."""
    _check_school(membership, enrolment)
    _check_active(enrolment)
    if phase.school_id != enrolment.school_id or not phase.active:
        raise ValidationError(_("Phase inconnue."))
    _check_not_future(on, _("La date du changement de phase"))
    if on < enrolment.entry_date:
        raise ValidationError(_("Le changement de phase ne peut pas précéder l'entrée."))
    current = (
        EnrolmentPhase.objects.select_for_update()
        .filter(enrolment=enrolment, ended_on__isnull=True)
        .select_related("phase")
        .first()
    )
    if current is not None:
        if current.phase_id == phase.pk:
            raise ValidationError(_("Le parcours est déjà dans cette phase."))
        if on < current.started_on:
            raise ValidationError(
                _("Le changement ne peut pas précéder le début de la phase en cours (%(day)s).")
                % {"day": current.started_on.strftime("%d/%m/%Y")}
            )
        if phase.position < current.phase.position and not backwards_reason.strip():
            raise ValidationError(_("Revenir à une phase précédente demande un motif."))
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    if current is None or phase.position > current.phase.position:
        backwards_reason = ""
    step = EnrolmentPhase.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        phase=phase,
        started_on=on,
        comment=comment.strip(),
        backwards_reason=backwards_reason.strip(),
        moved_by=membership.user,
    )
    record_event(
        actor=membership.user,
        action="enrolment.phase",
        target=enrolment,
        school=enrolment.school,
        changes={
            "from": current.phase_id if current else None,
            "to": phase.pk,
            "on": on.isoformat(),
            "backwards": bool(backwards_reason),
        },
        ip_address=ip_address,
    )
    return step


# --------------------------------------------------------------------------- caseloads


@transaction.atomic
def reassign(
    *,
    membership: Membership,
    enrolments: Sequence[Enrolment],
    referent: Membership | None,
    ip_address: str | None = None,
) -> int:
    """Give ``enrolments`` a new referent: all or nothing, one audit event per enrolment."""
    school = membership.school
    if referent is not None and (
        referent.school_id != school.id or referent.role not in (Role.REFERENT, Role.DIRECTOR)
    ):
        raise ValidationError(_("Le nouveau référent doit être un formateur référent de l'école."))
    if not enrolments:
        raise ValidationError(_("Sélectionnez au moins un parcours."))
    ids = [enrolment.pk for enrolment in enrolments]
    locked = list(Enrolment.objects.select_for_update().filter(pk__in=ids, school=school))
    if len(locked) != len(set(ids)):
        raise ValidationError(_("Un des parcours sélectionnés est inconnu."))
    changed = [e for e in locked if e.referent_id != (referent.pk if referent else None)]
    if any(e.status != "active" for e in changed):
        raise ValidationError(_("Un des parcours sélectionnés est clos."))
    ReferentChange.objects.bulk_create(
        ReferentChange(
            school=school,
            enrolment=e,
            previous_id=e.referent_id,
            new=referent,
            changed_by=membership.user,
        )
        for e in changed
    )
    for e in changed:
        record_event(
            actor=membership.user,
            action="enrolment.referent",
            target=e,
            school=school,
            changes={"referent": [e.referent_id, referent.pk if referent else None]},
            ip_address=ip_address,
        )
        e.referent = referent
    Enrolment.objects.bulk_update(changed, ["referent"])
    return len(changed)


# --------------------------------------------------------------------------------- plan


@transaction.atomic
def save_plan_version(
    *,
    membership: Membership,
    enrolment: Enrolment,
    project: str,
    target_jobs: Iterable[dict[str, Any]],
    goals: Iterable[dict[str, Any]],
    steps: Iterable[dict[str, Any]],
    review_note: str = "",
    ip_address: str | None = None,
) -> Plan:
    """Write the next version of the plan; earlier versions stay as they were."""
    _check_school(membership, enrolment)
    _check_active(enrolment)
    last = Plan.objects.select_for_update().filter(enrolment=enrolment).order_by("-version").first()
    if last is not None and not review_note.strip():
        raise ValidationError(_("Indiquez le motif de la révision du plan."))
    plan = Plan.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        version=(last.version + 1) if last else 1,
        project=project.strip(),
        review_note=review_note.strip(),
        created_by=membership.user,
    )
    jobs = [TargetJob(plan=plan, **job) for job in target_jobs]
    for job in jobs:
        job.rome_code = job.rome_code.strip().upper()
        job.full_clean(exclude=["plan"])
    TargetJob.objects.bulk_create(jobs)
    PlanGoal.objects.bulk_create(PlanGoal(plan=plan, **goal) for goal in goals)
    PlanStep.objects.bulk_create(PlanStep(plan=plan, **step) for step in steps)
    record_event(
        actor=membership.user,
        action="plan.create",
        target=enrolment,
        school=enrolment.school,
        changes={"version": plan.version},
        ip_address=ip_address,
    )
    return plan


# ---------------------------------------------------------------------- meetings, support


@transaction.atomic
def record_meeting(
    *,
    membership: Membership,
    enrolment: Enrolment,
    ip_address: str | None = None,
    **fields: Any,
) -> Meeting:
    _check_school(membership, enrolment)
    held_on = fields.get("held_on")
    if held_on and held_on < enrolment.entry_date:
        raise ValidationError(_("L'entretien ne peut pas précéder l'entrée en parcours."))
    if held_on:
        _check_not_future(held_on, _("La date de l'entretien"))
    if (
        fields.get("kind") == MeetingKind.FAMILY
        and held_on
        and enrolment.person.age_on(held_on) >= 18
    ):
        raise ValidationError(
            _("Un entretien avec la famille n'est prévu que pour un·e stagiaire mineur·e.")
        )
    meeting = Meeting(
        school=enrolment.school, enrolment=enrolment, author=membership.user, **fields
    )
    meeting.full_clean()
    meeting.save()
    record_event(
        actor=membership.user,
        action="meeting.create",
        target=meeting,
        school=enrolment.school,
        changes={"enrolment": enrolment.pk, "confidential": meeting.confidential},
        ip_address=ip_address,
    )
    return meeting


@transaction.atomic
def save_support_action(
    *,
    membership: Membership,
    enrolment: Enrolment,
    action: SupportAction | None = None,
    ip_address: str | None = None,
    **fields: Any,
) -> SupportAction:
    _check_school(membership, enrolment)
    domain = fields.get("domain", action.domain if action else "")
    restricted = domain == "health" or (action is not None and action.is_restricted)
    if restricted and not visibility.can_read_restricted(membership, enrolment):
        raise ValidationError(
            _("Seuls le référent et la direction peuvent saisir un accompagnement santé.")
        )
    opened_on = fields.get("opened_on")
    if opened_on and opened_on < enrolment.entry_date:
        raise ValidationError(_("L'action ne peut pas précéder l'entrée en parcours."))
    if opened_on:
        _check_not_future(opened_on, _("La date d'ouverture"))
    closed_on = fields.get("closed_on")
    if closed_on and opened_on and closed_on < opened_on:
        raise ValidationError(_("La date de clôture doit suivre la date d'ouverture."))
    hours = fields.get("hours")
    if hours is not None and Decimal(hours) < 0:
        raise ValidationError(_("Le nombre d'heures ne peut pas être négatif."))
    creating = action is None
    action = action or SupportAction(
        school=enrolment.school, enrolment=enrolment, author=membership.user
    )
    for name, value in fields.items():
        setattr(action, name, value)
    action.full_clean()
    action.save()
    record_event(
        actor=membership.user,
        action=f"support_action.{'create' if creating else 'update'}",
        target=action,
        school=enrolment.school,
        changes={"enrolment": enrolment.pk, "domain": action.domain},
        ip_address=ip_address,
    )
    return action


# ------------------------------------------------------------------ restricted sections


def record_restricted_read(
    *,
    membership: Membership,
    enrolment: Enrolment,
    section: str,
    target=None,
    ip_address: str | None = None,
) -> None:
    """Audit a read of restricted content (health, confidential notes, restricted documents)."""
    record_event(
        actor=membership.user,
        action=f"restricted.read.{section}",
        target=target or enrolment,
        school=enrolment.school,
        changes={"enrolment": enrolment.pk},
        ip_address=ip_address,
    )


@transaction.atomic
def share_restricted(
    *,
    membership: Membership,
    enrolment: Enrolment,
    with_membership: Membership,
    ip_address: str | None = None,
) -> RestrictedShare:
    if not visibility.can_share_restricted(membership, enrolment):
        raise ValidationError(
            _("Seuls le référent et la direction peuvent partager ces informations.")
        )
    if with_membership.school_id != enrolment.school_id or with_membership.role not in (
        Role.REFERENT,
        Role.INTAKE,
    ):
        raise ValidationError(
            _("Ces informations ne peuvent être partagées qu'avec un référent ou l'accueil.")
        )
    share, _created = RestrictedShare.objects.get_or_create(
        school=enrolment.school,
        enrolment=enrolment,
        membership=with_membership,
        defaults={"granted_by": membership.user},
    )
    record_event(
        actor=membership.user,
        action="restricted.share",
        target=enrolment,
        school=enrolment.school,
        changes={"with": with_membership.pk},
        ip_address=ip_address,
    )
    return share


# ----------------------------------------------------------------------------- documents

#: Accepted document types: extension → (content type, magic bytes prefixes).
ACCEPTED_DOCUMENTS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
}
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def check_upload(uploaded) -> str:
    """Validate an uploaded file by size, extension and content; return its content type."""
    if uploaded.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Le fichier dépasse la taille maximale de 10 Mo (%(size).1f Mo).")
            % {"size": uploaded.size / 1024 / 1024}
        )
    if uploaded.size == 0:
        raise ValidationError(_("Le fichier est vide."))
    extension = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if extension not in ACCEPTED_DOCUMENTS:
        raise ValidationError(
            _("Type de fichier refusé : seuls les PDF, JPEG, PNG, DOCX et ODT sont acceptés.")
        )
    content_type, magics = ACCEPTED_DOCUMENTS[extension]
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(
            _("Le contenu du fichier ne correspond pas à son extension « .%(ext)s ».")
            % {"ext": extension}
        )
    return content_type


@transaction.atomic
def upload_document(
    *,
    membership: Membership,
    enrolment: Enrolment,
    uploaded,
    kind: str,
    title: str,
    document_date: datetime.date | None = None,
    ip_address: str | None = None,
) -> Document:
    _check_school(membership, enrolment)
    if kind == "health" and not visibility.can_read_restricted(membership, enrolment):
        raise ValidationError(
            _("Seuls le référent et la direction peuvent déposer un document de santé.")
        )
    content_type = check_upload(uploaded)
    document = Document(
        school=enrolment.school,
        enrolment=enrolment,
        kind=kind,
        title=title.strip() or uploaded.name,
        document_date=document_date,
        original_name=uploaded.name[:255],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=membership.user,
    )
    document.file.save("upload", uploaded, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    record_event(
        actor=membership.user,
        action="document.create",
        target=document,
        school=enrolment.school,
        changes={"enrolment": enrolment.pk, "kind": kind, "size": uploaded.size},
        ip_address=ip_address,
    )
    return document
