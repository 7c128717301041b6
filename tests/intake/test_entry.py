"""Entry: an admitted candidate's enrolment and situation at entry, with the funding lines."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.intake.models import Outcome, Stage
from parcours.pathways.models import Enrolment, FundingLine

from ..factories import DecisionFactory
from ..utils import page_text
from .referral_data import counts, fresh_referral, today

pytestmark = pytest.mark.django_db

SLUG = "e2c-alpha"


def url(name: str, *args) -> str:
    return reverse(name, args=[SLUG, *args])


def entry_data(world, **changes) -> dict:
    """A valid entry of the world's admitted candidate (admitted on 25/01/2024)."""
    data = {
        "entry_date": "2024-02-05",
        "site": world.site.pk,
        "referent": world.members["referent"].pk,
        "funding_lines": [FundingLine.objects.get(code="fse_plus").pk],
        "gender": "F",
        "birth_date": "2000-05-17",
        "address": "12 rue des Lilas",
        "postcode": "63100",
        "commune": "Clermont-Ferrand",
        "qpv_code": "qn06301m",
        "qpv_checked_on": "2024-01-30",
        "diploma_level": "none",
        "left_school_on": "2019-06-30",
        "job_seeker_status": "registered",
        "rqth": "no",
        "receives_rsa": "declined",
        "driving_licence": "on",
        "jobless_household": "yes",
        "single_parent": "no",
        "homeless": "declined",
        "foreign_origin": "declined",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def admitted(world, **kwargs):
    """A fresh candidate admitted today, entry planned in two weeks."""
    referral = fresh_referral(world, stage=Stage.DECISION, outcome=Outcome.ADMITTED, **kwargs)
    DecisionFactory(
        referral=referral,
        school=world.school,
        site=world.site,
        decided_on=today(),
        planned_entry_date=today() + datetime.timedelta(days=14),
    )
    return referral


def test_form_is_prefilled_from_the_decision_the_person_and_the_referral(world):
    referral = world.objects["referral"]
    response = world.client_for("intake").get(url("intake:entry_create", referral.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="entry_date" value="2024-02-05"' in html
    assert 'name="birth_date" value="2000-05-17"' in html
    assert 'name="left_school_on" value="2019-06-30"' in html
    text = page_text(response)
    assert "Admis·e le 25/01/2024, entrée prévue le 05/02/2024." in text
    assert "Ne souhaite pas répondre" in text
    assert "politique de la ville est ajoutée d'office quand un code QPV est saisi" in text
    referents = html.split('name="referent"')[1].split("</select>")[0]
    assert "Alphareferent" in referents and "Alphaintake" not in referents  # referents only


def test_intake_officer_records_the_entry(world):
    referral = world.objects["referral"]
    referral.funding_line = FundingLine.objects.get(code="plie")
    referral.save()
    client = world.client_for("intake")
    response = client.post(url("intake:entry_create", referral.pk), entry_data(world))
    assert response.status_code == 302
    assert response["Location"] == url("intake:referral", referral.pk)
    enrolment = Enrolment.objects.get(referral=referral)
    assert enrolment.entry_date == datetime.date(2024, 2, 5)
    assert enrolment.site == world.site and enrolment.referent == world.members["referent"]
    assert enrolment.person == referral.person
    # PLIE from the referral, politique de la ville from the QPV code, FSE+ chosen.
    assert set(enrolment.funding_lines.values_list("code", flat=True)) == {
        "plie",
        "politique_ville",
        "fse_plus",
    }
    situation = enrolment.entry_situation
    assert situation.qpv_code == "QN06301M"
    assert situation.receives_rsa == "declined" and situation.jobless_household == "yes"
    assert situation.driving_licence is True
    referral.refresh_from_db()
    assert referral.stage == Stage.ENTERED
    referral.person.refresh_from_db()
    assert referral.person.postcode == "63100" and referral.person.commune == "Clermont-Ferrand"
    assert AuditEvent.objects.filter(action="enrolment.create").exists()
    page = page_text(client.get(response["Location"]))
    assert (
        "L'entrée de Yanis Candidate2c-alpha est enregistrée : son parcours commence le "
        "05/02/2024." in page
    )
    assert "Entré·e le 05/02/2024 sur le site Site Alpha." in page
    assert "Enregistrer l'entrée" not in page


def test_no_qpv_no_politique_de_la_ville(world):
    referral = world.objects["referral"]
    response = world.client_for("director").post(
        url("intake:entry_create", referral.pk),
        entry_data(world, qpv_code="", qpv_checked_on="", funding_lines=[], referent=""),
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(referral=referral)
    assert list(enrolment.funding_lines.all()) == []
    assert enrolment.referent is None


def test_entry_twice_is_refused(world):
    referral = world.objects["referral"]
    client = world.client_for("intake")
    assert (
        client.post(url("intake:entry_create", referral.pk), entry_data(world)).status_code == 302
    )
    before = counts()
    response = client.post(url("intake:entry_create", referral.pk), entry_data(world))
    assert response.status_code == 400
    assert "L'entrée de cette personne est déjà enregistrée." in page_text(response)
    assert counts() == before
    response = client.get(url("intake:entry_create", referral.pk))
    assert response.status_code == 200
    assert "déjà enregistrée" in page_text(response)
    assert 'name="entry_date"' not in response.content.decode()


def test_entry_before_the_decision_is_refused(world):
    referral = world.objects["referral"]
    before = counts()
    response = world.client_for("intake").post(
        url("intake:entry_create", referral.pk), entry_data(world, entry_date="2024-01-20")
    )
    assert response.status_code == 400
    assert "L'entrée ne peut pas précéder la décision d'admission." in page_text(response)
    assert counts() == before


@pytest.mark.parametrize("outcome", ["", Outcome.REFUSED, Outcome.POSTPONED])
def test_a_candidate_not_admitted_cannot_enter(world, outcome):
    referral = fresh_referral(world, outcome=outcome)
    if outcome:
        DecisionFactory(
            referral=referral,
            school=world.school,
            outcome=outcome,
            decided_on=today(),
            planned_entry_date=None,
            site=None,
            reason="Motif.",
        )
    client = world.client_for("intake")
    response = client.get(url("intake:entry_create", referral.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "Seule une personne admise peut entrer" in text
    assert 'name="entry_date"' not in response.content.decode()
    before = counts()
    response = client.post(url("intake:entry_create", referral.pk), entry_data(world))
    assert response.status_code == 400
    assert counts() == before


def test_a_person_already_in_a_pathway_cannot_enter_again(world):
    trainee = world.objects["enrolment"].person  # an active enrolment in the world
    referral = admitted(world, person=trainee)
    before = counts()
    response = world.client_for("intake").post(
        url("intake:entry_create", referral.pk),
        entry_data(
            world,
            entry_date=(today() + datetime.timedelta(days=14)).isoformat(),
            birth_date=trainee.birth_date.isoformat(),
            left_school_on="2018-06-30",
        ),
    )
    assert response.status_code == 400
    assert "Cette personne a déjà un parcours en cours." in page_text(response)
    assert counts() == before


def test_minors_warning_on_the_entry_form(world):
    referral = admitted(world, age=17)
    client = world.client_for("intake")
    response = client.get(url("intake:entry_create", referral.pk))
    assert "les mineurs représenteraient 50 % des stagiaires présents" in page_text(response)
    day = (today() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        url("intake:entry_create", referral.pk),
        entry_data(
            world,
            entry_date=day,
            birth_date=referral.person.birth_date.isoformat(),
            left_school_on=referral.left_school_on.isoformat(),
            qpv_checked_on=today().isoformat(),
        ),
        follow=True,
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "est enregistrée" in text and "les mineurs représenteraient 50 %" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"entry_date": "", "postcode": "", "commune": ""}, "Ce champ est obligatoire."),
        ({"diploma_level": None}, "Ce champ est obligatoire."),
        ({"rqth": None}, "Ce champ est obligatoire."),
        ({"foreign_origin": "peut-etre"}, "Sélectionnez un choix valide."),
        ({"entry_date": "31/02/2024"}, "Saisissez une date valide."),
        ({"birth_date": "2990-01-01"}, "La date de naissance ne peut pas être dans le futur."),
        ({"birth_date": "30/02/2000"}, "Saisissez une date valide."),
        ({"postcode": "6310"}, "Le code postal doit compter 5 chiffres."),
        ({"qpv_checked_on": ""}, "Indiquez la date à laquelle le statut QPV a été vérifié."),
        ({"qpv_checked_on": "2999-01-01"}, "ne peut pas être future"),
        ({"qpv_code": "QN 063-01"}, "Le code QPV ne contient que des lettres et des chiffres"),
        ({"left_school_on": "1999-01-01"}, "précède la date de naissance"),
        ({"address": "x" * 300}, "au plus 255 caractères"),
        ({"commune": "x" * 200}, "au plus 120 caractères"),
        ({"site": "other"}, "Sélectionnez un choix valide."),
        ({"referent": "intake"}, "Sélectionnez un choix valide."),
        ({"funding_lines": ["plie"]}, "Sélectionnez un choix valide."),
    ],
)
def test_bad_entry_input_is_refused(world, changes, message):
    if changes.get("site") == "other":
        changes["site"] = world.other_site.pk
    if changes.get("referent") == "intake":
        changes["referent"] = world.members["intake"].pk
    if changes.get("funding_lines") == ["plie"]:
        # PLIE comes from the referral: it is not offered here.
        changes["funding_lines"] = [FundingLine.objects.get(code="plie").pk]
    referral = world.objects["referral"]
    before = counts()
    response = world.client_for("intake").post(
        url("intake:entry_create", referral.pk), entry_data(world, **changes)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_entry_access(world):
    referral = world.objects["referral"]
    for who, status in (("referent", 403), ("prescriber", 403), ("funder", 403), ("outsider", 404)):
        before = counts()
        response = world.client_for(who).post(
            url("intake:entry_create", referral.pk), entry_data(world)
        )
        assert response.status_code == status, who
        assert counts() == before
    other = world.others["referral"]
    assert world.client_for("intake").get(url("intake:entry_create", other.pk)).status_code == 404
