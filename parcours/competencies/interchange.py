"""A framework's interchange formats: JSON and a spreadsheet (XLSX).

Both carry the same data, the format of ``data/transversal-e2c-v1.json``::

    {"format": "parcours-referentiel", "format_version": 1, "family": "...", "name": "...",
     "version": 1, "description": "...",
     "scale": [{"level": 1, "label": "...", "description": "..."}, ...],
     "areas": [{"code": "FR", "title": "...", "parent": null}, ...],
     "competencies": [{"code": "FR1", "area": "FR", "title": "...", "description": "...",
                       "levels": {"1": "...", "2": "..."}}, ...]}

``validate_framework_data`` lists every problem of such data in French (an import is refused
as a whole when it finds one); the readers turn a file into data and report, for a
spreadsheet, the sheet and row of what they cannot read.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FORMAT = "parcours-referentiel"
FORMAT_VERSION = 1

# Sizes of the model fields, so that valid data always fits.
MAX_FAMILY, MAX_NAME, MAX_LABEL, MAX_CODE, MAX_TITLE = 60, 200, 80, 20, 200
#: The most levels a scale may have (the default scale has 4).
MAX_LEVELS = 10
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")

SHEET_FRAMEWORK = "Référentiel"
SHEET_SCALE = "Échelle"
SHEET_AREAS = "Domaines"
SHEET_COMPETENCIES = "Compétences"
FRAMEWORK_KEYS = {
    "Nom": "name",
    "Identifiant": "family",
    "Version": "version",
    "Description": "description",
}
SCALE_HEADERS = ["Niveau", "Libellé", "Description"]
AREA_HEADERS = ["Code", "Intitulé", "Domaine parent"]
COMPETENCY_HEADERS = ["Code", "Domaine", "Intitulé", "Description"]
LEVEL_HEADER_RE = re.compile(r"^niveau\s*(\d+)$", re.IGNORECASE)


# ------------------------------------------------------------------------------ validation


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_error(value: Any, max_length: int, what: str, *, required: bool = True) -> str | None:
    """The problem of a text value (``what`` starts the message), or None."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        return _("%(what)s doit être un texte.") % {"what": what}
    if required and not value.strip():
        return _("%(what)s est vide.") % {"what": what}
    if len(value) > max_length:
        return _("%(what)s dépasse %(n)s caractères.") % {"what": what, "n": max_length}
    return None


def _level_key(key: Any) -> int | None:
    if _is_int(key):
        return key
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return None


def validate_framework_data(data: Any) -> list[str]:
    """Every problem of interchange ``data``, as precise French messages (empty: valid)."""
    if not isinstance(data, dict):
        return [_("Le fichier doit contenir un référentiel (un objet JSON), pas une liste.")]
    errors: list[str] = []
    if "format" in data and data["format"] != FORMAT:
        errors.append(
            _("Format « %(found)s » inconnu : un référentiel Parcours a le format « %(fmt)s ».")
            % {"found": data["format"], "fmt": FORMAT}
        )
    if "format_version" in data and data["format_version"] != FORMAT_VERSION:
        errors.append(
            _("Version de format %(found)s non prise en charge (attendue : %(v)s).")
            % {"found": data["format_version"], "v": FORMAT_VERSION}
        )
    _check_header(data, errors)
    scale_values = _check_scale(data.get("scale"), errors)
    area_codes = _check_areas(data.get("areas"), errors)
    _check_competencies(data.get("competencies"), area_codes, scale_values, errors)
    return errors


def _check_header(data: dict, errors: list[str]) -> None:
    family = data.get("family")
    if family is None or family == "":
        errors.append(_("L'identifiant du référentiel (« family ») manque."))
    elif not isinstance(family, str) or not SLUG_RE.match(family) or len(family) > MAX_FAMILY:
        errors.append(
            _(
                "L'identifiant du référentiel « %(family)s » n'est pas valable : lettres sans "
                "accents, chiffres et tirets seulement, %(n)s caractères au plus."
            )
            % {"family": family, "n": MAX_FAMILY}
        )
    if error := _text_error(data.get("name"), MAX_NAME, _("Le nom du référentiel")):
        errors.append(error)
    version = data.get("version")
    if not _is_int(version) or version < 1:
        errors.append(
            _("La version du référentiel doit être un nombre entier supérieur ou égal à 1.")
        )
    if error := _text_error(
        data.get("description"), 100_000, _("La description du référentiel"), required=False
    ):
        errors.append(error)


def _check_scale(scale: Any, errors: list[str]) -> set[int]:
    """Check the scale; return its levels (empty when it is unusable)."""
    if not isinstance(scale, list) or not scale:
        errors.append(_("L'échelle des niveaux manque (« scale » : une liste de niveaux)."))
        return set()
    values: list[int] = []
    for index, item in enumerate(scale, start=1):
        where = _("Échelle, niveau n° %(n)s") % {"n": index}
        if not isinstance(item, dict):
            errors.append(_("%(where)s : un niveau doit être un objet.") % {"where": where})
            continue
        value = item.get("level")
        if not _is_int(value) or not 1 <= value <= MAX_LEVELS:
            errors.append(
                _("%(where)s : le niveau doit être un nombre entier de 1 à %(max)s.")
                % {"where": where, "max": MAX_LEVELS}
            )
            continue
        where = _("Échelle, niveau %(n)s") % {"n": value}
        if value in values:
            errors.append(_("%(where)s : ce niveau figure deux fois.") % {"where": where})
        values.append(value)
        if error := _text_error(item.get("label"), MAX_LABEL, _("Le libellé")):
            errors.append(f"{where} : {error}")
        if error := _text_error(
            item.get("description"), 10_000, _("La description"), required=False
        ):
            errors.append(f"{where} : {error}")
    present = set(values)
    if len(present) < 2:
        errors.append(_("L'échelle doit compter au moins 2 niveaux."))
    missing = [n for n in range(1, max(present, default=0) + 1) if n not in present]
    for value in missing:
        errors.append(
            _("Échelle : les niveaux doivent se suivre à partir de 1 ; le niveau %(n)s manque.")
            % {"n": value}
        )
    return present


def _check_areas(areas: Any, errors: list[str]) -> set[str]:
    """Check the areas and their parents (no unknown parent, no cycle); return their codes."""
    if not isinstance(areas, list) or not areas:
        errors.append(_("Les domaines manquent (« areas » : une liste d'au moins un domaine)."))
        return set()
    parents: dict[str, str | None] = {}
    for index, item in enumerate(areas, start=1):
        if not isinstance(item, dict):
            errors.append(_("Domaine n° %(n)s : un domaine doit être un objet.") % {"n": index})
            continue
        code = item.get("code")
        if error := _text_error(code, MAX_CODE, _("Le code")):
            errors.append(_("Domaine n° %(n)s : %(error)s") % {"n": index, "error": error})
            continue
        where = _("Domaine « %(code)s »") % {"code": code}
        if code in parents:
            errors.append(_("%(where)s : ce code est utilisé deux fois.") % {"where": where})
            continue
        if error := _text_error(item.get("title"), MAX_TITLE, _("L'intitulé")):
            errors.append(f"{where} : {error}")
        parent = item.get("parent") or None
        if parent is not None and not isinstance(parent, str):
            errors.append(_("%(where)s : le domaine parent doit être un code.") % {"where": where})
            parent = None
        parents[code] = parent
    for code, parent in parents.items():
        if parent is not None and parent not in parents:
            errors.append(
                _("Domaine « %(code)s » : le domaine parent « %(parent)s » n'existe pas.")
                % {"code": code, "parent": parent}
            )
    errors.extend(_cycle_errors(parents))
    return set(parents)


def _cycle_errors(parents: dict[str, str | None]) -> list[str]:
    """One message per cycle of parents, named from its first area in the data."""
    errors, reported = [], set()
    for start in parents:
        path, code = [start], parents[start]
        while code is not None and code in parents and code not in path:
            path.append(code)
            code = parents[code]
        if code != start or start in reported:
            continue  # no cycle through ``start`` (a cycle further up is reported from its own)
        reported.update(path)
        loop = " → ".join([*path, start])
        errors.append(
            _(
                "Domaine « %(code)s » : le domaine parent « %(parent)s » forme une boucle "
                "(%(loop)s)."
            )
            % {"code": start, "parent": parents[start], "loop": loop}
        )
    return errors


def _check_competencies(
    competencies: Any, area_codes: set[str], scale: set[int], errors: list[str]
) -> None:
    if not isinstance(competencies, list) or not competencies:
        errors.append(
            _("Les compétences manquent (« competencies » : une liste d'au moins une compétence).")
        )
        return
    seen: set[str] = set()
    for index, item in enumerate(competencies, start=1):
        if not isinstance(item, dict):
            errors.append(
                _("Compétence n° %(n)s : une compétence doit être un objet.") % {"n": index}
            )
            continue
        code = item.get("code")
        if error := _text_error(code, MAX_CODE, _("Le code")):
            errors.append(_("Compétence n° %(n)s : %(error)s") % {"n": index, "error": error})
            continue
        where = _("Compétence « %(code)s »") % {"code": code}
        if code in seen:
            errors.append(_("%(where)s : ce code est utilisé deux fois.") % {"where": where})
            continue
        seen.add(code)
        area = item.get("area")
        if not isinstance(area, str) or not area:
            errors.append(_("%(where)s : le domaine manque.") % {"where": where})
        elif area_codes and area not in area_codes:
            errors.append(
                _("%(where)s : le domaine « %(area)s » n'existe pas.")
                % {"where": where, "area": area}
            )
        if error := _text_error(item.get("title"), MAX_TITLE, _("L'intitulé")):
            errors.append(f"{where} : {error}")
        if error := _text_error(
            item.get("description"), 10_000, _("La description"), required=False
        ):
            errors.append(f"{where} : {error}")
        _check_levels(item.get("levels"), where, scale, errors)


def _check_levels(levels: Any, where: str, scale: set[int], errors: list[str]) -> None:
    if not isinstance(levels, dict):
        errors.append(
            _("%(where)s : les niveaux (« levels ») doivent décrire chaque niveau de l'échelle.")
            % {"where": where}
        )
        return
    described: set[int] = set()
    seen: set[int] = set()
    for key, text in levels.items():
        value = _level_key(key)
        if value is None:
            errors.append(
                _("%(where)s : « %(key)s » n'est pas un niveau.") % {"where": where, "key": key}
            )
            continue
        if value in seen:
            errors.append(
                _("%(where)s : le niveau %(n)s est décrit deux fois.")
                % {"where": where, "n": value}
            )
            continue
        seen.add(value)
        if scale and value not in scale:
            errors.append(
                _("%(where)s : le niveau %(n)s ne figure pas dans l'échelle.")
                % {"where": where, "n": value}
            )
            continue
        if not isinstance(text, str) or not text.strip():
            continue  # reported below as not described
        described.add(value)
    for value in sorted(scale - described):
        errors.append(
            _("%(where)s : le niveau %(n)s n'est pas décrit.") % {"where": where, "n": value}
        )


# ------------------------------------------------------------------------------ export


def framework_to_data(framework) -> dict[str, Any]:
    """The interchange data of a framework (4 queries)."""
    from .models import Area, Competency

    areas = list(
        Area.objects.filter(framework=framework)
        .select_related("parent")
        .order_by("position", "code")
    )
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("area")
        .prefetch_related("descriptors")
        .order_by("position", "code")
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "family": framework.family,
        "name": framework.name,
        "version": framework.version,
        "description": framework.description,
        "scale": [
            {"level": level.value, "label": level.label, "description": level.description}
            for level in framework.levels.order_by("value")
        ],
        "areas": [
            {"code": a.code, "title": a.title, "parent": a.parent.code if a.parent_id else None}
            for a in areas
        ],
        "competencies": [
            {
                "code": c.code,
                "area": c.area.code,
                "title": c.title,
                "description": c.description,
                "levels": {
                    str(d.value): d.description
                    for d in sorted(c.descriptors.all(), key=lambda d: d.value)
                },
            }
            for c in competencies
        ],
    }


def framework_to_json(framework) -> bytes:
    text = json.dumps(framework_to_data(framework), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def framework_to_xlsx(framework) -> bytes:
    """The framework as a workbook of four sheets (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    data = framework_to_data(framework)
    levels = [item["level"] for item in data["scale"]]
    workbook = Workbook()
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(title: str, headers: list[str] | None, rows: list[list[Any]], widths: list[int]):
        ws = workbook.create_sheet(title)
        if headers:
            ws.append(headers)
            for cell in ws[1]:
                cell.font = bold
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, even when it starts with "="
                cell.alignment = wrap
        for index, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + index)].width = width
        return ws

    info = sheet(
        SHEET_FRAMEWORK,
        None,
        [
            ["Nom", data["name"]],
            ["Identifiant", data["family"]],
            ["Version", data["version"]],
            ["Description", data["description"]],
        ],
        [16, 80],
    )
    for cell in info["A"]:
        cell.font = bold
    sheet(
        SHEET_SCALE,
        SCALE_HEADERS,
        [[i["level"], i["label"], i["description"]] for i in data["scale"]],
        [10, 24, 70],
    )
    sheet(
        SHEET_AREAS,
        AREA_HEADERS,
        [[a["code"], a["title"], a["parent"] or ""] for a in data["areas"]],
        [12, 60, 16],
    )
    sheet(
        SHEET_COMPETENCIES,
        [*COMPETENCY_HEADERS, *(f"Niveau {n}" for n in levels)],
        [
            [c["code"], c["area"], c["title"], c["description"]]
            + [c["levels"].get(str(n), "") for n in levels]
            for c in data["competencies"]
        ],
        [10, 10, 40, 50, *([40] * len(levels))],
    )
    del workbook[workbook.sheetnames[0]]  # the default empty sheet
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------ import


def data_from_json_bytes(raw: bytes) -> Any:
    """Decode a JSON file; raise ``ValidationError`` (French) when it cannot be read."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("Le fichier n'est pas un texte UTF-8 (octet illisible en position %(pos)s).")
            % {"pos": error.start}
        ) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise ValidationError(
            _("Le fichier n'est pas un JSON valable : imbrication trop profonde.")
        ) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("Le fichier n'est pas un JSON valable : ligne %(line)s, colonne %(col)s.")
            % {"line": error.lineno, "col": error.colno}
        ) from None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_int(value: Any) -> int | None:
    if _is_int(value):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _row_error(sheet: str, row: int, message: str) -> str:
    return _("Feuille « %(sheet)s », ligne %(row)s : %(message)s") % {
        "sheet": sheet,
        "row": row,
        "message": message,
    }


def _table(workbook, name: str, headers: list[str], errors: list[str]):
    """``(column index per header, [(row number, values)])`` of a sheet with a header row."""
    if name not in workbook.sheetnames:
        errors.append(_("La feuille « %(sheet)s » manque dans le classeur.") % {"sheet": name})
        return None, []
    rows = list(workbook[name].iter_rows(values_only=True))
    header = [_cell_text(v) for v in rows[0]] if rows else []
    columns = {}
    for title in headers:
        if title not in header:
            errors.append(_row_error(name, 1, _("la colonne « %(col)s » manque.") % {"col": title}))
        else:
            columns[title] = header.index(title)
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(_cell_text(v) for v in row)
    ]
    return (columns if len(columns) == len(headers) else None), body


def _value(row: tuple, index: int) -> Any:
    return row[index] if index < len(row) else None


def data_from_xlsx(file) -> dict[str, Any]:
    """Read a workbook written by :func:`framework_to_xlsx` (or by hand in that shape).

    Raise ``ValidationError`` with every sheet/row it cannot read; the returned data still
    has to pass :func:`validate_framework_data`.
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # any unreadable file gets the same clear message
        raise ValidationError(
            _("Le fichier n'est pas un classeur XLSX lisible (format Excel 2007 et suivants).")
        ) from None
    errors: list[str] = []
    data: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
    try:
        _read_framework_sheet(workbook, data, errors)
        _read_scale_sheet(workbook, data, errors)
        _read_areas_sheet(workbook, data, errors)
        _read_competencies_sheet(workbook, data, errors)
    finally:
        workbook.close()
    if errors:
        raise ValidationError(errors)
    return data


def _read_framework_sheet(workbook, data: dict, errors: list[str]) -> None:
    if SHEET_FRAMEWORK not in workbook.sheetnames:
        errors.append(
            _("La feuille « %(sheet)s » manque dans le classeur.") % {"sheet": SHEET_FRAMEWORK}
        )
        return
    for number, row in enumerate(workbook[SHEET_FRAMEWORK].iter_rows(values_only=True), 1):
        key = FRAMEWORK_KEYS.get(_cell_text(_value(row, 0)))
        if key is None:
            continue
        value = _value(row, 1)
        if key == "version":
            version = _cell_int(value)
            if version is None:
                errors.append(
                    _row_error(SHEET_FRAMEWORK, number, _("la version doit être un nombre entier."))
                )
            data["version"] = version
        else:
            data[key] = _cell_text(value)
    for label, key in FRAMEWORK_KEYS.items():
        if key not in data and key != "description":
            errors.append(
                _("Feuille « %(sheet)s » : la ligne « %(key)s » manque.")
                % {"sheet": SHEET_FRAMEWORK, "key": label}
            )


def _read_scale_sheet(workbook, data: dict, errors: list[str]) -> None:
    columns, body = _table(workbook, SHEET_SCALE, SCALE_HEADERS, errors)
    if columns is None:
        return
    scale = []
    for number, row in body:
        level = _cell_int(_value(row, columns["Niveau"]))
        if level is None:
            errors.append(
                _row_error(SHEET_SCALE, number, _("le niveau doit être un nombre entier."))
            )
            continue
        scale.append(
            {
                "level": level,
                "label": _cell_text(_value(row, columns["Libellé"])),
                "description": _cell_text(_value(row, columns["Description"])),
            }
        )
    data["scale"] = scale


def _read_areas_sheet(workbook, data: dict, errors: list[str]) -> None:
    columns, body = _table(workbook, SHEET_AREAS, AREA_HEADERS, errors)
    if columns is None:
        return
    areas = []
    for number, row in body:
        code = _cell_text(_value(row, columns["Code"]))
        if not code:
            errors.append(_row_error(SHEET_AREAS, number, _("le code du domaine manque.")))
            continue
        areas.append(
            {
                "code": code,
                "title": _cell_text(_value(row, columns["Intitulé"])),
                "parent": _cell_text(_value(row, columns["Domaine parent"])) or None,
            }
        )
    data["areas"] = areas


def _read_competencies_sheet(workbook, data: dict, errors: list[str]) -> None:
    columns, body = _table(workbook, SHEET_COMPETENCIES, COMPETENCY_HEADERS, errors)
    if columns is None:
        return
    header = [_cell_text(v) for v in next(workbook[SHEET_COMPETENCIES].iter_rows(values_only=True))]
    level_columns = {}
    for index, title in enumerate(header):
        if match := LEVEL_HEADER_RE.match(title):
            level_columns[int(match.group(1))] = index
    if not level_columns:
        errors.append(
            _row_error(
                SHEET_COMPETENCIES,
                1,
                _("aucune colonne « Niveau 1 », « Niveau 2 »… n'a été trouvée."),
            )
        )
        return
    competencies = []
    for number, row in body:
        code = _cell_text(_value(row, columns["Code"]))
        if not code:
            errors.append(
                _row_error(SHEET_COMPETENCIES, number, _("le code de la compétence manque."))
            )
            continue
        levels = {}
        for level, index in sorted(level_columns.items()):
            text = _cell_text(_value(row, index))
            if text:
                levels[str(level)] = text
        competencies.append(
            {
                "code": code,
                "area": _cell_text(_value(row, columns["Domaine"])),
                "title": _cell_text(_value(row, columns["Intitulé"])),
                "description": _cell_text(_value(row, columns["Description"])),
                "levels": levels,
            }
        )
    data["competencies"] = competencies
