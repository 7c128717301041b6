"""Charts of the key figures, drawn server-side as inline SVG (no JavaScript, no library).

Pure functions of plain data (no database, nothing computed but the drawing): the view passes
figures taken from ``key_figures()``, these functions return the SVG markup, every text escaped
here so the result can be marked safe. They share the competency charts' helpers and palette
(``competencies.charts``): an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``,
readable in black and white print (the second series is hatched, the first solid). Each bar
carries its own ``<title>``; the pages show the same figures as a table next to each chart.

- :func:`monthly_bars_svg`: entries and exits by month (two vertical bars per month);
- :func:`horizontal_bars_svg`: one horizontal bar per row (destinations, prescriber mix,
  success rate per definition), the label above its bar and the figure at its end;
- :func:`paired_bars_svg`: two horizontal bars per row (levels at entry and latest).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.competencies.charts import FONT, INK, LINE, MUTED, SOLID, SVG_NS, _e, _hatch, _num

WIDTH = 640
#: Abbreviated French month names (the charts' axis), January first.
MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

Number = int | float | Decimal


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart: ``value`` None draws no bar (``text`` says why)."""

    label: str
    value: Number | None
    text: str
    strong: bool = False


@dataclass(frozen=True)
class PairedBar:
    label: str
    first: Number | None
    second: Number | None
    first_text: str
    second_text: str


def _open(width: int, height: int, ident: str, title: str, desc: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart {css}" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}" font-size="12" '
        f'fill="{INK}">',
        f'<title id="{ident}-title">{_e(title)}</title>',
        f'<desc id="{ident}-desc">{_e(desc)}</desc>',
    ]


TICKS = 4  # graduations after 0 on every axis
#: Mantissas of an axis step: the graduations stay round numbers.
STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_step(value: Number) -> int:
    """The smallest round whole step such that ``TICKS`` steps reach ``value`` (at least 1)."""
    target = float(value) / TICKS
    if target <= 1:
        return 1
    power = 10 ** math.floor(math.log10(target))
    for mantissa in STEPS:
        step = mantissa * power
        if step >= target and float(step).is_integer():
            return int(step)
    return int(10 * power)  # pragma: no cover - 10 × power always reaches the target


def axis_end(value: Number) -> int:
    """The end of an axis of counts that reaches ``value``: ``TICKS`` round steps."""
    return TICKS * nice_step(value)


def month_label(month: datetime.date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def _legend(ident: str, x: int, y: int, names: tuple[str, str]) -> str:
    return (
        f'<g class="legend"><rect x="{x}" y="{y}" width="16" height="12" fill="{SOLID}" '
        f'stroke="{INK}"/><text x="{x + 22}" y="{y + 10}">{_e(names[0])}</text>'
        f'<rect x="{x + 150}" y="{y}" width="16" height="12" fill="url(#{ident}-second)" '
        f'stroke="{INK}"/><text x="{x + 172}" y="{y + 10}">{_e(names[1])}</text></g>'
    )


# ------------------------------------------------------------------------------ by month


def monthly_bars_svg(
    months: Sequence[tuple[datetime.date, int, int]],
    *,
    ident: str = "mois",
    title: str | None = None,
    series: tuple[str, str] | None = None,
) -> str:
    """Two vertical bars per month: entries (solid) and exits (hatched).

    ``months`` is ``[(first day of the month, entries, exits)]`` in order.
    """
    ident = _e(ident)
    series = series or (_("Entrées"), _("Sorties"))
    title = title or _("Entrées et sorties par mois")
    entries = sum(row[1] for row in months)
    exits = sum(row[2] for row in months)
    desc = ngettext(
        "%(n)d mois : %(entries)d entrées et %(exits)d sorties en tout.",
        "%(n)d mois : %(entries)d entrées et %(exits)d sorties en tout.",
        len(months),
    ) % {"n": len(months), "entries": entries, "exits": exits}
    if months and (entries or exits):
        busiest = max(months, key=lambda row: (row[1] + row[2], -row[0].toordinal()))
        desc += " " + _(
            "Mois le plus chargé : %(month)s (%(entries)d entrées, %(exits)d sorties)."
        ) % {
            "month": month_label(busiest[0]),
            "entries": busiest[1],
            "exits": busiest[2],
        }
    left, right, top, bottom_room, plot_height = 44, 12, 34, 40, 170
    height = top + plot_height + bottom_room
    bottom = top + plot_height
    plot = WIDTH - left - right
    peak = max((max(row[1], row[2]) for row in months), default=0)
    ceiling = axis_end(peak)
    ticks = TICKS
    parts = _open(WIDTH, height, ident, title, desc, "chart-months")
    parts.append(f"<defs>{_hatch(ident, 'second')}</defs>")
    parts.append(_legend(ident, left, 8, series))

    def y_of(value: int) -> float:
        return bottom - plot_height * value / ceiling

    parts.append(f'<g class="axis" stroke="{LINE}">')
    for index in range(ticks + 1):
        y = _num(y_of(ceiling * index / ticks))
        parts.append(f'<line x1="{left}" y1="{y}" x2="{left + plot}" y2="{y}"/>')
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{left + plot}" y2="{bottom}" stroke="{MUTED}"/></g>'
    )
    parts.append(f'<g class="axis-labels" text-anchor="end" fill="{MUTED}" font-size="11">')
    for index in range(ticks + 1):
        value = ceiling * index / ticks
        parts.append(f'<text x="{left - 6}" y="{_num(y_of(value) + 4)}">{_num(value)}</text>')
    parts.append("</g>")
    count = max(len(months), 1)
    slot = plot / count
    bar = max(min(slot * 0.36, 20), 1.5)
    every = max(1, math.ceil(count / 12))  # at most a dozen month labels
    show_values = count <= 24
    for index, (month, entered, exited) in enumerate(months):
        x0 = left + index * slot + (slot - 2 * bar) / 2
        parts.append('<g class="month">')
        for offset, value, fill, name in (
            (0, entered, SOLID, series[0]),
            (bar, exited, f"url(#{ident}-second)", series[1]),
        ):
            x = x0 + offset
            label = f"{month_label(month)} — {name} : {value}"
            y = y_of(value)
            parts.append(
                f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" '
                f'height="{_num(bottom - y)}" fill="{fill}" stroke="{INK}" stroke-width="0.75">'
                f"<title>{_e(label)}</title></rect>"
            )
            if show_values and value:
                parts.append(
                    f'<text x="{_num(x + bar / 2)}" y="{_num(y - 3)}" text-anchor="middle" '
                    f'font-size="9" aria-hidden="true">{value}</text>'
                )
        if index % every == 0:
            text = MONTHS[month.month - 1]
            center = _num(left + index * slot + slot / 2)
            parts.append(
                f'<text x="{center}" y="{bottom + 15}" text-anchor="middle" font-size="11">'
                f"{_e(text)}</text>"
            )
            if index == 0 or month.month == 1:
                parts.append(
                    f'<text x="{center}" y="{bottom + 29}" text-anchor="middle" font-size="10" '
                    f'fill="{MUTED}">{month.year}</text>'
                )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------------------ horizontal


def _value_axis(left: float, plot: float, top: float, bottom: float, end: float, unit: str) -> str:
    """The vertical grid lines of a horizontal chart and their values under the plot."""
    lines, labels = [], []
    for tick in range(TICKS + 1):
        x = _num(left + plot * tick / TICKS)
        lines.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>')
        anchor = ' text-anchor="start"' if tick == 0 else ""
        value = _num(end * tick / TICKS)
        labels.append(f'<text x="{x}" y="{bottom + 15}"{anchor}>{value}{_e(unit)}</text>')
    return (
        f'<g class="axis" stroke="{LINE}">{"".join(lines)}</g>'
        f'<g class="axis-labels" text-anchor="middle" fill="{MUTED}" font-size="11">'
        f"{''.join(labels)}</g>"
    )


def horizontal_bars_svg(
    rows: Sequence[Bar],
    *,
    title: str,
    desc: str,
    ident: str,
    maximum: Number | None = None,
    unit: str = "",
) -> str:
    """One horizontal bar per row, its label above it and its figure (``text``) at its end.

    ``maximum`` is the axis' end (100 for percentages); by default the largest value, rounded
    up. ``unit`` follows the axis' graduations (" %").
    """
    ident = _e(ident)
    left, right, top, row_height, bar = 8, 96, 8, 38, 16
    plot = WIDTH - left - right
    peak = max((float(row.value) for row in rows if row.value is not None), default=0)
    end = float(maximum) if maximum else float(axis_end(peak))
    height = top + len(rows) * row_height + 24
    bottom = height - 24
    parts = _open(WIDTH, height, ident, title, desc, "chart-bars")
    parts.append(_value_axis(left, plot, top, bottom, end, unit))
    for index, row in enumerate(rows):
        y = top + index * row_height
        weight = ' font-weight="700"' if row.strong else ""
        parts.append(f'<g class="row"><text x="{left}" y="{y + 12}"{weight}>{_e(row.label)}</text>')
        bar_y = y + 17
        if row.value is not None and end:
            width = plot * min(float(row.value), end) / end
            parts.append(
                f'<rect class="bar" x="{left}" y="{bar_y}" width="{_num(width)}" height="{bar}" '
                f'fill="{SOLID}" stroke="{INK}" stroke-width="0.75">'
                f"<title>{_e(row.label)} : {_e(row.text)}</title></rect>"
            )
        else:
            width = 0
        parts.append(
            f'<text x="{_num(left + width + 6)}" y="{bar_y + 12}"{weight}>{_e(row.text)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def paired_bars_svg(
    rows: Sequence[PairedBar],
    *,
    title: str,
    desc: str,
    ident: str,
    series: tuple[str, str],
    maximum: Number = 100,
    unit: str = " %",
) -> str:
    """Two horizontal bars per row: the first series solid, the second hatched."""
    ident = _e(ident)
    left, right, top, bar, gap = 8, 96, 30, 13, 2
    row_height = 16 + 2 * bar + gap + 10
    plot = WIDTH - left - right
    end = float(maximum) or 1.0
    height = top + len(rows) * row_height + 24
    bottom = height - 24
    parts = _open(WIDTH, height, ident, title, desc, "chart-pairs")
    parts.append(f"<defs>{_hatch(ident, 'second')}</defs>")
    parts.append(_legend(ident, left, 8, series))
    parts.append(_value_axis(left, plot, top, bottom, end, unit))
    for index, row in enumerate(rows):
        y = top + index * row_height
        parts.append(f'<g class="row"><text x="{left}" y="{y + 12}">{_e(row.label)}</text>')
        for offset, value, text, fill, name in (
            (16, row.first, row.first_text, SOLID, series[0]),
            (16 + bar + gap, row.second, row.second_text, f"url(#{ident}-second)", series[1]),
        ):
            bar_y = y + offset
            width = plot * min(float(value), end) / end if value is not None else 0
            if value is not None:
                parts.append(
                    f'<rect class="bar" x="{left}" y="{bar_y}" width="{_num(width)}" '
                    f'height="{bar}" fill="{fill}" stroke="{INK}" stroke-width="0.75">'
                    f"<title>{_e(row.label)} — {_e(name)} : {_e(text)}</title></rect>"
                )
            parts.append(
                f'<text x="{_num(left + width + 6)}" y="{bar_y + 10}" font-size="11">'
                f"{_e(text)}</text>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
