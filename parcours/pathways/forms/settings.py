"""Forms of the pathway settings page: the phase list (add, rename, reorder, use) and lengths."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

from .. import selectors_lists, services_settings

_PHASE_ERRORS = {
    "required": _("Choisissez une phase."),
    "invalid_choice": _("Cette phase n'est pas une phase de l'école."),
}
_NAME_ERRORS = {
    "required": _("Indiquez l'intitulé de la phase."),
    "max_length": _("L'intitulé est limité à %(limit_value)d caractères."),
}


def _months(label: str, bounds: tuple[int, int], help_text: str) -> forms.IntegerField:
    low, high = bounds
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": _("Indiquez une durée en mois."),
            "invalid": _("Indiquez un nombre entier de mois."),
            "min_value": _("Indiquez au moins %(limit_value)s mois."),
            "max_value": _("Indiquez au plus %(limit_value)s mois."),
        },
    )


class _PhaseForm(forms.Form):
    phase = forms.ModelChoiceField(
        queryset=None, widget=forms.HiddenInput, error_messages=_PHASE_ERRORS
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = selectors_lists.phase_definitions(membership)


class PhaseAddForm(forms.Form):
    name = forms.CharField(
        label=_("Intitulé de la nouvelle phase"),
        max_length=services_settings.NAME_MAX_LENGTH,
        error_messages=_NAME_ERRORS,
        help_text=_("Elle est ajoutée à la fin de la liste ; déplacez-la ensuite si besoin."),
    )


class PhaseRenameForm(_PhaseForm):
    name = forms.CharField(
        label=_("Intitulé"),
        max_length=services_settings.NAME_MAX_LENGTH,
        error_messages=_NAME_ERRORS,
    )


class PhaseMoveForm(_PhaseForm):
    direction = forms.ChoiceField(
        choices=[(services_settings.UP, _("Monter")), (services_settings.DOWN, _("Descendre"))],
        error_messages={
            "required": _("Déplacement inconnu."),
            "invalid_choice": _("Déplacement inconnu."),
        },
    )


class PhaseActiveForm(_PhaseForm):
    active = forms.TypedChoiceField(
        choices=[("1", _("En usage")), ("0", _("Hors d'usage"))],
        coerce=lambda value: value == "1",
        error_messages={
            "required": _("Indiquez si la phase est en usage."),
            "invalid_choice": _("Indiquez si la phase est en usage."),
        },
    )


class PathwayLengthsForm(forms.Form):
    pathway_months = _months(
        _("Durée prévue d'un parcours (mois)"),
        services_settings.PLANNED_RANGE,
        _("Sert à calculer la fin prévue à l'entrée (entre 1 et 36 mois)."),
    )
    max_pathway_months = _months(
        _("Durée maximale d'un parcours (mois)"),
        services_settings.MAX_RANGE,
        _("Au moins la durée prévue (entre 1 et 48 mois)."),
    )

    def clean(self):
        cleaned = super().clean()
        planned, maximum = cleaned.get("pathway_months"), cleaned.get("max_pathway_months")
        if planned and maximum and maximum < planned:
            self.add_error(
                "max_pathway_months",
                _("La durée maximale ne peut pas être inférieure à la durée prévue (%(n)d mois).")
                % {"n": planned},
            )
        return cleaned
