"""Every write of the tutor reviews (bilans de stage) and of the tutors' private links.

Functions take keyword-only arguments, run in one transaction, write their audit event and
raise ``ValidationError`` with a French message when the write is refused (nothing written).

The private link: a random token (``secrets.token_urlsafe(32)``) goes in the e-mail to the
tutor; only its SHA-256 is stored. It works for its internship's review only, once, until it
expires or is revoked. It expires 30 days after the later of the internship's last day and the
sending (``LINK_VALIDITY_DAYS``). Sending a new link revokes the previous usable ones.

Reminders (``send_overdue_reminders``, run daily by ``parcours daily``): a finished internship
without review whose link is still usable gets a reminder 7 days after its end, then every 7
days, at most 3. Since the token is not stored, a reminder carries a new token for the same
link (the link's hash changes, so the previous e-mail's link stops working and the reminder
says so), and pushes the expiry to at least 14 days after the reminder.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import diff_fields, record_event, snapshot
from parcours.competencies import services as competency_services
from parcours.competencies.models import Assessment, AssessmentContext, Competency
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership

from . import selectors_reviews as selectors
from .models import (
    Internship,
    Rating,
    ReviewCompetency,
    ReviewSource,
    TutorLink,
    TutorReview,
    WouldHire,
)

logger = logging.getLogger(__name__)

LINK_VALIDITY_DAYS = 30
REMINDER_EVERY_DAYS = 7
MAX_REMINDERS = 3
#: A reminder leaves the tutor at least this many days to answer.
REMINDER_MIN_VALIDITY_DAYS = 14
MAX_NAME = 200
MAX_TEXT = 5000

INVALID_LINK = gettext_lazy("Ce lien n'est plus valable.")
REVIEW_EXISTS = gettext_lazy("Le bilan de ce stage est déjà enregistré.")
CANCELLED = gettext_lazy("Ce stage est annulé : il n'a pas de bilan.")
NOT_STARTED = gettext_lazy("Ce stage n'a pas encore commencé.")


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


def _now() -> datetime.datetime:
    return timezone.now()


def _end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the current time zone (Europe/Paris)."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _check_may(membership: Membership, internship: Internship, perm: Perm) -> None:
    if internship.school_id != membership.school_id:
        raise ValidationError(_("Stage inconnu."))
    if not has_perm(membership, perm):
        raise ValidationError(_("Votre rôle ne permet pas cette action."))


def _has_review(internship: Internship) -> bool:
    return TutorReview.objects.filter(internship=internship).exists()


# ------------------------------------------------------------------------------ URLs


def base_url(value: str | None = None) -> str:
    return (value or settings.PUBLIC_BASE_URL).rstrip("/")


def link_path(token: str) -> str:
    return reverse("tutor_review:form", kwargs={"tutor_token": token})


def internship_page_path(internship: Internship) -> str:
    """The internship's page in the staff area."""
    return reverse("companies:internship", args=[internship.school.slug, internship.pk])


def _page_url(request_base_url: str | None, internship: Internship) -> str:
    """The internship page's absolute address, from the request's base when it makes a valid
    web address (an intranet host name without a dot does not), else from the setting."""
    path_ = internship_page_path(internship)
    url = base_url(request_base_url) + path_
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        url = base_url() + path_
    return url


# ------------------------------------------------------------------------------ e-mails


def _trainee_short_name(internship: Internship) -> str:
    person = internship.enrolment.person
    initial = person.last_name[:1].upper()
    return f"{person.first_name} {initial}." if initial else person.first_name


def _send_link_mail(
    *, link: TutorLink, token: str, url_base: str, reminder: bool, replaced: bool = False
) -> None:
    internship = link.internship
    context = {
        "school_name": internship.school.name,
        "tutor": internship.tutor,
        "trainee": _trainee_short_name(internship),
        "company_name": internship.company.name,
        "job_title": internship.job_title,
        "start_date": _day(internship.start_date),
        "end_date": _day(internship.end_date),
        "url": url_base + link_path(token),
        "expires_on": _day(timezone.localtime(link.expires_at).date()),
        "reminder": reminder,
        "replaced": replaced,
    }
    subject = (
        _("Rappel : bilan de stage de %(trainee)s — %(school)s")
        if reminder
        else _("Bilan de stage de %(trainee)s — %(school)s")
    ) % {"trainee": context["trainee"], "school": context["school_name"]}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("companies/emails/tutor_link.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[link.sent_to],
    )
    message.attach_alternative(
        render_to_string("companies/emails/tutor_link.html", context), "text/html"
    )
    message.send(fail_silently=False)


# ------------------------------------------------------------------------------ the link


@transaction.atomic
def send_tutor_link(
    *,
    membership: Membership,
    internship: Internship,
    email: str | None = None,
    request_base_url: str | None = None,
    now: datetime.datetime | None = None,
    ip_address: str | None = None,
) -> TutorLink:
    """Create the tutor's private link, revoke the previous usable ones, e-mail it."""
    _check_may(membership, internship, Perm.RECORD_REVIEWS)
    now = now or _now()
    if internship.is_cancelled:
        raise ValidationError(CANCELLED)
    if _has_review(internship):
        raise ValidationError(REVIEW_EXISTS)
    if timezone.localtime(now).date() < internship.start_date:
        raise ValidationError(
            _("Ce stage n'a pas encore commencé : envoyez le lien vers sa fin (le %(day)s).")
            % {"day": _day(internship.end_date)}
        )
    email = (email or "").strip() or internship.tutor.email
    if not email:
        raise ValidationError(
            _(
                "Le ou la tuteur·rice n'a pas d'adresse e-mail : indiquez-en une, ou saisissez "
                "le bilan lors d'un échange téléphonique."
            )
        )
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError(_("Saisissez une adresse e-mail valide.")) from error
    revoked = TutorLink.objects.filter(
        internship=internship, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    expires_at = max(_end_of_day(internship.end_date), now) + datetime.timedelta(
        days=LINK_VALIDITY_DAYS
    )
    link = TutorLink.objects.create(
        school=internship.school,
        internship=internship,
        token_hash=selectors.hash_token(token),
        sent_to=email,
        created_by=membership.user,
        created_at=now,
        expires_at=expires_at,
    )
    record_event(
        actor=membership.user,
        action="companies.tutor_link_sent",
        target=link,
        school=internship.school,
        changes={
            "internship": internship.pk,
            "expires_at": expires_at.isoformat(),
            "revoked_links": revoked,
        },
        ip_address=ip_address,
    )
    try:
        # The tutor's link is built from the service's public address (PUBLIC_BASE_URL), not
        # from the host the staff member used (an intranet name the tutor cannot reach), so
        # that the first e-mail and the reminders point to the same place.
        _send_link_mail(link=link, token=token, url_base=base_url(), reminder=False)
    except Exception as error:  # the mail server refused: nothing is kept
        logger.exception("tutor link: the e-mail could not be sent")
        raise ValidationError(
            _("Le courriel n'a pas pu être envoyé : rien n'a été enregistré. Réessayez plus tard.")
        ) from error
    return link


@transaction.atomic
def revoke_tutor_links(
    *,
    membership: Membership,
    internship: Internship,
    now: datetime.datetime | None = None,
    ip_address: str | None = None,
) -> int:
    """Revoke the internship's usable links (the tutor's e-mail stops working)."""
    _check_may(membership, internship, Perm.RECORD_REVIEWS)
    now = now or _now()
    links = list(
        TutorLink.objects.select_for_update().filter(
            internship=internship,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
    )
    if not links:
        raise ValidationError(_("Aucun lien en cours pour ce stage : rien à révoquer."))
    for link in links:
        link.revoked_at = now
        link.save(update_fields=["revoked_at"])
        record_event(
            actor=membership.user,
            action="companies.tutor_link_revoked",
            target=link,
            school=internship.school,
            changes={"internship": internship.pk},
            ip_address=ip_address,
        )
    return len(links)


# ------------------------------------------------------------------------------ review data


def _clean_rating(value: Any, label: str) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in Rating.values:
        raise ValidationError(
            _("Choisissez une appréciation pour « %(label)s ».") % {"label": label}
        )
    return value


def _clean_review(
    internship: Internship,
    *,
    punctuality: Any,
    attitude: Any,
    tasks_mastered: str,
    would_hire: str,
    comments: str,
    reviewer_name: str,
    levels: Mapping[Any, Any],
) -> tuple[dict, dict[int, int], dict[int, Competency]]:
    """Check every value before anything is written; return the review's fields, the observed
    ``{competency_id: level}`` and the competencies by id."""
    errors: list[str] = []
    fields: dict[str, Any] = {}
    for name, value, label in (
        ("punctuality", punctuality, _("ponctualité")),
        ("attitude", attitude, _("savoir-être")),
    ):
        try:
            fields[name] = _clean_rating(value, label)
        except ValidationError as error:
            errors.extend(error.messages)
    tasks_mastered = (tasks_mastered or "").strip()
    if not tasks_mastered:
        errors.append(_("Indiquez les tâches maîtrisées."))
    elif len(tasks_mastered) > MAX_TEXT:
        errors.append(_("Les tâches maîtrisées sont trop longues (5 000 caractères au plus)."))
    fields["tasks_mastered"] = tasks_mastered
    if would_hire not in WouldHire.values:
        errors.append(_("Dites si vous embaucheriez ce ou cette stagiaire."))
    fields["would_hire"] = would_hire
    comments = (comments or "").strip()
    if len(comments) > MAX_TEXT:
        errors.append(_("Les commentaires sont trop longs (5 000 caractères au plus)."))
    fields["comments"] = comments
    reviewer_name = (reviewer_name or "").strip()
    if not reviewer_name:
        errors.append(_("Indiquez le nom de la personne qui remplit le bilan."))
    elif len(reviewer_name) > MAX_NAME:
        errors.append(_("Le nom est trop long (200 caractères au plus)."))
    fields["reviewer_name"] = reviewer_name

    allowed = selectors.allowed_levels(internship)
    observed: dict[int, int] = {}
    for key, value in (levels or {}).items():
        if value in (None, ""):
            continue
        try:
            competency_id, level = int(key), int(value)
        except (TypeError, ValueError):
            errors.append(_("Une compétence ou un niveau indiqué est inconnu."))
            continue
        if competency_id not in allowed:
            errors.append(
                _("Une des compétences indiquées n'est ni un objectif du stage ni une compétence")
                + " "
                + _("du référentiel du ou de la stagiaire.")
            )
            continue
        if level not in allowed[competency_id]:
            values = allowed[competency_id]
            errors.append(
                _("Le niveau doit être compris entre %(low)d et %(high)d.")
                % {"low": values[0] if values else 1, "high": values[-1] if values else 1}
            )
            continue
        observed[competency_id] = level
    if errors:
        raise ValidationError(errors)
    competencies = Competency.objects.in_bulk(list(observed))
    return fields, observed, competencies


def _write_observations(review: TutorReview, observed: dict[int, int]) -> None:
    ReviewCompetency.objects.bulk_create(
        [
            ReviewCompetency(
                school=review.school, review=review, competency_id=competency_id, level=level
            )
            for competency_id, level in observed.items()
        ]
    )


def _create_review(
    internship: Internship, fields: dict, observed: dict[int, int], **extra: Any
) -> TutorReview:
    try:
        with transaction.atomic():
            review = TutorReview.objects.create(
                school=internship.school, internship=internship, **fields, **extra
            )
    except IntegrityError as error:  # a review was written meanwhile
        raise ValidationError(REVIEW_EXISTS) from error
    _write_observations(review, observed)
    return review


# ------------------------------------------------------------------------------ the review


@transaction.atomic
def submit_review_from_link(
    *,
    token: str,
    punctuality: Any,
    attitude: Any,
    tasks_mastered: str,
    would_hire: str,
    comments: str = "",
    reviewer_name: str,
    levels: Mapping[Any, Any] | None = None,
    now: datetime.datetime | None = None,
    ip_address: str | None = None,
) -> TutorReview:
    """The tutor's review through their private link (no account). The link works once."""
    now = now or _now()
    link = selectors.link_by_token(token)
    if link is None or not link.is_usable(now):
        raise ValidationError(INVALID_LINK)
    internship = link.internship
    if internship.is_cancelled or _has_review(internship):
        raise ValidationError(INVALID_LINK)
    fields, observed, _competencies = _clean_review(
        internship,
        punctuality=punctuality,
        attitude=attitude,
        tasks_mastered=tasks_mastered,
        would_hire=would_hire,
        comments=comments,
        reviewer_name=reviewer_name,
        levels=levels or {},
    )
    # Mark the link used first, on condition that nobody did it meanwhile: it works once.
    marked = TutorLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=now)
    if not marked:
        raise ValidationError(INVALID_LINK)
    review = _create_review(
        internship, fields, observed, source=ReviewSource.TUTOR_LINK, submitted_at=now
    )
    record_event(
        actor=None,
        action="companies.review_submitted",
        target=review,
        school=internship.school,
        changes={
            "internship": internship.pk,
            "source": ReviewSource.TUTOR_LINK,
            "tutor_link": link.pk,
            "competencies": len(observed),
        },
        ip_address=ip_address,
    )
    return review


@transaction.atomic
def record_review_from_call(
    *,
    membership: Membership,
    internship: Internship,
    punctuality: Any,
    attitude: Any,
    tasks_mastered: str,
    would_hire: str,
    comments: str = "",
    reviewer_name: str,
    levels: Mapping[Any, Any] | None = None,
    now: datetime.datetime | None = None,
    ip_address: str | None = None,
) -> TutorReview:
    """The review entered by the school during a call with the tutor; the tutor's usable
    links are revoked (the review exists now)."""
    _check_may(membership, internship, Perm.RECORD_REVIEWS)
    now = now or _now()
    if internship.is_cancelled:
        raise ValidationError(CANCELLED)
    if _has_review(internship):
        raise ValidationError(REVIEW_EXISTS)
    if timezone.localtime(now).date() < internship.start_date:
        raise ValidationError(NOT_STARTED)
    fields, observed, _competencies = _clean_review(
        internship,
        punctuality=punctuality,
        attitude=attitude,
        tasks_mastered=tasks_mastered,
        would_hire=would_hire,
        comments=comments,
        reviewer_name=reviewer_name,
        levels=levels or {},
    )
    review = _create_review(
        internship,
        fields,
        observed,
        source=ReviewSource.CALL,
        recorded_by=membership.user,
        submitted_at=now,
    )
    revoked = TutorLink.objects.filter(
        internship=internship, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    record_event(
        actor=membership.user,
        action="companies.review_recorded",
        target=review,
        school=internship.school,
        changes={
            "internship": internship.pk,
            "source": ReviewSource.CALL,
            "competencies": len(observed),
            "revoked_links": revoked,
        },
        ip_address=ip_address,
    )
    return review


REVIEW_FIELDS = [
    "punctuality",
    "attitude",
    "tasks_mastered",
    "would_hire",
    "comments",
    "reviewer_name",
]


@transaction.atomic
def update_review(
    *,
    membership: Membership,
    review: TutorReview,
    punctuality: Any,
    attitude: Any,
    tasks_mastered: str,
    would_hire: str,
    comments: str = "",
    reviewer_name: str,
    levels: Mapping[Any, Any] | None = None,
    ip_address: str | None = None,
) -> TutorReview:
    """Correct a review (staff). An observed competency already turned into an assessment
    keeps its level (correct the assessment instead)."""
    internship = review.internship
    _check_may(membership, internship, Perm.RECORD_REVIEWS)
    fields, observed, competencies = _clean_review(
        internship,
        punctuality=punctuality,
        attitude=attitude,
        tasks_mastered=tasks_mastered,
        would_hire=would_hire,
        comments=comments,
        reviewer_name=reviewer_name,
        levels=levels or {},
    )
    rows = {row.competency_id: row for row in review.competencies.select_related("competency")}
    for competency_id, row in rows.items():
        if row.assessment_id and observed.get(competency_id) != row.level:
            raise ValidationError(
                _(
                    "La compétence « %(code)s » a déjà été transformée en évaluation : son "
                    "niveau observé ne peut plus changer (corrigez l'évaluation)."
                )
                % {"code": row.competency.code}
            )
    before = snapshot(review, REVIEW_FIELDS)
    for name, value in fields.items():
        setattr(review, name, value)
    review.save(update_fields=REVIEW_FIELDS)
    changes = diff_fields(review, before, REVIEW_FIELDS)
    # Free text never goes to the audit trail: only say that it changed.
    for name in ("tasks_mastered", "comments", "reviewer_name"):
        if name in changes:
            changes[name] = "modifié"
    removed = [cid for cid in rows if cid not in observed]
    ReviewCompetency.objects.filter(review=review, competency_id__in=removed).delete()
    changed_levels: dict[str, list] = {}
    for competency_id, level in observed.items():
        row = rows.get(competency_id)
        if row is None:
            continue
        if row.level != level:
            changed_levels[row.competency.code] = [row.level, level]
            row.level = level
            row.save(update_fields=["level"])
    added = {cid: level for cid, level in observed.items() if cid not in rows}
    _write_observations(review, added)
    if removed:
        changes["competencies_removed"] = len(removed)
    if added:
        changes["competencies_added"] = [competencies[cid].code for cid in added]
    if changed_levels:
        changes["levels"] = changed_levels
    record_event(
        actor=membership.user,
        action="companies.review_updated",
        target=review,
        school=internship.school,
        changes=changes,
        ip_address=ip_address,
    )
    return review


# ------------------------------------------------------------------------------ assessment


@transaction.atomic
def review_to_assessment(
    *,
    membership: Membership,
    observation: ReviewCompetency,
    request_base_url: str | None = None,
    ip_address: str | None = None,
) -> Assessment:
    """Turn an observed competency into an assessment (context "internship", dated the day of
    the review, at the observed level) whose evidence is the review: a note naming it and a
    link to the internship's page."""
    review = observation.review
    internship = review.internship
    if observation.school_id != membership.school_id:
        raise ValidationError(_("Compétence observée inconnue."))
    _check_may(membership, internship, Perm.ASSESS)
    if observation.assessment_id is not None:
        raise ValidationError(_("Cette compétence observée est déjà transformée en évaluation."))
    review_day = timezone.localtime(review.submitted_at).date()
    note = _("Bilan de stage de %(company)s du %(day)s (tuteur·rice)") % {
        "company": internship.company.name,
        "day": _day(review_day),
    }
    assessment = competency_services.record_assessment(
        membership=membership,
        enrolment=internship.enrolment,
        competency=observation.competency,
        level=observation.level,
        assessed_on=review_day,
        context=AssessmentContext.INTERNSHIP,
        note=note,
        url=_page_url(request_base_url, internship),
        ip_address=ip_address,
    )
    linked = ReviewCompetency.objects.filter(pk=observation.pk, assessment__isnull=True).update(
        assessment=assessment
    )
    if not linked:  # turned into an assessment meanwhile: undo this one
        raise ValidationError(_("Cette compétence observée est déjà transformée en évaluation."))
    observation.assessment = assessment
    record_event(
        actor=membership.user,
        action="companies.review_to_assessment",
        target=observation,
        school=internship.school,
        changes={"review": review.pk, "assessment": assessment.pk},
        ip_address=ip_address,
    )
    return assessment


# ------------------------------------------------------------------------------ reminders


def _reminder_due(link: TutorLink, today: datetime.date) -> bool:
    if link.reminders_sent >= MAX_REMINDERS:
        return False
    end = link.internship.end_date
    last_contact = timezone.localtime(link.last_reminder_at or link.created_at).date()
    due = max(
        end + datetime.timedelta(days=REMINDER_EVERY_DAYS * (link.reminders_sent + 1)),
        last_contact + datetime.timedelta(days=REMINDER_EVERY_DAYS),
    )
    return today >= due


def send_overdue_reminders(
    *,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
    request_base_url: str | None = None,
) -> int:
    """Remind the tutors of finished internships whose review is missing (every school);
    return the number of reminders sent. Each reminder is its own transaction: a mail that
    fails is logged and retried the next day."""
    if now is None:
        now = (
            timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
            if today is not None
            else _now()
        )
    today = today or timezone.localtime(now).date()
    url_base = base_url(request_base_url)
    has_review = Exists(TutorReview.objects.filter(internship=OuterRef("internship")))
    candidates = (
        TutorLink.objects.filter(
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            reminders_sent__lt=MAX_REMINDERS,
            internship__cancelled_at__isnull=True,
            internship__end_date__lt=today,
        )
        .exclude(has_review)
        .select_related(
            "school",
            "internship__school",
            "internship__company",
            "internship__tutor",
            "internship__enrolment__person",
        )
        .order_by("pk")
    )
    sent = failed = 0
    for link in candidates:
        if not _reminder_due(link, today):
            continue
        try:
            with transaction.atomic():
                reminded = _remind(link, now=now, url_base=url_base)
        except Exception:
            failed += 1
            logger.exception("tutor review reminder: link %s failed", link.pk)
        else:
            sent += reminded
    without_link = (
        Internship.objects.filter(
            cancelled_at__isnull=True,
            end_date__lt=today - datetime.timedelta(days=selectors.OVERDUE_AFTER_DAYS),
        )
        .exclude(Exists(TutorReview.objects.filter(internship=OuterRef("pk"))))
        .exclude(Exists(TutorLink.objects.filter(internship=OuterRef("pk"))))
        .count()
    )
    logger.info(
        "tutor review reminders: %d sent, %d failed, %d overdue reviews without a link",
        sent,
        failed,
        without_link,
    )
    return sent


def _remind(link: TutorLink, *, now: datetime.datetime, url_base: str) -> bool:
    """Send one reminder with a new token; ``False`` when the link is no longer due."""
    token = secrets.token_urlsafe(32)
    link = TutorLink.objects.select_for_update().get(pk=link.pk)
    # Checked again under the lock: the tutor may have just sent the review, or staff revoked
    # the link, since the candidates were listed.
    if (
        not link.is_usable(now)
        or TutorReview.objects.filter(internship=link.internship_id).exists()
    ):
        return False
    link.token_hash = selectors.hash_token(token)
    link.reminders_sent += 1
    link.last_reminder_at = now
    link.expires_at = max(
        link.expires_at, now + datetime.timedelta(days=REMINDER_MIN_VALIDITY_DAYS)
    )
    link.save(update_fields=["token_hash", "reminders_sent", "last_reminder_at", "expires_at"])
    record_event(
        actor=None,
        action="companies.tutor_link_reminder",
        target=link,
        school=link.school,
        changes={
            "internship": link.internship_id,
            "reminder": link.reminders_sent,
            "expires_at": link.expires_at.isoformat(),
        },
    )
    _send_link_mail(link=link, token=token, url_base=url_base, reminder=True, replaced=True)
    return True
