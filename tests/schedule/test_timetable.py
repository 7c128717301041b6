"""Weekly timetables: week boundaries, filters by site, room, trainer and trainee, another
school's data, constant queries, access."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.organisations.models import Room
from parcours.schedule.models import Session, SessionTrainee
from parcours.schedule.selectors_timetable import week_grid, week_of, week_sessions

from ..factories import EnrolmentFactory, PersonFactory, RoomFactory, SiteFactory
from ..utils import page_text

MONDAY = datetime.date(2024, 3, 4)  # the world session's day
T = datetime.time


def make_session(world, day, start, end, *, room=None, trainer=None, trainees=(), title=""):
    room = room or world.room
    trainer = trainer or world.members["referent"]
    session = Session.objects.create(
        school=world.school,
        site=room.site,
        room=room,
        workshop_type=world.objects["workshop_type"],
        title=title,
        day=day,
        start_time=start,
        end_time=end,
        trainer=trainer,
        created_by=trainer.user,
    )
    for enrolment in trainees:
        SessionTrainee.objects.create(school=world.school, session=session, enrolment=enrolment)
    return session


def visible(response) -> str:
    """The page's text without tags, its white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", page_text(response)).split())


def week_url(world, **params):
    url = reverse("schedule:week", args=[world.school.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def test_week_of():
    assert week_of(datetime.date(2024, 3, 6)) == (MONDAY, datetime.date(2024, 3, 8))
    assert week_of(MONDAY) == (MONDAY, datetime.date(2024, 3, 8))
    assert week_of(datetime.date(2024, 3, 10)) == (MONDAY, datetime.date(2024, 3, 8))  # Sunday
    assert week_of(datetime.date(2024, 3, 11))[0] == datetime.date(2024, 3, 11)


@pytest.mark.django_db
def test_week_boundaries(world):
    director = world.members["director"]
    world_session = world.objects["session"]
    make_session(world, datetime.date(2024, 3, 3), T(9), T(12), title="Dimanche avant")
    make_session(world, datetime.date(2024, 3, 10), T(9), T(12), title="Dimanche après")
    make_session(world, datetime.date(2024, 3, 11), T(9), T(12), title="Lundi suivant")
    friday = make_session(world, datetime.date(2024, 3, 8), T(13, 30), T(17), title="Vendredi")
    sessions = week_sessions(director, monday=MONDAY)
    assert [s.pk for s in sessions] == [world_session.pk, friday.pk]
    grid = week_grid(sessions, MONDAY)
    assert [day.day for day in grid] == [MONDAY + datetime.timedelta(days=n) for n in range(5)]
    assert [slot.session.pk for slot in grid[0].sessions] == [world_session.pk]
    assert grid[0].sessions[0].trainees == 1
    assert grid[0].sessions[0].capacity == world.room.capacity
    assert [slot.session.pk for slot in grid[4].sessions] == [friday.pk]

    # A Saturday session adds the Saturday.
    saturday = make_session(world, datetime.date(2024, 3, 9), T(9), T(11), title="Samedi")
    grid = week_grid(week_sessions(director, monday=MONDAY), MONDAY)
    assert len(grid) == 6
    assert [slot.session.pk for slot in grid[5].sessions] == [saturday.pk]


@pytest.mark.django_db
def test_day_sorted_by_start(world):
    director = world.members["director"]
    other_room = Room.objects.get(name="Salle Informatique Alpha")
    late = make_session(world, MONDAY, T(14), T(16))
    early = make_session(world, MONDAY, T(8), T(9), room=other_room)
    grid = week_grid(week_sessions(director, monday=MONDAY), MONDAY)
    assert [slot.session.pk for slot in grid[0].sessions] == [
        early.pk,
        world.objects["session"].pk,
        late.pk,
    ]


@pytest.mark.django_db
def test_filters(world):
    director = world.members["director"]
    world_session = world.objects["session"]
    site2 = SiteFactory(school=world.school, name="Site Bis")
    room2 = RoomFactory(site=site2, name="Salle Bis")
    computer_room = Room.objects.get(name="Salle Informatique Alpha")
    person = PersonFactory(school=world.school, last_name="Deuxième")
    enrolment2 = EnrolmentFactory(school=world.school, person=person, site=site2)
    on_site2 = make_session(
        world, MONDAY, T(9), T(12), room=room2, trainer=director, trainees=[enrolment2]
    )
    in_computer_room = make_session(world, MONDAY, T(13, 30), T(16), room=computer_room)

    def pks(**filters):
        return {s.pk for s in week_sessions(director, monday=MONDAY, **filters)}

    assert pks() == {world_session.pk, on_site2.pk, in_computer_room.pk}
    assert pks(site=world.site) == {world_session.pk, in_computer_room.pk}
    assert pks(site=site2) == {on_site2.pk}
    assert pks(room=computer_room) == {in_computer_room.pk}
    assert pks(trainer=director) == {on_site2.pk}
    assert pks(trainer=world.members["referent"]) == {world_session.pk, in_computer_room.pk}
    assert pks(enrolment=world.objects["enrolment"]) == {world_session.pk}
    assert pks(enrolment=enrolment2) == {on_site2.pk}

    # The same through the screen.
    client = world.client_for("director")
    response = client.get(week_url(world, semaine="2024-03-06", salle=room2.pk))
    assert response.status_code == 200
    assert [slot.session.pk for day in response.context["days"] for slot in day.sessions] == [
        on_site2.pk
    ]
    response = client.get(week_url(world, semaine="2024-03-06", stagiaire=enrolment2.pk))
    assert f"Stagiaire : {person.full_name}" in visible(response)
    assert [slot.session.pk for day in response.context["days"] for slot in day.sessions] == [
        on_site2.pk
    ]
    response = client.get(week_url(world, semaine="2024-03-06", formateur=director.pk))
    assert [slot.session.pk for day in response.context["days"] for slot in day.sessions] == [
        on_site2.pk
    ]


@pytest.mark.django_db
def test_other_school_never_shown(world):
    director = world.members["director"]
    assert {s.pk for s in week_sessions(director, monday=MONDAY)} == {world.objects["session"].pk}
    other = world.others["session"]
    response = world.client_for("director").get(
        week_url(world, semaine="2024-03-04", site=world.site.pk)
    )
    assert response.status_code == 200
    shown = [slot.session.pk for day in response.context["days"] for slot in day.sessions]
    assert shown == [world.objects["session"].pk]
    assert f"/seances/{other.pk}/" not in response.content.decode()
    assert "Salle Beta" not in page_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "param, value",
    [
        ("site", lambda w: w.other_site.pk),
        ("salle", lambda w: w.other_room.pk),
        ("formateur", lambda w: w.outsider.pk),
        ("formateur", lambda w: w.members["prescriber"].pk),  # not staff
        ("stagiaire", lambda w: w.others["enrolment"].pk),
        ("salle", lambda w: "abc"),
    ],
)
def test_foreign_ids_are_404(world, param, value):
    response = world.client_for("director").get(week_url(world, **{param: value(world)}))
    assert response.status_code == 404


@pytest.mark.django_db
def test_page_shows_the_sessions(world):
    session = world.objects["session"]
    response = world.client_for("director").get(
        week_url(world, semaine="2024-03-07", site=world.site.pk)
    )
    assert response.status_code == 200
    text = visible(response)
    assert "Semaine du 04/03/2024 au 08/03/2024" in text
    assert "Site : Site Alpha" in text
    assert "Lundi 04/03" in text and "Vendredi 08/03" in text
    assert "Samedi" not in text
    assert "09:00–12:00" in text
    assert session.workshop_type.name in text
    assert "Salle Alpha" in text
    assert world.members["referent"].user.get_full_name() in text
    assert f"1 / {world.room.capacity} places" in text
    assert "Stagiairee2c-alpha" in text  # the participants' list
    content = response.content.decode()
    assert f'href="/e/{world.school.slug}/planning/seances/{session.pk}/"' in content
    # Navigation keeps the filter and moves by one week.
    assert "semaine=2024-02-26" in content and "semaine=2024-03-11" in content
    assert f"site={world.site.pk}" in content


@pytest.mark.django_db
def test_default_views(world):
    # A referent sees their own week.
    response = world.client_for("referent").get(week_url(world, semaine="2024-03-04"))
    assert response.status_code == 200
    assert response.context["mine"] is True
    assert response.context["trainer"] == world.members["referent"]
    assert "Mon planning" in page_text(response)
    assert len(response.context["days"][0].sessions) == 1
    # Anyone else, the first site's week.
    response = world.client_for("intake").get(week_url(world, semaine="2024-03-04"))
    assert response.status_code == 200
    assert response.context["site"] == world.site
    assert response.context["mine"] is False
    assert len(response.context["days"][0].sessions) == 1
    # Without a date: this week.
    response = world.client_for("intake").get(week_url(world))
    assert response.context["monday"] == week_of(timezone.localdate())[0]


@pytest.mark.django_db
def test_empty_week(world):
    response = world.client_for("director").get(week_url(world, semaine="2031-01-08"))
    assert response.status_code == 200
    assert "Aucune séance cette semaine." in page_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["2024-13-45", "demain", "04/03/2024"])
def test_invalid_week_shows_this_week(world, value):
    response = world.client_for("director").get(week_url(world, semaine=value))
    assert response.status_code == 400
    assert "n'est pas valide" in page_text(response)
    assert response.context["monday"] == week_of(timezone.localdate())[0]


def _fill_week(world, count: int, prefix: str) -> None:
    """``count`` sessions in the week of MONDAY in new rooms, two new trainees in each."""
    rooms = [RoomFactory(site=world.site, name=f"Salle {prefix}{n}") for n in range(3)]
    enrolments = [
        EnrolmentFactory(school=world.school, person=PersonFactory(school=world.school))
        for _ in range(2)
    ]
    slots = [(T(9), T(12)), (T(13, 30), T(16, 30))]
    made = 0
    for offset in range(5):
        for start, end in slots:
            for room in rooms:
                if made == count:
                    return
                day = MONDAY + datetime.timedelta(days=offset)
                make_session(world, day, start, end, room=room, trainees=enrolments)
                made += 1


@pytest.mark.django_db
def test_constant_queries(world, django_assert_max_num_queries):
    client = world.client_for("director")
    url = week_url(world, semaine="2024-03-04", site=world.site.pk)
    _fill_week(world, 2, "Q")
    client.get(url)  # the login session is warm
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.context["session_count"] == 3
    _fill_week(world, 27, "R")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["session_count"] == 30
    assert len(response.context["trainers"]) >= 2


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
    response = world.client_for(who).get(week_url(world, semaine="2024-03-04"))
    assert response.status_code == status
    if status == 200:
        assert "Salle Alpha" in page_text(response)
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_trainee_page_links_to_the_week(world):
    enrolment = world.objects["enrolment"]
    response = world.client_for("intake").get(
        reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    )
    assert response.status_code == 200
    url = week_url(world, stagiaire=enrolment.pk)
    assert f'href="{url}"' in response.content.decode()
    assert "Planning de la semaine" in page_text(response)
    response = world.client_for("intake").get(url + "&semaine=2024-03-04")
    assert response.status_code == 200
    assert [slot.session.pk for day in response.context["days"] for slot in day.sessions] == [
        world.objects["session"].pk
    ]


def _trainee_options(response) -> list[tuple[str, str, bool]]:
    select = re.search(r'<select id="vue-stagiaire".*?</select>', response.content.decode(), re.S)
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(0)
        )
    ]


@pytest.mark.django_db
def test_trainee_filter_lists_the_week_s_trainees_by_name(world):
    enrolment = world.objects["enrolment"]
    # One in the week (a name sorted first), one who left before it.
    present = EnrolmentFactory(
        school=world.school,
        person=PersonFactory(school=world.school, first_name="Anaïs", last_name="Abel"),
        site=world.site,
        entry_date=datetime.date(2024, 1, 8),
    )
    gone = EnrolmentFactory(
        school=world.school,
        person=PersonFactory(school=world.school, first_name="Zoé", last_name="Zidane"),
        site=world.site,
        entry_date=datetime.date(2023, 9, 4),
        ended_on=datetime.date(2024, 2, 23),
        status="exited",
    )
    client = world.client_for("director")

    options = _trainee_options(client.get(week_url(world, semaine="2024-03-06")))
    assert options[0] == ("", "— choisir —", False)
    assert (str(present.pk), "Anaïs Abel", False) in options
    assert (str(enrolment.pk), enrolment.person.full_name, False) in options
    assert str(gone.pk) not in [value for value, *_ in options]

    # The chosen trainee is selected once; one who left is still shown, selected.
    options = _trainee_options(
        client.get(week_url(world, semaine="2024-03-06", stagiaire=present.pk))
    )
    assert [o for o in options if o[2]] == [(str(present.pk), "Anaïs Abel", True)]
    assert [value for value, *_ in options].count(str(present.pk)) == 1
    options = _trainee_options(client.get(week_url(world, semaine="2024-03-06", stagiaire=gone.pk)))
    assert options[0] == (str(gone.pk), "Zoé Zidane", True)
    assert [value for value, *_ in options].count(str(gone.pk)) == 1
