"""Prescribers through the API: the same rules as their web pages (tests/intake/
test_prescriber.py): their own referrals only, status and dates only, the same form checks."""

from __future__ import annotations

import datetime
import json

import pytest

from parcours.audit.models import AuditEvent
from parcours.intake.models import Channel, Outcome, Referral, Stage
from parcours.pathways.models import FundingLine
from parcours.people.models import Person

from ..factories import (
    DecisionFactory,
    InterviewFactory,
    MembershipFactory,
    PartnerFactory,
    PersonFactory,
    UserFactory,
)
from ..intake.referral_data import counts, days_ago, fresh_referral, referral_form_data, today

pytestmark = pytest.mark.django_db

NOTES = "NOTE-CONFIDENTIELLE : difficultés familiales évoquées."
REASON = "MOTIF-CONFIDENTIEL : projet encore flou."


def payload(**changes) -> dict:
    data = referral_form_data()
    data.pop("funding_line")
    data["in_employment_or_training"] = False
    data.update(changes)
    return data


def post(client, data):
    return client.post("/api/v1/referrals", data=json.dumps(data), content_type="application/json")


@pytest.fixture
def prescriber(world, api_client):
    return api_client(world.members["prescriber"])


def test_the_prescriber_submits_a_referral(world, prescriber):
    plie = FundingLine.objects.get(code="plie")
    response = post(prescriber, payload(funding_line_id=plie.pk, qpv_code="qn06301m"))
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(person__last_name="Martin")
    assert body["id"] == referral.pk
    assert body["status"] == "Orientation reçue"
    assert body["stage"] == "referred" and body["outcome"] is None
    assert body["received_on"] == today().isoformat()
    assert referral.channel == Channel.ONLINE
    assert referral.prescriber == world.prescriber_partner
    assert referral.adviser == world.members["prescriber"]
    assert referral.funding_line == plie and referral.qpv_code == "QN06301M"
    event = AuditEvent.objects.get(action="referral.create", object_id=str(referral.pk))
    assert event.actor == world.members["prescriber"].user
    assert event.ip_address == "127.0.0.1"
    # Then it is in their list and readable.
    listed = prescriber.get("/api/v1/referrals").json()
    assert referral.pk in [row["id"] for row in listed["results"]]
    assert prescriber.get(f"/api/v1/referrals/{referral.pk}").json()["last_name"] == "Martin"


def test_the_referral_is_attached_silently_to_the_same_person(world, prescriber):
    existing = PersonFactory(
        school=world.school,
        last_name="Martin",
        first_name="Léa",
        birth_date=datetime.date(2006, 3, 14),
        email="secret.lea@example.net",
    )
    before = Person.objects.count()
    response = post(prescriber, payload(birth_date="2006-03-14"))
    assert response.status_code == 201
    assert Person.objects.count() == before
    assert Referral.objects.latest("id").person == existing
    assert "secret.lea" not in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "Au moins 1 caractère(s)."),
        ({"reason": "   "}, "reason", "Ce champ est obligatoire."),
        ({"left_school_on": None}, "left_school_on", "Une date est attendue (AAAA-MM-JJ)."),
        ({"job_seeker_status": "salarie"}, "job_seeker_status", "Valeur inconnue"),
        ({"birth_date": "2990-05-01"}, "birth_date", "ne peut pas être dans le futur"),
        ({"birth_date": "2006-02-31"}, "birth_date", "Une date est attendue"),
        ({"reason": "x" * 3000}, "reason", "Au plus 2000 caractères."),
        ({"phone": "0000"}, "phone", "Ce numéro de téléphone n'est pas valide."),
        ({"email": "lea@"}, "email", "Saisissez une adresse de courriel valide."),
        ({"email": "", "phone": ""}, "phone", "Indiquez un téléphone ou une adresse e-mail"),
        ({"funding_line_id": "fse"}, "funding_line_id", "Sélectionnez un choix valide."),
        ({"funding_line_id": 10**12}, "funding_line_id", "Sélectionnez un choix valide."),
        ({"gender": "X"}, "gender", "Valeur inconnue"),
    ],
)
def test_bad_submissions_are_refused_in_french_and_write_nothing(
    world, prescriber, changes, field, message
):
    if changes.get("funding_line_id") == "fse":
        changes["funding_line_id"] = FundingLine.objects.get(code="fse_plus").pk
    before = counts()
    response = post(prescriber, payload(**changes))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    assert any(e["loc"] == ["body", field] and message in e["message"] for e in body["errors"]), (
        body
    )
    assert counts() == before


def test_a_body_that_is_not_json_is_a_400(prescriber):
    before = counts()
    response = prescriber.post(
        "/api/v1/referrals", data="{pas du json", content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    assert counts() == before


def test_the_prescriber_cannot_choose_organisation_or_channel(world, prescriber):
    plie = PartnerFactory(school=world.school, name="PLIE Alpha", prescriber_type="plie")
    response = post(prescriber, payload(prescriber=plie.pk, channel="spontaneous"))
    assert response.status_code == 201
    referral = Referral.objects.get(person__last_name="Martin")
    assert referral.prescriber == world.prescriber_partner
    assert referral.channel == Channel.ONLINE


def test_only_their_own_referrals_status_and_dates(world, prescriber):
    plie = PartnerFactory(school=world.school, name="PLIE Alpha", prescriber_type="plie")
    plie_adviser = MembershipFactory(
        user=UserFactory(email="c@plie.example.org"),
        school=world.school,
        role="prescriber",
        partner=plie,
    )
    theirs = fresh_referral(world, prescriber=plie, adviser=plie_adviser)
    colleague = MembershipFactory(
        user=UserFactory(email="c@ml.example.org"),
        school=world.school,
        role="prescriber",
        partner=world.prescriber_partner,
    )
    colleagues = fresh_referral(world, adviser=colleague)
    referral = world.objects["referral"]
    InterviewFactory(
        referral=referral, school=world.school, interviewer=world.members["intake"], notes=NOTES
    )
    decision = referral.decisions.get()
    decision.reason = REASON
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
    listed = prescriber.get("/api/v1/referrals")
    ids = [row["id"] for row in listed.json()["results"]]
    assert set(ids) == {referral.pk, refused.pk}
    for response in (
        listed,
        prescriber.get(f"/api/v1/referrals/{referral.pk}"),
        prescriber.get(f"/api/v1/referrals/{refused.pk}"),
    ):
        assert response.status_code == 200
        text = response.content.decode()
        for secret in (NOTES, REASON, "Motivation solide", "Alphaintake", "notes", "reason"):
            assert secret not in text
    assert prescriber.get(f"/api/v1/referrals/{theirs.pk}").status_code == 404
    assert prescriber.get(f"/api/v1/referrals/{colleagues.pk}").status_code == 404
    refused_row = prescriber.get(f"/api/v1/referrals/{refused.pk}").json()
    assert refused_row["outcome"] == "refused" and refused_row["status"] == "Refusé·e"
    assert refused_row["decided_on"] == days_ago(2).isoformat()
    assert refused_row["planned_entry_date"] is None


def test_list_filters_by_date_and_paginates_with_constant_queries(
    world, prescriber, django_assert_max_num_queries
):
    for n in range(7):
        fresh_referral(world, received_on=datetime.date(2025, 3, 1 + n))
    with django_assert_max_num_queries(8):
        page = prescriber.get(
            "/api/v1/referrals?date_from=2025-03-02&date_to=2025-03-06&page_size=2"
        )
    body = page.json()
    assert body["count"] == 5 and body["page"] == 1 and body["page_size"] == 2
    assert [r["received_on"] for r in body["results"]] == ["2025-03-06", "2025-03-05"]
    assert body["previous"] is None and "page=2" in body["next"]
    last = prescriber.get(body["next"].replace("http://testserver", "")).json()
    assert last["previous"] and last["page"] == 2
    third = prescriber.get(
        "/api/v1/referrals?date_from=2025-03-02&date_to=2025-03-06&page_size=2&page=3"
    ).json()
    assert len(third["results"]) == 1 and third["next"] is None
    beyond = prescriber.get("/api/v1/referrals?page=40").json()
    assert beyond["results"] == [] and beyond["count"] == 8


@pytest.mark.parametrize(
    ("query", "loc", "message"),
    [
        ("page_size=500", ["query", "page_size"], "inférieure ou égale à 200"),
        ("page=0", ["query", "page"], "supérieure ou égale à 1"),
        ("date_from=2025-13-01", ["query", "date_from"], "Une date est attendue"),
        ("date_from=2025-03-02&date_to=2025-03-01", ["query"], "date_from doit être antérieure"),
    ],
)
def test_bad_list_parameters_are_a_french_422(prescriber, query, loc, message):
    response = prescriber.get(f"/api/v1/referrals?{query}")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["loc"] == loc and message in e["message"] for e in errors), errors


def test_another_schools_referral_is_404(world, prescriber):
    assert prescriber.get(f"/api/v1/referrals/{world.others['referral'].pk}").status_code == 404
    assert prescriber.get("/api/v1/referrals/99999999").status_code == 404
    assert prescriber.get("/api/v1/referrals/pas-un-nombre").status_code == 422
    assert prescriber.get(f"/api/v1/referrals/{2**64}").status_code == 422
