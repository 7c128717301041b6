"""Writes of a person's legal guardians (named on a minor's internship agreement, which they
sign). One transaction and one audit event each; the audit names the record by kind and id
only, and lists the changed fields without their values (they are a third person's identity).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.audit.services import record_event, snapshot
from parcours.organisations.models import Membership

from .models import GuardianRelation, LegalGuardian, Person

#: The fields a guardian form edits.
FIELDS = ["relation", "last_name", "first_name", "email", "phone", "address"]
MAX_GUARDIANS = 4


def _check_school(membership: Membership, person: Person) -> None:
    if person.school_id != membership.school_id:
        raise ValidationError(_("Personne inconnue."))


def _clean(values: dict) -> dict:
    cleaned = {name: " ".join(str(values.get(name) or "").split()) for name in FIELDS}
    if cleaned["relation"] not in GuardianRelation.values:
        raise ValidationError(_("Choisissez le lien du ou de la représentant·e légal·e."))
    if not cleaned["last_name"] or not cleaned["first_name"]:
        raise ValidationError(_("Indiquez le nom et le prénom du ou de la représentant·e légal·e."))
    return cleaned


def _validate(guardian: LegalGuardian) -> None:
    try:
        guardian.full_clean(exclude=["school", "person"])
    except ValidationError as error:
        raise ValidationError(
            [message for messages in error.message_dict.values() for message in messages]
        ) from error


@transaction.atomic
def add_guardian(
    *, membership: Membership, person: Person, ip_address: str | None = None, **values
) -> LegalGuardian:
    _check_school(membership, person)
    if LegalGuardian.objects.filter(person=person).count() >= MAX_GUARDIANS:
        raise ValidationError(
            _("%(max)d représentant·es légaux·ales au plus par personne.") % {"max": MAX_GUARDIANS}
        )
    guardian = LegalGuardian(school=person.school, person=person, **_clean(values))
    _validate(guardian)
    guardian.save()
    record_event(
        actor=membership.user,
        action="guardian.create",
        target=guardian,
        school=person.school,
        changes={"person": person.pk, "relation": guardian.relation},
        ip_address=ip_address,
    )
    return guardian


@transaction.atomic
def update_guardian(
    *, membership: Membership, guardian: LegalGuardian, ip_address: str | None = None, **values
) -> LegalGuardian:
    _check_school(membership, guardian.person)
    before = snapshot(guardian, FIELDS)
    for name, value in _clean(values).items():
        setattr(guardian, name, value)
    _validate(guardian)
    changed = [name for name in FIELDS if before[name] != getattr(guardian, name)]
    if not changed:
        return guardian
    guardian.save(update_fields=changed)
    record_event(
        actor=membership.user,
        action="guardian.update",
        target=guardian,
        school=guardian.school,
        changes={"person": guardian.person_id, "fields": changed},
        ip_address=ip_address,
    )
    return guardian


@transaction.atomic
def remove_guardian(
    *, membership: Membership, guardian: LegalGuardian, ip_address: str | None = None
) -> None:
    """Remove a guardian (a mistake, or the trainee came of age). Signatures already recorded
    keep the signer's name."""
    _check_school(membership, guardian.person)
    record_event(
        actor=membership.user,
        action="guardian.delete",
        target=guardian,
        school=guardian.school,
        changes={"person": guardian.person_id},
        ip_address=ip_address,
    )
    guardian.delete()
