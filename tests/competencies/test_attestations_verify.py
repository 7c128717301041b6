"""The public verification page: the attestation exists and is valid, and nothing more."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.competencies.services_attestations import (
    issue_attestation,
    reissue_attestation,
    revoke_attestation,
)

from ..utils import page_text
from .attestation_helpers import EVIDENCE_NOTE, exited_enrolment

pytestmark = pytest.mark.django_db


def _verify_url(slug, token):
    return reverse(
        "attestation_check:verify", kwargs={"school_slug": slug, "verification_token": token}
    )


@pytest.mark.parametrize("who", ["anonymous", "outsider", "funder"])
def test_anyone_with_the_link_sees_name_and_validity_only(world, who):
    enrolment = exited_enrolment(world)
    attestation = issue_attestation(membership=world.members["director"], enrolment=enrolment)
    response = world.client_for(who).get(attestation.content["verification_path"])
    assert response.status_code == 200
    text = page_text(response)
    assert f"Attestation de Compétences Acquises n° {attestation.number}" in text
    assert "E2C Alpha" in text
    assert "Camille Delivrance" in text
    assert "02/08/2024" in text  # the issue date
    assert "valide" in text
    assert '<meta name="robots" content="noindex">' in text
    # Nothing else about the holder: no birth date, levels, competencies or evidence.
    for private in (
        "14/03/2001",
        "2001",
        "Maîtrisée",
        "Découverte",
        "Échanger à l'oral",
        EVIDENCE_NOTE,
        "Anime la réunion",
        "05/02/2024",  # the entry date
        enrolment.site.commune,
        world.members["director"].user.last_name,
    ):
        assert private not in text, private


def test_revoked_and_replaced(world):
    director = world.members["director"]
    enrolment = exited_enrolment(world)
    old = issue_attestation(membership=director, enrolment=enrolment)
    new = reissue_attestation(membership=director, attestation=old, reason="Motif secret")
    text = page_text(world.client_for("anonymous").get(_verify_url("e2c-alpha", old.token)))
    assert "révoquée le" in text
    assert f"remplacée par n° {new.number}" in text
    assert "Motif secret" not in text
    assert "Cette attestation existe et elle est valide." not in text
    text = page_text(world.client_for("anonymous").get(_verify_url("e2c-alpha", new.token)))
    assert "Cette attestation existe et elle est valide." in text


def test_revoked_without_replacement(world):
    attestation = world.objects["attestation"]
    revoke_attestation(
        membership=world.members["director"], attestation=attestation, reason="Erreur"
    )
    text = page_text(world.client_for("anonymous").get(_verify_url("e2c-alpha", attestation.token)))
    assert "révoquée le" in text and "remplacée" not in text


def test_unknown_token_or_wrong_school_is_a_french_404(world):
    client = world.client_for("anonymous")
    response = client.get(_verify_url("e2c-alpha", "inconnu"))
    assert response.status_code == 404
    assert "Aucune attestation de compétences acquises ne correspond" in page_text(response)
    # A real token under another school's slug is unknown too.
    token = world.objects["attestation"].token
    assert client.get(_verify_url("e2c-beta", token)).status_code == 404


def test_verification_is_get_only(world):
    token = world.objects["attestation"].token
    assert world.client_for("anonymous").post(_verify_url("e2c-alpha", token)).status_code == 405
