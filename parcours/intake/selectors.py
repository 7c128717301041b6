"""Every read of intake data, scoped to what the requesting membership may see.

A prescriber sees only the referrals they follow (``adviser``), never notes or decisions'
reasons; staff with ``VIEW_CANDIDATES`` see the school's candidates.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, School

from .models import (
    Decision,
    InfoSession,
    Interview,
    Outcome,
    Referral,
    Registration,
    RegistrationStatus,
    Stage,
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


# ------------------------------------------------------- info sessions: lists and registrations


def sessions_upcoming_first(
    membership: Membership, now: datetime.datetime | None = None
) -> QuerySet[InfoSession]:
    """The school's sessions: upcoming (or in progress) soonest first, then past ones, latest
    first."""
    now = now or timezone.now()
    return sessions_for(membership).order_by(
        Case(When(ends_at__gt=now, then=Value(0)), default=Value(1)),
        Case(When(ends_at__gt=now, then=F("starts_at"))).asc(nulls_last=True),
        F("starts_at").desc(),
        "pk",
    )


def get_registration(membership: Membership, pk: int) -> Registration:
    if not has_perm(membership, Perm.VIEW_CANDIDATES):
        raise Http404
    return get_object_or_404(
        Registration.objects.filter(school=membership.school).select_related(
            "session__site", "session__room", "referral__person"
        ),
        pk=pk,
    )


def referrals_to_register(membership: Membership, session: InfoSession) -> QuerySet[Referral]:
    """Open candidacies of the school not yet registered (or only cancelled) for ``session``."""
    already = Registration.objects.filter(session=session, referral__isnull=False).exclude(
        status=RegistrationStatus.CANCELLED
    )
    return (
        referrals_for(membership)
        .exclude(stage=Stage.ENTERED)
        .exclude(outcome__in=[Outcome.REFUSED, Outcome.WITHDRAWN])
        .exclude(pk__in=already.values("referral_id"))
        .order_by("person__last_name", "person__first_name", "-received_on", "pk")
    )


def get_public_registration(school: School, token: str) -> Registration:
    """A registration by its secret token (the link given to the person who registered)."""
    return get_object_or_404(
        Registration.objects.filter(school=school).select_related("session__site", "session__room"),
        token=token,
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; ``None`` when not on it."""
    if registration.status != RegistrationStatus.WAITLIST:
        return None
    ahead = Registration.objects.filter(
        session_id=registration.session_id, status=RegistrationStatus.WAITLIST
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


# ------------------------------------------------- referrals: status, advisers, rules versions


def with_status(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotate what a referral's status says (no free text): the latest decision's date and
    planned entry date (``last_decided_on``, ``last_planned_entry``) and the entry date
    (``entered_on``), in the same query as the list."""
    from django.db.models import OuterRef, Subquery

    latest = Decision.objects.filter(referral=OuterRef("pk")).order_by("-decided_on", "-id")
    return referrals.annotate(
        last_decided_on=Subquery(latest.values("decided_on")[:1]),
        last_planned_entry=Subquery(latest.values("planned_entry_date")[:1]),
        entered_on=F("enrolment__entry_date"),
    )


def advisers_for(membership: Membership) -> QuerySet[Membership]:
    """The school's prescriber accounts active today (advisers a referral can be assigned to)."""
    from parcours.organisations.models import Role

    if not has_perm(membership, Perm.MANAGE_INTAKE):
        return Membership.objects.none()
    return (
        Membership.objects.active_on(timezone.localdate())
        .filter(school=membership.school, role=Role.PRESCRIBER, partner__isnull=False)
        .select_related("user", "partner")
        .order_by("partner__name", "user__last_name", "user__first_name")
    )


def rules_versions(membership: Membership):
    """Every version of the school's eligibility rules, latest first, with special publics."""
    from .models import EligibilityRules

    if not has_perm(membership, Perm.VIEW_CANDIDATES):
        return EligibilityRules.objects.none()
    return (
        EligibilityRules.objects.filter(school=membership.school)
        .select_related("created_by")
        .prefetch_related("special_publics")
        .order_by("-version")
    )


def seats_taken(session: InfoSession) -> int:
    """Confirmed places of a session (the public agenda shows what is left)."""
    return Registration.objects.filter(
        session_id=session.pk, status=RegistrationStatus.CONFIRMED
    ).count()
