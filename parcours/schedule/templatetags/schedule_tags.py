"""Template tags of the schedule: ``{% attendance_summary enrolment %}`` shows a trainee's
attendance rate and share of time in companies (from ``rates``) on the trainee page."""

from __future__ import annotations

from django import template

from ..rates import enrolment_rates

register = template.Library()


@register.inclusion_tag("schedule/statements/_attendance_summary.html")
def attendance_summary(enrolment) -> dict:
    """The rates of an enrolment (already fetched through a scoped selector) since its entry:
    one query."""
    return {"enrolment": enrolment, "rates": enrolment_rates(enrolment)}
