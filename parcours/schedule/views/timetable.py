"""Weekly timetables (by site, room, trainer or trainee) and the rooms' occupancy.

Both screens only read (``VIEW_SCHEDULE``). The week is given by any of its days
(``?semaine=AAAA-MM-JJ``, this week by default); a date that cannot be read shows this week
with a message and the status 400. A site, room, trainer or trainee id that is not the
school's is a 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from parcours.organisations.access import Perm, school_view
from parcours.organisations.models import Membership
from parcours.organisations.selectors import get_room, get_site
from parcours.pathways.selectors import get_enrolment

from .. import selectors_timetable as timetable

DEFAULT_OCCUPANCY_WEEKS = 4


def _id(request: HttpRequest, name: str) -> int | None:
    """The id given in the ``name`` parameter (None when absent or empty; 404 when not a
    number, as for an id of another school)."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


def _monday(request: HttpRequest) -> tuple[datetime.date, bool]:
    """The Monday of the requested week, and whether the ``semaine`` parameter was refused."""
    value = request.GET.get("semaine", "").strip()
    if value:
        try:
            day = datetime.date.fromisoformat(value)
            if not 2000 <= day.year <= 2100:  # the week's links would overflow
                raise ValueError(value)
            return timetable.week_of(day)[0], False
        except ValueError:
            messages.error(
                request,
                _(
                    "La date « %(value)s » n'est pas valide (attendu : AAAA-MM-JJ) ; "
                    "voici la semaine en cours."
                )
                % {"value": value[:20]},
            )
    return timetable.this_monday(), bool(value)


def _week_links(monday: datetime.date, step: int = 1) -> dict:
    return {
        "previous_week": (monday - datetime.timedelta(weeks=step)).isoformat(),
        "next_week": (monday + datetime.timedelta(weeks=step)).isoformat(),
        "is_current_week": monday == timetable.this_monday(),
    }


@school_view(Perm.VIEW_SCHEDULE)
def week(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership
    monday, refused = _monday(request)
    friday = monday + datetime.timedelta(days=4)
    filters = {}
    if (pk := _id(request, "site")) is not None:
        filters["site"] = get_site(membership, pk)
    if (pk := _id(request, "salle")) is not None:
        filters["room"] = get_room(membership, pk)
    if (pk := _id(request, "formateur")) is not None:
        filters["trainer"] = timetable.get_trainer(membership, pk)
    if (pk := _id(request, "stagiaire")) is not None:
        filters["enrolment"] = get_enrolment(membership, pk)

    sites = timetable.site_choices(membership, monday)
    is_trainer = membership.role in timetable.TRAINER_ROLES
    if not filters:
        # By default a trainer sees their own week, anyone else the first site's.
        if membership.role == "referent":
            filters["trainer"] = membership
        elif sites:
            filters["site"] = sites[0]

    sessions = timetable.week_sessions(membership, monday=monday, **filters)
    trainer = filters.get("trainer")
    context = {
        "monday": monday,
        "friday": friday,
        "days": timetable.week_grid(sessions, monday),
        "session_count": len(sessions),
        **_week_links(monday),
        "site": filters.get("site"),
        "room": filters.get("room"),
        "trainer": trainer,
        "enrolment": filters.get("enrolment"),
        "mine": trainer is not None and trainer.pk == membership.pk and len(filters) == 1,
        "is_trainer": is_trainer,
        "sites": sites,
        "rooms": timetable.room_choices(membership, monday),
        "trainers": timetable.trainer_choices(membership, monday),
        "enrolments": timetable.enrolment_choices(membership, monday),
    }
    return render(request, "schedule/timetable/week.html", context, status=400 if refused else 200)


@school_view(Perm.VIEW_SCHEDULE)
def occupancy(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership
    monday, refused = _monday(request)
    weeks = DEFAULT_OCCUPANCY_WEEKS
    value = request.GET.get("semaines", "").strip()
    if value:
        if value.isdigit() and 1 <= int(value) <= timetable.MAX_OCCUPANCY_WEEKS:
            weeks = int(value)
        else:
            refused = True
            messages.error(
                request,
                _(
                    "Le nombre de semaines doit être compris entre 1 et %(max)s ; "
                    "voici %(n)s semaines."
                )
                % {"max": timetable.MAX_OCCUPANCY_WEEKS, "n": DEFAULT_OCCUPANCY_WEEKS},
            )
    site = None
    if (pk := _id(request, "site")) is not None:
        site = get_site(membership, pk)
    rows = timetable.room_occupancy(membership, from_monday=monday, weeks=weeks, site=site)
    mondays = [monday + datetime.timedelta(weeks=index) for index in range(weeks)]
    context = {
        "monday": monday,
        "last_day": mondays[-1] + datetime.timedelta(days=4),
        "mondays": mondays,
        "weeks": weeks,
        "week_hours": timetable.WEEK_HOURS,
        "max_weeks": timetable.MAX_OCCUPANCY_WEEKS,
        "week_options": range(1, timetable.MAX_OCCUPANCY_WEEKS + 1),
        **_week_links(monday, weeks),
        "site": site,
        "sites": timetable.site_choices(membership, monday),
        "rows": rows,
    }
    return render(
        request, "schedule/timetable/occupancy.html", context, status=400 if refused else 200
    )


urlpatterns = [
    path("planning/", week, name="week"),
    path("planning/occupation/", occupancy, name="occupancy"),
]
