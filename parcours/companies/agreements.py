"""Which signatures an internship's agreement needs, and which are still missing.

Required: the school, the trainee, the legal guardian when the trainee is a minor on the start
date, the company's signatory, and the second company signatory when the internship names one.
The internship cannot start while one is missing.
"""

from __future__ import annotations

from .models import Internship, SignatoryRole


def missing_signatures(internship: Internship) -> list[str]:
    """The roles (``SignatoryRole`` values, in their order) still to sign. Reads
    ``internship.signatures.all()``, so a prefetch of ``signatures`` saves the query."""
    required = [SignatoryRole.SCHOOL, SignatoryRole.TRAINEE]
    if internship.enrolment.person.age_on(internship.start_date) < 18:
        required.append(SignatoryRole.GUARDIAN)
    required.append(SignatoryRole.COMPANY)
    if internship.second_signatory_id is not None:
        required.append(SignatoryRole.COMPANY_SECOND)
    signed = {signature.role for signature in internship.signatures.all()}
    return [role.value for role in required if role.value not in signed]
