"""The framework interchange formats: validation messages, JSON and XLSX round trips."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from parcours.competencies.interchange import (
    data_from_json_bytes,
    data_from_xlsx,
    framework_to_data,
    framework_to_json,
    framework_to_xlsx,
    validate_framework_data,
)
from parcours.competencies.loading import default_framework_data


def small_data() -> dict:
    return {
        "format": "parcours-referentiel",
        "format_version": 1,
        "family": "essai",
        "name": "Référentiel d'essai",
        "version": 1,
        "description": "",
        "scale": [
            {"level": 1, "label": "Débute", "description": ""},
            {"level": 2, "label": "Sait faire", "description": "Seul·e."},
            {"level": 3, "label": "Expert", "description": ""},
        ],
        "areas": [
            {"code": "X", "title": "Domaine X", "parent": None},
            {"code": "Y", "title": "Domaine Y", "parent": "X"},
        ],
        "competencies": [
            {
                "code": "X1",
                "area": "Y",
                "title": "Compétence X1",
                "description": "",
                "levels": {"1": "un", "2": "deux", "3": "trois"},
            }
        ],
    }


def test_default_framework_data_is_valid():
    assert validate_framework_data(default_framework_data()) == []
    assert validate_framework_data(small_data()) == []


def test_cycle_among_areas_is_named():
    data = small_data()
    data["areas"][0]["parent"] = "Y"  # X → Y → X
    assert validate_framework_data(data) == [
        "Domaine « X » : le domaine parent « Y » forme une boucle (X → Y → X)."
    ]


def test_area_that_is_its_own_parent():
    data = small_data()
    data["areas"][0]["parent"] = "X"
    assert "Domaine « X » : le domaine parent « X » forme une boucle (X → X)." in (
        validate_framework_data(data)
    )


def test_longer_cycle_reported_once():
    data = small_data()
    data["areas"].append({"code": "Z", "title": "Z", "parent": "Y"})
    data["areas"][0]["parent"] = "Z"
    errors = validate_framework_data(data)
    assert errors == ["Domaine « X » : le domaine parent « Z » forme une boucle (X → Z → Y → X)."]


def test_missing_level_descriptor():
    data = small_data()
    del data["competencies"][0]["levels"]["3"]
    assert validate_framework_data(data) == ["Compétence « X1 » : le niveau 3 n'est pas décrit."]


def test_blank_level_descriptor_is_missing():
    data = small_data()
    data["competencies"][0]["levels"]["2"] = "  "
    assert validate_framework_data(data) == ["Compétence « X1 » : le niveau 2 n'est pas décrit."]


def test_level_outside_the_scale():
    data = small_data()
    data["competencies"][0]["levels"]["5"] = "cinq"
    assert validate_framework_data(data) == [
        "Compétence « X1 » : le niveau 5 ne figure pas dans l'échelle."
    ]


def test_scale_with_a_gap():
    data = small_data()
    data["scale"][1]["level"] = 4  # 1, 4, 3
    errors = validate_framework_data(data)
    assert "Échelle : les niveaux doivent se suivre à partir de 1 ; le niveau 2 manque." in errors


def test_scale_needs_two_levels_with_labels():
    data = small_data()
    data["scale"] = [{"level": 1, "label": ""}]
    errors = validate_framework_data(data)
    assert "Échelle, niveau 1 : Le libellé est vide." in errors
    assert "L'échelle doit compter au moins 2 niveaux." in errors


def test_duplicate_codes():
    data = small_data()
    data["competencies"].append(copy.deepcopy(data["competencies"][0]))
    data["areas"].append({"code": "X", "title": "Encore X", "parent": None})
    errors = validate_framework_data(data)
    assert "Compétence « X1 » : ce code est utilisé deux fois." in errors
    assert "Domaine « X » : ce code est utilisé deux fois." in errors


def test_unknown_parent_and_area():
    data = small_data()
    data["areas"][1]["parent"] = "W"
    data["competencies"][0]["area"] = "Q"
    errors = validate_framework_data(data)
    assert "Domaine « Y » : le domaine parent « W » n'existe pas." in errors
    assert "Compétence « X1 » : le domaine « Q » n'existe pas." in errors


def test_header_errors():
    data = small_data()
    data.update(version=0, name="", family="pas un slug")
    errors = validate_framework_data(data)
    assert "La version du référentiel doit être un nombre entier supérieur ou égal à 1." in errors
    assert "Le nom du référentiel est vide." in errors
    assert any(e.startswith("L'identifiant du référentiel « pas un slug »") for e in errors)


@pytest.mark.parametrize("data", [[], "texte", 3, None])
def test_not_an_object(data):
    assert validate_framework_data(data) == [
        "Le fichier doit contenir un référentiel (un objet JSON), pas une liste."
    ]


def test_wrong_types_give_messages_not_exceptions():
    data = small_data()
    data["scale"] = "quatre"
    data["areas"] = [3]
    data["competencies"] = [{"code": "A", "area": "X", "title": 5, "levels": []}]
    errors = validate_framework_data(data)
    assert "L'échelle des niveaux manque (« scale » : une liste de niveaux)." in errors
    assert "Domaine n° 1 : un domaine doit être un objet." in errors
    assert "Compétence « A » : L'intitulé doit être un texte." in errors


def test_invalid_json():
    with pytest.raises(ValidationError) as info:
        data_from_json_bytes(b'{"name": "x",\n  oops}')
    assert info.value.messages == ["Le fichier n'est pas un JSON valable : ligne 2, colonne 3."]
    with pytest.raises(ValidationError) as info:
        data_from_json_bytes("é".encode("latin-1"))
    assert "n'est pas un texte UTF-8" in info.value.messages[0]


@pytest.mark.django_db
def test_json_round_trip(world):
    framework = world.objects["default_framework"]
    data = framework_to_data(framework)
    assert data_from_json_bytes(framework_to_json(framework)) == data
    assert data == default_framework_data() | {"description": data["description"]}


@pytest.mark.django_db
def test_xlsx_round_trip(world):
    framework = world.objects["default_framework"]
    data = framework_to_data(framework)
    assert data_from_xlsx(io.BytesIO(framework_to_xlsx(framework))) == data


@pytest.mark.django_db
def test_xlsx_keeps_text_starting_with_equals(world):
    draft = world.objects["draft_competency"]
    draft.title = "=1+1"
    draft.save()
    workbook = load_workbook(io.BytesIO(framework_to_xlsx(draft.framework)))
    titles = [row[2] for row in workbook["Compétences"].iter_rows(values_only=True)]
    assert "=1+1" in titles
    data = data_from_xlsx(io.BytesIO(framework_to_xlsx(draft.framework)))
    assert data["competencies"][0]["title"] == "=1+1"


def _workbook_bytes(workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.mark.django_db
def test_xlsx_errors_name_sheet_and_row(world):
    workbook = load_workbook(io.BytesIO(framework_to_xlsx(world.objects["default_framework"])))
    workbook["Échelle"]["A3"] = "deux"
    workbook["Domaines"]["A4"] = None
    workbook["Référentiel"]["B3"] = "v2"
    with pytest.raises(ValidationError) as info:
        data_from_xlsx(_workbook_bytes(workbook))
    assert info.value.messages == [
        "Feuille « Référentiel », ligne 3 : la version doit être un nombre entier.",
        "Feuille « Échelle », ligne 3 : le niveau doit être un nombre entier.",
        "Feuille « Domaines », ligne 4 : le code du domaine manque.",
    ]


def test_xlsx_missing_sheets_and_columns():
    workbook = Workbook()
    workbook.active.title = "Référentiel"
    workbook.create_sheet("Échelle").append(["Niveau", "Libellé"])
    with pytest.raises(ValidationError) as info:
        data_from_xlsx(_workbook_bytes(workbook))
    assert info.value.messages == [
        "Feuille « Référentiel » : la ligne « Nom » manque.",
        "Feuille « Référentiel » : la ligne « Identifiant » manque.",
        "Feuille « Référentiel » : la ligne « Version » manque.",
        "Feuille « Échelle », ligne 1 : la colonne « Description » manque.",
        "La feuille « Domaines » manque dans le classeur.",
        "La feuille « Compétences » manque dans le classeur.",
    ]


def test_not_a_workbook():
    with pytest.raises(ValidationError) as info:
        data_from_xlsx(io.BytesIO(b"not a zip"))
    assert info.value.messages == [
        "Le fichier n'est pas un classeur XLSX lisible (format Excel 2007 et suivants)."
    ]


def test_a_huge_level_is_refused_at_once():
    data = small_data()
    data["scale"].append({"level": 1_000_000_000, "label": "Énorme"})
    errors = validate_framework_data(data)
    assert "Échelle, niveau n° 4 : le niveau doit être un nombre entier de 1 à 10." in errors
    assert len(errors) < 5


def test_a_level_described_twice_is_named():
    data = small_data()
    data["competencies"][0]["levels"]["01"] = "encore le niveau 1"
    assert "Compétence « X1 » : le niveau 1 est décrit deux fois." in validate_framework_data(data)


def test_deeply_nested_json_is_refused_with_a_message():
    with pytest.raises(ValidationError) as info:
        data_from_json_bytes(b"[" * 100_000 + b"]" * 100_000)
    assert info.value.messages == [
        "Le fichier n'est pas un JSON valable : imbrication trop profonde."
    ]
