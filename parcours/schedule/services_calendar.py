"""Calendar feeds: create (a new token, the owner's previous feed revoked) and revoke.

A feed belongs to a staff member (their sessions as a trainer) or to a trainee (the sessions
they attend). A staff member manages their own feed; a trainee's feed, or another staff
member's, needs ``MANAGE_SCHEDULE``. Each write records one audit event (no token, no name).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership
from parcours.pathways.models import Enrolment

from .models import CalendarFeed


def _check_owner(
    membership: Membership, owner_membership: Membership | None, enrolment: Enrolment | None
) -> tuple[Membership | None, Enrolment | None]:
    if owner_membership is not None and enrolment is not None:
        raise ValidationError(_("Un abonnement appartient à une seule personne."))
    if enrolment is None and owner_membership is None:
        owner_membership = membership
    if enrolment is not None and enrolment.school_id != membership.school_id:
        raise ValidationError(_("Ce parcours n'appartient pas à votre école."))
    if owner_membership is not None and owner_membership.school_id != membership.school_id:
        raise ValidationError(_("Ce membre n'appartient pas à votre école."))
    is_self = owner_membership is not None and owner_membership.pk == membership.pk
    if not is_self and not has_perm(membership, Perm.MANAGE_SCHEDULE):
        raise PermissionDenied(_("Votre rôle ne permet pas de gérer cet abonnement."))
    return owner_membership, enrolment


def _owner_filter(owner_membership: Membership | None, enrolment: Enrolment | None) -> dict:
    if enrolment is not None:
        return {"enrolment": enrolment}
    return {"membership": owner_membership}


def _owner_kind(feed: CalendarFeed) -> str:
    return "trainee" if feed.enrolment_id else "staff"


@transaction.atomic
def create_feed(
    *,
    membership: Membership,
    owner_membership: Membership | None = None,
    enrolment: Enrolment | None = None,
    ip_address: str | None = None,
) -> CalendarFeed:
    """A new feed for the owner (``membership`` itself when neither owner is given); the
    owner's active feed, if any, is revoked: its URL stops working."""
    owner_membership, enrolment = _check_owner(membership, owner_membership, enrolment)
    now = timezone.now()
    revoked = CalendarFeed.objects.filter(
        school=membership.school_id,
        revoked_at__isnull=True,
        **_owner_filter(owner_membership, enrolment),
    ).update(revoked_at=now)
    feed = CalendarFeed.objects.create(
        school=membership.school,
        membership=owner_membership if enrolment is None else None,
        enrolment=enrolment,
        created_by=membership.user,
    )
    record_event(
        actor=membership.user,
        action="calendar_feed.create",
        target=feed,
        school=membership.school,
        changes={"owner": _owner_kind(feed), "revoked_previous": revoked},
        ip_address=ip_address,
    )
    return feed


@transaction.atomic
def revoke_feed(
    *, membership: Membership, feed: CalendarFeed, ip_address: str | None = None
) -> CalendarFeed:
    """Revoke ``feed``: its URL answers 404 from now on."""
    if feed.school_id != membership.school_id:
        raise ValidationError(_("Cet abonnement n'appartient pas à votre école."))
    owner = feed.membership if feed.enrolment_id is None else None
    enrolment = feed.enrolment if feed.enrolment_id else None
    _check_owner(membership, owner, enrolment)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is not None:
        raise ValidationError(_("Cet abonnement est déjà révoqué."))
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record_event(
        actor=membership.user,
        action="calendar_feed.revoke",
        target=feed,
        school=membership.school,
        changes={"owner": _owner_kind(feed)},
        ip_address=ip_address,
    )
    return feed
