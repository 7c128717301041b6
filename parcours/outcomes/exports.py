"""Spreadsheets of the outcome pages: the rates report as an XLSX workbook, one sheet per table
of the page, numbers as numbers.

Nothing is computed here: every figure comes from the :class:`~.selectors_rates.RatesTable`
that the page shows (``selectors_rates.rates_table``), rates as the page rounds them (a whole
percentage), the destinations' shares with their one decimal. Text cells go through the
exports helper's formula guard (a school's own definition may be named "=…").
"""

from __future__ import annotations

from decimal import Decimal

from django.http import FileResponse
from django.utils.translation import gettext as _

from parcours.organisations.models import Site
from parcours.pathways import exports

from .selectors_rates import RatesTable


def _number(value: Decimal | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return float(value)


def rates_sheets(table: RatesTable, site: Site | None) -> list[tuple[str, list, list]]:
    """The rates report as ``(sheet title, headers, rows)``: the period, then the page's three
    tables (success rates under each definition, destinations, follow-up waves)."""
    headline = table.headline
    summary = [
        (_("Du"), table.start),
        (_("Au"), table.end),
        (_("Site"), site.name if site is not None else _("Tous les sites")),
        (_("Personnes sorties sur la période"), table.exits),
        (
            _("Définition retenue pour %(year)d") % {"year": table.headline_year},
            headline.definition.name
            if headline is not None
            else _("non valable sur cette période"),
        ),
        (_("Choisie par l'école"), table.headline_chosen),
    ]
    definitions = [
        (
            line.definition.name,
            _("Réseau") if line.definition.is_network else _("École"),
            line.definition.version,
            line.is_headline,
            line.definition.summary,
            line.rate.exits,
            line.rate.excluded,
            line.rate.counted,
            line.rate.successful,
            line.rate.rounded,
        )
        for line in table.definitions
    ]
    destinations = []
    for group in table.groups:
        destinations.append((group.label, None, group.count, _number(group.share)))
        destinations.extend(
            (group.label, destination.label, destination.count, None)
            for destination in group.destinations
            if destination.count
        )
    waves = []
    if table.at_exit is not None:
        at_exit = table.at_exit
        waves.append(
            (
                _("À la sortie"),
                at_exit.recorded,
                None,
                at_exit.employment,
                at_exit.training,
                at_exit.rounded,
            )
        )
    for wave in table.waves:
        rate = wave.rate
        waves.append(
            (
                wave.label[:1].upper() + wave.label[1:],
                rate.recorded,
                rate.unreachable,
                rate.employment,
                rate.training,
                rate.rounded,
            )
        )
    return [
        (_("Période"), [_("Période"), _("Valeur")], summary),
        (
            _("Taux de sorties réussies"),
            [
                _("Définition"),
                _("Origine"),
                _("Version"),
                _("Définition retenue"),
                _("Compte comme réussie"),
                _("Sorties"),
                _("Exclues"),
                _("Retenues"),
                _("Réussies"),
                _("Taux (%)"),
            ],
            definitions,
        ),
        (
            _("Destinations"),
            [_("Groupe"), _("Destination"), _("Sorties"), _("Part (%)")],
            destinations,
        ),
        (
            _("Suivis après la sortie"),
            [
                _("Suivi"),
                _("Suivis faits"),
                _("Injoignables"),
                _("En emploi"),
                _("En formation"),
                _("En emploi ou formation (%)"),
            ],
            waves,
        ),
    ]


def rates_response(table: RatesTable, site: Site | None, filename: str) -> tuple[FileResponse, int]:
    """The rates report as a downloadable XLSX workbook, and its number of data rows (every
    sheet)."""
    return exports.workbook_response(sheets=rates_sheets(table, site), filename=filename)
