"""Helpers of the internship tests: valid arguments for the services, signatures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from parcours.companies.models import AgreementSignature, Contact, Internship

#: Free weeks of the world's enrolment (entry 05/02/2024, planned end 05/08/2024); the
#: world's internship runs from 08/04 to 19/04/2024.
MAY_6 = datetime.date(2024, 5, 6)  # a Monday
MAY_17 = datetime.date(2024, 5, 17)  # a Friday


def fields(world, **overrides) -> dict:
    """Valid ``EDITABLE_FIELDS`` for the world's enrolment (an E2C internship in May)."""
    contact = world.objects["contact"]
    values = {
        "kind": "internship",
        "company": world.objects["company"],
        "tutor": contact,
        "signatory": contact,
        "second_signatory": None,
        "prescriber": None,
        "job_title": "Employé·e de rayon",
        "rome_code": "D1507",
        "start_date": MAY_6,
        "end_date": MAY_17,
        "weekly_hours": Decimal("35"),
        "schedule": "Du lundi au vendredi",
        "tasks": "Mise en rayon, accueil des clients.",
    }
    values.update(overrides)
    return values


def second_contact(world, **flags) -> Contact:
    flags.setdefault("is_signatory", True)
    return Contact.objects.create(
        school=world.school,
        company=world.objects["company"],
        last_name="Seconde",
        first_name="Sophie",
        **flags,
    )


def sign(internship: Internship, *roles: str, by=None) -> None:
    for role in roles:
        AgreementSignature.objects.create(
            school=internship.school,
            internship=internship,
            role=role,
            signer_name="Signataire",
            signed_on=internship.start_date - datetime.timedelta(days=3),
            recorded_by=by or internship.created_by,
        )


def sign_all(internship: Internship, by=None) -> None:
    from parcours.companies.agreements import missing_signatures

    sign(internship, *missing_signatures(internship), by=by)
