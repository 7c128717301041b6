"""Every read of organisation data, scoped to what the requesting membership may see."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .access import Perm, has_perm
from .models import (
    STAFF_ROLES,
    FundingAgreement,
    Membership,
    Network,
    Partner,
    Role,
    Room,
    School,
    Site,
)

#: Staff listed as an organisation chart reads: direction first.
ROLE_ORDER = Case(
    *(When(role=role, then=Value(rank)) for rank, role in enumerate(Role)),
    default=Value(99),
    output_field=IntegerField(),
)


def _today() -> datetime.date:
    return timezone.localdate()


def sites_for(membership: Membership, *, include_closed: bool = False) -> QuerySet[Site]:
    """The school's sites, each with its rooms prefetched and its room counts annotated."""
    today = _today()
    rooms = Room.objects.filter(school=membership.school).order_by("name")
    if not include_closed:
        rooms = rooms.active_on(today)
    sites = Site.objects.filter(school=membership.school)
    if not include_closed:
        sites = sites.active_on(today)
    return sites.prefetch_related(Prefetch("rooms", queryset=rooms, to_attr="current_rooms"))


def get_site(membership: Membership, pk: int) -> Site:
    return get_object_or_404(sites_for(membership, include_closed=True), pk=pk)


def rooms_for(membership: Membership) -> QuerySet[Room]:
    return Room.objects.filter(school=membership.school).select_related("site")


def get_room(membership: Membership, pk: int) -> Room:
    return get_object_or_404(rooms_for(membership), pk=pk)


def premises_summary(membership: Membership, day: datetime.date | None = None) -> dict[str, int]:
    """Counts of the school's active sites, rooms, computer rooms and surface on ``day``
    (computed by ``reporting.indicators.premises``)."""
    from parcours.reporting.indicators import premises  # reporting reads every app

    return premises(membership.school, day or _today())


def staff_for(membership: Membership) -> QuerySet[Membership]:
    """The school's staff memberships active today (employees only, not partner accounts)."""
    if not has_perm(membership, Perm.VIEW_STAFF):
        return Membership.objects.none()
    return (
        Membership.objects.active_on(_today())
        .filter(school=membership.school, role__in=STAFF_ROLES)
        .select_related("user")
        .annotate(role_rank=ROLE_ORDER)
        .order_by("role_rank", "user__last_name", "user__first_name")
    )


def partners_for(membership: Membership) -> QuerySet[Partner]:
    if not has_perm(membership, Perm.VIEW_PARTNERS):
        return Partner.objects.none()
    return Partner.objects.filter(school=membership.school).order_by("name")


def get_partner(membership: Membership, pk: int) -> Partner:
    return get_object_or_404(partners_for(membership), pk=pk)


def funding_for(membership: Membership) -> QuerySet[FundingAgreement]:
    """Funding agreements: all of the school's for the direction, a funder's own for a funder."""
    if not has_perm(membership, Perm.VIEW_FUNDING):
        return FundingAgreement.objects.none()
    qs = FundingAgreement.objects.filter(school=membership.school).select_related("funder")
    if membership.role == "funder":
        qs = qs.filter(funder_id=membership.partner_id)
    return qs.order_by("-year", "funder__name", "purpose")


def get_funding(membership: Membership, pk: int) -> FundingAgreement:
    return get_object_or_404(funding_for(membership), pk=pk)


def network_schools(membership: Membership, day: datetime.date | None = None):
    """The network's schools active on ``day`` with their counts of active sites (no people)."""
    day = day or _today()
    if not has_perm(membership, Perm.VIEW_NETWORK):
        return School.objects.none()
    active_sites = Q(sites__opened_on__isnull=True) | Q(sites__opened_on__lte=day)
    active_sites &= Q(sites__closed_on__isnull=True) | Q(sites__closed_on__gte=day)
    return (
        School.objects.filter(network=membership.network)
        .active_on(day)
        .annotate(active_sites=Count("sites", filter=active_sites))
        .order_by("name")
    )


def get_network(membership: Membership) -> Network:
    return membership.network


def get_active_member(membership: Membership, pk: int) -> Membership:
    """A membership of the school active today (any role), for the director's staff actions."""
    if not has_perm(membership, Perm.MANAGE_STAFF):
        raise Http404
    queryset = Membership.objects.active_on(_today()).filter(school=membership.school)
    return get_object_or_404(queryset.select_related("user"), pk=pk)


def ended_members_for(membership: Membership) -> QuerySet[Membership]:
    """The school's memberships that have ended (deactivated or left), latest first."""
    if not has_perm(membership, Perm.MANAGE_STAFF):
        return Membership.objects.none()
    return (
        Membership.objects.filter(school=membership.school, active_until__lt=_today())
        .select_related("user")
        .order_by("-active_until", "user__last_name", "user__first_name")
    )


def get_ended_member(membership: Membership, pk: int) -> Membership:
    return get_object_or_404(ended_members_for(membership), pk=pk)
