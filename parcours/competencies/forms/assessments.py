"""Forms of the entry positioning, of one assessment with its evidence, and of a correction.

The forms check the shape of the input; the services check the rules (scale, dates, framework)
and give the French messages of refused writes.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.pathways import services as pathway_services
from parcours.pathways.forms.documents import DateInput, size_limit_message

from ..models import AssessmentContext

LEVEL_ERRORS = {
    "required": _("Choisissez un niveau."),
    "invalid_choice": _("Choisissez un niveau de l'échelle du référentiel."),
}


def level_choices(scale, *, empty: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(level.value), f"{level.value} — {level.label}") for level in scale]
    return [("", empty), *choices] if empty else choices


def context_choices() -> list[tuple[str, str]]:
    return [(c.value, c.label) for c in AssessmentContext if c != AssessmentContext.POSITIONING]


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez la date."),
            "invalid": _("Saisissez une date valide (jj/mm/aaaa)."),
        },
    )


class PositioningForm(forms.Form):
    """A level for every competency of the framework, and the day of the positioning."""

    def __init__(self, *args, competencies, scale, entry_date: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = list(competencies)
        self.fields["assessed_on"] = _date_field(_("Date du positionnement"))
        self.fields["assessed_on"].initial = entry_date
        choices = level_choices(scale, empty=_("— choisir un niveau —"))
        for competency in self.competencies:
            self.fields[f"level_{competency.pk}"] = forms.ChoiceField(
                label=f"{competency.code} — {competency.title}",
                choices=choices,
                error_messages=LEVEL_ERRORS,
            )

    def level_fields(self):
        return [self[f"level_{competency.pk}"] for competency in self.competencies]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "levels": {c.pk: int(data[f"level_{c.pk}"]) for c in self.competencies},
            "assessed_on": data["assessed_on"],
        }


class EvidenceFields(forms.Form):
    """The evidence part of an assessment form: a note, a link and/or a file."""

    note = forms.CharField(
        label=_("Observation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce qui a été observé, en quelques phrases (facultatif)."),
    )
    url = forms.CharField(
        label=_("Lien"),
        required=False,
        max_length=500,
        help_text=_("Adresse web d'une production (facultatif), commençant par https://."),
    )
    file = forms.FileField(
        label=_("Fichier"),
        required=False,
        max_length=255,
        help_text=_("PDF, JPEG, PNG, DOCX ou ODT, 10 Mo au plus (facultatif)."),
        error_messages={
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été reçu : vérifiez le formulaire."),
        },
    )

    def __init__(self, *args, oversize: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversize = oversize

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if self.oversize:
            raise forms.ValidationError(size_limit_message())
        if uploaded:
            try:
                pathway_services.check_upload(uploaded)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.messages) from error
        return uploaded or None

    def evidence_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"note": data["note"], "url": data["url"], "uploaded": data["file"]}


class AssessmentForm(EvidenceFields):
    field_order = ["competency", "level", "context", "assessed_on", "note", "url", "file"]

    def __init__(self, *args, competencies, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = {str(c.pk): c for c in competencies}
        self.fields["competency"] = forms.ChoiceField(
            label=_("Compétence"),
            choices=[("", _("— choisir une compétence —"))]
            + [(key, f"{c.code} — {c.title}") for key, c in self.competencies.items()],
            error_messages={
                "required": _("Choisissez la compétence évaluée."),
                "invalid_choice": _("Choisissez une compétence du référentiel de ce parcours."),
            },
        )
        self.fields["level"] = forms.ChoiceField(
            label=_("Niveau atteint"),
            choices=level_choices(scale, empty=_("— choisir un niveau —")),
            error_messages=LEVEL_ERRORS,
        )
        self.fields["context"] = forms.ChoiceField(
            label=_("Contexte"),
            choices=context_choices(),
            error_messages={"invalid_choice": _("Choisissez un contexte de la liste.")},
        )
        self.fields["assessed_on"] = _date_field(_("Date de l'évaluation"))
        self.fields["assessed_on"].initial = timezone.localdate()
        self.order_fields(self.field_order)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "competency": self.competencies[data["competency"]],
            "level": int(data["level"]),
            "context": data["context"],
            "assessed_on": data["assessed_on"],
            **self.evidence_kwargs(),
        }


class CorrectionForm(EvidenceFields):
    field_order = ["level", "context", "assessed_on", "reason", "note", "url", "file"]

    def __init__(self, *args, assessment, scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.fields["level"] = forms.ChoiceField(
            label=_("Niveau corrigé"),
            choices=level_choices(scale),
            initial=str(assessment.level),
            error_messages=LEVEL_ERRORS,
        )
        if assessment.kind != "positioning":
            self.fields["context"] = forms.ChoiceField(
                label=_("Contexte"),
                choices=context_choices(),
                initial=assessment.context,
                error_messages={"invalid_choice": _("Choisissez un contexte de la liste.")},
            )
        self.fields["assessed_on"] = _date_field(_("Date"))
        self.fields["assessed_on"].initial = assessment.assessed_on
        self.fields["reason"] = forms.CharField(
            label=_("Motif de la correction"),
            max_length=300,
            error_messages={"required": _("Indiquez le motif de la correction.")},
            help_text=_("Pourquoi la ligne d'origine est corrigée (elle reste visible)."),
        )
        self.order_fields(self.field_order)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "level": int(data["level"]),
            "context": data.get("context"),
            "assessed_on": data["assessed_on"],
            "reason": data["reason"],
            **self.evidence_kwargs(),
        }


class GroupGridFilterForm(forms.Form):
    """The group grid's choice (GET): one competency of the school's framework, and the
    trainees (site, referent, phase)."""

    competency = forms.ChoiceField(
        label=_("Compétence"),
        required=False,
        error_messages={"invalid_choice": _("Choisissez une compétence du référentiel en usage.")},
    )
    site = forms.ChoiceField(
        label=_("Site"),
        required=False,
        error_messages={"invalid_choice": _("Ce site n'est pas un site de l'école.")},
    )
    referent = forms.ChoiceField(
        label=_("Référent·e"),
        required=False,
        error_messages={"invalid_choice": _("Ce référent n'est pas un membre de l'école.")},
    )
    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        error_messages={"invalid_choice": _("Cette phase n'est pas une phase de l'école.")},
    )

    def __init__(self, *args, competencies, sites, referents, phases, **kwargs):
        super().__init__(*args, **kwargs)
        self.objects = {
            "competency": {str(c.pk): c for c in competencies},
            "site": {str(s.pk): s for s in sites},
            "referent": {str(m.pk): m for m in referents},
            "phase": {str(p.pk): p for p in phases},
        }
        self.fields["competency"].choices = [("", _("— choisir une compétence —"))] + [
            (key, f"{c.code} — {c.title}") for key, c in self.objects["competency"].items()
        ]
        self.fields["site"].choices = [("", _("Tous les sites"))] + [
            (key, s.name) for key, s in self.objects["site"].items()
        ]
        self.fields["referent"].choices = [("", _("Tous les référents"))] + [
            (key, m.user.get_full_name() or m.user.email)
            for key, m in self.objects["referent"].items()
        ]
        self.fields["phase"].choices = [("", _("Toutes les phases"))] + [
            (key, p.name) for key, p in self.objects["phase"].items()
        ]

    def chosen(self, name: str):
        """The object chosen for ``name`` (None when empty or not a valid choice)."""
        return self.objects[name].get(self.data.get(name) or "")
