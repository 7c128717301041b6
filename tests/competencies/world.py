"""Competency objects of the test world, for both schools.

Each school has: its own draft framework (a copy of the shipped default), a positioning and an
assessment with a note as evidence on the world's enrolment, a certification and a valid
attestation. The shipped default framework (``world.objects["default_framework"]``) is shared.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from parcours.competencies import models as competency_models
from parcours.competencies.loading import create_framework_rows, default_framework_data
from parcours.competencies.models import (
    Assessment,
    Attestation,
    Certification,
    Competency,
    Evidence,
    Framework,
    SchoolFramework,
)

MODELS = SimpleNamespace(
    **{
        name: getattr(competency_models, name)
        for name in ("Framework", "ScaleLevel", "Area", "Competency", "LevelDescriptor")
    }
)


def default_framework() -> Framework:
    return Framework.objects.get(school=None, family="transversal-e2c", version=1)


def _build(school, assessor, objects: dict) -> None:
    shared = default_framework()
    SchoolFramework.objects.create(school=school, framework=shared)
    draft = create_framework_rows(
        default_framework_data(),
        models=MODELS,
        school=school,
        family=f"maison-{school.slug}",
        name=f"Référentiel maison {school.name}",
        version=1,
        status="draft",
    )
    enrolment = objects["enrolment"]
    competency = Competency.objects.get(framework=shared, code="FR1")
    positioning = Assessment.objects.create(
        school=school,
        enrolment=enrolment,
        competency=competency,
        kind="positioning",
        level=1,
        assessed_on=enrolment.entry_date,
        assessor=assessor,
        context="positioning",
        recorded_by=assessor.user,
    )
    assessment = Assessment.objects.create(
        school=school,
        enrolment=enrolment,
        competency=competency,
        kind="assessment",
        level=2,
        assessed_on=enrolment.entry_date + datetime.timedelta(days=30),
        assessor=assessor,
        context="workshop",
        recorded_by=assessor.user,
    )
    evidence = Evidence.objects.create(
        school=school, assessment=assessment, kind="note", note="Se présente clairement en atelier."
    )
    certification = Certification.objects.create(
        school=school,
        enrolment=enrolment,
        kind="pix",
        status="obtained",
        on_date=enrolment.entry_date + datetime.timedelta(days=40),
        result="245 pix",
        recorded_by=assessor.user,
    )
    attestation = Attestation.objects.create(
        school=school,
        enrolment=enrolment,
        number=f"ACA-{school.slug.upper()}-2024-0001",
        issued_on=enrolment.entry_date + datetime.timedelta(days=60),
        issued_by=assessor.user,
        framework=shared,
        content={"competencies": [{"code": "FR1", "title": competency.title, "level": 2}]},
    )
    objects.update(
        default_framework=shared,
        framework=draft,
        draft_competency=draft.competencies.first(),
        competency=competency,
        positioning=positioning,
        assessment=assessment,
        evidence=evidence,
        certification=certification,
        attestation=attestation,
    )


def build_competencies_world(world) -> None:
    _build(world.school, world.members["referent"], world.objects)
    _build(world.other_school, world.outsider, world.others)
