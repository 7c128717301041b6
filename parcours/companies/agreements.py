"""The signature rule of an internship agreement (convention de stage), as a small pure module.

The agreement is signed by the school, the trainee, the trainee's legal guardian when the
trainee is a minor on the internship's first day, the company's signatory and, when the
internship names one, a second company signatory. The internship cannot start before every
required signature is recorded: its days are marked "in company" in attendance only then
(``services_internships.sync_company_days``).

The functions read ``internship.signatures.all()`` (prefetch it for lists) and
``internship.enrolment.person.birth_date``; they never write.
"""

from __future__ import annotations

from parcours.people.models import age_on

from .models import Internship, SignatoryRole

#: Age of majority: a younger trainee's agreement is also signed by a legal guardian.
MAJORITY = 18


def trainee_is_minor(internship: Internship) -> bool:
    """Whether the trainee is under 18 on the internship's first day."""
    person = internship.enrolment.person
    return age_on(person.birth_date, internship.start_date) < MAJORITY


def required_roles(internship: Internship) -> list[str]:
    """The ``SignatoryRole`` values whose signature the agreement needs, in display order."""
    roles = [SignatoryRole.SCHOOL.value, SignatoryRole.TRAINEE.value]
    if trainee_is_minor(internship):
        roles.append(SignatoryRole.GUARDIAN.value)
    roles.append(SignatoryRole.COMPANY.value)
    if internship.second_signatory_id is not None:
        roles.append(SignatoryRole.COMPANY_SECOND.value)
    return roles


def missing_signatures(internship: Internship) -> list[str]:
    """The required ``SignatoryRole`` values not signed yet (empty: fully signed)."""
    signed = {signature.role for signature in internship.signatures.all()}
    return [role for role in required_roles(internship) if role not in signed]


def is_fully_signed(internship: Internship) -> bool:
    return not missing_signatures(internship)
