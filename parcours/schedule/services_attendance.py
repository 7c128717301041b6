"""Writes of the attendance (émargement): marking a session or a day sheet, corrections,
internship days, closing and reopening months.

Rules kept here (the views only pass what the user chose):

- One mark per trainee, per day, per half-day (``AttendanceMark``). A sheet is saved in a
  constant number of queries, whatever the number of trainees: the existing marks are read in
  one query, new ones are written with ``bulk_create``, changed ones with ``bulk_update``.
- Trainees the caller does not mention get "present" when they have no mark yet; a mark that
  already exists is left as it is (so a day "in company" or "on holiday", filled from an
  internship or a leave, is never overwritten by the default — only by an explicit change).
- An excused absence needs a reason (illness, appointment…); any other status has none.
- A day in the future cannot be marked. Changing an existing mark after its day is a
  correction: it needs a correction reason (a code of ``CORRECTION_REASONS``) and writes one
  audit event per corrected mark (``{"status": [old, new], "correction_reason": code}``,
  never a name or free text).
- A closed month (``ClosedMonth``) cannot change; the director reopens it (with a reason
  code of ``REOPEN_REASONS``, audited) and closes it again.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import record_event
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Site
from parcours.pathways.models import Enrolment

from .models import (
    AbsenceReason,
    AttendanceMark,
    AttendanceStatus,
    ClosedMonth,
    Half,
    Session,
)
from .selectors import month_start
from .selectors_attendance import day_trainee_ids, session_trainee_ids

#: Why a mark is changed after its day (stored as a code in the audit event).
CORRECTION_REASONS = [
    ("document", gettext_lazy("Justificatif reçu après coup")),
    ("entry_error", gettext_lazy("Erreur de saisie")),
    ("late_information", gettext_lazy("Information reçue après coup (entreprise, partenaire)")),
    ("other", gettext_lazy("Autre motif")),
]
#: Why the director reopens a closed month (stored as a code in the audit event).
REOPEN_REASONS = [
    ("correction", gettext_lazy("Correction d'émargement")),
    ("late_document", gettext_lazy("Justificatif reçu après la clôture")),
    ("payment_body", gettext_lazy("Demande de l'organisme payeur")),
    ("closed_by_mistake", gettext_lazy("Mois clos par erreur")),
    ("other", gettext_lazy("Autre motif")),
]
#: Statuses the default "present" never replaces (filled from internships and leaves).
PROTECTED_STATUSES = {AttendanceStatus.COMPANY, AttendanceStatus.HOLIDAY}

MarkChoice = tuple[str, str]  # (status, reason)


def _today() -> datetime.date:
    return timezone.localdate()


def month_label(day: datetime.date) -> str:
    """« mars 2024 »."""
    return formats.date_format(day, "F Y")


def of_month(day: datetime.date) -> str:
    """« de mars 2024 », « d'avril 2024 » (for « Le mois … »)."""
    label = month_label(day)
    return f"d'{label}" if label[:1] in "aeiouyhAEIOUYH" else f"de {label}"


def parse_month(value: str | None) -> datetime.date | None:
    """``"2024-03"`` → 1 March 2024; ``None`` for anything else (years 2000–2100 only: a
    month far away would overflow the date arithmetic of the pages)."""
    from .statements import parse_month as parse

    return parse(value)


def _user(actor):
    """A user from a user or a membership."""
    return actor.user if isinstance(actor, Membership) else actor


def _closed_refusal(day: datetime.date) -> ValidationError:
    return ValidationError(
        _("Le mois %(of_month)s est clos : demandez à la direction de le rouvrir.")
        % {"of_month": of_month(day)}
    )


def _check_choice(status: str, reason: str) -> None:
    if status not in AttendanceStatus.values:
        raise ValidationError(_("Présence inconnue : choisissez un statut de la liste."))
    if status == AttendanceStatus.EXCUSED:
        if not reason:
            raise ValidationError(
                _("Une absence justifiée demande un motif (maladie, rendez-vous, famille…).")
            )
        if reason not in AbsenceReason.values:
            raise ValidationError(_("Motif d'absence inconnu : choisissez un motif de la liste."))
    elif reason:
        raise ValidationError(_("Seule une absence justifiée porte un motif."))


def _normalise(marks: Mapping[int, MarkChoice | str]) -> dict[int, MarkChoice]:
    result = {}
    for enrolment_id, choice in marks.items():
        status, reason = (choice, "") if isinstance(choice, str) else choice
        reason = reason or ""
        _check_choice(status, reason)
        result[int(enrolment_id)] = (status, reason)
    return result


def _check_may_mark(membership: Membership) -> None:
    if not has_perm(membership, Perm.MARK_ATTENDANCE):
        raise ValidationError(_("Votre rôle ne permet pas d'émarger."))


def _check_day(membership: Membership, day: datetime.date) -> None:
    if day > _today():
        raise ValidationError(_("On ne peut pas émarger un jour à venir."))
    if ClosedMonth.objects.filter(school=membership.school_id, month=month_start(day)).exists():
        raise _closed_refusal(day)


def _save_sheet(
    *,
    membership: Membership,
    day: datetime.date,
    halves: list[str],
    trainee_ids: list[int],
    marks: dict[int, MarkChoice],
    session: Session | None,
    correction_reason: str,
    ip_address: str | None,
    target,
    action: str,
) -> list[AttendanceMark]:
    """Upsert the marks of ``trainee_ids`` for ``day`` and ``halves`` in a constant number of
    queries (see the module docstring for the rules)."""
    unknown = set(marks) - set(trainee_ids)
    if unknown:
        raise ValidationError(_("Une personne de la feuille n'est pas attendue ce jour-là."))
    user = membership.user
    school_id = membership.school_id
    existing = {
        (mark.enrolment_id, mark.half): mark
        for mark in AttendanceMark.objects.filter(
            school=school_id, day=day, half__in=halves, enrolment_id__in=trainee_ids
        )
    }
    now = timezone.now()
    is_past = day < _today()
    to_create, to_update, corrections, result = [], [], [], []
    for enrolment_id in trainee_ids:
        for half in halves:
            mark = existing.get((enrolment_id, half))
            wanted = marks.get(enrolment_id)
            if mark is None:
                status, reason = wanted or (AttendanceStatus.PRESENT, "")
                mark = AttendanceMark(
                    school_id=school_id,
                    enrolment_id=enrolment_id,
                    day=day,
                    half=half,
                    status=status,
                    reason=reason,
                    session=session,
                    recorded_by=user,
                )
                to_create.append(mark)
            elif wanted is not None and wanted != (mark.status, mark.reason):
                if is_past:
                    corrections.append((mark, mark.status))
                mark.status, mark.reason = wanted
                mark.recorded_by = user
                mark.updated_at = now
                if session is not None:
                    mark.session = session
                to_update.append(mark)
            result.append(mark)
    if corrections:
        codes = {code for code, _label in CORRECTION_REASONS}
        if not correction_reason:
            raise ValidationError(
                _(
                    "Le %(day)s est passé : une correction d'émargement demande un motif "
                    "de correction."
                )
                % {"day": day.strftime("%d/%m/%Y")}
            )
        if correction_reason not in codes:
            raise ValidationError(_("Motif de correction inconnu : choisissez-en un de la liste."))
    if to_create:
        AttendanceMark.objects.bulk_create(to_create)
    if to_update:
        AttendanceMark.objects.bulk_update(
            to_update, ["status", "reason", "session", "recorded_by", "updated_at"]
        )
    for mark, old_status in corrections:
        record_event(
            actor=user,
            action="attendance.correct",
            target=mark,
            school=membership.school,
            changes={"status": [old_status, mark.status], "correction_reason": correction_reason},
            ip_address=ip_address,
        )
    record_event(
        actor=user,
        action=action,
        target=target,
        school=membership.school,
        changes={
            "day": day.isoformat(),
            "halves": list(halves),
            "created": len(to_create),
            "updated": len(to_update),
        },
        ip_address=ip_address,
    )
    return result


def _atomic_sheet(**kwargs) -> list[AttendanceMark]:
    try:
        with transaction.atomic():
            return _save_sheet(**kwargs)
    except IntegrityError as error:  # someone saved the same sheet at the same moment
        raise ValidationError(
            _("La feuille vient d'être enregistrée par quelqu'un d'autre : rechargez la page.")
        ) from error


def mark_session(
    *,
    membership: Membership,
    session: Session,
    marks: Mapping[int, MarkChoice | str],
    correction_reason: str = "",
    ip_address: str | None = None,
) -> list[AttendanceMark]:
    """Mark every trainee of ``session`` for every half-day it covers (``session.halves``).

    ``marks`` maps an enrolment id to ``(status, reason)`` (or a bare status); the others
    default to present (existing marks are kept). Returns the marks of the sheet.
    """
    _check_may_mark(membership)
    if session.school_id != membership.school_id:
        raise ValidationError(_("Cette séance n'appartient pas à votre école."))
    marks = _normalise(marks)
    _check_day(membership, session.day)
    return _atomic_sheet(
        membership=membership,
        day=session.day,
        halves=session.halves,
        trainee_ids=session_trainee_ids(session),
        marks=marks,
        session=session,
        correction_reason=correction_reason,
        ip_address=ip_address,
        target=session,
        action="attendance.mark_session",
    )


def mark_day(
    *,
    membership: Membership,
    site: Site,
    day: datetime.date,
    half: str,
    marks: Mapping[int, MarkChoice | str],
    correction_reason: str = "",
    ip_address: str | None = None,
) -> list[AttendanceMark]:
    """The day sheet: every trainee of ``site`` on ``day`` (pathway covering the day), one
    half-day (``"am"`` or ``"pm"``); same rules as :func:`mark_session`."""
    _check_may_mark(membership)
    if site.school_id != membership.school_id:
        raise ValidationError(_("Ce site n'appartient pas à votre école."))
    if half not in Half.values:
        raise ValidationError(_("Choisissez le matin ou l'après-midi."))
    marks = _normalise(marks)
    _check_day(membership, day)
    return _atomic_sheet(
        membership=membership,
        day=day,
        halves=[half],
        trainee_ids=day_trainee_ids(site, day),
        marks=marks,
        session=None,
        correction_reason=correction_reason,
        ip_address=ip_address,
        target=site,
        action="attendance.mark_day",
    )


# ------------------------------------------------------------------------- internship days


class FilledDays(int):
    """The number of half-days set to "in company", with ``closed_months``: the first days of
    the closed months that were left untouched (to tell the user), and ``kept_days``: the days
    up to today whose marks (at school, absent…) were left as recorded."""

    closed_months: tuple[datetime.date, ...]
    kept_days: tuple[datetime.date, ...]

    def __new__(
        cls,
        count: int,
        closed_months: Iterable[datetime.date] = (),
        kept_days: Iterable[datetime.date] = (),
    ):
        value = super().__new__(cls, count)
        value.closed_months = tuple(closed_months)
        value.kept_days = tuple(kept_days)
        return value


def _weekdays(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


@transaction.atomic
def fill_company_days(
    *,
    enrolment: Enrolment,
    start: datetime.date,
    end: datetime.date,
    recorded_by,
    session: Session | None = None,
) -> FilledDays:
    """Mark the trainee "in company" for both half-days of every weekday from ``start`` to
    ``end`` (inclusive) — the internship's dates (issue 7 calls it when an internship is
    recorded or its dates change).

    - Only the days within the pathway count (from the entry date to the exit date, if any).
    - Days may be in the future (the internship is planned): the sheets of those days then
      show the trainee in company, and the default "present" does not overwrite it.
    - Half-days without a mark are marked "in company". Existing marks of days after today
      become "in company", except "holiday" marks; marks of today and past days are
      attendance records (present, absent…): they are left as recorded and returned in
      ``.kept_days`` (changing one is a correction on the sheet, with its reason).
    - Days of closed months are left untouched; the returned count (an ``int``) carries them
      in ``.closed_months`` so that the caller can say which months the director must reopen.
    - ``recorded_by`` is the user (or membership) doing it; one audit event
      ``attendance.company_days`` on the enrolment sums it up (dates and counts).

    Runs a constant number of queries whatever the length of the range.
    """
    if end < start:
        raise ValidationError(_("La date de fin précède la date de début."))
    user = _user(recorded_by)
    start = max(start, enrolment.entry_date)
    if enrolment.ended_on is not None:
        end = min(end, enrolment.ended_on)
    days = list(_weekdays(start, end))
    if not days:
        return FilledDays(0)
    closed = set(
        ClosedMonth.objects.filter(
            school=enrolment.school_id, month__gte=month_start(days[0]), month__lte=days[-1]
        ).values_list("month", flat=True)
    )
    days = [day for day in days if month_start(day) not in closed]
    existing = {
        (mark.day, mark.half): mark
        for mark in AttendanceMark.objects.filter(enrolment=enrolment, day__gte=start, day__lte=end)
    }
    now = timezone.now()
    today = _today()
    to_create, to_update, kept = [], [], set()
    for day in days:
        for half in Half.values:
            mark = existing.get((day, half))
            if mark is not None and day <= today and mark.status != AttendanceStatus.COMPANY:
                if mark.status != AttendanceStatus.HOLIDAY:
                    kept.add(day)
                continue
            if mark is None:
                to_create.append(
                    AttendanceMark(
                        school_id=enrolment.school_id,
                        enrolment=enrolment,
                        day=day,
                        half=half,
                        status=AttendanceStatus.COMPANY,
                        session=session,
                        recorded_by=user,
                    )
                )
            elif mark.status not in (AttendanceStatus.COMPANY, AttendanceStatus.HOLIDAY):
                mark.status, mark.reason = AttendanceStatus.COMPANY, ""
                mark.recorded_by, mark.updated_at = user, now
                if session is not None:
                    mark.session = session
                to_update.append(mark)
    if to_create:
        AttendanceMark.objects.bulk_create(to_create)
    if to_update:
        AttendanceMark.objects.bulk_update(
            to_update, ["status", "reason", "session", "recorded_by", "updated_at"]
        )
    count = len(to_create) + len(to_update)
    record_event(
        actor=user,
        action="attendance.company_days",
        target=enrolment,
        school=enrolment.school,
        changes={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "created": len(to_create),
            "updated": len(to_update),
            "closed_months": sorted(month.strftime("%Y-%m") for month in closed),
            "kept_days": len(kept),
        },
    )
    return FilledDays(count, sorted(closed), sorted(kept))


class ClearedDays(int):
    """The number of "in company" half-day marks removed, with what was left untouched:
    ``kept_days`` (days up to today, still marked "in company") and ``closed_months`` (the
    first days of the closed months whose marks could not change)."""

    kept_days: tuple[datetime.date, ...]
    closed_months: tuple[datetime.date, ...]

    def __new__(
        cls,
        count: int,
        kept_days: Iterable[datetime.date] = (),
        closed_months: Iterable[datetime.date] = (),
    ):
        value = super().__new__(cls, count)
        value.kept_days = tuple(kept_days)
        value.closed_months = tuple(closed_months)
        return value


@transaction.atomic
def clear_company_days(
    *,
    enrolment: Enrolment,
    start: datetime.date,
    end: datetime.date,
    recorded_by,
    keep: Iterable[tuple[datetime.date, datetime.date]] = (),
) -> ClearedDays:
    """Undo :func:`fill_company_days` for the days from ``start`` to ``end`` (inclusive) that
    are no longer in company — an internship whose dates changed or that was cancelled.

    - Only "in company" marks change; days within one of the ``keep`` ranges (the internships
      that still cover them) are left alone.
    - Marks of days after today are deleted: the day is then marked like any other.
    - Marks of today and past days are attendance records: they are left untouched and
      returned in ``.kept_days`` (a change is a correction on the sheet, with its reason).
    - Marks of closed months are left untouched; their months are in ``.closed_months``.
    - One audit event ``attendance.company_days_clear`` on the enrolment (dates and counts),
      written only when a mark was found.

    Runs a constant number of queries whatever the length of the range.
    """
    if end < start:
        raise ValidationError(_("La date de fin précède la date de début."))
    keep = list(keep)
    marks = [
        mark
        for mark in AttendanceMark.objects.filter(
            enrolment=enrolment, day__gte=start, day__lte=end, status=AttendanceStatus.COMPANY
        )
        if not any(low <= mark.day <= high for low, high in keep)
    ]
    if not marks:
        return ClearedDays(0)
    closed = set(
        ClosedMonth.objects.filter(
            school=enrolment.school_id, month__gte=month_start(start), month__lte=end
        ).values_list("month", flat=True)
    )
    today = _today()
    removable, kept_days, closed_months = [], set(), set()
    for mark in marks:
        if month_start(mark.day) in closed:
            closed_months.add(month_start(mark.day))
        elif mark.day <= today:
            kept_days.add(mark.day)
        else:
            removable.append(mark.pk)
    if removable:
        AttendanceMark.objects.filter(pk__in=removable).delete()
    record_event(
        actor=_user(recorded_by),
        action="attendance.company_days_clear",
        target=enrolment,
        school=enrolment.school,
        changes={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "deleted": len(removable),
            "kept_days": len(kept_days),
            "closed_months": sorted(month.strftime("%Y-%m") for month in closed_months),
        },
    )
    return ClearedDays(len(removable), sorted(kept_days), sorted(closed_months))


# ---------------------------------------------------------------------------- closed months


def _check_may_close(membership: Membership) -> None:
    if not has_perm(membership, Perm.CLOSE_MONTH):
        raise ValidationError(_("Seule la direction peut clore ou rouvrir un mois."))


@transaction.atomic
def close_month(
    *, membership: Membership, month: datetime.date, ip_address: str | None = None
) -> ClosedMonth:
    """Close the month of ``month`` (any day of it): its marks can no longer change."""
    _check_may_close(membership)
    first = month_start(month)
    if first > month_start(_today()):
        raise ValidationError(
            _("Le mois %(of_month)s n'a pas commencé : il ne peut pas être clos.")
            % {"of_month": of_month(first)}
        )
    if ClosedMonth.objects.filter(school=membership.school_id, month=first).exists():
        raise ValidationError(
            _("Le mois %(of_month)s est déjà clos.") % {"of_month": of_month(first)}
        )
    closed = ClosedMonth.objects.create(
        school=membership.school, month=first, closed_by=membership.user
    )
    record_event(
        actor=membership.user,
        action="attendance.month_close",
        target=closed,
        school=membership.school,
        changes={"month": first.strftime("%Y-%m")},
        ip_address=ip_address,
    )
    return closed


@transaction.atomic
def reopen_month(
    *,
    membership: Membership,
    month: datetime.date,
    reason: str,
    ip_address: str | None = None,
) -> None:
    """Reopen a closed month (the director, with a reason code of ``REOPEN_REASONS``)."""
    _check_may_close(membership)
    first = month_start(month)
    if not reason:
        raise ValidationError(_("Indiquez pourquoi le mois est rouvert."))
    if reason not in {code for code, _label in REOPEN_REASONS}:
        raise ValidationError(_("Motif de réouverture inconnu : choisissez-en un de la liste."))
    closed = ClosedMonth.objects.filter(school=membership.school_id, month=first).first()
    if closed is None:
        raise ValidationError(
            _("Le mois %(of_month)s n'est pas clos.") % {"of_month": of_month(first)}
        )
    record_event(
        actor=membership.user,
        action="attendance.month_reopen",
        target=closed,
        school=membership.school,
        changes={"month": first.strftime("%Y-%m"), "reason": reason},
        ip_address=ip_address,
    )
    closed.delete()
