"""The agreement panel of an internship page (signatures recorded and missing, the PDF, the
signed scan, the hires that followed) and the legal guardians block of the trainee page.

Each tag reads what it shows in a constant number of queries (prefetches), whatever the number
of signatures or hires.
"""

from __future__ import annotations

from django import template

from parcours.people.models import LegalGuardian

from ..agreements import missing_signatures
from ..models import SignatoryRole
from ..selectors_agreements import panel_internship

register = template.Library()


@register.inclusion_tag("companies/panels/agreement_panel.html", takes_context=True)
def agreement_panel(context, internship) -> dict:
    """Signatures recorded and missing, the PDF, the signed scan, the hires (3 queries)."""
    internship = panel_internship(internship)
    missing = missing_signatures(internship)
    return {
        "internship": internship,
        "membership": context.get("membership"),
        "school": context.get("school"),
        "can": context.get("can", set()),
        "signatures": list(internship.signatures.all()),
        "missing": [(role, SignatoryRole(role).label) for role in missing],
        "hires": list(internship.hires.all()),
        "scan": internship.agreement_scan,
    }


@register.inclusion_tag("companies/panels/guardians.html", takes_context=True)
def guardians_block(context, enrolment, day) -> dict:
    """The legal guardians of a trainee who is a minor on ``day`` (the page's today): one
    query for a minor, none for an adult (the block is then not shown)."""
    person = enrolment.person
    minor = person.age_on(day) < 18
    guardians = (
        list(LegalGuardian.objects.filter(school=enrolment.school_id, person=person).order_by("pk"))
        if minor
        else []
    )
    return {
        "enrolment": enrolment,
        "school": context.get("school"),
        "can": context.get("can", set()),
        "guardians": guardians,
        "show": minor,
    }
