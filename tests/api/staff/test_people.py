"""GET /api/v1/people and /people/{id}: the people a staff member meets in the web (trainees
for all staff, candidates only for roles with the candidate pages), searched by name and by
the day they were recorded; partners never; another school's person is a 404."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from parcours.people.models import Person
from tests.factories import EnrolmentFactory, PersonFactory

from .helpers import events, has_message, queries_of

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_staff_with_candidate_pages_read_trainees_and_candidates(world, call):
    trainee = world.objects["enrolment"].person
    candidate = world.objects["person"]  # a referral, no enrolment
    for who in ("director", "intake", "referent"):
        ids = _ids(call(who, "get", "/people?page_size=200"))
        assert {trainee.pk, candidate.pk} <= ids, who
    detail = call("intake", "get", f"/people/{candidate.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["last_name"] == candidate.last_name
    assert body["birth_date"] == candidate.birth_date.isoformat()
    assert body["anonymised"] is False


def test_contacts_are_in_one_persons_page_not_in_the_list(world, call):
    """The list is no way to copy the school's contacts in bulk (review): e-mail and phone
    come with one person, as on the web."""
    trainee = world.objects["enrolment"].person
    Person.objects.filter(pk=trainee.pk).update(email="lea@example.org", phone="+33612345678")
    rows = call("director", "get", "/people?page_size=200").json()["results"]
    assert rows and all("email" not in row and "phone" not in row for row in rows)
    body = call("director", "get", f"/people/{trainee.pk}").json()
    assert (body["email"], body["phone"]) == ("lea@example.org", "+33612345678")


def test_company_relations_read_trainees_but_not_candidates(world, call):
    """The web shows them the trainee pages, not the candidate pages."""
    trainee = world.objects["enrolment"].person
    candidate = world.objects["person"]
    ids = _ids(call("company_relations", "get", "/people?page_size=200"))
    assert trainee.pk in ids and candidate.pk not in ids
    assert call("company_relations", "get", f"/people/{trainee.pk}").status_code == 200
    assert call("company_relations", "get", f"/people/{candidate.pk}").status_code == 404


@pytest.mark.parametrize("who", ["prescriber", "funder", "network"])
def test_partners_and_network_are_refused(world, call, who):
    person = world.objects["enrolment"].person
    for path in ("/people", f"/people/{person.pk}"):
        response = call(who, "get", path)
        assert response.status_code == 403, (who, path)
        assert has_message(response, "Votre rôle ne permet pas")


def test_another_schools_person_is_not_found(world, call):
    mine = world.objects["enrolment"].person
    assert call("outsider", "get", f"/people/{mine.pk}").status_code == 404
    assert mine.pk not in _ids(call("outsider", "get", "/people?page_size=200"))
    # and the outsider reads their own school's trainee
    theirs = world.others["enrolment"].person
    assert call("outsider", "get", f"/people/{theirs.pk}").status_code == 200


def test_search_by_name_and_by_day_recorded(world, call):
    EnrolmentFactory(
        school=world.school,
        site=world.site,
        person=PersonFactory(school=world.school, last_name="Zidane", first_name="Inès"),
    )
    assert [
        row["last_name"] for row in call("director", "get", "/people?q=zid").json()["results"]
    ] == ["Zidane"]
    assert len(_ids(call("director", "get", "/people?q=zidane+in"))) == 1
    old = world.objects["enrolment"].person
    Person.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    recent = _ids(call("director", "get", f"/people?date_from={since}&page_size=200"))
    assert old.pk not in recent and len(recent) >= 1
    before = _ids(call("director", "get", f"/people?date_to={since}&page_size=200"))
    assert before == {old.pk}


def test_bad_filters_answer_422_in_french(world, call):
    response = call("director", "get", "/people?date_from=2025-02-01&date_to=2025-01-01")
    assert response.status_code == 422
    assert has_message(response, "date_from doit être antérieure")
    response = call("director", "get", "/people?date_from=31/01/2025")
    assert response.status_code == 422
    assert has_message(response, "Une date est attendue")


def test_pagination(world, call):
    for index in range(5):
        EnrolmentFactory(
            school=world.school,
            site=world.site,
            person=PersonFactory(school=world.school, last_name=f"Page{index}"),
        )
    first = call("director", "get", "/people?q=page&page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    last = call("director", "get", "/people?q=page&page_size=2&page=3").json()
    assert [row["last_name"] for row in last["results"]] == ["Page4"] and last["next"] is None


def test_the_list_runs_a_constant_number_of_queries(world, call):
    def add(count):
        for _ in range(count):
            EnrolmentFactory(school=world.school, site=world.site)

    add(2)
    call("director", "get", "/people")  # the token is created on the first call
    few = queries_of(lambda: call("director", "get", "/people"))
    add(20)
    many = queries_of(lambda: call("director", "get", "/people"))
    assert many == few


# ------------------------------------------------------------------------------ candidacies


def _candidacy(world, **overrides):
    body = {
        "channel": "phone",
        "received_on": "2026-01-05",
        "prescriber": world.prescriber_partner.pk,
        "last_name": "Nouvelle",
        "first_name": "Personne",
        "birth_date": "2006-04-02",
        "gender": "F",
        "phone": "06 12 34 56 78",
        "job_seeker_status": "registered",
        "left_school_on": "2023-06-30",
        "reason": "Souhaite un projet dans la logistique.",
    }
    body.update(overrides)
    return body


def test_intake_records_a_candidacy_which_creates_the_person(world, call):
    response = call("intake", "post", "/candidacies", _candidacy(world))
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["person"]["id"])
    assert person.school == world.school and person.phone == "+33612345678"  # normalised
    assert body["channel"] == "phone" and body["stage"] == "referred"
    [event] = events("referral.create")
    assert event.object_id == str(body["id"]) and event.actor == world.members["intake"].user
    # the new person is now readable like any candidate
    assert call("intake", "get", f"/people/{person.pk}").status_code == 200


def test_a_look_alike_is_proposed_before_creating_anyone(world, call):
    known = world.objects["person"]  # a candidate of the school
    body = _candidacy(
        world,
        last_name=known.last_name,
        first_name=known.first_name,
        birth_date=known.birth_date.isoformat(),
    )
    people = Person.objects.count()
    response = call("intake", "post", "/candidacies", body)
    assert response.status_code == 409
    assert [p["id"] for p in response.json()["people"]] == [known.pk]
    assert Person.objects.count() == people and events("referral.create") == []
    # someone who is not among the look-alikes is refused
    response = call(
        "intake", "post", "/candidacies", {**body, "person": world.objects["enrolment"].person_id}
    )
    assert response.status_code == 422
    assert has_message(response, "Choisissez l'une des personnes proposées")
    # the known person: a second referral for them, no new person
    response = call("intake", "post", "/candidacies", {**body, "person": known.pk})
    assert response.status_code == 201 and response.json()["person"]["id"] == known.pk
    assert Person.objects.count() == people
    # or someone else after all
    response = call("intake", "post", "/candidacies", {**body, "new_person": True})
    assert response.status_code == 201 and response.json()["person"]["id"] != known.pk
    assert Person.objects.count() == people + 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "", "email": ""}, "Indiquez un téléphone ou une adresse e-mail"),
        ({"phone": "12"}, "Ce numéro de téléphone n'est pas valide."),
        ({"birth_date": "2099-01-01"}, "La date de naissance ne peut pas être dans le futur."),
        (
            {"prescriber": None},
            "Indiquez le prescripteur, ou choisissez « candidature spontanée ».",
        ),
        ({"channel": "spontaneous"}, "Une candidature spontanée n'a pas de prescripteur."),
        ({"received_on": "2099-01-01"}, "La date de réception ne peut pas être dans le futur."),
        ({"reason": "Son NIR : 1 84 12 76 451 089 46"}, "numéro de sécurité sociale"),
        ({"last_name": "1 84 12 76 451 089 46"}, "numéro de sécurité sociale"),
    ],
)
def test_bad_candidacies_write_nothing(world, call, overrides, message):
    people = Person.objects.count()
    response = call("intake", "post", "/candidacies", _candidacy(world, **overrides))
    assert response.status_code == 422, response.content
    assert has_message(response, message), response.json()
    assert Person.objects.count() == people
    assert events("referral.create") == []


def test_candidacies_refused_by_role_and_school(world, call):
    people = Person.objects.count()
    assert call("referent", "post", "/candidacies", _candidacy(world)).status_code == 403
    assert call("prescriber", "post", "/candidacies", _candidacy(world)).status_code == 403
    # school A's prescriber is not a partner of school B
    response = call("outsider_director", "post", "/candidacies", _candidacy(world))
    assert response.status_code == 422
    assert Person.objects.count() == people
