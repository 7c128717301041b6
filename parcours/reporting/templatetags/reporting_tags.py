"""Template filters of the reports: counts of people under the small-cell rule, and the
percentages built on them (see ``reporting.suppression``)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..suppression import HIDDEN_PCT, THRESHOLD, suppress

register = template.Library()


@register.filter
def small_cell(count: int | str | None) -> str:
    """A count of people as funder and network accounts see it: ``< 5`` for 1 to 4 people,
    ``—`` when there is nothing to count, otherwise the number (grouped by thousands)."""
    value = suppress(count) if isinstance(count, int) else count
    if value is None:
        return "—"
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return str(value)


@register.filter
def pct_cell(value: Decimal | int | str | None) -> str:
    """A percentage (already rounded for the screen): ``—`` when it cannot be computed, an
    abbreviation « s » (secret statistique) when it is hidden by the small-cell rule."""
    if value is None:
        return "—"
    if value == HIDDEN_PCT:
        title = _("Secret statistique : calculé sur moins de %(n)s personnes") % {"n": THRESHOLD}
        return format_html('<abbr title="{}">{}</abbr>', title, HIDDEN_PCT)
    return format_html("{}\u00a0%", number_format(value))
