"""Reads of the follow-ups after the exit (suivis à 3, 6 et 12 mois), scoped to a membership.

The to-do list "Suivis après la sortie" shows, by default, the follow-ups still to do of the
member's caseload (a referent) or of the whole school (the direction and the other roles).
Another school's follow-up is a 404.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Role

from .models import ExitFollowUp, FollowUpStatus

#: A follow-up still to do this many days after its due date is "en retard".
OVERDUE_AFTER_DAYS = 30

SCOPE_MINE = "mine"
SCOPE_ALL = "all"
#: The status filter's value for "every status".
STATUS_ANY = "any"


def _today() -> datetime.date:
    return timezone.localdate()


def follow_ups_for(membership: Membership) -> QuerySet[ExitFollowUp]:
    """Every follow-up of the membership's school, with what a row of the list shows."""
    if not has_perm(membership, Perm.VIEW_TRAINEES):
        return ExitFollowUp.objects.none()
    return ExitFollowUp.objects.filter(school=membership.school).select_related(
        "school",
        "exit__enrolment__person",
        "exit__enrolment__referent__user",
        "recorded_by",
    )


def get_follow_up(membership: Membership, pk: int) -> ExitFollowUp:
    return get_object_or_404(follow_ups_for(membership), pk=pk)


def default_scope(membership: Membership) -> str:
    """A referent starts with their caseload; everybody else with the whole school."""
    return SCOPE_MINE if membership.role == Role.REFERENT else SCOPE_ALL


def overdue_before(today: datetime.date | None = None) -> datetime.date:
    """A follow-up still to do whose due date is before this day is overdue."""
    return (today or _today()) - datetime.timedelta(days=OVERDUE_AFTER_DAYS)


def filter_follow_ups(
    follow_ups: QuerySet[ExitFollowUp],
    *,
    membership: Membership,
    scope: str = SCOPE_ALL,
    wave: int | None = None,
    status: str = FollowUpStatus.DUE,
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[ExitFollowUp]:
    """The list's filters: the member's caseload or the school, a wave, a status (``any`` for
    all), only the overdue ones (still to do more than a month after their due date)."""
    if scope == SCOPE_MINE:
        follow_ups = follow_ups.filter(exit__enrolment__referent=membership)
    if wave:
        follow_ups = follow_ups.filter(wave=wave)
    if status and status != STATUS_ANY:
        follow_ups = follow_ups.filter(status=status)
    if status == FollowUpStatus.DUE:
        # Not due yet (an exit corrected to a later date), or overtaken: a later wave of the
        # same exit already recorded says more than this one could.
        overtaken = ExitFollowUp.objects.filter(
            exit=OuterRef("exit"),
            wave__gt=OuterRef("wave"),
            status__in=[FollowUpStatus.REACHED, FollowUpStatus.UNREACHABLE],
        )
        follow_ups = follow_ups.filter(due_on__lte=today or timezone.localdate()).exclude(
            Exists(overtaken)
        )
    if overdue:
        follow_ups = follow_ups.filter(status=FollowUpStatus.DUE, due_on__lt=overdue_before(today))
    return follow_ups.order_by("due_on", "exit__exit_date", "pk")


def other_waves(follow_up: ExitFollowUp) -> list[ExitFollowUp]:
    """The exit's other follow-ups (what was found at the other waves), in wave order."""
    return list(
        ExitFollowUp.objects.filter(exit_id=follow_up.exit_id)
        .exclude(pk=follow_up.pk)
        .order_by("wave")
    )
