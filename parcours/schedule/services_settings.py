"""Writes of the school's workshop types (French, maths, digital…).

Keyword-only arguments, one transaction and one audit event each, a French ``ValidationError``
when the write is refused (nothing written then). Workshop types are put out of use, never
deleted: past sessions point at them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership

from .models import WorkshopType
from .selectors import ensure_workshop_types

NAME_MAX_LENGTH = WorkshopType._meta.get_field("name").max_length


def _locked_types(membership: Membership) -> list[WorkshopType]:
    ensure_workshop_types(membership.school)
    return list(
        WorkshopType.objects.select_for_update()
        .filter(school=membership.school_id)
        .order_by("position", "name")
    )


def _check_type(membership: Membership, workshop_type: WorkshopType) -> None:
    if workshop_type.school_id != membership.school_id:
        raise ValidationError(_("Atelier inconnu."))


def _clean_name(name: str, types: list[WorkshopType], exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Indiquez le nom de l'atelier."))
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("Le nom est limité à %(max)d caractères.") % {"max": NAME_MAX_LENGTH}
        )
    if any(t.name.casefold() == name.casefold() and t.pk != exclude for t in types):
        raise ValidationError(_("L'école a déjà un atelier « %(name)s ».") % {"name": name})
    return name


@transaction.atomic
def add_workshop_type(
    *,
    membership: Membership,
    name: str,
    needs_computers: bool = False,
    ip_address: str | None = None,
) -> WorkshopType:
    """Add a workshop type at the end of the school's list."""
    types = _locked_types(membership)
    name = _clean_name(name, types)
    last = (
        WorkshopType.objects.filter(school=membership.school_id).aggregate(m=Max("position"))["m"]
        or 0
    )
    workshop_type = WorkshopType.objects.create(
        school_id=membership.school_id,
        name=name,
        needs_computers=bool(needs_computers),
        position=last + 1,
    )
    record_event(
        actor=membership.user,
        action="workshop_type.create",
        target=workshop_type,
        school=membership.school,
        changes={"name": name, "needs_computers": workshop_type.needs_computers},
        ip_address=ip_address,
    )
    return workshop_type


@transaction.atomic
def rename_workshop_type(
    *,
    membership: Membership,
    workshop_type: WorkshopType,
    name: str,
    ip_address: str | None = None,
) -> WorkshopType:
    _check_type(membership, workshop_type)
    types = _locked_types(membership)
    name = _clean_name(name, types, exclude=workshop_type.pk)
    workshop_type = next(t for t in types if t.pk == workshop_type.pk)
    if name == workshop_type.name:
        return workshop_type
    old, workshop_type.name = workshop_type.name, name
    workshop_type.save(update_fields=["name"])
    record_event(
        actor=membership.user,
        action="workshop_type.rename",
        target=workshop_type,
        school=membership.school,
        changes={"name": [old, name]},
        ip_address=ip_address,
    )
    return workshop_type


def _set_flag(
    membership: Membership,
    workshop_type: WorkshopType,
    field: str,
    value: bool,
    ip_address: str | None,
) -> WorkshopType:
    _check_type(membership, workshop_type)
    workshop_type = WorkshopType.objects.select_for_update().get(pk=workshop_type.pk)
    old = getattr(workshop_type, field)
    if old == value:
        return workshop_type
    setattr(workshop_type, field, value)
    workshop_type.save(update_fields=[field])
    record_event(
        actor=membership.user,
        action=f"workshop_type.{field}",
        target=workshop_type,
        school=membership.school,
        changes={field: [old, value]},
        ip_address=ip_address,
    )
    return workshop_type


@transaction.atomic
def set_workshop_type_active(
    *,
    membership: Membership,
    workshop_type: WorkshopType,
    active: bool,
    ip_address: str | None = None,
) -> WorkshopType:
    """Put a workshop type in or out of use (out of use: no longer offered for new sessions;
    its sessions stay)."""
    if not active:
        _check_type(membership, workshop_type)
        others = WorkshopType.objects.filter(school=membership.school_id, active=True).exclude(
            pk=workshop_type.pk
        )
        if not others.exists():
            raise ValidationError(_("L'école doit garder au moins un atelier en usage."))
    return _set_flag(membership, workshop_type, "active", bool(active), ip_address)


@transaction.atomic
def set_workshop_type_computers(
    *,
    membership: Membership,
    workshop_type: WorkshopType,
    needs_computers: bool,
    ip_address: str | None = None,
) -> WorkshopType:
    """Whether new sessions of this workshop need a computer room (existing ones keep theirs)."""
    return _set_flag(
        membership, workshop_type, "needs_computers", bool(needs_computers), ip_address
    )
