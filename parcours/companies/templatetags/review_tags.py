"""The tutor review panel of an internship page (issue 7)."""

from django import template

register = template.Library()


@register.inclusion_tag("companies/panels/review_panel.html", takes_context=True)
def review_panel(context, internship) -> dict:
    """TODO(issue 7, reviews): the review, the tutor's private link, entry from a call."""
    return {"internship": internship, "membership": context.get("membership")}
