"""The form of a certification prepared or obtained during the pathway."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.pathways.forms.documents import DateInput

from ..models import CertificationKind, CertificationStatus


class CertificationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Certification"),
        choices=[("", _("— choisir —")), *CertificationKind.choices],
        error_messages={
            "required": _("Choisissez la certification."),
            "invalid_choice": _("Choisissez la certification dans la liste."),
        },
    )
    label = forms.CharField(
        label=_("Précision"),
        required=False,
        max_length=200,
        help_text=_("Obligatoire pour « Autre certification » (ex. : habilitation électrique)."),
    )
    status = forms.ChoiceField(
        label=_("Résultat"),
        choices=CertificationStatus.choices,
        error_messages={"invalid_choice": _("Choisissez le résultat dans la liste.")},
    )
    on_date = forms.DateField(
        label=_("Date"),
        widget=DateInput(),
        help_text=_("Date de l'épreuve, ou du début de la préparation."),
        error_messages={
            "required": _("Indiquez la date."),
            "invalid": _("Saisissez une date valide (jj/mm/aaaa)."),
        },
    )
    result = forms.CharField(
        label=_("Détail du résultat"),
        required=False,
        max_length=200,
        help_text=_("Score, domaines validés… (ex. : PIX 312 pix, CléA 5 domaines sur 7)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == CertificationKind.OTHER and not data.get("label", "").strip():
            self.add_error("label", _("Précisez le nom de la certification."))
        return data

    @classmethod
    def initial_from(cls, certification) -> dict:
        return {
            "kind": certification.kind,
            "label": certification.label,
            "status": certification.status,
            "on_date": certification.on_date,
            "result": certification.result,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "label": data["label"],
            "status": data["status"],
            "on_date": data["on_date"],
            "result": data["result"],
        }
