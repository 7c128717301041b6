"""Framework screens: list, detail, exports, import, new version, editing, publication, choice."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.competencies import services_frameworks as services
from parcours.competencies.interchange import framework_to_data, framework_to_xlsx
from parcours.competencies.loading import default_framework_data
from parcours.competencies.models import Area, Competency, Framework, SchoolFramework
from tests.utils import page_text

pytestmark = pytest.mark.django_db

READ_ONLY = (
    "Cette version est publiée : elle ne peut plus être modifiée. Créez une nouvelle version."
)


def url(world, name, *args):
    return reverse(f"competencies:{name}", args=[world.school.slug, *args])


def framework_count():
    return Framework.objects.count()


# ------------------------------------------------------------------------------ reading


def test_list_groups_versions_and_shows_the_one_in_use(world, django_assert_max_num_queries):
    client = world.client_for("referent")
    with django_assert_max_num_queries(9):  # 8 + the verified session's device (django-otp)
        response = client.get(url(world, "frameworks"))
    text = page_text(response)
    assert response.status_code == 200
    assert "Compétences transversales Parcours" in text
    assert "Référentiel maison" in text
    assert "en usage" in text
    assert "Importer un référentiel" not in text  # referent: no manage action
    assert world.others["framework"].name not in text


def test_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    director = world.members["director"]
    for _ in range(3):
        services.import_framework(membership=director, data=default_framework_data())
    client = world.client_for("director")
    with django_assert_max_num_queries(9):  # 8 + the verified session's device (django-otp)
        response = client.get(url(world, "frameworks"))
    assert page_text(response).count("v4") == 1


def test_detail_shows_scale_tree_and_descriptors(world, django_assert_max_num_queries):
    shared = world.objects["default_framework"]
    client = world.client_for("director")
    with django_assert_max_num_queries(14):
        response = client.get(url(world, "framework", shared.pk))
    text = page_text(response)
    assert response.status_code == 200
    assert "Découverte" in text and "FR1 — Échanger à l'oral" in text
    assert "Répond à des questions simples quand on l'y invite." in text
    # A shared published version: new version, no edit action.
    assert "Créer une nouvelle version" in text
    assert "Nom, description et échelle" not in text
    draft = client.get(url(world, "framework", world.objects["framework"].pk))
    assert "Publier" in page_text(draft) and "Ajouter une compétence" in page_text(draft)


def test_other_schools_framework_is_404(world):
    theirs = world.others["framework"]
    client = world.client_for("director")
    for name in ("framework", "framework_export_json", "framework_edit", "framework_publish"):
        assert client.get(url(world, name, theirs.pk)).status_code == 404
    assert client.post(url(world, "framework_publish", theirs.pk)).status_code == 404
    competency = world.others["draft_competency"]
    response = client.post(url(world, "framework_competency_edit", competency.pk), {})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "draft"


def test_exports(world):
    shared = world.objects["default_framework"]
    client = world.client_for("company_relations")
    response = client.get(url(world, "framework_export_json", shared.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="referentiel-transversal-e2c-v1.json"'
    )
    assert json.loads(response.content) == framework_to_data(shared)
    response = client.get(url(world, "framework_export_xlsx", shared.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-v1.xlsx"')
    assert response.content[:2] == b"PK"


# ------------------------------------------------------------------------------ import


def upload(name, content):
    return {"file": SimpleUploadedFile(name, content)}


def test_import_json(world):
    raw = json.dumps(default_framework_data()).encode()
    response = world.client_for("director").post(
        url(world, "framework_import"), upload("ref.json", raw)
    )
    imported = Framework.objects.get(school=world.school, family="transversal-e2c")
    assert response.status_code == 302
    assert response["Location"] == url(world, "framework", imported.pk)
    assert imported.version == 2 and imported.status == "draft"


def test_import_xlsx_round_trip(world):
    shared = world.objects["default_framework"]
    client = world.client_for("director")
    exported = client.get(url(world, "framework_export_xlsx", shared.pk)).content
    response = client.post(url(world, "framework_import"), upload("ref.xlsx", exported))
    assert response.status_code == 302
    imported = Framework.objects.get(school=world.school, family="transversal-e2c")
    assert framework_to_data(imported) == framework_to_data(shared) | {"version": 2}


def _post_import(world, name, content):
    before = framework_count()
    response = world.client_for("director").post(
        url(world, "framework_import"), upload(name, content)
    )
    assert response.status_code == 400
    assert framework_count() == before
    return page_text(response)


def test_import_refuses_a_cycle(world):
    data = default_framework_data()
    data["areas"][2]["parent"] = "EQ"
    data["areas"][3]["parent"] = "DIG"
    text = _post_import(world, "ref.json", json.dumps(data).encode())
    assert "Domaine « DIG » : le domaine parent « EQ » forme une boucle (DIG → EQ → DIG)." in text


def test_import_refuses_a_missing_level(world):
    data = default_framework_data()
    del data["competencies"][1]["levels"]["2"]
    text = _post_import(world, "ref.json", json.dumps(data).encode())
    assert "Compétence « FR2 » : le niveau 2 n'est pas décrit." in text


def test_import_refuses_a_scale_with_a_gap(world):
    data = default_framework_data()
    data["scale"][2]["level"] = 5
    text = _post_import(world, "ref.json", json.dumps(data).encode())
    assert "Échelle : les niveaux doivent se suivre à partir de 1 ; le niveau 3 manque." in text


def test_import_refuses_a_duplicate_code_and_lists_all_errors(world):
    data = default_framework_data()
    data["competencies"][1]["code"] = "FR1"
    del data["competencies"][0]["levels"]["1"]
    text = _post_import(world, "ref.json", json.dumps(data).encode())
    assert "Compétence « FR1 » : ce code est utilisé deux fois." in text
    assert "Compétence « FR1 » : le niveau 1 n'est pas décrit." in text
    assert "2 erreurs à corriger" in text


def test_import_refuses_invalid_json(world):
    text = _post_import(world, "ref.json", b'{"name": ')
    assert "Le fichier n'est pas un JSON valable : ligne 1, colonne 10." in text


def test_import_refuses_a_wrong_file_type(world):
    text = _post_import(world, "ref.csv", b"code;title\n")
    assert "Format de fichier non reconnu : déposez un fichier .json ou .xlsx." in text


def test_import_refuses_a_broken_xlsx(world):
    text = _post_import(world, "ref.xlsx", b"PK not really")
    assert "Le fichier n'est pas un classeur XLSX lisible" in text


def test_import_xlsx_with_a_missing_level(world):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(framework_to_xlsx(world.objects["default_framework"])))
    workbook["Compétences"]["F2"] = None  # FR1, "Niveau 2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    text = _post_import(world, "ref.xlsx", buffer.getvalue())
    assert "Compétence « FR1 » : le niveau 2 n'est pas décrit." in text


def test_import_is_for_directors(world):
    raw = json.dumps(default_framework_data()).encode()
    before = framework_count()
    response = world.client_for("referent").post(
        url(world, "framework_import"), upload("ref.json", raw)
    )
    assert response.status_code == 403
    response = world.client_for("outsider").post(
        url(world, "framework_import"), upload("ref.json", raw)
    )
    assert response.status_code == 404
    assert framework_count() == before


# ------------------------------------------------------------------------------ versions


def test_new_version_three_users(world):
    shared = world.objects["default_framework"]
    target = url(world, "framework_new_version", shared.pk)
    before = framework_count()
    assert world.client_for("referent").post(target).status_code == 403
    assert world.client_for("outsider").post(target).status_code == 404
    assert framework_count() == before
    response = world.client_for("director").post(target)
    draft = Framework.objects.get(school=world.school, family=shared.family)
    assert response.status_code == 302 and response["Location"] == url(world, "framework", draft.pk)
    assert draft.based_on == shared and draft.version == 2


def test_new_version_of_a_draft_explains(world):
    draft = world.objects["framework"]
    client = world.client_for("director")
    response = client.get(url(world, "framework_new_version", draft.pk))
    assert response.status_code == 200
    assert "publiez-le avant d'en créer une nouvelle version" in page_text(response)
    before = framework_count()
    assert client.post(url(world, "framework_new_version", draft.pk)).status_code == 400
    assert framework_count() == before


def test_publish_three_users(world):
    draft = world.objects["framework"]
    target = url(world, "framework_publish", draft.pk)
    assert world.client_for("referent").post(target).status_code == 403
    assert world.client_for("outsider").post(target).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"
    client = world.client_for("director")
    assert "Publier la version" in page_text(client.get(target))
    response = client.post(target)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None
    # Now read-only: no edit action, edit pages explain, writes are refused.
    text = page_text(client.get(url(world, "framework", draft.pk)))
    assert "Ajouter une compétence" not in text and "Créer une nouvelle version" in text
    response = client.get(url(world, "framework_edit", draft.pk))
    assert response.status_code == 200 and READ_ONLY in page_text(response)
    response = client.post(url(world, "framework_edit", draft.pk), {"name": "Autre"})
    assert response.status_code == 400 and READ_ONLY in page_text(response)
    competency = world.objects["draft_competency"]
    response = client.post(
        url(world, "framework_competency_edit", competency.pk),
        {"area": competency.area_id, "code": "X", "title": "Changée"},
    )
    assert response.status_code == 400 and READ_ONLY in page_text(response)
    draft.refresh_from_db()
    competency.refresh_from_db()
    assert draft.name != "Autre" and competency.title != "Changée"


def test_publish_incomplete_draft_lists_problems(world):
    draft = world.objects["framework"]
    competency = world.objects["draft_competency"]
    competency.descriptors.filter(value=4).delete()
    client = world.client_for("director")
    message = f"Compétence « {competency.code} » : le niveau 4 n'est pas décrit."
    assert message in page_text(client.get(url(world, "framework_publish", draft.pk)))
    response = client.post(url(world, "framework_publish", draft.pk))
    assert response.status_code == 400 and message in page_text(response)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_use_three_users(world):
    draft = world.objects["framework"]
    client = world.client_for("director")
    client.post(url(world, "framework_publish", draft.pk))
    target = url(world, "framework_use", draft.pk)
    assert world.client_for("referent").post(target).status_code == 403
    assert world.client_for("outsider").post(target).status_code == 404
    assert SchoolFramework.objects.get(school=world.school).framework_id != draft.pk
    assert client.post(target).status_code == 302
    assert SchoolFramework.objects.get(school=world.school).framework_id == draft.pk
    assert AuditEvent.objects.filter(action="competencies.framework_chosen").count() == 1


def test_use_of_a_draft_is_refused(world):
    draft = world.objects["framework"]
    client = world.client_for("director")
    response = client.get(url(world, "framework_use", draft.pk))
    assert "Seule une version publiée peut être choisie" in page_text(response)
    assert client.post(url(world, "framework_use", draft.pk)).status_code == 400
    assert SchoolFramework.objects.get(school=world.school).framework_id != draft.pk


def test_retire_and_delete(world):
    client = world.client_for("director")
    draft = world.objects["framework"]
    assert (
        world.client_for("referent").post(url(world, "framework_delete", draft.pk)).status_code
        == 403
    )
    assert client.post(url(world, "framework_delete", draft.pk)).status_code == 302
    assert not Framework.objects.filter(pk=draft.pk).exists()
    shared = world.objects["default_framework"]
    response = client.post(url(world, "framework_retire", shared.pk))
    assert response.status_code == 400
    assert "commun à toutes les écoles" in page_text(response)
    shared.refresh_from_db()
    assert shared.status == "published"


# ------------------------------------------------------------------------------ draft editing


def test_edit_draft_header_and_scale(world):
    draft = world.objects["framework"]
    target = url(world, "framework_edit", draft.pk)
    data = {"name": "Maison", "description": "Notre référentiel"}
    for level in draft.levels.all():
        data[f"level_{level.value}_label"] = f"N{level.value}"
        data[f"level_{level.value}_description"] = ""
    assert world.client_for("referent").post(target, data).status_code == 403
    assert world.client_for("outsider").post(target, data).status_code == 404
    draft.refresh_from_db()
    assert draft.name != "Maison"
    assert world.client_for("director").post(target, data).status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Maison"
    assert list(draft.levels.values_list("label", flat=True)) == ["N1", "N2", "N3", "N4"]


def test_edit_draft_requires_labels(world):
    draft = world.objects["framework"]
    response = world.client_for("director").post(
        url(world, "framework_edit", draft.pk), {"name": "", "level_1_label": ""}
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in page_text(response)


def test_area_add_and_edit(world):
    draft = world.objects["framework"]
    client = world.client_for("director")
    target = url(world, "framework_area_add", draft.pk)
    data = {"code": "NEW", "title": "Nouveau domaine", "parent": ""}
    assert world.client_for("referent").post(target, data).status_code == 403
    assert client.post(target, data).status_code == 302
    area = Area.objects.get(framework=draft, code="NEW")
    response = client.post(target, data)
    assert response.status_code == 400
    assert "Le code de domaine « NEW » est déjà utilisé." in page_text(response)
    fr = draft.areas.get(code="FR")
    client.post(
        url(world, "framework_area_edit", area.pk),
        {"code": "NEW", "title": "Nouveau domaine", "parent": fr.pk},
    )
    area.refresh_from_db()
    assert area.parent == fr
    response = client.post(
        url(world, "framework_area_edit", fr.pk), {"code": "FR", "title": "F", "parent": area.pk}
    )
    assert response.status_code == 400 and "boucle" in page_text(response)
    fr.refresh_from_db()
    assert fr.parent is None
    assert client.post(url(world, "framework_area_delete", area.pk)).status_code == 302
    assert not Area.objects.filter(pk=area.pk).exists()


def test_competency_add_edit_delete(world):
    draft = world.objects["framework"]
    area = draft.areas.get(code="FR")
    client = world.client_for("director")
    target = url(world, "framework_competency_add", draft.pk)
    data = {
        "area": area.pk,
        "code": "FR9",
        "title": "Prendre des notes",
        "description": "",
        "level_1": "Note un mot",
        "level_2": "Note une phrase",
        "level_3": "",
        "level_4": "Prend des notes complètes",
    }
    assert world.client_for("referent").post(target, data).status_code == 403
    assert not Competency.objects.filter(framework=draft, code="FR9").exists()
    assert client.post(target, data).status_code == 302
    competency = Competency.objects.get(framework=draft, code="FR9")
    assert competency.descriptors.count() == 3
    edit = url(world, "framework_competency_edit", competency.pk)
    assert "Note une phrase" in page_text(client.get(edit))
    assert client.post(edit, data | {"level_3": "Note un paragraphe"}).status_code == 302
    assert competency.descriptors.get(value=3).description == "Note un paragraphe"
    response = client.post(edit, data | {"code": "FR1"})
    assert response.status_code == 400
    assert "Le code « FR1 » est déjà utilisé par une autre compétence" in page_text(response)
    delete = url(world, "framework_competency_delete", competency.pk)
    assert world.client_for("referent").post(delete).status_code == 403
    assert client.post(delete).status_code == 302
    assert not Competency.objects.filter(pk=competency.pk).exists()


def test_settings_hub_links_to_frameworks(world):
    response = world.client_for("director").get(
        reverse("organisations:settings", args=[world.school.slug])
    )
    assert url(world, "frameworks") in response.content.decode()


def test_import_without_a_file(world):
    before = framework_count()
    response = world.client_for("director").post(url(world, "framework_import"))
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in page_text(response)
    assert framework_count() == before
