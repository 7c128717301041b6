"""Every read of the pathway, scoped to the membership's school and to what its role may see.

Restricted content (health support actions and documents, confidential meeting summaries) is
only returned when ``visibility.can_read_restricted`` allows it; the views audit those reads.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.intake.eligibility import add_months
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Role, School

from . import visibility
from .models import (
    RESTRICTED_DOMAINS,
    Document,
    DocumentKind,
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentPhase,
    Meeting,
    PhaseDefinition,
    Plan,
    ReferentChange,
    SupportAction,
)


def _today() -> datetime.date:
    return timezone.localdate()


def enrolments_for(membership: Membership) -> QuerySet[Enrolment]:
    """The school's enrolments with what every list shows (person, site, referent, phase)."""
    if not has_perm(membership, Perm.VIEW_TRAINEES):
        return Enrolment.objects.none()
    current_phase = EnrolmentPhase.objects.filter(
        enrolment=OuterRef("pk"), ended_on__isnull=True
    ).values("phase__name")[:1]
    current_phase_id = EnrolmentPhase.objects.filter(
        enrolment=OuterRef("pk"), ended_on__isnull=True
    ).values("phase_id")[:1]
    return (
        Enrolment.objects.filter(school=membership.school)
        .select_related("person", "site", "referent__user")
        .annotate(
            current_phase_name=Subquery(current_phase),
            current_phase_id=Subquery(current_phase_id),
        )
    )


def get_enrolment(membership: Membership, pk: int) -> Enrolment:
    return get_object_or_404(enrolments_for(membership), pk=pk)


def is_overdue(enrolment: Enrolment, today: datetime.date | None = None) -> bool:
    """Still in progress after its planned end."""
    today = today or _today()
    return enrolment.status == "active" and enrolment.planned_end_date < today


def max_end_date(enrolment: Enrolment, school: School) -> datetime.date:
    """The last day allowed by the school's maximum pathway length."""
    return add_months(enrolment.entry_date, school.max_pathway_months)


def exceeds_max_length(
    enrolment: Enrolment, school: School, today: datetime.date | None = None
) -> bool:
    """Still in progress after the school's maximum pathway length."""
    today = today or _today()
    return enrolment.status == "active" and max_end_date(enrolment, school) < today


def school_phases(membership: Membership) -> list[PhaseDefinition]:
    return list(
        PhaseDefinition.objects.filter(school=membership.school, active=True).order_by("position")
    )


def caseloads(membership: Membership) -> list[dict[str, Any]]:
    """Active trainees per referent (referents with none included), and the unassigned count."""
    if not has_perm(membership, Perm.MANAGE_CASELOADS):
        return []
    active = Q(caseload__status="active", caseload__school=membership.school)
    referents = (
        Membership.objects.active_on(_today())
        .filter(school=membership.school, role=Role.REFERENT)
        .select_related("user")
        .annotate(active_trainees=Count("caseload", filter=active))
        .order_by("user__last_name", "user__first_name")
    )
    return [{"membership": m, "count": m.active_trainees} for m in referents]


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime.date
    kind: str  # entry, phase, referent, meeting, support, document, plan, exit
    title: str
    detail: str = ""
    who: str = ""
    restricted: bool = False


def trainee_page(membership: Membership, enrolment: Enrolment) -> dict[str, Any]:
    """Everything the trainee page shows, in a fixed number of queries.

    Restricted items are left out unless the membership may read them; the returned
    ``restricted_shown`` says whether any restricted content is on the page (to audit it).
    """
    may_read = visibility.can_read_restricted(membership, enrolment)
    today = _today()
    phases = list(
        EnrolmentPhase.objects.filter(enrolment=enrolment)
        .select_related("phase", "moved_by")
        .order_by("started_on", "id")
    )
    meetings = list(
        Meeting.objects.filter(enrolment=enrolment)
        .select_related("author")
        .order_by("-held_on", "-id")
    )
    actions = SupportAction.objects.filter(enrolment=enrolment).select_related("author")
    if not may_read:
        actions = actions.exclude(domain__in=RESTRICTED_DOMAINS)
    # Company-relations staff see no social support at all (not even that there is some).
    may_see_support = has_perm(membership, Perm.VIEW_SUPPORT)
    actions = list(actions.order_by("-opened_on", "-id")) if may_see_support else []
    documents = Document.objects.filter(enrolment=enrolment).select_related("uploaded_by")
    if not may_read:
        documents = documents.exclude(kind=DocumentKind.HEALTH)
    documents = list(documents)
    plans = list(
        Plan.objects.filter(enrolment=enrolment)
        .select_related("created_by")
        .prefetch_related("target_jobs", "goals", "steps")
        .order_by("-version")
    )
    changes = list(
        ReferentChange.objects.filter(enrolment=enrolment).select_related(
            "previous__user", "new__user", "changed_by"
        )
    )
    funding = list(
        EnrolmentFundingLine.objects.filter(enrolment=enrolment)
        .select_related("funding_line")
        .order_by("funding_line__name")
    )
    situation = getattr(enrolment, "entry_situation", None)

    timeline: list[TimelineEntry] = [
        TimelineEntry(enrolment.entry_date, "entry", _("Entrée en parcours"), enrolment.site.name)
    ]
    for step in phases:
        timeline.append(
            TimelineEntry(
                step.started_on,
                "phase",
                _("Phase : %(name)s") % {"name": step.phase.name},
                step.backwards_reason or step.comment,
                step.moved_by.get_full_name() if step.moved_by else "",
            )
        )
    for change in changes:
        new = change.new.user.get_full_name() if change.new else _("aucun")
        timeline.append(
            TimelineEntry(
                timezone.localtime(change.changed_at).date(),
                "referent",
                _("Nouveau référent : %(name)s") % {"name": new},
                _("le %(when)s")
                % {"when": f"{timezone.localtime(change.changed_at):%d/%m/%Y %H:%M}"},
                change.changed_by.get_full_name(),
            )
        )
    for meeting in meetings:
        hidden = meeting.confidential and not may_read
        timeline.append(
            TimelineEntry(
                meeting.held_on,
                "meeting",
                meeting.get_kind_display(),
                _("Compte rendu confidentiel") if hidden else meeting.summary[:200],
                meeting.author.get_full_name(),
                restricted=meeting.confidential,
            )
        )
    for action in actions:
        timeline.append(
            TimelineEntry(
                action.opened_on,
                "support",
                _("Accompagnement : %(domain)s") % {"domain": action.get_domain_display()},
                action.description[:200],
                action.author.get_full_name(),
                restricted=action.is_restricted,
            )
        )
    for document in documents:
        timeline.append(
            TimelineEntry(
                timezone.localtime(document.uploaded_at).date(),
                "document",
                _("Document : %(title)s") % {"title": document.title},
                document.get_kind_display(),
                document.uploaded_by.get_full_name(),
                restricted=document.is_restricted,
            )
        )
    for plan in plans:
        timeline.append(
            TimelineEntry(
                timezone.localtime(plan.created_at).date(),
                "plan",
                _("Plan individuel, version %(n)d") % {"n": plan.version},
                plan.review_note,
                plan.created_by.get_full_name(),
            )
        )
    if enrolment.ended_on:
        timeline.append(TimelineEntry(enrolment.ended_on, "exit", _("Sortie du parcours")))
    # Newest first; on the same day, the later event first (the entry below its first phase).
    timeline.reverse()
    timeline.sort(key=lambda entry: entry.when, reverse=True)

    restricted_shown = may_read and (
        any(m.confidential for m in meetings)
        or any(a.is_restricted for a in actions)
        or any(d.is_restricted for d in documents)
    )
    current = next((p for p in phases if p.ended_on is None), None)
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "situation": situation,
        "funding_lines": [f.funding_line for f in funding],
        "phases": phases,
        "current_phase": current,
        "phase_durations": [(p, p.duration_days(today)) for p in phases],
        "meetings": meetings,
        "latest_meetings": meetings[:5],
        "open_actions": [a for a in actions if a.closed_on is None],
        "actions": actions,
        "documents": documents,
        "plan": plans[0] if plans else None,
        "plans": plans,
        "timeline": timeline,
        "may_read_restricted": may_read,
        "may_see_support": may_see_support,
        "restricted_shown": restricted_shown,
        "overdue": is_overdue(enrolment, today),
        "max_end_date": max_end_date(enrolment, membership.school),
        "max_exceeded": exceeds_max_length(enrolment, membership.school, today),
        "today": today,
    }


def support_counts_by_domain(
    school_id: int, start: datetime.date, end: datetime.date
) -> dict[str, int]:
    """Support actions opened in the period per domain: counts only, for reports."""
    rows = (
        SupportAction.objects.filter(school_id=school_id, opened_on__range=(start, end))
        .values("domain")
        .annotate(n=Count("id"))
    )
    return {row["domain"]: row["n"] for row in rows}
