"""The follow-up pages: the to-do list "Suivis après la sortie" and the record form (who may,
who may not, outsiders, bad input, constant queries)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.outcomes.models import ExitFollowUp, FollowUpStatus

from ..utils import page_text
from .test_follow_ups import new_exit

pytestmark = pytest.mark.django_db

D = datetime.date


def _list_url(world, **params) -> str:
    url = reverse("outcomes:follow_ups", args=[world.school.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _record_url(world, follow_up) -> str:
    return reverse("outcomes:follow_up_record", args=[world.school.slug, follow_up.pk])


def _due(world, exit_date: D, **kwargs) -> ExitFollowUp:
    exit_ = new_exit(world, exit_date, **kwargs)
    return ExitFollowUp.objects.create(
        school=exit_.school, exit=exit_, wave=3, due_on=exit_date + datetime.timedelta(days=92)
    )


# ------------------------------------------------------------------------------ list


def test_referent_sees_their_caseload_by_default(world):
    directors = _due(world, D(2024, 5, 2), referent="director")
    response = world.client_for("referent").get(_list_url(world))
    assert response.status_code == 200
    text = page_text(response)
    assert "Suivis après la sortie" in text
    assert "Noé Sortante2c-alpha" in text
    assert "29/03/2024 — CDD (4 mois)" in text
    assert "à 3 mois" in text and "29/06/2024" in text
    assert "Noter le suivi" in text
    assert _record_url(world, world.objects["exit_follow_up"]) in response.content.decode()
    assert _record_url(world, directors) not in response.content.decode()
    # The whole school on demand.
    response = world.client_for("referent").get(_list_url(world, qui="all"))
    assert _record_url(world, directors) in response.content.decode()


def test_director_sees_the_school_and_never_another_school(world):
    response = world.client_for("director").get(_list_url(world))
    assert response.status_code == 200
    content = response.content.decode()
    assert _record_url(world, world.objects["exit_follow_up"]) in content
    assert "Sortante2c-beta" not in content
    # "Mine" for a director: their own caseload (none here).
    response = world.client_for("director").get(_list_url(world, qui="mine"))
    assert "Aucun suivi ne correspond à ces filtres." in page_text(response)


def test_a_reader_who_may_not_record_sees_no_record_link(world):
    response = world.client_for("intake").get(_list_url(world))
    assert response.status_code == 200
    assert "Sortante2c-alpha" in response.content.decode()
    assert "Noter le suivi" not in page_text(response)


@pytest.mark.parametrize(("who", "status"), [("funder", 403), ("outsider", 404)])
def test_list_refused(world, who, status):
    assert world.client_for(who).get(_list_url(world)).status_code == status


def test_filters_wave_status_overdue(world):
    today = timezone.localdate()
    old = _due(world, today - datetime.timedelta(days=200))  # due ~108 days ago: overdue
    recent = _due(world, today - datetime.timedelta(days=95))  # due 3 days ago
    six = ExitFollowUp.objects.create(
        school=world.school, exit=recent.exit, wave=6, due_on=today - datetime.timedelta(days=1)
    )
    client = world.client_for("director")

    def shown(**params):
        content = client.get(_list_url(world, **params)).content.decode()
        return {f for f in (old, recent, six) if _record_url(world, f) in content}

    assert shown() == {old, recent, six}
    assert shown(echeance=6) == {six}
    assert shown(en_retard="on") == {old}
    assert "en retard" in page_text(client.get(_list_url(world)))
    ExitFollowUp.objects.filter(pk=recent.pk).update(
        status=FollowUpStatus.UNREACHABLE, recorded_at=timezone.now()
    )
    assert shown() == {old, six}
    assert shown(etat="unreachable") == {recent}
    assert shown(etat="any") == {old, recent, six}
    # A later wave recorded overtakes the earlier one still to do: off the to-do list.
    later = ExitFollowUp.objects.create(
        school=world.school,
        exit=old.exit,
        wave=6,
        due_on=today - datetime.timedelta(days=20),
        status=FollowUpStatus.UNREACHABLE,
        recorded_at=timezone.now(),
    )
    assert shown() == {six}
    assert old in shown(etat="any") and later.status == FollowUpStatus.UNREACHABLE


def test_bad_filter_is_refused_with_a_message(world):
    response = world.client_for("director").get(_list_url(world, echeance="7"))
    assert response.status_code == 400
    assert "Échéance inconnue : 3, 6 ou 12 mois." in page_text(response)


def test_list_queries_do_not_grow_with_rows(world):
    client = world.client_for("director")
    client.get(_list_url(world))  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(_list_url(world)).status_code == 200
    for day in range(1, 16):
        _due(world, D(2024, 1, day), referent="referent" if day % 2 else "director")
    with CaptureQueriesContext(connection) as many:
        response = client.get(_list_url(world))
    assert page_text(response).count("Noter le suivi") == 16
    assert len(many) == len(one)


def test_list_paginates(world, settings):
    settings.PARCOURS_PAGE_SIZE = 2
    for day in (1, 2):
        _due(world, D(2024, 1, day))
    response = world.client_for("referent").get(_list_url(world))
    text = page_text(response)
    assert "3 suivis" in text and "Page 1 sur 2" in text
    response = world.client_for("referent").get(_list_url(world, qui="mine", page=2))
    assert page_text(response).count("Noter le suivi") == 1


# ------------------------------------------------------------------------------ record


def _post(**overrides) -> dict:
    data = {
        "reached": "oui",
        "contacted_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "situation": "formation_qualifiante",
        "months": "10",
        "days": "0",
        "organisation": "AFPA Clermont",
        "comment": "",
    }
    data.update(overrides)
    return data


def test_record_form_shows_the_exit_and_grouped_situations(world):
    follow_up = world.objects["exit_follow_up"]
    response = world.client_for("referent").get(_record_url(world, follow_up))
    assert response.status_code == 200
    content = response.content.decode()
    text = page_text(response)
    assert "Suivi à 3 mois" in text
    assert "29/03/2024 — CDD (4 mois), Transports Dômes" in text
    assert '<optgroup label="Emploi">' in content
    assert '<optgroup label="Sans sortie positive">' in content
    # Months after the exit, "abandon" and "exclusion" are no situation to find.
    assert 'value="abandon"' not in content and 'value="exclusion"' not in content
    assert 'value="recherche_emploi"' in content
    assert "La personne a-t-elle été jointe ?" in text and "Non, injoignable" in text


def test_record_a_follow_up(world):
    follow_up = world.objects["exit_follow_up"]
    response = world.client_for("referent").post(_record_url(world, follow_up), _post())
    assert response.status_code == 302
    assert response["Location"] == _list_url(world)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.REACHED
    assert (follow_up.situation, follow_up.months) == ("formation_qualifiante", 10)
    assert follow_up.organisation == "AFPA Clermont"
    assert AuditEvent.objects.filter(action="exit_follow_up.record").count() == 1
    # The list's default (to do) no longer shows it; the page offers a correction.
    client = world.client_for("referent")
    assert _record_url(world, follow_up) not in client.get(_list_url(world)).content.decode()
    response = client.get(_record_url(world, follow_up))
    assert "Corriger le suivi à 3 mois" in page_text(response)
    assert 'value="AFPA Clermont"' in response.content.decode()


def test_record_unreachable(world):
    follow_up = world.objects["exit_follow_up"]
    response = world.client_for("director").post(
        _record_url(world, follow_up),
        _post(reached="non", situation="", months="", organisation="", contacted_on=""),
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.UNREACHABLE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reached": ""}, "Dites si la personne a été jointe."),
        ({"situation": ""}, "Indiquez la situation trouvée."),
        ({"months": ""}, "Indiquez la durée en mois de « Formation qualifiante »"),
        ({"contacted_on": "2999-01-01"}, "La date du contact ne peut pas être dans le futur."),
        ({"contacted_on": "hier"}, "Date invalide."),
        ({"days": "45"}, "Les jours vont de 0 à 30 (au-delà, comptez des mois)."),
        ({"situation": "sur-la-lune"}, "Situation inconnue : choisissez-en une de la liste."),
        (
            {"reached": "non"},
            "La personne est injoignable : laissez la situation vide.",
        ),
    ],
)
def test_bad_input_shows_the_message_and_writes_nothing(world, overrides, message):
    follow_up = world.objects["exit_follow_up"]
    response = world.client_for("referent").post(_record_url(world, follow_up), _post(**overrides))
    assert response.status_code == 400
    assert message in page_text(response)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE and follow_up.recorded_at is None
    assert not AuditEvent.objects.filter(action__startswith="exit_follow_up").exists()


@pytest.mark.parametrize(("who", "status"), [("intake", 403), ("funder", 403), ("outsider", 404)])
def test_record_refused(world, who, status):
    follow_up = world.objects["exit_follow_up"]
    client = world.client_for(who)
    assert client.get(_record_url(world, follow_up)).status_code == status
    assert client.post(_record_url(world, follow_up), _post()).status_code == status
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DUE


def test_another_school_s_follow_up_is_404(world):
    theirs = world.others["exit_follow_up"]
    client = world.client_for("director")
    url = reverse("outcomes:follow_up_record", args=[world.school.slug, theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _post()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == FollowUpStatus.DUE
