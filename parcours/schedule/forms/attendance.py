"""Forms of the attendance screens: the sheet (one row per trainee), the choice of a day
sheet, closing and reopening a month. The rules are the services' (services_attendance)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Site

from ..models import AbsenceReason, AttendanceStatus, Half
from ..selectors_attendance import SheetRow
from ..services_attendance import CORRECTION_REASONS, REOPEN_REASONS, parse_month


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MonthInput(forms.TextInput):
    """A native month picker; the value travels as ``YYYY-MM``."""

    input_type = "month"


class AttendanceSheetForm(forms.Form):
    """One status (radio buttons) and one absence reason per trainee; present by default.

    ``marks()`` returns only the rows the user changed, so the marks nobody touched stay as
    they are (a day in company is not overwritten)."""

    correction_reason = forms.ChoiceField(
        label=_("Motif de la correction"),
        choices=[("", "—"), *CORRECTION_REASONS],
        required=False,
        help_text=_("Obligatoire pour changer l'émargement d'un jour passé."),
    )

    def __init__(self, *args: Any, rows: Sequence[SheetRow], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            pk = row.enrolment.pk
            name = row.enrolment.person.full_name
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                label=name,
                choices=AttendanceStatus.choices,
                initial=row.status,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choisissez une présence."),
                    "invalid_choice": _("Choisissez une présence de la liste."),
                },
            )
            self.fields[f"reason_{pk}"] = forms.ChoiceField(
                label=_("Motif d'absence de %(name)s") % {"name": name},
                choices=[("", "—"), *AbsenceReason.choices],
                initial=row.reason,
                required=False,
                error_messages={"invalid_choice": _("Choisissez un motif de la liste.")},
            )

    def table(self) -> list[dict[str, Any]]:
        """What the template shows per row: the trainee, their fields, other half-days."""
        return [
            {
                "row": row,
                "status": self[f"status_{row.enrolment.pk}"],
                "reason": self[f"reason_{row.enrolment.pk}"],
            }
            for row in self.rows
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in self.rows:
            pk = row.enrolment.pk
            status = data.get(f"status_{pk}")
            if status == AttendanceStatus.EXCUSED and not data.get(f"reason_{pk}"):
                self.add_error(
                    f"reason_{pk}",
                    _("Indiquez le motif de l'absence justifiée (maladie, rendez-vous…)."),
                )
        return data

    def marks(self, *, all_present: bool = False) -> dict[int, tuple[str, str]]:
        """The changed rows as ``{enrolment id: (status, reason)}``; with ``all_present``,
        every trainee who is not in company or on holiday becomes present."""
        result = {}
        for row in self.rows:
            pk = row.enrolment.pk
            if all_present:
                wanted = (
                    (row.status, row.reason)
                    if row.status in (AttendanceStatus.COMPANY, AttendanceStatus.HOLIDAY)
                    else (AttendanceStatus.PRESENT.value, "")
                )
            else:
                status = self.cleaned_data[f"status_{pk}"]
                reason = self.cleaned_data.get(f"reason_{pk}") or ""
                wanted = (status, reason if status == AttendanceStatus.EXCUSED else "")
            if wanted != (row.status, row.reason):
                result[pk] = wanted
        return result


class DaySheetChoiceForm(forms.Form):
    """Which day sheet: a site, a day, a half-day (GET parameters)."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=None)
    jour = forms.DateField(label=_("Jour"), widget=DateInput())
    demi = forms.ChoiceField(label=_("Demi-journée"), choices=Half.choices)

    def __init__(self, *args: Any, sites, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class MonthForm(forms.Form):
    mois = forms.CharField(
        label=_("Mois"),
        widget=MonthInput(),
        help_text=_("Au format AAAA-MM, par exemple 2024-03."),
        error_messages={"required": _("Choisissez un mois.")},
    )

    def clean_mois(self) -> datetime.date:
        month = parse_month(self.cleaned_data["mois"])
        if month is None:
            raise forms.ValidationError(_("Mois invalide : indiquez-le au format AAAA-MM."))
        return month

    @staticmethod
    def current_key() -> str:
        return timezone.localdate().strftime("%Y-%m")


class MonthReopenForm(MonthForm):
    reason = forms.ChoiceField(
        label=_("Motif de la réouverture"),
        choices=[("", "—"), *REOPEN_REASONS],
        error_messages={"required": _("Indiquez pourquoi le mois est rouvert.")},
    )
