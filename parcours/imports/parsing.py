"""File bytes → a header and rows, for XLSX and CSV; a ``FileRefused`` with a French message
for anything that cannot be read (empty, too big, not a spreadsheet, garbage).

- XLSX: the first sheet, read with openpyxl in read-only mode; date cells arrive as dates,
  numbers as numbers, text as text.
- CSV: UTF-8 (with or without BOM), else Windows-1252; the separator (``;`` or ``,``) is the
  one the header line holds most of. Garbage (bytes that are neither, NUL bytes, control
  characters) is refused as a whole file.

Rows are numbered as a spreadsheet shows them: the header is row 1 (when it is the first line),
the first data row is 2. Rows with every cell empty are skipped (their number is not reused).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: The largest file accepted (a 10,000-row CSV is about 2 MB, XLSX less).
MAX_FILE_BYTES = 20 * 1024 * 1024
#: More data rows than this is refused (split the file).
MAX_ROWS = 50_000
#: More columns than this is not a file of this layout.
MAX_COLUMNS = 200
#: Lines read at most, empty ones included (a damaged or hostile file stops there).
MAX_LINES = 200_000
ACCEPTED_EXTENSIONS: tuple[str, ...] = (".xlsx", ".csv")

Cell = str | int | float | datetime.date | datetime.datetime | None


class FileRefused(Exception):
    """The file as a whole cannot be read; ``message`` is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header: list[str]
    #: (spreadsheet row number, cells) — cells as long as the header, missing ones None.
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    kind: str = "csv"
    encoding: str = ""
    delimiter: str = ""


def extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return next((ext for ext in ACCEPTED_EXTENSIONS if name.endswith(ext)), "")


def read_table(data: bytes, filename: str) -> Table:
    """The file's header and non-empty rows; raises ``FileRefused``."""
    ext = extension(filename)
    if not ext:
        raise FileRefused(
            _("Le fichier doit être un classeur XLSX ou un fichier CSV (« %(name)s »).")
            % {"name": (filename or "")[:100]}
        )
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(
            _("Le fichier dépasse la taille maximale de %(max)d Mo.")
            % {"max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    if not data or not data.strip():
        raise FileRefused(_("Le fichier est vide."))
    table = _read_xlsx(data) if ext == ".xlsx" else _read_csv(data)
    if not any(str(cell or "").strip() for cell in table.header):
        raise FileRefused(_("Le fichier est vide : la première ligne doit porter les en-têtes."))
    if len(table.header) > MAX_COLUMNS:
        raise FileRefused(
            _("Le fichier a %(count)d colonnes : ce n'est pas la disposition attendue.")
            % {"count": len(table.header)}
        )
    return table


# -------------------------------------------------------------------------------- CSV

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GARBAGE = gettext_lazy(
    "Le fichier n'est pas un fichier CSV lisible (ni UTF-8 ni Windows-1252) : "
    "enregistrez-le au format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »."
)


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (BOM or not), else Windows-1252; garbage refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        text, encoding = data.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise FileRefused(str(_GARBAGE)) from None
    if _CONTROL.search(text):
        raise FileRefused(str(_GARBAGE))
    return text, encoding


def sniff_delimiter(header_line: str) -> str:
    """``;`` or ``,``: the one the header line holds most of (``;`` on a tie: French Excel)."""
    return "," if header_line.count(",") > header_line.count(";") else ";"


def _read_csv(data: bytes) -> Table:
    if data.startswith(b"PK\x03\x04"):
        raise FileRefused(
            _(
                "Ce fichier est un classeur (XLSX), pas un CSV : importez-le avec l'extension "
                "« .xlsx »."
            )
        )
    text, encoding = decode(data)
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    table = Table(header=[], kind="csv", encoding=encoding, delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            number += 1
            if number > MAX_LINES:
                raise _too_many()
            if not table.header:
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines before the header
                table.header = [cell.strip() for cell in cells]
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(table.rows) >= MAX_ROWS:
                raise _too_many()
            table.rows.append((number, _fit(cells, len(table.header))))
    except csv.Error:
        raise FileRefused(
            _("Le fichier CSV est mal formé près de la ligne %(row)d (guillemets, taille).")
            % {"row": number + 1}
        ) from None
    return table


def _too_many() -> FileRefused:
    return FileRefused(
        _("Le fichier a plus de %(max)d lignes : découpez-le en plusieurs fichiers.")
        % {"max": MAX_ROWS}
    )


def _fit(cells: list, width: int) -> list:
    """Cells padded with None to the header's width (cells beyond it are kept: validation
    refuses a value outside the columns)."""
    cells = list(cells)
    if len(cells) < width:
        cells += [None] * (width - len(cells))
    return cells


# ------------------------------------------------------------------------------- XLSX


#: What an XLSX (a zip archive) may hold once unzipped, in all and per part: a few MB of
#: compressed XML can otherwise unzip to gigabytes in the web process (a "zip bomb").
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


def _refuse_zip_bomb(data: bytes, refused: str) -> None:
    """Refuse a workbook whose parts would unzip beyond :data:`MAX_UNZIPPED_BYTES` or with a
    compression ratio no real spreadsheet has — read from the archive's directory, before
    anything is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(refused) from None
    total = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries) or 1
    if total > MAX_UNZIPPED_BYTES or total / packed > MAX_COMPRESSION_RATIO:
        raise FileRefused(
            _(
                "Le classeur est trop volumineux une fois décompressé : enregistrez-le en CSV "
                "ou découpez-le en plusieurs fichiers."
            )
        )


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    refused = _(
        "Le fichier n'est pas un classeur XLSX lisible : ouvrez-le dans votre tableur "
        "et enregistrez-le au format « Classeur Excel (.xlsx) »."
    )
    _refuse_zip_bomb(data, refused)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError):
        raise FileRefused(refused) from None
    except Exception:  # openpyxl raises many kinds on a damaged archive
        raise FileRefused(refused) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(_("Le classeur n'a aucune feuille."))
        table = Table(header=[], kind="xlsx")
        number = 0
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            number += 1
            if number > MAX_LINES:
                raise _too_many()
            cells = [_xlsx_cell(v) for v in values]
            if not table.header:
                if not any(_filled(c) for c in cells):
                    continue
                while cells and not _filled(cells[-1]):
                    cells.pop()
                table.header = [str(c).strip() if c is not None else "" for c in cells]
                continue
            if not any(_filled(c) for c in cells):
                continue
            if len(table.rows) >= MAX_ROWS:
                raise _too_many()
            table.rows.append((number, _fit(cells, len(table.header))))
    except FileRefused:
        raise
    except Exception:
        raise FileRefused(refused) from None
    finally:
        workbook.close()
    return table


def _filled(cell: Cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | datetime.date):
        if isinstance(value, bool):
            return "oui" if value else "non"
        return value
    if isinstance(value, datetime.time):
        return None
    return str(value)
