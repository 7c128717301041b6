"""Rooms' occupancy: hours booked within the opening hours, rate per room and week (figures
computed by hand), filters, constant queries, access."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.organisations.models import Room
from parcours.schedule.models import Session
from parcours.schedule.selectors_timetable import opening_minutes, room_occupancy

from ..factories import RoomFactory, SiteFactory
from ..utils import page_text

MONDAY = datetime.date(2024, 3, 4)  # the world session: Monday 9:00–12:00 in world.room
T = datetime.time


def make_session(world, day, start, end, *, room=None):
    room = room or world.room
    trainer = world.members["referent"]
    return Session.objects.create(
        school=world.school,
        site=room.site,
        room=room,
        workshop_type=world.objects["workshop_type"],
        day=day,
        start_time=start,
        end_time=end,
        trainer=trainer,
        created_by=trainer.user,
    )


def occupancy_url(world, **params):
    url = reverse("schedule:occupancy", args=[world.school.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def visible(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", page_text(response)).split())


def row_for(rows, room):
    return next(row for row in rows if row.room == room)


def test_opening_minutes():
    assert opening_minutes(MONDAY, T(9), T(12)) == 180
    assert opening_minutes(MONDAY, T(13, 30), T(17)) == 210
    assert opening_minutes(MONDAY, T(8), T(10)) == 60  # before 9:00 does not count
    assert opening_minutes(MONDAY, T(12), T(14)) == 60  # 12:00–12:30 and 13:30–14:00
    assert opening_minutes(MONDAY, T(17), T(19)) == 0
    assert opening_minutes(MONDAY, T(8), T(18)) == 420  # a whole day: 7 hours
    assert opening_minutes(datetime.date(2024, 3, 9), T(9), T(12)) == 0  # Saturday


@pytest.mark.django_db
def test_hand_computed_week(world):
    # Monday 9:00–12:00 (the world's) and Tuesday 13:30–17:00: 6.5 h of 35 h = 18.6 %.
    make_session(world, MONDAY + datetime.timedelta(days=1), T(13, 30), T(17))
    rows = room_occupancy(world.members["director"], from_monday=MONDAY, weeks=1)
    row = row_for(rows, world.room)
    (cell,) = row.weeks
    assert cell.monday == MONDAY
    assert cell.booked_hours == Decimal("6.5")
    assert cell.available_hours == Decimal("35")
    assert cell.rate == Decimal("18.6")
    assert row.total.rate == Decimal("18.6")
    computer_room = Room.objects.get(name="Salle Informatique Alpha")
    assert row_for(rows, computer_room).weeks[0].booked_hours == 0
    assert row_for(rows, computer_room).weeks[0].rate == Decimal("0.0")


@pytest.mark.django_db
def test_several_weeks_and_hours_outside_opening(world):
    computer_room = Room.objects.get(name="Salle Informatique Alpha")
    week2 = MONDAY + datetime.timedelta(weeks=1)
    make_session(world, week2, T(8), T(10), room=computer_room)  # 1 h counted
    make_session(world, week2 + datetime.timedelta(days=2), T(12), T(14), room=computer_room)  # 1 h
    make_session(world, week2 + datetime.timedelta(days=5), T(9), T(12), room=computer_room)  # Sat
    make_session(world, week2 + datetime.timedelta(days=3), T(17), T(18), room=computer_room)  # 0
    # Thursday of the fourth week, the whole day: 7 h.
    thursday4 = MONDAY + datetime.timedelta(weeks=3, days=3)
    make_session(world, thursday4, T(9), T(17), room=computer_room)
    # Outside the four weeks: not counted.
    make_session(world, MONDAY + datetime.timedelta(weeks=4), T(9), T(12), room=computer_room)
    make_session(world, MONDAY - datetime.timedelta(days=1), T(9), T(12), room=computer_room)
    wednesday = MONDAY + datetime.timedelta(days=2)
    rows = room_occupancy(world.members["director"], from_monday=wednesday)
    row = row_for(rows, computer_room)
    assert [cell.monday for cell in row.weeks] == [
        MONDAY + datetime.timedelta(weeks=n) for n in range(4)
    ]
    assert [cell.booked_hours for cell in row.weeks] == [0, 2, 0, 7]
    assert [cell.rate for cell in row.weeks] == [
        Decimal("0.0"),
        Decimal("5.7"),
        Decimal("0.0"),
        Decimal("20.0"),
    ]
    assert row.total.booked_hours == 9
    assert row.total.available_hours == 140
    assert row.total.rate == Decimal("6.4")  # 9 / 140 = 6.43 %
    alpha = row_for(rows, world.room)
    assert [cell.booked_hours for cell in alpha.weeks] == [3, 0, 0, 0]
    assert alpha.total.rate == Decimal("2.1")  # 3 / 140 = 2.14 %


@pytest.mark.django_db
def test_site_filter_and_other_school(world):
    site2 = SiteFactory(school=world.school, name="Site Bis")
    room2 = RoomFactory(site=site2, name="Salle Bis")
    director = world.members["director"]
    rooms = [row.room for row in room_occupancy(director, from_monday=MONDAY)]
    assert world.room in rooms and room2 in rooms
    assert world.other_room not in rooms
    rooms = [row.room for row in room_occupancy(director, from_monday=MONDAY, site=site2)]
    assert rooms == [room2]
    # A room closed before the period is left out.
    room2.closed_on = MONDAY - datetime.timedelta(days=30)
    room2.save()
    assert room2 not in [row.room for row in room_occupancy(director, from_monday=MONDAY)]


@pytest.mark.django_db
def test_page(world):
    make_session(world, MONDAY + datetime.timedelta(days=1), T(13, 30), T(17))
    response = world.client_for("director").get(
        occupancy_url(world, semaine="2024-03-06", semaines=2, site=world.site.pk)
    )
    assert response.status_code == 200
    text = visible(response)
    assert "Du 04/03/2024 au 15/03/2024" in text
    assert "Sem. du 04/03" in text and "Sem. du 11/03" in text
    assert "Sem. du 18/03" not in text
    assert "6,5 h 19 %" in text  # 18.6 % shown rounded
    assert "Salle Beta" not in text
    assert 'class="occupancy-bar-fill" width="18.6"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "13", "deux", "-1"])
def test_invalid_number_of_weeks(world, value):
    response = world.client_for("director").get(occupancy_url(world, semaines=value))
    assert response.status_code == 400
    assert "Le nombre de semaines doit être compris entre 1 et 12" in page_text(response)
    assert response.context["weeks"] == 4


@pytest.mark.django_db
def test_invalid_week(world):
    response = world.client_for("director").get(occupancy_url(world, semaine="2024-02-30"))
    assert response.status_code == 400
    assert "n'est pas valide" in page_text(response)


@pytest.mark.django_db
def test_other_school_site_is_404(world):
    client = world.client_for("director")
    assert client.get(occupancy_url(world, site=world.other_site.pk)).status_code == 404
    assert client.get(occupancy_url(world, site="x")).status_code == 404


@pytest.mark.django_db
def test_constant_queries(world, django_assert_max_num_queries):
    client = world.client_for("director")
    url = occupancy_url(world, semaine="2024-03-04", semaines=12)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    rooms = [RoomFactory(site=world.site, name=f"Salle Q{n}") for n in range(5)]
    for week in range(12):
        for room in rooms:
            day = MONDAY + datetime.timedelta(weeks=week, days=week % 5)
            make_session(world, day, T(9), T(12), room=room)
            make_session(world, day, T(13, 30), T(17), room=room)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 7
    assert response.context["rows"][0].weeks[0].booked_hours > 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who, status",
    [
        ("director", 200),
        ("intake", 200),
        ("referent", 200),
        ("company_relations", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("network", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_access(world, who, status):
    response = world.client_for(who).get(occupancy_url(world, semaine="2024-03-04"))
    assert response.status_code == status
    if status == 200:
        assert "Salle Alpha" in page_text(response)
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))
