"""Phone numbers: validated and stored in E.164 with the maintained ``phonenumbers`` library."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(raw: str, region: str = "FR") -> str:
    """``'06 12 34 56 78'`` → ``'+33612345678'``; raises ValidationError in French."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(_("Ce numéro de téléphone n'est pas valide.")) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Ce numéro de téléphone n'est pas valide."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
