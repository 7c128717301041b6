"""People objects of the test world, for both schools: a request and a notice."""

from __future__ import annotations

import datetime

from parcours.people.models import PrivacyNotice, SubjectRequest


def _build(objects: dict, recorded_by) -> None:
    person = objects["enrolment"].person
    request = SubjectRequest.objects.create(
        school=person.school,
        person=person,
        kind="access",
        received_on=datetime.date(2024, 3, 10),
        channel="letter",
        details="Demande une copie de son dossier.",
        recorded_by=recorded_by,
    )
    notice = PrivacyNotice.objects.create(
        school=person.school,
        person=person,
        given_to="person",
        given_on=datetime.date(2024, 2, 5),
        medium="hand",
        version="Notice d'information v2024-01",
        recorded_by=recorded_by,
    )
    objects.update(trainee_person=person, subject_request=request, privacy_notice=notice)


def build_people_world(world) -> None:
    _build(world.objects, world.members["director"].user)
    _build(world.others, world.outsider.user)
