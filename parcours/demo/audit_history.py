"""A recent sample of the flagship school's audit trail, so the director's journal shows what
two weeks of use look like.

Consistent with the demo's records: each event describes something that the demo data says
happened in the last fourteen days — a meeting held and written up by its author, a session's
attendance taken by its trainer — or a read that changes no figure (a referent opening the
health section of one of their trainees, a document downloaded, the trainee list exported).
Events are written through ``record_event`` and then dated at their moment (the one place,
with ``reset_demo``, allowed to touch an audit row: the demo builds history after the fact).
History older than two weeks carries no event, as before: an event dated today for a 2018
record would be a false trail.
"""

from __future__ import annotations

import datetime
import random

from django.db import models
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.audit.services import record_event
from parcours.organisations.models import Membership, Role, School
from parcours.pathways.models import (
    Document,
    Enrolment,
    EnrolmentStatus,
    Meeting,
    SupportAction,
    SupportDomain,
)
from parcours.schedule.models import Session

SEED = 20261127
WINDOW_DAYS = 14
MEETINGS = 12
SESSIONS = 10
HEALTH_READS = 6
DOWNLOADS = 5


def _address(user_id: int) -> str:
    """A stable address per person on the school's network (10.0.0.x)."""
    return f"10.0.0.{10 + user_id % 200}"


def _moment(rng: random.Random, day: datetime.date, first: int = 8, last: int = 17):
    at = datetime.time(rng.randint(first, last), rng.randint(0, 59), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _write(rng, when, **kwargs) -> None:
    event = record_event(**kwargs)
    # Below the append-only guard on purpose (see the module docstring).
    models.QuerySet(AuditEvent).filter(pk=event.pk).update(created_at=when)


def build_audit_sample(school: School, today: datetime.date | None = None) -> int:
    """Write the sample of ``school``'s last two weeks; return how many events."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=WINDOW_DAYS)
    rng = random.Random(SEED)
    count = 0

    meetings = (
        Meeting.objects.filter(school=school, held_on__gte=start, held_on__lt=today)
        .select_related("author")
        .order_by("-held_on", "-pk")[:MEETINGS]
    )
    for meeting in meetings:
        _write(
            rng,
            _moment(rng, meeting.held_on, 14, 18),
            actor=meeting.author,
            action="meeting.create",
            target=meeting,
            school=school,
            changes={"enrolment": meeting.enrolment_id, "confidential": meeting.confidential},
            ip_address=_address(meeting.author_id),
        )
        count += 1

    sessions = (
        Session.objects.filter(school=school, day__gte=start, day__lt=today)
        .filter(marks__isnull=False)
        .select_related("trainer__user")
        .distinct()
        .order_by("-day", "-start_time", "-pk")[:SESSIONS]
    )
    for session in sessions:
        marks = session.marks.count()
        _write(
            rng,
            timezone.make_aware(datetime.datetime.combine(session.day, session.start_time))
            + datetime.timedelta(minutes=rng.randint(5, 25)),
            actor=session.trainer.user,
            action="attendance.mark_session",
            target=session,
            school=school,
            changes={"created": marks, "updated": 0, "corrections": 0},
            ip_address=_address(session.trainer.user_id),
        )
        count += 1

    with_health = (
        Enrolment.objects.filter(
            school=school,
            status=EnrolmentStatus.ACTIVE,
            referent__isnull=False,
            pk__in=SupportAction.objects.filter(school=school, domain=SupportDomain.HEALTH).values(
                "enrolment_id"
            ),
        )
        .select_related("referent__user")
        .order_by("pk")[:HEALTH_READS]
    )
    for enrolment in with_health:
        user = enrolment.referent.user
        day = today - datetime.timedelta(days=rng.randint(1, WINDOW_DAYS - 1))
        when = _moment(rng, day)
        for offset, section in enumerate(("trainee_page", "support")):
            _write(
                rng,
                when + datetime.timedelta(minutes=offset),
                actor=user,
                action=f"restricted.read.{section}",
                target=enrolment,
                school=school,
                changes={"enrolment": enrolment.pk},
                ip_address=_address(user.pk),
            )
            count += 1

    director = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR)
        .select_related("user")
        .order_by("active_from", "pk")
        .first()
    )
    documents = (
        Document.objects.filter(school=school)
        .exclude(kind="health")
        .select_related("enrolment__referent__user")
        .order_by("-pk")[:DOWNLOADS]
    )
    for document in documents:
        referent = document.enrolment.referent
        user = referent.user if referent is not None else director.user if director else None
        if user is None:
            continue
        day = today - datetime.timedelta(days=rng.randint(1, WINDOW_DAYS - 1))
        _write(
            rng,
            _moment(rng, day),
            actor=user,
            action="document.download",
            target=document,
            school=school,
            changes={"enrolment": document.enrolment_id},
            ip_address=_address(user.pk),
        )
        count += 1

    if director is not None:
        active = Enrolment.objects.filter(school=school, status=EnrolmentStatus.ACTIVE).count()
        _write(
            rng,
            _moment(rng, today - datetime.timedelta(days=3), 9, 11),
            actor=director.user,
            action="export.trainees",
            school=school,
            changes={"rows": active, "format": "xlsx", "filters": {"statut": "active"}},
            ip_address=_address(director.user_id),
        )
        count += 1
    return count
