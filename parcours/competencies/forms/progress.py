"""Filters of the distribution of levels (a GET form: it never writes).

A refused value (another school's site, an unknown referent) gets a French message next to its
field and is left out; the valid filters still apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership
from parcours.pathways import selectors_lists

#: The referent filter's value for trainees with no referent.
NO_REFERENT = "aucun"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DistributionFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=None,
        required=False,
        empty_label=_("Tous les sites"),
        error_messages={"invalid_choice": _("Ce site n'est pas un site de l'école.")},
    )
    referent = forms.ChoiceField(
        label=_("Référent·e"),
        required=False,
        error_messages={"invalid_choice": _("Ce référent n'est pas un membre de l'école.")},
    )
    phase = forms.ModelChoiceField(
        label=_("Phase en cours"),
        queryset=None,
        required=False,
        empty_label=_("Toutes les phases"),
        error_messages={"invalid_choice": _("Cette phase n'est pas une phase de l'école.")},
    )
    as_of = forms.DateField(
        label=_("Stagiaires présents le"),
        required=False,
        widget=DateInput(),
        help_text=_("Vide : les stagiaires en parcours aujourd'hui."),
        error_messages={"invalid": _("Saisissez une date valide (jj/mm/aaaa).")},
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = selectors_lists.school_sites(membership)
        self.fields["phase"].queryset = selectors_lists.phase_choices(membership)
        self.fields["referent"].choices = [
            ("", _("Tous les référents")),
            (NO_REFERENT, _("Sans référent")),
            *(
                (str(m.pk), m.user.get_full_name() or m.user.email)
                for m in selectors_lists.referents(membership)
            ),
        ]

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments of ``level_distribution``."""
        if not self.is_bound:
            return {}
        self.is_valid()  # builds cleaned_data (only the valid fields)
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        for name in ("site", "phase", "as_of"):
            if data.get(name):
                filters[name] = data[name]
        if referent := data.get("referent"):
            filters["referent"] = referent if referent == NO_REFERENT else int(referent)
        return filters

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
