"""Forms of the workshop types settings: add, rename, in or out of use, computers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

from .. import selectors_sessions, services_settings

_TYPE_ERRORS = {
    "required": _("Choisissez un atelier."),
    "invalid_choice": _("Cet atelier n'est pas un atelier de l'école."),
}
_NAME_ERRORS = {
    "required": _("Indiquez le nom de l'atelier."),
    "max_length": _("Le nom est limité à %(limit_value)d caractères."),
}


def _flag(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("1", _("Oui")), ("0", _("Non"))],
        coerce=lambda value: value == "1",
        error_messages={"required": message, "invalid_choice": message},
    )


class _TypeForm(forms.Form):
    workshop_type = forms.ModelChoiceField(
        queryset=None, widget=forms.HiddenInput, error_messages=_TYPE_ERRORS
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop_type"].queryset = selectors_sessions.workshop_types(membership)


class WorkshopTypeAddForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du nouvel atelier"),
        max_length=services_settings.NAME_MAX_LENGTH,
        error_messages=_NAME_ERRORS,
    )
    needs_computers = forms.BooleanField(
        label=_("Nécessite une salle informatique"), required=False
    )


class WorkshopTypeRenameForm(_TypeForm):
    name = forms.CharField(
        label=_("Nom"), max_length=services_settings.NAME_MAX_LENGTH, error_messages=_NAME_ERRORS
    )


class WorkshopTypeActiveForm(_TypeForm):
    active = _flag(_("En usage"), _("Indiquez si l'atelier est en usage."))


class WorkshopTypeComputersForm(_TypeForm):
    needs_computers = _flag(
        _("Nécessite des ordinateurs"), _("Indiquez si l'atelier nécessite des ordinateurs.")
    )
