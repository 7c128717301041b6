"""Forms of the eligibility rules: a new version and up to three special publics."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import PrescriberType

from .referrals import DateInput

MAX_SPECIAL_PUBLICS = 3

_AGE_ERRORS = {
    "min_value": _("Un âge doit être compris entre 14 et 99 ans."),
    "max_value": _("Un âge doit être compris entre 14 et 99 ans."),
}


def _age_field(label, *, required: bool = True, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=14,
        max_value=99,
        required=required,
        error_messages=_AGE_ERRORS,
        **kwargs,
    )


class RulesForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Applicable à partir du"),
        widget=DateInput(),
        help_text=_(
            "Les admissions dont l'entrée est prévue à partir de cette date suivent la nouvelle "
            "version ; les versions précédentes restent inchangées."
        ),
    )
    min_age = _age_field(_("Âge minimum"))
    max_age = _age_field(
        _("Âge maximum (inclus)"),
        help_text=_("25 : le dernier jour éligible est la veille des 26 ans."),
    )
    min_months_out_of_school = forms.IntegerField(
        label=_("Sortie du système scolaire depuis au moins (mois)"),
        min_value=0,
        max_value=60,
        error_messages={
            "min_value": _("Le nombre de mois doit être compris entre 0 et 60."),
            "max_value": _("Le nombre de mois doit être compris entre 0 et 60."),
        },
    )
    require_not_in_employment_or_training = forms.BooleanField(
        label=_("Ni en emploi ni en formation"), required=False
    )
    note = forms.CharField(
        label=_("Commentaire"),
        max_length=255,
        required=False,
        help_text=_("Par exemple : la délibération du conseil d'administration."),
    )

    def __init__(self, *args, earliest: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest = earliest

    def clean_valid_from(self) -> datetime.date:
        valid_from = self.cleaned_data["valid_from"]
        if self.earliest and valid_from < self.earliest:
            raise ValidationError(
                _(
                    "La nouvelle version ne peut pas s'appliquer avant la dernière version "
                    "enregistrée (applicable à partir du %(day)s)."
                )
                % {"day": self.earliest.strftime("%d/%m/%Y")}
            )
        return valid_from

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_age", _("L'âge maximum doit être supérieur ou égal à l'âge minimum.")
            )
        return cleaned


class SpecialPublicForm(forms.Form):
    """One special public; a row left empty is ignored."""

    label = forms.CharField(label=_("Intitulé"), max_length=200, required=False)
    gender = forms.ChoiceField(
        label=_("Sexe"),
        choices=[("", _("Indifférent")), ("F", _("Femme")), ("M", _("Homme"))],
        required=False,
    )
    min_age = _age_field(_("Âge minimum"), required=False)
    max_age = _age_field(_("Âge maximum (inclus)"), required=False)
    requires_qpv = forms.BooleanField(label=_("Habite un QPV"), required=False)
    prescriber_type = forms.ChoiceField(
        label=_("Orienté·e par"),
        choices=[("", _("Tout prescripteur")), *PrescriberType.choices],
        required=False,
    )

    CRITERIA = ("gender", "min_age", "max_age", "requires_qpv", "prescriber_type")

    def clean_label(self) -> str:
        return self.cleaned_data["label"].strip()

    def clean(self):
        cleaned = super().clean()
        has_criteria = any(cleaned.get(name) not in (None, "", False) for name in self.CRITERIA)
        if not cleaned.get("label"):
            if has_criteria and not self.has_error("label"):
                self.add_error("label", _("Donnez un intitulé à ce public spécifique."))
            return cleaned
        if not has_criteria:
            # A public without any criterion would admit everybody whatever their age.
            self.add_error(
                None,
                _(
                    "Le public « %(label)s » doit préciser au moins un critère (sexe, âge, QPV "
                    "ou prescripteur)."
                )
                % {"label": cleaned["label"]},
            )
        low, high = cleaned.get("min_age"), cleaned.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_age", _("L'âge maximum doit être supérieur ou égal à l'âge minimum.")
            )
        return cleaned

    def public(self) -> dict[str, Any] | None:
        """The row as ``save_rules_version`` takes it, or None for an empty row."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("label"):
            return None
        return {
            "label": data["label"],
            "gender": data["gender"],
            "min_age": data["min_age"],
            "max_age": data["max_age"],
            "requires_qpv": data["requires_qpv"],
            "prescriber_type": data["prescriber_type"],
        }


SpecialPublicFormSet = forms.formset_factory(
    SpecialPublicForm,
    extra=MAX_SPECIAL_PUBLICS,
    max_num=MAX_SPECIAL_PUBLICS,
    absolute_max=MAX_SPECIAL_PUBLICS,
    validate_max=True,
)
