"""Closing and reopening months (the director; audited)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.schedule.models import ClosedMonth
from parcours.schedule.services_attendance import close_month, reopen_month
from tests.utils import page_text

from .attendance_helpers import today

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2024, 3, 1)


def test_close_and_reopen_are_audited(world):
    director = world.members["director"]
    closed = close_month(membership=director, month=datetime.date(2024, 3, 15))
    assert closed.month == MARCH
    event = AuditEvent.objects.get(action="attendance.month_close")
    assert event.changes == {"month": "2024-03"}
    reopen_month(membership=director, month=MARCH, reason="late_document")
    assert not ClosedMonth.objects.filter(school=world.school).exists()
    assert AuditEvent.objects.get(action="attendance.month_reopen").changes == {
        "month": "2024-03",
        "reason": "late_document",
    }


def test_the_current_month_may_be_closed_but_not_a_future_one(world):
    director = world.members["director"]
    close_month(membership=director, month=today())
    next_month = (today().replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError, match="n'a pas commencé"):
        close_month(membership=director, month=next_month)
    assert ClosedMonth.objects.filter(school=world.school).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reason": ""}, "Indiquez pourquoi le mois est rouvert."),
        ({"reason": "whim"}, "Motif de réouverture inconnu"),
    ],
)
def test_reopening_needs_a_known_reason(world, kwargs, message):
    director = world.members["director"]
    close_month(membership=director, month=MARCH)
    with pytest.raises(ValidationError, match=message):
        reopen_month(membership=director, month=MARCH, **kwargs)
    assert ClosedMonth.objects.filter(school=world.school, month=MARCH).exists()
    assert not AuditEvent.objects.filter(action="attendance.month_reopen").exists()


def test_closing_twice_or_reopening_an_open_month_is_refused(world):
    director = world.members["director"]
    close_month(membership=director, month=MARCH)
    with pytest.raises(ValidationError, match="Le mois de mars 2024 est déjà clos"):
        close_month(membership=director, month=MARCH)
    with pytest.raises(ValidationError, match="Le mois d'avril 2024 n'est pas clos"):
        reopen_month(membership=director, month=datetime.date(2024, 4, 1), reason="correction")


def test_only_the_director_closes(world):
    with pytest.raises(ValidationError, match="Seule la direction"):
        close_month(membership=world.members["referent"], month=MARCH)
    assert not ClosedMonth.objects.exists()


# ----------------------------------------------------------------------------------- views


def test_months_page_lists_twelve_months_with_buttons_for_the_director(world):
    close_month(membership=world.members["director"], month=today())
    url = reverse("schedule:attendance_months", args=[world.school.slug])
    response = world.client_for("director").get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert text.count("Rouvrir") == 1
    assert text.count("Clore") >= 11
    referent_text = page_text(world.client_for("referent").get(url))
    assert "Rouvrir" not in referent_text and "Clos le" in referent_text


def test_director_closes_and_reopens_through_the_pages(world):
    client = world.client_for("director")
    close_url = reverse("schedule:month_close", args=[world.school.slug])
    response = client.get(close_url + "?mois=2024-03")
    assert response.status_code == 200
    assert "mars 2024" in page_text(response)
    response = client.post(close_url, {"mois": "2024-03"})
    assert response.status_code == 302
    assert ClosedMonth.objects.filter(school=world.school, month=MARCH).exists()

    reopen_url = reverse("schedule:month_reopen", args=[world.school.slug])
    response = client.post(reopen_url, {"mois": "2024-03", "reason": ""})
    assert response.status_code == 400
    assert "Indiquez pourquoi le mois est rouvert." in page_text(response)
    assert ClosedMonth.objects.filter(school=world.school, month=MARCH).exists()
    response = client.post(reopen_url, {"mois": "2024-03", "reason": "payment_body"})
    assert response.status_code == 302
    assert not ClosedMonth.objects.filter(school=world.school).exists()


def test_closing_a_future_month_through_the_page_is_refused(world):
    client = world.client_for("director")
    future = (today().replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    response = client.post(
        reverse("schedule:month_close", args=[world.school.slug]), {"mois": future}
    )
    assert response.status_code == 400
    assert "il ne peut pas être clos" in page_text(response)
    response = client.post(
        reverse("schedule:month_close", args=[world.school.slug]), {"mois": "mars"}
    )
    assert response.status_code == 400
    assert "Mois invalide" in page_text(response)
    assert not ClosedMonth.objects.exists()


@pytest.mark.parametrize("who", ["referent", "company_relations", "intake"])
def test_others_may_not_close(world, who):
    response = world.client_for(who).post(
        reverse("schedule:month_close", args=[world.school.slug]), {"mois": "2024-03"}
    )
    assert response.status_code == 403
    assert not ClosedMonth.objects.exists()


def test_outsider_gets_404(world):
    response = world.client_for("outsider").post(
        reverse("schedule:month_close", args=[world.school.slug]), {"mois": "2024-03"}
    )
    assert response.status_code == 404
    assert not ClosedMonth.objects.exists()
