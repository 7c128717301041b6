"""Forms of the exit screens: the exit (record and correct), its undo, and the list's filters.

The forms check types and choices; every rule is checked again by ``services_exits``, whose
French refusal comes back on the form.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

from .. import selectors_exits as selectors
from ..destinations import DestinationGroup, DropoutReason, grouped_choices
from ..services_exits import CORRECTION_REASONS, MAX_COMMENT, MAX_MONTHS, UNDO_REASONS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExitForm(forms.Form):
    exit_date = forms.DateField(
        label=_("Date de sortie"),
        widget=DATE_WIDGET,
        help_text=_("Le dernier jour du parcours (aujourd'hui ou avant)."),
        error_messages={
            "required": _("Indiquez la date de sortie."),
            "invalid": _("Date de sortie invalide (jj/mm/aaaa)."),
        },
    )
    destination = forms.ChoiceField(
        label=_("Destination"),
        help_text=_(
            "Où va le ou la stagiaire à la sortie : emploi, formation, service civique "
            "ou sortie sans solution positive."
        ),
        error_messages={
            "required": _("Choisissez la destination."),
            "invalid_choice": _("Choisissez la destination dans la liste."),
        },
    )
    months = forms.IntegerField(
        label=_("Durée (mois)"),
        required=False,
        min_value=0,
        max_value=MAX_MONTHS,
        help_text=_(
            "Obligatoire pour un CDD, l'intérim, un contrat saisonnier, un contrat aidé ou une "
            "formation ; facultative pour l'alternance (6 mois au moins par la loi) et le "
            "service civique ; laissez vide pour un CDI, une création d'entreprise ou une "
            "sortie sans solution. 0 si moins d'un mois."
        ),
        error_messages={
            "invalid": _("La durée est un nombre entier de mois."),
            "min_value": _("La durée ne peut pas être négative."),
            "max_value": _("La durée va de 0 à %(limit_value)s mois."),
        },
    )
    days = forms.IntegerField(
        label=_("et jours"),
        required=False,
        min_value=0,
        max_value=30,
        help_text=_(
            "Au-delà des mois entiers, de 0 à 30. Ex. : un CDD de 2 mois et 15 jours → 2 mois "
            "et 15 jours (il compte comme « plus de 2 mois », un CDD de 2 mois tout juste non)."
        ),
        error_messages={
            "invalid": _("Les jours sont un nombre entier."),
            "min_value": _("Les jours vont de 0 à 30."),
            "max_value": _("Les jours vont de 0 à 30 : au-delà, comptez un mois de plus."),
        },
    )
    organisation = forms.CharField(
        label=_("Employeur ou organisme de formation"),
        required=False,
        max_length=200,
        help_text=_("Pour un emploi, une formation ou un service civique."),
        error_messages={"max_length": _("Ce nom est limité à %(limit_value)d caractères.")},
    )
    dropout_reason = forms.ChoiceField(
        label=_("Motif d'abandon"),
        required=False,
        choices=[("", _("— seulement pour un abandon —")), *DropoutReason.choices],
        help_text=_("Obligatoire pour un abandon, et pour lui seul."),
        error_messages={"invalid_choice": _("Motif d'abandon inconnu.")},
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Rien sur la santé ou la vie privée du ou de la stagiaire."),
        error_messages={"max_length": _("Le commentaire est limité à %(limit_value)d caractères.")},
    )
    hire = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", _("— choisissez —")), *grouped_choices()]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("hire", None)
        data.pop("reason", None)
        data["days"] = data.get("days") or 0
        return data

    @classmethod
    def initial_for(cls, exit_) -> dict[str, Any]:
        return {
            "exit_date": exit_.exit_date,
            "destination": exit_.destination,
            "months": exit_.months,
            "days": exit_.days,
            "organisation": exit_.organisation,
            "dropout_reason": exit_.dropout_reason,
            "comment": exit_.comment,
        }


class ExitCorrectionForm(ExitForm):
    reason = forms.ChoiceField(
        label=_("Motif de la correction"),
        choices=[("", _("— choisissez —")), *CORRECTION_REASONS],
        error_messages={
            "required": _("Indiquez le motif de la correction."),
            "invalid_choice": _("Motif de correction inconnu."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["hire"]


class ExitUndoForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif de l'annulation"),
        choices=[("", _("— choisissez —")), *UNDO_REASONS],
        error_messages={
            "required": _("Indiquez le motif de l'annulation."),
            "invalid_choice": _("Motif d'annulation inconnu."),
        },
    )


class ExitFilterForm(forms.Form):
    """A GET form: a refused value gets its French message and is left out."""

    annee = forms.TypedChoiceField(
        label=_("Année"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Aucune sortie cette année-là.")},
    )
    du = forms.DateField(
        label=_("Sorties du"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date de début invalide.")},
    )
    au = forms.DateField(
        label=_("au"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date de fin invalide.")},
    )
    site = forms.TypedChoiceField(
        label=_("Site"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Site inconnu.")},
    )
    groupe = forms.ChoiceField(
        label=_("Destination"),
        required=False,
        choices=[("", _("Toutes les destinations")), *DestinationGroup.choices],
        error_messages={"invalid_choice": _("Groupe de destinations inconnu.")},
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = selectors.school_sites(membership)
        years = selectors.exit_years(membership)
        self.fields["annee"].choices = [("", _("Toutes les années")), *[(y, y) for y in years]]
        self.fields["site"].choices = [
            ("", _("Tous les sites")),
            *[(s.pk, s.name) for s in self.sites],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and end < start:
            self.add_error("au", _("La date de fin précède la date de début."))
        if data.get("annee") and (start or end):
            self.add_error("annee", _("Choisissez une année ou des dates, pas les deux."))
        return data

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def audit_filters(self) -> dict[str, Any]:
        """The applied filters as a period, a site id and a group code, for the audit log."""
        kwargs = self.selector_kwargs()
        filters: dict[str, Any] = {}
        for name in ("start", "end"):
            if kwargs[name] is not None:
                filters[name] = kwargs[name].isoformat()
        if kwargs["site"] is not None:
            filters["site"] = kwargs["site"].pk
        if kwargs["group"]:
            filters["group"] = kwargs["group"]
        return filters

    def selector_kwargs(self) -> dict[str, Any]:
        start, end = self.value("du"), self.value("au")
        year = self.value("annee")
        if {"annee", "du", "au"} & set(self.errors):  # a refused period filters nothing
            start = end = year = None
        if year and start is None and end is None:
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        site_id = self.value("site")
        return {
            "start": start,
            "end": end,
            "site": next((s for s in self.sites if s.pk == site_id), None),
            "group": self.value("groupe") or "",
        }
