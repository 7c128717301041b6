"""No NIR (French social security number) is ever stored.

A NIR is 13 characters (sex 1/2 — or 7/8 for a temporary number —, year, month, department
which may be 2A/2B in Corsica, commune, order) and a 2-digit key, often typed with spaces,
dots or dashes. ``find_nir`` looks for one inside any text (with or without its key, checked
with python-stdnum's ``stdnum.fr.nir``); other numbers (SIRET, phone numbers, dates) pass.

One mechanism covers every free-text field of the product: ``attach_validators`` (called when
the ``people`` app is ready) adds ``validate_no_nir`` to every ``TextField`` and every free-text
``CharField`` of the project's models, so ``full_clean`` (ModelForms, services) refuses the
value with a French message; and ``refuse_nir_on_save`` (a ``pre_save`` receiver) checks the
same fields on every save, so a write that skipped ``full_clean`` cannot store one either.
``tests/people/test_nir.py`` fails when a text field escapes.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.fr import nir as stdnum_nir

MESSAGE = _(
    "Ne saisissez pas de numéro de sécurité sociale (NIR) : Parcours ne doit pas le conserver."
)

# The 13 characters of a NIR — 1/2/7/8, year, month, department (2A/2B in Corsica), commune,
# order — with any separators between them (spaces, dots, dashes, slashes: « 1 85 05 971 23
# 084 », « 185.05.78-006.084 »), then maybe the 2-digit key, itself maybe introduced by « clé »
# or put in brackets. Never inside a longer run of digits.
_SEP = r"[\s.\-/]{0,3}"
_CORE = _SEP.join(["[1278]", *[r"\d"] * 5, "[0-9AaBb]", *[r"\d"] * 6])
_CANDIDATE = re.compile(
    rf"(?<!\d)(?P<core>{_CORE})"
    rf"(?:{_SEP}(?:cl[ée]|key|Cl[ée]|CL[ÉE])?{_SEP}[(\[]?(?P<key>\d{_SEP}\d)[)\]]?)?"
    r"(?!\d)"
)


def _plausible_core(core: str) -> bool:
    """Sex 1/2/7/8, a month 01–12 (or 20–42, 50–99 for unknown or special months), a department
    of digits or 2A/2B."""
    month = int(core[3:5])
    department = core[5:7]
    if not (1 <= month <= 12 or 20 <= month <= 42 or month >= 50):
        return False
    return department.isdigit() or department in {"2A", "2B"}


# CharFields that hold no free text (codes, identifiers, references), never checked.
_NOT_FREE_TEXT = re.compile(
    r"(^|_)(token|code|slug|siret|siren|number|phone|email|postcode|ip_address|rome|hash|"
    r"key|password|status|kind|action|object_type|object_id|object_repr)($|_)"
)


def find_nir(value: object) -> str | None:
    """The first NIR found in ``value`` (with its key when one follows), or None.

    With a key, a valid one (python-stdnum) is a NIR for sure; without one, or with a wrong one
    (a typo in the key), a plausible 13-character core is refused too: the number itself must
    not be stored, key or no key."""
    if not isinstance(value, str) or len(value) < 13:
        return None
    for match in _CANDIDATE.finditer(value):
        core = re.sub(r"[\s.\-/]", "", match.group("core")).upper()
        key = re.sub(r"[\s.\-/]", "", match.group("key") or "")
        if key and stdnum_nir.is_valid(core + key):
            return core + key
        if _plausible_core(core):
            return core
    return None


def validate_no_nir(value: object) -> None:
    if find_nir(value):
        raise ValidationError(MESSAGE, code="nir")


def is_free_text(field: models.Field) -> bool:
    """Text a user types: every TextField; a CharField without choices that is not a code."""
    if isinstance(field, models.TextField):
        return True
    if type(field) is not models.CharField or field.choices:
        return False
    return not _NOT_FREE_TEXT.search(field.name)


def project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("parcours.")]


def free_text_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if is_free_text(f)]


def attach_validators() -> None:
    """Add ``validate_no_nir`` to every free-text field of the project's models.

    The validator goes on the field's (cached) ``validators`` list, not in its constructor
    arguments, so migrations do not change.
    """
    for model in project_models():
        for field in free_text_fields(model):
            if validate_no_nir not in field.validators:
                field.validators.append(validate_no_nir)


def refuse_nir_on_save(sender, instance, raw=False, **kwargs) -> None:
    """``pre_save``: refuse to store a NIR even when the write skipped ``full_clean``."""
    if raw or not sender.__module__.startswith("parcours."):
        return
    errors = {
        field.name: [MESSAGE]
        for field in free_text_fields(sender)
        if find_nir(getattr(instance, field.attname, None))
    }
    if errors:
        raise ValidationError(errors)
