"""Scoped reads of the partner companies, their contacts and the relationship history.

Every read takes the membership (or a company already read through it): another school's
company is a 404. The list is annotated with its counts by subqueries, so a page runs the same
number of queries whatever the number of rows. What a company page shows of a trainee is their
name and the internship's dates, kind and status; of a tutor's review, the ratings, "would
hire" and the date only (never the free text, which stays on the internship's page).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import Membership
from parcours.people.phones import display_phone

from .models import Company, CompanyEvent, Contact, Hire, Internship, TutorReview
from .services_companies import normalise_siret

#: History entries shown on a company's page before "voir tout".
HISTORY_ON_PAGE = 10
#: Internships, hires and reviews shown on the company page (the latest; the internships
#: list, filtered by company, has them all).
ROWS_ON_PAGE = 20

#: The internship's ``status()`` as the pages say it.
INTERNSHIP_STATUS_LABELS = {
    "cancelled": _("Annulé"),
    "planned": _("À venir"),
    "ongoing": _("En cours"),
    "finished": _("Terminé"),
}

#: Values of the list's "stages" filter.
WITH_INTERNSHIPS, WITHOUT_INTERNSHIPS = "avec", "sans"
#: Values of the list's "archivées" filter.
ACTIVE_ONLY, ARCHIVED_ONLY, ALL_COMPANIES = "", "archivees", "toutes"


# ------------------------------------------------------------------------------ companies


def companies_for(membership: Membership) -> QuerySet[Company]:
    """Every company of the membership's school (archived ones included)."""
    return Company.objects.filter(school=membership.school_id)


def get_company(membership: Membership, pk: int) -> Company:
    return get_object_or_404(companies_for(membership), pk=pk)


def _count_of(queryset: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("company").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_counts(companies: QuerySet[Company]) -> QuerySet[Company]:
    """``internship_count`` (not cancelled), ``hire_count`` and ``last_contact_on`` (the date
    of the latest history entry), each by a subquery (no row multiplication)."""
    return companies.annotate(
        internship_count=_count_of(
            Internship.objects.filter(company=OuterRef("pk"), cancelled_at__isnull=True)
        ),
        hire_count=_count_of(Hire.objects.filter(company=OuterRef("pk"))),
        last_contact_on=Subquery(
            CompanyEvent.objects.filter(company=OuterRef("pk"))
            .order_by()
            .values("company")
            .annotate(last=Max("happened_on"))
            .values("last")[:1]
        ),
    )


def search_companies(companies: QuerySet[Company], text: str) -> QuerySet[Company]:
    """Each word of ``text`` in the name or the commune (any case), or the SIRET (spaces
    ignored) containing the digits typed."""
    text = (text or "").strip()
    if not text:
        return companies
    digits = normalise_siret(text)
    if digits.isdigit() and len(digits) >= 3:
        return companies.filter(
            Q(siret__contains=digits) | Q(name__icontains=text) | Q(commune__icontains=text)
        )
    for word in text.split():
        companies = companies.filter(Q(name__icontains=word) | Q(commune__icontains=word))
    return companies


def company_list(
    membership: Membership,
    *,
    text: str = "",
    sector: str = "",
    size: str = "",
    commune: str = "",
    internships: str = "",
    archived: str = ACTIVE_ONLY,
) -> QuerySet[Company]:
    """The list page: search, filters and counts; archived companies only when asked."""
    companies = with_counts(companies_for(membership))
    if archived == ARCHIVED_ONLY:
        companies = companies.filter(archived_at__isnull=False)
    elif archived != ALL_COMPANIES:
        companies = companies.filter(archived_at__isnull=True)
    companies = search_companies(companies, text)
    if sector:
        companies = companies.filter(sector=sector)
    if size:
        companies = companies.filter(size=size)
    if commune:
        companies = companies.filter(commune__iexact=commune)
    if internships == WITH_INTERNSHIPS:
        companies = companies.filter(internship_count__gt=0)
    elif internships == WITHOUT_INTERNSHIPS:
        companies = companies.filter(internship_count=0)
    return companies.order_by("name", "pk")


def communes(membership: Membership) -> list[str]:
    """The communes of the school's companies (for the list's filter), sorted."""
    names = (
        companies_for(membership)
        .exclude(commune="")
        .order_by()
        .values_list("commune", flat=True)
        .distinct()
    )
    return sorted(set(names), key=str.casefold)


# ------------------------------------------------------------------------------ contacts


def _with_phone_display(contacts: list[Contact]) -> list[Contact]:
    for contact in contacts:
        contact.phone_display = display_phone(contact.phone)
    return contacts


def company_contacts(company: Company) -> list[Contact]:
    """Every contact of ``company``, the active ones first."""
    return _with_phone_display(
        list(Contact.objects.filter(company=company).order_by("-active", "last_name", "pk"))
    )


def get_contact(membership: Membership, pk: int) -> Contact:
    return get_object_or_404(
        Contact.objects.filter(school=membership.school_id).select_related("company"), pk=pk
    )


def _pks(keep: Any) -> list[int]:
    """The pks of ``keep``: a contact or pk, or a list of them (``None`` ignored)."""
    if keep is None:
        return []
    items = keep if isinstance(keep, list | tuple | set) else [keep]
    return [getattr(item, "pk", item) for item in items if item is not None]


def _contacts_with_role(company: Company, role: str, keep: Any) -> QuerySet[Contact]:
    return Contact.objects.filter(
        Q(active=True, **{role: True}) | Q(pk__in=_pks(keep)), company=company
    ).order_by("last_name", "first_name", "pk")


def tutors_for(company: Company, *, keep: Any = None) -> QuerySet[Contact]:
    """The company's active contacts who are tutors, plus ``keep`` (a contact or pk, or a
    list of them, of this company: e.g. an edited internship's tutor who has since left)."""
    return _contacts_with_role(company, "is_tutor", keep)


def signatories_for(company: Company, *, keep: Any = None) -> QuerySet[Contact]:
    """The company's active contacts who may sign the agreement, plus ``keep``."""
    return _contacts_with_role(company, "is_signatory", keep)


# ------------------------------------------------------------------------------ history


def company_history(company: Company, *, limit: int | None = HISTORY_ON_PAGE) -> list:
    """The latest history entries of ``company`` (all of them when ``limit`` is None)."""
    events = CompanyEvent.objects.filter(company=company).select_related("contact", "recorded_by")
    return list(events if limit is None else events[:limit])


def get_company_event(membership: Membership, pk: int) -> CompanyEvent:
    return get_object_or_404(
        CompanyEvent.objects.filter(school=membership.school_id).select_related(
            "company", "contact"
        ),
        pk=pk,
    )


def events_list(
    membership: Membership,
    *,
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    company: Company | None = None,
) -> QuerySet[CompanyEvent]:
    """The relationship history across the school's companies, latest first."""
    events = CompanyEvent.objects.filter(school=membership.school_id).select_related(
        "company", "contact", "recorded_by"
    )
    if kind:
        events = events.filter(kind=kind)
    if date_from:
        events = events.filter(happened_on__gte=date_from)
    if date_to:
        events = events.filter(happened_on__lte=date_to)
    if company is not None:
        events = events.filter(company=company)
    return events.order_by("-happened_on", "-pk")


# ------------------------------------------------------------------------------ company page


@dataclass
class InternshipRow:
    internship: Internship
    trainee: str
    status: str
    status_label: str


def company_internships(
    company: Company, *, today: datetime.date | None = None, limit: int | None = None
) -> list[InternshipRow]:
    """The internships the company gave (cancelled ones included, marked), latest first
    (the ``limit`` latest when given)."""
    today = today or timezone.localdate()
    internships = (
        Internship.objects.filter(company=company)
        .select_related("enrolment__person", "tutor")
        .order_by("-start_date", "-pk")
    )[:limit]
    rows = []
    for internship in internships:
        status = internship.status(today)
        rows.append(
            InternshipRow(
                internship=internship,
                trainee=str(internship.enrolment.person),
                status=status,
                status_label=str(INTERNSHIP_STATUS_LABELS[status]),
            )
        )
    return rows


def company_hires(company: Company) -> QuerySet[Hire]:
    """Every hire by the company, latest first, with the trainee and the internship."""
    return (
        Hire.objects.filter(company=company)
        .select_related("enrolment__person", "internship")
        .order_by("-start_date", "-pk")
    )


def company_reviews(company: Company) -> QuerySet[TutorReview]:
    """The reviews of the company's tutors: ratings, "would hire" and date only (the free
    text — tasks, comments — is not even read)."""
    return (
        TutorReview.objects.filter(internship__company=company)
        .select_related("internship__enrolment__person", "internship__tutor")
        .only(
            "pk",
            "school_id",
            "internship_id",
            "punctuality",
            "attitude",
            "would_hire",
            "source",
            "submitted_at",
            "internship__start_date",
            "internship__end_date",
            "internship__job_title",
            "internship__enrolment_id",
            "internship__tutor_id",
            "internship__enrolment__person_id",
            "internship__enrolment__person__first_name",
            "internship__enrolment__person__last_name",
            "internship__tutor__first_name",
            "internship__tutor__last_name",
        )
        .order_by("-submitted_at", "-pk")
    )


def company_page(company: Company) -> dict[str, Any]:
    """Everything the company page shows, in a fixed number of queries."""
    history = company_history(company, limit=HISTORY_ON_PAGE + 1)
    contacts = company_contacts(company)
    internships = company_internships(company, limit=ROWS_ON_PAGE + 1)
    hires = list(company_hires(company)[: ROWS_ON_PAGE + 1])
    reviews = list(company_reviews(company)[: ROWS_ON_PAGE + 1])
    return {
        "contacts": contacts,
        "active_contacts": [c for c in contacts if c.active],
        "history": history[:HISTORY_ON_PAGE],
        "history_more": len(history) > HISTORY_ON_PAGE,
        "internships": internships[:ROWS_ON_PAGE],
        "internships_more": len(internships) > ROWS_ON_PAGE,
        "hires": hires[:ROWS_ON_PAGE],
        "hires_more": len(hires) > ROWS_ON_PAGE,
        "reviews": reviews[:ROWS_ON_PAGE],
        "reviews_more": len(reviews) > ROWS_ON_PAGE,
        "rows_on_page": ROWS_ON_PAGE,
    }
