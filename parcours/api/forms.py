from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.forms import ConfirmPasswordForm

from .services import DEFAULT_LIFETIME_DAYS

LIFETIMES = [
    (30, _("30 jours")),
    (90, _("90 jours")),
    (DEFAULT_LIFETIME_DAYS, _("1 an")),
    (730, _("2 ans (au plus)")),
]


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        where = obj.school.name if obj.school_id else _("Réseau national")
        return f"{where} — {obj.get_role_display()}"


class TokenCreateForm(ConfirmPasswordForm):
    refused = _("Mot de passe incorrect : aucun jeton n'a été créé.")
    field_order = ["name", "membership", "lifetime_days", "password"]

    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=80,
        help_text=_("Pour le reconnaître : l'outil ou le script qui l'utilise (ex. « Tableur »)."),
    )
    membership = MembershipChoiceField(
        label=_("Agir au nom de"),
        queryset=None,
        empty_label=None,
        help_text=_("Le jeton voit exactement ce que ce rattachement voit dans Parcours."),
        error_messages={"invalid_choice": _("Choisissez l'un de vos rattachements.")},
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Durée de validité"),
        choices=LIFETIMES,
        coerce=int,
        initial=DEFAULT_LIFETIME_DAYS,
        error_messages={"invalid_choice": _("Choisissez l'une des durées proposées.")},
    )

    def __init__(self, *args, memberships, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["password"].help_text = _(
            "Un jeton ouvre l'API sans double authentification : votre mot de passe confirme "
            "que c'est bien vous."
        )
        self.fields["password"].widget.attrs.pop("autofocus", None)
        from parcours.organisations.models import Membership

        self.fields["membership"].queryset = Membership.objects.filter(
            pk__in=[m.pk for m in memberships]
        ).select_related("school")
        self.only = memberships[0] if len(memberships) == 1 else None
        if self.only is not None:  # nothing to choose
            self.fields["membership"].widget = forms.HiddenInput()
            self.fields["membership"].required = False

    def clean_membership(self):
        return self.cleaned_data.get("membership") or self.only

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()
