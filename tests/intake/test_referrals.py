"""The intake team's screens of candidates: recording a referral (with the duplicates step), the
list, the candidate's page and the interview."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.intake.models import Channel, Interview, Outcome, Referral, Stage
from parcours.people.models import Person

from ..factories import (
    DecisionFactory,
    MembershipFactory,
    PartnerFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)
from ..utils import page_text
from .referral_data import (
    counts,
    days_ago,
    fresh_referral,
    staff_referral_data,
    today,
)

pytestmark = pytest.mark.django_db

SLUG = "e2c-alpha"


def url(name: str, *args) -> str:
    return reverse(name, args=[SLUG, *args])


# ---------------------------------------------------------------------------- creation


def test_intake_officer_records_a_referral_received_by_phone(world):
    client = world.client_for("intake")
    response = client.post(url("intake:referral_create"), staff_referral_data(world))
    referral = Referral.objects.get(person__last_name="Martin")
    assert response.status_code == 302
    assert response["Location"] == url("intake:referral", referral.pk)
    assert referral.channel == Channel.PHONE
    assert referral.prescriber == world.prescriber_partner
    assert referral.stage == Stage.REFERRED
    assert referral.person.phone == "+33612345678"
    assert referral.person.school == world.school
    assert AuditEvent.objects.filter(action="referral.create", object_id=str(referral.pk)).exists()
    page = page_text(client.get(response["Location"]))
    assert "La candidature de Léa Martin est enregistrée." in page


def test_spontaneous_application_has_no_prescriber(world):
    response = world.client_for("director").post(
        url("intake:referral_create"),
        staff_referral_data(world, channel="spontaneous", prescriber="", reason=""),
    )
    assert response.status_code == 302
    referral = Referral.objects.get(person__last_name="Martin")
    assert referral.prescriber is None and referral.adviser is None
    assert referral.channel == Channel.SPONTANEOUS


def test_referral_with_an_adviser_of_the_prescriber(world):
    response = world.client_for("intake").post(
        url("intake:referral_create"),
        staff_referral_data(world, adviser=world.members["prescriber"].pk),
    )
    assert response.status_code == 302
    assert Referral.objects.get(person__last_name="Martin").adviser == world.members["prescriber"]


def test_creation_form_lists_only_the_schools_prescribers(world):
    page = page_text(world.client_for("intake").get(url("intake:referral_create")))
    assert "Mission Locale Alpha" in page
    assert "Mission Locale Beta" not in page  # another school's partner
    assert "Métropole Alpha" not in page  # a funder, not a prescriber
    assert "Téléphone" in page and "Candidature spontanée" in page


def _other_partner_adviser(world):
    plie = PartnerFactory(school=world.school, name="PLIE Alpha", prescriber_type="plie")
    return MembershipFactory(
        user=UserFactory(email="conseillere@plie.example.org"),
        school=world.school,
        role="prescriber",
        partner=plie,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"last_name": "", "first_name": "", "birth_date": ""}, "Ce champ est obligatoire."),
        ({"gender": ""}, "Ce champ est obligatoire."),
        ({"birth_date": "2990-01-01"}, "La date de naissance ne peut pas être dans le futur."),
        ({"birth_date": "31/02/2005"}, "Saisissez une date valide."),
        ({"birth_date": "1850-01-01"}, "Cette date de naissance n'est pas plausible."),
        ({"left_school_on": "2999-06-30"}, "ne peut pas être future"),
        ({"left_school_on": "1990-06-30"}, "précède la date de naissance"),
        ({"received_on": "2999-01-01"}, "La date de réception ne peut pas être dans le futur."),
        ({"received_on": "30/02/2024"}, "Saisissez une date valide."),
        ({"reason": "x" * 3000}, "au plus 2000 caractères"),
        ({"last_name": "x" * 101}, "au plus 100 caractères"),
        ({"phone": "12"}, "Ce numéro de téléphone n'est pas valide."),
        ({"email": "pas-un-email"}, "Saisissez une adresse de courriel valide."),
        ({"email": "", "phone": ""}, "Indiquez un téléphone ou une adresse e-mail"),
        ({"qpv_code": "QP-063!"}, "Le code QPV ne contient que des lettres et des chiffres"),
        ({"channel": "online"}, "Sélectionnez un choix valide."),
        ({"prescriber": ""}, "Indiquez le prescripteur, ou choisissez « candidature spontanée »."),
        ({"channel": "spontaneous"}, "Une candidature spontanée n'a pas de prescripteur."),
        ({"prescriber": "funder"}, "Sélectionnez un choix valide."),
        ({"prescriber": "other"}, "Sélectionnez un choix valide."),
        ({"adviser": "other_partner"}, "Ce conseiller ne fait pas partie de ce prescripteur."),
        ({"funding_line": "fse"}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_referral_input_is_refused(world, changes, message):
    from parcours.pathways.models import FundingLine

    specials = {
        ("prescriber", "funder"): world.funder_partner.pk,
        ("prescriber", "other"): world.other_partner.pk,
        ("funding_line", "fse"): FundingLine.objects.get(code="fse_plus").pk,
    }
    changes = {key: specials.get((key, value), value) for key, value in changes.items()}
    if changes.get("adviser") == "other_partner":
        changes["adviser"] = _other_partner_adviser(world).pk
    before = counts()
    response = world.client_for("intake").post(
        url("intake:referral_create"), staff_referral_data(world, **changes)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_referral_create_access(world):
    assert world.client_for("referent").get(url("intake:referral_create")).status_code == 403
    assert world.client_for("prescriber").get(url("intake:referral_create")).status_code == 403
    assert world.client_for("outsider").get(url("intake:referral_create")).status_code == 404
    before = counts()
    response = world.client_for("referent").post(
        url("intake:referral_create"), staff_referral_data(world)
    )
    assert response.status_code == 403
    assert counts() == before


# -------------------------------------------------------------------------- duplicates


def _existing(world, **kwargs) -> Person:
    defaults = {
        "school": world.school,
        "last_name": "Martin",
        "first_name": "Léa",
        "birth_date": datetime.date(2006, 3, 14),
        "email": "autre@example.net",
        "phone": "",
    }
    return PersonFactory(**{**defaults, **kwargs})


def test_same_name_and_birth_date_proposes_the_existing_person(world):
    existing = _existing(world)
    ReferralFactory(
        school=world.school,
        person=existing,
        prescriber=world.prescriber_partner,
        received_on=datetime.date(2023, 4, 3),
    )
    data = staff_referral_data(
        world, last_name=" MARTIN ", first_name="léa", birth_date="2006-03-14"
    )
    client = world.client_for("intake")
    before = counts()
    response = client.post(url("intake:referral_create"), data)
    assert response.status_code == 200
    text = page_text(response)
    assert "Cette personne est peut-être déjà connue de l'école" in text
    assert "Oui, il s'agit de Léa Martin, né·e le 14/03/2006" in text
    # Staff see the person's history to tell them apart.
    assert "Candidature reçue le 03/04/2023" in text and "autre@example.net" in text
    assert "il s'agit d'une autre personne" in text
    assert counts() == before

    response = client.post(
        url("intake:referral_create"),
        {**data, "person_choice": str(existing.pk), "duplicates_shown": "1"},
    )
    assert response.status_code == 302
    people_before, referrals_before = before[0], before[1]
    assert Person.objects.count() == people_before  # no twin
    assert Referral.objects.count() == referrals_before + 1
    referral = Referral.objects.latest("id")
    assert referral.person == existing


def test_another_person_with_the_same_name_is_created_on_request(world):
    _existing(world)
    data = staff_referral_data(world, birth_date="2006-03-14")
    client = world.client_for("intake")
    assert client.post(url("intake:referral_create"), data).status_code == 200
    before = Person.objects.count()
    response = client.post(
        url("intake:referral_create"), {**data, "person_choice": "new", "duplicates_shown": "1"}
    )
    assert response.status_code == 302
    assert Person.objects.count() == before + 1
    assert Person.objects.filter(last_name="Martin", first_name="Léa").count() == 2


def test_same_email_or_normalised_phone_is_a_possible_duplicate(world):
    by_email = _existing(world, last_name="Durand", email="LEA.MARTIN@example.net")
    by_phone = _existing(world, last_name="Petit", email="", phone="+33612345678")
    response = world.client_for("intake").post(
        url("intake:referral_create"), staff_referral_data(world)
    )
    assert response.status_code == 200
    text = page_text(response)
    assert f"Léa {by_email.last_name}" in text and f"Léa {by_phone.last_name}" in text


def test_a_choice_outside_the_proposed_people_is_refused(world):
    _existing(world)
    stranger = PersonFactory(school=world.school, last_name="Autre")
    before = counts()
    client = world.client_for("intake")
    data = staff_referral_data(world, birth_date="2006-03-14")
    response = client.post(
        url("intake:referral_create"), {**data, "person_choice": str(stranger.pk)}
    )
    assert response.status_code == 400
    assert "Choisissez l'une des personnes proposées" in page_text(response)
    # Coming back from the duplicates step without choosing is refused too.
    response = client.post(url("intake:referral_create"), {**data, "duplicates_shown": "1"})
    assert response.status_code == 400
    assert counts() == before


def test_people_of_another_school_are_not_duplicates(world):
    PersonFactory(
        school=world.other_school,
        last_name="Martin",
        first_name="Léa",
        email="lea.martin@example.net",
    )
    response = world.client_for("intake").post(
        url("intake:referral_create"), staff_referral_data(world)
    )
    assert response.status_code == 302


# ----------------------------------------------------------------------------- the list


def test_list_shows_the_schools_candidates_only(world):
    text = page_text(world.client_for("referent").get(url("intake:referrals")))
    assert "CANDIDATE2C-ALPHA Yanis" in text
    assert "CANDIDATE2C-BETA" not in text
    assert "Enregistrer une candidature" not in text  # a referent only reads
    assert "Enregistrer une candidature" in page_text(
        world.client_for("intake").get(url("intake:referrals"))
    )


def test_list_search_and_filters(world):
    fresh_referral(world, person=PersonFactory(school=world.school, last_name="Zidane"))
    spontaneous = fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="Libre"),
        prescriber=None,
        adviser=None,
        channel=Channel.SPONTANEOUS,
    )
    client = world.client_for("intake")

    def names(**params):
        return page_text(client.get(url("intake:referrals"), params))

    assert "ZIDANE" in names(q="zid") and "CANDIDATE2C-ALPHA" not in names(q="zid")
    assert "CANDIDATE2C-ALPHA" in names(q="yanis")
    assert "CANDIDATE2C-ALPHA" in names(outcome="admitted")
    assert "ZIDANE" not in names(outcome="admitted")
    assert "ZIDANE" in names(outcome="none")
    assert "ZIDANE" in names(stage="referred") and "CANDIDATE2C-ALPHA" not in names(
        stage="referred"
    )
    assert "LIBRE" in names(prescriber="spontaneous") and "ZIDANE" not in names(
        prescriber="spontaneous"
    )
    by_partner = names(prescriber=str(world.prescriber_partner.pk))
    assert "ZIDANE" in by_partner and "LIBRE" not in by_partner
    assert "Aucune candidature ne correspond à cette recherche." in names(q="personne")
    # A tampered filter is ignored with a message, never a 500.
    response = client.get(url("intake:referrals"), {"stage": "nimporte", "prescriber": "x"})
    assert response.status_code == 200
    assert spontaneous.person.last_name.upper() in page_text(response)


def test_list_paginates_with_constant_queries(world, django_assert_max_num_queries):
    for n in range(120):
        fresh_referral(
            world,
            person=PersonFactory(school=world.school, last_name=f"Serie{n:03d}"),
            received_on=days_ago(10),
        )
    client = world.client_for("intake")
    with django_assert_max_num_queries(14):
        first = client.get(url("intake:referrals"))
    text = page_text(first)
    assert "Page 1 sur 3" in text and "121 candidatures" in text
    with django_assert_max_num_queries(14):
        filtered = client.get(url("intake:referrals"), {"q": "serie", "page": "2"})
    text = page_text(filtered)
    assert "Page 2 sur 3" in text
    assert "q=serie" in filtered.content.decode()  # the pagination keeps the search


def test_empty_list(world):
    Referral.objects.filter(school=world.school).delete()
    text = page_text(world.client_for("intake").get(url("intake:referrals")))
    assert "Aucune candidature enregistrée." in text


# ----------------------------------------------------------------------- the candidate


def test_candidate_page_shows_everything_to_staff(world):
    referral = world.objects["referral"]
    response = world.client_for("intake").get(url("intake:referral", referral.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "Yanis Candidate2c-alpha" in text
    assert "17/05/2000" in text
    assert "Mission Locale Alpha" in text
    assert "Souhaite construire un projet professionnel." in text
    assert "Motivation solide, projet dans la logistique." in text  # interview notes: staff
    assert "Admis·e" in text and "entrée prévue le 05/02/2024" in text
    # Eligibility checked on the planned entry date, rule by rule.
    assert "Critères d'éligibilité au 05/02/2024" in text
    assert "23 ans le 05/02/2024" in text
    assert "Rempli" in text
    assert "15/01/2024" in text  # the information session attended
    assert "Enregistrer l'entrée" in text
    assert f'href="/e/e2c-alpha/candidatures/{referral.pk}/entree/"' in response.content.decode()


def test_candidate_page_checks_another_date(world):
    referral = world.objects["referral"]
    text = page_text(
        world.client_for("referent").get(
            url("intake:referral", referral.pk), {"date": "2026-06-01"}
        )
    )
    assert "Critères d'éligibilité au 01/06/2026" in text
    assert "26 ans le 01/06/2026 : hors de la tranche de 16 à 25 ans inclus." in text
    assert "Non rempli" in text
    assert "Enregistrer une décision" not in text  # a referent reads only
    bad = world.client_for("referent").get(
        url("intake:referral", referral.pk), {"date": "31/02/2026"}
    )
    assert bad.status_code == 200 and "Saisissez une date valide." in page_text(bad)


def test_candidate_page_access(world):
    referral = world.objects["referral"]
    assert (
        world.client_for("prescriber").get(url("intake:referral", referral.pk)).status_code == 403
    )
    assert world.client_for("funder").get(url("intake:referral", referral.pk)).status_code == 403
    assert world.client_for("outsider").get(url("intake:referral", referral.pk)).status_code == 404
    other = world.others["referral"]
    assert world.client_for("intake").get(url("intake:referral", other.pk)).status_code == 404


# ----------------------------------------------------------------------------- interview


def _interview_data(world, **changes):
    data = {
        "held_on": days_ago(1).isoformat(),
        "held_time": "10:30",
        "interviewer": world.members["intake"].pk,
        "notes": "Très motivée, intéressée par la vente.",
    }
    data.update(changes)
    return data


def test_intake_officer_records_an_interview(world):
    referral = fresh_referral(world)
    client = world.client_for("intake")
    form = page_text(client.get(url("intake:interview_create", referral.pk)))
    assert "Alphaintake" in form and "Alphadirector" in form
    response = client.post(url("intake:interview_create", referral.pk), _interview_data(world))
    assert response.status_code == 302
    assert response["Location"] == url("intake:referral", referral.pk)
    interview = Interview.objects.get(referral=referral)
    assert interview.interviewer == world.members["intake"]
    assert interview.held_at.astimezone(datetime.UTC).hour in (9, 10)  # 10:30 in Paris
    referral.refresh_from_db()
    assert referral.stage == Stage.INTERVIEW
    assert AuditEvent.objects.filter(action="interview.create").exists()
    assert "Très motivée" in page_text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": "", "held_time": ""}, "Ce champ est obligatoire."),
        ({"held_on": "31/02/2026"}, "Saisissez une date valide."),
        ({"held_time": "25:70"}, "Saisissez une heure valide."),
        ({"held_on": "2999-01-01"}, "pas de date future"),
        ({"held_on": "2001-01-01"}, "L'entretien ne peut pas précéder la réception"),
        ({"interviewer": "prescriber"}, "Sélectionnez un choix valide."),
        ({"interviewer": "outsider"}, "Sélectionnez un choix valide."),
        ({"notes": "x" * 6000}, "au plus 5000 caractères"),
    ],
)
def test_bad_interview_input_is_refused(world, changes, message):
    referral = fresh_referral(world)
    if changes.get("interviewer") == "prescriber":
        changes["interviewer"] = world.members["prescriber"].pk
    if changes.get("interviewer") == "outsider":
        changes["interviewer"] = world.outsider.pk
    before = counts()
    response = world.client_for("intake").post(
        url("intake:interview_create", referral.pk), _interview_data(world, **changes)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_no_interview_on_a_closed_candidacy(world):
    referral = fresh_referral(world, stage=Stage.DECISION, outcome=Outcome.REFUSED)
    DecisionFactory(
        referral=referral,
        school=world.school,
        outcome=Outcome.REFUSED,
        decided_on=days_ago(5),
        planned_entry_date=None,
        site=None,
        reason="Projet à mûrir.",
    )
    client = world.client_for("intake")
    response = client.get(url("intake:interview_create", referral.pk))
    assert response.status_code == 200
    assert "Cette candidature est close" in page_text(response)
    before = counts()
    response = client.post(url("intake:interview_create", referral.pk), _interview_data(world))
    assert response.status_code == 400
    assert counts() == before


def test_interview_access(world):
    referral = world.objects["referral"]
    for who, status in (("referent", 403), ("prescriber", 403), ("outsider", 404)):
        before = counts()
        response = world.client_for(who).post(
            url("intake:interview_create", referral.pk), _interview_data(world)
        )
        assert response.status_code == status, who
        assert counts() == before
    other = world.others["referral"]
    response = world.client_for("intake").get(url("intake:interview_create", other.pk))
    assert response.status_code == 404


def test_received_today_is_a_valid_date(world):
    response = world.client_for("intake").post(
        url("intake:referral_create"), staff_referral_data(world, received_on=today().isoformat())
    )
    assert response.status_code == 302
