"""Exports of the schedule's lists and reports: the week's sessions, the rooms' occupancy, the
attendance months, the attendance rates and the workshop types — same rows and numbers as the
pages, French headers, audited, refused with a French message on a bad format or filter."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from parcours.schedule import rates
from parcours.schedule.models import ClosedMonth
from parcours.schedule.selectors_attendance import add_months
from parcours.schedule.selectors_timetable import room_occupancy

from ..export_checks import (
    csv_rows,
    events,
    midnight,
    query_count,
    url,
    xlsx_rows,
    xlsx_sheet,
)
from ..export_checks import member_name as name
from ..factories import EnrolmentFactory, PersonFactory, RoomFactory, SiteFactory
from ..utils import page_text
from .statement_helpers import MARCH, add_marks, trainee_turning_18
from .test_timetable import make_session

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2024, 3, 4)  # the world session: Monday 9:00–12:00 in Salle Alpha
T = datetime.time


def trainees(world, count: int) -> list:
    return [
        EnrolmentFactory(
            school=world.school,
            site=world.site,
            person=PersonFactory(school=world.school, last_name=f"Groupe{n}"),
        )
        for n in range(count)
    ]


# ------------------------------------------------------------------------------ the week

WEEK_HEADERS = [
    "Date",
    "Début",
    "Fin",
    "Séance",
    "Atelier",
    "Site",
    "Salle",
    "Formateur·rice",
    "Stagiaires",
    "Places",
]


def test_week_export_has_the_displayed_weeks_sessions(world):
    workshop = world.objects["workshop_type"].name
    computers = world.room.site.rooms.get(name="Salle Informatique Alpha")
    make_session(
        world,
        MONDAY + datetime.timedelta(days=1),
        T(13, 30),
        T(17),
        room=computers,
        trainer=world.members["director"],
        trainees=trainees(world, 2),
        title="Atelier CV",
    )
    make_session(world, MONDAY + datetime.timedelta(days=7), T(9), T(12))  # the next week
    response = world.client_for("director").get(url("schedule:week_export", semaine="2024-03-06"))
    assert 'filename="planning-e2c-alpha-2024-03-04.xlsx"' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == WEEK_HEADERS
    referent, director = name(world.members["referent"]), name(world.members["director"])
    assert rows[1:] == [
        (midnight(MONDAY), "09:00", "12:00", workshop, workshop, "Site Alpha", "Salle Alpha",
         referent, 1, 12),
        (midnight(MONDAY + datetime.timedelta(days=1)), "13:30", "17:00", "Atelier CV", workshop,
         "Site Alpha", "Salle Informatique Alpha", director, 2, computers.capacity),
    ]  # fmt: skip
    # The same sessions as the page counts.
    page = world.client_for("director").get(url("schedule:week", semaine="2024-03-06"))
    assert "2 séances" in page_text(page)


def test_week_export_dates_are_date_cells(world):
    response = world.client_for("director").get(url("schedule:week_export", semaine="2024-03-04"))
    cell = xlsx_sheet(response).cell(row=2, column=1)
    assert cell.is_date and cell.number_format == "DD/MM/YYYY"


def test_week_export_follows_the_pages_filters_and_defaults(world):
    computers = world.room.site.rooms.get(name="Salle Informatique Alpha")
    make_session(world, MONDAY, T(13, 30), T(17), room=computers, trainer=world.members["director"])
    north = SiteFactory(school=world.school, name="Site Nord")
    make_session(world, MONDAY, T(9), T(12), room=RoomFactory(site=north, name="Salle Nord"))
    client = world.client_for("director")

    def rooms(**params) -> list[str]:
        return [row[6] for row in xlsx_rows(client.get(url("schedule:week_export", **params)))[1:]]

    # The director's default: the first site.
    assert rooms(semaine="2024-03-04") == ["Salle Alpha", "Salle Informatique Alpha"]
    assert rooms(semaine="2024-03-04", site=north.pk) == ["Salle Nord"]
    assert rooms(semaine="2024-03-04", salle=computers.pk) == ["Salle Informatique Alpha"]
    assert rooms(semaine="2024-03-04", formateur=world.members["director"].pk) == [
        "Salle Informatique Alpha"
    ]
    assert rooms(semaine="2024-03-04", stagiaire=world.objects["enrolment"].pk) == ["Salle Alpha"]
    # A referent's default: their own sessions, all sites.
    referent = world.client_for("referent")
    rows = xlsx_rows(referent.get(url("schedule:week_export", semaine="2024-03-04")))
    assert [row[6] for row in rows[1:]] == ["Salle Alpha", "Salle Nord"]
    # Another school's room is a 404, as on the page.
    response = client.get(url("schedule:week_export", salle=world.other_room.pk))
    assert response.status_code == 404


def test_week_export_is_audited_with_its_filters(world):
    client = world.client_for("director")
    client.get(url("schedule:week_export", semaine="2024-03-05", salle=world.room.pk))
    (event,) = events("export.week_sessions")
    assert event.actor == world.members["director"].user and event.school == world.school
    assert event.changes == {
        "rows": 1,
        "format": "xlsx",
        "filters": {"week": "2024-03-04", "room": world.room.pk},
    }


def test_week_export_csv(world):
    rows = csv_rows(
        world.client_for("referent").get(
            url("schedule:week_export", semaine="2024-03-04", format="csv")
        )
    )
    assert rows[0] == WEEK_HEADERS
    assert rows[1][:3] == ["04/03/2024", "09:00", "12:00"]


def test_week_export_refuses_a_bad_format_or_week(world):
    client = world.client_for("director")
    response = client.get(url("schedule:week_export", semaine="2024-03-04", format="pdf"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    response = client.get(url("schedule:week_export", semaine="2024-02-31"))
    assert response.status_code == 400
    text = page_text(response)
    assert "n'est pas valide" in text and "rien n'a été exporté" in text
    assert events("export.week_sessions") == []


def test_week_export_query_count_does_not_grow(world):
    client = world.client_for("director")
    address = url("schedule:week_export", semaine="2024-03-04", format="csv")
    group = trainees(world, 3)
    for hour in (13, 14):
        make_session(world, MONDAY + datetime.timedelta(days=1), T(hour), T(hour, 50),
                     trainees=group)  # fmt: skip
    few = query_count(client, address)
    for day in range(2, 5):
        for hour in range(9, 15):
            make_session(world, MONDAY + datetime.timedelta(days=day), T(hour), T(hour, 50),
                         trainees=group)  # fmt: skip
    assert len(xlsx_rows(client.get(url("schedule:week_export", semaine="2024-03-04")))) == 22
    assert query_count(client, address) == few


# ------------------------------------------------------------------------------ occupancy


def test_occupancy_export_has_the_pages_hours_and_rates(world):
    # Salle Alpha: the world's Monday 9:00–12:00 and Tuesday 13:30–17:00 of the same week
    # → 6.5 h of 35 h = 18.6 %; nothing the next week; total 6.5 of 70 h = 9.3 %.
    make_session(world, MONDAY + datetime.timedelta(days=1), T(13, 30), T(17))
    response = world.client_for("company_relations").get(
        url("schedule:occupancy_export", semaine="2024-03-04", semaines=2)
    )
    rows = xlsx_rows(response)
    assert list(rows[0]) == [
        "Salle",
        "Site",
        "Sem. du 04/03/2024 : heures réservées",
        "Sem. du 04/03/2024 : taux d'occupation (%)",
        "Sem. du 11/03/2024 : heures réservées",
        "Sem. du 11/03/2024 : taux d'occupation (%)",
        "Total : heures réservées",
        "Total : heures disponibles",
        "Total : taux d'occupation (%)",
    ]
    assert rows[1:] == [
        ("Salle Alpha", "Site Alpha", 6.5, 18.6, 0, 0, 6.5, 70, 9.3),
        ("Salle Informatique Alpha", "Site Alpha", 0, 0, 0, 0, 0, 70, 0),
    ]
    # The numbers of the page's selector.
    computed = room_occupancy(world.members["director"], from_monday=MONDAY, weeks=2)
    assert [float(row.total.rate) for row in computed] == [row[8] for row in rows[1:]]


def test_occupancy_export_follows_the_site_and_is_audited(world):
    north = SiteFactory(school=world.school, name="Site Nord")
    RoomFactory(site=north, name="Salle Nord")
    client = world.client_for("director")
    rows = xlsx_rows(
        client.get(url("schedule:occupancy_export", semaine="2024-03-04", site=north.pk))
    )
    assert [row[:2] for row in rows[1:]] == [("Salle Nord", "Site Nord")]
    assert len(rows[0]) == 2 + 2 * 4 + 3  # four weeks by default
    (event,) = events("export.room_occupancy")
    assert event.changes == {
        "rows": 1,
        "format": "xlsx",
        "filters": {"week": "2024-03-04", "weeks": 4, "site": north.pk},
    }


def test_occupancy_export_refuses_a_bad_number_of_weeks(world):
    client = world.client_for("director")
    response = client.get(url("schedule:occupancy_export", semaines=99))
    assert response.status_code == 400
    text = page_text(response)
    assert "Le nombre de semaines doit être compris entre 1 et 12" in text
    assert "rien n'a été exporté" in text
    response = client.get(url("schedule:occupancy_export", format="ods"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events("export.room_occupancy") == []


def test_occupancy_export_query_count_does_not_grow(world):
    client = world.client_for("director")
    address = url("schedule:occupancy_export", semaine="2024-03-04", format="csv")
    few = query_count(client, address)
    for n in range(15):
        room = RoomFactory(site=world.site, name=f"Salle {n:02d}")
        make_session(world, MONDAY + datetime.timedelta(days=n % 5), T(9), T(12), room=room)
    assert len(xlsx_rows(client.get(url("schedule:occupancy_export")))) == 18
    assert query_count(client, address) == few


# ------------------------------------------------------------------------------ months


def test_months_export_lists_the_twelve_months_and_their_closing(world):
    this_month = timezone.localdate().replace(day=1)
    closed = ClosedMonth.objects.create(
        school=world.school,
        month=add_months(this_month, -1),
        closed_by=world.members["director"].user,
    )
    ClosedMonth.objects.create(
        school=world.other_school, month=this_month, closed_by=world.outsider.user
    )
    rows = xlsx_rows(world.client_for("referent").get(url("schedule:attendance_months_export")))
    assert list(rows[0]) == ["Mois", "État", "Clos le"]
    assert len(rows) == 13
    current, previous = rows[1], rows[2]
    assert current[1:] == ("Ouvert", None)
    assert previous[1:] == ("Clos", midnight(timezone.localdate(closed.closed_at)))
    assert previous[0].split()[1] == str(add_months(this_month, -1).year)
    (event,) = events("export.attendance_months")
    assert event.changes["rows"] == 12


def test_months_export_month_names_are_the_pages(world):
    rows = xlsx_rows(world.client_for("director").get(url("schedule:attendance_months_export")))
    page = page_text(world.client_for("director").get(url("schedule:attendance_months")))
    for row in rows[1:]:
        assert row[0] in page


def test_months_export_refuses_a_bad_format(world):
    response = world.client_for("director").get(
        url("schedule:attendance_months_export", format="x")
    )
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events("export.attendance_months") == []


# ------------------------------------------------------------------------------ rates

RATES_HEADERS = [
    "Regroupement",
    "Nom",
    "Demi-journées comptées",
    "Taux de présence (%)",
    "Temps en entreprise (%)",
]


def test_rates_export_has_the_pages_numbers(world):
    gamma = SiteFactory(school=world.school, name="Site Gamma")
    trainee_turning_18(world, site=gamma)
    loner = EnrolmentFactory(school=world.school, site=gamma)  # no referent
    add_marks(
        loner, [(datetime.date(2024, 3, 4), "am", "unexcused")], world.members["director"].user
    )
    client = world.client_for("company_relations")
    rows = xlsx_rows(client.get(url("schedule:attendance_rates_export", mois="2024-03")))
    assert list(rows[0]) == RATES_HEADERS
    # Site Alpha: the world's trainee, present on 04/03 → 1 counted, 100 %. Site Gamma: Zoé
    # (11 counted, 9 attended, 3 in company) + the loner (1, unexcused) → 12: 75.0 %, 25.0 %.
    # The school: 13 counted, 10 attended → 76.9 %; company 3 / 13 → 23.1 %.
    # The referent's group: the world's trainee and Zoé → 12, 10 attended → 83.3 %, 25.0 %.
    referent = world.members["referent"].user.get_full_name()
    assert rows[1:] == [
        ("Site", "Site Alpha", 1, 100, 0),
        ("Site", "Site Gamma", 12, 75, 25),
        ("Site", "École", 13, 76.9, 23.1),
        ("Référent·e", referent, 12, 83.3, 25),
        ("Référent·e", "Sans référent·e", 1, 0, 0),
    ]
    page = page_text(client.get(url("schedule:attendance_rates", mois="2024-03")))
    for figure in ("76,9 %", "23,1 %", "83,3 %"):
        assert figure in page
    computed = rates.school_rates(world.members["director"], MARCH, datetime.date(2024, 3, 31))
    assert rows[3][2:] == (
        computed.total.counted,
        float(computed.total.attendance_rate),
        float(computed.total.company_share),
    )
    (event,) = events("export.attendance_rates")
    assert event.changes == {"rows": 5, "format": "xlsx", "filters": {"period": "2024-03"}}


def test_rates_export_of_a_year_and_of_an_empty_month(world):
    trainee_turning_18(world)
    client = world.client_for("director")
    response = client.get(url("schedule:attendance_rates_export", annee="2024"))
    assert "assiduite-e2c-alpha-2024-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    # Zoé's 13 half-days of the year besides holidays + the world's trainee's one.
    assert rows[1][:3] == ("Site", "Site Alpha", 14)
    rows = xlsx_rows(client.get(url("schedule:attendance_rates_export", mois="2023-01")))
    assert rows == [tuple(RATES_HEADERS)]


def test_rates_export_refuses_a_bad_format(world):
    response = world.client_for("director").get(
        url("schedule:attendance_rates_export", mois="2024-03", format="doc")
    )
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events("export.attendance_rates") == []


def test_rates_export_query_count_does_not_grow(world):
    client = world.client_for("director")
    address = url("schedule:attendance_rates_export", mois="2024-03", format="csv")
    trainee_turning_18(world)
    few = query_count(client, address)
    for n in range(6):
        trainee_turning_18(world, site=SiteFactory(school=world.school, name=f"Site {n}"),
                           last_name=f"Autre{n}")  # fmt: skip
    assert len(xlsx_rows(client.get(url("schedule:attendance_rates_export", mois="2024-03")))) > 8
    assert query_count(client, address) == few


# ------------------------------------------------------------------------------ workshop types


def test_workshop_types_export(world):
    types = world.objects["workshop_type"].__class__.objects.filter(school=world.school)
    last = types.order_by("position").last()
    last.active = False
    last.save()
    rows = xlsx_rows(world.client_for("director").get(url("schedule:workshop_types_export")))
    assert list(rows[0]) == ["Nom", "État", "Séances", "Ordinateurs"]
    assert len(rows) == 1 + types.count()
    by_name = {row[0]: row for row in rows[1:]}
    first = world.objects["workshop_type"]
    assert by_name[first.name][1:] == (
        "En usage",
        1,
        "Oui" if first.needs_computers else "Non",
    )
    assert by_name[last.name][1] == "Hors d'usage"
    assert rows[-1][0] == last.name  # out of use last, as on the page
    (event,) = events("export.workshop_types")
    assert event.changes["rows"] == types.count()


def test_workshop_types_export_refuses_a_bad_format(world):
    response = world.client_for("director").get(url("schedule:workshop_types_export", format="z"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events("export.workshop_types") == []


# ------------------------------------------------------------------------------ access

EXPORTS = {
    "schedule:week_export": "export.week_sessions",
    "schedule:occupancy_export": "export.room_occupancy",
    "schedule:attendance_months_export": "export.attendance_months",
    "schedule:attendance_rates_export": "export.attendance_rates",
}


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("company_relations", 200), ("funder", 403), ("outsider", 404)],
)
def test_access(world, export, who, status):
    response = world.client_for(who).get(url(export))
    assert response.status_code == status
    assert len(events(EXPORTS[export])) == (1 if status == 200 else 0)


@pytest.mark.parametrize(
    ("who", "status"), [("director", 200), ("referent", 403), ("outsider", 404)]
)
def test_workshop_types_export_access(world, who, status):
    response = world.client_for(who).get(url("schedule:workshop_types_export"))
    assert response.status_code == status
    assert len(events("export.workshop_types")) == (1 if status == 200 else 0)


def test_the_pages_have_the_export_buttons(world):
    client = world.client_for("director")
    for page, export in (
        ("schedule:week", "schedule:week_export"),
        ("schedule:occupancy", "schedule:occupancy_export"),
        ("schedule:attendance_months", "schedule:attendance_months_export"),
        ("schedule:attendance_rates", "schedule:attendance_rates_export"),
        ("schedule:workshop_types", "schedule:workshop_types_export"),
    ):
        text = page_text(client.get(url(page, semaine="2024-03-04")))
        assert f'href="{url(export)}?semaine=2024-03-04&format=xlsx"' in text, page


def test_exports_of_another_school_show_nothing_of_it(world):
    rows = xlsx_rows(
        world.client_for("director").get(
            url("schedule:occupancy_export", semaine="2024-03-04", semaines=1)
        )
    )
    assert all("Beta" not in str(cell) for row in rows for cell in row)
