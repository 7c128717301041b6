"""Every write of internships and PMSMP: create, change, cancel, goals, and their days in
attendance.

Functions take keyword-only arguments, run in one transaction, write one audit event each
(the record by kind and id, ids and codes only in ``changes``) and raise ``ValidationError``
with a French message when the write is refused: nothing is written then.

Rules:

- The membership may manage internships (``Perm.MANAGE_INTERNSHIPS``) in the enrolment's
  school; company, contacts and prescriber belong to that school.
- Dates: the end is on or after the start; the internship lies within the pathway — from the
  entry date to the exit date once the trainee has left, else to the planned end of the
  pathway.
- A PMSMP needs a prescriber (a prescriber partner of the school) and lasts at most one
  month: its last day is at most the day before the same date one calendar month later
  (from 10/03 to 09/04 at most; from 31/01 to 28/02 at most in 2024). An E2C internship has
  no prescriber (one given is dropped).
- Two internships of the same enrolment may not overlap (cancelled ones do not count): one
  ending on the 10th and one starting on the 11th are fine; the same day is an overlap. The
  enrolment row is locked (``select_for_update``) while checking, so that two creations at
  the same moment cannot both pass on PostgreSQL; on SQLite the IMMEDIATE transactions
  serialise writers.
- The tutor is an active contact of the company marked tutor; the signatory (and the
  optional second signatory) are contacts of the company marked signatory, distinct from
  each other. The tutor may also be a signatory.
- Weekly hours from 1 to 48 (the legal maximum), at most 35 for a trainee under 18 on the
  first day (the labour code caps minors at 35 h a week and 8 h a day; the daily cap is for
  the schedule, written as text).
- A cancelled internship can no longer change; cancelling needs a reason code
  (``CancelReason``) and a confirmation, and is refused once a tutor review is recorded.
- Goals are competencies of the trainee's framework (``competencies.selectors.
  enrolment_framework``), each at most once.

Attendance: an internship's days are "in company" only once its agreement is fully signed
(``agreements.missing_signatures``) and while it is not cancelled — see
:func:`sync_company_days`, called after every change of dates or cancellation (and by the
agreements code after a signature is recorded or removed).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.audit.services import diff_fields, record_event, snapshot
from parcours.competencies import selectors as competency_selectors
from parcours.competencies.models import Competency
from parcours.intake.eligibility import add_months
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Partner
from parcours.pathways.models import Enrolment
from parcours.people.models import age_on
from parcours.schedule import services_attendance

from . import agreements
from .models import CancelReason, Company, Contact, Internship, InternshipGoal, InternshipKind

MIN_WEEKLY_HOURS = Decimal(1)
#: The legal maximum working week.
MAX_WEEKLY_HOURS = Decimal(48)
#: Minors (under 18 on the first day) work at most 35 h a week (Code du travail, L3162-1).
MAX_WEEKLY_HOURS_MINOR = Decimal(35)
MAX_GOALS = 12
ROME_CODE = re.compile(r"^[A-Z]\d{4}$")
#: Fields an update may change (the enrolment never changes).
EDITABLE_FIELDS = [
    "kind",
    "company",
    "tutor",
    "signatory",
    "second_signatory",
    "prescriber",
    "job_title",
    "rome_code",
    "start_date",
    "end_date",
    "weekly_hours",
    "schedule",
    "tasks",
]
#: Fields kept in the audit trail of an update (free text — job title, schedule, tasks —
#: only as "changed").
AUDITED_FIELDS = [
    "kind",
    "company",
    "tutor",
    "signatory",
    "second_signatory",
    "prescriber",
    "rome_code",
    "start_date",
    "end_date",
    "weekly_hours",
]
#: The terms of the agreement that its signatories agreed to: changing one withdraws the
#: signatures (the agreement must be signed again). A new job title, ROME code, schedule or
#: tasks wording does not.
AGREEMENT_TERMS = {
    "kind",
    "company",
    "tutor",
    "signatory",
    "second_signatory",
    "prescriber",
    "start_date",
    "end_date",
    "weekly_hours",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


def pmsmp_last_day(start: datetime.date) -> datetime.date:
    """The last day a PMSMP starting on ``start`` may end: one calendar month, minus a day."""
    return add_months(start, 1) - datetime.timedelta(days=1)


def max_weekly_hours(enrolment: Enrolment, start: datetime.date) -> Decimal:
    """48 h, or 35 h for a trainee under 18 on ``start``."""
    if age_on(enrolment.person.birth_date, start) < agreements.MAJORITY:
        return MAX_WEEKLY_HOURS_MINOR
    return MAX_WEEKLY_HOURS


# ------------------------------------------------------------------------------ checks


def _check_may_manage(membership: Membership, enrolment: Enrolment) -> None:
    if not has_perm(membership, Perm.MANAGE_INTERNSHIPS):
        raise ValidationError(_("Votre rôle ne permet pas de gérer les stages."))
    if enrolment.school_id != membership.school_id:
        raise ValidationError(_("Parcours inconnu."))


def _check_not_cancelled(internship: Internship) -> None:
    if internship.is_cancelled:
        raise ValidationError(_("Ce stage est annulé : il ne peut plus être modifié."))


def _text(value: Any, *, label: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("Indiquez %(label)s.") % {"label": label})
    if len(value) > max_length:
        raise ValidationError(
            _("%(label)s : %(n)d caractères au plus.")
            % {"label": label.capitalize(), "n": max_length}
        )
    return value


def _check_company(
    membership: Membership, company: Company | None, current: Internship | None
) -> Company:
    if company is None or company.school_id != membership.school_id:
        raise ValidationError(_("Choisissez une entreprise partenaire de l'école."))
    unchanged = current is not None and current.company_id == company.pk
    if company.is_archived and not unchanged:
        raise ValidationError(
            _("L'entreprise « %(name)s » est archivée : elle ne reçoit plus de stagiaires.")
            % {"name": company.name}
        )
    return company


def _check_contact(
    contact: Contact | None,
    company: Company,
    *,
    role: str,
    current_id: int | None,
) -> Contact:
    """``role`` is ``"tutor"`` or ``"signatory"``."""
    labels = {
        "tutor": (_("Choisissez le ou la tuteur·rice parmi les contacts de l'entreprise.")),
        "signatory": (_("Choisissez le ou la signataire parmi les contacts de l'entreprise.")),
    }
    if contact is None or contact.company_id != company.pk:
        raise ValidationError(labels[role])
    if role == "tutor" and not contact.is_tutor:
        raise ValidationError(
            _("%(name)s n'est pas tuteur·rice dans la fiche de l'entreprise.")
            % {"name": contact.full_name}
        )
    if role == "signatory" and not contact.is_signatory:
        raise ValidationError(
            _("%(name)s ne peut pas signer de convention pour l'entreprise (pas signataire).")
            % {"name": contact.full_name}
        )
    if not contact.active and contact.pk != current_id:
        raise ValidationError(
            _("%(name)s n'est plus un contact actif de l'entreprise.") % {"name": contact.full_name}
        )
    return contact


def _check_prescriber(membership: Membership, prescriber: Partner | None) -> Partner:
    if prescriber is None:
        raise ValidationError(
            _(
                "Une PMSMP est prescrite : choisissez son prescripteur (Mission Locale, "
                "France Travail…)."
            )
        )
    if prescriber.school_id != membership.school_id or not prescriber.is_prescriber:
        raise ValidationError(_("Choisissez un prescripteur partenaire de l'école."))
    return prescriber


def _check_dates(enrolment: Enrolment, kind: str, start: Any, end: Any) -> None:
    if not isinstance(start, datetime.date):
        raise ValidationError(_("Indiquez la date de début."))
    if not isinstance(end, datetime.date):
        raise ValidationError(_("Indiquez la date de fin."))
    if end < start:
        raise ValidationError(_("La date de fin précède la date de début."))
    if start < enrolment.entry_date:
        raise ValidationError(
            _("Le stage ne peut pas commencer avant l'entrée en parcours (%(day)s).")
            % {"day": _day(enrolment.entry_date)}
        )
    if enrolment.ended_on is not None:
        if end > enrolment.ended_on:
            raise ValidationError(
                _("Le stage ne peut pas finir après la sortie du parcours (%(day)s).")
                % {"day": _day(enrolment.ended_on)}
            )
    elif end > enrolment.planned_end_date:
        raise ValidationError(
            _("Le stage ne peut pas finir après la fin prévue du parcours (%(day)s).")
            % {"day": _day(enrolment.planned_end_date)}
        )
    if kind == InternshipKind.PMSMP and end > pmsmp_last_day(start):
        raise ValidationError(
            _(
                "Une PMSMP dure au plus un mois : commencée le %(start)s, elle finit au plus "
                "tard le %(last)s."
            )
            % {"start": _day(start), "last": _day(pmsmp_last_day(start))}
        )


def _check_hours(enrolment: Enrolment, start: datetime.date, hours: Any) -> Decimal:
    try:
        hours = Decimal(str(hours).replace(",", "."))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(_("Indiquez les heures par semaine (un nombre).")) from error
    if not hours.is_finite() or hours != hours.quantize(Decimal("0.1")):
        raise ValidationError(
            _("Les heures par semaine s'indiquent au dixième près (ex. 35 ou 17,5).")
        )
    if hours < MIN_WEEKLY_HOURS or hours > MAX_WEEKLY_HOURS:
        raise ValidationError(_("Les heures par semaine vont de 1 à 48 (durée légale maximale)."))
    if hours > max_weekly_hours(enrolment, start):
        raise ValidationError(
            _(
                "Le ou la stagiaire aura moins de 18 ans le %(day)s : un·e mineur·e travaille "
                "au plus 35 heures par semaine (et 8 heures par jour)."
            )
            % {"day": _day(start)}
        )
    return hours.quantize(Decimal("0.1"))


def _check_no_overlap(
    enrolment: Enrolment, start: datetime.date, end: datetime.date, exclude: int | None
) -> None:
    """Lock the enrolment row, then refuse a period meeting another internship of it."""
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    others = Internship.objects.filter(
        enrolment=enrolment, cancelled_at__isnull=True, start_date__lte=end, end_date__gte=start
    ).select_related("company")
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.order_by("start_date", "pk").first()
    if other is not None:
        raise ValidationError(
            _(
                "Ce·tte stagiaire a déjà un stage du %(start)s au %(end)s chez %(company)s : "
                "deux stages d'un même parcours ne peuvent pas se chevaucher."
            )
            % {
                "start": _day(other.start_date),
                "end": _day(other.end_date),
                "company": other.company,
            }
        )


def _clean(
    *,
    membership: Membership,
    enrolment: Enrolment,
    current: Internship | None,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """Every check but the overlap; the cleaned values of ``EDITABLE_FIELDS``."""
    kind = fields.get("kind") or InternshipKind.INTERNSHIP
    if kind not in InternshipKind.values:
        raise ValidationError(_("Type de stage inconnu : stage E2C ou PMSMP."))
    company = _check_company(membership, fields.get("company"), current)
    tutor = _check_contact(
        fields.get("tutor"),
        company,
        role="tutor",
        current_id=current.tutor_id if current else None,
    )
    signatory = _check_contact(
        fields.get("signatory"),
        company,
        role="signatory",
        current_id=current.signatory_id if current else None,
    )
    second = fields.get("second_signatory")
    if second is not None:
        second = _check_contact(
            second,
            company,
            role="signatory",
            current_id=current.second_signatory_id if current else None,
        )
        if second.pk == signatory.pk:
            raise ValidationError(
                _("Les deux signataires de l'entreprise doivent être deux personnes différentes.")
            )
    prescriber = None
    if kind == InternshipKind.PMSMP:
        prescriber = _check_prescriber(membership, fields.get("prescriber"))
    start, end = fields.get("start_date"), fields.get("end_date")
    _check_dates(enrolment, kind, start, end)
    hours = _check_hours(enrolment, start, fields.get("weekly_hours"))
    rome = (fields.get("rome_code") or "").strip().upper()
    if rome and not ROME_CODE.match(rome):
        raise ValidationError(
            _("Le code ROME est une lettre suivie de quatre chiffres (ex. N1103).")
        )
    return {
        "kind": kind,
        "company": company,
        "tutor": tutor,
        "signatory": signatory,
        "second_signatory": second,
        "prescriber": prescriber,
        "job_title": _text(
            fields.get("job_title"), label=_("le poste occupé"), max_length=150, required=True
        ),
        "rome_code": rome,
        "start_date": start,
        "end_date": end,
        "weekly_hours": hours,
        "schedule": _text(
            fields.get("schedule"), label=_("les horaires"), max_length=255, required=False
        ),
        "tasks": _text(
            fields.get("tasks"), label=_("les activités confiées"), max_length=4000, required=True
        ),
    }


# ------------------------------------------------------------------------------ writes


@transaction.atomic
def create_internship(
    *,
    membership: Membership,
    enrolment: Enrolment,
    ip_address: str | None = None,
    **fields: Any,
) -> Internship:
    """A new internship or PMSMP for ``enrolment``; ``fields`` are ``EDITABLE_FIELDS``.

    Its days are not marked in company yet: the agreement is not signed.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _check_may_manage(membership, enrolment)
    values = _clean(membership=membership, enrolment=enrolment, current=None, fields=fields)
    _check_no_overlap(enrolment, values["start_date"], values["end_date"], exclude=None)
    internship = Internship.objects.create(
        school=enrolment.school, enrolment=enrolment, created_by=membership.user, **values
    )
    record_event(
        actor=membership.user,
        action="internship.create",
        target=internship,
        school=enrolment.school,
        changes={
            "enrolment": enrolment.pk,
            "kind": internship.kind,
            "company": internship.company_id,
            "start_date": internship.start_date.isoformat(),
            "end_date": internship.end_date.isoformat(),
        },
        ip_address=ip_address,
    )
    return internship


@transaction.atomic
def update_internship(
    *,
    membership: Membership,
    internship: Internship,
    ip_address: str | None = None,
    **fields: Any,
) -> CompanyDaysReport:
    """Change an internship (every field of ``EDITABLE_FIELDS`` is given again), then bring
    its attendance days in line (:func:`sync_company_days`); returns what that did."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    enrolment = internship.enrolment
    _check_may_manage(membership, enrolment)
    _check_not_cancelled(internship)
    values = _clean(membership=membership, enrolment=enrolment, current=internship, fields=fields)
    _check_no_overlap(enrolment, values["start_date"], values["end_date"], exclude=internship.pk)
    before = snapshot(internship, EDITABLE_FIELDS)
    previous = (internship.start_date, internship.end_date)
    for name, value in values.items():
        setattr(internship, name, value)
    changed = diff_fields(internship, before, EDITABLE_FIELDS)
    if not changed:
        return CompanyDaysReport()
    internship.save(update_fields=list(changed))
    # The signed agreement no longer says what was agreed: its signatures are withdrawn (the
    # agreement is signed again; its days are no longer in company until then).
    reset = 0
    if set(changed) & AGREEMENT_TERMS:
        reset, _ = internship.signatures.all().delete()
        if reset:
            record_event(
                actor=membership.user,
                action="agreement.signatures_reset",
                target=internship,
                school=enrolment.school,
                changes={"signatures": reset, "fields": sorted(set(changed) & AGREEMENT_TERMS)},
                ip_address=ip_address,
            )
    changes = {name: change for name, change in changed.items() if name in AUDITED_FIELDS}
    changes.update({name: "changed" for name in changed if name not in AUDITED_FIELDS})
    record_event(
        actor=membership.user,
        action="internship.update",
        target=internship,
        school=enrolment.school,
        changes=changes,
        ip_address=ip_address,
    )
    if not reset and previous == (internship.start_date, internship.end_date):
        return CompanyDaysReport()  # same days, same signatures: attendance is as it was
    report = sync_company_days(internship=internship, recorded_by=membership, previous=previous)
    return dataclasses.replace(report, signatures_reset=reset)


@transaction.atomic
def cancel_internship(
    *,
    membership: Membership,
    internship: Internship,
    reason: str,
    confirmed: bool,
    ip_address: str | None = None,
) -> CompanyDaysReport:
    """Cancel an internship (a ``CancelReason`` code, and ``confirmed``); its days to come are
    no longer in company (:func:`sync_company_days`)."""
    enrolment = internship.enrolment
    _check_may_manage(membership, enrolment)
    if internship.is_cancelled:
        raise ValidationError(_("Ce stage est déjà annulé."))
    if reason not in CancelReason.values:
        raise ValidationError(_("Choisissez le motif d'annulation dans la liste."))
    if not confirmed:
        raise ValidationError(_("Cochez la case de confirmation pour annuler le stage."))
    if hasattr(internship, "review") or internship.hires.exists():
        raise ValidationError(
            _("Ce stage a un bilan ou une embauche enregistrés : il ne peut plus être annulé.")
        )
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    internship.cancelled_at = timezone.now()
    internship.cancel_reason = reason
    internship.save(update_fields=["cancelled_at", "cancel_reason"])
    record_event(
        actor=membership.user,
        action="internship.cancel",
        target=internship,
        school=enrolment.school,
        changes={"reason": reason},
        ip_address=ip_address,
    )
    return sync_company_days(internship=internship, recorded_by=membership)


def goal_competencies(internship: Internship) -> list[Competency]:
    """The competencies a goal may name: those of the trainee's framework, in order."""
    framework = competency_selectors.enrolment_framework(internship.enrolment)
    if framework is None:
        return []
    return list(
        Competency.objects.filter(framework=framework)
        .select_related("area")
        .order_by("area__position", "area__code", "position", "code")
    )


@transaction.atomic
def set_goals(
    *,
    membership: Membership,
    internship: Internship,
    goals: Sequence[tuple[Competency, str]],
    ip_address: str | None = None,
) -> list[InternshipGoal]:
    """Replace the internship's goals by ``goals``: ``(competency, description)`` pairs, the
    competency from the trainee's framework, each at most once."""
    enrolment = internship.enrolment
    _check_may_manage(membership, enrolment)
    _check_not_cancelled(internship)
    framework = competency_selectors.enrolment_framework(enrolment)
    if goals and framework is None:
        raise ValidationError(
            _("Aucun référentiel de compétences n'est choisi pour l'école : choisissez-en un.")
        )
    if len(goals) > MAX_GOALS:
        raise ValidationError(
            _("Un stage a au plus %(n)d objectifs : gardez les principaux.") % {"n": MAX_GOALS}
        )
    wanted: dict[int, str] = {}
    for competency, description in goals:
        if competency.framework_id != framework.pk:
            raise ValidationError(
                _(
                    "La compétence « %(code)s » n'appartient pas au référentiel de ce parcours "
                    "(%(framework)s)."
                )
                % {"code": competency.code, "framework": framework}
            )
        if competency.pk in wanted:
            raise ValidationError(
                _("La compétence « %(code)s » est choisie deux fois.") % {"code": competency.code}
            )
        wanted[competency.pk] = _text(
            description, label=_("l'objectif"), max_length=255, required=False
        )
    existing = {goal.competency_id: goal for goal in internship.goals.all()}
    removed = [pk for pk in existing if pk not in wanted]
    InternshipGoal.objects.filter(internship=internship, competency_id__in=removed).delete()
    to_update, to_create = [], []
    for competency_id, description in wanted.items():
        goal = existing.get(competency_id)
        if goal is None:
            to_create.append(
                InternshipGoal(
                    school=internship.school,
                    internship=internship,
                    competency_id=competency_id,
                    description=description,
                )
            )
        elif goal.description != description:
            goal.description = description
            to_update.append(goal)
    InternshipGoal.objects.bulk_create(to_create)
    InternshipGoal.objects.bulk_update(to_update, ["description"])
    record_event(
        actor=membership.user,
        action="internship.goals",
        target=internship,
        school=internship.school,
        changes={
            "competencies": sorted(wanted),
            "added": len(to_create),
            "removed": len(removed),
            "updated": len(to_update),
        },
        ip_address=ip_address,
    )
    return list(internship.goals.order_by("pk"))


# -------------------------------------------------------------------------- attendance


@dataclass(frozen=True)
class CompanyDaysReport:
    """What :func:`sync_company_days` did: half-days set "in company" (``filled``) and removed
    (``removed``); what it left untouched: days up to today still "in company" although no
    longer covered (``kept_days``, to correct on the attendance sheet) and closed months
    (``closed_months``, first days; the direction must reopen them)."""

    filled: int = 0
    removed: int = 0
    kept_days: tuple[datetime.date, ...] = ()
    closed_months: tuple[datetime.date, ...] = ()
    #: Days up to today within the internship whose marks (at school, absent…) were left as
    #: recorded rather than turned "in company" (the agreement was completed late).
    recorded_days: tuple[datetime.date, ...] = ()
    #: Signatures withdrawn because the agreement's terms changed (see ``update_internship``).
    signatures_reset: int = 0

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.kept_days or self.closed_months or self.recorded_days or self.signatures_reset
        )


def _merge_ranges(
    ranges: Iterable[tuple[datetime.date, datetime.date]],
) -> list[tuple[datetime.date, datetime.date]]:
    merged: list[tuple[datetime.date, datetime.date]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + datetime.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@transaction.atomic
def sync_company_days(
    *,
    internship: Internship,
    recorded_by,
    previous: tuple[datetime.date, datetime.date] | None = None,
) -> CompanyDaysReport:
    """Bring the attendance in line with the internship: its days are "in company" when the
    agreement is fully signed and the internship is not cancelled, and only then.

    - Fully signed and not cancelled: every weekday of the internship (within the pathway)
      is marked in company (``schedule.services_attendance.fill_company_days``).
    - The "in company" marks of the days the internship no longer covers — its ``previous``
      dates when they changed, all its days when it is cancelled or no longer fully signed —
      go back (``clear_company_days``): days to come are unmarked; today, past days and
      closed months are left untouched and reported (a correction on the sheet, with its
      reason; a closed month must be reopened by the direction). Days covered by another
      fully signed internship of the enrolment are kept.

    ``recorded_by`` is the user or membership doing it. Call it after the dates change, after
    a cancellation and after a signature is recorded or removed.
    """
    enrolment = internship.enrolment
    others = (
        Internship.objects.filter(enrolment=enrolment, cancelled_at__isnull=True)
        .exclude(pk=internship.pk)
        .select_related("enrolment__person")
        .prefetch_related("signatures")
    )
    keep = [(o.start_date, o.end_date) for o in others if agreements.is_fully_signed(o)]
    active = not internship.is_cancelled and agreements.is_fully_signed(internship)
    if active:
        keep.append((internship.start_date, internship.end_date))
    windows = [(internship.start_date, internship.end_date)]
    if previous is not None:
        windows.append(previous)
    removed, kept_days, closed = 0, set(), set()
    for start, end in _merge_ranges(windows):
        cleared = services_attendance.clear_company_days(
            enrolment=enrolment, start=start, end=end, recorded_by=recorded_by, keep=keep
        )
        removed += cleared
        kept_days.update(cleared.kept_days)
        closed.update(cleared.closed_months)
    filled = 0
    if active:
        result = services_attendance.fill_company_days(
            enrolment=enrolment,
            start=internship.start_date,
            end=internship.end_date,
            recorded_by=recorded_by,
        )
        filled = int(result)
        closed.update(result.closed_months)
        recorded = result.kept_days
    else:
        recorded = ()
    return CompanyDaysReport(
        filled=filled,
        removed=removed,
        kept_days=tuple(sorted(kept_days)),
        closed_months=tuple(sorted(closed)),
        recorded_days=tuple(recorded),
    )
