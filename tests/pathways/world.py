"""Pathway objects of the test world, for both schools: an enrolment with its follow-up."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile

from parcours.pathways.models import (
    Document,
    EnrolmentPhase,
    Meeting,
    Plan,
    PlanGoal,
    RestrictedShare,
    SupportAction,
    TargetJob,
)
from parcours.pathways.services import ensure_phases

from ..factories import (
    EnrolmentFactory,
    EntrySituationFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _build(school, site, referent, author, objects: dict) -> None:
    phases = ensure_phases(school)
    person = PersonFactory(school=school, last_name=f"Stagiaire{school.slug}", first_name="Léa")
    enrolment = EnrolmentFactory(
        school=school,
        person=person,
        site=site,
        referent=referent,
        entry_date=datetime.date(2024, 2, 5),
        planned_end_date=datetime.date(2024, 8, 5),
    )
    EntrySituationFactory(enrolment=enrolment, school=school)
    EnrolmentPhase.objects.create(
        school=school,
        enrolment=enrolment,
        phase=phases[0],
        started_on=enrolment.entry_date,
        ended_on=datetime.date(2024, 3, 4),
    )
    EnrolmentPhase.objects.create(
        school=school, enrolment=enrolment, phase=phases[1], started_on=datetime.date(2024, 3, 4)
    )
    plan = Plan.objects.create(
        school=school, enrolment=enrolment, version=1, project="Logistique", created_by=author
    )
    TargetJob.objects.create(plan=plan, title="Préparateur de commandes", rome_code="N1103")
    PlanGoal.objects.create(plan=plan, title="Obtenir le CACES 1", due_on=datetime.date(2024, 5, 1))
    meeting = Meeting.objects.create(
        school=school,
        enrolment=enrolment,
        held_on=datetime.date(2024, 2, 20),
        kind="follow_up",
        summary="Point d'étape : assiduité correcte.",
        author=author,
    )
    confidential = Meeting.objects.create(
        school=school,
        enrolment=enrolment,
        held_on=datetime.date(2024, 3, 1),
        kind="follow_up",
        summary="SECRET-CONFIDENTIEL : situation familiale difficile.",
        confidential=True,
        author=author,
    )
    health = SupportAction.objects.create(
        school=school,
        enrolment=enrolment,
        domain="health",
        description="SECRET-SANTE : orientation vers un centre médico-psychologique.",
        opened_on=datetime.date(2024, 2, 12),
        author=author,
    )
    mobility = SupportAction.objects.create(
        school=school,
        enrolment=enrolment,
        domain="mobility",
        description="Demande d'aide au permis de conduire.",
        opened_on=datetime.date(2024, 2, 14),
        author=author,
    )
    document = Document(
        school=school,
        enrolment=enrolment,
        kind="cv",
        title="CV de Léa",
        original_name="cv.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=author,
    )
    document.file.save("upload", ContentFile(PDF_BYTES), save=True)
    health_document = Document(
        school=school,
        enrolment=enrolment,
        kind="health",
        title="SECRET-DOC-SANTE certificat",
        original_name="certificat.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        uploaded_by=author,
    )
    health_document.file.save("upload", ContentFile(PDF_BYTES), save=True)
    # A second referent of the school with whom the restricted sections are shared.
    colleague = MembershipFactory(
        school=school,
        role="referent",
        user=UserFactory(email=f"collegue@{school.slug}.example.org", last_name="Collegue"),
    )
    share = RestrictedShare.objects.create(
        school=school, enrolment=enrolment, membership=colleague, granted_by=author
    )
    objects.update(
        share=share,
        enrolment=enrolment,
        meeting=meeting,
        confidential_meeting=confidential,
        health_action=health,
        support_action=mobility,
        document=document,
        health_document=health_document,
        plan=plan,
        phase=phases[2],
    )


def build_pathways_world(world) -> None:
    _build(
        world.school,
        world.site,
        world.members["referent"],
        world.members["referent"].user,
        world.objects,
    )
    _build(world.other_school, world.other_site, world.outsider, world.outsider.user, world.others)
