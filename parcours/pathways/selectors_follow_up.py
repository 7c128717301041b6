"""Reads of the follow-up screens: meetings, support actions, documents, restricted sharing.

Every function takes an enrolment already read through ``selectors.get_enrolment`` (so scoped
to the membership's school) and leaves restricted content out unless
``visibility.can_read_restricted`` allows it: a restricted object asked for by id is a 404 for
whoever may not read it, exactly like an object of another school.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Role

from . import visibility
from .models import (
    RESTRICTED_DOMAINS,
    Document,
    DocumentKind,
    Enrolment,
    Meeting,
    RestrictedShare,
    SupportAction,
    SupportDomain,
)

# ------------------------------------------------------------------------------ meetings


def get_meeting(membership: Membership, enrolment: Enrolment, pk: int) -> Meeting:
    """One meeting of the enrolment (its summary may still be confidential: see the view)."""
    meetings = Meeting.objects.filter(school=membership.school, enrolment=enrolment).select_related(
        "author"
    )
    return get_object_or_404(meetings, pk=pk)


# ------------------------------------------------------------------------ social support


def support_actions_for(
    membership: Membership, enrolment: Enrolment, *, may_read: bool | None = None
) -> QuerySet[SupportAction]:
    """The enrolment's support actions, health ones only for who may read them; none for
    whoever may not see social support (company-relations staff)."""
    if not has_perm(membership, Perm.VIEW_SUPPORT):
        return SupportAction.objects.none()
    if may_read is None:
        may_read = visibility.can_read_restricted(membership, enrolment)
    actions = SupportAction.objects.filter(
        school=membership.school, enrolment=enrolment
    ).select_related("author")
    if not may_read:
        actions = actions.exclude(domain__in=RESTRICTED_DOMAINS)
    return actions


def get_support_action(membership: Membership, enrolment: Enrolment, pk: int) -> SupportAction:
    """One support action; a health action is a 404 for whoever may not read it."""
    return get_object_or_404(support_actions_for(membership, enrolment), pk=pk)


@dataclass
class DomainGroup:
    domain: str
    label: str
    actions: list[SupportAction] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def open_count(self) -> int:
        return sum(1 for action in self.actions if action.closed_on is None)

    @property
    def hours(self) -> Decimal:
        return sum((action.hours for action in self.actions), Decimal(0))

    @property
    def restricted(self) -> bool:
        return self.domain in RESTRICTED_DOMAINS


def support_overview(membership: Membership, enrolment: Enrolment) -> dict:
    """Support actions grouped by domain (open ones first), with counts: one query.

    ``restricted_shown`` says whether a health action is in the result (the view audits it).
    Who may not read health content gets no health group at all, not even an empty count.
    """
    may_read = visibility.can_read_restricted(membership, enrolment)
    actions = list(
        support_actions_for(membership, enrolment, may_read=may_read).order_by("-opened_on", "-id")
    )
    groups = {
        domain.value: DomainGroup(domain.value, domain.label)
        for domain in SupportDomain
        if may_read or domain not in RESTRICTED_DOMAINS
    }
    for action in sorted(actions, key=lambda a: a.closed_on is not None):  # stable: open first
        groups[action.domain].actions.append(action)
    return {
        "groups": [group for group in groups.values() if group.actions],
        "counts": list(groups.values()),
        "total": len(actions),
        "open_total": sum(1 for action in actions if action.closed_on is None),
        "may_read_restricted": may_read,
        "restricted_shown": any(action.is_restricted for action in actions),
    }


# ----------------------------------------------------------------------------- documents


def documents_for(
    membership: Membership, enrolment: Enrolment, *, may_read: bool | None = None
) -> QuerySet[Document]:
    """The enrolment's documents, newest first; health ones only for who may read them."""
    if may_read is None:
        may_read = visibility.can_read_restricted(membership, enrolment)
    documents = Document.objects.filter(
        school=membership.school, enrolment=enrolment
    ).select_related("uploaded_by")
    if not may_read:
        documents = documents.exclude(kind=DocumentKind.HEALTH)
    return documents.order_by("-uploaded_at", "-id")


def get_document(membership: Membership, enrolment: Enrolment, pk: int) -> Document:
    """One document; a health document is a 404 for whoever may not read it."""
    return get_object_or_404(documents_for(membership, enrolment), pk=pk)


# ------------------------------------------------------------------ restricted sharing


def restricted_access(membership: Membership, enrolment: Enrolment) -> dict:
    """Who reads the enrolment's restricted sections: its referent, the direction, the shares.

    Only for who may share them (the referent and the direction); anyone else gets a 404.
    """
    if not visibility.can_share_restricted(membership, enrolment):
        raise Http404
    directors = list(
        Membership.objects.active_on(timezone.localdate())
        .filter(school=membership.school, role=Role.DIRECTOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return {
        "referent": enrolment.referent,
        "directors": directors,
        "shares": list(shares_for(membership, enrolment)),
    }


def shares_for(membership: Membership, enrolment: Enrolment) -> QuerySet[RestrictedShare]:
    return (
        RestrictedShare.objects.filter(school=membership.school, enrolment=enrolment)
        .select_related("membership__user", "granted_by")
        .order_by("membership__user__last_name", "membership__user__first_name", "id")
    )


def get_share(membership: Membership, enrolment: Enrolment, pk: int) -> RestrictedShare:
    return get_object_or_404(shares_for(membership, enrolment), pk=pk)


def share_candidates(membership: Membership, enrolment: Enrolment) -> QuerySet[Membership]:
    """Colleagues the restricted sections may be shared with: the school's active referents and
    intake staff, other than the enrolment's referent and those who already have access."""
    shared = RestrictedShare.objects.filter(enrolment=enrolment).values("membership_id")
    candidates = (
        Membership.objects.active_on(timezone.localdate())
        .filter(school=membership.school, role__in=[Role.REFERENT, Role.INTAKE])
        .exclude(pk__in=shared)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    if enrolment.referent_id:
        candidates = candidates.exclude(pk=enrolment.referent_id)
    return candidates
