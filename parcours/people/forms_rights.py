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


class RequestFilterForm(forms.Form):
    """Filters of the school's requests (a GET form: it never writes). A refused value shows
    its French message and is left out; the list (and its export) then refuse to narrow on it."""

    OPEN, OVERDUE, ANSWERED = "open", "overdue", "answered"

    state = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[
            ("", _("Toutes")),
            (OPEN, _("En cours")),
            (OVERDUE, _("En retard")),
            (ANSWERED, _("Répondues")),
        ],
        error_messages={
            "invalid_choice": _("État inconnu : choisissez en cours, en retard ou répondues.")
        },
    )
    kind = forms.ChoiceField(
        label=_("Demande"),
        required=False,
        choices=[("", _("Toutes")), *RequestKind.choices],
        error_messages={"invalid_choice": _("Ce type de demande n'existe pas.")},
    )

    def _value(self, name: str) -> str:
        if not self.is_bound:
            return ""
        self.is_valid()  # builds cleaned_data (only the valid fields)
        return self.cleaned_data.get(name) or ""

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def apply(self, requests, today):
        """``requests`` narrowed by the valid filters."""
        state = self._value("state")
        if state == self.OPEN:
            requests = requests.filter(answered_on__isnull=True)
        elif state == self.OVERDUE:
            requests = requests.filter(answered_on__isnull=True, due_on__lt=today)
        elif state == self.ANSWERED:
            requests = requests.filter(answered_on__isnull=False)
        if kind := self._value("kind"):
            requests = requests.filter(kind=kind)
        return requests

    def audit_filters(self) -> dict[str, str]:
        return {name: value for name in ("state", "kind") if (value := self._value(name))}
