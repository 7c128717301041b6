"""Form fields shared by the apps."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing ids beyond the database's integers as unknown choices.

    Django checks each posted id with an ``exact`` lookup (which knows the integer range) but
    then fetches them with ``pk__in``, which does not: an id of 40 digits reached the database
    driver and failed (``OverflowError`` on SQLite, a 500)."""

    def _check_values(self, value):
        low, high = connection.ops.integer_field_range("BigIntegerField")
        for pk in value:
            try:
                number = int(str(pk).strip())
            except (TypeError, ValueError):
                continue  # not a number: Django's own check refuses it
            if not low <= number <= high:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
