"""Session views: detail, new (one or every week until a date), edit, trainees, cancel.

Thin views: every write goes through ``services_sessions``; a refusal re-renders the form with
the French message(s) and status 400 (nothing written).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view

from .. import selectors, selectors_sessions, services_sessions
from ..forms.sessions import CancelForm, SessionForm, TraineesAddForm, TraineesRemoveForm


def schedule_home_url(school) -> str:
    """Where to go when a session is gone: the week's timetable."""
    return reverse("schedule:week", args=[school.slug])


def _session_url(session) -> str:
    return reverse("schedule:session", args=[session.school.slug, session.pk])


def _initial_from_query(request: HttpRequest, membership) -> dict:
    """``?day=YYYY-MM-DD&start=HH:MM&end=HH:MM&room=<pk>`` prefill the new session form
    (links from the timetable)."""
    initial = {}
    params = request.GET
    try:
        if params.get("day"):
            initial["day"] = datetime.date.fromisoformat(params["day"])
        if params.get("start"):
            initial["start_time"] = datetime.time.fromisoformat(params["start"])
        if params.get("end"):
            initial["end_time"] = datetime.time.fromisoformat(params["end"])
    except ValueError:
        pass
    room_pk = params.get("room", "")
    if room_pk.isdigit() and selectors_sessions.rooms(membership).filter(pk=room_pk).exists():
        initial["room"] = int(room_pk)
    if membership.role in services_sessions.TRAINER_ROLES:
        initial["trainer"] = membership.pk
    return initial


@school_view(Perm.VIEW_SCHEDULE)
def session(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    current = selectors.get_session(membership, pk)
    places = list(selectors_sessions.session_places(current))
    may_see_trainees = has_perm(membership, Perm.VIEW_TRAINEES)
    return render(
        request,
        "schedule/sessions/detail.html",
        {
            "session": current,
            "places": places,
            "may_manage": has_perm(membership, Perm.MANAGE_SCHEDULE),
            "may_see_trainees": may_see_trainees,
            "has_marks": current.marks.exists(),
            "schedule_url": schedule_home_url(membership.school),
        },
    )


@school_view(Perm.MANAGE_SCHEDULE)
def session_new(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    if request.method == "POST":
        form = SessionForm(request.POST, membership=membership)
        if form.is_valid():
            data = form.cleaned_data
            kwargs = {
                **form.service_kwargs(),
                "trainees": form.chosen_enrolments(),
                "membership": membership,
                "ip_address": client_ip(request),
            }
            try:
                if data.get("repeat_until"):
                    created = services_sessions.create_recurring_sessions(
                        weekday=data["day"].weekday(),
                        first_day=data["day"],
                        last_day=data["repeat_until"],
                        **kwargs,
                    )
                else:
                    created = [services_sessions.create_session(day=data["day"], **kwargs)]
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "La séance a été créée.",
                        "%(n)d séances ont été créées, une chaque semaine.",
                        len(created),
                    )
                    % {"n": len(created)},
                )
                return redirect(_session_url(created[0]))
    else:
        form = SessionForm(membership=membership, initial=_initial_from_query(request, membership))
    return render(
        request,
        "schedule/sessions/form.html",
        {
            "form": form,
            "title": _("Nouvelle séance"),
            "submit_label": _("Créer la séance"),
            "back_url": schedule_home_url(membership.school),
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_SCHEDULE)
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    current = selectors.get_session(membership, pk)
    if request.method == "POST":
        form = SessionForm(request.POST, membership=membership, session=current)
        if form.is_valid():
            try:
                services_sessions.update_session(
                    membership=membership,
                    session=current,
                    day=form.cleaned_data["day"],
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("La séance a été modifiée."))
                return redirect(_session_url(current))
    else:
        form = SessionForm(
            membership=membership,
            session=current,
            initial={
                "room": current.room_id,
                "workshop_type": current.workshop_type_id,
                "title": current.title,
                "day": current.day,
                "start_time": current.start_time,
                "end_time": current.end_time,
                "trainer": current.trainer_id,
                "needs_computers": "1" if current.needs_computers else "0",
            },
        )
    return render(
        request,
        "schedule/sessions/form.html",
        {
            "form": form,
            "session": current,
            "title": _("Modifier la séance"),
            "submit_label": _("Enregistrer"),
            "back_url": _session_url(current),
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_SCHEDULE)
def session_trainees(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    current = selectors.get_session(membership, pk)
    add_form = TraineesAddForm(membership=membership, session=current, prefix="add")
    remove_form = TraineesRemoveForm(session=current, prefix="remove")
    if request.method == "POST":
        action = request.POST.get("action", "")
        ip = client_ip(request)
        if action == "remove":
            remove_form = form = TraineesRemoveForm(request.POST, session=current, prefix="remove")
            save = lambda: services_sessions.remove_trainees(  # noqa: E731
                membership=membership,
                session=current,
                enrolments=form.cleaned_data["trainees"],
                ip_address=ip,
            )
        else:
            add_form = form = TraineesAddForm(
                request.POST, membership=membership, session=current, prefix="add"
            )
            save = lambda: services_sessions.add_trainees(  # noqa: E731
                membership=membership,
                session=current,
                enrolments=form.chosen_enrolments(),
                ip_address=ip,
            )
        if form.is_valid():
            try:
                save()
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("La liste des stagiaires a été mise à jour."))
                return redirect(
                    reverse("schedule:session_trainees", args=[membership.school.slug, pk])
                )
    places = list(selectors_sessions.session_places(current))
    return render(
        request,
        "schedule/sessions/trainees.html",
        {
            "session": current,
            "places": places,
            "add_form": add_form,
            "remove_form": remove_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_SCHEDULE)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    current = selectors.get_session(membership, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_sessions.cancel_session(
                membership=membership,
                session=current,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La séance a été annulée."))
            return redirect(schedule_home_url(membership.school))
    return render(
        request,
        "schedule/sessions/cancel.html",
        {"session": current, "form": form, "has_marks": current.marks.exists()},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("planning/seances/nouvelle/", session_new, name="session_new"),
    path("planning/seances/<int:pk>/", session, name="session"),
    path("planning/seances/<int:pk>/modifier/", session_edit, name="session_edit"),
    path("planning/seances/<int:pk>/stagiaires/", session_trainees, name="session_trainees"),
    path("planning/seances/<int:pk>/annuler/", session_cancel, name="session_cancel"),
]
