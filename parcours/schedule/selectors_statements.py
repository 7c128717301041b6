"""Scoped reads of the monthly statements, the rates and the calendar feeds."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from parcours.organisations.models import Membership, School
from parcours.pathways.models import Enrolment
from parcours.pathways.selectors import enrolments_for

from .models import AttendanceMark, CalendarFeed, ClosedMonth, Session

# ------------------------------------------------------------------------------ statements


def enrolment_marks(
    enrolment: Enrolment, start: datetime.date | None = None, end: datetime.date | None = None
) -> QuerySet[AttendanceMark]:
    """The marks of one enrolment (fetched through a scoped selector), between two days."""
    marks = AttendanceMark.objects.filter(school=enrolment.school_id, enrolment=enrolment)
    if start is not None:
        marks = marks.filter(day__gte=start)
    if end is not None:
        marks = marks.filter(day__lte=end)
    return marks.only("enrolment_id", "day", "half", "status").order_by("day", "half")


def school_marks(
    membership: Membership, start: datetime.date, end: datetime.date
) -> QuerySet[AttendanceMark]:
    """Every mark of the membership's school between two days (one query)."""
    return (
        AttendanceMark.objects.filter(school=membership.school_id, day__range=(start, end))
        .only("enrolment_id", "day", "half", "status")
        .order_by("enrolment_id", "day", "half")
    )


def statement_enrolments(
    membership: Membership, start: datetime.date, end: datetime.date
) -> list[Enrolment]:
    """The school's enrolments in progress between ``start`` and ``end`` or with marks then,
    with their person, ordered by name (one query)."""
    marked = AttendanceMark.objects.filter(
        school=membership.school_id, day__range=(start, end)
    ).values("enrolment_id")
    in_progress = Q(entry_date__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    return list(
        Enrolment.objects.filter(school=membership.school_id)
        .filter(in_progress | Q(pk__in=marked))
        .select_related("person", "site")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def closed_month(school: School | int, month: datetime.date) -> ClosedMonth | None:
    return ClosedMonth.objects.filter(school=school, month=month.replace(day=1)).first()


# ------------------------------------------------------------------------------ calendar feeds


def active_feed(
    membership: Membership, *, owner: Membership | None = None, enrolment: Enrolment | None = None
) -> CalendarFeed | None:
    """The active feed of a staff member or of a trainee of the membership's school."""
    feeds = CalendarFeed.objects.filter(school=membership.school_id, revoked_at__isnull=True)
    if enrolment is not None:
        feeds = feeds.filter(enrolment=enrolment)
    else:
        feeds = feeds.filter(membership=owner or membership)
    return feeds.order_by("-created_at", "-pk").first()


def feed_trainee(membership: Membership, value: str | None) -> Enrolment | None:
    """The trainee named by ``?stagiaire=<id>`` (404 when unknown or of another school)."""
    if not value:
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404("Stagiaire inconnu·e.") from None
    enrolment = enrolments_for(membership).filter(pk=pk).first()
    if enrolment is None:
        raise Http404("Stagiaire inconnu·e.")
    return enrolment


def trainees_in_progress(membership: Membership) -> QuerySet[Enrolment]:
    """The school's enrolments in progress (the trainee picker of the calendar page)."""
    return (
        Enrolment.objects.filter(school=membership.school_id, status="active")
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def public_feed(school_slug: str, token: str) -> CalendarFeed:
    """An active feed by its token in the school of that slug (404 otherwise: revoked, unknown,
    another school's token, a staff member who left)."""
    feed = (
        CalendarFeed.objects.filter(school__slug=school_slug, token=token, revoked_at__isnull=True)
        .select_related("school", "membership__user", "enrolment")
        .first()
    )
    if feed is None:
        raise Http404("Abonnement inconnu ou révoqué.")
    today = timezone.localdate()
    owner = feed.membership
    if owner is not None and (
        owner.school_id != feed.school_id
        or (owner.active_until is not None and owner.active_until < today)
        or not owner.user.is_active  # an account switched off: its feeds stop at once
    ):
        raise Http404("Abonnement inconnu ou révoqué.")
    return feed


def feed_sessions(
    feed: CalendarFeed, start: datetime.date, end: datetime.date
) -> QuerySet[Session]:
    """The sessions of a feed's trainer or trainee between two days (one query)."""
    sessions = Session.objects.filter(school=feed.school_id, day__range=(start, end))
    if feed.enrolment_id is not None:
        sessions = sessions.filter(participants__enrolment_id=feed.enrolment_id)
    else:
        sessions = sessions.filter(trainer_id=feed.membership_id)
    return sessions.select_related("site", "room", "workshop_type").order_by("starts_at", "pk")
