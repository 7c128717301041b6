"""The tutor review panel of an internship page (issue 7): the review if any (with its
observed competencies, each can become an assessment), else the tutor's private link and the
actions to send, resend or revoke it, or to enter the review from a call. At most 3 queries."""

from __future__ import annotations

from django import template
from django.utils import timezone

from parcours.organisations.access import Perm, has_perm

from .. import selectors_reviews as selectors

register = template.Library()


@register.inclusion_tag("companies/panels/review_panel.html", takes_context=True)
def review_panel(context, internship) -> dict:
    membership = context.get("membership")
    review = selectors.review_of(internship)
    link = None if review is not None else selectors.latest_link(internship)
    now = timezone.now()
    status = internship.status()
    return {
        "internship": internship,
        "membership": membership,
        "school_slug": membership.school.slug if membership and membership.school else "",
        "review": review,
        "observations": list(review.competencies.all()) if review is not None else [],
        "link": link,
        "link_state": selectors.link_state(link, now),
        "internship_status": status,
        "may_record": has_perm(membership, Perm.RECORD_REVIEWS),
        "may_assess": has_perm(membership, Perm.ASSESS),
        "may_send": status in ("ongoing", "finished"),
    }
