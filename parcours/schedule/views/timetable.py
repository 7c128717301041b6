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
from django.utils.translation import gettext_lazy

from parcours.organisations.access import Perm, school_view
from parcours.organisations.models import Membership
from parcours.organisations.selectors import get_room, get_site
from parcours.pathways import exports
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


def _week_state(request: HttpRequest) -> dict:
    """What the week page shows (the same for its export): the week, its filters, sessions."""
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
    if not filters:
        # By default a trainer sees their own week, anyone else the first site's.
        if membership.role == "referent":
            filters["trainer"] = membership
        elif sites:
            filters["site"] = sites[0]
    sessions = timetable.week_sessions(membership, monday=monday, **filters)
    return {
        "monday": monday,
        "friday": friday,
        "refused": refused,
        "filters": filters,
        "sites": sites,
        "sessions": sessions,
    }


def _render_week(request: HttpRequest, state: dict, *, export_error: str = "") -> HttpResponse:
    membership: Membership = request.membership
    monday, filters, sessions = state["monday"], state["filters"], state["sessions"]
    trainer = filters.get("trainer")
    enrolment = filters.get("enrolment")
    enrolments = timetable.enrolment_choices(membership, monday)
    context = {
        "monday": monday,
        "friday": state["friday"],
        "days": timetable.week_grid(sessions, monday),
        "session_count": len(sessions),
        **_week_links(monday),
        "site": filters.get("site"),
        "room": filters.get("room"),
        "trainer": trainer,
        "enrolment": enrolment,
        "mine": trainer is not None and trainer.pk == membership.pk and len(filters) == 1,
        "is_trainer": membership.role in timetable.TRAINER_ROLES,
        "sites": state["sites"],
        "rooms": timetable.room_choices(membership, monday),
        "trainers": timetable.trainer_choices(membership, monday),
        "enrolments": enrolments,
        "enrolment_listed": enrolment is not None and any(c.pk == enrolment.pk for c in enrolments),
        "export_error": export_error,
    }
    refused = state["refused"] or bool(export_error)
    return render(request, "schedule/timetable/week.html", context, status=400 if refused else 200)


@school_view(Perm.VIEW_SCHEDULE)
def week(request: HttpRequest) -> HttpResponse:
    return _render_week(request, _week_state(request))


def _occupancy_state(request: HttpRequest) -> dict:
    """What the occupancy page shows (the same for its export)."""
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
    return {
        "monday": monday,
        "weeks": weeks,
        "mondays": mondays,
        "site": site,
        "rows": rows,
        "refused": refused,
    }


def _render_occupancy(request: HttpRequest, state: dict, *, export_error: str = "") -> HttpResponse:
    membership: Membership = request.membership
    monday, weeks, mondays = state["monday"], state["weeks"], state["mondays"]
    context = {
        "monday": monday,
        "last_day": mondays[-1] + datetime.timedelta(days=4),
        "mondays": mondays,
        "weeks": weeks,
        "week_hours": timetable.WEEK_HOURS,
        "max_weeks": timetable.MAX_OCCUPANCY_WEEKS,
        "week_options": range(1, timetable.MAX_OCCUPANCY_WEEKS + 1),
        **_week_links(monday, weeks),
        "site": state["site"],
        "sites": timetable.site_choices(membership, monday),
        "rows": state["rows"],
        "export_error": export_error,
    }
    refused = state["refused"] or bool(export_error)
    return render(
        request, "schedule/timetable/occupancy.html", context, status=400 if refused else 200
    )


@school_view(Perm.VIEW_SCHEDULE)
def occupancy(request: HttpRequest) -> HttpResponse:
    return _render_occupancy(request, _occupancy_state(request))


# ------------------------------------------------------------------------------ exports

#: The week export: one row per session of the displayed week and filters.
WEEK_HEADERS = (
    gettext_lazy("Date"),
    gettext_lazy("Début"),
    gettext_lazy("Fin"),
    gettext_lazy("Séance"),
    gettext_lazy("Atelier"),
    gettext_lazy("Site"),
    gettext_lazy("Salle"),
    gettext_lazy("Formateur·rice"),
    gettext_lazy("Stagiaires"),
    gettext_lazy("Places"),
)


def _week_row(slot: timetable.GridSession) -> tuple:
    session = slot.session
    trainer = session.trainer.user
    return (
        session.day,
        session.start_time.strftime("%H:%M"),
        session.end_time.strftime("%H:%M"),
        session.display_title,
        session.workshop_type.name,
        session.site.name,
        session.room.name,
        trainer.get_full_name() or trainer.email,
        slot.trainees,
        slot.capacity,
    )


def _week_filters(state: dict) -> dict:
    """The export's filters for the audit trail: the week and the ids chosen (no names)."""
    return {
        "week": state["monday"].isoformat(),
        **{key: chosen.pk for key, chosen in state["filters"].items()},
    }


@school_view(Perm.VIEW_SCHEDULE)
def week_export(request: HttpRequest) -> HttpResponse:
    """The displayed week's sessions (same week, filters and defaults as the page)."""
    fmt = exports.requested_format(request)
    state = _week_state(request)
    if fmt is None:
        return _render_week(request, state, export_error=exports.UNKNOWN_FORMAT)
    if state["refused"]:
        return _render_week(request, state, export_error=exports.BAD_FILTERS)
    days = timetable.week_grid(state["sessions"], state["monday"])
    slots = [slot for day in days for slot in day.sessions]
    return exports.download(
        request,
        fmt=fmt,
        headers=WEEK_HEADERS,
        rows=(_week_row(slot) for slot in slots),
        stem="planning",
        sheet_title=_("Planning"),
        action="export.week_sessions",
        filters=_week_filters(state),
        day=state["monday"],
    )


def _occupancy_headers(mondays: list[datetime.date]) -> list[str]:
    headers = [_("Salle"), _("Site")]
    for monday in mondays:
        week = _("Sem. du %(day)s") % {"day": monday.strftime("%d/%m/%Y")}
        headers += [
            _("%(week)s : heures réservées") % {"week": week},
            _("%(week)s : taux d'occupation (%%)") % {"week": week},
        ]
    headers += [
        _("Total : heures réservées"),
        _("Total : heures disponibles"),
        _("Total : taux d'occupation (%)"),
    ]
    return headers


def _occupancy_row(row: timetable.RoomOccupancy) -> list:
    cells: list = [row.room.name, row.room.site.name]
    for cell in row.weeks:
        cells += [cell.booked_hours, cell.rate]
    cells += [row.total.booked_hours, row.total.available_hours, row.total.rate]
    return cells


@school_view(Perm.VIEW_SCHEDULE)
def occupancy_export(request: HttpRequest) -> HttpResponse:
    """The rooms' occupancy as the page shows it: one row per room, hours and rate per week."""
    fmt = exports.requested_format(request)
    state = _occupancy_state(request)
    if fmt is None:
        return _render_occupancy(request, state, export_error=exports.UNKNOWN_FORMAT)
    if state["refused"]:
        return _render_occupancy(request, state, export_error=exports.BAD_FILTERS)
    filters = {"week": state["monday"].isoformat(), "weeks": state["weeks"]}
    if state["site"] is not None:
        filters["site"] = state["site"].pk
    return exports.download(
        request,
        fmt=fmt,
        headers=_occupancy_headers(state["mondays"]),
        rows=(_occupancy_row(row) for row in state["rows"]),
        stem="occupation-salles",
        sheet_title=_("Occupation des salles"),
        action="export.room_occupancy",
        filters=filters,
        day=state["monday"],
    )


urlpatterns = [
    path("planning/", week, name="week"),
    path("planning/export/", week_export, name="week_export"),
    path("planning/occupation/", occupancy, name="occupancy"),
    path("planning/occupation/export/", occupancy_export, name="occupancy_export"),
]
