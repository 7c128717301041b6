"""A person with rows in every holding of the inventory, and a unique marker in every free-text
field of those rows: the subject access export must show every marker, partners none."""

from __future__ import annotations

import datetime
import itertools

from parcours.intake.models import Registration
from parcours.outcomes.models import Exit, ExitFollowUp
from parcours.pathways.models import EnrolmentFundingLine, FundingLine, PlanStep, ReferentChange
from parcours.people.nir import free_text_fields
from parcours.privacy.inventory import HOLDINGS

from ..factories import DecisionFactory, InterviewFactory, ReferralFactory


def complete_holdings(world) -> None:
    """Add, for the world's trainee, the rows the test world does not build."""
    school = world.school
    enrolment = world.objects["enrolment"]
    person = enrolment.person
    director = world.members["director"]
    referral = ReferralFactory(
        school=school,
        person=person,
        prescriber=world.prescriber_partner,
        adviser=world.members["prescriber"],
    )
    world.objects["trainee_referral"] = referral
    InterviewFactory(referral=referral, school=school, interviewer=world.members["intake"])
    DecisionFactory(referral=referral, school=school, site=world.site, decided_by=director.user)
    session = world.objects.get("info_session")
    if session is not None:
        Registration.objects.create(
            school=school,
            session=session,
            referral=referral,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email or "lea@example.net",
        )
    # every funding line, so that every funder report lists the trainee
    for line in FundingLine.objects.all():
        EnrolmentFundingLine.objects.get_or_create(
            school=school, enrolment=enrolment, funding_line=line
        )
    ReferentChange.objects.create(
        school=school,
        enrolment=enrolment,
        previous=None,
        new=world.members["referent"],
        changed_by=director.user,
    )
    PlanStep.objects.create(
        plan=world.objects["plan"], description="Visiter un entrepôt", agreed_on=None
    )
    exit_ = Exit.objects.create(
        school=school,
        enrolment=enrolment,
        exit_date=datetime.date(2024, 8, 2),
        destination="cdd",
        months=6,
        organisation="Entrepôt",
        recorded_by=director.user,
    )
    ExitFollowUp.objects.create(
        school=school, exit=exit_, wave=3, due_on=datetime.date(2024, 11, 2)
    )


_COUNTER = itertools.count(1)


def mark_free_text(person) -> dict[str, str]:
    """Write a unique marker into every free-text field of every row held about ``person``;
    returns ``{marker: "model.field"}``. Written with ``update()`` (no validation)."""
    counter = _COUNTER
    markers: dict[str, str] = {}
    for holding in HOLDINGS:
        fields = [f for f in free_text_fields(holding.model_class) if f.name not in holding.tokens]
        if not fields:
            continue
        for row in holding.queryset_for(person.pk):
            values = {}
            for field in fields:
                marker = f"QZX{next(counter):04d}"
                markers[marker] = f"{holding.model}.{field.name}"
                values[field.name] = marker
            holding.model_class._base_manager.filter(pk=row.pk).update(**values)
    return markers
