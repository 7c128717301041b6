"""Writes of the internship agreement (convention de stage): its signatures and its signed
scan. One transaction and one audit event each; a refused write raises ``ValidationError`` with
a French message and writes nothing.

Signature rules:

- one signature per role (``SignatoryRole``); a second one for the same role is refused;
- the legal guardian signs only for a trainee who is a minor on the internship's start date;
- the second company signatory signs only when the internship names one;
- the signing date is neither in the future nor after the internship's end;
- the signer's name defaults to the company contact's (company roles), the trainee's, or the
  first legal guardian's; the school's signer must be named.

After each change of signatures the trainee's "in company" days are brought in line with the
agreement (``services_internships.sync_company_days``: the internship cannot start without
every signature).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership
from parcours.pathways import services as pathway_services
from parcours.pathways.models import Document, DocumentKind
from parcours.people.models import LegalGuardian

from .models import AgreementSignature, Internship, SignatoryRole
from .selectors_agreements import is_minor_at_start

MAX_SIGNER_NAME = 200


def _check_school(membership: Membership, internship: Internship) -> None:
    if internship.school_id != membership.school_id:
        raise ValidationError(_("Stage inconnu."))


def _check_not_cancelled(internship: Internship) -> None:
    if internship.is_cancelled:
        raise ValidationError(_("Ce stage est annulé : sa convention ne peut plus changer."))


def _default_signer(internship: Internship, role: str) -> str:
    if role == SignatoryRole.COMPANY:
        return internship.signatory.full_name
    if role == SignatoryRole.COMPANY_SECOND and internship.second_signatory is not None:
        return internship.second_signatory.full_name
    if role == SignatoryRole.TRAINEE:
        return internship.enrolment.person.full_name
    if role == SignatoryRole.GUARDIAN:
        guardian = (
            LegalGuardian.objects.filter(
                school=internship.school_id, person=internship.enrolment.person_id
            )
            .order_by("pk")
            .first()
        )
        return guardian.full_name if guardian else ""
    return ""


def sync_days(internship: Internship, user) -> None:
    """Bring the trainee's "in company" days in line with the agreement's signatures."""
    from .services_internships import sync_company_days  # (it imports this module's rules)

    sync_company_days(internship=internship, recorded_by=user)


@transaction.atomic
def record_signature(
    *,
    membership: Membership,
    internship: Internship,
    role: str,
    signer_name: str = "",
    signed_on: datetime.date,
    ip_address: str | None = None,
) -> AgreementSignature:
    """Record that ``role`` signed the agreement on ``signed_on``."""
    _check_school(membership, internship)
    _check_not_cancelled(internship)
    if role not in SignatoryRole.values:
        raise ValidationError(_("Choisissez en quelle qualité la convention a été signée."))
    label = SignatoryRole(role).label
    if role == SignatoryRole.GUARDIAN and not is_minor_at_start(internship):
        raise ValidationError(
            _(
                "Le ou la stagiaire est majeur·e au début du stage : la convention n'est pas "
                "signée par un·e représentant·e légal·e."
            )
        )
    if role == SignatoryRole.COMPANY_SECOND and internship.second_signatory_id is None:
        raise ValidationError(
            _(
                "Ce stage ne nomme pas de second·e signataire de l'entreprise : "
                "indiquez-le ou la d'abord sur le stage."
            )
        )
    if signed_on > timezone.localdate():
        raise ValidationError(_("La date de signature ne peut pas être dans le futur."))
    if signed_on > internship.end_date:
        raise ValidationError(
            _("La date de signature ne peut pas être postérieure à la fin du stage (%(day)s).")
            % {"day": internship.end_date.strftime("%d/%m/%Y")}
        )
    signer_name = " ".join(signer_name.split()) or _default_signer(internship, role)
    if not signer_name:
        if role == SignatoryRole.GUARDIAN:
            raise ValidationError(
                _(
                    "Aucun·e représentant·e légal·e n'est enregistré·e pour ce ou cette "
                    "stagiaire : ajoutez-le ou la, ou indiquez le nom du ou de la signataire."
                )
            )
        raise ValidationError(_("Indiquez le nom du ou de la signataire."))
    if len(signer_name) > MAX_SIGNER_NAME:
        raise ValidationError(
            _("Le nom du ou de la signataire est trop long (%(max)d caractères au plus).")
            % {"max": MAX_SIGNER_NAME}
        )
    existing = AgreementSignature.objects.filter(internship=internship, role=role).first()
    if existing is not None:
        raise ValidationError(
            _("La signature « %(role)s » est déjà enregistrée (le %(day)s).")
            % {"role": label, "day": existing.signed_on.strftime("%d/%m/%Y")}
        )
    try:
        with transaction.atomic():
            signature = AgreementSignature.objects.create(
                school=internship.school,
                internship=internship,
                role=role,
                signer_name=signer_name,
                signed_on=signed_on,
                recorded_by=membership.user,
            )
    except IntegrityError as clash:  # the same role recorded at the same moment elsewhere
        raise ValidationError(
            _("La signature « %(role)s » est déjà enregistrée.") % {"role": label}
        ) from clash
    record_event(
        actor=membership.user,
        action="agreement.signature_create",
        target=signature,
        school=internship.school,
        changes={"internship": internship.pk, "role": role, "signed_on": signed_on.isoformat()},
        ip_address=ip_address,
    )
    sync_days(internship, membership.user)
    return signature


@transaction.atomic
def remove_signature(
    *,
    membership: Membership,
    signature: AgreementSignature,
    ip_address: str | None = None,
) -> None:
    """Remove a signature recorded by mistake (the view asks for confirmation first)."""
    internship = signature.internship
    _check_school(membership, internship)
    _check_not_cancelled(internship)
    record_event(
        actor=membership.user,
        action="agreement.signature_delete",
        target=signature,
        school=internship.school,
        changes={
            "internship": internship.pk,
            "role": signature.role,
            "signed_on": signature.signed_on.isoformat(),
        },
        ip_address=ip_address,
    )
    signature.delete()
    sync_days(internship, membership.user)


@transaction.atomic
def upload_signed_scan(
    *,
    membership: Membership,
    internship: Internship,
    uploaded_file,
    ip_address: str | None = None,
) -> Document:
    """Store the signed agreement as a document of the enrolment (kind "agreement", checked
    like every document: size, type, content) and link it to the internship. A new scan
    replaces the link to the previous one, which stays among the trainee's documents."""
    _check_school(membership, internship)
    title = _("Convention de stage signée — %(company)s, du %(start)s au %(end)s") % {
        "company": internship.company.name,
        "start": internship.start_date.strftime("%d/%m/%Y"),
        "end": internship.end_date.strftime("%d/%m/%Y"),
    }
    previous = internship.agreement_scan_id
    document = pathway_services.upload_document(
        membership=membership,
        enrolment=internship.enrolment,
        uploaded=uploaded_file,
        kind=DocumentKind.AGREEMENT,
        title=title[:200],
        ip_address=ip_address,
    )
    internship.agreement_scan = document
    internship.save(update_fields=["agreement_scan"])
    record_event(
        actor=membership.user,
        action="agreement.scan_upload",
        target=internship,
        school=internship.school,
        changes={"document": document.pk, "replaced": previous},
        ip_address=ip_address,
    )
    return document


def record_download(
    *, membership: Membership, internship: Internship, ip_address: str | None = None
) -> None:
    """The agreement PDF names the trainee (and a minor's guardian): an export of personal
    data, audited."""
    _check_school(membership, internship)
    record_event(
        actor=membership.user,
        action="agreement.download",
        target=internship,
        school=internship.school,
        changes={"enrolment": internship.enrolment_id},
        ip_address=ip_address,
    )
