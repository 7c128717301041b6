"""Forms of the trainee page: moving an enrolment to another phase."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import PhaseDefinition


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO (``DATE_INPUT_FORMATS`` accepts it)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PhaseMoveForm(forms.Form):
    """The business rules (date, direction, reason) are the service's: see ``move_phase``."""

    phase = forms.ModelChoiceField(
        label=_("Nouvelle phase"),
        queryset=PhaseDefinition.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une phase de la liste.")},
    )
    on = forms.DateField(
        label=_("Date du changement"),
        widget=DateInput(),
        help_text=_("Ni dans le futur, ni avant le début de la phase en cours."),
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    backwards_reason = forms.CharField(
        label=_("Motif du retour à une phase précédente"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire seulement pour revenir à une phase précédente."),
    )

    def __init__(self, *args: Any, phases: Sequence[PhaseDefinition], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["phase"]
        field.queryset = PhaseDefinition.objects.filter(pk__in=[p.pk for p in phases]).order_by(
            "position"
        )
        # The choices come from the list already loaded: no second query to render them.
        field.choices = [(p.pk, f"{p.position}. {p.name}") for p in phases]
