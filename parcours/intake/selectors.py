"""Every read of intake data, scoped to what the requesting membership may see.

A prescriber sees only the referrals they follow (``adviser``), never notes or decisions'
reasons; staff with ``VIEW_CANDIDATES`` see the school's candidates.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, School

from .models import (
    Decision,
    InfoSession,
    Interview,
    Referral,
    Registration,
    RegistrationStatus,
)


def referrals_for(membership: Membership) -> QuerySet[Referral]:
    """Referrals the membership may see: a prescriber's own, or all of the school's for staff."""
    qs = Referral.objects.filter(school=membership.school).select_related(
        "person", "prescriber", "adviser__user", "funding_line"
    )
    if has_perm(membership, Perm.VIEW_CANDIDATES):
        return qs
    if has_perm(membership, Perm.REFER):
        return qs.filter(adviser=membership)
    return qs.none()


def get_referral(membership: Membership, pk: int) -> Referral:
    return get_object_or_404(referrals_for(membership), pk=pk)


def referral_history(membership: Membership, referral: Referral) -> dict:
    """Interviews, decisions and registrations of a referral (staff only: notes included)."""
    if not has_perm(membership, Perm.VIEW_CANDIDATES):
        raise Http404
    return {
        "interviews": list(
            Interview.objects.filter(referral=referral).select_related("interviewer__user")
        ),
        "decisions": list(
            Decision.objects.filter(referral=referral).select_related("site", "decided_by")
        ),
        "registrations": list(
            Registration.objects.filter(referral=referral)
            .select_related("session__site")
            .order_by("-session__starts_at")
        ),
    }


def latest_decision(referral: Referral) -> Decision | None:
    return referral.decisions.order_by("-decided_on", "-id").first()


def sessions_for(membership: Membership) -> QuerySet[InfoSession]:
    if not has_perm(membership, Perm.VIEW_CANDIDATES):
        return InfoSession.objects.none()
    return (
        InfoSession.objects.filter(school=membership.school)
        .select_related("site", "room")
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            waiting=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLIST)
            ),
            attended_count=Count("registrations", filter=Q(registrations__attended=True)),
        )
    )


def get_session(membership: Membership, pk: int) -> InfoSession:
    return get_object_or_404(
        sessions_for(membership).prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.select_related("referral__person").order_by(
                    "created_at", "id"
                ),
            )
        ),
        pk=pk,
    )


def public_sessions(school: School, now: datetime.datetime | None = None) -> QuerySet[InfoSession]:
    """Upcoming sessions shown on the public agenda (no personal data)."""
    now = now or timezone.now()
    return (
        InfoSession.objects.filter(school=school, cancelled=False, starts_at__gt=now)
        .select_related("site", "room")
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
            )
        )
        .order_by("starts_at")
    )


def get_public_session(school: School, pk: int) -> InfoSession:
    return get_object_or_404(
        InfoSession.objects.filter(school=school, cancelled=False).select_related("site", "room"),
        pk=pk,
    )


def public_school(slug: str) -> School:
    """A school whose agenda is public: any open school of the network."""
    today = timezone.localdate()
    return get_object_or_404(School.objects.active_on(today), slug=slug)
