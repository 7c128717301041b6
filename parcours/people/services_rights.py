"""Writes of the person's rights: their requests about their data and the information notices
given to them or to their legal guardian. One transaction and one audit event each; the audit
names records by kind and id and holds no free text (the request's details and answer stay
out of it).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership

from .models import (
    LegalGuardian,
    NoticeMedium,
    NoticeRecipient,
    Person,
    PrivacyNotice,
    RequestChannel,
    RequestKind,
    RequestOutcome,
    SubjectRequest,
    one_month_after,
)


def _check_school(membership: Membership, person: Person) -> None:
    if person.school_id != membership.school_id:
        raise ValidationError(_("Personne inconnue."))


def _not_future(day: datetime.date, what: str) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("%(what)s ne peut pas être dans le futur.") % {"what": what})


def _full_clean(instance, exclude: list[str]) -> None:
    """The model's own checks (lengths, the NIR validator), as a flat list of messages."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ValidationError(
            [message for messages in error.message_dict.values() for message in messages]
        ) from error


@transaction.atomic
def record_request(
    *,
    membership: Membership,
    person: Person,
    kind: str,
    received_on: datetime.date,
    channel: str,
    details: str = "",
    ip_address: str | None = None,
) -> SubjectRequest:
    _check_school(membership, person)
    if kind not in RequestKind.values:
        raise ValidationError(_("Choisissez le type de demande."))
    if channel not in RequestChannel.values:
        raise ValidationError(_("Choisissez comment la demande a été reçue."))
    _not_future(received_on, _("La date de réception"))
    request = SubjectRequest(
        school=person.school,
        person=person,
        kind=kind,
        received_on=received_on,
        channel=channel,
        details=(details or "").strip(),
        due_on=one_month_after(received_on),
        recorded_by=membership.user,
    )
    _full_clean(request, exclude=["school", "person", "recorded_by"])
    request.save()
    record_event(
        actor=membership.user,
        action="subject_request.create",
        target=request,
        school=person.school,
        changes={"person": person.pk, "kind": kind, "received_on": received_on.isoformat()},
        ip_address=ip_address,
    )
    return request


@transaction.atomic
def answer_request(
    *,
    membership: Membership,
    request: SubjectRequest,
    answered_on: datetime.date,
    outcome: str,
    answer: str,
    ip_address: str | None = None,
) -> SubjectRequest:
    """Record the answer given to a request (once; a request already answered is refused)."""
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    _check_school(membership, request.person)
    if request.answered_on is not None:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."))
    if outcome not in RequestOutcome.values:
        raise ValidationError(_("Choisissez la suite donnée à la demande."))
    if answered_on < request.received_on:
        raise ValidationError(_("La réponse ne peut pas précéder la réception de la demande."))
    _not_future(answered_on, _("La date de réponse"))
    answer = (answer or "").strip()
    if outcome in (RequestOutcome.REFUSED, RequestOutcome.PARTIAL) and not answer:
        raise ValidationError(
            _("Indiquez le motif du refus (il doit être communiqué à la personne).")
        )
    request.answered_on = answered_on
    request.outcome = outcome
    request.answer = answer
    _full_clean(request, exclude=["school", "person", "recorded_by"])
    request.save(update_fields=["answered_on", "outcome", "answer"])
    record_event(
        actor=membership.user,
        action="subject_request.answer",
        target=request,
        school=request.school,
        changes={
            "person": request.person_id,
            "outcome": outcome,
            "answered_on": answered_on.isoformat(),
            "late": answered_on > request.due_on,
        },
        ip_address=ip_address,
    )
    return request


@transaction.atomic
def record_notice(
    *,
    membership: Membership,
    person: Person,
    given_to: str,
    given_on: datetime.date,
    medium: str,
    version: str,
    guardian: LegalGuardian | None = None,
    ip_address: str | None = None,
) -> PrivacyNotice:
    _check_school(membership, person)
    if given_to not in NoticeRecipient.values:
        raise ValidationError(_("Indiquez à qui la notice a été remise."))
    if medium not in NoticeMedium.values:
        raise ValidationError(_("Indiquez comment la notice a été remise."))
    _not_future(given_on, _("La date de remise"))
    if given_to == NoticeRecipient.GUARDIAN:
        if guardian is None or guardian.person_id != person.pk:
            raise ValidationError(_("Choisissez le ou la représentant·e légal·e."))
        if person.age_on(given_on) >= 18:
            raise ValidationError(
                _("La personne était majeure à cette date : la notice lui est remise directement.")
            )
    else:
        guardian = None
    version = " ".join((version or "").split())
    if not version:
        raise ValidationError(_("Indiquez la version de la notice remise."))
    notice = PrivacyNotice(
        school=person.school,
        person=person,
        given_to=given_to,
        guardian=guardian,
        given_on=given_on,
        medium=medium,
        version=version,
        recorded_by=membership.user,
    )
    _full_clean(notice, exclude=["school", "person", "recorded_by", "guardian"])
    notice.save()
    record_event(
        actor=membership.user,
        action="privacy_notice.create",
        target=notice,
        school=person.school,
        changes={
            "person": person.pk,
            "given_to": given_to,
            "guardian": guardian.pk if guardian else None,
            "given_on": given_on.isoformat(),
            "medium": medium,
        },
        ip_address=ip_address,
    )
    return notice


def record_export(
    *, membership: Membership, person: Person, fmt: str, ip_address: str | None = None
) -> None:
    """Audit a subject access export (format only: nothing of its content)."""
    record_event(
        actor=membership.user,
        action="subject_access.export",
        target=person,
        school=person.school,
        changes={"format": fmt},
        ip_address=ip_address,
    )
