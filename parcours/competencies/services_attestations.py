"""Issuing, revoking and re-issuing the Attestation de Compétences Acquises (ACA).

Rules (a refusal raises ``ValidationError`` with a French message and writes nothing):

- only a school whose E2C label is valid on the issue date may issue it;
- it is issued at exit (dated by default on the exit day) or, during the pathway, when the
  trainee is in the last phase of the school's pathway (dated by default today);
- the date is neither in the future nor before the entry;
- at least one competency has been assessed;
- an enrolment has at most one valid attestation: a new one is a *re-issue*, which revokes the
  old one (``replaced_by``) in the same transaction.

The content is computed once and frozen in ``Attestation.content``; the PDF and the pages are
rendered from it, so later assessments never change an issued attestation. Numbers are
``ACA-<SCHOOL SLUG>-<year>-<0001>``, without gaps per school and year (``AttestationCounter``
locked with ``select_for_update``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.audit.services import record_event
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, School
from parcours.pathways.models import Enrolment, EnrolmentPhase, PhaseDefinition

from . import levels, selectors
from .models import (
    Assessment,
    Attestation,
    AttestationCounter,
    AttestationStatus,
    Certification,
    CertificationStatus,
    EvidenceKind,
    new_verification_token,
)

#: Content format version (stored in ``content["format"]``).
CONTENT_FORMAT = 1
EVIDENCE_SUMMARY_CHARS = 200
#: Stands for the secret of the verification link in a preview (before the issue).
PREVIEW_PLACEHOLDER = "apercu"
#: Certification results worth attesting.
ATTESTED_CERTIFICATIONS = (CertificationStatus.OBTAINED, CertificationStatus.PARTIAL)


def _fmt(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _today() -> datetime.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------ rules


def label_refusal(school: School, day: datetime.date) -> str | None:
    """Why ``school`` may not issue an attestation on ``day`` (its label), else None."""
    if school.label_valid_on(day):
        return None
    start, end = school.label_valid_from, school.label_valid_until
    if start is None and end is None:
        return _(
            "Aucun label E2C n'est enregistré pour l'école : l'attestation ne peut pas être "
            "délivrée."
        )
    if start is None or end is None:
        return _(
            "Le label E2C de l'école n'est pas valide le %(day)s (période du label incomplète) : "
            "l'attestation ne peut pas être délivrée."
        ) % {"day": _fmt(day)}
    return _(
        "Le label E2C de l'école n'est pas valide le %(day)s (valide du %(start)s au %(end)s) : "
        "l'attestation ne peut pas être délivrée."
    ) % {"day": _fmt(day), "start": _fmt(start), "end": _fmt(end)}


def _current_phase(enrolment: Enrolment) -> EnrolmentPhase | None:
    return (
        EnrolmentPhase.objects.filter(enrolment=enrolment, ended_on__isnull=True)
        .select_related("phase")
        .first()
    )


def _last_phase(school: School) -> PhaseDefinition | None:
    return PhaseDefinition.objects.filter(school=school, active=True).order_by("position").last()


def default_issue_date(enrolment: Enrolment) -> datetime.date:
    """The exit day for a closed pathway, else today."""
    if enrolment.status == "exited" and enrolment.ended_on:
        return enrolment.ended_on
    return _today()


def _check_stage(enrolment: Enrolment, issued_on: datetime.date) -> None:
    """At exit, or in the last phase of the school's pathway."""
    if enrolment.status == "exited":
        if enrolment.ended_on and issued_on < enrolment.ended_on:
            raise ValidationError(
                _(
                    "Pour un parcours clos, l'attestation est datée du jour de sortie "
                    "(%(day)s) ou d'après."
                )
                % {"day": _fmt(enrolment.ended_on)}
            )
        return
    current = _current_phase(enrolment)
    last = _last_phase(enrolment.school)
    if current is None or last is None or current.phase_id != last.pk:
        raise ValidationError(
            _("L'attestation se délivre à la sortie ou en dernière phase du parcours.")
        )
    if issued_on < current.started_on:
        raise ValidationError(
            _("L'attestation ne peut pas être datée d'avant l'entrée en dernière phase (%(day)s).")
            % {"day": _fmt(current.started_on)}
        )


def _check_dates(enrolment: Enrolment, issued_on: datetime.date) -> None:
    if issued_on > _today():
        raise ValidationError(_("La date de délivrance ne peut pas être dans le futur."))
    if issued_on < enrolment.entry_date:
        raise ValidationError(
            _("La date de délivrance ne peut pas précéder l'entrée en parcours (%(day)s).")
            % {"day": _fmt(enrolment.entry_date)}
        )


def _check_membership(membership: Membership, enrolment: Enrolment) -> None:
    if enrolment.school_id != membership.school_id:
        raise ValidationError(_("Parcours inconnu."))
    if not has_perm(membership, Perm.ISSUE_ATTESTATION):
        raise ValidationError(_("Seule la direction de l'école délivre l'attestation."))


# ------------------------------------------------------------------------------ content


def _evidence_summary(history: list[Assessment]) -> str:
    """A short text built from the records' structure: how many assessments, in which
    contexts, and how many proofs of each kind. Trainers' observations are never copied: the
    attestation leaves the school (employers, training bodies) and cannot be changed, while an
    observation may say more about the person than the competency (DESIGN: no free text
    exported)."""
    count = len(history)
    contexts: list[str] = []
    for row in history:
        label = str(row.get_context_display()) if row.context else ""
        if label and label not in contexts:
            contexts.append(label)
    text = ngettext("%(count)d évaluation", "%(count)d évaluations", count) % {"count": count}
    if contexts:
        text += f" ({', '.join(contexts).lower()})"
    kinds = {EvidenceKind.NOTE: 0, EvidenceKind.FILE: 0, EvidenceKind.LINK: 0}
    for row in history:
        for item in row.evidence.all():
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
    proofs = [
        ngettext(singular, plural, kinds[kind]) % {"count": kinds[kind]}
        for kind, singular, plural in (
            (EvidenceKind.NOTE, "%(count)d observation", "%(count)d observations"),
            (EvidenceKind.FILE, "%(count)d document", "%(count)d documents"),
            (EvidenceKind.LINK, "%(count)d lien", "%(count)d liens"),
        )
        if kinds[kind]
    ]
    if proofs:
        text += " ; " + _("preuves : %(proofs)s") % {"proofs": ", ".join(proofs)}
    return Truncator(text).chars(EVIDENCE_SUMMARY_CHARS)


def build_content(
    *,
    membership: Membership,
    enrolment: Enrolment,
    issued_on: datetime.date,
    number: str,
    token: str,
) -> tuple[dict[str, Any], Any]:
    """The frozen content of an attestation and its framework. Raises when nothing was assessed.

    Levels are those of the issue date (rows dated later are ignored).
    """
    framework = selectors.enrolment_framework(enrolment)
    if framework is None:
        raise ValidationError(_("Aucun référentiel de compétences n'est associé à ce parcours."))
    tree = selectors.framework_tree(framework)
    scale = {level.value: level.label for level in tree["scale"]}
    derived = levels.derive_levels(selectors.assessment_rows(enrolment), as_of=issued_on)
    competencies = []
    for area in tree["areas"]:
        for competency in area.competencies.all():
            found = derived.get(competency.pk)
            if found is None or found.current is None:
                continue
            competencies.append(
                {
                    "code": competency.code,
                    "title": competency.title,
                    "area": area.title,
                    "entry_level": found.entry_level,
                    "entry_label": scale.get(found.entry_level, "") if found.entry_level else "",
                    "level": found.current_level,
                    "level_label": scale.get(found.current_level, ""),
                    "evidence": _evidence_summary(found.history),
                }
            )
    if not competencies:
        raise ValidationError(
            _(
                "Aucune compétence n'a été évaluée pour ce parcours à cette date : "
                "l'attestation ne peut pas être délivrée."
            )
        )
    certifications = [
        {
            "title": certification.title,
            "date": certification.on_date.isoformat(),
            "status": str(certification.get_status_display()),
            "result": certification.result,
        }
        for certification in Certification.objects.filter(
            enrolment=enrolment, status__in=ATTESTED_CERTIFICATIONS, on_date__lte=issued_on
        ).order_by("on_date", "id")
    ]
    school = enrolment.school
    person = enrolment.person
    site = enrolment.site
    exited = enrolment.status == "exited"
    content = {
        "format": CONTENT_FORMAT,
        "number": number,
        "issued_on": issued_on.isoformat(),
        "school": {
            "name": school.name,
            "city": site.commune if site else "",
            "legal_carrier": school.legal_carrier,
            "label_valid_from": _iso(school.label_valid_from),
            "label_valid_until": _iso(school.label_valid_until),
        },
        "trainee": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": _iso(person.birth_date),
        },
        "pathway": {
            "entry_date": enrolment.entry_date.isoformat(),
            "exit_date": _iso(enrolment.ended_on) if exited else None,
        },
        "framework": {"name": framework.name, "version": framework.version},
        "scale": [{"value": value, "label": label} for value, label in scale.items()],
        "competencies": competencies,
        "certifications": certifications,
        "issued_by": {
            "name": membership.user.get_full_name(),
            "role": str(membership.get_role_display()),
        },
        "verification_path": reverse("attestation_check:verify", args=[school.slug, token]),
    }
    return content, framework


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


# ------------------------------------------------------------------------------ checks


def _valid_attestation(enrolment: Enrolment) -> Attestation | None:
    return Attestation.objects.filter(enrolment=enrolment, status=AttestationStatus.VALID).first()


def check_issue(
    *,
    membership: Membership,
    enrolment: Enrolment,
    issued_on: datetime.date | None = None,
    replacing: Attestation | None = None,
    label_today: bool = True,
) -> datetime.date:
    """Every rule of an issue, without writing (the confirmation page calls it too).

    The label must be valid on the issue date and, for an attestation issued now
    (``label_today``), today as well: a school whose label has lapsed cannot issue by dating
    the document back. Returns the issue date; raises ``ValidationError`` with the first rule
    that fails.
    """
    _check_membership(membership, enrolment)
    existing = _valid_attestation(enrolment)
    if existing is not None and (replacing is None or existing.pk != replacing.pk):
        raise ValidationError(
            _(
                "Une attestation valide existe déjà pour ce parcours (n° %(number)s) : "
                "rééditez-la pour la remplacer."
            )
            % {"number": existing.number}
        )
    issued_on = issued_on or default_issue_date(enrolment)
    _check_dates(enrolment, issued_on)
    _check_stage(enrolment, issued_on)
    refusal = label_refusal(enrolment.school, issued_on)
    if refusal is None and label_today and issued_on != _today():
        refusal = label_refusal(enrolment.school, _today())
    if refusal:
        raise ValidationError(refusal)
    return issued_on


def preview(
    *, membership: Membership, enrolment: Enrolment, issued_on: datetime.date | None = None
) -> dict[str, Any]:
    """What an issue on ``issued_on`` would attest (number and link left blank)."""
    issued_on = check_issue(membership=membership, enrolment=enrolment, issued_on=issued_on)
    content, __ = build_content(
        membership=membership,
        enrolment=enrolment,
        issued_on=issued_on,
        number="",
        token=PREVIEW_PLACEHOLDER,
    )
    return content


# ------------------------------------------------------------------------------ writes


def _next_number(school: School, year: int) -> str:
    """The next number of ``school`` for ``year``; the counter row is locked until the end of
    the transaction, so two issues at once get consecutive numbers. A number already taken (an
    attestation recorded outside this service, e.g. imported) is skipped."""
    AttestationCounter.objects.get_or_create(school=school, year=year)
    counter = AttestationCounter.objects.select_for_update().get(school=school, year=year)
    while True:
        counter.last += 1
        number = f"ACA-{school.slug.upper()}-{year}-{counter.last:04d}"
        if not Attestation.objects.filter(number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number


def _save(
    *,
    membership: Membership,
    enrolment: Enrolment,
    issued_on: datetime.date,
    prepared: tuple[dict[str, Any], Any, str],
) -> Attestation:
    """Number and save a prepared attestation. Call inside a transaction."""
    content, framework, token = prepared
    number = _next_number(enrolment.school, issued_on.year)
    content["number"] = number
    return Attestation.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        number=number,
        token=token,
        issued_on=issued_on,
        issued_by=membership.user,
        framework=framework,
        content=content,
    )


def _prepare(
    *, membership: Membership, enrolment: Enrolment, issued_on: datetime.date
) -> tuple[dict[str, Any], Any, str]:
    """The content, framework and token of a new attestation (may refuse: nothing assessed)."""
    token = new_verification_token()
    content, framework = build_content(
        membership=membership, enrolment=enrolment, issued_on=issued_on, number="", token=token
    )
    return content, framework, token


@transaction.atomic
def record_past_attestation(
    *,
    membership: Membership,
    enrolment: Enrolment,
    issued_on: datetime.date | None = None,
    label_today: bool = False,
) -> Attestation:
    """Create an attestation under the rules of :func:`issue_attestation` (the label checked on
    the issue date only, unless ``label_today``), without an audit event: for history written
    after the fact (the demo, imports), where an event dated today would be a false trail.
    Anything a user does goes through :func:`issue_attestation`."""
    # One issue at a time per enrolment: the second of two simultaneous issues waits here,
    # then finds the first one's attestation and is refused with a message.
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).exists()
    issued_on = check_issue(
        membership=membership, enrolment=enrolment, issued_on=issued_on, label_today=label_today
    )
    prepared = _prepare(membership=membership, enrolment=enrolment, issued_on=issued_on)
    return _save(membership=membership, enrolment=enrolment, issued_on=issued_on, prepared=prepared)


@transaction.atomic
def issue_attestation(
    *,
    membership: Membership,
    enrolment: Enrolment,
    issued_on: datetime.date | None = None,
    ip_address: str | None = None,
) -> Attestation:
    attestation = record_past_attestation(
        membership=membership, enrolment=enrolment, issued_on=issued_on, label_today=True
    )
    issued_on = attestation.issued_on
    record_event(
        actor=membership.user,
        action="attestation.issue",
        target=attestation,
        school=enrolment.school,
        changes={
            "number": attestation.number,
            "enrolment": enrolment.pk,
            "issued_on": issued_on.isoformat(),
            "competencies": len(attestation.content["competencies"]),
        },
        ip_address=ip_address,
    )
    return attestation


def _check_revocable(membership: Membership, attestation: Attestation, reason: str) -> str:
    if attestation.school_id != membership.school_id:
        raise ValidationError(_("Attestation inconnue."))
    if not has_perm(membership, Perm.ISSUE_ATTESTATION):
        raise ValidationError(_("Seule la direction de l'école révoque une attestation."))
    if not attestation.is_valid:
        raise ValidationError(_("Cette attestation est déjà révoquée."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Indiquez le motif de la révocation."))
    max_length = Attestation._meta.get_field("revocation_reason").max_length
    if len(reason) > max_length:
        raise ValidationError(
            _("Le motif ne peut pas dépasser %(max)d caractères.") % {"max": max_length}
        )
    return reason


def _revoke(attestation: Attestation, membership: Membership, reason: str) -> None:
    attestation.status = AttestationStatus.REVOKED
    attestation.revoked_at = timezone.now()
    attestation.revoked_by = membership.user
    attestation.revocation_reason = reason
    attestation.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])


def _locked(attestation: Attestation) -> Attestation:
    """Re-read the row under a lock (two directors revoking at once: one wins)."""
    locked = Attestation.objects.select_for_update().get(pk=attestation.pk)
    attestation.status = locked.status
    return attestation


@transaction.atomic
def revoke_attestation(
    *,
    membership: Membership,
    attestation: Attestation,
    reason: str,
    ip_address: str | None = None,
) -> Attestation:
    attestation = _locked(attestation)
    reason = _check_revocable(membership, attestation, reason)
    _revoke(attestation, membership, reason)
    record_event(
        actor=membership.user,
        action="attestation.revoke",
        target=attestation,
        school=membership.school,
        changes={"number": attestation.number, "status": ["valid", "revoked"]},
        ip_address=ip_address,
    )
    return attestation


@transaction.atomic
def reissue_attestation(
    *,
    membership: Membership,
    attestation: Attestation,
    reason: str,
    issued_on: datetime.date | None = None,
    ip_address: str | None = None,
) -> Attestation:
    """A new attestation (new number, content of today's records) replacing ``attestation``,
    which is revoked and points to it. Re-issued today unless ``issued_on`` says otherwise."""
    attestation = _locked(attestation)
    reason = _check_revocable(membership, attestation, reason)
    enrolment = attestation.enrolment
    issued_on = issued_on or _today()
    issued_on = check_issue(
        membership=membership, enrolment=enrolment, issued_on=issued_on, replacing=attestation
    )
    # The new content first: a refusal leaves the old attestation untouched.
    prepared = _prepare(membership=membership, enrolment=enrolment, issued_on=issued_on)
    _revoke(attestation, membership, reason)
    new = _save(membership=membership, enrolment=enrolment, issued_on=issued_on, prepared=prepared)
    attestation.replaced_by = new
    attestation.save(update_fields=["replaced_by"])
    record_event(
        actor=membership.user,
        action="attestation.revoke",
        target=attestation,
        school=membership.school,
        changes={
            "number": attestation.number,
            "status": ["valid", "revoked"],
            "replaced_by": new.pk,
        },
        ip_address=ip_address,
    )
    record_event(
        actor=membership.user,
        action="attestation.reissue",
        target=new,
        school=membership.school,
        changes={
            "number": new.number,
            "replaces": attestation.pk,
            "enrolment": enrolment.pk,
            "issued_on": issued_on.isoformat(),
        },
        ip_address=ip_address,
    )
    return new
