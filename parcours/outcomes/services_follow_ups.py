"""Every write of the follow-ups after the exit (suivis à 3, 6 et 12 mois).

Two daily tasks, run by ``parcours daily`` in this order:

- :func:`create_due_follow_ups` creates the to-do item (an :class:`ExitFollowUp`, status
  "à faire") of each wave that fell due;
- :func:`send_follow_up_digests` e-mails each referent one digest of their follow-ups due and
  not yet signalled.

Then the referent records what they found with :func:`record_follow_up` (one small form): the
person was reached and their situation is one of the exit typology's destinations, or the
person could not be reached. Recording again corrects it (audited as a correction).

Functions that change a situation take keyword-only arguments, run in one transaction, write
their audit event and raise ``ValidationError`` with French messages when the write is refused
(nothing written).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.audit.services import diff_fields, record_event, snapshot
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Role, School
from parcours.pathways.models import Enrolment

from . import destinations
from .destinations import Destination
from .models import Exit, ExitFollowUp, FollowUpStatus, FollowUpWave, follow_up_due_on

logger = logging.getLogger(__name__)

WAVES: tuple[int, ...] = tuple(FollowUpWave.values)
#: A digest lists at most this many follow-ups per school; the rest are counted, with a link
#: to the list (a first run on a long backlog must not send a book).
DIGEST_MAX_LINES = 50
MAX_MONTHS = 120
MAX_ORGANISATION = 200
MAX_COMMENT = 5000
CREATE_BATCH = 500


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


def _now() -> datetime.datetime:
    return timezone.now()


def _morning_of(today: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))


# ------------------------------------------------------------------------------ creation


def _audit_created(rows: list[ExitFollowUp]) -> None:
    """One system event per school, naming by wave the exits whose follow-up was created."""
    by_school: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        by_school[row.school_id][str(row.wave)].append(row.exit_id)
    schools = School.objects.in_bulk(list(by_school))
    for school_id, waves in by_school.items():
        record_event(
            actor=None,
            action="exit.follow_ups_due",
            school=schools[school_id],
            changes={"waves": dict(waves)},
        )


def latest_exit_date_due(today: datetime.date, wave: int) -> datetime.date:
    """The latest exit date whose follow-up ``wave`` is due on or before ``today``.

    ``follow_up_due_on`` clamps to the month's end, so several exit dates share a due date
    (29, 30 and 31 August + 6 months all fall on the end of February): step forward over them.
    """
    day = follow_up_due_on(today, -wave)
    while follow_up_due_on(day + datetime.timedelta(days=1), wave) <= today:
        day += datetime.timedelta(days=1)
    return day


def create_due_follow_ups(today: datetime.date | None = None) -> int:
    """Create, for the exits of every school, the follow-up of each wave (3, 6, 12 months)
    that is due on or before ``today`` and does not exist yet; return how many were created.

    No wave is created once the person has come back (an enrolment entered after the exit):
    their new pathway is followed instead. Every due wave is created, however old the exit:
    a backlog (a school that starts using Parcours with its past exits, a cron that did not
    run for a while) is information, and the list's "en retard" filter shows it. The digest
    caps what it lists (``DIGEST_MAX_LINES``).

    A few queries per wave, never one per exit; running it twice creates nothing twice (the
    missing ones are computed with ``NOT EXISTS`` and the unique (exit, wave) constraint
    absorbs a concurrent run: its rows are skipped, so the count may then overstate).
    """
    today = today or timezone.localdate()
    created = 0
    # A person who came back (a later enrolment) is followed in their new pathway instead.
    returned = Enrolment.objects.filter(
        person_id=OuterRef("enrolment__person_id"), entry_date__gt=OuterRef("exit_date")
    )
    all_rows: list[ExitFollowUp] = []
    with transaction.atomic():
        for wave in WAVES:
            latest = latest_exit_date_due(today, wave)
            missing = (
                Exit.objects.filter(exit_date__lte=latest)
                .exclude(Exists(ExitFollowUp.objects.filter(exit=OuterRef("pk"), wave=wave)))
                .exclude(Exists(returned))
                .order_by("pk")
                .values_list("pk", "school_id", "exit_date")
            )
            rows = [
                ExitFollowUp(
                    school_id=school_id,
                    exit_id=exit_id,
                    wave=wave,
                    due_on=follow_up_due_on(exit_date, wave),
                    status=FollowUpStatus.DUE,
                )
                for exit_id, school_id, exit_date in missing
            ]
            ExitFollowUp.objects.bulk_create(rows, batch_size=CREATE_BATCH, ignore_conflicts=True)
            created += len(rows)
            all_rows += rows
        if all_rows:
            _audit_created(all_rows)
    logger.info("exit follow-ups: %d created", created)
    return created


# ------------------------------------------------------------------------------ digests


def record_path(follow_up: ExitFollowUp) -> str:
    return reverse("outcomes:follow_up_record", args=[follow_up.school.slug, follow_up.pk])


def list_path(school: School) -> str:
    return reverse("outcomes:follow_ups", args=[school.slug])


def _base_url() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def trainee_short_name(follow_up: ExitFollowUp) -> str:
    """First name and last-name initial: enough for the referent, little in a mailbox."""
    person = follow_up.exit.enrolment.person
    initial = person.last_name[:1].upper()
    return f"{person.first_name} {initial}." if initial else person.first_name


@dataclass
class _Recipient:
    membership: Membership
    follow_ups: list[ExitFollowUp] = field(default_factory=list)


def _recipients(
    follow_ups: list[ExitFollowUp], today: datetime.date
) -> tuple[dict[int, _Recipient], int]:
    """``{user id: recipient}`` and the number of follow-ups nobody can receive.

    A follow-up goes to the enrolment's referent when their account and membership are
    active; otherwise to every active director of the school. Two queries at most."""
    school_ids = {follow_up.school_id for follow_up in follow_ups}
    directors: dict[int, list[Membership]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(school_id__in=school_ids, role=Role.DIRECTOR)
        .active_on(today)
        .select_related("user", "school")
        .order_by("user_id")
    ):
        if membership.user.email:
            directors[membership.school_id].append(membership)
    recipients: dict[int, _Recipient] = {}
    orphans = 0
    for follow_up in follow_ups:
        referent = follow_up.exit.enrolment.referent
        if (
            referent is not None
            and referent.school_id == follow_up.school_id
            and referent.is_active_on(today)
            and referent.user.email
        ):
            targets = [referent]
        else:
            targets = directors.get(follow_up.school_id, [])
        if not targets:
            orphans += 1
        for membership in targets:
            recipient = recipients.setdefault(membership.user_id, _Recipient(membership))
            recipient.follow_ups.append(follow_up)
    return recipients, orphans


def send_follow_up_digests(
    today: datetime.date | None = None, *, now: datetime.datetime | None = None
) -> int:
    """E-mail each recipient one digest of their follow-ups due and not yet signalled (every
    school); return the number of e-mails sent.

    Each e-mail is its own transaction: its follow-ups are locked and marked ``notified_at``
    (this run's instant) before it is sent, so two runs never signal a follow-up twice (the
    second one finds them marked by the first). A follow-up that falls back to several
    directors is sent to each of them by the same run. A mail that fails is logged, its
    follow-ups stay unmarked (unless another director of the same run got them) and the next
    day's run tries again.
    """
    if now is None:
        now = _morning_of(today) if today is not None else _now()
    today = today or timezone.localtime(now).date()
    candidates = list(
        ExitFollowUp.objects.filter(
            status=FollowUpStatus.DUE, notified_at__isnull=True, due_on__lte=today
        )
        .select_related(
            "school",
            "exit__enrolment__person",
            "exit__enrolment__referent__user",
        )
        .order_by("school_id", "due_on", "pk")
    )
    if not candidates:
        logger.info("exit follow-up digests: nothing due")
        return 0
    recipients, orphans = _recipients(candidates, today)
    sent = failed = 0
    for _user_id, recipient in sorted(recipients.items()):
        try:
            with transaction.atomic():
                sent += _send_digest(recipient, now=now)
        except Exception:
            failed += 1
            logger.exception("exit follow-up digest: the mail to user %s failed", _user_id)
    logger.info(
        "exit follow-up digests: %d sent, %d failed, %d follow-ups without a recipient",
        sent,
        failed,
        orphans,
    )
    return sent


def _send_digest(recipient: _Recipient, *, now: datetime.datetime) -> int:
    """Mark and send one recipient's digest; 0 when another run took them all meanwhile."""
    ids = [follow_up.pk for follow_up in recipient.follow_ups]
    # Checked again under the lock: still due, and not signalled by another run (this run's
    # instant means another director of this run got them too).
    claimed = set(
        ExitFollowUp.objects.select_for_update()
        .filter(pk__in=ids, status=FollowUpStatus.DUE)
        .filter(Q(notified_at__isnull=True) | Q(notified_at=now))
        .values_list("pk", flat=True)
    )
    if not claimed:
        return 0
    ExitFollowUp.objects.filter(pk__in=claimed).update(notified_at=now)
    follow_ups = [follow_up for follow_up in recipient.follow_ups if follow_up.pk in claimed]
    _send_digest_mail(recipient.membership, follow_ups)
    return 1


def _digest_context(membership: Membership, follow_ups: list[ExitFollowUp]) -> dict[str, Any]:
    base = _base_url()
    by_school: dict[int, list[ExitFollowUp]] = defaultdict(list)
    schools: dict[int, School] = {}
    for follow_up in follow_ups:
        by_school[follow_up.school_id].append(follow_up)
        schools[follow_up.school_id] = follow_up.school
    sections = []
    for school_id, rows in by_school.items():
        school = schools[school_id]
        shown = rows[:DIGEST_MAX_LINES]
        sections.append(
            {
                "school_name": school.name,
                "list_url": base + list_path(school),
                "more": len(rows) - len(shown),
                "items": [
                    {
                        "trainee": trainee_short_name(follow_up),
                        "wave": follow_up.get_wave_display(),
                        "due_on": _day(follow_up.due_on),
                        "exit_date": _day(follow_up.exit.exit_date),
                        "url": base + record_path(follow_up),
                    }
                    for follow_up in shown
                ],
            }
        )
    user = membership.user
    return {
        "name": user.get_full_name() or user.email,
        "count": len(follow_ups),
        "sections": sections,
    }


def _send_digest_mail(membership: Membership, follow_ups: list[ExitFollowUp]) -> None:
    context = _digest_context(membership, follow_ups)
    count = context["count"]
    subject = ngettext(
        "%(n)d suivi après la sortie à faire",
        "%(n)d suivis après la sortie à faire",
        count,
    ) % {"n": count}
    if len(context["sections"]) == 1:
        subject = f"{subject} — {context['sections'][0]['school_name']}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("outcomes/email/follow_up_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[membership.user.email],
    )
    message.attach_alternative(
        render_to_string("outcomes/email/follow_up_digest.html", context), "text/html"
    )
    message.send(fail_silently=False)


# ------------------------------------------------------------------------------ recording

#: What a correction compares (free text is only said to have changed).
RECORD_FIELDS = ["status", "contacted_on", "situation", "months", "days", "organisation", "comment"]
FREE_TEXT = ("organisation", "comment")


def _check_may(membership: Membership, follow_up: ExitFollowUp) -> None:
    if membership is None or follow_up.school_id != membership.school_id:
        raise ValidationError(_("Suivi inconnu."))
    if not has_perm(membership, Perm.RECORD_EXITS):
        raise ValidationError(_("Votre rôle ne permet pas cette action."))


def _as_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def clean_follow_up(
    follow_up: ExitFollowUp,
    *,
    reached: bool | None,
    contacted_on: datetime.date | None,
    situation: str,
    months: Any,
    days: Any,
    organisation: str,
    comment: str,
    today: datetime.date,
) -> dict[str, Any]:
    """Check every value before anything is written; return the fields to save. Errors are
    raised together, by field (the form shows each one beside its field)."""
    errors: dict[str, list[str]] = defaultdict(list)
    situation = (situation or "").strip()
    organisation = (organisation or "").strip()
    comment = (comment or "").strip()
    months_value = _as_int(months)
    days_value = _as_int(days)
    exit_date = follow_up.exit.exit_date

    if reached is None:
        errors["reached"].append(_("Dites si la personne a été jointe."))
    if contacted_on is None:
        if reached:
            errors["contacted_on"].append(_("Indiquez la date du contact."))
    elif contacted_on > today:
        errors["contacted_on"].append(_("La date du contact ne peut pas être dans le futur."))
    elif contacted_on < exit_date:
        errors["contacted_on"].append(
            _("La date du contact ne peut pas précéder la sortie (le %(day)s).")
            % {"day": _day(exit_date)}
        )
    if len(comment) > MAX_COMMENT:
        errors["comment"].append(_("Le commentaire est trop long (5 000 caractères au plus)."))

    if reached is False:
        if situation:
            errors["situation"].append(
                _("La personne est injoignable : laissez la situation vide.")
            )
        if months_value is not None or days_value:
            errors["months"].append(_("La personne est injoignable : laissez la durée vide."))
        if organisation:
            errors["organisation"].append(
                _("La personne est injoignable : laissez l'employeur ou l'organisme vide.")
            )
    elif reached:
        if not situation:
            errors["situation"].append(_("Indiquez la situation trouvée."))
        elif situation not in Destination.values:
            errors["situation"].append(_("Situation inconnue : choisissez-en une de la liste."))
        known = situation in Destination.values
        label = Destination(situation).label if known else ""
        if days_value is not None and not 0 <= days_value <= 30:
            errors["days"].append(_("Les jours vont de 0 à 30 (au-delà, comptez des mois)."))
        if months_value is not None and not 0 <= months_value <= MAX_MONTHS:
            errors["months"].append(
                _("La durée en mois doit être comprise entre 0 et %(max)d.") % {"max": MAX_MONTHS}
            )
        if known and situation not in destinations.LENGTH_ALLOWED:
            if months_value is not None or days_value:
                errors["months"].append(
                    _("« %(situation)s » n'a pas de durée : laissez la durée vide.")
                    % {"situation": label}
                )
        elif known and months_value is None:
            if situation in destinations.LENGTH_REQUIRED:
                errors["months"].append(
                    _("Indiquez la durée en mois de « %(situation)s » (0 si moins d'un mois).")
                    % {"situation": label}
                )
            elif days_value:
                errors["months"].append(
                    _("Indiquez la durée en mois (0 si moins d'un mois) avant les jours.")
                )
        elif known and months_value == 0 and not days_value:
            errors["months"].append(_("La durée ne peut pas être nulle."))
        if known and organisation and situation not in destinations.WITH_ORGANISATION:
            errors["organisation"].append(
                _(
                    "Un employeur ou un organisme ne s'indique que pour un emploi, une formation "
                    "ou un service civique."
                )
            )
    if len(organisation) > MAX_ORGANISATION:
        errors["organisation"].append(
            _("Le nom de l'employeur ou de l'organisme est trop long (200 caractères au plus).")
        )
    if errors:
        raise ValidationError(dict(errors))
    return {
        "status": FollowUpStatus.REACHED if reached else FollowUpStatus.UNREACHABLE,
        "contacted_on": contacted_on,
        "situation": situation if reached else "",
        "months": months_value if reached else None,
        "days": (days_value or 0) if reached else 0,
        "organisation": organisation if reached else "",
        "comment": comment,
    }


def record_follow_up(
    membership: Membership,
    follow_up: ExitFollowUp,
    *,
    reached: bool | None,
    contacted_on: datetime.date | None,
    situation: str = "",
    months: Any = None,
    days: Any = 0,
    organisation: str = "",
    comment: str = "",
    now: datetime.datetime | None = None,
    ip_address: str | None = None,
) -> ExitFollowUp:
    """Record what the follow-up found: reached (a situation of the exit typology, its length
    where it has one, the employer or training body) or unreachable (no situation). The date
    of the contact (of the attempt, when unreachable; optional then) is neither in the future
    nor before the exit. Recording a follow-up already recorded corrects it
    (``exit_follow_up.correct``)."""
    _check_may(membership, follow_up)
    now = now or _now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        locked = (
            ExitFollowUp.objects.select_for_update()
            .select_related("exit", "school")
            .get(pk=follow_up.pk)
        )
        fields = clean_follow_up(
            locked,
            reached=reached,
            contacted_on=contacted_on,
            situation=situation,
            months=months,
            days=days,
            organisation=organisation,
            comment=comment,
            today=today,
        )
        correction = locked.status != FollowUpStatus.DUE
        before = snapshot(locked, RECORD_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.recorded_by = membership.user
        locked.recorded_at = now
        locked.save(update_fields=[*RECORD_FIELDS, "recorded_by", "recorded_at"])
        if correction:
            changes = diff_fields(locked, before, RECORD_FIELDS)
            for name in FREE_TEXT:
                if name in changes:
                    changes[name] = "modifié"
            action = "exit_follow_up.correct"
        else:
            changes = {
                "status": locked.status,
                "situation": locked.situation,
                "months": locked.months,
                "days": locked.days,
                "contacted_on": locked.contacted_on.isoformat() if locked.contacted_on else None,
            }
            action = "exit_follow_up.record"
        record_event(
            actor=membership.user,
            action=action,
            target=locked,
            school=locked.school,
            changes={"exit": locked.exit_id, "wave": locked.wave, **changes},
            ip_address=ip_address,
        )
    follow_up.refresh_from_db()
    return locked
