"""Forms of the company screens: a company, a contact, a history entry, and the GET forms
that search and filter the company list and the history.

The write forms check what they can at once (SIRET check digit, NAF format, phone) with the
same functions as the services, which check everything again: a refusal of the service comes
back on the form with its French message(s), by field.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership
from parcours.people.phones import normalise_phone

from .. import selectors_companies as selectors
from ..models import Company, CompanyEventKind, CompanySize, Contact, Sector
from ..services_companies import (
    COMPANY_FIELDS,
    CONTACT_FIELDS,
    MAX_SUMMARY,
    check_siret,
    normalise_naf,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _formfield(model_field, **kwargs):
    """Form fields of the model's fields (a web address without scheme is taken as https)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


def _choices(label: str, choices) -> list:
    return [("", label), *choices]


# ------------------------------------------------------------------------------ writes


class CompanyForm(forms.Form):
    """A company's identity (the fields of ``services_companies.COMPANY_FIELDS``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["name"].error_messages["required"] = gettext(
            "Indiquez la raison sociale de l'entreprise."
        )
        # Typed with spaces (« 732 829 320 00074 ») or a dot (« 47.11 F »): longer than stored.
        fields["siret"].max_length = None
        fields["siret"].validators = []
        fields["siret"].widget.attrs.pop("maxlength", None)
        fields["siret"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        fields["siret"].help_text = _(
            "14 chiffres (les espaces sont ignorés) ; laissez vide s'il n'est pas encore connu."
        )
        fields["naf_code"].max_length = None
        fields["naf_code"].validators = []
        fields["naf_code"].widget.attrs.pop("maxlength", None)
        fields["sector"].choices = _choices(gettext("— choisissez un secteur —"), Sector.choices)
        fields["sector"].error_messages.update(
            required=gettext("Choisissez un secteur."),
            invalid_choice=gettext("Choisissez un secteur dans la liste."),
        )
        fields["size"].choices = _choices(gettext("— non renseigné —"), CompanySize.choices)
        fields["size"].error_messages["invalid_choice"] = gettext(
            "Choisissez un effectif dans la liste."
        )
        fields["postcode"].widget.attrs.update(inputmode="numeric")
        fields["phone"].widget.attrs.update(type="tel", autocomplete="off")
        fields["notes"].widget.attrs.update(rows=3)
        fields["notes"].help_text = _(
            "Informations utiles sur l'entreprise (accès, horaires, métiers). "
            "Rien sur les stagiaires."
        )

    def clean_siret(self) -> str:
        return check_siret(self.cleaned_data.get("siret", ""))

    def clean_naf_code(self) -> str:
        return normalise_naf(self.cleaned_data.get("naf_code", ""))

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    @classmethod
    def initial_for(cls, company: Company) -> dict[str, Any]:
        return {name: getattr(company, name) for name in COMPANY_FIELDS}


class ContactForm(forms.Form):
    """A person of the company; any of the three roles, or none yet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_name"].error_messages["required"] = gettext("Indiquez le nom du contact.")
        self.fields["first_name"].error_messages["required"] = gettext(
            "Indiquez le prénom du contact."
        )
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")
        self.fields["is_tutor"].help_text = _("Peut encadrer un·e stagiaire.")
        self.fields["is_hr"].help_text = _("Recrutement, contrats, offres d'emploi.")

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone", ""))

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        return {name: getattr(contact, name) for name in CONTACT_FIELDS}


# The fields, labels and lengths of the models (the services check them again).
CompanyForm.base_fields = CompanyForm.declared_fields = forms.fields_for_model(
    Company, fields=COMPANY_FIELDS, formfield_callback=_formfield
)
ContactForm.base_fields = ContactForm.declared_fields = forms.fields_for_model(
    Contact, fields=CONTACT_FIELDS
)


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contact: Contact) -> str:
        roles = contact.roles_display
        return f"{contact.full_name} ({roles})" if roles else contact.full_name


class CompanyEventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type d'échange"),
        choices=_choices(_("— choisissez —"), CompanyEventKind.choices),
        error_messages={
            "required": _("Choisissez le type d'échange."),
            "invalid_choice": _("Choisissez le type d'échange dans la liste."),
        },
    )
    happened_on = forms.DateField(
        label=_("Date"),
        widget=DATE_WIDGET,
        error_messages={"required": _("Indiquez la date."), "invalid": _("Date invalide.")},
    )
    contact = ContactChoiceField(
        label=_("Contact (facultatif)"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("— aucun contact en particulier —"),
        error_messages={"invalid_choice": _("Ce contact ne travaille pas dans cette entreprise.")},
    )
    summary = forms.CharField(
        label=_("Compte rendu (facultatif)"),
        required=False,
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Ce qui s'est dit, les suites à donner. Rien sur la santé ou la situation "
            "personnelle d'un·e stagiaire."
        ),
        error_messages={
            "max_length": _("Le compte rendu est limité à %(limit_value)d caractères.")
        },
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(
            company=company, active=True
        ).order_by("last_name", "first_name", "pk")


# ------------------------------------------------------------------------------ GET filters


class _FilterForm(forms.Form):
    """A GET form: a refused value gets its French message and is left out."""

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class CompanyFilterForm(_FilterForm):
    q = forms.CharField(
        label=_("Nom, SIRET ou commune"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("La recherche est limitée à 100 caractères.")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    secteur = forms.ChoiceField(
        label=_("Secteur"),
        required=False,
        choices=_choices(_("Tous les secteurs"), Sector.choices),
        error_messages={"invalid_choice": _("Secteur inconnu.")},
    )
    effectif = forms.ChoiceField(
        label=_("Effectif"),
        required=False,
        choices=_choices(_("Tous les effectifs"), CompanySize.choices),
        error_messages={"invalid_choice": _("Effectif inconnu.")},
    )
    commune = forms.ChoiceField(
        label=_("Commune"),
        required=False,
        error_messages={"invalid_choice": _("Aucune entreprise dans cette commune.")},
    )
    stages = forms.ChoiceField(
        label=_("Stages"),
        required=False,
        choices=[
            ("", _("Avec ou sans stage")),
            (selectors.WITH_INTERNSHIPS, _("Ayant accueilli des stagiaires")),
            (selectors.WITHOUT_INTERNSHIPS, _("Sans stage pour l'instant")),
        ],
        error_messages={"invalid_choice": _("Choisissez avec ou sans stage.")},
    )
    archivees = forms.ChoiceField(
        label=_("Archivées"),
        required=False,
        choices=[
            (selectors.ACTIVE_ONLY, _("Entreprises actives")),
            (selectors.ARCHIVED_ONLY, _("Entreprises archivées")),
            (selectors.ALL_COMPANIES, _("Toutes")),
        ],
        error_messages={"invalid_choice": _("Choisissez actives, archivées ou toutes.")},
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _choices(
            gettext("Toutes les communes"), [(c, c) for c in selectors.communes(membership)]
        )

    def audit_filters(self) -> dict[str, Any]:
        """The applied filters as codes, for the audit log (the search text: only whether
        there was one)."""
        filters: dict[str, Any] = {
            "archived": self.value("archivees") or "actives",
        }
        if self.value("q"):
            filters["search"] = True
        for name in ("secteur", "effectif", "commune", "stages"):
            if value := self.value(name):
                filters[name] = value
        return filters

    def selector_kwargs(self) -> dict[str, Any]:
        return {
            "text": self.value("q") or "",
            "sector": self.value("secteur") or "",
            "size": self.value("effectif") or "",
            "commune": self.value("commune") or "",
            "internships": self.value("stages") or "",
            "archived": self.value("archivees") or selectors.ACTIVE_ONLY,
        }


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, company: Company) -> str:
        if company.commune:
            return f"{company.name} ({company.commune})"
        return company.name


class EventFilterForm(_FilterForm):
    type = forms.ChoiceField(
        label=_("Type d'échange"),
        required=False,
        choices=_choices(_("Tous les types"), CompanyEventKind.choices),
        error_messages={"invalid_choice": _("Type d'échange inconnu.")},
    )
    du = forms.DateField(
        label=_("Du"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date invalide.")},
    )
    au = forms.DateField(
        label=_("Au"),
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": _("Date invalide.")},
    )
    entreprise = CompanyChoiceField(
        label=_("Entreprise"),
        queryset=Company.objects.none(),
        required=False,
        empty_label=_("Toutes les entreprises"),
        error_messages={
            "invalid_choice": _("Cette entreprise n'est pas une entreprise de l'école.")
        },
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entreprise"].queryset = selectors.companies_for(membership).order_by(
            "name", "pk"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            self.add_error("au", gettext("La date de fin doit suivre la date de début."))
        return cleaned

    def audit_filters(self) -> dict[str, Any]:
        """The applied filters as codes, dates and ids, for the audit log."""
        filters: dict[str, Any] = {}
        if kind := self.value("type"):
            filters["type"] = kind
        for name in ("du", "au"):
            if day := self.value(name):
                filters[name] = day.isoformat()
        if company := self.value("entreprise"):
            filters["entreprise"] = company.pk
        return filters

    def selector_kwargs(self) -> dict[str, Any]:
        return {
            "kind": self.value("type") or "",
            "date_from": self.value("du"),
            "date_to": self.value("au"),
            "company": self.value("entreprise"),
        }
