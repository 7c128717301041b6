"""Framework services: versioning, read-only published versions, import, publication, choice."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from parcours.audit.models import AuditEvent
from parcours.competencies import services_frameworks as services
from parcours.competencies.interchange import framework_to_data
from parcours.competencies.loading import default_framework_data
from parcours.competencies.models import (
    Area,
    Assessment,
    Competency,
    Framework,
    LevelDescriptor,
    SchoolFramework,
)
from parcours.competencies.selectors import enrolment_framework, school_framework

pytestmark = pytest.mark.django_db

READ_ONLY = (
    "Cette version est publiée : elle ne peut plus être modifiée. Créez une nouvelle version."
)


def director(world):
    return world.members["director"]


def test_new_version_and_publication_leave_old_assessments_alone(world):
    shared = world.objects["default_framework"]
    assessment = world.objects["assessment"]
    v2 = services.new_version(membership=director(world), framework=shared)
    assert (v2.school, v2.family, v2.version, v2.status) == (
        world.school,
        shared.family,
        2,
        "draft",
    )
    assert v2.based_on == shared
    assert v2.competencies.count() == shared.competencies.count()
    fr1 = v2.competencies.get(code="FR1")
    services.edit_competency(
        membership=director(world),
        competency=fr1,
        area=fr1.area,
        code="FR1",
        title="Échanger à l'oral (nouvelle rédaction)",
        levels={1: "Nouveau niveau 1"},
    )
    services.publish(membership=director(world), framework=v2)
    services.choose_school_framework(membership=director(world), framework=v2)

    assessment = Assessment.objects.get(pk=assessment.pk)
    assert assessment.competency.framework_id == shared.pk
    assert assessment.competency.title == "Échanger à l'oral"
    assert shared.competencies.get(code="FR1").descriptors.get(value=1).description != (
        "Nouveau niveau 1"
    )
    # The positioned trainee stays on v1; the school's new trainees go on v2.
    assert enrolment_framework(world.objects["enrolment"]) == shared
    assert school_framework(world.school) == v2


def test_published_version_is_read_only(world):
    draft = world.objects["framework"]
    services.publish(membership=director(world), framework=draft)
    competency = draft.competencies.first()
    counts = (Competency.objects.count(), Area.objects.count(), LevelDescriptor.objects.count())
    events = AuditEvent.objects.count()
    attempts = [
        lambda: services.update_draft(membership=director(world), framework=draft, name="Autre"),
        lambda: services.add_area(
            membership=director(world), framework=draft, code="NEW", title="Nouveau"
        ),
        lambda: services.edit_area(
            membership=director(world), area=competency.area, code="ZZ", title="Autre"
        ),
        lambda: services.remove_area(membership=director(world), area=competency.area),
        lambda: services.add_competency(
            membership=director(world),
            framework=draft,
            area=competency.area,
            code="NEW1",
            title="Nouvelle",
        ),
        lambda: services.edit_competency(
            membership=director(world),
            competency=competency,
            area=competency.area,
            code=competency.code,
            title="Changée",
            levels={1: "Changé"},
        ),
        lambda: services.remove_competency(membership=director(world), competency=competency),
        lambda: services.publish(membership=director(world), framework=draft),
        lambda: services.delete_draft(membership=director(world), framework=draft),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as info:
            attempt()
        assert info.value.messages == [READ_ONLY]
    draft.refresh_from_db()
    competency.refresh_from_db()
    assert draft.name != "Autre" and competency.title != "Changée"
    assert counts == (
        Competency.objects.count(),
        Area.objects.count(),
        LevelDescriptor.objects.count(),
    )
    assert AuditEvent.objects.count() == events


def test_shared_framework_cannot_be_edited(world):
    shared = world.objects["default_framework"]
    with pytest.raises(ValidationError, match="commun à toutes les écoles"):
        services.update_draft(membership=director(world), framework=shared, name="Autre")


def test_publish_refuses_an_incomplete_draft(world):
    draft = world.objects["framework"]
    competency = world.objects["draft_competency"]
    competency.descriptors.filter(value=3).delete()
    with pytest.raises(ValidationError) as info:
        services.publish(membership=director(world), framework=draft)
    assert info.value.messages == [
        f"Compétence « {competency.code} » : le niveau 3 n'est pas décrit."
    ]
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.published_at is None


def test_publish_records_event(world):
    draft = services.publish(membership=director(world), framework=world.objects["framework"])
    assert draft.status == "published" and draft.published_at is not None
    event = AuditEvent.objects.filter(action="competencies.framework_published").get()
    assert event.object_id == str(draft.pk) and event.school == world.school


def test_new_version_of_a_draft_is_refused(world):
    before = Framework.objects.count()
    with pytest.raises(ValidationError, match="publiez-le avant"):
        services.new_version(membership=director(world), framework=world.objects["framework"])
    assert Framework.objects.count() == before


def test_only_one_draft_per_family(world):
    shared = world.objects["default_framework"]
    services.new_version(membership=director(world), framework=shared)
    with pytest.raises(ValidationError, match="Un brouillon de ce référentiel existe déjà"):
        services.new_version(membership=director(world), framework=shared)


def test_another_schools_framework_is_refused(world):
    theirs = world.others["framework"]
    services.publish(membership=world.outsider, framework=theirs)
    before = Framework.objects.count()
    with pytest.raises(ValidationError):
        services.new_version(membership=director(world), framework=theirs)
    with pytest.raises(ValidationError):
        services.choose_school_framework(membership=director(world), framework=theirs)
    with pytest.raises(ValidationError):
        services.update_draft(membership=director(world), framework=theirs, name="x")
    assert Framework.objects.count() == before


def test_import_numbers_after_existing_versions(world):
    data = default_framework_data()
    imported = services.import_framework(membership=director(world), data=data)
    assert (imported.family, imported.version, imported.status) == ("transversal-e2c", 2, "draft")
    assert imported.school == world.school
    again = services.import_framework(membership=director(world), data=data)
    assert again.version == 3
    assert framework_to_data(again) == framework_to_data(imported) | {"version": 3}
    assert AuditEvent.objects.filter(action="competencies.framework_imported").count() == 2


def test_import_errors_write_nothing(world):
    data = default_framework_data()
    data["areas"][0]["parent"] = "NUM"
    data["areas"][1]["parent"] = "FR"
    del data["competencies"][0]["levels"]["4"]
    before = (Framework.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as info:
        services.import_framework(membership=director(world), data=data)
    assert info.value.messages == [
        "Domaine « FR » : le domaine parent « NUM » forme une boucle (FR → NUM → FR).",
        "Compétence « FR1 » : le niveau 4 n'est pas décrit.",
    ]
    assert (Framework.objects.count(), AuditEvent.objects.count()) == before


def test_draft_editing(world):
    draft = world.objects["framework"]
    area = services.add_area(
        membership=director(world), framework=draft, code="SUB", title="Sous-domaine"
    )
    parent = draft.areas.get(code="FR")
    services.edit_area(
        membership=director(world), area=area, code="SUB", title="Sous-domaine", parent=parent
    )
    with pytest.raises(ValidationError, match="boucle"):
        services.edit_area(
            membership=director(world), area=parent, code="FR", title="Français", parent=area
        )
    competency = services.add_competency(
        membership=director(world),
        framework=draft,
        area=area,
        code="SUB1",
        title="Nouvelle compétence",
        levels={1: "un", 2: "deux", 3: "", 4: "quatre"},
    )
    assert sorted(competency.descriptors.values_list("value", flat=True)) == [1, 2, 4]
    with pytest.raises(ValidationError, match="déjà utilisé par une autre compétence"):
        services.add_competency(
            membership=director(world), framework=draft, area=area, code="SUB1", title="Doublon"
        )
    with pytest.raises(ValidationError, match="n'est pas décrit"):
        services.publish(membership=director(world), framework=draft)
    services.edit_competency(
        membership=director(world),
        competency=competency,
        area=area,
        code="SUB1",
        title="Nouvelle compétence",
        levels={3: "trois"},
    )
    with pytest.raises(ValidationError, match="contient des sous-domaines ou des compétences"):
        services.remove_area(membership=director(world), area=area)
    services.update_draft(
        membership=director(world),
        framework=draft,
        name="Maison v1",
        description="Essai",
        scale={1: ("Premiers pas", "")},
    )
    assert draft.levels.get(value=1).label == "Premiers pas"
    services.publish(membership=director(world), framework=draft)
    assert AuditEvent.objects.filter(action__startswith="competencies.framework").count() >= 6


def test_remove_competency_and_area_of_draft(world):
    competency = world.objects["draft_competency"]
    area = competency.area
    for other in area.competencies.all():
        services.remove_competency(membership=director(world), competency=other)
    services.remove_area(membership=director(world), area=area)
    assert not Area.objects.filter(pk=area.pk).exists()


def test_choose_requires_a_published_version(world):
    with pytest.raises(ValidationError, match="Seule une version publiée peut être choisie"):
        services.choose_school_framework(
            membership=director(world), framework=world.objects["framework"]
        )
    assert (
        SchoolFramework.objects.get(school=world.school).framework
        == (world.objects["default_framework"])
    )


def test_retire(world):
    draft = services.publish(membership=director(world), framework=world.objects["framework"])
    services.choose_school_framework(membership=director(world), framework=draft)
    with pytest.raises(ValidationError, match="référentiel en usage"):
        services.retire(membership=director(world), framework=draft)
    services.choose_school_framework(
        membership=director(world), framework=world.objects["default_framework"]
    )
    services.retire(membership=director(world), framework=draft)
    draft.refresh_from_db()
    assert draft.status == "retired"
    with pytest.raises(ValidationError, match="retirée"):
        services.choose_school_framework(membership=director(world), framework=draft)


def test_delete_draft(world):
    draft = world.objects["framework"]
    services.delete_draft(membership=director(world), framework=draft)
    assert not Framework.objects.filter(pk=draft.pk).exists()


def test_import_accepts_null_descriptions(world):
    data = default_framework_data()
    data["description"] = None
    data["scale"][0]["description"] = None
    data["competencies"][0]["description"] = None
    framework = services.import_framework(membership=director(world), data=data)
    assert framework.description == ""
    assert framework.levels.get(value=1).description == ""
