"""Objects of the privacy screens in the shared test world (both schools)."""

from __future__ import annotations

from parcours.privacy.models import LegalHold


def _build(school, enrolment, placed_by, objects: dict) -> None:
    person = enrolment.person
    objects["privacy_person"] = person
    objects["legal_hold"] = LegalHold.objects.create(
        school=school, person=person, reason="Réquisition judiciaire", placed_by=placed_by
    )


def build_privacy_world(world) -> None:
    _build(
        world.school,
        world.objects["enrolment"],
        world.members["director"].user,
        world.objects,
    )
    _build(world.other_school, world.others["enrolment"], world.outsider.user, world.others)
