"""Scoped reads of the schedule shared by every screen (each screen adds its own module)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership, School

from .models import DEFAULT_WORKSHOP_TYPES, ClosedMonth, Session, WorkshopType


def ensure_workshop_types(school: School) -> list[WorkshopType]:
    """The school's active workshop types (the defaults are created if it has none)."""
    if not WorkshopType.objects.filter(school=school).exists():
        WorkshopType.objects.bulk_create(
            WorkshopType(school=school, name=name, needs_computers=computers, position=index)
            for index, (name, computers) in enumerate(DEFAULT_WORKSHOP_TYPES)
        )
    return list(WorkshopType.objects.filter(school=school, active=True))


def sessions_for(membership: Membership) -> QuerySet[Session]:
    return Session.objects.filter(school=membership.school_id).select_related(
        "room", "site", "workshop_type", "trainer__user"
    )


def get_session(membership: Membership, pk: int) -> Session:
    return get_object_or_404(sessions_for(membership), pk=pk)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def is_month_closed(school: School | int, day: datetime.date) -> bool:
    return ClosedMonth.objects.filter(school=school, month=month_start(day)).exists()
