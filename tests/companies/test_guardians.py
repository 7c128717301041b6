"""Legal guardians of a trainee: the services (audited without the guardian's identity), the
views, and the trainee page's block (shown for a minor, with a warning when none is known)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.people.models import LegalGuardian, years_before
from parcours.people.services_guardians import add_guardian, remove_guardian, update_guardian

from ..utils import page_text
from .agreement_helpers import minor_enrolment

pytestmark = pytest.mark.django_db

VALUES = {
    "relation": "mother",
    "last_name": "Martin",
    "first_name": "Nadia",
    "email": "nadia.martin@example.net",
    "phone": "0612345678",
    "address": "8 rue Blatin, 63000 Clermont-Ferrand",
}


def _member(world, role="company_relations"):
    return world.members[role]


def test_add_update_remove_are_audited_without_identity(world):
    person = minor_enrolment(world, guardian=False).person
    guardian = add_guardian(membership=_member(world), person=person, **VALUES)
    assert (guardian.school, guardian.person, guardian.full_name) == (
        world.school,
        person,
        "Nadia Martin",
    )
    event = AuditEvent.objects.get(action="guardian.create")
    assert event.changes == {"person": person.pk, "relation": "mother"}
    update_guardian(
        membership=_member(world), guardian=guardian, **{**VALUES, "phone": "0700000000"}
    )
    guardian.refresh_from_db()
    assert guardian.phone == "0700000000"
    event = AuditEvent.objects.get(action="guardian.update")
    assert event.changes == {"person": person.pk, "fields": ["phone"]}
    assert "Martin" not in str(event.changes) + event.object_repr
    update_guardian(
        membership=_member(world), guardian=guardian, **{**VALUES, "phone": "0700000000"}
    )
    assert AuditEvent.objects.filter(action="guardian.update").count() == 1  # no change
    pk = guardian.pk
    remove_guardian(membership=_member(world), guardian=guardian)
    assert not LegalGuardian.objects.filter(person=person).exists()
    assert AuditEvent.objects.filter(action="guardian.delete", object_id=pk).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"last_name": "  "}, "Indiquez le nom et le prénom du ou de la représentant·e légal·e."),
        ({"relation": "uncle"}, "Choisissez le lien du ou de la représentant·e légal·e."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse de courriel valide."),
    ],
)
def test_bad_values_are_refused(world, change, message):
    person = world.objects["enrolment"].person
    with pytest.raises(ValidationError) as refusal:
        add_guardian(membership=_member(world), person=person, **{**VALUES, **change})
    assert message in refusal.value.messages
    assert LegalGuardian.objects.filter(person=person).count() == 1  # the world's
    assert not AuditEvent.objects.filter(action="guardian.create").exists()


def test_another_schools_person_is_refused(world):
    with pytest.raises(ValidationError):
        add_guardian(membership=_member(world), person=world.others["enrolment"].person, **VALUES)
    with pytest.raises(ValidationError):
        remove_guardian(membership=_member(world), guardian=world.others["guardian"])
    assert LegalGuardian.objects.filter(pk=world.others["guardian"].pk).exists()


# ---------------------------------------------------------------------------------- views


def _url(world, name, pk):
    return reverse(f"companies:{name}", args=[world.school.slug, pk])


def test_guardian_new_three_users(world):
    enrolment = minor_enrolment(world, guardian=False)
    url = _url(world, "guardian_new", enrolment.pk)
    assert world.client_for("intake").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    assert world.client_for("intake").post(url, VALUES).status_code == 403
    assert world.client_for("outsider").post(url, VALUES).status_code == 404
    client = world.client_for("referent")
    assert client.get(url).status_code == 200
    response = client.post(url, {**VALUES, "first_name": ""})
    assert response.status_code == 400
    assert "Indiquez le prénom." in page_text(response)
    assert not LegalGuardian.objects.filter(person=enrolment.person).exists()
    response = client.post(url, VALUES)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "pathways:trainee", args=[world.school.slug, enrolment.pk]
    )
    assert LegalGuardian.objects.get(person=enrolment.person).full_name == "Nadia Martin"


def test_guardian_edit_and_delete_three_users(world):
    guardian = world.objects["guardian"]
    edit = _url(world, "guardian_edit", guardian.pk)
    delete = _url(world, "guardian_delete", guardian.pk)
    for url in (edit, delete):
        assert world.client_for("intake").get(url).status_code == 403
        assert world.client_for("outsider").get(url).status_code == 404
    client = world.client_for("company_relations")
    response = client.get(edit)
    assert response.status_code == 200 and 'value="Sophie"' in page_text(response)
    response = client.post(edit, {**VALUES, "first_name": "Sophie", "last_name": "Durand"})
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.full_name == "Sophie Durand"
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not LegalGuardian.objects.filter(pk=guardian.pk).exists()
    other = world.others["guardian"]
    assert client.post(_url(world, "guardian_delete", other.pk)).status_code == 404


def test_trainee_page_shows_the_guardians_of_a_minor(world):
    client = world.client_for("company_relations")
    enrolment = minor_enrolment(world, guardian=False)
    person = enrolment.person
    person.birth_date = years_before(timezone.localdate(), 17)  # a minor today
    person.save()
    trainee = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    text = page_text(client.get(trainee))
    assert "aucun·e représentant·e légal·e enregistré·e" in text
    assert _url(world, "guardian_new", enrolment.pk) in text
    add_guardian(membership=_member(world), person=enrolment.person, **VALUES)
    text = page_text(client.get(trainee))
    assert "Nadia Martin (Mère)" in text
    # Without MANAGE_INTERNSHIPS: the guardians, no link to change them.
    text = page_text(world.client_for("intake").get(trainee))
    assert "Nadia Martin (Mère)" in text and "representants-legaux" not in text


def test_trainee_page_of_an_adult_has_no_block(world):
    # The world's trainee is an adult with a guardian on record (the age decides).
    trainee = reverse("pathways:trainee", args=[world.school.slug, world.objects["enrolment"].pk])
    text = page_text(world.client_for("director").get(trainee))
    assert "Représentant·es légaux·ales" not in text
