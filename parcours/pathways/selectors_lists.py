"""Reads of the trainee list, the caseloads page and the pathway settings, scoped to a membership.

They build on :func:`selectors.enrolments_for` (which already checks ``Perm.VIEW_TRAINEES``
and scopes to the school) and return querysets that the views paginate, so that a page runs a
fixed number of queries whatever its number of rows.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Role, Site

from .models import (
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentPhase,
    EnrolmentStatus,
    FundingLine,
    PhaseDefinition,
)
from .selectors import enrolments_for

#: Roles that may hold a caseload (``services.reassign`` accepts the same).
REFERENT_ROLES = (Role.REFERENT, Role.DIRECTOR)

#: Sort keys of the trainee list (``?tri=``): key → ORDER BY. Unknown keys fall back to "nom".
SORTS: dict[str, tuple] = {
    "nom": (Lower("person__last_name"), Lower("person__first_name"), "pk"),
    "-nom": (Lower("person__last_name").desc(), Lower("person__first_name").desc(), "-pk"),
    "entree": ("entry_date", "pk"),
    "-entree": ("-entry_date", "-pk"),
    "fin": ("planned_end_date", "pk"),
    "-fin": ("-planned_end_date", "-pk"),
    "referent": (
        F("referent__user__last_name").asc(nulls_last=True),
        F("referent__user__first_name").asc(nulls_last=True),
        Lower("person__last_name"),
        "pk",
    ),
    "-referent": (
        F("referent__user__last_name").desc(nulls_last=True),
        F("referent__user__first_name").desc(nulls_last=True),
        Lower("person__last_name").desc(),
        "-pk",
    ),
}
DEFAULT_SORT = "nom"


def _today() -> datetime.date:
    return timezone.localdate()


def sort_key(value: str | None) -> str:
    """A whitelisted sort key (anything else gives the default)."""
    return value if value in SORTS else DEFAULT_SORT


def trainee_list(membership: Membership) -> QuerySet[Enrolment]:
    """The enrolments of the trainee list, with their funding lines prefetched (``funding``)."""
    return enrolments_for(membership).prefetch_related(
        Prefetch("funding_lines", queryset=FundingLine.objects.order_by("name"), to_attr="funding")
    )


def search(enrolments: QuerySet[Enrolment], text: str) -> QuerySet[Enrolment]:
    """Enrolments whose person's last or first name contains every word of ``text``."""
    for word in text.split()[:5]:
        enrolments = enrolments.filter(
            Q(person__last_name__icontains=word) | Q(person__first_name__icontains=word)
        )
    return enrolments


def with_referent(enrolments: QuerySet[Enrolment], referent_id: int | None) -> QuerySet:
    """Enrolments followed by ``referent_id`` (``None``: with no referent)."""
    if referent_id is None:
        return enrolments.filter(referent__isnull=True)
    return enrolments.filter(referent_id=referent_id)


def in_phase(enrolments: QuerySet[Enrolment], phase: PhaseDefinition) -> QuerySet[Enrolment]:
    current = EnrolmentPhase.objects.filter(
        enrolment=OuterRef("pk"), phase=phase, ended_on__isnull=True
    )
    return enrolments.filter(Exists(current))


def under_funding_line(enrolments: QuerySet[Enrolment], line: FundingLine) -> QuerySet:
    attached = EnrolmentFundingLine.objects.filter(enrolment=OuterRef("pk"), funding_line=line)
    return enrolments.filter(Exists(attached))


def overdue(enrolments: QuerySet[Enrolment], today: datetime.date | None = None) -> QuerySet:
    """Still in progress after their planned end (same rule as ``selectors.is_overdue``)."""
    return enrolments.filter(status=EnrolmentStatus.ACTIVE, planned_end_date__lt=today or _today())


def sorted_by(enrolments: QuerySet[Enrolment], key: str) -> QuerySet[Enrolment]:
    return enrolments.order_by(*SORTS[sort_key(key)])


# ---------------------------------------------------------------- choices of the filters


def school_sites(membership: Membership) -> QuerySet[Site]:
    """Every site of the school, closed ones included (old enrolments point at them)."""
    return Site.objects.filter(school=membership.school).order_by("name")


def referents(membership: Membership, *, active_only: bool = False) -> QuerySet[Membership]:
    """Memberships of the school that may hold a caseload (referents and the direction)."""
    if not has_perm(membership, Perm.VIEW_TRAINEES):
        return Membership.objects.none()
    qs = Membership.objects.filter(school=membership.school, role__in=REFERENT_ROLES)
    if active_only:
        qs = qs.active_on(_today())
    return qs.select_related("user").order_by("user__last_name", "user__first_name", "pk")


def phase_definitions(membership: Membership) -> QuerySet[PhaseDefinition]:
    """All the school's phases in order, in use or not, with ``open_count``: the enrolments
    currently in each phase."""
    open_steps = (
        EnrolmentPhase.objects.filter(phase=OuterRef("pk"), ended_on__isnull=True)
        .order_by()
        .values("phase")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return phase_choices(membership).annotate(
        open_count=Coalesce(Subquery(open_steps), V(0), output_field=IntegerField())
    )


def phase_choices(membership: Membership) -> QuerySet[PhaseDefinition]:
    """All the school's phases in order, in use or not, active or not (the phase filters of
    the trainee list and the competency progress: without the counts of
    :func:`phase_definitions`, which they do not show). Not ``selectors.school_phases``: the
    active phases only, for choosing a trainee's next phase."""
    return PhaseDefinition.objects.filter(school=membership.school).order_by("position")


def funding_lines() -> QuerySet[FundingLine]:
    """The network's funding lines (reference data, shared by every school)."""
    return FundingLine.objects.order_by("name")


# ------------------------------------------------------------------------------ caseloads


def active_enrolments(membership: Membership) -> QuerySet[Enrolment]:
    """The school's enrolments in progress (the ones that may be reassigned)."""
    if not has_perm(membership, Perm.MANAGE_CASELOADS):
        return Enrolment.objects.none()
    return enrolments_for(membership).filter(status=EnrolmentStatus.ACTIVE)


def unassigned(membership: Membership) -> QuerySet[Enrolment]:
    """Enrolments in progress with no referent, by name."""
    return active_enrolments(membership).filter(referent__isnull=True).order_by(*SORTS["nom"])
