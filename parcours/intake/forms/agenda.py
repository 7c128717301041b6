"""The public registration form of the agenda: only what the school needs to call back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.people.phones import normalise_phone

#: The honeypot's name: a field that bots fill in and people never see.
HONEYPOT_FIELD = "site_web"


class PublicRegistrationForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        help_text=_("Un téléphone ou une adresse e-mail (au moins l'un des deux)."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Saisissez une adresse e-mail valide.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    prescriber_name = forms.CharField(
        label=_("Structure qui vous oriente"),
        max_length=200,
        required=False,
        help_text=_("Facultatif, par exemple : Mission Locale, France Travail, PLIE…"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The honeypot: hidden from people (CSS, aria-hidden, out of the tab order), not from
        # bots. It is rendered apart from the other fields, see agenda/register.html.
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Ne pas remplir ce champ"),
            required=False,
            max_length=1000,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )

    @property
    def honeypot(self):
        return self[HONEYPOT_FIELD]

    def visible_human_fields(self):
        return [field for field in self.visible_fields() if field.name != HONEYPOT_FIELD]

    def is_bot(self) -> bool:
        """True when the hidden field was filled in: answer as if all went well, write nothing."""
        return bool((self.data.get(self.add_prefix(HONEYPOT_FIELD)) or "").strip())

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if (
            "phone" not in self.errors
            and "email" not in self.errors
            and not cleaned.get("phone")
            and not cleaned.get("email")
        ):
            raise forms.ValidationError(
                _("Indiquez un téléphone ou une adresse e-mail pour être recontacté·e.")
            )
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "phone": data["phone"],
            "email": data["email"],
            "prescriber_name": data["prescriber_name"],
        }
