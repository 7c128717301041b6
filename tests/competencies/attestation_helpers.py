"""Enrolments ready for an attestation (assessed, exited or in the last phase)."""

from __future__ import annotations

import datetime

from parcours.competencies.models import Assessment, Competency, Evidence
from parcours.pathways.models import EnrolmentPhase
from parcours.pathways.services import ensure_phases

from ..factories import EnrolmentFactory, PersonFactory

ENTRY = datetime.date(2024, 2, 5)
EXIT = datetime.date(2024, 8, 2)
BIRTH = datetime.date(2001, 3, 14)
EVIDENCE_NOTE = "Anime la réunion d'équipe du lundi et reformule les consignes."


def assess(world, enrolment, *, code="FR1", level=3, entry_level=1, on=None, note=EVIDENCE_NOTE):
    """A positioning and an assessment (with a note) on ``code`` of the default framework."""
    competency = Competency.objects.get(framework=world.objects["default_framework"], code=code)
    assessor = world.members["referent"]
    Assessment.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        competency=competency,
        kind="positioning",
        level=entry_level,
        assessed_on=enrolment.entry_date,
        assessor=assessor,
        context="positioning",
        recorded_by=assessor.user,
    )
    row = Assessment.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        competency=competency,
        kind="assessment",
        level=level,
        assessed_on=on or enrolment.entry_date + datetime.timedelta(days=60),
        assessor=assessor,
        context="internship",
        recorded_by=assessor.user,
    )
    if note:
        Evidence.objects.create(school=enrolment.school, assessment=row, kind="note", note=note)
    return competency


def exited_enrolment(world, *, ended_on=EXIT, assessed=True, last_name="Delivrance"):
    person = PersonFactory(
        school=world.school, first_name="Camille", last_name=last_name, birth_date=BIRTH
    )
    enrolment = EnrolmentFactory(
        school=world.school,
        person=person,
        site=world.site,
        referent=world.members["referent"],
        entry_date=ENTRY,
        status="exited",
        ended_on=ended_on,
    )
    if assessed:
        assess(world, enrolment)
    return enrolment


def active_enrolment(world, *, last_phase=True, since=datetime.date(2024, 6, 1)):
    """An active enrolment in the last phase of the school's pathway (or in the first one)."""
    person = PersonFactory(
        school=world.school, first_name="Noé", last_name="Enphase", birth_date=BIRTH
    )
    enrolment = EnrolmentFactory(
        school=world.school,
        person=person,
        site=world.site,
        referent=world.members["referent"],
        entry_date=ENTRY,
    )
    phases = ensure_phases(world.school)
    phase = phases[-1] if last_phase else phases[0]
    EnrolmentPhase.objects.create(
        school=world.school, enrolment=enrolment, phase=phase, started_on=since
    )
    assess(world, enrolment)
    return enrolment
