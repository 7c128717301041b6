"""Forms of the follow-up screens: meetings, support actions, restricted sharing.

Field-level checks give the French message next to the field; the services check again what
concerns the enrolment (dates against the entry, health content, who may share).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership

from ..models import (
    RESTRICTED_DOMAINS,
    Enrolment,
    MeetingKind,
    SupportAction,
    SupportDomain,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def check_day(day: datetime.date | None, enrolment: Enrolment, *, before_entry: str) -> None:
    """A follow-up date is neither in the future nor before the entry into the pathway."""
    if day is None:
        return
    if day > timezone.localdate():
        raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
    if day < enrolment.entry_date:
        raise forms.ValidationError(
            before_entry % {"day": enrolment.entry_date.strftime("%d/%m/%Y")}
        )


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Date de l'entretien"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Type d'entretien"),
        choices=MeetingKind.choices,
        error_messages={"invalid_choice": _("Choisissez un type d'entretien de la liste.")},
    )
    participants = forms.CharField(
        label=_("Participants"),
        max_length=300,
        required=False,
        help_text=_("Ex. « Léa, sa conseillère Mission Locale, le formateur référent »."),
    )
    summary = forms.CharField(
        label=_("Compte rendu"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    confidential = forms.BooleanField(
        label=_("Compte rendu confidentiel"),
        required=False,
        help_text=_(
            "Lisible seulement par le référent, la direction et les personnes avec qui ils le "
            "partagent ; chaque lecture est tracée."
        ),
    )
    next_steps = forms.CharField(
        label=_("Suites à donner"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, enrolment: Enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        self.fields["held_on"].initial = timezone.localdate()

    def clean_held_on(self) -> datetime.date:
        day = self.cleaned_data["held_on"]
        check_day(
            day,
            self.enrolment,
            before_entry=_("L'entretien ne peut pas précéder l'entrée en parcours (%(day)s)."),
        )
        return day

    def clean(self):
        cleaned = super().clean()
        day, kind = cleaned.get("held_on"), cleaned.get("kind")
        if kind == MeetingKind.FAMILY and day and self.enrolment.person.age_on(day) >= 18:
            self.add_error(
                "kind",
                _(
                    "Un entretien avec la famille n'est prévu que pour un·e stagiaire mineur·e : "
                    "%(name)s était majeur·e le %(day)s."
                )
                % {"name": self.enrolment.person.full_name, "day": day.strftime("%d/%m/%Y")},
            )
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "kind": data["kind"],
            "participants": data["participants"].strip(),
            "summary": data["summary"].strip(),
            "confidential": data["confidential"],
            "next_steps": data["next_steps"].strip(),
        }


class SupportActionForm(forms.Form):
    domain = forms.ChoiceField(
        label=_("Domaine"),
        error_messages={"invalid_choice": _("Choisissez un domaine de la liste.")},
    )
    description = forms.CharField(
        label=_("Action menée"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )
    partner_organisation = forms.CharField(
        label=_("Partenaire mobilisé"),
        max_length=200,
        required=False,
        help_text=_("Facultatif. Ex. CCAS, auto-école sociale, point d'accès au droit."),
    )
    opened_on = forms.DateField(label=_("Ouverte le"), widget=DateInput())
    closed_on = forms.DateField(
        label=_("Close le"),
        required=False,
        widget=DateInput(),
        help_text=_("Vide tant que l'action est en cours."),
    )
    hours = forms.DecimalField(
        label=_("Heures consacrées"),
        min_value=Decimal(0),
        max_value=Decimal(999),
        max_digits=6,
        decimal_places=2,
        required=False,
        initial=Decimal(0),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("En heures, ex. 1,5 ; 0 si non décompté."),
        error_messages={
            "min_value": _("Le nombre d'heures ne peut pas être négatif."),
            "max_value": _("Le nombre d'heures ne peut pas dépasser 999."),
            "invalid": _("Indiquez un nombre d'heures, par exemple 1,5."),
            "max_decimal_places": _("Indiquez au plus deux décimales."),
        },
    )
    outcome = forms.CharField(
        label=_("Résultat"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args,
        enrolment: Enrolment,
        may_read_restricted: bool,
        action: SupportAction | None = None,
        **kwargs,
    ):
        if action is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "domain": action.domain,
                "description": action.description,
                "partner_organisation": action.partner_organisation,
                "opened_on": action.opened_on,
                "closed_on": action.closed_on,
                "hours": action.hours,
                "outcome": action.outcome,
            }
        super().__init__(*args, **kwargs)
        self.enrolment = enrolment
        # Health is not even offered to whoever may not read health content.
        self.fields["domain"].choices = [("", _("— choisir un domaine —"))] + [
            (domain.value, domain.label)
            for domain in SupportDomain
            if may_read_restricted or domain not in RESTRICTED_DOMAINS
        ]
        if action is None:
            self.fields["opened_on"].initial = timezone.localdate()

    def clean_opened_on(self) -> datetime.date:
        day = self.cleaned_data["opened_on"]
        check_day(
            day,
            self.enrolment,
            before_entry=_("L'action ne peut pas précéder l'entrée en parcours (%(day)s)."),
        )
        return day

    def clean_hours(self) -> Decimal:
        hours = self.cleaned_data["hours"]
        return Decimal(0) if hours is None else hours

    def clean_closed_on(self) -> datetime.date | None:
        day = self.cleaned_data["closed_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("La date de clôture ne peut pas être dans le futur."))
        return day

    def clean(self):
        cleaned = super().clean()
        opened, closed = cleaned.get("opened_on"), cleaned.get("closed_on")
        if opened and closed and closed < opened:
            self.add_error("closed_on", _("La date de clôture doit suivre la date d'ouverture."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "domain": data["domain"],
            "description": data["description"].strip(),
            "partner_organisation": data["partner_organisation"].strip(),
            "opened_on": data["opened_on"],
            "closed_on": data["closed_on"],
            "hours": data["hours"],
            "outcome": data["outcome"].strip(),
        }


class ShareForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=_("Partager avec"),
        queryset=Membership.objects.none(),
        empty_label=_("— choisir une personne —"),
        help_text=_(
            "Un·e autre formateur·rice référent·e ou une personne de l'accueil de l'école."
        ),
        error_messages={
            "invalid_choice": _("Choisissez une personne de la liste."),
            "required": _("Choisissez la personne avec qui partager."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = candidates
        field.label_from_instance = lambda m: f"{m.user.get_full_name()} ({m.get_role_display()})"
