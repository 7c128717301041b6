"""Forms of the follow-ups after the exit: the to-do list's filters and the small record form.

The record form only checks what a field needs (a date, a number, a choice of the list); the
rules (a situation when reached and none when unreachable, the length where the situation has
one, the date between the exit and today) are the service's, whose messages the view shows
beside their fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import selectors_follow_ups as selectors
from ..destinations import Destination, grouped_choices
from ..models import ExitFollowUp, FollowUpStatus, FollowUpWave

YES, NO = "oui", "non"
#: Exits, not situations found months later.
EXIT_ONLY = {Destination.DROPOUT, Destination.EXCLUDED}


class FollowUpFilterForm(forms.Form):
    """Filters of the to-do list (GET; a refused value is ignored, with its message)."""

    qui = forms.ChoiceField(
        label=_("Stagiaires"),
        required=False,
        choices=[
            (selectors.SCOPE_MINE, _("Mes stagiaires")),
            (selectors.SCOPE_ALL, _("Toute l'école")),
        ],
        error_messages={"invalid_choice": _("Choix inconnu : mes stagiaires ou toute l'école.")},
    )
    echeance = forms.TypedChoiceField(
        label=_("Échéance"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Toutes")), *FollowUpWave.choices],
        error_messages={"invalid_choice": _("Échéance inconnue : 3, 6 ou 12 mois.")},
    )
    etat = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[*FollowUpStatus.choices, (selectors.STATUS_ANY, _("Tous"))],
        error_messages={"invalid_choice": _("État inconnu : choisissez-en un de la liste.")},
    )
    en_retard = forms.BooleanField(
        label=_("En retard (à faire depuis plus d'un mois)"), required=False
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.default_scope = selectors.default_scope(membership)
        self.fields["qui"].initial = self.default_scope
        self.fields["etat"].initial = FollowUpStatus.DUE

    def _value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def audit_filters(self) -> dict[str, Any]:
        """The applied filters as codes, for the audit log (defaults included)."""
        filters: dict[str, Any] = {
            "scope": self._value("qui") or self.default_scope,
            "status": self._value("etat") or FollowUpStatus.DUE.value,
        }
        if wave := self._value("echeance"):
            filters["wave"] = wave
        if self._value("en_retard"):
            filters["overdue"] = True
        return filters

    def apply(self, follow_ups):
        return selectors.filter_follow_ups(
            follow_ups,
            membership=self.membership,
            scope=self._value("qui") or self.default_scope,
            wave=self._value("echeance"),
            status=self._value("etat") or FollowUpStatus.DUE,
            overdue=bool(self._value("en_retard")),
        )


class FollowUpRecordForm(forms.Form):
    reached = forms.ChoiceField(
        label=_("La personne a-t-elle été jointe ?"),
        choices=[(YES, _("Oui, jointe")), (NO, _("Non, injoignable"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Dites si la personne a été jointe."),
            "invalid_choice": _("Dites si la personne a été jointe."),
        },
    )
    contacted_on = forms.DateField(
        label=_("Date du contact"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Injoignable : la date de la dernière tentative, si vous la connaissez."),
        error_messages={"invalid": _("Date invalide.")},
    )
    situation = forms.ChoiceField(
        label=_("Situation trouvée"),
        required=False,
        choices=[],
        help_text=_("Laissez vide si la personne est injoignable."),
        error_messages={"invalid_choice": _("Situation inconnue : choisissez-en une de la liste.")},
    )
    months = forms.IntegerField(
        label=_("Durée (mois)"),
        required=False,
        min_value=0,
        help_text=_(
            "Obligatoire pour un CDD, l'intérim, un contrat saisonnier ou aidé, une formation."
        ),
        error_messages={
            "invalid": _("Indiquez un nombre entier de mois."),
            "min_value": _("La durée ne peut pas être négative."),
        },
    )
    days = forms.IntegerField(
        label=_("et jours"),
        required=False,
        min_value=0,
        max_value=30,
        error_messages={
            "invalid": _("Indiquez un nombre entier de jours."),
            "min_value": _("Les jours vont de 0 à 30 (au-delà, comptez des mois)."),
            "max_value": _("Les jours vont de 0 à 30 (au-delà, comptez des mois)."),
        },
    )
    organisation = forms.CharField(
        label=_("Employeur ou organisme de formation"), required=False, max_length=200
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Months after the exit, "abandon" and "exclusion" describe nothing: they are exits.
        self.fields["situation"].choices = [
            ("", _("— choisissez —")),
            *[
                (group, [(code, label) for code, label in codes if code not in EXIT_ONLY])
                for group, codes in grouped_choices()
            ],
        ]
        self.fields["organisation"].error_messages["max_length"] = _(
            "Le nom de l'employeur ou de l'organisme est trop long (200 caractères au plus)."
        )
        self.fields["comment"].error_messages["max_length"] = _(
            "Le commentaire est trop long (5 000 caractères au plus)."
        )

    @staticmethod
    def initial_from(follow_up: ExitFollowUp) -> dict[str, Any]:
        """What is recorded, to correct it (nothing when still to do)."""
        if follow_up.status == FollowUpStatus.DUE:
            return {"days": 0}
        return {
            "reached": YES if follow_up.status == FollowUpStatus.REACHED else NO,
            "contacted_on": follow_up.contacted_on,
            "situation": follow_up.situation,
            "months": follow_up.months,
            "days": follow_up.days,
            "organisation": follow_up.organisation,
            "comment": follow_up.comment,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reached": data["reached"] == YES,
            "contacted_on": data.get("contacted_on"),
            "situation": data.get("situation") or "",
            "months": data.get("months"),
            "days": data.get("days") or 0,
            "organisation": data.get("organisation") or "",
            "comment": data.get("comment") or "",
        }
