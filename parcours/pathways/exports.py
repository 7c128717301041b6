"""Spreadsheet exports: rows + headers → a downloadable XLSX or CSV file, and its audit event.

Generic on purpose: any list of the product exports through :func:`export_response` and audits
the export with :func:`record_export`; an export view does both at once with :func:`download`
(after :func:`requested_format`, and re-rendering its list with :data:`UNKNOWN_FORMAT` or
:data:`BAD_FILTERS` when the request cannot be exported). Rows are written one by one to a
temporary file (openpyxl in write-only mode, or the ``csv`` module), so memory stays constant
whatever the row count.

- XLSX: dates are real date cells shown ``dd/mm/yyyy``;
- CSV: UTF-8 with a byte order mark and ``;`` as separator (what French Excel expects), dates
  written ``dd/mm/yyyy``.

Text starting with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) is prefixed with an
apostrophe so that a spreadsheet never runs it as a formula (CSV/formula injection).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip, record_event


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


CONTENT_TYPES = {
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.CSV: "text/csv; charset=utf-8",
}

#: What an export view shows on its list when ``?format=`` is neither ``xlsx`` nor ``csv``.
UNKNOWN_FORMAT = gettext_lazy("Format d'export inconnu : choisissez XLSX ou CSV.")
#: What an export view shows on its list when the list's filters are refused.
BAD_FILTERS = gettext_lazy("Corrigez les filtres avant d'exporter : rien n'a été exporté.")

DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "DD/MM/YYYY"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def parse_format(value: str | None, default: Format = Format.XLSX) -> Format | None:
    """The requested format (``None`` when the value is unknown; the default when absent)."""
    if not value:
        return default
    try:
        return Format(value.strip().lower())
    except ValueError:
        return None


def requested_format(request: HttpRequest) -> Format | None:
    """The format asked for by ``?format=`` (XLSX when absent, ``None`` when unknown: the view
    then re-renders its list with :data:`UNKNOWN_FORMAT`)."""
    return parse_format(request.GET.get("format"))


def export_filename(stem: str, fmt: Format, day: datetime.date | None = None) -> str:
    """``<stem>-<yyyy-mm-dd>.<ext>``, e.g. ``stagiaires-e2c-63-2026-11-26.xlsx``."""
    day = day or timezone.localdate()
    return f"{stem}-{day.isoformat()}.{fmt.value}"


def safe_text(value: str) -> str:
    """``value`` as a cell that a spreadsheet never runs as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_PREFIXES) else value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(f"{DATE_FORMAT} %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, int | float | Decimal):
        return str(value).replace(".", ",")
    return safe_text(str(value))


def _write_csv(target, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    target.write(codecs.BOM_UTF8)
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_text(str(h)) for h in headers])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    text.flush()
    text.detach()  # leave ``target`` open for the response
    return count


def _fill_sheet(workbook, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Append a sheet to a write-only ``workbook``: bold headers, then ``rows``; return the
    number of rows written."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title=str(title)[:31])
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=safe_text(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def cell_for(value: Any):
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(timezone.localtime(value))
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = f"{XLSX_DATE_FORMAT} hh:mm"
            return cell
        if isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = XLSX_DATE_FORMAT
            return cell
        if isinstance(value, bool):
            return "Oui" if value else "Non"
        if value is None or isinstance(value, int | float | Decimal):
            return value
        return safe_text(str(value))

    count = 0
    for row in rows:
        sheet.append([cell_for(value) for value in row])
        count += 1
    return count


#: A sheet of a workbook: its title, its headers, its rows.
Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


def _write_workbook(target, sheets: Iterable[Sheet]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count = sum(_fill_sheet(workbook, title, headers, rows) for title, headers, rows in sheets)
    workbook.save(target)
    return count


def _download(write, filename: str, fmt: Format) -> tuple[FileResponse, int]:
    """Run ``write(file)`` into a temporary file; return the download and the row count."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
    try:
        count = write(target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = FileResponse(
        target, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
    )
    response["Cache-Control"] = "no-store"
    return response, count


def export_response(
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filename: str,
    fmt: Format,
    sheet_title: str = "Export",
) -> tuple[FileResponse, int]:
    """Write ``rows`` under ``headers`` to a temporary file; return the download and row count.

    Cells may be ``str``, numbers, ``bool`` (Oui/Non), dates or ``None``.
    """
    if fmt == Format.CSV:
        return _download(lambda target: _write_csv(target, headers, rows), filename, fmt)
    return _download(
        lambda target: _write_workbook(target, [(sheet_title, headers, rows)]), filename, fmt
    )


def workbook_response(*, sheets: Iterable[Sheet], filename: str) -> tuple[FileResponse, int]:
    """A report of several tables as one XLSX workbook, one sheet per table; the download and
    the number of data rows of every sheet."""
    return _download(lambda target: _write_workbook(target, sheets), filename, Format.XLSX)


@transaction.atomic
def record_export(
    *,
    membership,
    action: str,
    row_count: int,
    fmt: Format,
    filters: dict[str, Any] | None = None,
    ip_address: str | None = None,
):
    """Audit an export of personal data: who, what, how many rows, which filters (no names)."""
    return record_event(
        actor=membership.user,
        action=action,
        school=membership.school,
        changes={"rows": row_count, "format": fmt.value, "filters": filters or {}},
        ip_address=ip_address,
    )


def download(
    request: HttpRequest,
    *,
    fmt: Format,
    headers: Iterable[Any],
    rows: Iterable[Sequence[Any]],
    stem: str,
    sheet_title: str,
    action: str,
    filters: dict[str, Any] | None = None,
    day: datetime.date | None = None,
    detail: str = "",
) -> FileResponse:
    """The common tail of an export view: write ``rows`` under ``headers`` (lazy strings are
    fine) to ``<stem>-<school slug>[-<detail>]-<day>.<ext>``, audit the export as ``action``
    with the row count, ``filters`` and the client's address, and return the download.

    ``day`` defaults to today (local time); ``detail`` names what the file covers when the
    file name needs it after the school, e.g. a period:
    ``assiduite-e2c-63-2026-11-2026-11-27.xlsx``.
    """
    membership = request.membership
    stem = f"{stem}-{membership.school.slug}"
    if detail:
        stem = f"{stem}-{detail}"
    response, count = export_response(
        headers=[str(header) for header in headers],
        rows=rows,
        filename=export_filename(stem, fmt, day),
        fmt=fmt,
        sheet_title=sheet_title,
    )
    record_export(
        membership=membership,
        action=action,
        row_count=count,
        fmt=fmt,
        filters=filters,
        ip_address=client_ip(request),
    )
    return response
