"""The school's key figures for a period: on screen (printable), as a one-page PDF and as XLSX.

Every figure comes from ``indicators.key_figures()`` (and the competency progress from
``reporting.competencies.school_progress()``); this module only picks the period, rounds
percentages for the screen (``outcomes.rules.whole_percentage`` / ``Rate.rounded``) and turns
the figures into charts. Aggregates only, no personal data: any staff member may see them
(``VIEW_KEY_FIGURES``). A bad period gets a French message and status 400, never a 500.

A funder (``Role.FUNDER``) reads another, simpler version of the page, the PDF and the XLSX:
tables built from ``suppression.funder_view`` (counts of 1 to 4 people shown as "< 5",
percentages computed from them as "s"), no charts, no competency progress.

Queries: a constant number per request, whatever the school's size.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parcours.organisations.access import Perm, has_perm, school_view
from parcours.organisations.models import Role
from parcours.organisations.selectors import sites_for
from parcours.outcomes.rules import whole_percentage
from parcours.pathways.exports import workbook_response
from parcours.pdf import render_pdf

from .. import charts
from ..competencies import SchoolProgress, school_progress
from ..exports import key_figures_workbook, workbook_bytes
from ..forms import ReportPeriodForm
from ..indicators import KeyFigures, Share, key_figures
from ..suppression import HIDDEN_PCT, funder_scope_refused, funder_view

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ShareRow:
    label: str
    count: int
    pct: Decimal | None  # one decimal (data)
    whole: int | None  # whole percent (screen)


def _form(request: HttpRequest) -> ReportPeriodForm:
    return ReportPeriodForm(
        request.GET or None,
        sites=sites_for(request.membership, include_closed=True),
        today=timezone.localdate(),
    )


def _whole(pct_of: Share, total: int) -> int | None:
    return whole_percentage(pct_of.count, total)


def _shares(figures: KeyFigures) -> list[ShareRow]:
    total = figures.trainees
    return [
        ShareRow(label, share.count, share.pct, _whole(share, total))
        for label, share in (
            (_("Femmes"), figures.women),
            (_("Moins de 26 ans à l'entrée"), figures.under_26),
            (_("Mineur·es à l'entrée"), figures.minors),
            (_("Résidant en quartier prioritaire (QPV) à l'entrée"), figures.qpv),
            (_("Sans diplôme (infra niveau 3)"), figures.no_diploma),
            (_("Reconnaissance de travailleur handicapé (RQTH)"), figures.rqth),
        )
    ]


def _prescribers(figures: KeyFigures) -> list[ShareRow]:
    total = figures.trainees
    return [
        ShareRow(row.label, row.count, row.pct, whole_percentage(row.count, total))
        for row in figures.prescribers
    ]


def _groups(figures: KeyFigures) -> list[tuple]:
    """Each destination group with its whole percent of the people who exited."""
    exits = figures.outcomes.exits
    return [(group, whole_percentage(group.count, exits)) for group in figures.outcomes.groups]


def _levels(progress: SchoolProgress) -> list[tuple]:
    """Each level with its whole percents of the positionings, at entry and latest."""
    whole = progress.positionings
    return [
        (level, whole_percentage(level.entry, whole), whole_percentage(level.latest, whole))
        for level in progress.levels
    ]


def _pct_text(value: Decimal | None, whole: int | None = None) -> str:
    if value is None:
        return "—"
    return f"{whole if whole is not None else value} %".replace(".", ",")


def _charts(figures: KeyFigures, progress: SchoolProgress) -> dict[str, str]:
    """The page's charts (SVG markup, escaped by ``charts``): figures in, drawings out."""
    total = figures.trainees
    drawn = {
        "months": charts.monthly_bars_svg(
            [(m.month, m.entries, m.exits) for m in figures.months],
            ident="kf-mois",
        )
    }
    if figures.prescribers:
        drawn["prescribers"] = charts.horizontal_bars_svg(
            [
                charts.Bar(
                    row.label,
                    row.count,
                    f"{row.count} ({_pct_text(row.pct, whole_percentage(row.count, total))})",
                )
                for row in figures.prescribers
            ],
            title=_("Prescripteurs des stagiaires"),
            desc=_(
                "Nombre de stagiaires par type de prescripteur, sur %(n)d stagiaires : %(rows)s."
            )
            % {
                "n": total,
                "rows": " ; ".join(f"{row.label} {row.count}" for row in figures.prescribers),
            },
            ident="kf-prescripteurs",
        )
    outcomes = figures.outcomes
    if outcomes.exits and outcomes.definitions:
        drawn["definitions"] = charts.horizontal_bars_svg(
            [
                charts.Bar(
                    row.definition.name,
                    row.rate.rate,
                    _pct_text(row.rate.rate, row.rate.rounded),
                    strong=row.is_headline,
                )
                for row in outcomes.definitions
            ],
            title=_("Taux de sorties réussies sous chaque définition"),
            desc=" ; ".join(
                f"{row.definition.name} : {_pct_text(row.rate.rate, row.rate.rounded)}"
                for row in outcomes.definitions
            ),
            ident="kf-definitions",
            maximum=100,
            unit=" %",
        )
    if outcomes.exits:
        drawn["destinations"] = charts.horizontal_bars_svg(
            [
                charts.Bar(
                    group.label,
                    group.count,
                    f"{group.count} ({_pct_text(group.share, whole)})",
                )
                for group, whole in _groups(figures)
            ],
            title=_("Destinations des personnes sorties"),
            desc=_("Destinations de %(n)d personnes sorties : %(rows)s.")
            % {
                "n": outcomes.exits,
                "rows": " ; ".join(f"{g.label} {g.count}" for g in outcomes.groups),
            },
            ident="kf-destinations",
        )
    if progress.positionings:
        drawn["progress"] = charts.paired_bars_svg(
            [
                charts.PairedBar(
                    f"{level.value} — {level.label}",
                    level.entry_pct,
                    level.latest_pct,
                    _pct_text(
                        level.entry_pct, whole_percentage(level.entry, progress.positionings)
                    ),
                    _pct_text(
                        level.latest_pct, whole_percentage(level.latest, progress.positionings)
                    ),
                )
                for level in progress.levels
            ],
            title=_("Niveaux de compétence à l'entrée et en fin de période"),
            desc=_(
                "Part des positionnements à chaque niveau, à l'entrée et en fin de période, "
                "pour %(t)d stagiaires et %(p)d positionnements ; %(r)d en progression."
            )
            % {"t": progress.trainees, "p": progress.positionings, "r": progress.raised},
            ident="kf-competences",
            series=(_("À l'entrée"), _("En fin de période")),
        )
    return {name: mark_safe(svg) for name, svg in drawn.items()}  # noqa: S308 (escaped)


def _visible(request: HttpRequest, figures: KeyFigures) -> KeyFigures:
    """The figures this member may see: funding agreements only with VIEW_FUNDING, as on the
    funding page (the direction all of them, a funder its own only)."""
    membership = request.membership
    if not has_perm(membership, Perm.VIEW_FUNDING):
        return dataclasses.replace(figures, funding=[])
    if membership.role == Role.FUNDER:
        own = [row for row in figures.funding if row.funder_id == membership.partner_id]
        return dataclasses.replace(figures, funding=own)
    return figures


def _context(request: HttpRequest, form: ReportPeriodForm) -> dict:
    school = request.membership.school
    period = form.report_period()
    site = form.report_site()
    figures = _visible(request, key_figures(school, period, site))
    progress = school_progress(school, period, site)
    headline = figures.headline
    return {
        "figures": figures,
        "period": period,
        "site": site,
        "progress": progress,
        "shares": _shares(figures),
        "prescribers": _prescribers(figures),
        "groups": _groups(figures),
        "levels": _levels(progress),
        "under_26_whole": _whole(figures.under_26, figures.trainees),
        "women_whole": _whole(figures.women, figures.trainees),
        "headline": headline,
        "success_whole": headline.rate.rounded if headline is not None else None,
        "progressed_whole": whole_percentage(progress.progressed, progress.trainees),
        "raised_whole": whole_percentage(progress.raised, progress.positionings),
        "charts": _charts(figures, progress),
        "query": form.query(),
        "funding_hidden": not has_perm(request.membership, Perm.VIEW_FUNDING),
        "printed_on": timezone.localdate(),
    }


def _year_links(form: ReportPeriodForm, context: dict) -> dict:
    period = context["period"]
    if not period.is_calendar_year:
        return {"year": None}
    year = period.start.year
    today = form.today
    site = context["site"]
    suffix = f"&site={site.pk}" if site else ""
    return {
        "year": year,
        "previous_year": f"?annee={year - 1}{suffix}" if year > 2000 else None,
        "next_year": f"?annee={year + 1}{suffix}" if year <= today.year else None,
    }


def _filename(school_slug: str, context: dict, extension: str) -> str:
    """``chiffres-cles-<école>[-<site>]-<année>.<ext>`` (or ``-<du>-<au>`` for other periods)."""
    period = context["period"]
    parts = ["chiffres-cles", school_slug]
    if context["site"] is not None:
        parts.append(slugify(context["site"].name) or f"site-{context['site'].pk}")
    if period.is_calendar_year:
        parts.append(str(period.start.year))
    else:
        parts += [period.start.isoformat(), period.end.isoformat()]
    return "-".join(parts) + f".{extension}"


def _bad_request(form: ReportPeriodForm) -> HttpResponse:
    text = "\n".join([_("Période invalide :"), *form.error_messages()])
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


# ------------------------------------------------------------------------------ funders

_SHARES = (
    ("women", _lazy("Femmes")),
    ("under_26", _lazy("Moins de 26 ans à l'entrée")),
    ("minors", _lazy("Mineur·es à l'entrée")),
    ("qpv", _lazy("Résidant en quartier prioritaire (QPV) à l'entrée")),
    ("no_diploma", _lazy("Sans diplôme (infra niveau 3)")),
    ("rqth", _lazy("Reconnaissance de travailleur handicapé (RQTH)")),
)


def _is_funder(request: HttpRequest) -> bool:
    return request.membership.role == Role.FUNDER


def _funder_scope_error(request: HttpRequest, form: ReportPeriodForm) -> bool:
    """For a funder asking for another scope than a calendar year of the whole school, add
    the French reason to ``form`` and return True (the view answers 400)."""
    if not _is_funder(request):
        return False
    message = funder_scope_refused(form.report_period(), form.report_site())
    if message is None:
        return False
    form.add_error(None, message)
    return True


def _pct_cell(value) -> str:
    """A percentage of ``funder_view`` for the screen: "12,5 %", "s" (hidden) or "—"."""
    if value is None:
        return "—"
    if value == HIDDEN_PCT:
        return HIDDEN_PCT
    return f"{value} %".replace(".", ",")


def _funder_context(request: HttpRequest, form: ReportPeriodForm) -> dict:
    """The funder's figures: only what ``funder_view`` returns, with French labels."""
    period, site = form.report_period(), form.report_site()
    figures = _visible(request, key_figures(request.membership.school, period, site))
    data = funder_view(figures)
    return {
        "data": data,
        "school_name": figures.school_name,
        "period": period,
        "site": site,
        "shares": [(label, _pct_cell(data[f"{name}_pct"])) for name, label in _SHARES],
        "prescribers": [(row.label, data["prescribers"][row.code]) for row in figures.prescribers],
        "funding_lines": [
            (line.label, data["funding_lines"][line.code]) for line in figures.funding_lines
        ],
        "definitions": [
            {**row, "pct": _pct_cell(row["success_rate_pct"])} for row in data["by_definition"]
        ],
        "success_pct": _pct_cell(data["success_rate_pct"]),
        "query": form.query(),
        "printed_on": timezone.localdate(),
    }


def _funder_sheets(context: dict) -> list:
    """The funder's XLSX: label/value sheets from the same suppressed figures."""
    data = context["data"]
    note = _(
        "Les effectifs de 1 à 4 personnes sont masqués (« < 5 ») ; « s » : pourcentage masqué."
    )
    summary = [
        (_("École"), context["school_name"]),
        (_("Site"), context["site"].name if context["site"] else _("Tous les sites")),
        (_("Période"), context["period"].label),
        (_("Stagiaires accueilli·es"), data["trainees"]),
        (_("Stagiaires PLIE"), data["plie"]),
        (_("Sorties"), data["exits"]),
        (_("Sorties réussies"), data["successful_exits"]),
        (_("Taux de sorties réussies (%)"), data["success_rate_pct"]),
        (_("Définition retenue"), data["headline_definition"]),
        (_("Salarié·es (fin de période)"), data["staff"]),
        (_("Sites"), data["sites"]),
        (_("Salles"), data["rooms"]),
        (_("Salles informatiques"), data["computer_rooms"]),
        (_("Surface (m²)"), data["surface_m2"]),
        (_("Note"), note),
    ]
    shares = [(label, data[f"{name}_pct"]) for name, label in _SHARES]
    definitions = [
        (
            row["definition"],
            row["exits"],
            row["excluded"],
            row["successful_exits"],
            row["success_rate_pct"],
        )
        for row in data["by_definition"]
    ]
    funding = [
        (row["funder"], row["year"], row["purpose"], row["amount_eur"], row["partner_since"])
        for row in data["funding"]
    ] or [(_("Aucune convention de financement sur la période."),)]
    return [
        (_("Chiffres clés"), [_("Indicateur"), _("Valeur")], summary),
        (_("Profil"), [_("Indicateur"), _("Part (%)")], shares),
        (_("Prescripteurs"), [_("Prescripteur"), _("Stagiaires")], context["prescribers"]),
        (_("Dispositifs"), [_("Dispositif"), _("Stagiaires")], context["funding_lines"]),
        (
            _("Sorties"),
            [_("Définition"), _("Retenues"), _("Exclues"), _("Réussies"), _("Taux (%)")],
            definitions,
        ),
        (
            _("Financements"),
            [_("Financeur"), _("Année"), _("Objet"), _("Montant (€)"), _("Partenaire depuis")],
            funding,
        ),
    ]


def _funder_page(request: HttpRequest, form: ReportPeriodForm) -> HttpResponse:
    context = _funder_context(request, form)
    context.update(_year_links(form, context), form=form)
    return render(request, "reporting/key_figures/funder.html", context)


def _funder_pdf(request: HttpRequest, form: ReportPeriodForm) -> HttpResponse:
    context = _funder_context(request, form)
    pdf = render_pdf("reporting/key_figures/funder_pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = _filename(request.membership.school.slug, context, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _funder_xlsx(request: HttpRequest, form: ReportPeriodForm) -> HttpResponse:
    context = _funder_context(request, form)
    name = _filename(request.membership.school.slug, context, "xlsx")
    response, _count = workbook_response(sheets=_funder_sheets(context), filename=name)
    return response


# ------------------------------------------------------------------------------ views


@school_view(Perm.VIEW_KEY_FIGURES)
def key_figures_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if (form.is_bound and not form.is_valid()) or _funder_scope_error(request, form):
        return render(
            request, "reporting/key_figures/page.html", {"form": form, "figures": None}, status=400
        )
    if _is_funder(request):
        return _funder_page(request, form)
    context = _context(request, form)
    context.update(
        _year_links(form, context),
        form=form,
        may_export_funder_reports=has_perm(request.membership, Perm.EXPORT_FUNDER_REPORTS),
    )
    return render(request, "reporting/key_figures/page.html", context)


@school_view(Perm.VIEW_KEY_FIGURES)
def key_figures_pdf(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if (form.is_bound and not form.is_valid()) or _funder_scope_error(request, form):
        return _bad_request(form)
    if _is_funder(request):
        return _funder_pdf(request, form)
    context = _context(request, form)
    context["school"] = request.membership.school
    pdf = render_pdf("reporting/key_figures/pdf.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = _filename(request.membership.school.slug, context, "pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@school_view(Perm.VIEW_KEY_FIGURES)
def key_figures_xlsx(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if (form.is_bound and not form.is_valid()) or _funder_scope_error(request, form):
        return _bad_request(form)
    if _is_funder(request):
        return _funder_xlsx(request, form)
    school, period, site = request.membership.school, form.report_period(), form.report_site()
    figures = _visible(request, key_figures(school, period, site))
    book = key_figures_workbook(
        figures,
        school_progress(school, period, site),
        funding_hidden=not has_perm(request.membership, Perm.VIEW_FUNDING),
    )
    context = {"period": period, "site": site}
    response = HttpResponse(workbook_bytes(book), content_type=XLSX_TYPE)
    name = _filename(request.membership.school.slug, context, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("chiffres-cles/", key_figures_page, name="key_figures"),
    path("chiffres-cles/pdf/", key_figures_pdf, name="key_figures_pdf"),
    path("chiffres-cles/xlsx/", key_figures_xlsx, name="key_figures_xlsx"),
]
