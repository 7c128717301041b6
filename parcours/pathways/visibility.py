"""Who may read an enrolment's restricted sections (health, confidential meeting notes).

Only the enrolment's referent and the school's direction, plus colleagues they explicitly
share with (``RestrictedShare``). Never company-relations staff by role, never prescribers,
funders or the network. Every read of restricted content is audited by the caller
(``services.record_restricted_read``).
"""

from __future__ import annotations

from parcours.organisations.models import Membership, Role

from .models import Enrolment, RestrictedShare


def can_read_restricted(
    membership: Membership | None, enrolment: Enrolment, shared_ids: set[int] | None = None
) -> bool:
    """``shared_ids``: the membership ids the enrolment is shared with, when already loaded."""
    if membership is None or membership.school_id != enrolment.school_id:
        return False
    if membership.role == Role.DIRECTOR:
        return True
    if membership.role == Role.REFERENT and enrolment.referent_id == membership.pk:
        return True
    if membership.role not in (Role.REFERENT, Role.INTAKE):
        return False  # company relations, partners and the network: never, even if shared
    if shared_ids is not None:
        return membership.pk in shared_ids
    return RestrictedShare.objects.filter(enrolment=enrolment, membership=membership).exists()


def can_share_restricted(membership: Membership | None, enrolment: Enrolment) -> bool:
    if membership is None or membership.school_id != enrolment.school_id:
        return False
    return membership.role == Role.DIRECTOR or (
        membership.role == Role.REFERENT and enrolment.referent_id == membership.pk
    )
