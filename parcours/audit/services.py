"""The one way to write an audit event. Call it inside the transaction of the write."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import get_client_address
from .models import AuditEvent


def client_ip(request: Any) -> str | None:
    """The client address as seen by Django (REMOTE_ADDR; the proxy sets it in production)."""
    if request is None:
        return None
    from .middleware import request_address

    return request_address(request)


def record_event(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    school: Any = None,
    changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Write one audit event. ``changes`` must hold no free text about a person, and the
    record is named by kind and id only (see :func:`describe`).

    Without ``ip_address``, the address of the web request being served is used
    (``ClientAddressMiddleware``); outside a request (CLI, ``parcours daily``) there is none.
    """
    if not ip_address:
        ip_address = get_client_address()
    if school is None and target is not None:
        school = getattr(target, "school", None)
    return AuditEvent.objects.create(
        school=school,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=describe(target) if target is not None else "",
        changes=changes or {},
        ip_address=ip_address,
    )


def describe(target: models.Model) -> str:
    """How an audit event names its record: kind and id, never a person's name.

    Audit events outlive anonymisation, so they must not carry identities.
    """
    return f"{target._meta.verbose_name} n° {target.pk}"[:200]


def diff_fields(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict:
    """``{field: [old, new]}`` for the fields whose value changed (JSON-ready values).

    ``before`` comes from :func:`snapshot`; foreign keys are compared by id.
    """
    after = snapshot(instance, fields)
    return {
        name: [_json_value(before.get(name)), _json_value(after[name])]
        for name in fields
        if before.get(name) != after[name]
    }


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The current values of ``fields`` (a foreign key by its id, so unsaved rows work)."""
    return {name: getattr(instance, instance._meta.get_field(name).attname) for name in fields}


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)
