"""Reads of the retention: last contact, people due for anonymisation, holds, runs."""

from __future__ import annotations

import datetime

from django.db.models import (
    DateField,
    Exists,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, NullIf, TruncDate
from django.http import Http404

from parcours.intake.models import Decision, Interview, Referral, Registration
from parcours.organisations.models import Membership, School
from parcours.outcomes.models import Exit, ExitFollowUp, FollowUpStatus
from parcours.pathways.models import Enrolment, Meeting
from parcours.people.models import Person, years_before

from .models import LegalHold, RetentionRun

# Stands for "no such activity" inside GREATEST (SQLite's GREATEST is NULL when one argument
# is NULL, PostgreSQL's ignores NULLs: a sentinel gives both the same answer).
NEVER = datetime.date(1900, 1, 1)


def _latest(model, path: str, expression, **only) -> Coalesce:
    rows = (
        model._base_manager.filter(**{path: OuterRef("pk")}, **only)
        .order_by()
        .values(path)
        .annotate(latest=Max(expression))
        .values("latest")[:1]
    )
    return Coalesce(
        Subquery(rows, output_field=DateField()), Value(NEVER), output_field=DateField()
    )


def _last_contact_expression() -> Coalesce:
    """The last of: exit, follow-up made — or still to make: its due date, so that nobody is
    anonymised before a follow-up the school still has to do —, meeting held, end of an
    enrolment, and for people never enrolled the intake (referral received, interview,
    decision, information session); the day the person was recorded when there is none."""
    latest = Greatest(
        _latest(Exit, "enrolment__person", F("exit_date")),
        _latest(ExitFollowUp, "exit__enrolment__person", F("contacted_on")),
        _latest(ExitFollowUp, "exit__enrolment__person", F("due_on"), status=FollowUpStatus.DUE),
        _latest(Meeting, "enrolment__person", F("held_on")),
        _latest(Enrolment, "person", F("ended_on")),
        _latest(Referral, "person", F("received_on")),
        _latest(Decision, "referral__person", F("decided_on")),
        _latest(Interview, "referral__person", TruncDate("held_at")),
        _latest(Registration, "referral__person", TruncDate("session__starts_at")),
        output_field=DateField(),
    )
    return Coalesce(
        NullIf(latest, Value(NEVER), output_field=DateField()),
        TruncDate("created_at"),
        output_field=DateField(),
    )


def with_retention_facts(people: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate ``last_contact``, ``still_enrolled``, ``held`` and ``open_request`` (a request
    about their data not answered yet: not anonymised before the answer) — one query for any
    number."""
    from parcours.people.models import SubjectRequest

    return people.annotate(
        open_request=Exists(
            SubjectRequest.objects.filter(person=OuterRef("pk"), answered_on__isnull=True)
        ),
        last_contact=_last_contact_expression(),
        still_enrolled=Exists(
            Enrolment.objects.filter(person=OuterRef("pk"), ended_on__isnull=True)
        ),
        held=Exists(LegalHold.objects.active().filter(person=OuterRef("pk"))),
    )


def last_contact(person: Person) -> datetime.date:
    """The day of the last contact with ``person`` (see ``_last_contact_expression``)."""
    return (
        with_retention_facts(Person.objects.filter(pk=person.pk))
        .values_list("last_contact", flat=True)
        .get()
    )


def retention_cutoff(school: School, as_of: datetime.date) -> datetime.date:
    """People whose last contact is before this day are due (kept ``retention_years`` full
    years after the last contact: due from the day after its anniversary)."""
    return years_before(as_of, school.retention_years)


def expired(school: School, as_of: datetime.date) -> QuerySet[Person]:
    """People of ``school`` past retention on ``as_of``, held or not (not yet anonymised,
    not in a pathway), oldest contact first."""
    return (
        with_retention_facts(Person.objects.filter(school=school, anonymised_at__isnull=True))
        .filter(
            still_enrolled=False,
            open_request=False,
            last_contact__lt=retention_cutoff(school, as_of),
        )
        .order_by("last_contact", "pk")
    )


def due(school: School, as_of: datetime.date) -> QuerySet[Person]:
    """People to anonymise on ``as_of``: past retention and under no active legal hold."""
    return expired(school, as_of).filter(held=False)


# ----------------------------------------------------------------- for the director's page


def school_due(membership: Membership, as_of: datetime.date) -> QuerySet[Person]:
    return due(membership.school, as_of)


def active_holds(membership: Membership) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.active()
        .filter(school=membership.school)
        .select_related("person", "placed_by")
        .order_by("-placed_at", "-pk")
    )


def person_holds(membership: Membership, person: Person) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(school=membership.school, person=person).select_related(
        "placed_by", "lifted_by"
    )


def active_hold_of(membership: Membership, person: Person) -> LegalHold | None:
    """The person's active hold (None for a member who may not manage privacy)."""
    from parcours.organisations.access import Perm, has_perm

    if not has_perm(membership, Perm.MANAGE_PRIVACY):
        return None
    return LegalHold.objects.active().filter(school=membership.school, person=person).first()


def get_active_hold(membership: Membership, pk: int) -> LegalHold:
    try:
        return (
            LegalHold.objects.active().select_related("person").get(school=membership.school, pk=pk)
        )
    except LegalHold.DoesNotExist:
        raise Http404 from None


def get_person(membership: Membership, pk: int) -> Person:
    try:
        return Person.objects.get(school=membership.school, pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def runs(membership: Membership) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.filter(school=membership.school).order_by("-started_at", "-pk")
