"""The network's spreadsheet (XLSX, openpyxl), as the network account downloads it.

- « Écoles » : one row per school side by side, then the network's totals;
- « Totaux du réseau » : schools, sites, summed indicators and shares, and the success rate
  under each network definition;
- one sheet per network definition: each school's retained exits, successes and rate, and
  the total.

Everything comes from :func:`suppression.network_table`: counts of 1 to 4 people read
``"< 5"`` and the percentages built on them ``"s"`` (secret statistique). No person is
named; nothing is computed here.
"""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from .network import NetworkFigures
from .suppression import (
    HIDDEN_PCT,
    SUPPRESSED,
    THRESHOLD,
    PublishedNetwork,
    PublishedRate,
    PublishedRow,
    network_table,
)

BOLD = Font(bold=True)
LEGEND = (
    f"« {SUPPRESSED} » : moins de {THRESHOLD} personnes (secret statistique) ; "
    f"« {HIDDEN_PCT} » : pourcentage masqué car calculé sur moins de {THRESHOLD} personnes."
)


def _value(value):
    """A cell's value: numbers as numbers, suppressed cells as their text."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return value


def _bold_row(sheet, values: list) -> None:
    sheet.append([_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _rate_pct(rate: PublishedRate | None):
    return rate.pct if rate is not None else None


def _school_cells(row: PublishedRow, table: PublishedNetwork) -> list:
    return [
        row.name,
        row.trainees,
        row.under_26.pct,
        row.women.pct,
        row.plie,
        row.exits,
        row.headline_name,
        row.headline.successful if row.headline else None,
        _rate_pct(row.headline),
        *[_rate_pct(rate) for rate in row.by_definition],
        row.staff,
        row.rooms,
        row.computer_rooms,
        row.surface_m2,
        row.funding_eur,
    ]


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet title (31 characters at most) for a definition: its name without the common
    « Sortie positive — » part (the sheet's first cell has the full name)."""
    short = name.split(" — ", 1)[-1].strip() or name
    base = re.sub(r"[\[\]:*?/\\]", "-", short).strip() or "Définition"
    if len(base) > 28:
        base = base[:27].rstrip() + "…"
    title, n = base, 2
    while title.lower() in taken:
        title = f"{base[:25]} ({n})"
        n += 1
    taken.add(title.lower())
    return title


def network_workbook(figures: NetworkFigures) -> Workbook:
    table = network_table(figures)
    book = Workbook()
    sheet = book.active
    sheet.title = "Écoles"
    sheet.append([f"{table.network} — {table.period_label}"])
    sheet["A1"].font = Font(bold=True, size=14)
    _bold_row(
        sheet,
        [
            "École",
            "Stagiaires",
            "Moins de 26 ans (%)",
            "Femmes (%)",
            "PLIE",
            "Sorties",
            "Définition retenue par l'école",
            "Sorties réussies (définition retenue)",
            "Taux de sorties réussies (définition retenue, %)",
            *[f"Taux (%) — {d.name}" for d in table.definitions],
            "Salarié·es",
            "Salles",
            "dont informatiques",
            "Surface (m²)",
            "Financements (€)",
        ],
    )
    for row in table.rows:
        sheet.append([_value(v) for v in _school_cells(row, table)])
    _bold_row(sheet, ["Total du réseau", *_school_cells(table.totals, table)[1:]])
    sheet.append([])
    sheet.append([LEGEND])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["G"].width = 40

    totals = book.create_sheet("Totaux du réseau")
    _bold_row(totals, ["Indicateur", "Nombre", "Part (%)"])
    t = table.totals
    for label, count, pct in [
        ("Écoles", table.schools, None),
        ("Sites actifs sur la période", table.sites, None),
        ("Stagiaires accueilli·es", t.trainees, None),
        ("Moins de 26 ans (à l'entrée)", t.under_26.count, t.under_26.pct),
        ("Femmes", t.women.count, t.women.pct),
        ("PLIE", t.plie, None),
        ("Sorties", t.exits, None),
        ("Salarié·es (fin de période)", t.staff, None),
        ("Salles", t.rooms, None),
        ("dont salles informatiques", t.computer_rooms, None),
        ("Surface (m²)", t.surface_m2, None),
        ("Financements (€)", t.funding_eur, None),
    ]:
        totals.append([label, _value(count), _value(pct)])
    totals.append([])
    _bold_row(totals, ["Définition du réseau", "Sorties retenues", "Réussies", "Taux (%)"])
    for definition, rate in zip(table.definitions, t.by_definition, strict=True):
        totals.append(
            [definition.name, _value(rate.counted), _value(rate.successful), _value(rate.pct)]
        )
    totals.append([])
    totals.append([LEGEND])
    totals.column_dimensions["A"].width = 45

    taken = {"écoles", "totaux du réseau"}
    for index, definition in enumerate(table.definitions):
        per = book.create_sheet(_sheet_title(definition.name, taken))
        per.append([definition.name])
        per["A1"].font = BOLD
        _bold_row(per, ["École", "Sorties retenues", "Réussies", "Taux (%)"])
        for row in [*table.rows, table.totals]:
            rate = row.by_definition[index]
            cells = [row.name, None, None, None]
            if rate is not None:
                cells = [row.name, rate.counted, rate.successful, rate.pct]
            if row is table.totals:
                cells[0] = "Total du réseau"
                _bold_row(per, cells)
            else:
                per.append([_value(v) for v in cells])
        per.append([])
        per.append([LEGEND])
        per.column_dimensions["A"].width = 40
    return book
