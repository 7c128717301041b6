"""Decisions: an admission is checked (eligibility on the planned entry date, share of minors)
before it is confirmed; a failing rule needs the direction's written override; the prescriber's
adviser is emailed the status, never the notes nor the reason."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.intake import services
from parcours.intake.models import Channel, Decision, Outcome, Stage

from ..factories import DecisionFactory, InterviewFactory
from ..utils import page_text
from .referral_data import counts, days_ago, fresh_referral, today

pytestmark = pytest.mark.django_db

SLUG = "e2c-alpha"
NOTES = "NOTE-CONFIDENTIELLE : parle de ses dettes."
REASON = "MOTIF-CONFIDENTIEL : projet professionnel à consolider."


def url(name: str, *args) -> str:
    return reverse(name, args=[SLUG, *args])


def planned() -> datetime.date:
    return today() + datetime.timedelta(days=14)


def admission(world, **changes) -> dict:
    data = {
        "outcome": "admitted",
        "decided_on": today().isoformat(),
        "planned_entry_date": planned().isoformat(),
        "site": world.site.pk,
        "reason": "",
    }
    data.update(changes)
    return data


def confirm_key(world, day: datetime.date | None = None) -> str:
    return f"admitted:{(day or planned()).isoformat()}:{world.site.pk}"


# --------------------------------------------------------------------------- admission


def test_admission_is_checked_then_confirmed(world, django_capture_on_commit_callbacks):
    referral = fresh_referral(world)
    InterviewFactory(
        referral=referral, school=world.school, interviewer=world.members["intake"], notes=NOTES
    )
    client = world.client_for("intake")
    form = page_text(client.get(url("intake:decision_create", referral.pk)))
    assert "Motif de la dérogation" not in form  # directors only
    before = counts()
    response = client.post(url("intake:decision_create", referral.pk), admission(world))
    assert response.status_code == 200
    text = page_text(response)
    assert "Vérification avant l'admission" in text
    assert f"Critères d'éligibilité au {planned():%d/%m/%Y}" in text
    assert "La personne remplit tous les critères d'éligibilité à cette date." in text
    assert "Confirmer l'admission" in text
    assert confirm_key(world) in response.content.decode()
    assert counts() == before  # the check writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("intake:decision_create", referral.pk),
            {**admission(world), "confirm": confirm_key(world)},
        )
    assert response.status_code == 302
    assert response["Location"] == url("intake:referral", referral.pk)
    decision = Decision.objects.get(referral=referral)
    assert decision.outcome == Outcome.ADMITTED
    assert decision.planned_entry_date == planned() and decision.site == world.site
    assert decision.eligibility and all(rule["passed"] for rule in decision.eligibility)
    assert decision.override_reason == ""
    referral.refresh_from_db()
    assert referral.outcome == Outcome.ADMITTED and referral.stage == Stage.DECISION
    assert AuditEvent.objects.filter(action="referral.decision").count() == 1
    assert not AuditEvent.objects.filter(action="referral.eligibility_override").exists()
    # The adviser is told the status and the planned date, nothing else.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.members["prescriber"].user.email]
    assert "admis·e" in message.body
    assert f"Entrée prévue le {planned():%d/%m/%Y}." in message.body
    assert NOTES not in message.body and "NOTE-CONFIDENTIELLE" not in message.subject
    page = page_text(client.get(response["Location"]))
    assert "Décision enregistrée : admis·e." in page


def test_changing_the_date_after_the_check_checks_again(world):
    referral = fresh_referral(world)
    later = planned() + datetime.timedelta(days=7)
    before = counts()
    response = world.client_for("intake").post(
        url("intake:decision_create", referral.pk),
        {**admission(world, planned_entry_date=later.isoformat()), "confirm": confirm_key(world)},
    )
    assert response.status_code == 200
    assert f"Critères d'éligibilité au {later:%d/%m/%Y}" in page_text(response)
    assert counts() == before


def test_minors_warning_before_admitting_a_minor(world):
    # The world has one adult trainee present; a minor would make 50 % of the trainees.
    referral = fresh_referral(world, age=17)
    response = world.client_for("intake").post(
        url("intake:decision_create", referral.pk), admission(world)
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "les mineurs représenteraient 50 % des stagiaires présents" in text
    assert "Confirmer l'admission" in text  # a warning, not a block
    adult = fresh_referral(world, age=22)
    response = world.client_for("intake").post(
        url("intake:decision_create", adult.pk), admission(world)
    )
    assert "mineurs représenteraient" not in page_text(response)


# ---------------------------------------------------------------------------- override


def _ineligible(world):
    """A 30-year-old man: outside the age range and in no special public."""
    return fresh_referral(world, age=30, gender="M")


def test_director_sees_the_failing_rules_and_the_override_field(world):
    referral = _ineligible(world)
    response = world.client_for("director").post(
        url("intake:decision_create", referral.pk), admission(world)
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Non rempli" in text
    assert "30 ans le" in text and "hors de la tranche de 16 à 25 ans inclus" in text
    assert "Motif de la dérogation" in text
    assert "Pour admettre par dérogation" in text
    assert "Confirmer l'admission" in text


def test_director_override_without_reason_is_refused(world):
    referral = _ineligible(world)
    before = counts()
    response = world.client_for("director").post(
        url("intake:decision_create", referral.pk),
        {**admission(world, override_reason="   "), "confirm": confirm_key(world)},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Critères d'éligibilité non remplis" in text
    assert "Seule la direction peut admettre par dérogation, avec un motif écrit." in text
    assert "Non rempli" in text  # the failing rules stay in sight
    assert counts() == before


def test_director_override_with_reason_is_recorded_and_audited(
    world, django_capture_on_commit_callbacks
):
    referral = _ineligible(world)
    override = "DEROGATION : parcours interrompu en 2020, projet très construit."
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for("director").post(
            url("intake:decision_create", referral.pk),
            {**admission(world, override_reason=override), "confirm": confirm_key(world)},
        )
    assert response.status_code == 302
    decision = Decision.objects.get(referral=referral)
    assert decision.override_reason == override
    assert [rule["code"] for rule in decision.eligibility if not rule["passed"]] == ["age"]
    event = AuditEvent.objects.get(action="referral.eligibility_override")
    assert event.changes["failed_rules"] == ["age"]
    assert event.actor == world.members["director"].user
    assert override not in str(event.changes)  # no free text in the audit trail
    assert len(mail.outbox) == 1 and "DEROGATION" not in mail.outbox[0].body
    page = page_text(world.client_for("intake").get(url("intake:referral", referral.pk)))
    assert "Dérogation :" in page and override in page


def test_intake_officer_cannot_override(world):
    referral = _ineligible(world)
    client = world.client_for("intake")
    response = client.post(url("intake:decision_create", referral.pk), admission(world))
    assert response.status_code == 200
    text = page_text(response)
    assert "Non rempli" in text
    assert "seule la direction peut admettre par dérogation" in text
    assert "Motif de la dérogation" not in text
    assert "Confirmer l'admission" not in text
    before = counts()
    # Even with a reason slipped into the request: the field is not theirs, the service refuses.
    response = client.post(
        url("intake:decision_create", referral.pk),
        {
            **admission(world, override_reason="Je passe outre."),
            "confirm": confirm_key(world),
        },
    )
    assert response.status_code == 400
    assert "Critères d'éligibilité non remplis" in page_text(response)
    assert counts() == before


def test_service_refuses_an_intake_officers_override_even_with_a_reason(world):
    referral = _ineligible(world)
    before = counts()
    with pytest.raises(ValidationError) as error:
        services.decide(
            membership=world.members["intake"],
            referral=referral,
            outcome=Outcome.ADMITTED,
            decided_on=today(),
            planned_entry_date=planned(),
            site=world.site,
            override_reason="Un motif écrit.",
        )
    assert "Seule la direction peut admettre une personne qui ne remplit pas" in str(error.value)
    assert counts() == before


# ---------------------------------------------------------------------- other outcomes


def test_refusal_emails_the_status_without_the_reason(world, django_capture_on_commit_callbacks):
    referral = fresh_referral(world)
    InterviewFactory(
        referral=referral, school=world.school, interviewer=world.members["intake"], notes=NOTES
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for("intake").post(
            url("intake:decision_create", referral.pk),
            {"outcome": "refused", "decided_on": today().isoformat(), "reason": REASON},
        )
    assert response.status_code == 302
    decision = Decision.objects.get(referral=referral)
    assert decision.reason == REASON and decision.planned_entry_date is None
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "refusé·e" in body
    assert "MOTIF-CONFIDENTIEL" not in body and "NOTE-CONFIDENTIELLE" not in body
    assert referral.person.full_name in body


def test_withdrawal_needs_no_reason_and_closes_the_candidacy(world):
    referral = fresh_referral(world)
    client = world.client_for("intake")
    response = client.post(
        url("intake:decision_create", referral.pk),
        {"outcome": "withdrawn", "decided_on": today().isoformat()},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == Outcome.WITHDRAWN and referral.is_closed
    # A closed candidacy gets no further decision.
    response = client.get(url("intake:decision_create", referral.pk))
    assert response.status_code == 200
    assert "Cette candidature est close" in page_text(response)
    before = counts()
    response = client.post(
        url("intake:decision_create", referral.pk),
        {"outcome": "admitted", "decided_on": today().isoformat()},
    )
    assert response.status_code == 400
    assert counts() == before


def test_an_admitted_candidate_can_be_postponed(world):
    referral = world.objects["referral"]
    response = world.client_for("director").post(
        url("intake:decision_create", referral.pk),
        {
            "outcome": "postponed",
            "decided_on": today().isoformat(),
            "reason": "Attend un logement.",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == Outcome.POSTPONED
    text = page_text(world.client_for("intake").get(url("intake:referral", referral.pk)))
    assert "Attend un logement." in text and "Reporté·e" in text


def test_spontaneous_candidates_decisions_email_nobody(world, django_capture_on_commit_callbacks):
    referral = fresh_referral(world, prescriber=None, adviser=None, channel=Channel.SPONTANEOUS)
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client_for("intake").post(
            url("intake:decision_create", referral.pk),
            {**admission(world), "confirm": confirm_key(world)},
        )
    assert response.status_code == 302
    assert Decision.objects.filter(referral=referral).exists()
    assert mail.outbox == []


def test_no_email_for_a_refused_input(world, django_capture_on_commit_callbacks):
    referral = fresh_referral(world)
    with django_capture_on_commit_callbacks(execute=True):
        world.client_for("intake").post(
            url("intake:decision_create", referral.pk),
            {"outcome": "refused", "decided_on": today().isoformat(), "reason": ""},
        )
    assert mail.outbox == []


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": ""}, "Ce champ est obligatoire."),
        ({"outcome": "peut-etre"}, "Sélectionnez un choix valide."),
        ({"decided_on": ""}, "Ce champ est obligatoire."),
        ({"decided_on": "31/02/2026"}, "Saisissez une date valide."),
        ({"decided_on": "2999-01-01"}, "La date de décision ne peut pas être dans le futur."),
        ({"planned_entry_date": ""}, "Indiquez la date d'entrée prévue de l'admission."),
        ({"planned_entry_date": "2026-13-01"}, "Saisissez une date valide."),
        ({"site": ""}, "Indiquez le site d'entrée de l'admission."),
        ({"site": "other"}, "Sélectionnez un choix valide."),
        ({"planned_entry_date": "2001-01-01"}, "L'entrée prévue ne peut pas précéder la décision."),
        ({"outcome": "refused"}, "Indiquez le motif de la décision."),
        ({"outcome": "postponed", "reason": "   "}, "Indiquez le motif de la décision."),
        ({"outcome": "refused", "reason": "x" * 3000}, "au plus 2000 caractères"),
        (
            {"outcome": "refused", "reason": "Non.", "decided_on": "2001-01-01"},
            "La décision ne peut pas précéder la réception de l'orientation.",
        ),
    ],
)
def test_bad_decision_input_is_refused(world, data, message):
    referral = fresh_referral(world)
    if data.get("site") == "other":
        data["site"] = world.other_site.pk
    before = counts()
    response = world.client_for("intake").post(
        url("intake:decision_create", referral.pk),
        {**admission(world, **data), "confirm": confirm_key(world)},
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_overlong_override_reason_is_refused(world):
    referral = _ineligible(world)
    before = counts()
    response = world.client_for("director").post(
        url("intake:decision_create", referral.pk),
        {**admission(world, override_reason="x" * 3000), "confirm": confirm_key(world)},
    )
    assert response.status_code == 400
    assert "au plus 2000 caractères" in page_text(response)
    assert counts() == before


def test_decision_access(world):
    referral = fresh_referral(world)
    for who, status in (("referent", 403), ("prescriber", 403), ("funder", 403), ("outsider", 404)):
        before = counts()
        response = world.client_for(who).post(
            url("intake:decision_create", referral.pk),
            {"outcome": "withdrawn", "decided_on": today().isoformat()},
        )
        assert response.status_code == status, who
        assert counts() == before
    other = world.others["referral"]
    response = world.client_for("intake").post(
        url("intake:decision_create", other.pk),
        {"outcome": "withdrawn", "decided_on": today().isoformat()},
    )
    assert response.status_code == 404


def test_history_lists_every_decision(world):
    referral = fresh_referral(world, stage=Stage.DECISION, outcome=Outcome.POSTPONED)
    DecisionFactory(
        referral=referral,
        school=world.school,
        outcome=Outcome.POSTPONED,
        decided_on=days_ago(10),
        planned_entry_date=None,
        site=None,
        reason="Revoir en mars.",
        decided_by=world.members["intake"].user,
    )
    response = world.client_for("intake").post(
        url("intake:decision_create", referral.pk),
        {"outcome": "withdrawn", "decided_on": today().isoformat()},
    )
    assert response.status_code == 302
    text = page_text(world.client_for("referent").get(url("intake:referral", referral.pk)))
    assert "Revoir en mars." in text and "Désistement" in text and "Reporté·e" in text
