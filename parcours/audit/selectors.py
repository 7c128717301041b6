"""Reads of the audit trail, always scoped to the director's school."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from parcours.organisations.models import Membership

from .labels import FAMILIES, family_prefixes
from .models import AuditEvent


@dataclass(frozen=True)
class TrailFilters:
    start: datetime.date | None = None
    end: datetime.date | None = None
    actor_id: int | None = None
    system_only: bool = False
    family: str = ""
    object_type: str = ""
    object_id: str = ""
    ip_address: str = ""


def school_events(membership: Membership) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(school_id=membership.school_id)


def family_query(key: str) -> Q:
    """Events whose action belongs to the family ``key`` (not to a more precise one)."""
    prefixes = family_prefixes(key)
    if not prefixes:
        return Q(pk__in=[])
    query = Q()
    for prefix in prefixes:
        query |= Q(action__startswith=prefix)
    # A longer prefix owned by another family wins (``restricted.read`` over ``restricted.``).
    for family in FAMILIES:
        if family.key == key:
            continue
        for other in family.prefixes:
            if any(other != p and other.startswith(p) for p in prefixes):
                query &= ~Q(action__startswith=other)
    return query


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def trail(membership: Membership, filters: TrailFilters) -> QuerySet[AuditEvent]:
    """The school's events matching ``filters``, newest first, with their author."""
    events = school_events(membership).select_related("actor")
    if filters.start:
        events = events.filter(created_at__gte=_day_start(filters.start))
    if filters.end:
        events = events.filter(created_at__lt=_day_start(filters.end + datetime.timedelta(1)))
    if filters.system_only:
        events = events.filter(actor__isnull=True)
    elif filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.family:
        events = events.filter(family_query(filters.family))
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.ip_address:
        events = events.filter(ip_address=filters.ip_address)
    return events.order_by("-created_at", "-id")


def school_authors(membership: Membership) -> list[tuple[int, str]]:
    """The school's members (any period), as ``(user id, name)``, sorted by name."""
    rows = (
        Membership.objects.filter(school_id=membership.school_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    seen: dict[int, str] = {}
    for row in rows:
        if row.user_id not in seen:
            seen[row.user_id] = row.user.get_full_name() or row.user.email
    return list(seen.items())


def object_type_label(object_type: str) -> str:
    """The model's French name for ``app_label.model`` (the code when unknown)."""
    try:
        app_label, model_name = object_type.split(".", 1)
        return str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def school_object_types(membership: Membership) -> list[tuple[str, str]]:
    """The object types found in the school's events, with their French names."""
    types = (
        school_events(membership)
        .exclude(object_type="")
        .order_by()
        .values_list("object_type", flat=True)
        .distinct()
    )
    return sorted(((t, object_type_label(t)) for t in types), key=lambda item: item[1].lower())


def changes_items(changes: Any) -> list[tuple[str, str]]:
    """The ``changes`` JSON as ``(key, value)`` lines to show (values as short text)."""
    if not isinstance(changes, dict):
        return [("", str(changes))] if changes else []
    items = []
    for key, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict | list):
            text = f"{_text(value[0])} → {_text(value[1])}"
        else:
            text = _text(value)
        items.append((str(key), text))
    return items


def _text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        return ", ".join(f"{k} : {_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "—"
    return str(value)
