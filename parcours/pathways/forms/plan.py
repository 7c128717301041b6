"""Forms of the individual plan: the project, target jobs, goals and agreed steps.

A revision is one form and three formsets; a row left empty is ignored. ``PlanRevision``
bundles them and gives ``save_plan_version`` its arguments.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import GoalStatus, Plan
from .trainee import DateInput

#: Rows of each list: the current ones plus a few empty ones to add more.
EXTRA_ROWS = 3
MAX_ROWS = 30

ROME_CODE = re.compile(r"^[A-Z][0-9]{4}$")


class PlanForm(forms.Form):
    project = forms.CharField(
        label=_("Projet professionnel"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Le projet tel qu'il est formulé avec le ou la stagiaire."),
    )
    review_note = forms.CharField(
        label=_("Motif de la révision"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Indiquez le motif de la révision du plan.")},
    )

    def __init__(self, *args: Any, revising: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["review_note"].required = revising
        if revising:
            self.fields["review_note"].help_text = _(
                "Par exemple : bilan de fin de phase. La version précédente reste consultable."
            )

    def clean_project(self) -> str:
        return self.cleaned_data["project"].strip()

    def clean_review_note(self) -> str:
        note = self.cleaned_data["review_note"].strip()
        if self.fields["review_note"].required and not note:
            raise ValidationError(self.fields["review_note"].error_messages["required"])
        return note


class _RowForm(forms.Form):
    """A row of a list: empty rows are ignored, a row without its main text is refused."""

    MAIN: str = ""
    MAIN_MISSING: Any = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        filled = any(
            value not in (None, "")
            for name, value in cleaned.items()
            if name != "status"  # a status alone has its default value: not an entry
        )
        if filled and not cleaned.get(self.MAIN) and not self.has_error(self.MAIN):
            self.add_error(self.MAIN, self.MAIN_MISSING)
        return cleaned

    def row(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get(self.MAIN):
            return None
        return {name: data.get(name) for name in self.fields}


class TargetJobForm(_RowForm):
    MAIN = "title"
    MAIN_MISSING = _("Indiquez l'intitulé du métier visé.")

    title = forms.CharField(
        label=_("Métier visé"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("L'intitulé du métier : 200 caractères au plus.")},
    )
    rome_code = forms.CharField(
        label=_("Code ROME"),
        max_length=5,
        required=False,
        help_text=_("Une lettre et quatre chiffres, ex. N1103 (facultatif)."),
        error_messages={
            "max_length": _("Le code ROME s'écrit avec une lettre et quatre chiffres, ex. N1103.")
        },
        widget=forms.TextInput(attrs={"size": 6, "autocapitalize": "characters"}),
    )

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_rome_code(self) -> str:
        code = self.cleaned_data["rome_code"].strip().upper()
        if code and not ROME_CODE.match(code):
            raise ValidationError(
                _(
                    "Le code ROME « %(code)s » n'est pas valide : une lettre et quatre chiffres, "
                    "ex. N1103."
                )
                % {"code": code}
            )
        return code


class GoalForm(_RowForm):
    MAIN = "title"
    MAIN_MISSING = _("Indiquez l'intitulé de l'objectif.")

    title = forms.CharField(
        label=_("Objectif"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("L'intitulé de l'objectif : 300 caractères au plus.")},
    )
    due_on = forms.DateField(label=_("Échéance"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("État"), choices=GoalStatus.choices, initial=GoalStatus.TODO, required=False
    )

    def __init__(self, *args: Any, entry_date: datetime.date | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.entry_date = entry_date

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_due_on(self) -> datetime.date | None:
        due_on = self.cleaned_data["due_on"]
        if due_on and self.entry_date and due_on < self.entry_date:
            raise ValidationError(
                _("L'échéance ne peut pas précéder l'entrée en parcours (%(day)s).")
                % {"day": self.entry_date.strftime("%d/%m/%Y")}
            )
        return due_on

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or GoalStatus.TODO


class StepForm(_RowForm):
    MAIN = "description"
    MAIN_MISSING = _("Décrivez l'étape convenue.")

    description = forms.CharField(
        label=_("Étape convenue"),
        max_length=300,
        required=False,
        error_messages={"max_length": _("La description de l'étape : 300 caractères au plus.")},
    )
    agreed_on = forms.DateField(label=_("Convenue le"), required=False, widget=DateInput())

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()


def _formset(form: type[forms.Form]):
    return forms.formset_factory(
        form, extra=EXTRA_ROWS, max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
    )


TargetJobFormSet = _formset(TargetJobForm)
GoalFormSet = _formset(GoalForm)
StepFormSet = _formset(StepForm)


class PlanRevision:
    """The plan form and its three lists, bound together."""

    PREFIXES = {"jobs": TargetJobForm, "goals": GoalForm, "steps": StepForm}

    def __init__(
        self,
        data,
        *,
        revising: bool,
        entry_date: datetime.date,
        initial: dict[str, Any] | None = None,
    ):
        initial = initial or {}
        self.form = PlanForm(data, initial=initial.get("plan", {}), revising=revising)
        self.jobs = TargetJobFormSet(data, initial=initial.get("jobs", []), prefix="jobs")
        self.goals = GoalFormSet(
            data,
            initial=initial.get("goals", []),
            prefix="goals",
            form_kwargs={"entry_date": entry_date},
        )
        self.steps = StepFormSet(data, initial=initial.get("steps", []), prefix="steps")

    @staticmethod
    def initial_from_plan(plan: Plan | None) -> dict[str, Any]:
        """The form prefilled from a version (its lists prefetched)."""
        if plan is None:
            return {}
        return {
            "plan": {"project": plan.project},
            "jobs": [{"title": j.title, "rome_code": j.rome_code} for j in plan.target_jobs.all()],
            "goals": [
                {"title": g.title, "due_on": g.due_on, "status": g.status} for g in plan.goals.all()
            ],
            "steps": [
                {"description": s.description, "agreed_on": s.agreed_on} for s in plan.steps.all()
            ],
        }

    @classmethod
    def initial_from_post(cls, data) -> dict[str, Any]:
        """What was typed, as initial values (rows left empty are dropped): to add rows."""
        initial: dict[str, Any] = {
            "plan": {"project": data.get("project", ""), "review_note": data.get("review_note", "")}
        }
        for prefix, form_class in cls.PREFIXES.items():
            try:
                total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_ROWS)
            except ValueError:
                total = 0
            rows = []
            for index in range(max(total, 0)):
                row = {
                    name: data.get(f"{prefix}-{index}-{name}", "")
                    for name in form_class.base_fields
                }
                if any(value for name, value in row.items() if name != "status"):
                    rows.append(row)
            initial[prefix] = rows
        return initial

    def is_valid(self) -> bool:
        valid = all(
            [
                self.form.is_valid(),
                self.jobs.is_valid(),
                self.goals.is_valid(),
                self.steps.is_valid(),
            ]
        )
        if valid and not self.form.cleaned_data["project"] and not self.rows(self.jobs):
            self.form.add_error(
                None, _("Indiquez au moins le projet professionnel ou un métier visé.")
            )
            return False
        return valid

    @staticmethod
    def rows(formset) -> list[dict[str, Any]]:
        return [row for row in (form.row() for form in formset.forms) if row is not None]

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "project": self.form.cleaned_data["project"],
            "review_note": self.form.cleaned_data["review_note"],
            "target_jobs": self.rows(self.jobs),
            "goals": self.rows(self.goals),
            "steps": self.rows(self.steps),
        }
