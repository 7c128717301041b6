"""The agreement panel of an internship page: signatures, PDF, signed scan (issue 7)."""

from django import template

register = template.Library()


@register.inclusion_tag("companies/panels/agreement_panel.html", takes_context=True)
def agreement_panel(context, internship) -> dict:
    """TODO(issue 7, agreements): signatures recorded and missing, PDF, scan upload."""
    return {"internship": internship, "membership": context.get("membership")}
