"""What the staff endpoints share: the web forms' refusals as the API's 422 answers."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def form_refused(form: forms.Form, fields: dict[str, str] | None = None) -> ValidationError:
    """A web form's errors (French) as a ``ValidationError`` by field, which the API answers
    with a 422 listing them; ``fields`` renames the form's fields to the API's names."""
    fields = fields or {}
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = NON_FIELD_ERRORS if name == NON_FIELD_ERRORS else fields.get(name, name)
        errors.setdefault(key, []).extend(str(message) for message in messages)
    return ValidationError(errors)


def form_value(value) -> str:
    """A typed value as a web form receives it (dates in ISO, nothing as empty)."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def form_data(**values) -> dict[str, str]:
    """The values a web form receives, leaving out the empty ones."""
    data = {name: form_value(value) for name, value in values.items()}
    return {name: value for name, value in data.items() if value != ""}
