"""Reads of exits for the exit screens and the trainee page, scoped to the membership's school.

Every read filters on ``membership.school``: another school's enrolment or exit is a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Site
from parcours.pathways.models import Enrolment

from .destinations import GROUPS
from .models import Exit, ExitFollowUp, FollowUpWave, follow_up_due_on
from .services_exits import undo_deadline, undo_refusal


def get_enrolment(membership: Membership, pk: int) -> Enrolment:
    """An enrolment of the school (with its person and site), or 404."""
    return get_object_or_404(
        Enrolment.objects.filter(school=membership.school).select_related(
            "person", "site", "school"
        ),
        pk=pk,
    )


def get_exit(membership: Membership, pk: int) -> Exit:
    """An exit of the school (with its enrolment, person and hire), or 404."""
    return get_object_or_404(
        Exit.objects.filter(school=membership.school).select_related(
            "enrolment__person", "enrolment__site", "enrolment__school", "hire__company", "school"
        ),
        pk=pk,
    )


def exit_list(
    membership: Membership,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    site: Site | None = None,
    group: str = "",
) -> QuerySet[Exit]:
    """The school's exits, newest first, with what the list shows (one query per page)."""
    if not has_perm(membership, Perm.VIEW_TRAINEES):
        return Exit.objects.none()
    exits = Exit.objects.filter(school=membership.school).select_related(
        "enrolment__person", "enrolment__site", "enrolment__referent__user"
    )
    if start is not None:
        exits = exits.filter(exit_date__gte=start)
    if end is not None:
        exits = exits.filter(exit_date__lte=end)
    if site is not None:
        exits = exits.filter(enrolment__site=site)
    if group:
        exits = exits.filter(destination__in=GROUPS.get(group, ()))
    return exits.order_by("-exit_date", "-pk")


def exit_years(membership: Membership) -> list[int]:
    """The years in which the school has exits, newest first."""
    dates = Exit.objects.filter(school=membership.school).dates("exit_date", "year", order="DESC")
    return [d.year for d in dates]


def school_sites(membership: Membership) -> list[Site]:
    return list(Site.objects.filter(school=membership.school).order_by("name"))


@dataclass(frozen=True)
class WaveRow:
    """One follow-up wave of an exit: its row when created, or when it will fall due."""

    wave: int
    label: str
    due_on: datetime.date
    follow_up: ExitFollowUp | None


@dataclass(frozen=True)
class TraineeExit:
    exit: Exit
    waves: list[WaveRow]
    undo_refusal: str
    undo_until: datetime.datetime


def trainee_exit(enrolment: Enrolment) -> TraineeExit | None:
    """The exit section of the trainee page (two queries; none for an enrolment in progress)."""
    if enrolment.status != "exited":
        return None
    exit_ = (
        Exit.objects.filter(enrolment=enrolment, school=enrolment.school_id)
        .select_related("hire__company", "recorded_by")
        .first()
    )
    if exit_ is None:
        return None
    follow_ups = list(exit_.follow_ups.select_related("recorded_by").order_by("wave"))
    by_wave = {f.wave: f for f in follow_ups}
    waves = [
        WaveRow(
            wave=wave,
            label=str(label),
            due_on=by_wave[wave].due_on
            if wave in by_wave
            else follow_up_due_on(exit_.exit_date, wave),
            follow_up=by_wave.get(wave),
        )
        for wave, label in FollowUpWave.choices
    ]
    return TraineeExit(
        exit=exit_,
        waves=waves,
        undo_refusal=undo_refusal(exit_, follow_ups),
        undo_until=undo_deadline(exit_),
    )
