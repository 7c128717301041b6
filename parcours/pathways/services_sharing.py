"""Withdrawing access to an enrolment's restricted sections (granting is ``services``).

Keyword-only arguments, one transaction, one audit event; a refused write raises
``ValidationError`` with a French message and writes nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership

from . import visibility
from .models import RestrictedShare


@transaction.atomic
def revoke_share(
    *, membership: Membership, share: RestrictedShare, ip_address: str | None = None
) -> None:
    """Remove ``share``: its holder no longer reads the enrolment's restricted sections."""
    enrolment = share.enrolment
    if share.school_id != membership.school_id or enrolment.school_id != membership.school_id:
        raise ValidationError(_("Partage inconnu."))
    if not visibility.can_share_restricted(membership, enrolment):
        raise ValidationError(
            _("Seuls le référent et la direction peuvent retirer l'accès à ces informations.")
        )
    deleted, _rows = RestrictedShare.objects.filter(pk=share.pk).delete()
    if not deleted:
        raise ValidationError(_("Ce partage a déjà été retiré."))
    record_event(
        actor=membership.user,
        action="restricted.unshare",
        target=enrolment,
        school=enrolment.school,
        changes={"with": share.membership_id},
        ip_address=ip_address,
    )
