"""The prescriber's own view: their referrals' status (never notes nor reasons), their scope
(another adviser's or organisation's referral is a 404) and the referral form."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.intake.models import Channel, Outcome, Referral, Stage
from parcours.pathways.models import FundingLine
from parcours.people.models import Person

from ..factories import (
    DecisionFactory,
    EnrolmentFactory,
    InterviewFactory,
    MembershipFactory,
    PartnerFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)
from ..utils import login_client, page_text
from .referral_data import counts, days_ago, fresh_referral, referral_form_data, today

pytestmark = pytest.mark.django_db

SLUG = "e2c-alpha"
NOTES = "NOTE-CONFIDENTIELLE : difficultés familiales évoquées."
REASON = "MOTIF-CONFIDENTIEL : projet encore flou."


def url(name: str, *args) -> str:
    return reverse(name, args=[SLUG, *args])


def _second_organisation(world):
    """A PLIE of the same school, with its own adviser."""
    plie = PartnerFactory(school=world.school, name="PLIE Alpha", prescriber_type="plie")
    adviser = MembershipFactory(
        user=UserFactory(email="conseillere@plie.example.org", last_name="Pliecons"),
        school=world.school,
        role="prescriber",
        partner=plie,
    )
    return plie, adviser


def _colleague(world):
    """Another adviser of the same Mission Locale."""
    return MembershipFactory(
        user=UserFactory(email="collegue@ml.example.org", last_name="Collegueml"),
        school=world.school,
        role="prescriber",
        partner=world.prescriber_partner,
    )


# ---------------------------------------------------------------------------- the list


def test_prescriber_sees_the_status_of_their_referrals(world):
    response = world.client_for("prescriber").get(url("intake:my_referrals"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Yanis Candidate2c-alpha" in text
    assert "10/01/2024" in text
    assert "Admis·e — entrée prévue le 05/02/2024" in text


@pytest.mark.parametrize(
    ("stage", "outcome", "status"),
    [
        (Stage.REFERRED, "", "Orientation reçue"),
        (Stage.INFO_SESSION, "", "Invité·e à une information collective"),
        (Stage.INTERVIEW, "", "Entretien réalisé"),
        (Stage.DECISION, Outcome.REFUSED, "Refusé·e"),
        (Stage.DECISION, Outcome.POSTPONED, "Reporté·e"),
        (Stage.DECISION, Outcome.WITHDRAWN, "Désistement"),
    ],
)
def test_status_in_plain_french(world, stage, outcome, status):
    referral = fresh_referral(world, stage=stage, outcome=outcome)
    if outcome:
        DecisionFactory(
            referral=referral,
            school=world.school,
            outcome=outcome,
            decided_on=days_ago(3),
            planned_entry_date=None,
            site=None,
            reason=REASON,
        )
    client = world.client_for("prescriber")
    assert status in page_text(client.get(url("intake:my_referrals")))
    assert status in page_text(client.get(url("intake:my_referral", referral.pk)))


def test_status_after_entry(world):
    referral = world.objects["referral"]
    EnrolmentFactory(
        school=world.school,
        person=referral.person,
        site=world.site,
        referral=referral,
        entry_date=datetime.date(2024, 2, 6),
    )
    referral.stage = Stage.ENTERED
    referral.save()
    text = page_text(world.client_for("prescriber").get(url("intake:my_referral", referral.pk)))
    assert "Entré·e à l'école le 06/02/2024" in text


def test_prescriber_sees_only_the_referrals_they_follow(world):
    plie, plie_adviser = _second_organisation(world)
    theirs = fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="Pliejeune"),
        prescriber=plie,
        adviser=plie_adviser,
    )
    colleague = _colleague(world)
    colleagues = fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="Collegueleve"),
        adviser=colleague,
    )
    client = world.client_for("prescriber")
    text = page_text(client.get(url("intake:my_referrals")))
    assert "Candidate2c-alpha" in text
    assert "Pliejeune" not in text and "Collegueleve" not in text
    # Another organisation's referral, and a colleague's: 404, as if they did not exist.
    assert client.get(url("intake:my_referral", theirs.pk)).status_code == 404
    assert client.get(url("intake:my_referral", colleagues.pk)).status_code == 404
    # And the other organisation's adviser does not see ours.
    other = world.client_for("prescriber")
    login_client(other, plie_adviser.user)
    referral = world.objects["referral"]
    assert other.get(url("intake:my_referral", referral.pk)).status_code == 404
    assert other.get(url("intake:my_referral", theirs.pk)).status_code == 200
    assert "Candidate2c-alpha" not in page_text(other.get(url("intake:my_referrals")))


def test_another_schools_referral_is_404(world):
    other = world.others["referral"]
    response = world.client_for("prescriber").get(url("intake:my_referral", other.pk))
    assert response.status_code == 404


def test_prescriber_never_sees_notes_nor_reasons(world):
    referral = world.objects["referral"]
    InterviewFactory(
        referral=referral, school=world.school, interviewer=world.members["intake"], notes=NOTES
    )
    decision = referral.decisions.get()
    decision.reason = REASON
    decision.override_reason = "DEROGATION-CONFIDENTIELLE"
    decision.save()
    refused = fresh_referral(world, stage=Stage.DECISION, outcome=Outcome.REFUSED)
    DecisionFactory(
        referral=refused,
        school=world.school,
        outcome=Outcome.REFUSED,
        decided_on=days_ago(2),
        planned_entry_date=None,
        site=None,
        reason=REASON,
    )
    client = world.client_for("prescriber")
    pages = [
        client.get(url("intake:my_referrals")),
        client.get(url("intake:my_referral", referral.pk)),
        client.get(url("intake:my_referral", refused.pk)),
    ]
    for response in pages:
        assert response.status_code == 200
        text = page_text(response)
        for secret in (
            NOTES,
            REASON,
            "DEROGATION-CONFIDENTIELLE",
            "Motivation solide",  # the world's interview notes
            "Alphaintake",  # the interviewer, a member of staff
            "Alphadirector",
        ):
            assert secret not in text


def test_empty_state(world):
    colleague = _colleague(world)
    client = world.client_for("prescriber")
    login_client(client, colleague.user)
    text = page_text(client.get(url("intake:my_referrals")))
    assert "Vous n'avez encore orienté personne vers l'école." in text


def test_list_paginates_with_constant_queries(world, django_assert_max_num_queries):
    for n in range(60):
        fresh_referral(
            world, person=PersonFactory(school=world.school, last_name=f"Oriente{n:02d}")
        )
    client = world.client_for("prescriber")
    with django_assert_max_num_queries(10):
        response = client.get(url("intake:my_referrals"))
    assert "Page 1 sur 2" in page_text(response)
    assert "Page 2 sur 2" in page_text(client.get(url("intake:my_referrals"), {"page": 2}))


def test_staff_cannot_use_the_prescribers_pages(world):
    referral = world.objects["referral"]
    for who, status in (("intake", 403), ("director", 403), ("funder", 403), ("outsider", 404)):
        assert world.client_for(who).get(url("intake:my_referrals")).status_code == status
        assert (
            world.client_for(who).get(url("intake:my_referral", referral.pk)).status_code == status
        )
        before = counts()
        response = world.client_for(who).post(url("intake:referral_submit"), referral_form_data())
        assert response.status_code == status
        assert counts() == before


# ------------------------------------------------------------------------ the referral


def test_prescriber_refers_a_person(world):
    plie = FundingLine.objects.get(code="plie")
    client = world.client_for("prescriber")
    form = page_text(client.get(url("intake:referral_submit")))
    assert "PLIE" in form and "CEJ" in form and "Aucun" in form
    assert "FSE+" not in form  # not a scheme a prescriber indicates
    response = client.post(
        url("intake:referral_submit"),
        referral_form_data(funding_line=plie.pk, qpv_code="qn06301m"),
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person__last_name="Martin")
    assert response["Location"] == url("intake:my_referral", referral.pk)
    assert referral.channel == Channel.ONLINE
    assert referral.prescriber == world.prescriber_partner
    assert referral.adviser == world.members["prescriber"]
    assert referral.funding_line == plie
    assert referral.qpv_code == "QN06301M"
    assert referral.received_on == today()
    assert AuditEvent.objects.filter(action="referral.create", object_id=str(referral.pk)).exists()
    page = page_text(client.get(response["Location"]))
    assert "Votre orientation de Léa Martin a été transmise à l'école." in page
    assert "Orientation reçue" in page
    assert "Léa Martin" in page_text(client.get(url("intake:my_referrals")))


def test_prescriber_referral_is_attached_silently_to_the_same_person(world):
    """A prescriber never learns whom the school knows: no duplicates page is shown."""
    existing = PersonFactory(
        school=world.school,
        last_name="Martin",
        first_name="Léa",
        birth_date=datetime.date(2006, 3, 14),
        email="secret.lea@example.net",
    )
    ReferralFactory(
        school=world.school,
        person=existing,
        prescriber=world.prescriber_partner,
        received_on=datetime.date(2023, 4, 3),
    )
    client = world.client_for("prescriber")
    before = Person.objects.count()
    response = client.post(
        url("intake:referral_submit"), referral_form_data(birth_date="2006-03-14")
    )
    assert response.status_code == 302
    assert Person.objects.count() == before  # no twin
    referral = Referral.objects.latest("id")
    assert referral.person == existing and referral.adviser == world.members["prescriber"]
    page = page_text(client.get(response["Location"]))
    assert "secret.lea@example.net" not in page and "03/04/2023" not in page


def test_prescriber_learns_nothing_from_an_email_already_known(world):
    PersonFactory(
        school=world.school,
        last_name="Autre",
        first_name="Personne",
        birth_date=datetime.date(2001, 1, 1),
        email="deja.connue@example.net",
    )
    client = world.client_for("prescriber")
    before = Person.objects.count()
    response = client.post(
        url("intake:referral_submit"),
        referral_form_data(birth_date="2006-03-14", email="deja.connue@example.net"),
    )
    assert response.status_code == 302  # no page listing who has this address
    assert Person.objects.count() == before + 1  # staff merge look-alikes if needed
    assert "Autre" not in page_text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_name": "", "first_name": ""}, "Ce champ est obligatoire."),
        ({"reason": ""}, "Ce champ est obligatoire."),
        ({"left_school_on": ""}, "Ce champ est obligatoire."),
        ({"job_seeker_status": "salarie"}, "Sélectionnez un choix valide."),
        ({"birth_date": "2990-05-01"}, "La date de naissance ne peut pas être dans le futur."),
        ({"birth_date": "31/02/2006"}, "Saisissez une date valide."),
        ({"left_school_on": "31/04/2024"}, "Saisissez une date valide."),
        ({"reason": "x" * 3000}, "au plus 2000 caractères"),
        ({"first_name": "x" * 150}, "au plus 100 caractères"),
        ({"phone": "0000"}, "Ce numéro de téléphone n'est pas valide."),
        ({"email": "lea@"}, "Saisissez une adresse de courriel valide."),
        ({"email": "", "phone": ""}, "Indiquez un téléphone ou une adresse e-mail"),
        ({"funding_line": "fse"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_submission_is_refused(world, changes, message):
    if changes.get("funding_line") == "fse":
        changes["funding_line"] = FundingLine.objects.get(code="fse_plus").pk
    before = counts()
    response = world.client_for("prescriber").post(
        url("intake:referral_submit"), referral_form_data(**changes)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_prescriber_cannot_choose_the_organisation_or_the_channel(world):
    plie, _adviser = _second_organisation(world)
    response = world.client_for("prescriber").post(
        url("intake:referral_submit"),
        referral_form_data(prescriber=plie.pk, channel="spontaneous", received_on="2020-01-01"),
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person__last_name="Martin")
    assert referral.prescriber == world.prescriber_partner
    assert referral.channel == Channel.ONLINE
    assert referral.received_on != datetime.date(2020, 1, 1)
