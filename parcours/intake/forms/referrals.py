"""Forms of referrals (candidacies): submission by a prescriber, recording by the intake team,
interview, decision and entry. Field-level checks only, in French; the services check again
what concerns the whole record (eligibility, order of dates, who may do what).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.fields import ModelMultipleChoiceField
from parcours.organisations.models import Membership
from parcours.pathways.models import POLITIQUE_VILLE, EntrySituation, FundingLine
from parcours.people.models import Gender
from parcours.people.phones import normalise_phone

from ..models import Channel, Outcome, Referral, Stage

#: The value of ``person_choice`` meaning "not one of the people proposed: create a new one".
NEW_PERSON = "new"

_QPV_CODE = re.compile(r"^[A-Z0-9]{4,10}$")
_POSTCODE = re.compile(r"^[0-9]{5}$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _today() -> datetime.date:
    return timezone.localdate()


def _not_future(value: datetime.date | None, message: str) -> datetime.date | None:
    if value and value > _today():
        raise ValidationError(message)
    return value


def clean_qpv_code(raw: str) -> str:
    code = (raw or "").strip().upper().replace(" ", "")
    if code and not _QPV_CODE.match(code):
        raise ValidationError(
            _("Le code QPV ne contient que des lettres et des chiffres (ex. QN06301M).")
        )
    return code


class FieldsetsMixin:
    """``fieldsets()`` groups the visible fields under legends for the templates."""

    fieldset_layout: list[tuple[Any, list[str]]] = []

    def fieldsets(self) -> list[tuple[Any, list]]:
        groups = []
        for legend, names in self.fieldset_layout:
            fields = [self[name] for name in names if name in self.fields]  # type: ignore[index]
            if fields:
                groups.append((legend, fields))
        return groups


# ------------------------------------------------------------------------------ referrals


class ReferralSubmitForm(FieldsetsMixin, forms.Form):
    """A prescriber's referral: the person, their situation, the reason and the scheme."""

    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    birth_date = forms.DateField(label=_("Date de naissance"), widget=DateInput())
    gender = forms.ChoiceField(label=_("Sexe"), choices=[("", "—"), *Gender.choices])
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        help_text=_("Un téléphone ou une adresse e-mail au moins, pour inviter la personne."),
    )
    job_seeker_status = forms.ChoiceField(
        label=_("Situation"),
        choices=[("", "—"), *Referral._meta.get_field("job_seeker_status").choices],
    )
    left_school_on = forms.DateField(
        label=_("Sortie du système scolaire le"),
        widget=DateInput(),
        help_text=_("Une date approchée suffit (ex. fin juin de la dernière année scolaire)."),
    )
    in_employment_or_training = forms.BooleanField(
        label=_("Actuellement en emploi ou en formation"), required=False
    )
    qpv_code = forms.CharField(
        label=_("Code QPV"),
        max_length=10,
        required=False,
        help_text=_("Si la personne habite un quartier prioritaire (ex. QN06301M)."),
    )
    reason = forms.CharField(
        label=_("Motif de l'orientation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    funding_line = forms.ModelChoiceField(
        label=_("Dispositif"),
        queryset=FundingLine.objects.none(),
        required=False,
        empty_label=_("Aucun"),
        help_text=_("Le dispositif dont relève l'orientation, s'il y en a un."),
    )
    #: Set when the page proposed existing people: the pk of the one chosen, or ``NEW_PERSON``.
    person_choice = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    fieldset_layout = [
        (_("Identité"), ["last_name", "first_name", "birth_date", "gender"]),
        (_("Contact"), ["email", "phone"]),
        (
            _("Situation"),
            ["job_seeker_status", "left_school_on", "in_employment_or_training", "qpv_code"],
        ),
        (_("Orientation"), ["channel", "received_on", "prescriber", "adviser"]),
        (_("Motif et dispositif"), ["reason", "funding_line"]),
    ]

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["funding_line"].queryset = FundingLine.objects.filter(
            referral_choice=True, active=True
        ).order_by("name")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_birth_date(self) -> datetime.date:
        birth_date = self.cleaned_data["birth_date"]
        _not_future(birth_date, _("La date de naissance ne peut pas être dans le futur."))
        if birth_date <= datetime.date(1900, 1, 1):
            raise ValidationError(_("Cette date de naissance n'est pas plausible."))
        return birth_date

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_left_school_on(self) -> datetime.date:
        return _not_future(
            self.cleaned_data["left_school_on"],
            _("La date de sortie du système scolaire ne peut pas être future."),
        )

    def clean_qpv_code(self) -> str:
        return clean_qpv_code(self.cleaned_data["qpv_code"])

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def clean(self):
        cleaned = super().clean()
        no_contact = not cleaned.get("email") and not cleaned.get("phone")
        if no_contact and not self.has_error("phone") and not self.has_error("email"):
            self.add_error(
                "phone",
                _("Indiquez un téléphone ou une adresse e-mail pour contacter la personne."),
            )
        birth_date, left = cleaned.get("birth_date"), cleaned.get("left_school_on")
        if birth_date and left and left < birth_date:
            self.add_error(
                "left_school_on",
                _("La date de sortie du système scolaire précède la date de naissance."),
            )
        return cleaned

    # What the views hand to the services.

    def identity(self) -> dict[str, Any]:
        """What ``find_duplicates`` compares."""
        data = self.cleaned_data
        return {
            "last_name": data["last_name"],
            "first_name": data["first_name"],
            "birth_date": data["birth_date"],
            "email": data["email"],
            "phone": data["phone"],
        }

    def person_fields(self) -> dict[str, Any]:
        return {**self.identity(), "gender": self.cleaned_data["gender"]}

    def referral_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "channel": Channel.ONLINE,
            "received_on": _today(),
            "reason": data["reason"],
            "funding_line": data["funding_line"],
            "job_seeker_status": data["job_seeker_status"],
            "left_school_on": data["left_school_on"],
            "in_employment_or_training": data["in_employment_or_training"],
            "qpv_code": data["qpv_code"],
        }


class AdviserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.get_full_name()} ({obj.partner.name})"


STAFF_CHANNELS = [Channel.PHONE, Channel.MAIL, Channel.SPONTANEOUS]


class ReferralCreateForm(ReferralSubmitForm):
    """A referral recorded by the intake team (by phone, mail) or a spontaneous application."""

    channel = forms.ChoiceField(
        label=_("Canal"), choices=[(c.value, c.label) for c in STAFF_CHANNELS]
    )
    received_on = forms.DateField(label=_("Reçue le"), widget=DateInput())
    prescriber = forms.ModelChoiceField(
        label=_("Prescripteur"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("Obligatoire, sauf pour une candidature spontanée."),
    )
    adviser = AdviserChoiceField(
        label=_("Conseiller·e qui suit l'orientation"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("Facultatif : un compte prescripteur de ce partenaire, informé des décisions."),
    )

    def __init__(self, *args, partners, advisers, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", _today())
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields["prescriber"].queryset = partners
        self.fields["adviser"].queryset = advisers
        self.order_fields(
            ["channel", "received_on", "prescriber", "adviser", *self.base_fields.keys()]
        )

    def clean_received_on(self) -> datetime.date:
        return _not_future(
            self.cleaned_data["received_on"],
            _("La date de réception ne peut pas être dans le futur."),
        )

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel")
        prescriber, adviser = cleaned.get("prescriber"), cleaned.get("adviser")
        if channel == Channel.SPONTANEOUS:
            if prescriber or adviser:
                self.add_error(
                    "prescriber", _("Une candidature spontanée n'a pas de prescripteur.")
                )
        elif channel and prescriber is None and not self.has_error("prescriber"):
            self.add_error(
                "prescriber",
                _("Indiquez le prescripteur, ou choisissez « candidature spontanée »."),
            )
        if prescriber and adviser and adviser.partner_id != prescriber.pk:
            self.add_error("adviser", _("Ce conseiller ne fait pas partie de ce prescripteur."))
        return cleaned

    def referral_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **super().referral_kwargs(),
            "channel": data["channel"],
            "received_on": data["received_on"],
            "prescriber": data["prescriber"],
            "adviser": data["adviser"],
        }


# ----------------------------------------------------------------------------- interview


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.get_full_name()} ({obj.get_role_display()})"


class InterviewForm(forms.Form):
    held_on = forms.DateField(label=_("Date de l'entretien"), widget=DateInput())
    held_time = forms.TimeField(label=_("Heure"), widget=TimeInput())
    interviewer = StaffChoiceField(label=_("Mené par"), queryset=None, empty_label="—")
    notes = forms.CharField(
        label=_("Notes d'entretien"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Réservées à l'équipe de l'école : jamais transmises au prescripteur."),
    )

    def __init__(self, *args, interviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interviewer"].queryset = interviewers

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("held_on"), cleaned.get("held_time")
        if day and time:
            held_at = timezone.make_aware(datetime.datetime.combine(day, time))
            if held_at > timezone.now():
                self.add_error(
                    "held_on", _("Un entretien se saisit une fois réalisé : pas de date future.")
                )
            cleaned["held_at"] = held_at
        return cleaned


# ------------------------------------------------------------------------------ decision


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Décision"), choices=[("", "—"), *Outcome.choices])
    decided_on = forms.DateField(label=_("Date de la décision"), widget=DateInput())
    planned_entry_date = forms.DateField(
        label=_("Date d'entrée prévue"),
        widget=DateInput(),
        required=False,
        help_text=_("Pour une admission. L'éligibilité est vérifiée à cette date."),
    )
    site = forms.ModelChoiceField(
        label=_("Site d'entrée"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=_("Pour une admission."),
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Obligatoire pour un refus ou un report. Réservé à l'équipe : jamais transmis au "
            "prescripteur."
        ),
    )
    override_reason = forms.CharField(
        label=_("Motif de la dérogation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Seulement pour admettre une personne qui ne remplit pas un critère d'éligibilité. "
            "La dérogation est enregistrée et tracée."
        ),
    )

    def __init__(self, *args, sites, can_override: bool, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("decided_on", _today())
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if not can_override:
            del self.fields["override_reason"]

    def clean_decided_on(self) -> datetime.date:
        return _not_future(
            self.cleaned_data["decided_on"],
            _("La date de décision ne peut pas être dans le futur."),
        )

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def clean_override_reason(self) -> str:
        return self.cleaned_data["override_reason"].strip()

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        planned, decided = cleaned.get("planned_entry_date"), cleaned.get("decided_on")
        if outcome == Outcome.ADMITTED:
            if planned is None and not self.has_error("planned_entry_date"):
                self.add_error(
                    "planned_entry_date", _("Indiquez la date d'entrée prévue de l'admission.")
                )
            if cleaned.get("site") is None and not self.has_error("site"):
                self.add_error("site", _("Indiquez le site d'entrée de l'admission."))
            if planned and decided and planned < decided:
                self.add_error(
                    "planned_entry_date", _("L'entrée prévue ne peut pas précéder la décision.")
                )
        elif (
            outcome in (Outcome.REFUSED, Outcome.POSTPONED)
            and not cleaned.get("reason")
            and not self.has_error("reason")
        ):
            self.add_error("reason", _("Indiquez le motif de la décision."))
        return cleaned

    def confirm_key(self) -> str:
        """What the confirmation button of an admission carries: the checked date and site."""
        data = self.cleaned_data
        return f"{data['outcome']}:{data['planned_entry_date']:%Y-%m-%d}:{data['site'].pk}"

    def decide_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "decided_on": data["decided_on"],
            "planned_entry_date": data["planned_entry_date"],
            "site": data["site"],
            "reason": data["reason"],
            "override_reason": data.get("override_reason", ""),
        }


# --------------------------------------------------------------------------------- entry

SITUATION_FIELDS = [
    "gender",
    "birth_date",
    "address",
    "postcode",
    "commune",
    "qpv_code",
    "qpv_checked_on",
    "diploma_level",
    "left_school_on",
    "job_seeker_status",
    "rqth",
    "receives_rsa",
    "driving_licence",
    "jobless_household",
    "single_parent",
    "homeless",
    "foreign_origin",
]


class EntryForm(FieldsetsMixin, forms.ModelForm):
    """The entry of an admitted candidate: the enrolment and the situation at entry."""

    entry_date = forms.DateField(label=_("Date d'entrée"), widget=DateInput())
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, empty_label=None)
    referent = StaffChoiceField(
        label=_("Référent·e"),
        queryset=None,
        required=False,
        empty_label=_("— à désigner plus tard —"),
    )
    funding_lines = ModelMultipleChoiceField(
        label=_("Autres dispositifs"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Le dispositif indiqué à l'orientation (PLIE, CEJ) est repris automatiquement, et la "
            "politique de la ville est ajoutée d'office quand un code QPV est saisi."
        ),
    )

    fieldset_layout = [
        (_("Entrée"), ["entry_date", "site", "referent", "funding_lines"]),
        (
            _("Identité et adresse"),
            [
                "gender",
                "birth_date",
                "address",
                "postcode",
                "commune",
                "qpv_code",
                "qpv_checked_on",
            ],
        ),
        (
            _("Situation à l'entrée"),
            [
                "diploma_level",
                "left_school_on",
                "job_seeker_status",
                "rqth",
                "receives_rsa",
                "driving_licence",
            ],
        ),
        (
            _("Questions du FSE+ (« ne souhaite pas répondre » est une réponse admise)"),
            ["jobless_household", "single_parent", "homeless", "foreign_origin"],
        ),
    ]

    class Meta:
        model = EntrySituation
        fields = SITUATION_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "qpv_checked_on": DateInput(),
            "left_school_on": DateInput(),
        }

    def __init__(self, *args, sites, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["referent"].queryset = referents
        self.fields["funding_lines"].queryset = (
            FundingLine.objects.filter(active=True, referral_choice=False)
            .exclude(code=POLITIQUE_VILLE)
            .order_by("name")
        )
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric", "pattern": "[0-9]{5}"})
        for field in self.fields.values():  # the blank choice reads "—", as on the other forms
            if isinstance(field, forms.TypedChoiceField) and field.choices[0][0] == "":
                field.choices = [("", "—"), *field.choices[1:]]
        self.order_fields(["entry_date", "site", "referent", "funding_lines", *SITUATION_FIELDS])

    def clean_birth_date(self) -> datetime.date:
        return _not_future(
            self.cleaned_data["birth_date"],
            _("La date de naissance ne peut pas être dans le futur."),
        )

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if not _POSTCODE.match(postcode):
            raise ValidationError(_("Le code postal doit compter 5 chiffres."))
        return postcode

    def clean_qpv_code(self) -> str:
        return clean_qpv_code(self.cleaned_data["qpv_code"])

    def clean_qpv_checked_on(self) -> datetime.date | None:
        return _not_future(
            self.cleaned_data["qpv_checked_on"],
            _("La date de vérification du statut QPV ne peut pas être future."),
        )

    def clean_left_school_on(self) -> datetime.date | None:
        return _not_future(
            self.cleaned_data["left_school_on"],
            _("La date de sortie du système scolaire ne peut pas être future."),
        )

    def clean(self):
        cleaned = super().clean()
        unchecked = cleaned.get("qpv_code") and not cleaned.get("qpv_checked_on")
        if unchecked and not self.has_error("qpv_checked_on"):
            self.add_error(
                "qpv_checked_on", _("Indiquez la date à laquelle le statut QPV a été vérifié.")
            )
        birth_date, left = cleaned.get("birth_date"), cleaned.get("left_school_on")
        if birth_date and left and left < birth_date:
            self.add_error(
                "left_school_on",
                _("La date de sortie du système scolaire précède la date de naissance."),
            )
        return cleaned

    def situation(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SITUATION_FIELDS}


# ------------------------------------------------------------------- candidate list, page


class ReferralFilterForm(forms.Form):
    """Search and filters of the candidates list (GET): invalid values are simply ignored."""

    q = forms.CharField(label=_("Nom"), max_length=100, required=False)
    stage = forms.ChoiceField(label=_("Étape"), choices=[], required=False)
    outcome = forms.ChoiceField(label=_("Décision"), choices=[], required=False)
    prescriber = forms.ChoiceField(label=_("Prescripteur"), choices=[], required=False)

    NO_OUTCOME = "none"
    SPONTANEOUS = "spontaneous"

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("Toutes")), *Stage.choices]
        self.fields["outcome"].choices = [
            ("", _("Toutes")),
            (self.NO_OUTCOME, _("Sans décision")),
            *Outcome.choices,
        ]
        self.fields["prescriber"].choices = [
            ("", _("Tous")),
            (self.SPONTANEOUS, _("Candidatures spontanées")),
            *((str(p.pk), p.name) for p in partners),
        ]

    def filter(self, referrals):
        if not self.is_valid():
            return referrals
        data = self.cleaned_data
        for word in data["q"].split()[:4]:
            referrals = referrals.filter(
                Q(person__last_name__icontains=word) | Q(person__first_name__icontains=word)
            )
        if data["stage"]:
            referrals = referrals.filter(stage=data["stage"])
        if data["outcome"] == self.NO_OUTCOME:
            referrals = referrals.filter(outcome="")
        elif data["outcome"]:
            referrals = referrals.filter(outcome=data["outcome"])
        if data["prescriber"] == self.SPONTANEOUS:
            referrals = referrals.filter(prescriber__isnull=True)
        elif data["prescriber"]:
            referrals = referrals.filter(prescriber_id=int(data["prescriber"]))
        return referrals

    def audit_filters(self) -> dict:
        """The applied filters as codes and ids, for the audit log (the search text is a name:
        only whether there was one is kept). Call after ``filter()`` on a valid form."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        filters: dict = {name: data[name] for name in ("stage", "outcome") if data[name]}
        if prescriber := data["prescriber"]:
            spontaneous = prescriber == self.SPONTANEOUS
            filters["prescriber"] = prescriber if spontaneous else int(prescriber)
        if data["q"].strip():
            filters["search"] = True
        return filters


class EligibilityDateForm(forms.Form):
    """The candidate page checks eligibility on another day when asked (``?date=``)."""

    date = forms.DateField(label=_("Vérifier à la date du"), widget=DateInput(), required=False)
