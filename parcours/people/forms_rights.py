"""Forms of the person's rights: a request, its answer, a notice given."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import NoticeMedium, NoticeRecipient, RequestChannel, RequestKind, RequestOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Demande"), choices=RequestKind.choices)
    received_on = forms.DateField(label=_("Reçue le"), widget=DATE)
    channel = forms.ChoiceField(label=_("Reçue par"), choices=RequestChannel.choices)
    details = forms.CharField(
        label=_("Précisions"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que la personne demande, en quelques mots."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("Répondue le"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Suite donnée"), choices=RequestOutcome.choices)
    answer = forms.CharField(
        label=_("Réponse"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire pour un refus, même partiel : le motif communiqué."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"answered_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoticeForm(forms.Form):
    given_to = forms.ChoiceField(label=_("Remise à"), choices=NoticeRecipient.choices)
    guardian = forms.ModelChoiceField(
        label=_("Représentant·e légal·e"), queryset=None, required=False
    )
    given_on = forms.DateField(label=_("Remise le"), widget=DATE)
    medium = forms.ChoiceField(label=_("Moyen"), choices=NoticeMedium.choices)
    version = forms.CharField(label=_("Version de la notice"), max_length=100)

    def __init__(self, *args, guardians, default_version: str = "", **kwargs):
        kwargs.setdefault("initial", {"given_on": timezone.localdate(), "version": default_version})
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = guardians
        if not guardians.exists():
            self.fields["given_to"].choices = [NoticeRecipient.choices[0]]
            del self.fields["guardian"]
