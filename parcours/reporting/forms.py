"""The period of a report, read from the address: ``?annee=`` (a calendar year, this year by
default) or ``?du=``/``?au=`` (dd/mm/yyyy or yyyy-mm-dd), and optionally ``?site=`` (one of the
school's sites).

The rules are the rates page's (``outcomes.forms.rates.RatesPeriodForm``, reused as is: same
bounds, same French messages); this form only turns the choice into a :class:`Period`.
"""

from __future__ import annotations

from parcours.organisations.models import Site
from parcours.outcomes.forms.rates import RatesPeriodForm

from .periods import Period

__all__ = ["ReportPeriodForm"]


class ReportPeriodForm(RatesPeriodForm):
    """A bound form with errors is a bad request (the views answer 400 with its messages)."""

    def report_period(self) -> Period:
        """The period chosen (this calendar year for an unbound form)."""
        start, end, _year = self.period()
        return Period(start, end)

    def report_site(self) -> Site | None:
        return self.chosen_site()

    def error_messages(self) -> list[str]:
        """Every error in one list, field errors first (for the PDF and XLSX answers)."""
        messages: list[str] = []
        for name, errors in self.errors.items():
            if name == "__all__":
                continue
            label = self.fields[name].label
            messages.extend(f"{label} : {error}" for error in errors)
        messages.extend(self.non_field_errors())
        return messages

    def query(self) -> str:
        """The cleaned period as query parameters (for the links to the PDF and XLSX)."""
        data = getattr(self, "cleaned_data", None) or {}
        parts = []
        if data.get("du") and data.get("au"):
            parts += [f"du={data['du']:%Y-%m-%d}", f"au={data['au']:%Y-%m-%d}"]
        elif data.get("annee"):
            parts.append(f"annee={data['annee']}")
        if data.get("site") is not None:
            parts.append(f"site={data['site'].pk}")
        return "&".join(parts)
