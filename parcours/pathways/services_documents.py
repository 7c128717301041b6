"""Audit of document downloads (uploading is ``services.upload_document``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership

from . import services
from .models import Document, Enrolment


def record_download(
    *,
    membership: Membership,
    enrolment: Enrolment,
    document: Document,
    ip_address: str | None = None,
) -> None:
    """Write the audit event of a download: a restricted read for a health document."""
    if document.enrolment_id != enrolment.pk or enrolment.school_id != membership.school_id:
        raise ValidationError(_("Document inconnu."))
    if document.is_restricted:
        services.record_restricted_read(
            membership=membership,
            enrolment=enrolment,
            section="document",
            target=document,
            ip_address=ip_address,
        )
        return
    record_event(
        actor=membership.user,
        action="document.download",
        target=document,
        school=enrolment.school,
        changes={"enrolment": enrolment.pk},
        ip_address=ip_address,
    )
