"""Spreadsheets of the key figures (XLSX, openpyxl): one sheet of figures, one of funding,
one of definitions, one of months. Everything is taken from :class:`KeyFigures`; nothing is
computed here."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from .indicators import KeyFigures, Share

BOLD = Font(bold=True)


def _pct(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _title_row(sheet, *titles: str) -> None:
    sheet.append(list(titles))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def key_figures_workbook(figures: KeyFigures) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Chiffres clés"
    sheet.append([f"{figures.school_name} — {figures.period.label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    _title_row(sheet, "Indicateur", "Nombre", "Part (%)")
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

    funding = book.create_sheet("Financements")
    _title_row(funding, "Financeur", "Année", "Objet", "Montant (€)", "Partenaire depuis")
    for row in figures.funding:
        funding.append(
            [row.funder, row.year, row.purpose, float(row.amount_eur), row.partner_since]
        )
    funding.column_dimensions["A"].width = 40
    funding.column_dimensions["C"].width = 45

    months = book.create_sheet("Entrées et sorties")
    _title_row(months, "Mois", "Entrées", "Sorties")
    for month in figures.months:
        months.append([month.month, month.entries, month.exits])
        months.cell(row=months.max_row, column=1).number_format = "MM/YYYY"
    return book


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
