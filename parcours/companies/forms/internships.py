"""Forms of the internship screens: the internship (company first, then its contacts), its
goals, its cancellation, and the filters of the school's list.

The forms only check what a field needs (a date, a number, a choice of the list); the rules
(dates within the pathway, PMSMP, overlaps, minors' hours…) are the service's, whose French
message the view shows above the form.

Choosing the company comes first: the contact choices are those of the chosen company. Without
JavaScript, a small GET form (``?entreprise=<pk>``) chooses it and the page shows the full
form; with htmx, changing the company reloads the form with its contacts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership
from parcours.pathways import selectors_lists

from .. import selectors_internships as selectors
from ..models import CancelReason, Company, Internship, InternshipKind


def _required(message: str) -> dict:
    return {"required": message, "invalid_choice": message}


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contact) -> str:
        roles = contact.roles_display
        return f"{contact.full_name} ({roles})" if roles else contact.full_name


def _date_field(label, required_message: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": required_message, "invalid": _("Date invalide.")},
    )


class CompanyChoiceForm(forms.Form):
    """Step one (GET): which company; the page then shows the internship form."""

    entreprise = forms.ModelChoiceField(
        label=_("Entreprise"),
        queryset=None,
        empty_label=_("— choisissez l'entreprise —"),
        error_messages=_required(_("Choisissez une entreprise partenaire de l'école.")),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entreprise"].queryset = selectors.companies(membership)


class InternshipForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=InternshipKind.choices,
        initial=InternshipKind.INTERNSHIP,
        error_messages=_required(_("Choisissez le type : stage E2C ou PMSMP.")),
    )
    company = forms.ModelChoiceField(
        label=_("Entreprise"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages=_required(_("Choisissez une entreprise partenaire de l'école.")),
    )
    tutor = ContactChoiceField(
        label=_("Tuteur·rice"),
        queryset=None,
        empty_label=_("— choisissez —"),
        help_text=_("Un contact de l'entreprise marqué tuteur·rice."),
        error_messages=_required(_("Choisissez le ou la tuteur·rice parmi les contacts.")),
    )
    signatory = ContactChoiceField(
        label=_("Signataire de l'entreprise"),
        queryset=None,
        empty_label=_("— choisissez —"),
        help_text=_("Un contact de l'entreprise marqué signataire ; il peut être le tuteur."),
        error_messages=_required(_("Choisissez le ou la signataire parmi les contacts.")),
    )
    second_signatory = ContactChoiceField(
        label=_("Second·e signataire (facultatif)"),
        queryset=None,
        required=False,
        empty_label=_("— aucun·e —"),
        error_messages=_required(_("Choisissez le ou la signataire parmi les contacts.")),
    )
    prescriber = forms.ModelChoiceField(
        label=_("Prescripteur (PMSMP)"),
        queryset=None,
        required=False,
        empty_label=_("— aucun —"),
        help_text=_("Obligatoire pour une PMSMP : la structure qui la prescrit."),
        error_messages=_required(_("Choisissez un prescripteur partenaire de l'école.")),
    )
    job_title = forms.CharField(
        label=_("Poste occupé"),
        max_length=150,
        error_messages={
            "required": _("Indiquez le poste occupé."),
            "max_length": _("Le poste est limité à %(limit_value)d caractères."),
        },
    )
    rome_code = forms.CharField(
        label=_("Code ROME (facultatif)"),
        max_length=5,
        required=False,
        help_text=_("Une lettre et quatre chiffres, par exemple N1103."),
        error_messages={"max_length": _("Le code ROME a 5 caractères (ex. N1103).")},
    )
    start_date = _date_field(_("Date de début"), _("Indiquez la date de début."))
    end_date = _date_field(_("Date de fin"), _("Indiquez la date de fin."))
    weekly_hours = forms.DecimalField(
        label=_("Heures par semaine"),
        max_digits=4,
        decimal_places=1,
        help_text=_("De 1 à 48 ; 35 au plus pour un·e stagiaire mineur·e."),
        error_messages={
            "required": _("Indiquez les heures par semaine."),
            "invalid": _("Indiquez les heures par semaine (un nombre)."),
            "max_digits": _("Les heures par semaine vont de 1 à 48."),
            "max_decimal_places": _("Les heures par semaine s'indiquent au dixième près."),
            "max_whole_digits": _("Les heures par semaine vont de 1 à 48."),
        },
    )
    schedule = forms.CharField(
        label=_("Horaires (facultatif)"),
        max_length=255,
        required=False,
        help_text=Internship._meta.get_field("schedule").help_text,
        error_messages={"max_length": _("Les horaires sont limités à %(limit_value)d caractères.")},
    )
    tasks = forms.CharField(
        label=_("Activités confiées"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Indiquez les activités confiées."),
            "max_length": _("Les activités sont limitées à %(limit_value)d caractères."),
        },
    )

    def __init__(
        self,
        *args,
        membership: Membership,
        company: Company | None,
        internship: Internship | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.membership = membership
        companies = selectors.companies(membership)
        if internship is not None:  # its company stays possible even once archived
            companies = companies | selectors.school_companies_with_internships(membership).filter(
                pk=internship.company_id
            )
        self.fields["company"].queryset = companies
        if self.is_bound:
            company = selectors.get_company_choice(membership, self.data.get("company")) or (
                internship.company
                if internship and str(internship.company_id) == self.data.get("company")
                else None
            )
        self.company = company
        include = ()
        if internship is not None:
            include = (internship.tutor_id, internship.signatory_id, internship.second_signatory_id)
        contacts = selectors.company_contacts(company, include=include)
        self.fields["tutor"].queryset = contacts.filter(is_tutor=True)
        signatories = contacts.filter(is_signatory=True)
        self.fields["signatory"].queryset = signatories
        self.fields["second_signatory"].queryset = signatories
        self.fields["prescriber"].queryset = selectors.prescribers(membership)
        if not self.is_bound and company is not None:
            self.initial.setdefault("company", company.pk)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "kind",
                "company",
                "tutor",
                "signatory",
                "second_signatory",
                "prescriber",
                "job_title",
                "rome_code",
                "start_date",
                "end_date",
                "weekly_hours",
                "schedule",
                "tasks",
            )
        }


def initial_from(internship: Internship) -> dict[str, Any]:
    return {
        "kind": internship.kind,
        "company": internship.company_id,
        "tutor": internship.tutor_id,
        "signatory": internship.signatory_id,
        "second_signatory": internship.second_signatory_id,
        "prescriber": internship.prescriber_id,
        "job_title": internship.job_title,
        "rome_code": internship.rome_code,
        "start_date": internship.start_date,
        "end_date": internship.end_date,
        "weekly_hours": internship.weekly_hours,
        "schedule": internship.schedule,
        "tasks": internship.tasks,
    }


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif de l'annulation"),
        choices=[("", _("— choisissez —")), *CancelReason.choices],
        error_messages=_required(_("Choisissez le motif d'annulation dans la liste.")),
    )
    confirmed = forms.BooleanField(
        label=_("Je confirme l'annulation de ce stage"),
        required=False,
    )


class GoalsForm(forms.Form):
    """One checkbox per competency of the trainee's framework, with an optional wording."""

    def __init__(self, *args, competencies: list, current: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        for competency in competencies:
            self.fields[f"c{competency.pk}"] = forms.BooleanField(
                label=str(competency), required=False, initial=competency.pk in current
            )
            self.fields[f"d{competency.pk}"] = forms.CharField(
                label=_("Objectif pour « %(code)s » (facultatif)") % {"code": competency.code},
                max_length=255,
                required=False,
                initial=current.get(competency.pk, ""),
                error_messages={
                    "max_length": _("Un objectif est limité à %(limit_value)d caractères.")
                },
            )

    def rows(self) -> list[dict]:
        """For the template: area, checkbox and wording of each competency, in order."""
        return [
            {
                "competency": competency,
                "checkbox": self[f"c{competency.pk}"],
                "description": self[f"d{competency.pk}"],
            }
            for competency in self.competencies
        ]

    def chosen(self) -> list[tuple]:
        data = self.cleaned_data
        return [
            (competency, data.get(f"d{competency.pk}", ""))
            for competency in self.competencies
            if data.get(f"c{competency.pk}")
        ]


class InternshipFilterForm(forms.Form):
    """Filters of the school's list (GET; a refused value is ignored, with its message)."""

    statut = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[
            ("", _("Tous")),
            (selectors.STATUS_PLANNED, _("À venir")),
            (selectors.STATUS_ONGOING, _("En cours")),
            (selectors.STATUS_FINISHED, _("Terminés")),
            (selectors.STATUS_CANCELLED, _("Annulés")),
        ],
        error_messages={"invalid_choice": _("Statut inconnu : choisissez-en un de la liste.")},
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Tous")), *InternshipKind.choices],
        error_messages={"invalid_choice": _("Type inconnu : stage E2C ou PMSMP.")},
    )
    entreprise = forms.ModelChoiceField(
        label=_("Entreprise"),
        queryset=None,
        required=False,
        empty_label=_("Toutes les entreprises"),
        error_messages={
            "invalid_choice": _("Cette entreprise n'est pas une entreprise de l'école.")
        },
    )
    referent = forms.ModelChoiceField(
        label=_("Référent·e"),
        queryset=None,
        required=False,
        empty_label=_("Tous les référents"),
        error_messages={"invalid_choice": _("Ce référent n'est pas un membre de l'école.")},
    )
    convention_incomplete = forms.BooleanField(label=_("Convention incomplète"), required=False)
    bilan_attendu = forms.BooleanField(label=_("Bilan attendu"), required=False)

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entreprise"].queryset = selectors.school_companies_with_internships(membership)
        referents = selectors_lists.referents(membership)
        self.fields["referent"].queryset = referents
        self.fields["referent"].label_from_instance = lambda m: (
            m.user.get_full_name() or m.user.email
        )

    def _value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def audit_filters(self) -> dict[str, Any]:
        """The applied filters as codes and ids, for the audit log."""
        filters: dict[str, Any] = {}
        for name in ("statut", "type"):
            if value := self._value(name):
                filters[name] = value
        for name in ("entreprise", "referent"):
            if value := self._value(name):
                filters[name] = value.pk
        for name in ("convention_incomplete", "bilan_attendu"):
            if self._value(name):
                filters[name] = True
        return filters

    def apply(self, internships):
        return selectors.filter_internships(
            internships,
            status=self._value("statut") or "",
            kind=self._value("type") or "",
            company=self._value("entreprise"),
            referent=self._value("referent"),
            incomplete_agreement=bool(self._value("convention_incomplete")),
            review_expected=bool(self._value("bilan_attendu")),
        )
