"""Monthly statements (états de présence): one trainee's on screen and as PDF (``VIEW_SCHEDULE``),
the whole school's on screen and as XLSX (``CLOSE_MONTH``, the director). Downloads are
audited. The figures come from ``parcours.schedule.statements``, nowhere else.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip, record_event
from parcours.organisations.access import Perm, school_view
from parcours.pathways import selectors as pathway_selectors
from parcours.pathways.exports import Format, export_response, record_export
from parcours.pdf import render_pdf

from .. import selectors_statements as reads
from .. import statements as computing
from ..models import AttendanceStatus
from ..statements import STATUS_CODES, Quantity, Statement


def _requested_month(request: HttpRequest) -> tuple[datetime.date, str]:
    """The month of ``?mois=YYYY-MM`` (the current month by default) and an error message."""
    current = timezone.localdate().replace(day=1)
    value = request.GET.get("mois", "")
    if not value:
        return current, ""
    month = computing.parse_month(value)
    if month is None:
        return current, _(
            "Mois invalide : indiquez-le sous la forme AAAA-MM (par exemple 2024-03)."
        )
    return month, ""


def _month_nav(month: datetime.date) -> dict:
    return {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{computing.shift_month(month, -1):%Y-%m}",
        "next_month": f"{computing.shift_month(month, 1):%Y-%m}",
    }


def _legend() -> list[tuple[str, str]]:
    return [(STATUS_CODES[status.value], str(status.label)) for status in AttendanceStatus]


@school_view(Perm.VIEW_SCHEDULE)
def trainee_statement(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = pathway_selectors.get_enrolment(request.membership, pk)
    month, error = _requested_month(request)
    statement = computing.monthly_statement(enrolment, month)
    return render(
        request,
        "schedule/statements/trainee.html",
        {
            "enrolment": enrolment,
            "person": enrolment.person,
            "statement": statement,
            "error": error,
            "legend": _legend(),
            **_month_nav(month),
        },
        status=400 if error else 200,
    )


def pdf_filename(statement: Statement) -> str:
    """``etat-presence-<nom>-<YYYY-MM>.pdf`` in ASCII (accents dropped, spaces as dashes)."""
    person = statement.person
    name = (
        slugify(f"{person.last_name} {person.first_name}") or f"parcours-{statement.enrolment.pk}"
    )
    return f"etat-presence-{name}-{statement.month_key}.pdf"


@school_view(Perm.VIEW_SCHEDULE)
def trainee_statement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    month, error = _requested_month(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    statement = computing.monthly_statement(enrolment, month)
    pdf = render_pdf(
        "schedule/statements/pdf.html",
        {
            "school": membership.school,
            "enrolment": enrolment,
            "person": enrolment.person,
            "statement": statement,
            "legend": _legend(),
            "printed_on": timezone.localdate(),
        },
    )
    record_event(
        actor=request.user,
        action="statement.download",
        target=enrolment,
        school=membership.school,
        changes={"month": statement.month_key, "closed": statement.is_closed},
        ip_address=client_ip(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(statement)}"'
    response["Cache-Control"] = "no-store"
    return response


def _totals(statements: list[Statement]) -> dict:
    """The school's totals: half-days by status, paid under 18 / 18 and over."""
    return {
        "by_status": [
            Quantity(sum(s.half_days(status.value) for s in statements))
            for status in AttendanceStatus
        ],
        "total": Quantity(sum(s.total.half_days for s in statements)),
        "paid": Quantity(sum(s.paid.half_days for s in statements)),
        "paid_minor": Quantity(sum(s.paid_minor.half_days for s in statements)),
        "paid_adult": Quantity(sum(s.paid_adult.half_days for s in statements)),
    }


@school_view(Perm.CLOSE_MONTH)
def school_statements(request: HttpRequest) -> HttpResponse:
    month, error = _requested_month(request)
    statements = computing.school_statements(request.membership, month)
    return render(
        request,
        "schedule/statements/school.html",
        {
            "statements": statements,
            "statuses": list(AttendanceStatus),
            "totals": _totals(statements),
            "closed": (
                statements[0].closed
                if statements
                else reads.closed_month(request.membership.school_id, month)
            ),
            "error": error,
            **_month_nav(month),
        },
        status=400 if error else 200,
    )


def xlsx_headers() -> list[str]:
    """The columns of the school's XLSX export (one row per trainee)."""
    return [
        _("Nom"),
        _("Prénom"),
        _("Date de naissance"),
        _("Site"),
        *[_("Demi-journées : %(status)s") % {"status": s.label} for s in AttendanceStatus],
        _("Demi-journées (total)"),
        _("Heures (total)"),
        _("Demi-journées rémunérées"),
        _("Heures rémunérées"),
        _("Demi-journées rémunérées, moins de 18 ans"),
        _("Demi-journées rémunérées, 18 ans et plus"),
        _("Heures rémunérées, moins de 18 ans"),
        _("Heures rémunérées, 18 ans et plus"),
        _("Mois clos"),
    ]


def xlsx_row(statement: Statement) -> list:
    person = statement.person
    return [
        person.last_name,
        person.first_name,
        person.birth_date,
        statement.enrolment.site.name,
        *[statement.half_days(status.value) for status in AttendanceStatus],
        statement.total.half_days,
        statement.total.hours,
        statement.paid.half_days,
        statement.paid.hours,
        statement.paid_minor.half_days,
        statement.paid_adult.half_days,
        statement.paid_minor.hours,
        statement.paid_adult.hours,
        _("oui") if statement.is_closed else _("non"),
    ]


@school_view(Perm.CLOSE_MONTH)
def school_statements_xlsx(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    month, error = _requested_month(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    statements = computing.school_statements(membership, month)
    response, count = export_response(
        headers=xlsx_headers(),
        rows=(xlsx_row(statement) for statement in statements),
        filename=f"etats-presence-{membership.school.slug}-{month:%Y-%m}.xlsx",
        fmt=Format.XLSX,
        sheet_title=f"{month:%Y-%m}",
    )
    record_export(
        membership=membership,
        action="statement.export",
        row_count=count,
        fmt=Format.XLSX,
        filters={"month": f"{month:%Y-%m}"},
        ip_address=client_ip(request),
    )
    return response


urlpatterns = [
    path(
        "planning/stagiaires/<int:pk>/etat-de-presence/",
        trainee_statement,
        name="trainee_statement",
    ),
    path(
        "planning/stagiaires/<int:pk>/etat-de-presence/pdf/",
        trainee_statement_pdf,
        name="trainee_statement_pdf",
    ),
    path("planning/etats/", school_statements, name="school_statements"),
    path("planning/etats/xlsx/", school_statements_xlsx, name="school_statements_xlsx"),
]
