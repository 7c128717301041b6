"""Template tags of competencies: ``{% progress_chart enrolment %}`` draws the trainee's levels
at entry and now (SVG and the same figures as a table)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from .. import charts
from ..selectors_progress import trainee_progress

register = template.Library()


@register.inclusion_tag("competencies/progress/_chart.html")
def progress_chart(enrolment) -> dict:
    """The chart of an enrolment (already fetched through a scoped selector)."""
    progress = trainee_progress(enrolment)
    rows = progress["rows"]
    scale = progress["scale"]
    labels = dict(scale)
    svg = ""
    if rows:
        # The builder escapes every text it writes: its output is safe markup.
        svg = mark_safe(  # noqa: S308
            charts.progress_chart_svg(
                [(r["code"], r["title"], r["entry"], r["current"]) for r in rows],
                scale,
                ident=f"progress-{enrolment.pk}",
            )
        )
    return {
        "framework": progress["framework"],
        "svg": svg,
        "rows": [
            {
                **row,
                "entry_label": labels.get(row["entry"], ""),
                "current_label": labels.get(row["current"], ""),
            }
            for row in rows
        ],
        "scale": scale,
    }
