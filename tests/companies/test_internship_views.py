"""Internship screens: the school's list (filters, constant queries), a new internship (the
company first, then its contacts), the internship page, its change, cancellation and goals,
and the trainee page's section. Three users each: who may write (referent, company
relations), who may only read (intake: 403 on writes), an outsider (404)."""

from __future__ import annotations

import datetime
import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.companies import services_internships as services
from parcours.companies.models import Internship, InternshipGoal
from parcours.competencies.models import Competency
from tests.factories import EnrolmentFactory, PersonFactory

from .internship_helpers import fields, sign_all

pytestmark = pytest.mark.django_db

D = datetime.date


def _url(world, name: str, *args) -> str:
    return reverse(f"companies:{name}", args=[world.school.slug, *args])


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _post_data(world, **overrides) -> dict:
    values = fields(world, **overrides)
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def _new_internship(world, **overrides) -> Internship:
    return services.create_internship(
        membership=world.members["referent"],
        enrolment=world.objects["enrolment"],
        **fields(world, **overrides),
    )


# ------------------------------------------------------------------------------ new


def test_new_first_asks_for_the_company_then_offers_its_contacts(world):
    client = world.client_for("company_relations")
    url = _url(world, "internship_new", world.objects["enrolment"].pk)
    response = client.get(url)
    assert response.status_code == 200
    text = _text(response)
    assert "Choisissez d'abord l'entreprise d'accueil" in text
    assert world.objects["company"].name in text
    assert world.others["company"].name not in text
    assert 'name="tasks"' not in text
    response = client.get(url, {"entreprise": world.objects["company"].pk})
    text = _text(response)
    assert 'name="tasks"' in text
    assert world.objects["contact"].full_name in text
    assert world.prescriber_partner.name in text
    # Another school's company is not a choice.
    response = client.get(url, {"entreprise": world.others["company"].pk})
    assert 'name="tasks"' not in _text(response)


def test_the_referent_creates_an_internship(world):
    client = world.client_for("referent")
    enrolment = world.objects["enrolment"]
    response = client.post(_url(world, "internship_new", enrolment.pk), _post_data(world))
    internship = (
        Internship.objects.filter(school=world.school)
        .exclude(pk=world.objects["internship"].pk)
        .get()
    )
    assert response.status_code == 302
    assert response["Location"] == _url(world, "internship", internship.pk)
    assert internship.enrolment == enrolment
    assert internship.created_by == world.members["referent"].user


def test_a_refused_internship_shows_the_message_and_writes_nothing(world):
    client = world.client_for("company_relations")
    count, events = Internship.objects.count(), AuditEvent.objects.count()
    response = client.post(
        _url(world, "internship_new", world.objects["enrolment"].pk),
        _post_data(world, kind="pmsmp", prescriber=None),
    )
    assert response.status_code == 400
    assert "Une PMSMP est prescrite : choisissez son prescripteur" in _text(response)
    response = client.post(
        _url(world, "internship_new", world.objects["enrolment"].pk),
        _post_data(world, start_date=D(2024, 4, 19)),
    )
    assert response.status_code == 400
    assert "ne peuvent pas se chevaucher" in _text(response)
    response = client.post(
        _url(world, "internship_new", world.objects["enrolment"].pk),
        _post_data(world, weekly_hours="abc", tasks=""),
    )
    assert response.status_code == 400
    assert "Indiquez les heures par semaine (un nombre)." in _text(response)
    assert "Indiquez les activités confiées." in _text(response)
    assert Internship.objects.count() == count
    assert AuditEvent.objects.count() == events


def test_a_contact_of_another_company_is_not_a_choice(world):
    client = world.client_for("company_relations")
    response = client.post(
        _url(world, "internship_new", world.objects["enrolment"].pk),
        _post_data(world, tutor=world.others["contact"]),
    )
    assert response.status_code == 400
    assert "Choisissez le ou la tuteur·rice parmi les contacts." in _text(response)


def test_intake_may_not_write_and_an_outsider_sees_nothing(world):
    count = Internship.objects.count()
    internship = world.objects["internship"]
    urls = [
        _url(world, "internship_new", world.objects["enrolment"].pk),
        _url(world, "internship_edit", internship.pk),
        _url(world, "internship_cancel", internship.pk),
        _url(world, "internship_goals", internship.pk),
    ]
    intake = world.client_for("intake")
    for url in urls:
        assert intake.post(url, {**_post_data(world), "reason": "error"}).status_code == 403
    assert intake.get(_url(world, "internship", internship.pk)).status_code == 200
    assert intake.get(_url(world, "internships")).status_code == 200
    outsider = world.client_for("outsider")
    for url in [*urls, _url(world, "internship", internship.pk)]:
        assert outsider.post(url, _post_data(world)).status_code == 404
    # A member of this school asking for another school's internship: 404.
    referent = world.client_for("referent")
    other = world.others["internship"]
    assert referent.get(_url(world, "internship", other.pk)).status_code == 404
    assert referent.post(_url(world, "internship_cancel", other.pk)).status_code == 404
    assert Internship.objects.count() == count
    internship.refresh_from_db()
    assert internship.cancelled_at is None


# --------------------------------------------------------------------------- detail


def test_the_internship_page_shows_facts_goals_days_and_panels(world):
    internship = world.objects["internship"]
    response = world.client_for("intake").get(_url(world, "internship", internship.pk))
    assert response.status_code == 200
    text = _text(response)
    assert "du 08/04/2024 au 19/04/2024" in text
    assert internship.company.name in text
    assert "Préparateur de commandes" in text
    assert "Ponctualité" in text  # the world's goal
    assert "Aucun jour marqué « en entreprise »." in text
    assert "Modifier" not in text  # read only


def test_the_page_says_when_the_agreement_is_incomplete(world):
    internship = _new_internship(world)
    response = world.client_for("referent").get(_url(world, "internship", internship.pk))
    text = _text(response)
    assert "La convention n'est pas entièrement signée" in text
    assert "L'école, Le ou la stagiaire, Signataire de l'entreprise" in text
    assert _url(world, "internship_edit", internship.pk) in text


# ---------------------------------------------------------------------------- edit


def test_edit_changes_the_dates_and_the_marks_follow(world, monkeypatch):
    from parcours.schedule import services_attendance

    monkeypatch.setattr(services_attendance, "_today", lambda: D(2024, 5, 1))
    internship = _new_internship(world)
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    client = world.client_for("company_relations")
    response = client.get(_url(world, "internship_edit", internship.pk))
    assert response.status_code == 200
    assert 'value="2024-05-06"' in _text(response)
    response = client.post(
        _url(world, "internship_edit", internship.pk),
        _post_data(world, start_date=D(2024, 5, 13), end_date=D(2024, 5, 24)),
        follow=True,
    )
    text = _text(response)
    assert "Le stage a été modifié." in text
    # New dates are new terms: the agreement must be signed again before the days count.
    assert "ses signatures sont retirées" in text
    assert "20 demi-journées à venir ne sont plus marquées « en entreprise »." in text
    internship.refresh_from_db()
    assert internship.start_date == D(2024, 5, 13)
    assert not internship.signatures.exists()
    sign_all(internship)
    services.sync_company_days(internship=internship, recorded_by=world.members["referent"])
    text = _text(client.get(_url(world, "internship", internship.pk)))
    assert "10 jours marqués « en entreprise »" in text


def test_edit_refused_writes_nothing(world):
    internship = _new_internship(world)
    client = world.client_for("referent")
    response = client.post(
        _url(world, "internship_edit", internship.pk),
        _post_data(
            world, kind="pmsmp", prescriber=world.prescriber_partner, end_date=D(2024, 6, 6)
        ),
    )
    assert response.status_code == 400
    assert "Une PMSMP dure au plus un mois" in _text(response)
    internship.refresh_from_db()
    assert internship.kind == "internship"
    assert not AuditEvent.objects.filter(action="internship.update").exists()


# ---------------------------------------------------------------------------- cancel


def test_cancel_needs_the_confirmation(world):
    internship = _new_internship(world)
    client = world.client_for("company_relations")
    url = _url(world, "internship_cancel", internship.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "company"})
    assert response.status_code == 400
    assert "Cochez la case de confirmation pour annuler le stage." in _text(response)
    internship.refresh_from_db()
    assert not internship.is_cancelled
    response = client.post(url, {"reason": "nimporte"})
    assert response.status_code == 400
    assert "Choisissez le motif d'annulation dans la liste." in _text(response)
    response = client.post(url, {"reason": "company", "confirmed": "on"})
    assert response.status_code == 302
    internship.refresh_from_db()
    assert internship.cancel_reason == "company"
    page = _text(client.get(_url(world, "internship", internship.pk)))
    assert "Annulé par l'entreprise" in page
    # A cancelled internship can no longer be changed.
    response = client.get(_url(world, "internship_edit", internship.pk))
    assert response.status_code == 302


# ----------------------------------------------------------------------------- goals


def test_goals_are_chosen_among_the_trainees_competencies(world):
    internship = _new_internship(world)
    client = world.client_for("referent")
    url = _url(world, "internship_goals", internship.pk)
    response = client.get(url)
    assert response.status_code == 200
    shared = world.objects["default_framework"]
    first, second = Competency.objects.filter(framework=shared).order_by("pk")[:2]
    assert first.title in _text(response)
    response = client.post(
        url, {f"c{first.pk}": "on", f"d{first.pk}": "Arriver à l'heure", f"c{second.pk}": "on"}
    )
    assert response.status_code == 302
    assert {(g.competency_id, g.description) for g in internship.goals.all()} == {
        (first.pk, "Arriver à l'heure"),
        (second.pk, ""),
    }
    response = client.post(url, {f"c{first.pk}": "on", f"d{first.pk}": "x" * 300})
    assert response.status_code == 400
    assert "Un objectif est limité à 255 caractères." in _text(response)
    assert InternshipGoal.objects.filter(internship=internship).count() == 2


# ------------------------------------------------------------------------------ list


def _bulk_internships(world, count: int) -> None:
    """``count`` internships of as many trainees (one a week, in the past)."""
    contact = world.objects["contact"]
    author = world.members["referent"].user
    rows = []
    for i in range(count):
        enrolment = EnrolmentFactory(
            school=world.school,
            site=world.site,
            person=PersonFactory(school=world.school, last_name=f"Liste{i}"),
            referent=world.members["referent"],
        )
        start = D(2024, 3, 4) + datetime.timedelta(days=7 * (i % 10))
        rows.append(
            Internship(
                school=world.school,
                enrolment=enrolment,
                company=world.objects["company"],
                tutor=contact,
                signatory=contact,
                job_title="Poste",
                start_date=start,
                end_date=start + datetime.timedelta(days=4),
                weekly_hours=35,
                tasks="Tâches",
                created_by=author,
            )
        )
    Internship.objects.bulk_create(rows)


@pytest.mark.parametrize("who", ["director", "company_relations", "intake"])
def test_the_list_runs_a_constant_number_of_queries(world, who, django_assert_max_num_queries):
    client = world.client_for(who)
    url = _url(world, "internships")
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as base:
        assert client.get(url).status_code == 200
    _bulk_internships(world, 30)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as loaded:
        response = client.get(url, {"convention_incomplete": "on"})
    assert response.status_code == 200
    assert "LISTE29" in _text(response)
    assert len(loaded) == len(base), [q["sql"][:120] for q in loaded.captured_queries]


def test_list_filters(world, monkeypatch):
    from parcours.companies import selectors_internships

    monkeypatch.setattr(selectors_internships, "_today", lambda: D(2024, 5, 1))
    upcoming = _new_internship(world)  # 06/05 → 17/05, agreement not signed
    cancelled = _new_internship(world, start_date=D(2024, 6, 3), end_date=D(2024, 6, 7))
    services.cancel_internship(
        membership=world.members["referent"], internship=cancelled, reason="error", confirmed=True
    )
    finished_unreviewed = _new_internship(world, start_date=D(2024, 3, 4), end_date=D(2024, 3, 8))
    sign_all(finished_unreviewed)
    reviewed = world.objects["internship"]  # 08/04 → 19/04, signed, reviewed
    client = world.client_for("referent")
    url = _url(world, "internships")

    def shown(**params) -> set[int]:
        response = client.get(url, params)
        assert response.status_code == 200
        return {
            pk
            for pk in (upcoming.pk, cancelled.pk, finished_unreviewed.pk, reviewed.pk)
            if _url(world, "internship", pk) in response.content.decode()
        }

    assert shown() == {upcoming.pk, cancelled.pk, finished_unreviewed.pk, reviewed.pk}
    assert shown(statut="a-venir") == {upcoming.pk}
    assert shown(statut="termines") == {finished_unreviewed.pk, reviewed.pk}
    assert shown(statut="annules") == {cancelled.pk}
    assert shown(statut="en-cours") == set()
    assert shown(convention_incomplete="on") == {upcoming.pk}
    assert shown(bilan_attendu="on") == {finished_unreviewed.pk}
    assert shown(type="pmsmp") == set()
    assert shown(entreprise=world.objects["company"].pk) == {
        upcoming.pk,
        cancelled.pk,
        finished_unreviewed.pk,
        reviewed.pk,
    }
    assert shown(referent=world.members["director"].pk) == set()
    response = client.get(url, {"entreprise": world.others["company"].pk})
    assert response.status_code == 400
    assert "Cette entreprise n'est pas une entreprise de l'école." in _text(response)


# ----------------------------------------------------------------------- trainee page


def test_the_trainee_page_lists_the_internships(world):
    enrolment = world.objects["enrolment"]
    url = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    new_url = _url(world, "internship_new", enrolment.pk)
    text = _text(world.client_for("company_relations").get(url))
    assert "Stages en entreprise" in text
    assert "du 08/04/2024 au 19/04/2024" in text
    assert _url(world, "internship", world.objects["internship"].pk) in text
    assert new_url in text
    text = _text(world.client_for("intake").get(url))
    assert "Stages en entreprise" in text
    assert new_url not in text


def test_the_trainee_page_section_costs_one_query_whatever_the_internships(world):
    enrolment = world.objects["enrolment"]
    url = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    client = world.client_for("company_relations")
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as base:
        assert client.get(url).status_code == 200
    for week in range(8):
        start = D(2024, 5, 6) + datetime.timedelta(days=7 * week)
        _new_internship(world, start_date=start, end_date=start + datetime.timedelta(days=4))
    with CaptureQueriesContext(connection) as loaded:
        response = client.get(url)
    assert "du 24/06/2024 au 28/06/2024" in _text(response)
    assert len(loaded) == len(base)
