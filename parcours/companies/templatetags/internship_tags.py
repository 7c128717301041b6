"""The "Stages en entreprise" section of the trainee page (issue 7).

``{% trainee_internships enrolment as internships %}`` gives the enrolment's internships,
latest first, with ``agreement_complete``, ``has_review`` and ``current_status``: one query,
so the trainee page keeps a constant number of queries. The enrolment was already fetched
through the pathway's scoped selector; the section is shown to whoever may see the page
(``VIEW_TRAINEES``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from .. import selectors_internships

register = template.Library()


@register.simple_tag
def trainee_internships(enrolment) -> list:
    today = timezone.localdate()
    internships = selectors_internships.enrolment_internships(enrolment)
    for internship in internships:
        internship.current_status = internship.status(today)
        internship.status_label = selectors_internships.STATUS_LABELS[internship.current_status]
    return internships
