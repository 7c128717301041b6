"""Calendar feeds: the page to create and revoke them (``VIEW_SCHEDULE``: one's own feed as a
trainer; ``MANAGE_SCHEDULE``: a trainee's feed, ``?stagiaire=<id>``) and the feed itself, a
private URL without login: /calendrier/<school_slug>/<feed_token>.ics.

The feed lists the owner's sessions from 30 days ago to 180 days ahead: workshop, site and
room, times in Europe/Paris. It names no trainee (not even the owner).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view

from .. import selectors_statements as reads
from .. import services_calendar as services
from ..models import CalendarFeed, Session

#: The feed's window around today.
DAYS_BEFORE = 30
DAYS_AFTER = 180


def _trainee(request: HttpRequest):
    """The trainee named by ``stagiaire`` (GET or POST), or ``None`` for one's own feed. Only
    ``MANAGE_SCHEDULE`` members manage a trainee's feed (403 otherwise)."""
    value = request.POST.get("stagiaire") or request.GET.get("stagiaire")
    if not value:
        return None
    if not has_perm(request.membership, Perm.MANAGE_SCHEDULE):
        raise PermissionDenied(_("Votre rôle ne permet pas de gérer l'abonnement d'un stagiaire."))
    return reads.feed_trainee(request.membership, value)


def _feed_url(request: HttpRequest, feed: CalendarFeed | None) -> str:
    if feed is None:
        return ""
    return request.build_absolute_uri(
        reverse("calendar_feed:feed", args=[request.membership.school.slug, feed.token])
    )


def _page_url(request: HttpRequest, enrolment) -> str:
    url = reverse("schedule:calendar_feeds", args=[request.membership.school.slug])
    return f"{url}?stagiaire={enrolment.pk}" if enrolment is not None else url


def _owner_context(request: HttpRequest, enrolment) -> dict:
    feed = reads.active_feed(request.membership, enrolment=enrolment)
    return {"enrolment": enrolment, "feed": feed, "feed_url": _feed_url(request, feed)}


@school_view(Perm.VIEW_SCHEDULE)
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    enrolment = _trainee(request)
    may_manage = has_perm(membership, Perm.MANAGE_SCHEDULE)
    context = {
        "own": _owner_context(request, None),
        "trainee": _owner_context(request, enrolment) if enrolment is not None else None,
        "may_manage": may_manage,
        "trainees": list(reads.trainees_in_progress(membership)) if may_manage else [],
        "selected": enrolment.pk if enrolment is not None else None,
    }
    return render(request, "schedule/calendar/feeds.html", context)


def _confirm(request: HttpRequest, *, revoke: bool) -> HttpResponse:
    membership = request.membership
    enrolment = _trainee(request)
    context = {**_owner_context(request, enrolment), "revoke": revoke, "error": ""}
    if request.method == "POST":
        try:
            if revoke:
                if context["feed"] is None:
                    raise ValidationError(_("Aucun abonnement actif à révoquer."))
                services.revoke_feed(
                    membership=membership, feed=context["feed"], ip_address=client_ip(request)
                )
                messages.success(
                    request, _("L'abonnement est révoqué : son adresse ne répond plus.")
                )
            else:
                services.create_feed(
                    membership=membership, enrolment=enrolment, ip_address=client_ip(request)
                )
                messages.success(
                    request,
                    _(
                        "Nouvelle adresse d'abonnement créée ; l'ancienne, s'il y en avait une, "
                        "ne répond plus."
                    ),
                )
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            return redirect(_page_url(request, enrolment))
    return render(
        request,
        "schedule/calendar/confirm.html",
        context,
        status=400 if context["error"] else 200,
    )


@school_view(Perm.VIEW_SCHEDULE)
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    return _confirm(request, revoke=False)


@school_view(Perm.VIEW_SCHEDULE)
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    return _confirm(request, revoke=True)


def _event(session: Session, school_slug: str) -> Event:
    event = Event()
    event.add("uid", f"session-{session.pk}.{school_slug}@parcours")
    event.add("dtstamp", session.created_at.astimezone(datetime.UTC))
    # The workshop's name only: a session's own title is free text (it could name a trainee)
    # and feeds end up in third-party calendar services.
    event.add("summary", session.workshop_type.name)
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    event.add("location", f"{session.site.name}, {session.room.name}")
    return event


def feed_calendar(feed: CalendarFeed, today: datetime.date | None = None) -> bytes:
    """The feed's sessions as an iCalendar file."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=DAYS_BEFORE)
    end = today + datetime.timedelta(days=DAYS_AFTER)
    calendar = Calendar()
    calendar.add("prodid", "-//Parcours//Planning//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Planning — %(school)s") % {"school": feed.school.name})
    for session in reads.feed_sessions(feed, start, end):
        calendar.add_component(_event(session, feed.school.slug))
    calendar.add_missing_timezones()
    return calendar.to_ical()


@require_safe
def feed(request: HttpRequest, school_slug: str, feed_token: str) -> HttpResponse:
    calendar_feed = reads.public_feed(school_slug, feed_token)
    response = HttpResponse(
        feed_calendar(calendar_feed), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = f'inline; filename="planning-{school_slug}.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("planning/calendriers/", calendar_feeds, name="calendar_feeds"),
    path("planning/calendriers/creer/", calendar_feed_create, name="calendar_feed_create"),
    path("planning/calendriers/revoquer/", calendar_feed_revoke, name="calendar_feed_revoke"),
]

public_urlpatterns = [path("<slug:school_slug>/<str:feed_token>.ics", feed, name="feed")]
