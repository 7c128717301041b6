"""A director deactivates a member at once (and reactivates them): one transaction, one audit
event each. Deactivation ends the membership yesterday (``Membership.active_on`` then leaves it
out today), ends every open session of the person (``User.session_token``) and, when they have
no other active membership, deactivates their account."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event

from .models import Membership


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def deactivate_member(
    *, membership: Membership, member: Membership, ip_address: str | None = None
) -> Membership:
    """End ``member`` (a membership of ``membership``'s school) now."""
    if member.user_id == membership.user_id:
        raise ValidationError(_("Vous ne pouvez pas désactiver votre propre compte."), code="self")
    if member.school_id != membership.school_id:  # selectors already scope it: belt and braces
        raise ValidationError(_("Ce membre n'appartient pas à votre école."), code="school")
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    with transaction.atomic():
        member = Membership.objects.select_for_update().select_related("user").get(pk=member.pk)
        before = {"active_from": member.active_from, "active_until": member.active_until}
        if member.active_from > yesterday:  # started today (or later): the period stays ordered
            member.active_from = yesterday
        member.active_until = yesterday
        member.save(update_fields=["active_from", "active_until"])
        user = member.user
        user.rotate_session_token()
        fields = ["session_token"]
        still_active = (
            Membership.objects.active_on(today).filter(user=user).exclude(pk=member.pk).exists()
        )
        # The account closes with its last membership — never an administration account
        # (is_staff/is_superuser: a school's director does not close the technical admin).
        closes = not still_active and user.is_active and not (user.is_staff or user.is_superuser)
        if closes:
            user.is_active = False
            fields.append("is_active")
        user.save(update_fields=fields)
        changes = {
            "active_until": [_iso(before["active_until"]), _iso(member.active_until)],
            "sessions_ended": True,
            "account_active": user.is_active,
            "account_closed": closes,
        }
        if before["active_from"] != member.active_from:
            changes["active_from"] = [_iso(before["active_from"]), _iso(member.active_from)]
        record_event(
            actor=membership.user,
            action="membership.deactivate",
            target=member,
            school=membership.school,
            changes=changes,
            ip_address=ip_address,
        )
    return member


def reactivate_member(
    *, membership: Membership, member: Membership, ip_address: str | None = None
) -> Membership:
    """Open an ended membership again (from today on, with no end) and the account with it."""
    today = timezone.localdate()
    with transaction.atomic():
        member = Membership.objects.select_for_update().select_related("user").get(pk=member.pk)
        if member.active_until is None or member.active_until >= today:
            raise ValidationError(_("Ce membre est déjà actif."), code="active")
        before = member.active_until
        member.active_until = None
        member.save(update_fields=["active_until"])
        user = member.user
        # The account opens again with it — never an administration account (is_staff or
        # is_superuser: its activation is the administration's business, in /admin/).
        if not user.is_active and not (user.is_staff or user.is_superuser):
            user.is_active = True
            user.save(update_fields=["is_active"])
        record_event(
            actor=membership.user,
            action="membership.reactivate",
            target=member,
            school=membership.school,
            changes={"active_until": [_iso(before), None], "account_active": user.is_active},
            ip_address=ip_address,
        )
    return member
