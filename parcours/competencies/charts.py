"""Charts of competency levels, drawn server-side as inline SVG (no JavaScript, no library).

Pure functions of plain data (no database): the views and template tags pass the figures, these
functions return the SVG markup. Every text is escaped here, so the result can be marked safe.

The charts must stay readable in black and white print: the level "at entry" is a hatched bar,
"today" a solid one; the distribution uses a light-to-dark ramp with a hatch for "not assessed".
Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that sum it up; the
pages also show the same figures as a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: (code, title, entry level or None, current level or None)
ProgressRow = tuple[str, str, int | None, int | None]
#: (value, label)
ScaleRow = tuple[int, str]
#: (code, title, counts per level of the scale in its order, count not assessed)
DistributionRow = tuple[str, str, Sequence[int], int]

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#1b1f24"
MUTED = "#4a5563"
LINE = "#d0d5dc"
SOLID = "#1d4e89"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

WIDTH = 640
LEFT = 64  # room for the competency codes
RIGHT = 24
TOP = 40  # room for the legend
BAR = 12
BAR_GAP = 3
GROUP_GAP = 14
AXIS = 46  # room for the level labels under the plot


def _e(text: object) -> str:
    return str(escape(str(text)))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _level_text(level: int | None, labels: dict[int, str]) -> str:
    if level is None:
        return _("non évalué")
    label = labels.get(level)
    return f"{level} ({label})" if label else str(level)


def _open(width: int, height: int, ident: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">',
        f'<title id="{ident}-title">{_e(title)}</title>',
        f'<desc id="{ident}-desc">{_e(desc)}</desc>',
    ]


def _hatch(ident: str, name: str, *, background: str = "#ffffff", ink: str = INK) -> str:
    return (
        f'<pattern id="{ident}-{name}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{background}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{ink}" stroke-width="2"/></pattern>'
    )


def progress_summary(rows: Sequence[ProgressRow], scale: Sequence[ScaleRow]) -> str:
    """One sentence for screen readers: how many competencies, how many went up."""
    top = max((value for value, _label in scale), default=0)
    progressed = sum(
        1 for _c, _t, entry, now in rows if entry is not None and now is not None and now > entry
    )
    assessed = sum(1 for row in rows if row[2] is not None or row[3] is not None)
    text = ngettext(
        "Niveau à l'entrée et niveau actuel pour %(n)d compétence, sur une échelle de 1 à %(top)d.",
        "Niveaux à l'entrée et niveaux actuels pour %(n)d compétences, sur une échelle de 1 à "
        "%(top)d.",
        len(rows),
    ) % {"n": len(rows), "top": top}
    text += " " + ngettext(
        "%(a)d compétence évaluée, ", "%(a)d compétences évaluées, ", assessed
    ) % {"a": assessed}
    text += ngettext(
        "%(p)d en progression depuis l'entrée.", "%(p)d en progression depuis l'entrée.", progressed
    ) % {"p": progressed}
    return text


def progress_chart_svg(
    rows: Sequence[ProgressRow], scale: Sequence[ScaleRow], *, ident: str = "progress"
) -> str:
    """A horizontal grouped bar chart: per competency, the level at entry (hatched) and today
    (solid), on the scale's levels. ``ident`` prefixes the SVG's ids (unique per page)."""
    ident = _e(ident)
    labels = {value: label for value, label in scale}
    top = max(labels, default=0) or max(
        (level for row in rows for level in row[2:] if level), default=1
    )
    plot = WIDTH - LEFT - RIGHT
    group = 2 * BAR + BAR_GAP
    height = TOP + len(rows) * (group + GROUP_GAP) + AXIS
    bottom = height - AXIS

    def x_of(level: int) -> float:
        return LEFT + plot * min(level, top) / top

    parts = _open(
        WIDTH,
        height,
        ident,
        _("Niveaux à l'entrée et aujourd'hui, par compétence"),
        progress_summary(rows, scale),
    )
    parts.append(f"<defs>{_hatch(ident, 'entry')}</defs>")
    # Legend.
    parts.append(
        f'<g class="legend"><rect x="{LEFT}" y="8" width="16" height="{BAR}" '
        f'fill="url(#{ident}-entry)" stroke="{INK}"/>'
        f'<text x="{LEFT + 22}" y="18">{_e(_("à l’entrée"))}</text>'
        f'<rect x="{LEFT + 130}" y="8" width="16" height="{BAR}" fill="{SOLID}" stroke="{INK}"/>'
        f'<text x="{LEFT + 152}" y="18">{_e(_("aujourd’hui"))}</text></g>'
    )
    # Grid and axis: one line per level, its value and label underneath.
    parts.append(f'<g class="axis" stroke="{LINE}">')
    for value in range(0, top + 1):
        x = _num(x_of(value))
        parts.append(f'<line x1="{x}" y1="{TOP - 6}" x2="{x}" y2="{bottom}"/>')
    parts.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{LEFT + plot}" y2="{bottom}" stroke="{MUTED}"/>'
    )
    parts.append("</g>")
    parts.append('<g class="axis-labels" text-anchor="middle">')
    for value in range(1, top + 1):
        x = _num(x_of(value))
        anchor = ' text-anchor="end"' if value == top else ""
        parts.append(f'<text x="{x}" y="{bottom + 16}"{anchor} font-weight="600">{value}</text>')
        if labels.get(value):
            parts.append(
                f'<text x="{x}" y="{bottom + 32}"{anchor} font-size="11" fill="{MUTED}">'
                f"{_e(labels[value])}</text>"
            )
    parts.append("</g>")
    # Bars.
    for index, (code, title, entry, current) in enumerate(rows):
        y = TOP + index * (group + GROUP_GAP)
        parts.append(f'<g class="competency"><title>{_e(code)} {_e(title)}</title>')
        parts.append(
            f'<text x="{LEFT - 8}" y="{_num(y + group / 2 + 4)}" text-anchor="end" '
            f'font-weight="600">{_e(code)}</text>'
        )
        for offset, level, fill, name in (
            (0, entry, f"url(#{ident}-entry)", _("à l’entrée")),
            (BAR + BAR_GAP, current, SOLID, _("aujourd’hui")),
        ):
            bar_y = y + offset
            label = f"{code} — {name} : {_level_text(level, labels)}"
            if level is None:
                parts.append(
                    f'<text class="bar-none" x="{LEFT + 4}" y="{bar_y + BAR - 2}" font-size="10" '
                    f'fill="{MUTED}">{_e(_("non évalué"))}<title>{_e(label)}</title></text>'
                )
                continue
            width = _num(x_of(level) - LEFT)
            parts.append(
                f'<rect class="bar" x="{LEFT}" y="{bar_y}" width="{width}" height="{BAR}" '
                f'fill="{fill}" stroke="{INK}" stroke-width="1"><title>{_e(label)}</title></rect>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


#: Fills of the distribution, level 1 (light) to the top level (dark): distinct in grey print.
RAMP = ("#dbe7f5", "#9dbbe0", "#5a8ac6", "#1d4e89", "#0c2a4d", "#000000")


def level_fills(count: int) -> list[str]:
    """``count`` fills from the ramp, light to dark, spread over it."""
    if count <= 0:
        return []
    if count >= len(RAMP):
        return [RAMP[min(i, len(RAMP) - 1)] for i in range(count)]
    step = (len(RAMP) - 1) / max(count - 1, 1)
    return [RAMP[round(i * step)] for i in range(count)] if count > 1 else [RAMP[3]]


def distribution_chart_svg(
    rows: Sequence[DistributionRow], scale: Sequence[ScaleRow], *, ident: str = "distribution"
) -> str:
    """One 100 % stacked horizontal bar per competency: the share of trainees at each current
    level, then the share not assessed (hatched)."""
    ident = _e(ident)
    fills = level_fills(len(scale))
    plot = WIDTH - LEFT - RIGHT
    legend_rows = (len(scale) + 1 + 2) // 3
    top = 12 + legend_rows * 20
    row_height = 18 + 10
    height = top + len(rows) * row_height + 28
    bottom = height - 28
    total_trainees = max((sum(counts) + none for _c, _t, counts, none in rows), default=0)
    desc = ngettext(
        "Répartition des niveaux actuels de %(n)d stagiaire pour %(c)d compétences.",
        "Répartition des niveaux actuels de %(n)d stagiaires pour %(c)d compétences.",
        total_trainees,
    ) % {"n": total_trainees, "c": len(rows)}
    parts = _open(WIDTH, height, ident, _("Répartition des niveaux par compétence"), desc)
    parts.append(f"<defs>{_hatch(ident, 'none', ink=MUTED)}</defs>")
    keys = [(fills[i], f"{value} — {label}") for i, (value, label) in enumerate(scale)]
    keys.append((f"url(#{ident}-none)", _("non évalué")))
    parts.append('<g class="legend">')
    for i, (fill, text) in enumerate(keys):
        x = LEFT + (i % 3) * 180
        y = 6 + (i // 3) * 20
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="12" fill="{fill}" stroke="{INK}"/>'
            f'<text x="{x + 20}" y="{y + 10}">{_e(text)}</text>'
        )
    parts.append("</g>")
    parts.append(f'<g class="axis" stroke="{LINE}">')
    for pct in (0, 25, 50, 75, 100):
        x = _num(LEFT + plot * pct / 100)
        parts.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{bottom}"/>')
    parts.append('</g><g class="axis-labels" text-anchor="middle" fill="#4a5563">')
    for pct in (0, 25, 50, 75, 100):
        x = _num(LEFT + plot * pct / 100)
        parts.append(f'<text x="{x}" y="{bottom + 16}">{pct} %</text>')
    parts.append("</g>")
    for index, (code, title, counts, none) in enumerate(rows):
        y = top + index * row_height
        total = sum(counts) + none
        parts.append(f'<g class="competency"><title>{_e(code)} {_e(title)}</title>')
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 13}" text-anchor="end" font-weight="600">'
            f"{_e(code)}</text>"
        )
        x = float(LEFT)
        segments = [
            (count, fills[i], f"{scale[i][0]} — {scale[i][1]}") for i, count in enumerate(counts)
        ]
        segments.append((none, f"url(#{ident}-none)", _("non évalué")))
        for count, fill, name in segments:
            if not count or not total:
                continue
            width = plot * count / total
            label = f"{code} — {name} : {count}"
            parts.append(
                f'<rect class="segment" x="{_num(x)}" y="{y}" width="{_num(width)}" height="18" '
                f'fill="{fill}" stroke="{INK}" stroke-width="0.5"><title>{_e(label)}</title></rect>'
            )
            x += width
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
