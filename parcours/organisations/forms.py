from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FundingAgreement, Partner, Room, RoomKind, Site


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PeriodFormMixin:
    """Checks that a closing date is not before the opening date."""

    start_field = "opened_on"
    end_field = "closed_on"

    def clean(self):
        cleaned = super().clean()  # type: ignore[misc]
        start, end = cleaned.get(self.start_field), cleaned.get(self.end_field)
        if start and end and end < start:
            self.add_error(  # type: ignore[attr-defined]
                self.end_field, _("La date de fermeture doit suivre la date d'ouverture.")
            )
        return cleaned


class SiteForm(PeriodFormMixin, forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "postcode", "commune", "surface_m2", "opened_on", "closed_on"]
        widgets = {"opened_on": DateInput(), "closed_on": DateInput()}
        error_messages = {
            "surface_m2": {"min_value": _("La surface doit être d'au moins 1 m².")},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["surface_m2"].widget.attrs["min"] = 1
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]{5}"})

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not (len(postcode) == 5 and postcode.isdigit()):
            raise forms.ValidationError(_("Le code postal doit compter 5 chiffres."))
        return postcode

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Site.objects.filter(school=self.school, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Un site de ce nom existe déjà dans l'école."))
        return name


class RoomForm(PeriodFormMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = [
            "site",
            "name",
            "kind",
            "capacity",
            "computers",
            "step_free",
            "opened_on",
            "closed_on",
        ]
        widgets = {"opened_on": DateInput(), "closed_on": DateInput()}
        error_messages = {
            "capacity": {"min_value": _("La capacité doit être d'au moins 1 personne.")},
            "computers": {"min_value": _("Le nombre d'ordinateurs ne peut pas être négatif.")},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["site"].queryset = Site.objects.filter(school=school).order_by("name")
        self.fields["site"].empty_label = None
        self.fields["capacity"].widget.attrs["min"] = 1
        self.fields["computers"].widget.attrs["min"] = 0

    def clean(self):
        cleaned = super().clean()
        site, name = cleaned.get("site"), cleaned.get("name")
        if cleaned.get("kind") == RoomKind.COMPUTER and not cleaned.get("computers"):
            self.add_error(
                "computers", _("Une salle informatique doit compter au moins un ordinateur.")
            )
        if site and name:
            clash = Room.objects.filter(site=site, name__iexact=name.strip())
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("Une salle de ce nom existe déjà sur ce site."))
        return cleaned


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = [
            "name",
            "is_prescriber",
            "prescriber_type",
            "is_funder",
            "funder_type",
            "address",
            "postcode",
            "commune",
            "email",
            "phone",
        ]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Partner.objects.filter(school=self.school, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Un partenaire de ce nom existe déjà."))
        return name

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (len(postcode) == 5 and postcode.isdigit()):
            raise forms.ValidationError(_("Le code postal doit compter 5 chiffres."))
        return postcode

    def clean(self):
        cleaned = super().clean()
        is_prescriber, is_funder = cleaned.get("is_prescriber"), cleaned.get("is_funder")
        if not is_prescriber and not is_funder:
            raise forms.ValidationError(
                _(
                    "Un partenaire est prescripteur, financeur, ou les deux : "
                    "cochez au moins un rôle."
                )
            )
        if is_prescriber and not cleaned.get("prescriber_type"):
            self.add_error("prescriber_type", _("Précisez le type de prescripteur."))
        if not is_prescriber:
            cleaned["prescriber_type"] = ""
        if is_funder and not cleaned.get("funder_type"):
            self.add_error("funder_type", _("Précisez le type de financeur."))
        if not is_funder:
            cleaned["funder_type"] = ""
        return cleaned


class FundingAgreementForm(forms.ModelForm):
    class Meta:
        model = FundingAgreement
        fields = ["funder", "year", "amount_eur", "purpose", "target_trainees", "targets"]
        error_messages = {
            "amount_eur": {"min_value": _("Le montant ne peut pas être négatif.")},
            "year": {"min_value": _("L'année doit être 2000 ou après.")},
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["funder"].queryset = Partner.objects.filter(
            school=school, is_funder=True
        ).order_by("name")
        self.fields["amount_eur"].widget.attrs["min"] = 0
        self.fields["year"].widget.attrs.update({"min": 2000, "max": 2100})

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year > 2100:
            raise forms.ValidationError(_("L'année doit être 2100 ou avant."))
        return year

    def clean(self):
        cleaned = super().clean()
        funder, year, purpose = cleaned.get("funder"), cleaned.get("year"), cleaned.get("purpose")
        if funder and year and purpose:
            clash = FundingAgreement.objects.filter(
                school=self.school, funder=funder, year=year, purpose__iexact=purpose.strip()
            )
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(
                    _("Une convention de ce financeur pour cet objet existe déjà cette année.")
                )
        return cleaned
