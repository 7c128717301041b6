"""Reads of the tutor reviews (bilans de stage) and of the tutors' private links.

Staff reads take the membership and are scoped to its school (another school's object is a
404). The public reads start from a token: only the SHA-256 of a token is stored, so a token
finds its own link, hence its own internship, and nothing else.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.competencies import selectors as competency_selectors
from parcours.competencies.models import Competency, Framework, LevelDescriptor, ScaleLevel
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership

from .models import Internship, ReviewCompetency, TutorLink, TutorReview

#: A review is overdue this many days after the internship's end.
OVERDUE_AFTER_DAYS = 7


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _today() -> datetime.date:
    return timezone.localdate()


# ------------------------------------------------------------------------------ staff reads


def internships_for(membership: Membership) -> QuerySet[Internship]:
    if not has_perm(membership, Perm.VIEW_COMPANIES):
        return Internship.objects.none()
    return Internship.objects.filter(school=membership.school).select_related(
        "school", "company", "tutor", "enrolment__person"
    )


def get_internship(membership: Membership, pk: int) -> Internship:
    return get_object_or_404(internships_for(membership), pk=pk)


def get_observation(membership: Membership, pk: int) -> ReviewCompetency:
    """An observed competency of a review of the membership's school."""
    queryset = ReviewCompetency.objects.filter(school=membership.school).select_related(
        "competency",
        "review__internship__company",
        "review__internship__enrolment__person",
        "review__internship__school",
        "assessment",
    )
    return get_object_or_404(queryset, pk=pk)


def review_of(internship: Internship) -> TutorReview | None:
    """The internship's review with its observed competencies (2 queries), or ``None``."""
    return (
        TutorReview.objects.filter(internship=internship)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "competencies",
                queryset=ReviewCompetency.objects.select_related("competency").order_by(
                    "competency__position", "competency__code", "pk"
                ),
            )
        )
        .first()
    )


def latest_link(internship: Internship) -> TutorLink | None:
    return TutorLink.objects.filter(internship=internship).order_by("-created_at", "-pk").first()


def usable_link(internship: Internship, now: datetime.datetime | None = None) -> TutorLink | None:
    now = now or timezone.now()
    return (
        TutorLink.objects.filter(
            internship=internship, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def overdue_reviews(
    membership: Membership, today: datetime.date | None = None
) -> QuerySet[Internship]:
    """Internships of the school ended more than a week ago, not cancelled, without a review,
    with their links (prefetched, newest first): the "bilans en retard" list."""
    today = today or _today()
    if not has_perm(membership, Perm.VIEW_TRAINEES):
        return Internship.objects.none()
    return (
        Internship.objects.filter(
            school=membership.school,
            cancelled_at__isnull=True,
            end_date__lt=today - datetime.timedelta(days=OVERDUE_AFTER_DAYS),
        )
        .exclude(Exists(TutorReview.objects.filter(internship=OuterRef("pk"))))
        .select_related("school", "company", "tutor", "enrolment__person")
        .prefetch_related(
            Prefetch("tutor_links", queryset=TutorLink.objects.order_by("-created_at", "-pk"))
        )
        .order_by("end_date", "pk")
    )


def link_state(link: TutorLink | None, now: datetime.datetime | None = None) -> str:
    """``none``, ``usable``, ``used``, ``revoked`` or ``expired``."""
    if link is None:
        return "none"
    if link.used_at is not None:
        return "used"
    if link.revoked_at is not None:
        return "revoked"
    if link.is_usable(now):
        return "usable"
    return "expired"


# ------------------------------------------------------------------------------ the form


@dataclass
class CompetencyChoice:
    """A competency the tutor may say they observed, with the levels of its framework's scale
    and, per level, what one observes (the descriptor)."""

    competency: Competency
    is_goal: bool
    goal: str = ""
    levels: list[tuple[int, str, str]] = field(default_factory=list)  # (value, label, descriptor)

    @property
    def field_name(self) -> str:
        return f"competency_{self.competency.pk}"


def review_competencies(internship: Internship) -> list[CompetencyChoice]:
    """The competencies a review of ``internship`` may observe: those of its goals first,
    then the others of the trainee's framework. Constant number of queries (5)."""
    goals = list(internship.goals.select_related("competency").order_by("pk"))
    framework = competency_selectors.enrolment_framework(internship.enrolment)
    competency_ids = [goal.competency_id for goal in goals]
    others: list[Competency] = []
    if framework is not None:
        others = [
            competency
            for competency in Competency.objects.filter(framework=framework).order_by(
                "position", "code"
            )
            if competency.pk not in competency_ids
        ]
    all_competencies = [goal.competency for goal in goals] + others
    framework_ids = {c.framework_id for c in all_competencies}
    scales: dict[int, list[ScaleLevel]] = {}
    for level in ScaleLevel.objects.filter(framework_id__in=framework_ids).order_by("value"):
        scales.setdefault(level.framework_id, []).append(level)
    descriptors: dict[tuple[int, int], str] = {
        (row.competency_id, row.value): row.description
        for row in LevelDescriptor.objects.filter(
            competency_id__in=[c.pk for c in all_competencies]
        )
    }

    def choice(competency: Competency, goal: str, is_goal: bool) -> CompetencyChoice:
        return CompetencyChoice(
            competency=competency,
            is_goal=is_goal,
            goal=goal,
            levels=[
                (
                    level.value,
                    level.label,
                    descriptors.get((competency.pk, level.value), ""),
                )
                for level in scales.get(competency.framework_id, [])
            ],
        )

    return [choice(goal.competency, goal.description, True) for goal in goals] + [
        choice(competency, "", False) for competency in others
    ]


def allowed_levels(internship: Internship) -> dict[int, list[int]]:
    """``{competency_id: [level values]}`` a review of ``internship`` may record."""
    return {
        item.competency.pk: [value for value, _label, _text in item.levels]
        for item in review_competencies(internship)
    }


def trainee_framework(internship: Internship) -> Framework | None:
    return competency_selectors.enrolment_framework(internship.enrolment)


# ------------------------------------------------------------------------------ public reads


def link_by_token(token: str) -> TutorLink | None:
    """The link whose token this is (any state), with what the public page shows."""
    if not token or len(token) > 200:
        return None
    return (
        TutorLink.objects.filter(token_hash=hash_token(token))
        .select_related(
            "school",
            "internship__school",
            "internship__company",
            "internship__enrolment__person",
        )
        .first()
    )


def public_summary(link: TutorLink) -> dict:
    """What the tutor's page shows about the internship, and nothing more: the school, the
    trainee's first name and last-name initial, the company, the dates, the job title and
    the goals."""
    internship = link.internship
    person = internship.enrolment.person
    initial = person.last_name[:1].upper()
    return {
        "school_name": link.school.name,
        "trainee": f"{person.first_name} {initial}." if initial else person.first_name,
        "company_name": internship.company.name,
        "start_date": internship.start_date,
        "end_date": internship.end_date,
        "job_title": internship.job_title,
        "goals": [
            {"title": goal.competency.title, "description": goal.description}
            for goal in internship.goals.select_related("competency").order_by("pk")
        ],
    }


def usable_link_by_token(token: str, now: datetime.datetime | None = None) -> TutorLink | None:
    """The link if the tutor may still fill the review with it: not expired, used or revoked,
    its internship not cancelled and without review. ``None`` otherwise (the page then says
    only that the link is no longer valid)."""
    link = link_by_token(token)
    if link is None or not link.is_usable(now):
        return None
    internship = link.internship
    if internship.is_cancelled or TutorReview.objects.filter(internship=internship).exists():
        return None
    return link
