"""Assertions shared by the staff endpoints' tests."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.audit.models import AuditEvent


def messages(response) -> list[str]:
    """Every French message of an error answer: its ``detail`` and each of its ``errors``."""
    body = response.json()
    return [body.get("detail", "")] + [error["message"] for error in body.get("errors", [])]


def has_message(response, text: str) -> bool:
    return any(text in message for message in messages(response))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def queries_of(send: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)
