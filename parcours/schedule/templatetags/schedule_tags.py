"""Template tags of the schedule: ``{% attendance_summary enrolment %}`` shows a trainee's
attendance rate and share of time in companies (from ``rates``) on the trainee page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..rates import enrolment_rates

register = template.Library()


@register.inclusion_tag("schedule/statements/_attendance_summary.html")
def attendance_summary(enrolment) -> dict:
    """The rates of an enrolment (already fetched through a scoped selector) since its entry:
    one query."""
    return {"enrolment": enrolment, "rates": enrolment_rates(enrolment)}


@register.simple_tag
def radio_input(radio) -> str:
    """``{{ radio.tag }}`` without a template per option: the same ``<input>`` as Django's
    ``input.html`` and ``attrs.html`` (``True`` attributes bare, ``False`` left out). The
    attendance sheet has six per trainee; rendering each through the widget templates was most
    of the sheet's time (issue 12)."""
    data = radio.data
    parts = [format_html('<input type="{}" name="{}"', data["type"], data["name"])]
    if data["value"] is not None:
        parts.append(format_html(' value="{}"', str(data["value"])))
    for name, value in data["attrs"].items():
        if value is False:
            continue
        if value is True:
            parts.append(format_html(" {}", name))
        else:
            parts.append(format_html(' {}="{}"', name, str(value)))
    parts.append(mark_safe(">"))
    return mark_safe("".join(parts))  # noqa: S308 — every part escaped by format_html
