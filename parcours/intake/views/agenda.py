"""The public agenda of information sessions (no login): list, registration, iCalendar file.

Only what is needed to call the person back is stored (name, phone or e-mail, who referred
them). The registration POST is protected by a honeypot field and a rate limit per client IP;
the confirmation page is reached through the registration's secret token.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from icalendar import Calendar, Event

from parcours.audit.services import client_ip
from parcours.organisations.models import School

from .. import ratelimit, selectors, services
from ..forms.agenda import PublicRegistrationForm
from ..models import InfoSession, RegistrationStatus

RATE_LIMIT_SCOPE = "agenda-register"


def _seats_left(session: InfoSession) -> int:
    return max(session.capacity - session.confirmed, 0)


def _address(session: InfoSession) -> str:
    site = session.site
    return f"{site.name}, {site.address}, {site.postcode} {site.commune}"


@require_GET
def agenda_list(request: HttpRequest, school_slug: str) -> HttpResponse:
    school = selectors.public_school(school_slug)
    page = Paginator(selectors.public_sessions(school), 50).get_page(request.GET.get("page"))
    for session in page.object_list:
        session.seats_left = _seats_left(session)
    return render(request, "intake/agenda/list.html", {"agenda_school": school, "page": page})


def _too_many(request: HttpRequest, school: School) -> HttpResponse:
    return render(
        request,
        "intake/agenda/rate_limited.html",
        {"agenda_school": school, "minutes": ratelimit.REGISTRATION_WINDOW // 60},
        status=429,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def agenda_register(request: HttpRequest, school_slug: str, pk: int) -> HttpResponse:
    school = selectors.public_school(school_slug)
    session = selectors.get_public_session(school, pk)
    is_open = session.starts_at > timezone.now()
    if request.method == "POST":
        allowed = ratelimit.allow(
            RATE_LIMIT_SCOPE,
            f"{school.pk}:{client_ip(request)}",
            limit=ratelimit.REGISTRATION_LIMIT,
            window=ratelimit.REGISTRATION_WINDOW,
        )
        if not allowed:
            return _too_many(request, school)
    form = PublicRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_bot():
            # Answer as a success would, without writing anything.
            messages.success(request, _("Votre demande d'inscription est enregistrée."))
            return redirect(reverse("agenda:list", args=[school.slug]))
        if form.is_valid():
            try:
                registration = services.register_public(session=session, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                if registration.status == RegistrationStatus.WAITLIST:
                    message = _("La séance est complète : vous êtes inscrit·e sur liste d'attente.")
                else:
                    message = _("Votre inscription est enregistrée.")
                messages.success(request, message)
                return redirect(
                    reverse("agenda:registration", args=[school.slug, registration.token])
                )
    taken = selectors.seats_taken(session)
    return render(
        request,
        "intake/agenda/register.html",
        {
            "agenda_school": school,
            "info_session": session,
            "form": form,
            "is_open": is_open,
            "seats_left": max(session.capacity - taken, 0),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def agenda_registration(request: HttpRequest, school_slug: str, token: str) -> HttpResponse:
    """The registered person's page: status, session, calendar file, cancellation."""
    school = selectors.public_school(school_slug)
    registration = selectors.get_public_registration(school, token)
    session = registration.session
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "oui":
            error = _("Confirmez l'annulation en cochant la case prévue.")
        elif registration.status == RegistrationStatus.CANCELLED:
            error = _("Cette inscription est déjà annulée.")
        elif session.starts_at <= timezone.now():
            error = _("Cette information collective a déjà eu lieu.")
        else:
            services.cancel_registration(
                membership=None, registration=registration, ip_address=client_ip(request)
            )
            messages.success(
                request, _("Votre inscription est annulée. Merci de nous avoir prévenus.")
            )
            return redirect(reverse("agenda:registration", args=[school.slug, token]))
    return render(
        request,
        "intake/agenda/registration.html",
        {
            "agenda_school": school,
            "registration": registration,
            "info_session": session,
            "position": selectors.waitlist_position(registration),
            "is_future": session.starts_at > timezone.now(),
            "error": error,
        },
        status=400 if error else 200,
    )


def session_calendar(session: InfoSession, school: School) -> bytes:
    """The session as an iCalendar file: times in Europe/Paris, the site's address, no person."""
    calendar = Calendar()
    calendar.add("prodid", "-//Parcours//Information collective//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"info-session-{session.pk}.{school.slug}@parcours")
    event.add("dtstamp", session.created_at.astimezone(datetime.UTC))
    event.add("summary", _("Information collective — %(school)s") % {"school": school.name})
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    location = _address(session)
    if session.room_id:
        location = f"{location} ({session.room.name})"
    event.add("location", location)
    if session.public_note:
        event.add("description", session.public_note)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


@require_GET
def agenda_session_ics(request: HttpRequest, school_slug: str, pk: int) -> HttpResponse:
    school = selectors.public_school(school_slug)
    session = selectors.get_public_session(school, pk)
    response = HttpResponse(session_calendar(session, school), content_type="text/calendar")
    day = timezone.localtime(session.starts_at).strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="information-collective-{school.slug}-{day}.ics"'
    )
    return response


urlpatterns = [
    path("", agenda_list, name="list"),
    path("<int:pk>/inscription/", agenda_register, name="register"),
    path("<int:pk>.ics", agenda_session_ics, name="session_ics"),
    path("inscription/<str:token>/", agenda_registration, name="registration"),
]
