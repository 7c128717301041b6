"""The "Droits de la personne" block of the trainee page (direction only)."""

from __future__ import annotations

from django import template

from ..selectors_rights import person_rights

register = template.Library()


@register.inclusion_tag("people/rights/_trainee_section.html", takes_context=True)
def rights_block(context, enrolment, day) -> dict:
    """Requests and notices of the trainee, and the warnings: a minor entered without a notice
    given to a guardian. Two queries for the direction, none for anybody else."""
    can = context.get("can", set())
    membership = context.get("membership")
    if "manage_privacy" not in can or membership is None:
        return {"show": False}
    person = enrolment.person
    rights = person_rights(membership, person, day, with_guardians=False)
    minor_at_entry = person.age_on(enrolment.entry_date) < 18
    return {
        **rights,
        "show": True,
        "school": context.get("school"),
        "enrolment": enrolment,
        "open_requests": [r for r in rights["requests"] if r.is_open],
        "overdue": {r.pk for r in rights["requests"] if r.is_overdue(day)},
        "minor_at_entry": minor_at_entry,
        "entered_without_guardian_notice": minor_at_entry and not rights["guardian_notice_given"],
    }
