"""Reads of internships, scoped to the membership's school (another school's internship is a
404) and to ``Perm.VIEW_TRAINEES`` (an internship names its trainee).

The school's list is a queryset the view paginates: it selects what a row shows and
annotates ``agreement_complete`` and ``has_review`` in SQL, so a page runs a fixed number of
queries whatever its number of rows. ``agreement_complete`` is the SQL form of
``agreements.missing_signatures`` (the tests check that they agree).
"""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.db.models import Value as V
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Partner
from parcours.pathways.models import Enrolment
from parcours.schedule.models import AttendanceMark, AttendanceStatus

from . import agreements
from .models import (
    AgreementSignature,
    Company,
    Contact,
    Internship,
    InternshipGoal,
    SignatoryRole,
    TutorReview,
)

#: ``?statut=`` values of the school's list → label.
STATUS_PLANNED = "a-venir"
STATUS_ONGOING = "en-cours"
STATUS_FINISHED = "termines"
STATUS_CANCELLED = "annules"
STATUSES = (STATUS_PLANNED, STATUS_ONGOING, STATUS_FINISHED, STATUS_CANCELLED)
#: ``Internship.status()`` value → ``?statut=`` value.
STATUS_PARAMS = {
    "planned": STATUS_PLANNED,
    "ongoing": STATUS_ONGOING,
    "finished": STATUS_FINISHED,
    "cancelled": STATUS_CANCELLED,
}

#: ``Internship.status()`` value → label.
STATUS_LABELS = {
    "planned": _("à venir"),
    "ongoing": _("en cours"),
    "finished": _("terminé"),
    "cancelled": _("annulé"),
}


def _today() -> datetime.date:
    return timezone.localdate()


def _may_read(membership: Membership) -> bool:
    return has_perm(membership, Perm.VIEW_TRAINEES)


# ------------------------------------------------------------------------ agreement state


def _signed(role: str) -> Exists:
    return Exists(AgreementSignature.objects.filter(internship=OuterRef("pk"), role=role))


def _minor_on_start() -> Q:
    """Under 18 on the first day, on the year/month/day parts annotated below."""
    return Q(_age_years__lt=agreements.MAJORITY) | (
        Q(_age_years=agreements.MAJORITY)
        & (
            Q(_start_month__lt=F("_birth_month"))
            | Q(_start_month=F("_birth_month"), _start_day__lt=F("_birth_day"))
        )
    )


def with_agreement_state(internships: QuerySet[Internship]) -> QuerySet[Internship]:
    """Annotate ``agreement_complete`` (every required signature recorded, the rule of
    ``agreements.missing_signatures``) and ``has_review`` (a tutor review exists)."""
    birth = "enrolment__person__birth_date"
    complete = (
        Q(_signed_school=True)
        & Q(_signed_trainee=True)
        & Q(_signed_company=True)
        & (Q(second_signatory__isnull=True) | Q(_signed_company_2=True))
        & (~_minor_on_start() | Q(_signed_guardian=True))
    )
    return internships.alias(
        _start_month=ExtractMonth("start_date"),
        _start_day=ExtractDay("start_date"),
        _birth_month=ExtractMonth(birth),
        _birth_day=ExtractDay(birth),
        _age_years=ExtractYear("start_date") - ExtractYear(birth),
        _signed_school=_signed(SignatoryRole.SCHOOL),
        _signed_trainee=_signed(SignatoryRole.TRAINEE),
        _signed_guardian=_signed(SignatoryRole.GUARDIAN),
        _signed_company=_signed(SignatoryRole.COMPANY),
        _signed_company_2=_signed(SignatoryRole.COMPANY_SECOND),
    ).annotate(
        agreement_complete=Case(
            When(complete, then=V(True)), default=V(False), output_field=BooleanField()
        ),
        has_review=Exists(TutorReview.objects.filter(internship=OuterRef("pk"))),
    )


# ------------------------------------------------------------------------------ reads


def internships_for(membership: Membership) -> QuerySet[Internship]:
    """Every internship of the school with what a row shows (trainee, company, tutor,
    referent), ``agreement_complete`` and ``has_review``."""
    if not _may_read(membership):
        return Internship.objects.none()
    return with_agreement_state(
        Internship.objects.filter(school=membership.school_id).select_related(
            "enrolment__person", "enrolment__referent__user", "company", "tutor"
        )
    )


def get_internship(membership: Membership, pk: int) -> Internship:
    """One internship of the school (404 otherwise), with its contacts, prescriber, goals
    (and their competencies) and signatures."""
    goals = Prefetch(
        "goals", queryset=InternshipGoal.objects.select_related("competency").order_by("pk")
    )
    return get_object_or_404(
        internships_for(membership)
        .select_related("signatory", "second_signatory", "prescriber", "enrolment__school")
        .prefetch_related(goals, "signatures"),
        pk=pk,
    )


def enrolment_internships(enrolment: Enrolment) -> list[Internship]:
    """The internships of an enrolment already fetched through a scoped selector, latest
    first, with ``agreement_complete`` and ``has_review``: one query."""
    return list(
        with_agreement_state(
            Internship.objects.filter(enrolment=enrolment).select_related("company", "tutor")
        ).order_by("-start_date", "-pk")
    )


def filter_internships(
    internships: QuerySet[Internship],
    *,
    status: str = "",
    kind: str = "",
    company: Company | None = None,
    referent: Membership | None = None,
    incomplete_agreement: bool = False,
    review_expected: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Internship]:
    """``internships`` narrowed by the list's filters (unknown values are ignored).

    ``review_expected``: finished, not cancelled, and no tutor review yet (bilan attendu).
    """
    today = today or _today()
    active = Q(cancelled_at__isnull=True)
    by_status = {
        STATUS_PLANNED: active & Q(start_date__gt=today),
        STATUS_ONGOING: active & Q(start_date__lte=today, end_date__gte=today),
        STATUS_FINISHED: active & Q(end_date__lt=today),
        STATUS_CANCELLED: Q(cancelled_at__isnull=False),
    }
    if status in by_status:
        internships = internships.filter(by_status[status])
    if kind:
        internships = internships.filter(kind=kind)
    if company is not None:
        internships = internships.filter(company=company)
    if referent is not None:
        internships = internships.filter(enrolment__referent=referent)
    if incomplete_agreement:
        internships = internships.filter(active, agreement_complete=False)
    if review_expected:
        internships = internships.filter(active, end_date__lt=today, has_review=False)
    return internships


def company_days(internship: Internship) -> list[AttendanceMark]:
    """The trainee's "in company" marks within the internship's dates, in order."""
    return list(
        AttendanceMark.objects.filter(
            enrolment=internship.enrolment_id,
            status=AttendanceStatus.COMPANY,
            day__gte=internship.start_date,
            day__lte=internship.end_date,
        ).order_by("day", "half")
    )


# ---------------------------------------------------------------------- form choices


def companies(membership: Membership) -> QuerySet[Company]:
    """The school's companies that still take trainees (not archived), by name."""
    return Company.objects.filter(school=membership.school_id, archived_at__isnull=True).order_by(
        "name", "pk"
    )


def get_company_choice(membership: Membership, pk) -> Company | None:
    """A company of :func:`companies` by its id (``None`` for anything else)."""
    try:
        return companies(membership).get(pk=int(pk))
    except (TypeError, ValueError, Company.DoesNotExist):
        return None


def company_contacts(company: Company | None, *, include: tuple = ()) -> QuerySet[Contact]:
    """The active contacts of a company (already scoped), by name; ``include``: ids of
    contacts to offer even if inactive (those an internship already names)."""
    if company is None:
        return Contact.objects.none()
    keep = [pk for pk in include if pk]
    return Contact.objects.filter(Q(active=True) | Q(pk__in=keep), company=company).order_by(
        "last_name", "first_name", "pk"
    )


def prescribers(membership: Membership) -> QuerySet[Partner]:
    """The school's prescriber partners."""
    return Partner.objects.filter(school=membership.school_id, is_prescriber=True).order_by(
        "name", "pk"
    )


def school_companies_with_internships(membership: Membership) -> QuerySet[Company]:
    """Companies of the school (archived included) for the list's company filter."""
    return Company.objects.filter(school=membership.school_id).order_by("name", "pk")
