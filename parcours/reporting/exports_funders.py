"""The funder reports as XLSX workbooks (openpyxl), one per report: a summary sheet first, then
the detail sheets (participant lists for the PLIE and the FSE+). Everything is taken from the
report objects of ``funders``; nothing is computed here.

Text cells that a spreadsheet could run as a formula are escaped as in every export
(``pathways.exports``); dates are real date cells shown dd/mm/yyyy; percentages carry one
decimal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from parcours.outcomes.destinations import GROUP_OF
from parcours.pathways.exports import XLSX_DATE_FORMAT, safe_text

from . import funders
from .indicators import Breakdown

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def _value(value: Any) -> Any:
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, int | float | datetime.date):
        return value
    return safe_text(str(value))


def _row(sheet, values: Sequence[Any], *, bold: bool = False) -> None:
    sheet.append([_value(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, datetime.date):
            cell.number_format = XLSX_DATE_FORMAT
        if bold:
            cell.font = BOLD


def _title(sheet, report, title: str) -> None:
    sheet.append([safe_text(f"{report.school_name} — {title} — {report.period.label}")])
    sheet["A1"].font = TITLE
    _row(sheet, ["Période", report.period.start, report.period.end])
    sheet.append([])


def _breakdowns(sheet, heading: str, rows: Iterable[Breakdown], whole: str = "Part (%)") -> None:
    _row(sheet, [heading, "Personnes", whole], bold=True)
    for row in rows:
        _row(sheet, [row.label, row.count, row.pct])
    sheet.append([])


def _widths(sheet, *widths: int) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def _outcomes(sheet, outcomes: funders.Outcomes, label: str) -> None:
    _row(sheet, ["Sorties", "Nombre", "Taux (%)"], bold=True)
    _row(sheet, ["Personnes sorties sur la période", outcomes.exits, None])
    if outcomes.rate is None:
        _row(sheet, ["Aucune définition de sortie réussie valable sur la période", None, None])
    else:
        _row(sheet, [f"Définition : {outcomes.definition} ({label})", None, None])
        _row(sheet, ["Sorties exclues du calcul", outcomes.rate.excluded, None])
        _row(sheet, ["Sorties retenues", outcomes.rate.counted, None])
        _row(sheet, ["Sorties réussies", outcomes.rate.successful, outcomes.rate.rate])
    sheet.append([])


def _destinations(book: Workbook, outcomes: funders.Outcomes) -> None:
    sheet = book.create_sheet("Destinations")
    _row(sheet, ["Destination", "Personnes", "Part des sorties (%)"], bold=True)
    by_group: dict[str, list[Breakdown]] = {}
    for destination in outcomes.destinations:
        by_group.setdefault(GROUP_OF[destination.code], []).append(destination)
    for group in outcomes.groups:
        _row(sheet, [group.label, group.count, group.pct], bold=True)
        for destination in by_group.get(group.code, []):
            _row(sheet, [f"  {destination.label}", destination.count, destination.pct])
    _widths(sheet, 45, 12, 20)


# ------------------------------------------------------------------------------ the reports


def city_policy_workbook(report: funders.CityPolicyReport) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Synthèse"
    _title(sheet, report, "Politique de la ville")
    _row(sheet, ["Indicateur", "Nombre", "Part (%)"], bold=True)
    _row(sheet, ["Stagiaires accueilli·es sur la période", report.trainees, None])
    _row(sheet, ["Résidant en QPV (à l'entrée)", report.qpv_trainees, report.qpv_pct])
    _row(sheet, ["Inscrit·es au titre de la politique de la ville", report.line_trainees, None])
    _row(sheet, ["Femmes résidant en QPV", report.women, None])
    _row(sheet, ["dont de plus de 25 ans (26 ans ou plus à l'entrée)", report.women_over_25, None])
    sheet.append([])
    _outcomes(sheet, report.outcomes, "définition retenue par l'école")
    _breakdowns(sheet, "Destinations des résident·es QPV sorti·es", report.outcomes.groups)
    _widths(sheet, 60, 14, 14)

    qpv = book.create_sheet("Par QPV")
    _row(
        qpv,
        ["Code QPV", "Stagiaires", "Part (%)", "Femmes", "dont plus de 25 ans"],
        bold=True,
    )
    for row in report.by_qpv:
        _row(qpv, [row.code, row.trainees, row.pct, row.women, row.women_over_25])
    _row(
        qpv,
        ["Total", report.qpv_trainees, None, report.women, report.women_over_25],
        bold=True,
    )
    _widths(qpv, 16, 12, 10, 10, 20)
    _destinations(book, report.outcomes)
    return book


def _exit_cells(exit_row: funders.ExitRow | None) -> list[Any]:
    if exit_row is None:
        return [None, "", "", None]
    return [exit_row.exit_date, exit_row.destination_label, exit_row.group_label, exit_row.months]


def plie_workbook(report: funders.PlieReport) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Synthèse"
    _title(sheet, report, "PLIE")
    _row(sheet, ["Indicateur", "Nombre", None], bold=True)
    _row(sheet, ["Participant·es du PLIE sur la période", report.people, None])
    _row(sheet, ["dont entré·es sur la période", report.entries, None])
    _row(sheet, ["dont en parcours à la fin de la période", report.in_progress, None])
    _row(sheet, ["Étapes de phase sur la période", report.phases, None])
    _row(sheet, ["Stages sur la période", report.internships, None])
    _row(sheet, ["PMSMP sur la période", report.pmsmp, None])
    sheet.append([])
    _outcomes(sheet, report.outcomes, "définition PLIE")
    _breakdowns(sheet, "Destinations des participant·es sorti·es", report.outcomes.groups)
    _widths(sheet, 60, 14, 14)

    people = book.create_sheet("Participants")
    _row(
        people,
        [
            "Nom",
            "Prénom",
            "Date de naissance",
            "Sexe",
            "Âge à l'entrée",
            "Site",
            "Date d'entrée",
            "Fin prévue",
            "Date de sortie",
            "Destination",
            "Type de destination",
            "Durée (mois)",
            "Sortie positive PLIE",
        ],
        bold=True,
    )
    for p in report.participants:
        verdict = ""
        if p.exit is not None and p.exit.successful is not None:
            verdict = (
                "Exclue du calcul" if p.exit.excluded else ("Oui" if p.exit.successful else "Non")
            )
        _row(
            people,
            [
                p.last_name,
                p.first_name,
                p.birth_date,
                p.gender,
                p.age_at_entry,
                p.site,
                p.entry_date,
                p.planned_end_date,
                *_exit_cells(p.exit),
                verdict,
            ],
        )
    _widths(people, 20, 16, 14, 8, 8, 18, 12, 12, 12, 30, 20, 10, 14)

    steps = book.create_sheet("Étapes")
    _row(steps, ["Nom", "Prénom", "Type d'étape", "Intitulé", "Début", "Fin"], bold=True)
    for p in report.participants:
        for phase in p.phases:
            _row(
                steps,
                [p.last_name, p.first_name, "Phase", phase.phase, phase.started_on, phase.ended_on],
            )
        for internship in p.internships:
            _row(
                steps,
                [
                    p.last_name,
                    p.first_name,
                    internship.kind,
                    f"{internship.company} — {internship.job_title}",
                    internship.start_date,
                    internship.end_date,
                ],
            )
    _widths(steps, 20, 16, 30, 55, 12, 12)
    _destinations(book, report.outcomes)
    return book


def fse_workbook(report: funders.FseReport) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Synthèse"
    _title(sheet, report, "FSE+")
    _row(sheet, ["Participant·es FSE+ sur la période", report.people, None], bold=True)
    sheet.append([])
    _row(sheet, ["À l'entrée"], bold=True)
    for item in report.at_entry:
        _breakdowns(sheet, item.label, item.rows)
    _row(sheet, ["À la sortie"], bold=True)
    _breakdowns(sheet, "Situation à la sortie (sortie sur la période)", report.at_exit)
    _row(sheet, ["6 mois après la sortie"], bold=True)
    _row(sheet, ["Personnes sorties sur la période", report.exits, None])
    _breakdowns(
        sheet, "Situation 6 mois après la sortie", report.six_months, "Part des sorties (%)"
    )
    _widths(sheet, 60, 14, 20)

    people = book.create_sheet("Participants")
    items = report.entry_items
    _row(
        people,
        [
            "Nom",
            "Prénom",
            "Date de naissance",
            "Date d'entrée",
            "Âge à l'entrée (ans)",
            *[label for _code, label in items],
            "Date de sortie",
            "Destination",
            "Type de destination",
            "Durée (mois)",
            "Situation à 6 mois",
        ],
        bold=True,
    )
    for p in report.participants:
        _row(
            people,
            [
                p.last_name,
                p.first_name,
                p.birth_date,
                p.entry_date,
                p.age_at_entry,
                *[p.answers.get(code, "") for code, _label in items],
                *_exit_cells(p.exit),
                p.six_months,
            ],
        )
    _widths(people, 20, 16, 14, 12, 8, *([18] * len(items)), 12, 28, 20, 10, 28)
    return book


def region_workbook(report: funders.RegionReport) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Synthèse"
    _title(sheet, report, "Région")
    _row(sheet, ["Stagiaires accueilli·es sur la période", report.trainees], bold=True)
    _row(sheet, ["dont inscrit·es au titre de la Région", report.line_trainees])
    sheet.append([])
    _row(
        sheet,
        [
            "Tranche d'âge (à l'entrée)",
            "Stagiaires",
            "Part (%)",
            "Demi-journées comptées",
            "Demi-journées de présence",
            "Taux d'assiduité (%)",
            "Part en entreprise (%)",
        ],
        bold=True,
    )
    for row in report.brackets:
        rates = row.attendance
        _row(
            sheet,
            [
                row.label,
                row.trainees,
                row.pct,
                rates.counted,
                rates.attended,
                rates.attendance_rate,
                rates.company_share,
            ],
        )
    total = report.attendance
    _row(
        sheet,
        [
            "Ensemble",
            report.trainees,
            None,
            total.counted,
            total.attended,
            total.attendance_rate,
            total.company_share,
        ],
        bold=True,
    )
    sheet.append([])
    _row(
        sheet,
        [
            "Assiduité : demi-journées de présence, en retard ou en entreprise ÷ demi-journées "
            "émargées hors congés, jusqu'à aujourd'hui."
        ],
    )
    _widths(sheet, 45, 12, 10, 22, 24, 20, 20)

    months = book.create_sheet("États de présence")
    labels = [label for _code, label, *_rest in funders.REGION_BRACKETS]
    _row(
        months,
        [
            "Mois",
            "Mois clos",
            "Stagiaires émargé·es",
            "Demi-journées rémunérées",
            "Heures rémunérées",
            "Demi-journées au tarif moins de 18 ans",
            "Demi-journées au tarif 18 ans et plus",
            *[f"Demi-journées rémunérées : {label}" for label in labels],
        ],
        bold=True,
    )
    for month in report.months:
        _row(
            months,
            [
                month.month,
                month.closed,
                month.trainees,
                month.paid_half_days,
                month.paid_hours,
                month.paid_minor,
                month.paid_adult,
                *month.by_bracket.values(),
            ],
        )
        months.cell(row=months.max_row, column=1).number_format = "MM/YYYY"
    _row(
        months,
        [
            "Total",
            None,
            None,
            report.paid_half_days,
            sum((m.paid_hours for m in report.months), Decimal(0)),
            sum(m.paid_minor for m in report.months),
            sum(m.paid_adult for m in report.months),
            *[
                sum(m.by_bracket[code] for m in report.months)
                for code, *_r in funders.REGION_BRACKETS
            ],
        ],
        bold=True,
    )
    _widths(months, 12, 10, 12, 14, 14, 18, 18, 22, 22, 22)
    return book


WORKBOOKS = {
    funders.CITY_POLICY: city_policy_workbook,
    funders.PLIE_REPORT: plie_workbook,
    funders.FSE_REPORT: fse_workbook,
    funders.REGION_REPORT: region_workbook,
}


def funder_workbook(report) -> Workbook:
    """The workbook of any funder report (by its ``kind``)."""
    return WORKBOOKS[report.kind](report)


def filename(kind: str, school_slug: str, period) -> str:
    """``rapport-plie-e2c-63-2018.xlsx`` or ``…-2018-01-01-au-2018-06-30.xlsx``."""
    if period.is_calendar_year:
        span = str(period.start.year)
    else:
        span = f"{period.start.isoformat()}-au-{period.end.isoformat()}"
    return f"rapport-{kind}-{school_slug}-{span}.xlsx"
