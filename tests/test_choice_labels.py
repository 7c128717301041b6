"""The fast ``get_FOO_display`` (parcours/choice_labels.py) answers what Django's does."""

from __future__ import annotations

from functools import partialmethod

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Model
from django.utils import translation

from parcours import choice_labels
from parcours.pathways.models import Enrolment


def _choice_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("parcours."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                yield model, field


def test_every_choice_field_of_the_project_is_bound():
    fields = list(_choice_fields())
    assert len(fields) > 40  # the project's models have many
    for model, field in fields:
        method = next(
            klass.__dict__[f"get_{field.name}_display"]
            for klass in model.__mro__
            if f"get_{field.name}_display" in klass.__dict__
        )
        assert isinstance(method, partialmethod)
        assert method.func is choice_labels.display, f"{model.__name__}.{field.name}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_labels_equal_djangos_for_every_value_and_an_unknown_one(language):
    with translation.override(language):
        for model, field in _choice_fields():
            instance = model()
            values = [value for value, _label in field.flatchoices] + ["valeur-inconnue", None]
            for value in values:
                setattr(instance, field.attname, value)
                expected = Model._get_FIELD_display(instance, field)
                got = getattr(instance, f"get_{field.name}_display")()
                assert got == expected, f"{model.__name__}.{field.name}={value!r}"
                assert type(got) is type(expected)


def test_labels_are_kept_per_language():
    field = Enrolment._meta.get_field("status")
    value = field.flatchoices[0][0]
    with translation.override("fr"):
        french = Enrolment(status=value).get_status_display()
    with translation.override("en"):
        english = Enrolment(status=value).get_status_display()
    cached = field.__dict__[choice_labels._ATTRIBUTE]
    assert cached["fr"][value] == french
    assert cached["en"][value] == english
    assert isinstance(french, str) and french


def test_an_explicit_method_of_a_model_is_kept():
    class Status(models.TextChoices):
        OPEN = "open", "Ouvert"

    class Explicit(models.Model):
        status = models.CharField(max_length=10, choices=Status.choices)

        class Meta:
            app_label = "ops"
            managed = False

        def __str__(self) -> str:
            return self.status

        def get_status_display(self):
            return "mine"

    Explicit.__module__ = "parcours.ops.tests_only"
    try:
        choice_labels.install()
        assert Explicit(status="open").get_status_display() == "mine"
    finally:
        apps.all_models["ops"].pop("explicit", None)
        apps.clear_cache()
