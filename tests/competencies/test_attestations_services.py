"""Issuing, revoking and re-issuing the attestation: the rules and what is written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.competencies.models import Attestation, AttestationCounter
from parcours.competencies.services_attestations import (
    issue_attestation,
    record_past_attestation,
    reissue_attestation,
    revoke_attestation,
)

from .attestation_helpers import (
    BIRTH,
    ENTRY,
    EVIDENCE_NOTE,
    EXIT,
    active_enrolment,
    assess,
    exited_enrolment,
)

pytestmark = pytest.mark.django_db


def _counts():
    return Attestation.objects.count(), AttestationCounter.objects.count()


def _set_label(school, start, end):
    school.label_valid_from, school.label_valid_until = start, end
    school.save(update_fields=["label_valid_from", "label_valid_until"])


def _refused(message: str, **kwargs):
    before = _counts()
    with pytest.raises(ValidationError) as error:
        issue_attestation(**kwargs)
    assert message in " ".join(error.value.messages)
    assert _counts() == before, "a refusal writes nothing"


# ------------------------------------------------------------------------------ issue


def test_issue_at_exit_freezes_the_content(world):
    enrolment = exited_enrolment(world)
    director = world.members["director"]
    attestation = issue_attestation(membership=director, enrolment=enrolment, ip_address="10.0.0.1")

    assert attestation.is_valid
    assert attestation.issued_on == EXIT  # the exit day by default
    assert attestation.issued_by == director.user
    assert attestation.framework == world.objects["default_framework"]
    content = attestation.content
    assert content["number"] == attestation.number
    assert content["school"]["name"] == "E2C Alpha"
    assert content["school"]["city"] == world.site.commune
    assert content["trainee"] == {
        "first_name": "Camille",
        "last_name": "Delivrance",
        "birth_date": BIRTH.isoformat(),
    }
    assert content["pathway"] == {"entry_date": ENTRY.isoformat(), "exit_date": EXIT.isoformat()}
    assert content["framework"]["version"] == 1
    [item] = content["competencies"]
    assert item["code"] == "FR1"
    assert (item["entry_level"], item["entry_label"]) == (1, "Découverte")
    assert (item["level"], item["level_label"]) == (3, "Maîtrisée")
    assert item["evidence"] == (
        "2 évaluations (positionnement, stage en entreprise) ; preuves : 1 observation"
    )
    assert EVIDENCE_NOTE not in item["evidence"]  # observations stay in the school
    assert content["issued_by"]["role"] == "Direction"
    assert content["verification_path"] == f"/verifier/e2c-alpha/{attestation.token}/"

    event = AuditEvent.objects.get(action="attestation.issue")
    assert event.object_id == str(attestation.pk)
    assert event.ip_address == "10.0.0.1"
    assert "Camille" not in str(event.changes) and "Delivrance" not in str(event.changes)


def test_evidence_summary_is_short_and_copies_no_observation(world):
    enrolment = exited_enrolment(world, assessed=False)
    assess(world, enrolment, note="Très long compte rendu. " * 40)
    attestation = issue_attestation(membership=world.members["director"], enrolment=enrolment)
    summary = attestation.content["competencies"][0]["evidence"]
    assert len(summary) <= 200
    assert "compte rendu" not in summary


def test_levels_are_those_of_the_issue_date(world):
    enrolment = exited_enrolment(world, assessed=False)
    assess(world, enrolment, level=2, on=datetime.date(2024, 4, 1))
    assess(world, enrolment, code="FR2", level=4, on=datetime.date(2024, 9, 1))  # after the exit
    attestation = issue_attestation(membership=world.members["director"], enrolment=enrolment)
    assert [c["code"] for c in attestation.content["competencies"]] == ["FR1", "FR2"]
    fr2 = attestation.content["competencies"][1]
    assert fr2["level"] == 1  # only its positioning counted on the exit day


def test_certifications_obtained_are_attested(world):
    enrolment = world.objects["enrolment"]
    other = exited_enrolment(world)
    cert = world.objects["certification"]
    type(cert).objects.create(
        school=world.school,
        enrolment=other,
        kind="sst",
        status="obtained",
        on_date=datetime.date(2024, 5, 2),
        result="Certificat SST",
        recorded_by=cert.recorded_by,
    )
    type(cert).objects.create(
        school=world.school,
        enrolment=other,
        kind="pix",
        status="preparing",
        on_date=datetime.date(2024, 5, 3),
        recorded_by=cert.recorded_by,
    )
    attestation = issue_attestation(membership=world.members["director"], enrolment=other)
    assert enrolment != other
    [item] = attestation.content["certifications"]
    assert item["title"].startswith("Sauveteur secouriste")
    assert (item["date"], item["result"], item["status"]) == (
        "2024-05-02",
        "Certificat SST",
        "Obtenue",
    )


def test_label_expired_on_the_issue_date_is_refused(world):
    _set_label(world.school, datetime.date(2016, 7, 1), datetime.date(2024, 6, 30))
    enrolment = exited_enrolment(world)
    _refused(
        "Le label E2C de l'école n'est pas valide le 02/08/2024 (valide du 01/07/2016 au "
        "30/06/2024) : l'attestation ne peut pas être délivrée.",
        membership=world.members["director"],
        enrolment=enrolment,
    )


def test_no_label_recorded_is_refused(world):
    _set_label(world.school, None, None)
    _refused(
        "Aucun label E2C n'est enregistré pour l'école",
        membership=world.members["director"],
        enrolment=exited_enrolment(world),
    )


def test_label_valid_on_the_issue_date_is_enough_while_it_still_is(world):
    """Dated on the exit day, while the label is valid then and today."""
    _set_label(world.school, datetime.date(2020, 1, 1), datetime.date(2099, 12, 31))
    attestation = issue_attestation(
        membership=world.members["director"], enrolment=exited_enrolment(world)
    )
    assert attestation.issued_on == EXIT


def test_a_lapsed_label_cannot_issue_by_dating_back(world):
    """Valid on the exit day but expired today: the school no longer issues attestations."""
    _set_label(world.school, datetime.date(2020, 1, 1), datetime.date(2024, 12, 31))
    today = timezone.localdate().strftime("%d/%m/%Y")
    _refused(
        f"Le label E2C de l'école n'est pas valide le {today} (valide du 01/01/2020 au "
        "31/12/2024) : l'attestation ne peut pas être délivrée.",
        membership=world.members["director"],
        enrolment=exited_enrolment(world),
    )


def test_active_in_the_last_phase_is_issued_today(world):
    enrolment = active_enrolment(world)
    attestation = issue_attestation(membership=world.members["director"], enrolment=enrolment)
    assert attestation.issued_on == timezone.localdate()
    assert attestation.content["pathway"]["exit_date"] is None


def test_active_before_the_last_phase_is_refused(world):
    _refused(
        "L'attestation se délivre à la sortie ou en dernière phase du parcours.",
        membership=world.members["director"],
        enrolment=active_enrolment(world, last_phase=False),
    )


def test_active_dated_before_the_last_phase_is_refused(world):
    _refused(
        "L'attestation ne peut pas être datée d'avant l'entrée en dernière phase (01/06/2024).",
        membership=world.members["director"],
        enrolment=active_enrolment(world),
        issued_on=datetime.date(2024, 5, 1),
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (None, "La date de délivrance ne peut pas être dans le futur."),
        (datetime.date(2024, 1, 1), "La date de délivrance ne peut pas précéder l'entrée"),
        (datetime.date(2024, 7, 1), "l'attestation est datée du jour de sortie (02/08/2024)"),
    ],
)
def test_bad_issue_dates_are_refused(world, day, message):
    day = day or timezone.localdate() + datetime.timedelta(days=1)
    _refused(
        message,
        membership=world.members["director"],
        enrolment=exited_enrolment(world),
        issued_on=day,
    )


def test_nothing_assessed_is_refused(world):
    _refused(
        "Aucune compétence n'a été évaluée pour ce parcours",
        membership=world.members["director"],
        enrolment=exited_enrolment(world, assessed=False),
    )


def test_a_second_valid_attestation_is_refused(world):
    """The world's enrolment already has one: re-issue it instead."""
    existing = world.objects["attestation"]
    _refused(
        f"Une attestation valide existe déjà pour ce parcours (n° {existing.number}) : "
        "rééditez-la pour la remplacer.",
        membership=world.members["director"],
        enrolment=world.objects["enrolment"],
        issued_on=datetime.date(2024, 5, 1),
    )


def test_only_the_direction_issues(world):
    _refused(
        "Seule la direction",
        membership=world.members["referent"],
        enrolment=exited_enrolment(world),
    )


def test_another_schools_enrolment_is_refused(world):
    _refused(
        "Parcours inconnu.",
        membership=world.members["director"],
        enrolment=world.others["enrolment"],
    )


# ------------------------------------------------------------------------------ numbering


def test_numbers_are_sequential_per_school_and_year(world):
    director = world.members["director"]
    first = issue_attestation(
        membership=director, enrolment=exited_enrolment(world, last_name="Un")
    )
    second = issue_attestation(
        membership=director, enrolment=exited_enrolment(world, last_name="Deux")
    )
    next_year = issue_attestation(
        membership=director,
        enrolment=exited_enrolment(world, last_name="Trois", ended_on=datetime.date(2025, 1, 10)),
    )
    # The world's attestation already holds ACA-E2C-ALPHA-2024-0001 (recorded directly).
    assert first.number == "ACA-E2C-ALPHA-2024-0002"
    assert second.number == "ACA-E2C-ALPHA-2024-0003"
    assert next_year.number == "ACA-E2C-ALPHA-2025-0001"
    assert AttestationCounter.objects.get(school=world.school, year=2024).last == 3
    numbers = list(Attestation.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_a_refusal_does_not_use_a_number(world):
    director = world.members["director"]
    with pytest.raises(ValidationError):
        issue_attestation(membership=director, enrolment=exited_enrolment(world, assessed=False))
    attestation = issue_attestation(
        membership=director, enrolment=exited_enrolment(world, last_name="Ensuite")
    )
    assert attestation.number == "ACA-E2C-ALPHA-2024-0002"


# ------------------------------------------------------------------------------ immutability


def test_an_issued_attestation_cannot_be_changed(world):
    attestation = world.objects["attestation"]
    attestation.content = {"competencies": []}
    with pytest.raises(ValidationError):
        attestation.save()
    with pytest.raises(ValidationError):
        attestation.save(update_fields=["content"])
    with pytest.raises(ValidationError):
        attestation.delete()


# ------------------------------------------------------------------------------ revocation


def test_revoke(world):
    director = world.members["director"]
    attestation = issue_attestation(membership=director, enrolment=exited_enrolment(world))
    content = dict(attestation.content)
    revoke_attestation(
        membership=director, attestation=attestation, reason="  Erreur de   saisie  "
    )
    attestation.refresh_from_db()
    assert not attestation.is_valid
    assert attestation.status == "revoked"
    assert attestation.revoked_by == director.user
    assert attestation.revoked_at is not None
    assert attestation.revocation_reason == "Erreur de saisie"
    assert attestation.content == content, "the content never changes"
    event = AuditEvent.objects.get(action="attestation.revoke")
    assert "Erreur" not in str(event.changes)


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_needs_a_reason(world, reason):
    attestation = world.objects["attestation"]
    with pytest.raises(ValidationError, match=r"Indiquez le motif de la révocation\."):
        revoke_attestation(
            membership=world.members["director"], attestation=attestation, reason=reason
        )
    attestation.refresh_from_db()
    assert attestation.is_valid
    assert not AuditEvent.objects.filter(action="attestation.revoke").exists()


def test_revoke_twice_is_refused(world):
    director = world.members["director"]
    attestation = world.objects["attestation"]
    revoke_attestation(membership=director, attestation=attestation, reason="Erreur")
    with pytest.raises(ValidationError, match="déjà révoquée"):
        revoke_attestation(membership=director, attestation=attestation, reason="Encore")


def test_revoke_by_a_referent_is_refused(world):
    attestation = world.objects["attestation"]
    with pytest.raises(ValidationError):
        revoke_attestation(
            membership=world.members["referent"], attestation=attestation, reason="Erreur"
        )
    attestation.refresh_from_db()
    assert attestation.is_valid


# ------------------------------------------------------------------------------ re-issue


def test_reissue_revokes_the_old_one_and_numbers_a_new_one(world):
    director = world.members["director"]
    enrolment = exited_enrolment(world)
    old = issue_attestation(membership=director, enrolment=enrolment)
    assess(world, enrolment, code="FR2", level=2, on=datetime.date(2024, 7, 1))
    new = reissue_attestation(
        membership=director,
        attestation=old,
        reason="Une compétence manquait",
        issued_on=datetime.date(2024, 9, 1),
    )
    old.refresh_from_db()
    assert old.status == "revoked" and old.replaced_by == new
    assert old.revocation_reason == "Une compétence manquait"
    assert new.is_valid and new.number != old.number
    assert new.number == "ACA-E2C-ALPHA-2024-0003"
    assert new.issued_on == datetime.date(2024, 9, 1)
    assert [c["code"] for c in new.content["competencies"]] == ["FR1", "FR2"]
    assert [c["code"] for c in old.content["competencies"]] == ["FR1"]
    assert new.replaces == old
    actions = list(
        AuditEvent.objects.filter(action__startswith="attestation.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["attestation.issue", "attestation.reissue", "attestation.revoke"]


def test_reissue_follows_the_label_rule_and_writes_nothing_when_refused(world):
    """Re-issued today by default: the label must be valid today."""
    director = world.members["director"]
    enrolment = exited_enrolment(world)
    old = issue_attestation(membership=director, enrolment=enrolment)
    _set_label(world.school, datetime.date(2016, 1, 1), datetime.date(2024, 12, 31))
    before = _counts()
    with pytest.raises(ValidationError, match="Le label E2C de l'école n'est pas valide le"):
        reissue_attestation(membership=director, attestation=old, reason="Correction")
    old.refresh_from_db()
    assert old.is_valid and old.replaced_by is None
    assert _counts() == before


def test_reissue_needs_a_reason_and_a_valid_attestation(world):
    director = world.members["director"]
    attestation = world.objects["attestation"]
    with pytest.raises(ValidationError, match="Indiquez le motif"):
        reissue_attestation(membership=director, attestation=attestation, reason="")
    revoke_attestation(membership=director, attestation=attestation, reason="Erreur")
    with pytest.raises(ValidationError, match="déjà révoquée"):
        reissue_attestation(membership=director, attestation=attestation, reason="Encore")


# ------------------------------------------------------------------------------ past records


def test_a_past_attestation_follows_the_rules_without_an_audit_event(world):
    _set_label(world.school, datetime.date(2016, 7, 1), datetime.date(2028, 6, 30))
    enrolment = exited_enrolment(world)
    events = AuditEvent.objects.count()
    attestation = record_past_attestation(
        membership=world.members["director"], enrolment=enrolment, issued_on=EXIT
    )
    assert attestation.is_valid and attestation.issued_on == EXIT
    assert attestation.content["competencies"]
    assert AuditEvent.objects.count() == events

    _set_label(world.school, datetime.date(2016, 7, 1), datetime.date(2024, 6, 30))
    other = exited_enrolment(world, last_name="Passee")
    before = _counts()
    with pytest.raises(ValidationError, match="label E2C"):
        record_past_attestation(
            membership=world.members["director"], enrolment=other, issued_on=EXIT
        )
    assert _counts() == before
