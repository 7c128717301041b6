"""Attendance screens (émargement): the sheet of a session, the day sheet of a site, the
months and their closing, a trainee's month of marks.

Marking needs ``MARK_ATTENDANCE`` (director, referents); closing and reopening a month needs
``CLOSE_MONTH`` (director); reading needs ``VIEW_SCHEDULE``. The rules live in
``services_attendance``; a refused sheet is shown again with the message (status 400).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.organisations.selectors import sites_for
from parcours.pathways import exports
from parcours.pathways.selectors import get_enrolment
from parcours.pathways.selectors_lists import referents

from .. import rates, selectors, selectors_attendance, services_attendance
from ..forms.attendance import AttendanceSheetForm, DaySheetChoiceForm, MonthForm, MonthReopenForm
from ..models import MIDDAY, AbsenceReason, AttendanceStatus, Half
from ..selectors_attendance import STATUS_CODES, add_months

STATUSES = [
    {"value": status.value, "label": status.label, "code": STATUS_CODES[status.value]}
    for status in AttendanceStatus
]


def _sheet_context(form, *, day: datetime.date, closed: bool) -> dict:
    today = timezone.localdate()
    return {
        "form": form,
        "table": form.table(),
        "statuses": STATUSES,
        "reasons": AbsenceReason.choices,
        "day": day,
        "is_future": day > today,
        "is_past": day < today,
        "is_closed": closed,
        "can_save": day <= today and not closed,
        "month_label": services_attendance.month_label(day),
        "of_month": services_attendance.of_month(day),
    }


def _save(request, form, save, success_url: str):
    """Validate ``form`` and call ``save(marks=…, correction_reason=…)``; ``None`` when it was
    refused (the errors are on the form)."""
    if not form.is_valid():
        return None
    try:
        save(
            marks=form.marks(all_present="all_present" in request.POST),
            correction_reason=form.cleaned_data["correction_reason"],
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, _("L'émargement est enregistré."))
    return redirect(success_url)


@school_view(Perm.MARK_ATTENDANCE)
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    session = selectors.get_session(membership, pk)
    rows = selectors_attendance.session_sheet(membership, session)
    form = AttendanceSheetForm(request.POST if request.method == "POST" else None, rows=rows)
    url = reverse("schedule:session_attendance", args=[membership.school.slug, session.pk])
    if request.method == "POST":

        def save(**kwargs):
            services_attendance.mark_session(membership=membership, session=session, **kwargs)

        if (response := _save(request, form, save, url)) is not None:
            return response
    context = {
        **_sheet_context(
            form, day=session.day, closed=selectors_attendance.is_closed(membership, session.day)
        ),
        "session": session,
        "halves": [Half(half).label for half in session.halves],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "schedule/attendance/session.html", context, status=status)


def _default_half() -> str:
    return Half.AM if timezone.localtime().time() < MIDDAY else Half.PM


@school_view(Perm.MARK_ATTENDANCE)
def day_attendance(request: HttpRequest) -> HttpResponse:
    """The day sheet: ?site=&jour=AAAA-MM-JJ&demi=am|pm (defaults: first site, today, now)."""
    membership = request.membership
    sites = sites_for(membership)
    first_site = sites.first()
    params = {
        "site": request.GET.get("site") or (first_site.pk if first_site else ""),
        "jour": request.GET.get("jour") or timezone.localdate().isoformat(),
        "demi": request.GET.get("demi") or _default_half(),
    }
    choice = DaySheetChoiceForm(params, sites=sites)
    context = {"choice": choice, "school": membership.school}
    if not choice.is_valid():
        return render(request, "schedule/attendance/day.html", context, status=400)
    site, day, half = (choice.cleaned_data[key] for key in ("site", "jour", "demi"))
    rows = selectors_attendance.day_sheet(membership, site, day, half)
    form = AttendanceSheetForm(request.POST if request.method == "POST" else None, rows=rows)
    url = "{}?site={}&jour={}&demi={}".format(
        reverse("schedule:day_attendance", args=[membership.school.slug]),
        site.pk,
        day.isoformat(),
        half,
    )
    if request.method == "POST":

        def save(**kwargs):
            services_attendance.mark_day(
                membership=membership, site=site, day=day, half=half, **kwargs
            )

        if (response := _save(request, form, save, url)) is not None:
            return response
    context.update(
        _sheet_context(form, day=day, closed=selectors_attendance.is_closed(membership, day)),
        site=site,
        half_label=Half(half).label,
        previous_day=day - datetime.timedelta(days=1),
        next_day=day + datetime.timedelta(days=1),
        half=half,
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "schedule/attendance/day.html", context, status=status)


def _render_months(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    months = selectors_attendance.recent_months(membership, timezone.localdate())
    return render(
        request,
        "schedule/attendance/months.html",
        {
            "months": months,
            "can_close": has_perm(membership, Perm.CLOSE_MONTH),
            "export_error": export_error,
        },
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_SCHEDULE)
def attendance_months(request: HttpRequest) -> HttpResponse:
    return _render_months(request)


def _rates_state(request: HttpRequest) -> dict:
    """The period asked for (a month, or a whole year with ``?annee=``) and its rates: the
    school's, by site and by referent group (the page and its export)."""
    membership = request.membership
    today = timezone.localdate()
    year = request.GET.get("annee", "")
    if year.isdigit() and 2000 <= int(year) <= today.year + 1:
        start = datetime.date(int(year), 1, 1)
        end = datetime.date(int(year), 12, 31)
        month = None
    else:
        month = services_attendance.parse_month(request.GET.get("mois")) or selectors.month_start(
            today
        )
        start, end = month, add_months(month, 1) - datetime.timedelta(days=1)
    computed = rates.school_rates(membership, start, end)
    sites = [
        (site, computed.by_site[site.pk])
        for site in sites_for(membership, include_closed=True)
        if site.pk in computed.by_site
    ]
    groups = [
        (referent, computed.by_referent[referent.pk])
        for referent in referents(membership)
        if referent.pk in computed.by_referent
    ]
    return {
        "start": start,
        "end": end,
        "month": month,
        "previous": add_months(month, -1) if month else None,
        "next": add_months(month, 1) if month and month <= today else None,
        "total": computed.total,
        "sites": sites,
        "groups": groups,
        "unassigned": computed.by_referent.get(None),
    }


@school_view(Perm.VIEW_SCHEDULE)
def attendance_rates(request: HttpRequest) -> HttpResponse:
    """Attendance rates of a month (or a whole year with ``?annee=``): the school's, by site
    and by referent group."""
    return render(request, "schedule/attendance/rates.html", _rates_state(request))


# ------------------------------------------------------------------------------ exports

MONTHS_HEADERS = (
    gettext_lazy("Mois"),
    gettext_lazy("État"),
    gettext_lazy("Clos le"),
)


@school_view(Perm.VIEW_SCHEDULE)
def attendance_months_export(request: HttpRequest) -> HttpResponse:
    """The twelve months of the page, newest first: open, or closed and when."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_months(request, export_error=exports.UNKNOWN_FORMAT)
    today = timezone.localdate()
    months = selectors_attendance.recent_months(request.membership, today)
    rows = (
        (
            services_attendance.month_label(month.first_day).capitalize(),
            _("Clos") if month.closed else _("Ouvert"),
            timezone.localdate(month.closed.closed_at) if month.closed else None,
        )
        for month in months
    )
    return exports.download(
        request,
        fmt=fmt,
        headers=MONTHS_HEADERS,
        rows=rows,
        stem="mois-emargement",
        sheet_title=_("Mois d'émargement"),
        action="export.attendance_months",
        day=today,
    )


RATES_HEADERS = (
    gettext_lazy("Regroupement"),
    gettext_lazy("Nom"),
    gettext_lazy("Demi-journées comptées"),
    gettext_lazy("Taux de présence (%)"),
    gettext_lazy("Temps en entreprise (%)"),
)


def _rates_rows(state: dict) -> list[tuple]:
    """The page's two tables one under the other: by site (then the school), by referent
    group (then the trainees without a referent). Rates are numbers (empty: no half-day)."""

    def line(group: str, name: str, values: rates.Rates) -> tuple:
        return (group, name, values.counted, values.attendance_rate, values.company_share)

    if not state["total"].counted:
        return []  # the page shows « Aucune demi-journée émargée sur cette période. »
    by_site, by_referent = _("Site"), _("Référent·e")
    rows = [line(by_site, site.name, values) for site, values in state["sites"]]
    rows.append(line(by_site, _("École"), state["total"]))
    rows += [
        line(by_referent, referent.user.get_full_name(), values)
        for referent, values in state["groups"]
    ]
    if state["unassigned"]:
        rows.append(line(by_referent, _("Sans référent·e"), state["unassigned"]))
    return rows


@school_view(Perm.VIEW_SCHEDULE)
def attendance_rates_export(request: HttpRequest) -> HttpResponse:
    """The attendance rates of the page's period, as the page shows them."""
    state = _rates_state(request)
    fmt = exports.requested_format(request)
    if fmt is None:
        return render(
            request,
            "schedule/attendance/rates.html",
            {**state, "export_error": exports.UNKNOWN_FORMAT},
            status=400,
        )
    period = state["month"].strftime("%Y-%m") if state["month"] else state["start"].strftime("%Y")
    return exports.download(
        request,
        fmt=fmt,
        headers=RATES_HEADERS,
        rows=_rates_rows(state),
        stem="assiduite",
        detail=period,
        sheet_title=_("Assiduité"),
        action="export.attendance_rates",
        filters={"period": period},
    )


def _month_view(request: HttpRequest, *, reopen: bool) -> HttpResponse:
    membership = request.membership
    form_class = MonthReopenForm if reopen else MonthForm
    if request.method == "POST":
        form = form_class(request.POST)
    else:
        form = form_class(initial={"mois": request.GET.get("mois") or MonthForm.current_key()})
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["mois"]
        try:
            if reopen:
                services_attendance.reopen_month(
                    membership=membership,
                    month=month,
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                )
            else:
                services_attendance.close_month(
                    membership=membership, month=month, ip_address=client_ip(request)
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            label = services_attendance.of_month(month)
            messages.success(
                request,
                (
                    _("Le mois %(of_month)s est rouvert.")
                    if reopen
                    else _("Le mois %(of_month)s est clos.")
                )
                % {"of_month": label},
            )
            return redirect("schedule:attendance_months", membership.school.slug)
    month = services_attendance.parse_month(form["mois"].value())
    return render(
        request,
        "schedule/attendance/month_confirm.html",
        {
            "form": form,
            "reopen": reopen,
            "month_label": services_attendance.month_label(month) if month else "",
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.CLOSE_MONTH)
def month_close(request: HttpRequest) -> HttpResponse:
    return _month_view(request, reopen=False)


@school_view(Perm.CLOSE_MONTH)
def month_reopen(request: HttpRequest) -> HttpResponse:
    return _month_view(request, reopen=True)


@school_view(Perm.VIEW_SCHEDULE)
def trainee_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """A trainee's marks of a month (?mois=AAAA-MM, the current month by default)."""
    membership = request.membership
    enrolment = get_enrolment(membership, pk)
    first_day = services_attendance.parse_month(request.GET.get("mois")) or selectors.month_start(
        timezone.localdate()
    )
    month = selectors_attendance.trainee_month(membership, enrolment, first_day)
    return render(
        request,
        "schedule/attendance/trainee.html",
        {
            "enrolment": enrolment,
            "person": enrolment.person,
            "month": month,
            "month_label": services_attendance.month_label(first_day),
            "previous_key": add_months(first_day, -1).strftime("%Y-%m"),
            "next_key": add_months(first_day, 1).strftime("%Y-%m"),
            "statuses": STATUSES,
            "is_closed": selectors_attendance.is_closed(membership, first_day),
        },
    )


urlpatterns = [
    path("planning/emargement/", day_attendance, name="day_attendance"),
    path("planning/emargement/seance/<int:pk>/", session_attendance, name="session_attendance"),
    path("planning/emargement/stagiaire/<int:pk>/", trainee_attendance, name="trainee_attendance"),
    path("planning/mois/", attendance_months, name="attendance_months"),
    path("planning/mois/export/", attendance_months_export, name="attendance_months_export"),
    path("planning/assiduite/", attendance_rates, name="attendance_rates"),
    path("planning/assiduite/export/", attendance_rates_export, name="attendance_rates_export"),
    path("planning/mois/clore/", month_close, name="month_close"),
    path("planning/mois/rouvrir/", month_reopen, name="month_reopen"),
]
