from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RetentionForm(forms.Form):
    retention_years = forms.IntegerField(
        label=_("Durée de conservation après le dernier contact (années)"),
        min_value=1,
        max_value=10,
        error_messages={
            "required": _("Indiquez une durée de conservation."),
            "invalid": _("Indiquez un nombre entier d'années."),
            "min_value": _("La durée de conservation est d'au moins 1 an."),
            "max_value": _("La durée de conservation est de 10 ans au plus."),
        },
        help_text=_(
            "Passé ce délai après le dernier contact (sortie, dernier suivi, dernier entretien), "
            "les données de la personne sont anonymisées par la tâche quotidienne."
        ),
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la conservation"),
        max_length=300,
        error_messages={
            "required": _("Indiquez le motif de la conservation."),
            "max_length": _("Le motif tient en 300 caractères au plus."),
        },
        help_text=_(
            "Par exemple : contentieux en cours, réquisition judiciaire. Tant que la "
            "conservation n'est pas levée, les données ne sont pas anonymisées."
        ),
    )
