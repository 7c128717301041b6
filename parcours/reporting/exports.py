"""Spreadsheets of the key figures (XLSX, openpyxl): one sheet of figures, one of definitions
and destinations, one of funding, one of months, and (when given) one of competency progress.
Everything is taken from :class:`KeyFigures` (and ``competencies.SchoolProgress``); nothing is
computed here. Percentages keep their one decimal; amounts are in euros."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from .indicators import KeyFigures, Share

if TYPE_CHECKING:
    from .competencies import SchoolProgress

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF6")
PCT_FORMAT = "0.0"
EUR_FORMAT = '#,##0 "€"'


def _pct(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _title_row(sheet, *titles: str) -> None:
    """A row of column titles (bold, shaded); no titles: a blank row."""
    sheet.append(list(titles))
    if not titles:
        return  # (the blank row has no cells: styling ``max_row`` would restyle the row above)
    for cell in sheet[sheet._current_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _format_column(sheet, column: int, number_format: str, first_row: int = 1) -> None:
    for (cell,) in sheet.iter_rows(min_row=first_row, min_col=column, max_col=column):
        if isinstance(cell.value, int | float):
            cell.number_format = number_format


def key_figures_workbook(
    figures: KeyFigures, progress: SchoolProgress | None = None, *, funding_hidden: bool = False
) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Chiffres clés"
    sheet.append([f"{figures.school_name} — {figures.period.label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Période du {figures.period.start:%d/%m/%Y} au {figures.period.end:%d/%m/%Y}"])
    _title_row(sheet, "Indicateur", "Nombre", "Part (%)")
    sheet.freeze_panes = "A4"
    shares: list[tuple[str, Share]] = [
        ("Moins de 26 ans (à l'entrée)", figures.under_26),
        ("Mineur·es (à l'entrée)", figures.minors),
        ("Femmes", figures.women),
        ("Résidant en QPV (à l'entrée)", figures.qpv),
        ("Sans diplôme (infra niveau 3)", figures.no_diploma),
        ("RQTH", figures.rqth),
    ]
    sheet.append(["Stagiaires accueilli·es", figures.trainees, None])
    for label, share in shares:
        sheet.append([label, share.count, _pct(share.pct)])
    for line in figures.funding_lines:
        sheet.append([f"Dispositif : {line.label}", line.count, None])
    for row in figures.prescribers:
        sheet.append([f"Prescripteur : {row.label}", row.count, _pct(row.pct)])
    sheet.append(["Sorties", figures.exits, None])
    if figures.headline is not None:
        sheet.append(
            [
                f"Sorties réussies ({figures.headline.definition.name})",
                figures.successful_exits,
                _pct(figures.success_rate_pct),
            ]
        )
    sheet.append(["Salarié·es (fin de période)", figures.staff, None])
    sheet.append(["Sites", figures.sites, None])
    sheet.append(["Salles", figures.rooms, None])
    sheet.append(["dont salles informatiques", figures.computer_rooms, None])
    sheet.append(["Surface (m²)", figures.surface_m2, None])
    sheet.column_dimensions["A"].width = 55
    sheet.column_dimensions["C"].width = 12
    _format_column(sheet, 3, PCT_FORMAT, first_row=4)

    definitions = book.create_sheet("Sorties par définition")
    _title_row(definitions, "Définition", "Sorties", "Exclues", "Retenues", "Réussies", "Taux (%)")
    for row in figures.outcomes.definitions:
        definitions.append(
            [
                row.definition.name + (" (retenue)" if row.is_headline else ""),
                row.rate.exits,
                row.rate.excluded,
                row.rate.counted,
                row.rate.successful,
                _pct(row.rate.rate),
            ]
        )
    _title_row(definitions)
    _title_row(definitions, "Destination", "Personnes", "Part (%)")
    for group in figures.outcomes.groups:
        definitions.append([group.label, group.count, _pct(group.share)])
        for destination in group.destinations:
            definitions.append([f"  {destination.label}", destination.count, None])
    definitions.column_dimensions["A"].width = 50
    definitions.freeze_panes = "A2"
    _format_column(definitions, 6, PCT_FORMAT, first_row=2)
    _format_column(definitions, 3, PCT_FORMAT, first_row=len(figures.outcomes.definitions) + 3)

    funding = book.create_sheet("Financements")
    _title_row(funding, "Financeur", "Année", "Objet", "Montant (€)", "Partenaire depuis")
    if not figures.funding:
        funding.append(
            [
                "Réservé à la direction."
                if funding_hidden
                else "Aucune convention de financement sur la période."
            ]
        )
    for row in figures.funding:
        funding.append(
            [row.funder, row.year, row.purpose, float(row.amount_eur), row.partner_since]
        )
    if len(figures.funding) > 1:
        funding.append(["Total", None, None, float(figures.funding_total_eur), None])
        for cell in funding[funding.max_row]:
            cell.font = BOLD
    funding.column_dimensions["A"].width = 40
    funding.column_dimensions["C"].width = 45
    funding.column_dimensions["D"].width = 14
    funding.column_dimensions["E"].width = 12
    funding.freeze_panes = "A2"
    _format_column(funding, 4, EUR_FORMAT, first_row=2)

    months = book.create_sheet("Entrées et sorties")
    _title_row(months, "Mois", "Entrées", "Sorties")
    for month in figures.months:
        months.append([month.month, month.entries, month.exits])
        months.cell(row=months.max_row, column=1).number_format = "MM/YYYY"
    months.freeze_panes = "A2"
    if progress is not None:
        _progress_sheet(book, progress)
    return book


def _progress_sheet(book: Workbook, progress: SchoolProgress) -> None:
    sheet = book.create_sheet("Compétences")
    sheet.append(
        [
            f"Référentiel : {progress.framework_name} (version {progress.framework_version})"
            if progress.framework_id
            else "Aucun positionnement sur la période"
        ]
    )
    sheet.append(["Stagiaires positionné·es", progress.trainees])
    sheet.append(["dont en progression sur au moins une compétence", progress.progressed])
    sheet.append(["Stagiaires positionné·es sur un autre référentiel", progress.other_framework])
    sheet.append(["Positionnements (stagiaire × compétence)", progress.positionings])
    sheet.append(["dont en hausse en fin de période", progress.raised])
    sheet.append([])
    _title_row(sheet, "Niveau", "À l'entrée", "Part (%)", "En fin de période", "Part (%)")
    first = sheet.max_row + 1
    for level in progress.levels:
        sheet.append(
            [
                f"{level.value} — {level.label}",
                level.entry,
                _pct(level.entry_pct),
                level.latest,
                _pct(level.latest_pct),
            ]
        )
    for column in (3, 5):
        _format_column(sheet, column, PCT_FORMAT, first_row=first)
    sheet.column_dimensions["A"].width = 50


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
