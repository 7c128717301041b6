"""The period of the rates page: a calendar year (``?annee=``) or two dates (``?du=``/``?au=``,
dd/mm/yyyy or yyyy-mm-dd), and optionally one site (``?site=``)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Site

FIRST_YEAR = 2000
MAX_DAYS = 366 * 10  # ten years at most: the page stays readable and fast

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATE_ERRORS = {"invalid": _("Date invalide : écrivez-la jj/mm/aaaa.")}


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, site: Site) -> str:
        return site.name


class RatesPeriodForm(forms.Form):
    annee = forms.IntegerField(
        label=_("Année"),
        required=False,
        error_messages={"invalid": _("Année invalide : écrivez-la sur quatre chiffres.")},
    )
    du = forms.DateField(
        label=_("Du"), required=False, widget=DATE_WIDGET, error_messages=_DATE_ERRORS
    )
    au = forms.DateField(
        label=_("Au"), required=False, widget=DATE_WIDGET, error_messages=_DATE_ERRORS
    )
    site = SiteChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("Tous les sites"),
        error_messages={"invalid_choice": _("Ce site n'est pas un site de l'école.")},
    )

    def __init__(self, *args, sites, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["site"].queryset = sites

    def clean_annee(self) -> int | None:
        year = self.cleaned_data.get("annee")
        if year is not None and not FIRST_YEAR <= year <= self.today.year + 1:
            raise forms.ValidationError(
                gettext("Choisissez une année entre %(first)d et %(last)d.")
                % {"first": FIRST_YEAR, "last": self.today.year + 1}
            )
        return year

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if self.has_error("du") or self.has_error("au"):
            return cleaned
        if (start is None) != (end is None):
            self.add_error(
                "au" if end is None else "du",
                gettext("Indiquez les deux dates de la période (du … au …)."),
            )
        elif start is not None and end is not None:
            if end < start:
                self.add_error("au", gettext("La date de fin doit suivre la date de début."))
            elif start.year < FIRST_YEAR or end.year > self.today.year + 1:
                self.add_error(
                    None,
                    gettext("La période doit se situer entre %(first)d et %(last)d.")
                    % {"first": FIRST_YEAR, "last": self.today.year + 1},
                )
            elif (end - start).days > MAX_DAYS:
                self.add_error(None, gettext("La période ne peut dépasser dix ans."))
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date, int | None]:
        """The period chosen (a valid or an unbound form: this year), and its year when it is
        a calendar year."""
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("du") and data.get("au"):
            start, end = data["du"], data["au"]
            whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
            return start, end, start.year if whole_year and start.year == end.year else None
        year = data.get("annee") or self.today.year
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), year

    def chosen_site(self) -> Site | None:
        return (getattr(self, "cleaned_data", None) or {}).get("site")
