"""Forms of the agreement area: a signature, the signed scan, a legal guardian, a hire.

The rules live in the services (their French messages go above the form); the forms only
check types and shapes.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.pathways import services as pathway_services
from parcours.pathways.forms.documents import DateInput, size_limit_message
from parcours.people.models import LegalGuardian

from ..models import ContractType


class SignatureForm(forms.Form):
    role = forms.ChoiceField(
        label=_("En qualité de"),
        error_messages={"invalid_choice": _("Choisissez une qualité de la liste.")},
    )
    signer_name = forms.CharField(
        label=_("Nom du ou de la signataire"),
        max_length=200,
        required=False,
        help_text=_(
            "Facultatif pour l'entreprise, le ou la stagiaire et son ou sa représentant·e "
            "légal·e : le nom enregistré est repris s'il est vide."
        ),
    )
    signed_on = forms.DateField(
        label=_("Signée le"),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez la date de signature."),
            "invalid": _("Date invalide (jj/mm/aaaa)."),
        },
    )

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("signed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("— choisir —")), *roles]


class ScanForm(forms.Form):
    file = forms.FileField(
        label=_("Convention signée"),
        max_length=255,
        help_text=_("PDF, JPEG ou PNG (ou DOCX, ODT), 10 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.odt,application/pdf,image/jpeg,image/png"}
        ),
        error_messages={
            "required": _("Choisissez le fichier à déposer."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été reçu : vérifiez le formulaire."),
            "max_length": _("Le nom du fichier est trop long (255 caractères au plus)."),
        },
    )

    def __init__(self, *args, oversize: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if oversize:  # the upload handler dropped the file: say why
            self.fields["file"].error_messages["required"] = size_limit_message()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            pathway_services.check_upload(uploaded)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return uploaded


class GuardianForm(forms.ModelForm):
    class Meta:
        model = LegalGuardian
        fields = ["relation", "last_name", "first_name", "email", "phone", "address"]
        error_messages = {
            "relation": {"required": _("Choisissez le lien avec le ou la stagiaire.")},
            "last_name": {"required": _("Indiquez le nom.")},
            "first_name": {"required": _("Indiquez le prénom.")},
            "email": {"invalid": _("Adresse e-mail invalide.")},
        }


class HireForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Entreprise"),
        queryset=None,
        error_messages={
            "required": _("Choisissez l'entreprise qui embauche."),
            "invalid_choice": _("Choisissez une entreprise de la liste."),
        },
    )
    contract_type = forms.ChoiceField(
        label=_("Type de contrat"),
        choices=[("", _("— choisir —")), *ContractType.choices],
        error_messages={
            "required": _("Choisissez le type de contrat."),
            "invalid_choice": _("Choisissez le type de contrat dans la liste."),
        },
    )
    months = forms.IntegerField(
        label=_("Durée (mois)"),
        required=False,
        help_text=_("Pour un CDD, un contrat d'intérim, saisonnier ou aidé : de 1 à 60 mois."),
        error_messages={"invalid": _("Indiquez un nombre entier de mois.")},
    )
    job_title = forms.CharField(
        label=_("Poste"), max_length=150, error_messages={"required": _("Indiquez le poste.")}
    )
    start_date = forms.DateField(
        label=_("Date d'embauche"),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez la date d'embauche."),
            "invalid": _("Date invalide (jj/mm/aaaa)."),
        },
    )

    def __init__(self, *args, companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if companies is None:  # the hire follows an internship: its company
            del self.fields["company"]
        else:
            self.fields["company"].queryset = companies

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
