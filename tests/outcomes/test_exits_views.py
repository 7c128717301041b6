"""Exit screens: the two-step exit (form, confirmation listing what it closes), correction,
undo, the school's list (filters, constant queries) and the exit section of the trainee page.
Each screen: a member who may, a member who may not (403), an outsider (404)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.outcomes.models import Exit, ExitFollowUp
from parcours.schedule.models import Session, SessionTrainee
from tests.factories import EnrolmentFactory, PersonFactory, SiteFactory
from tests.utils import page_text

EXIT_DAY = "2024-04-12"


def _new_url(world, enrolment=None):
    enrolment = enrolment or world.objects["enrolment"]
    return reverse("outcomes:exit_new", args=[world.school.slug, enrolment.pk])


def _edit_url(world, exit_=None):
    return reverse(
        "outcomes:exit_edit", args=[world.school.slug, (exit_ or world.objects["exit"]).pk]
    )


def _undo_url(world, exit_=None):
    return reverse(
        "outcomes:exit_undo", args=[world.school.slug, (exit_ or world.objects["exit"]).pk]
    )


def _list_url(world):
    return reverse("outcomes:exits", args=[world.school.slug])


def _trainee_url(world, enrolment):
    return reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])


def _data(**overrides):
    data = {
        "exit_date": EXIT_DAY,
        "destination": "cdd",
        "months": "4",
        "days": "0",
        "organisation": "Transports Arvernes",
        "dropout_reason": "",
        "comment": "",
    }
    data.update(overrides)
    return data


def _later_session(world):
    session = Session.objects.create(
        school=world.school,
        site=world.site,
        room=world.room,
        workshop_type=world.objects["workshop_type"],
        day=datetime.date(2024, 4, 22),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
        trainer=world.members["referent"],
        created_by=world.members["referent"].user,
    )
    SessionTrainee.objects.create(
        school=world.school, session=session, enrolment=world.objects["enrolment"]
    )
    return session


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize(
    ("who", "status"),
    [("referent", 200), ("director", 200), ("intake", 403), ("company_relations", 403)],
)
def test_exit_form_access(world, who, status):
    assert world.client_for(who).get(_new_url(world)).status_code == status


def test_outsider_gets_404_everywhere(world):
    client = world.client_for("outsider")
    for url in (_new_url(world), _edit_url(world), _undo_url(world), _list_url(world)):
        assert client.get(url).status_code == 404, url


def test_another_schools_objects_are_404(world):
    client = world.client_for("referent")
    assert client.get(_new_url(world, world.others["enrolment"])).status_code == 404
    assert client.get(_edit_url(world, world.others["exit"])).status_code == 404
    assert client.get(_undo_url(world, world.others["exit"])).status_code == 404


# ------------------------------------------------------------------------------ record


def test_the_form_is_prefilled_from_the_latest_hire(world):
    response = world.client_for("referent").get(_new_url(world))
    text = page_text(response)
    hire = world.objects["hire"]
    assert "Pré-rempli d'après l'embauche enregistrée : CDD" in text
    form = response.context["form"]
    assert form.initial["destination"] == "cdd"
    assert form.initial["months"] == 6
    assert form.initial["organisation"] == hire.company.name
    assert form.initial["hire"] == hire.pk
    content = response.content.decode()
    assert '<optgroup label="Emploi">' in content
    assert '<optgroup label="Sans sortie positive">' in content
    assert "Obligatoire pour un CDD" in text  # the length explained


def test_the_confirmation_lists_what_the_exit_closes_and_writes_nothing(world):
    session = _later_session(world)
    client = world.client_for("referent")
    events = AuditEvent.objects.count()
    response = client.post(_new_url(world), _data())
    assert response.status_code == 200
    text = page_text(response)
    assert "Confirmer la sortie" in text
    assert "Obtenir le CACES 1" in text
    assert "Construction du projet professionnel" in text  # the open phase
    assert "22/04/2024" in text and session.workshop_type.name in text
    assert "Stages qui se poursuivent après la date de sortie" in text
    assert world.objects["internship"].company.name in text
    assert "ce qu'elle a clos n'est pas rétabli" in text
    assert not Exit.objects.filter(enrolment=world.objects["enrolment"]).exists()
    assert AuditEvent.objects.count() == events
    # The values travel in hidden fields to the confirm button.
    content = response.content.decode()
    assert re.search(r'<input type="hidden" name="months" value="4">', content)
    assert 'name="confirm"' in content


def test_confirming_records_the_exit_and_shows_it_on_the_trainee_page(world):
    enrolment = world.objects["enrolment"]
    session = _later_session(world)
    client = world.client_for("referent")
    response = client.post(_new_url(world), _data(confirm="1"))
    assert response.status_code == 302
    assert response["Location"] == _trainee_url(world, enrolment) + "#sortie"
    exit_ = Exit.objects.get(enrolment=enrolment)
    assert (exit_.destination, exit_.months, exit_.exit_date) == (
        "cdd",
        4,
        datetime.date(2024, 4, 12),
    )
    assert exit_.hire is None  # the user changed the prefilled hire's data (no hire field)
    assert not SessionTrainee.objects.filter(session=session, enrolment=enrolment).exists()
    page = client.get(response["Location"])
    text = page_text(page)
    assert "Sortie enregistrée pour Léa" in text  # the success message
    assert "Sortie" in text and "CDD" in text and "4 mois" in text
    assert "Transports Arvernes" in text
    assert "à 3 mois" in text and "12/07/2024" in text  # the waves to come
    assert "Enregistrer la sortie" not in text


def test_keeping_the_hire_links_it(world):
    hire = world.objects["hire"]
    response = world.client_for("referent").post(
        _new_url(world),
        _data(confirm="1", months="6", hire=str(hire.pk), organisation=hire.company.name),
    )
    assert response.status_code == 302
    assert Exit.objects.get(enrolment=world.objects["enrolment"]).hire == hire


def test_back_to_the_form_from_the_confirmation(world):
    response = world.client_for("referent").post(_new_url(world), _data(edit="1"))
    assert response.status_code == 200
    assert response.context["form"]["months"].value() == "4"
    assert not Exit.objects.filter(enrolment=world.objects["enrolment"]).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"months": ""}, "Indiquez la durée en mois"),
        (
            {"destination": "abandon", "months": "", "organisation": ""},
            "Un abandon demande un motif",
        ),
        ({"exit_date": "2024-03-01"}, "Une présence est émargée le 04/03/2024"),
        ({"days": "45"}, "Les jours vont de 0 à 30"),
        ({"destination": "mars"}, "Choisissez la destination dans la liste."),
        ({"exit_date": ""}, "Indiquez la date de sortie."),
    ],
)
@pytest.mark.parametrize("confirm", [False, True])
def test_bad_input_is_refused_with_its_message(world, overrides, message, confirm):
    data = _data(**overrides)
    if confirm:
        data["confirm"] = "1"  # a tampered confirmation is checked again
    events = AuditEvent.objects.count()
    response = world.client_for("referent").post(_new_url(world), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Exit.objects.filter(enrolment=world.objects["enrolment"]).exists()
    assert AuditEvent.objects.count() == events


def test_an_exited_enrolment_goes_back_to_its_page(world):
    enrolment = world.objects["exited_enrolment"]
    response = world.client_for("referent").post(_new_url(world, enrolment), _data(confirm="1"))
    assert response.status_code == 302
    assert response["Location"] == _trainee_url(world, enrolment)
    assert Exit.objects.filter(enrolment=enrolment).count() == 1


def test_intake_cannot_post_an_exit(world):
    response = world.client_for("intake").post(_new_url(world), _data(confirm="1"))
    assert response.status_code == 403
    assert not Exit.objects.filter(enrolment=world.objects["enrolment"]).exists()


# ------------------------------------------------------------------------------ correct


def test_correction_form_and_post(world):
    client = world.client_for("referent")
    response = client.get(_edit_url(world))
    assert response.status_code == 200
    assert response.context["form"].initial["months"] == 4
    response = client.post(
        _edit_url(world),
        _data(
            exit_date="2024-03-29",
            months="5",
            organisation="Transports Dômes",
            reason="entry_error",
        ),
    )
    assert response.status_code == 302
    exit_ = Exit.objects.get(pk=world.objects["exit"].pk)
    assert exit_.months == 5 and exit_.corrected_at is not None
    assert AuditEvent.objects.filter(action="exit.correct").count() == 1


def test_correction_without_reason_is_refused(world):
    response = world.client_for("director").post(
        _edit_url(world), _data(exit_date="2024-03-29", months="5")
    )
    assert response.status_code == 400
    assert "Indiquez le motif de la correction." in page_text(response)
    assert Exit.objects.get(pk=world.objects["exit"].pk).months == 4


@pytest.mark.parametrize("who", ["intake", "company_relations", "funder"])
def test_correction_and_undo_are_refused_to_others(world, who):
    client = world.client_for(who)
    assert client.post(_edit_url(world), _data(reason="entry_error")).status_code == 403
    assert client.post(_undo_url(world), {"reason": "mistake"}).status_code == 403
    assert Exit.objects.filter(pk=world.objects["exit"].pk).exists()


# ------------------------------------------------------------------------------ undo


def test_undo_confirmation_then_undo(world):
    client = world.client_for("referent")
    response = client.get(_undo_url(world))
    assert response.status_code == 200
    assert "n'est pas rétabli" in page_text(response)
    response = client.post(_undo_url(world), {"reason": "mistake"})
    enrolment = world.objects["exited_enrolment"]
    assert response.status_code == 302
    assert response["Location"] == _trainee_url(world, enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    assert not Exit.objects.filter(pk=world.objects["exit"].pk).exists()


def test_undo_after_the_month_says_why(world):
    client = world.client_for("referent")
    Exit.objects.filter(pk=world.objects["exit"].pk).update(
        recorded_at=timezone.now() - datetime.timedelta(days=32)
    )
    response = client.get(_undo_url(world))
    assert response.status_code == 200
    assert "dans le mois qui suit son enregistrement" in page_text(response)
    assert 'name="reason"' not in response.content.decode()
    response = client.post(_undo_url(world), {"reason": "mistake"})
    assert response.status_code == 400
    assert Exit.objects.filter(pk=world.objects["exit"].pk).exists()
    page = client.get(_trainee_url(world, world.objects["exited_enrolment"])).content.decode()
    assert _undo_url(world) not in page and _edit_url(world) in page


def test_undo_without_reason_is_refused(world):
    response = world.client_for("referent").post(_undo_url(world), {})
    assert response.status_code == 400
    assert "Indiquez le motif de l'annulation." in page_text(response)
    assert Exit.objects.filter(pk=world.objects["exit"].pk).exists()


# ------------------------------------------------------------------------------ trainee page


def test_trainee_page_button_for_those_who_record_exits(world):
    url = _trainee_url(world, world.objects["enrolment"])
    new = _new_url(world)
    for who in ("referent", "director"):
        assert new in world.client_for(who).get(url).content.decode(), who
    for who in ("intake", "company_relations"):
        assert new not in world.client_for(who).get(url).content.decode(), who


def test_trainee_page_exit_section(world):
    enrolment = world.objects["exited_enrolment"]
    url = _trainee_url(world, enrolment)
    response = world.client_for("referent").get(url)
    text = page_text(response)
    assert "Sortie" in text
    assert "29/03/2024" in text and "CDD" in text and "4 mois" in text
    assert "Transports Dômes" in text
    assert "Suivis après la sortie" in text
    assert "29/06/2024" in text and "À faire" in text  # the 3-month follow-up, due
    assert "29/09/2024" in text and "Prévu" in text  # the 6-month one, to come
    content = response.content.decode()
    assert _edit_url(world) in content and _undo_url(world) in content
    intake = world.client_for("intake").get(url).content.decode()
    assert "Transports Dômes" in intake
    assert _edit_url(world) not in intake and _undo_url(world) not in intake


def test_trainee_page_hides_undo_after_a_recorded_follow_up(world):
    follow_up = world.objects["exit_follow_up"]
    follow_up.status = "reached"
    follow_up.situation = "cdi"
    follow_up.recorded_at = timezone.now()
    follow_up.save()
    content = (
        world.client_for("referent")
        .get(_trainee_url(world, world.objects["exited_enrolment"]))
        .content.decode()
    )
    assert _edit_url(world) in content
    assert _undo_url(world) not in content
    assert "Situation connue" in content


def test_trainee_page_queries_of_an_exited_enrolment_are_constant(world):
    enrolment = world.objects["exited_enrolment"]
    client = world.client_for("director")
    url = _trainee_url(world, enrolment)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for wave, due in ((6, datetime.date(2024, 9, 29)), (12, datetime.date(2025, 3, 29))):
        ExitFollowUp.objects.create(
            school=world.school, exit=world.objects["exit"], wave=wave, due_on=due
        )
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    assert len(three) == len(one)


# ------------------------------------------------------------------------------ list


@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("referent", 200), ("intake", 200), ("funder", 403), ("prescriber", 403)],
)
def test_list_access(world, who, status):
    assert world.client_for(who).get(_list_url(world)).status_code == status


def test_list_shows_the_schools_exits_only(world):
    text = page_text(world.client_for("director").get(_list_url(world)))
    assert world.objects["exited_enrolment"].person.last_name in text
    assert world.others["exited_enrolment"].person.last_name not in text
    assert "1 sortie" in text


def _exits(world, count, *, site=None, year=2024, destination="cdi"):
    for i in range(count):
        enrolment = EnrolmentFactory(
            school=world.school,
            site=site or world.site,
            person=PersonFactory(school=world.school, last_name=f"Parti{year}{i}"),
            entry_date=datetime.date(year, 1, 8),
            status="exited",
            ended_on=datetime.date(year, 6, 1),
            referent=world.members["referent"],
        )
        Exit.objects.create(
            school=world.school,
            enrolment=enrolment,
            exit_date=datetime.date(year, 6, 1),
            destination=destination,
        )


def test_list_filters(world):
    other_site = SiteFactory(school=world.school, name="Site Gamma")
    _exits(world, 2, year=2023, destination="formation_qualifiante", site=other_site)
    client = world.client_for("director")
    text = page_text(client.get(_list_url(world), {"annee": "2023"}))
    assert "Parti20230" in text and world.objects["exited_enrolment"].person.last_name not in text
    text = page_text(client.get(_list_url(world), {"site": str(other_site.pk)}))
    assert "2 sorties" in text
    text = page_text(client.get(_list_url(world), {"groupe": "emploi"}))
    assert "1 sortie" in text and "Parti2023" not in text
    text = page_text(client.get(_list_url(world), {"du": "2024-01-01", "au": "2024-12-31"}))
    assert "1 sortie" in text
    response = client.get(_list_url(world), {"groupe": "pluton"})
    assert response.status_code == 400
    assert "Groupe de destinations inconnu." in page_text(response)
    response = client.get(_list_url(world), {"du": "2024-12-31", "au": "2024-01-01"})
    assert "La date de fin précède la date de début." in page_text(response)
    assert response.status_code == 400
    assert "3 sorties" in page_text(response)  # a refused period filters nothing
    response = client.get(_list_url(world), {"annee": "2023", "du": "2024-01-01"})
    assert response.status_code == 400
    assert "Choisissez une année ou des dates, pas les deux." in page_text(response)
    text = page_text(client.get(_list_url(world), {"annee": "2019"}))
    assert "Aucune sortie cette année-là." in text


def test_list_empty_state(world):
    Exit.objects.filter(school=world.school).delete()
    text = page_text(world.client_for("director").get(_list_url(world)))
    assert "Aucune sortie enregistrée pour l'instant." in text


def test_list_queries_are_constant(world, django_assert_max_num_queries):
    client = world.client_for("director")
    client.get(_list_url(world))
    _exits(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_list_url(world)).status_code == 200
    _exits(world, 30, year=2023)
    with django_assert_max_num_queries(len(few)), CaptureQueriesContext(connection) as many:
        response = client.get(_list_url(world), {"annee": ""})
    assert response.status_code == 200
    assert "34 sorties" in page_text(response)
    assert len(many) == len(few)


def test_list_paginates(world):
    _exits(world, 55)
    client = world.client_for("director")
    first = client.get(_list_url(world))
    assert len(first.context["rows"]) == 50
    assert "Page 1 sur 2" in page_text(first)
    second = client.get(_list_url(world), {"page": "2"})
    assert len(second.context["rows"]) == 6


def test_a_long_list_of_sessions_is_cut_on_the_confirmation(world):
    for i in range(12):
        session = Session.objects.create(
            school=world.school,
            site=world.site,
            room=world.room,
            workshop_type=world.objects["workshop_type"],
            day=datetime.date(2024, 5, 1) + datetime.timedelta(days=i),
            start_time=datetime.time(9, 0),
            end_time=datetime.time(12, 0),
            trainer=world.members["referent"],
            created_by=world.members["referent"].user,
        )
        SessionTrainee.objects.create(
            school=world.school, session=session, enrolment=world.objects["enrolment"]
        )
    text = page_text(world.client_for("referent").post(_new_url(world), _data()))
    assert "retiré·e de 12 séances" in text
    assert "… et 2 autres séances." in text
