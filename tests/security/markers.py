"""What must never leak, and a world where it is easy to spot.

``secure_world`` adds to the shared test world (tests/conftest.py) a second enrolment of school
A followed by another referent (``referent2``), with its own restricted content, and gives every
person, guardian, company contact and registration a unique phone number and birth date, so a
leak is a plain substring search in a response body.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile

from parcours.accounts.models import User
from parcours.companies.models import Contact
from parcours.intake.models import Registration
from parcours.pathways.models import Document, EntrySituation, Meeting, SupportAction
from parcours.people.models import LegalGuardian, Person
from parcours.people.phones import display_phone

from ..factories import (
    EnrolmentFactory,
    EntrySituationFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

#: The restricted texts of the shared world's enrolment (tests/pathways/world.py) and the
#: content of its health document's file (set below).
HEALTH_MARKERS = ("SECRET-SANTE", "SECRET-CONFIDENTIEL", "SECRET-DOC-SANTE", "SECRET-FICHIER-SANTE")
#: The restricted texts of the second enrolment, followed by ``referent2``.
SECOND_MARKERS = ("SECRETB-SANTE", "SECRETB-CONFIDENTIEL", "SECRETB-DOC", "SECRETB-FICHIER")
ALL_MARKERS = HEALTH_MARKERS + SECOND_MARKERS


def _pdf_with(marker: str) -> bytes:
    return f"%PDF-1.4\n% {marker}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()


def _second_enrolment(world) -> dict:
    school, referent = world.school, world.members["referent"]
    referent2 = MembershipFactory(
        school=school,
        role="referent",
        user=UserFactory(email="referent2@alpha.example.org", last_name="Alphareferentdeux"),
    )
    person = PersonFactory(school=school, last_name="Secondestagiaire", first_name="Inès")
    enrolment = EnrolmentFactory(school=school, person=person, site=world.site, referent=referent2)
    EntrySituationFactory(enrolment=enrolment, school=school)
    author = referent2.user
    confidential = Meeting.objects.create(
        school=school,
        enrolment=enrolment,
        held_on=datetime.date(2024, 3, 2),
        kind="follow_up",
        summary="SECRETB-CONFIDENTIEL : hébergement d'urgence.",
        confidential=True,
        author=author,
    )
    health = SupportAction.objects.create(
        school=school,
        enrolment=enrolment,
        domain="health",
        description="SECRETB-SANTE : suivi addictologie.",
        opened_on=datetime.date(2024, 2, 13),
        author=author,
    )
    document = Document(
        school=school,
        enrolment=enrolment,
        kind="health",
        title="SECRETB-DOC certificat",
        original_name="certificat.pdf",
        content_type="application/pdf",
        size=40,
        uploaded_by=author,
    )
    document.file.save("upload", ContentFile(_pdf_with("SECRETB-FICHIER")), save=True)
    assert referent != referent2
    return {
        "enrolment2": enrolment,
        "confidential_meeting2": confidential,
        "health_action2": health,
        "health_document2": document,
        "referent2": referent2,
    }


def _unique_contacts() -> None:
    """Unique phone numbers and birth dates, so that each one designates one person."""
    day = datetime.date(2003, 1, 7)
    for index, person in enumerate(Person.objects.order_by("pk")):
        birth = day + datetime.timedelta(days=41 * index)
        Person.objects.filter(pk=person.pk).update(phone=f"+3361{index:07d}", birth_date=birth)
        EntrySituation.objects.filter(enrolment__person=person).update(birth_date=birth)
    for index, model in enumerate((LegalGuardian, Contact, Registration)):
        for rank, row in enumerate(model.objects.order_by("pk")):
            model.objects.filter(pk=row.pk).update(phone=f"+336{index + 2}{rank:07d}")


@pytest.fixture
def secure_world(world):
    extra = _second_enrolment(world)
    world.members_extra = {"referent2": extra.pop("referent2")}
    world.objects.update(extra)
    health_document = world.objects["health_document"]
    health_document.file.save("upload", ContentFile(_pdf_with("SECRET-FICHIER-SANTE")), save=True)
    _unique_contacts()
    return world


def personal_values(*, except_users: set[int] = frozenset()) -> dict[str, set[str]]:
    """Every name, birth date (dd/mm/yyyy), e-mail and phone number of a person in the database,
    by category; ``except_users``: accounts whose own name may show (the walker's)."""
    values: dict[str, set[str]] = {
        "name": set(),
        "birth date": set(),
        "email": set(),
        "phone": set(),
    }
    for model in (Person, LegalGuardian, Contact, Registration):
        for row in model.objects.all():
            values["name"].add(row.last_name)
            values["name"].add(f"{row.first_name} {row.last_name}")
            if row.email:
                values["email"].add(row.email)
            if row.phone:
                values["phone"].update({row.phone, display_phone(row.phone)})
            if getattr(row, "birth_date", None):
                values["birth date"].add(row.birth_date.strftime("%d/%m/%Y"))
    for situation in EntrySituation.objects.all():
        values["birth date"].add(situation.birth_date.strftime("%d/%m/%Y"))
    for user in User.objects.exclude(pk__in=except_users):
        values["name"].add(user.last_name)
        values["email"].add(user.email)
    return {key: {value for value in found if len(value) >= 4} for key, found in values.items()}


def leaks(text: str, values: dict[str, set[str]]) -> list[str]:
    """The values found in ``text`` as whole words, as ``"category: value"``."""
    found = []
    for category, candidates in values.items():
        for value in candidates:
            if value in text and re.search(rf"(?<![\w@.+]){re.escape(value)}(?![\w@])", text):
                found.append(f"{category}: {value}")
    return found
