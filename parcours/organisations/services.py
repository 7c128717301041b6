"""Every write to organisation data: one transaction, one audit event each."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from parcours.audit.services import diff_fields, record_event, snapshot

from .models import FundingAgreement, Membership, Partner, Room, Site

M = TypeVar("M", bound=models.Model)


def _save_audited(
    *,
    membership: Membership,
    instance: M,
    fields: dict[str, Any],
    action_prefix: str,
    ip_address: str | None,
) -> M:
    """Apply ``fields`` to ``instance`` (new or existing), validate, save and audit it."""
    names = list(fields)
    creating = instance.pk is None
    before = snapshot(instance, names)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.school = membership.school  # the tenant key is never taken from input
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        record_event(
            actor=membership.user,
            school=membership.school,
            action=f"{action_prefix}.{'create' if creating else 'update'}",
            target=instance,
            changes=diff_fields(instance, {} if creating else before, names),
            ip_address=ip_address,
        )
    return instance


def save_site(
    *, membership: Membership, site: Site | None = None, ip_address: str | None = None, **fields
) -> Site:
    return _save_audited(
        membership=membership,
        instance=site or Site(),
        fields=fields,
        action_prefix="site",
        ip_address=ip_address,
    )


def save_room(
    *, membership: Membership, room: Room | None = None, ip_address: str | None = None, **fields
) -> Room:
    site = fields.get("site")
    if site is not None and site.school_id != membership.school_id:
        raise ValueError("A room belongs to a site of the same school")
    return _save_audited(
        membership=membership,
        instance=room or Room(),
        fields=fields,
        action_prefix="room",
        ip_address=ip_address,
    )


def save_partner(
    *,
    membership: Membership,
    partner: Partner | None = None,
    ip_address: str | None = None,
    **fields,
) -> Partner:
    return _save_audited(
        membership=membership,
        instance=partner or Partner(),
        fields=fields,
        action_prefix="partner",
        ip_address=ip_address,
    )


def save_funding_agreement(
    *,
    membership: Membership,
    agreement: FundingAgreement | None = None,
    ip_address: str | None = None,
    **fields,
) -> FundingAgreement:
    funder = fields.get("funder")
    if funder is not None and (funder.school_id != membership.school_id or not funder.is_funder):
        raise ValueError("The funder must be a funding partner of the same school")
    return _save_audited(
        membership=membership,
        instance=agreement or FundingAgreement(),
        fields=fields,
        action_prefix="funding_agreement",
        ip_address=ip_address,
    )
