"""Forms of the outcome definitions: a definition (name, validity, exclusions) with up to four
rules (destinations, a length threshold in months, strict or inclusive), and the headline
definition of a year."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..destinations import GROUP_OF, GROUPS, DestinationGroup, grouped_choices
from ..models import OutcomeDefinition
from ..services_definitions import MAX_MONTHS, MAX_RULES, MIN_MONTHS, headline_years

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

INCLUSIVE, STRICT = "inclusive", "strict"


def destination_groups(bound_field: forms.BoundField) -> list[tuple[str, list[Any]]]:
    """The checkboxes of a destinations field, grouped like the typology (for fieldsets)."""
    by_group: dict[str, list[Any]] = {group: [] for group in GROUPS}
    for checkbox in bound_field.subwidgets:
        by_group[GROUP_OF[checkbox.data["value"]]].append(checkbox)
    return [(str(DestinationGroup(g).label), boxes) for g, boxes in by_group.items() if boxes]


def _destinations_field(label, help_text="") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=grouped_choices(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": _("Destination inconnue : %(value)s.")},
    )


class DefinitionForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=150)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : la convention ou la délibération qui la fixe."),
    )
    valid_from = forms.DateField(
        label=_("Valable à partir du"),
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date invalide (jj/mm/aaaa).")},
    )
    valid_until = forms.DateField(
        label=_("Valable jusqu'au"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Laissez vide si la définition reste valable."),
        error_messages={"invalid": _("Date invalide (jj/mm/aaaa).")},
    )
    excluded = _destinations_field(
        _("Exclues du dénominateur"),
        _(
            "Les sorties vers ces destinations ne comptent ni comme réussies ni comme échecs "
            "(par exemple : déménagement, santé, maternité)."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            self.add_error("valid_until", _("La fin de validité doit suivre son début."))
        return cleaned

    def excluded_groups(self):
        return destination_groups(self["excluded"])

    @staticmethod
    def initial_for(definition: OutcomeDefinition) -> dict[str, Any]:
        return {
            "name": definition.name,
            "description": definition.description,
            "valid_from": definition.valid_from,
            "valid_until": definition.valid_until,
            "excluded": list(definition.excluded),
            "version": definition.version,
        }


class RuleForm(forms.Form):
    """One rule; a row left empty is ignored."""

    destinations = _destinations_field(_("Destinations"))
    min_months = forms.IntegerField(
        label=_("Durée minimale (mois)"),
        required=False,
        min_value=MIN_MONTHS,
        max_value=MAX_MONTHS,
        help_text=_("Vide : toute durée. Le CDI et la création d'entreprise la remplissent."),
        error_messages={
            "min_value": _("La durée minimale doit être comprise entre 1 et 60 mois."),
            "max_value": _("La durée minimale doit être comprise entre 1 et 60 mois."),
            "invalid": _("La durée minimale doit être un nombre entier de mois."),
        },
    )
    threshold = forms.ChoiceField(
        label=_("Seuil"),
        choices=[
            (INCLUSIVE, _("N mois ou plus (seuil inclus)")),
            (STRICT, _("plus de N mois (seuil exclu)")),
        ],
        initial=INCLUSIVE,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Seuil inconnu.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("min_months") is not None and not cleaned.get("destinations"):
            self.add_error("destinations", _("Choisissez au moins une destination."))
        return cleaned

    def destination_groups(self):
        return destination_groups(self["destinations"])

    def rule(self) -> dict[str, Any] | None:
        """The row as ``save_definition_version`` takes it, or None for an empty row."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("destinations"):
            return None
        min_months = data.get("min_months")
        return {
            "destinations": sorted(data["destinations"]),
            "min_months": min_months,
            "strict": min_months is not None and data.get("threshold") == STRICT,
        }

    @staticmethod
    def initial_for(rule: dict[str, Any]) -> dict[str, Any]:
        return {
            "destinations": list(rule.get("destinations", [])),
            "min_months": rule.get("min_months"),
            "threshold": STRICT if rule.get("strict") else INCLUSIVE,
        }


class _RuleFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.rule() for form in self.forms):
            raise ValidationError(_("Une définition doit compter au moins une règle."))

    def rules(self) -> list[dict[str, Any]]:
        return [rule for rule in (form.rule() for form in self.forms) if rule is not None]


RuleFormSet = forms.formset_factory(
    RuleForm,
    formset=_RuleFormSet,
    extra=MAX_RULES,
    max_num=MAX_RULES,
    absolute_max=MAX_RULES,
    validate_max=True,
)


class DefinitionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, definition: OutcomeDefinition) -> str:
        return definition.name


class HeadlineForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Année"),
        coerce=int,
        choices=(),
        error_messages={"invalid_choice": _("Choisissez une année de la liste.")},
    )
    definition = DefinitionChoiceField(
        label=_("Définition retenue"),
        queryset=OutcomeDefinition.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Cette définition n'est pas disponible dans votre école."),
            "required": _("Choisissez une définition."),
        },
    )

    def __init__(self, *args, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in headline_years()]
        self.fields["definition"].queryset = definitions
