"""Internship views: the school's list (filters), an enrolment's new internship, an
internship's page, its change, cancellation and goals; the XLSX/CSV export of the list (same
selector and filters, every row, audited).

Reading needs ``VIEW_TRAINEES`` (an internship names its trainee); writing needs
``MANAGE_INTERNSHIPS`` and goes through ``services_internships``: a refusal re-renders the
form with the French message and status 400 (nothing written).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import exports
from parcours.pathways import selectors as pathway_selectors
from parcours.schedule.services_attendance import month_label

from .. import agreements, services_internships
from .. import selectors_internships as selectors
from ..forms.internships import (
    CancelForm,
    CompanyChoiceForm,
    GoalsForm,
    InternshipFilterForm,
    InternshipForm,
    initial_from,
)
from ..models import Internship, InternshipKind, SignatoryRole

PER_PAGE = 50
#: Rows read per database round trip by the export.
EXPORT_CHUNK = 500
STATUS_LABELS = selectors.STATUS_LABELS


def _internship_url(internship: Internship) -> str:
    return reverse("companies:internship", args=[internship.school.slug, internship.pk])


def _day(day) -> str:
    return formats.date_format(day, "d/m/Y")


def days_messages(report: services_internships.CompanyDaysReport) -> list[str]:
    """What the user must know after the attendance days were brought in line."""
    lines = []
    if report.filled:
        lines.append(
            ngettext(
                "%(n)d demi-journée est marquée « en entreprise » dans les présences.",
                "%(n)d demi-journées sont marquées « en entreprise » dans les présences.",
                report.filled,
            )
            % {"n": report.filled}
        )
    if report.removed:
        lines.append(
            ngettext(
                "%(n)d demi-journée à venir n'est plus marquée « en entreprise ».",
                "%(n)d demi-journées à venir ne sont plus marquées « en entreprise ».",
                report.removed,
            )
            % {"n": report.removed}
        )
    if report.kept_days:
        lines.append(
            _(
                "Ces jours passés restent marqués « en entreprise » dans les présences : "
                "%(days)s. Corrigez-les sur la feuille d'émargement s'il le faut."
            )
            % {"days": ", ".join(_day(day) for day in report.kept_days)}
        )
    if report.recorded_days:
        lines.append(
            _(
                "Ces jours passés du stage gardent ce qui a été émargé (présence à l'école, "
                "absence…) : %(days)s. Corrigez-les sur la feuille d'émargement s'il le faut."
            )
            % {"days": ", ".join(_day(day) for day in report.recorded_days)}
        )
    if report.signatures_reset:
        lines.append(
            _(
                "Les conditions de la convention ont changé : ses signatures sont retirées. "
                "Faites-la signer à nouveau ; d'ici là, le stage ne peut pas commencer."
            )
        )
    for month in report.closed_months:
        lines.append(
            _(
                "Le mois de %(month)s est clos : ses présences n'ont pas changé. "
                "Demandez à la direction de le rouvrir."
            )
            % {"month": month_label(month)}
        )
    return lines


def _tell(request: HttpRequest, report: services_internships.CompanyDaysReport) -> None:
    for line in days_messages(report):
        level = messages.WARNING if report.needs_attention else messages.INFO
        messages.add_message(request, level, line)


# ------------------------------------------------------------------------------- list


def _list_state(request: HttpRequest):
    membership = request.membership
    form = InternshipFilterForm(request.GET or None, membership=membership)
    internships = form.apply(selectors.internships_for(membership)).order_by("-start_date", "-pk")
    return form, internships


def _with_status(internship: Internship, today) -> Internship:
    """What a row shows besides the fields: its status, its label, whether a review is due."""
    internship.current_status = internship.status(today)
    internship.status_label = STATUS_LABELS[internship.current_status]
    internship.review_expected = (
        internship.current_status == "finished" and not internship.has_review
    )
    return internship


def _render_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    form, internships = _list_state(request)
    page = Paginator(internships, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [_with_status(internship, today) for internship in page.object_list]
    refused = (form.is_bound and bool(form.errors)) or bool(export_error)
    return render(
        request,
        "companies/internships/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtering": form.is_filtering,
            "export_error": export_error,
        },
        status=400 if refused else 200,
    )


@school_view(Perm.VIEW_TRAINEES)
def internship_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


#: The list's columns: the trainee's name in two, the dates in two, the status tags as their
#: own columns (the agreement's state is left empty for a cancelled internship, as on the page).
EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Type"),
    gettext_lazy("Entreprise"),
    gettext_lazy("Début"),
    gettext_lazy("Fin"),
    gettext_lazy("Référent·e"),
    gettext_lazy("Statut"),
    gettext_lazy("Convention complète"),
    gettext_lazy("Bilan attendu"),
)


def _export_row(internship: Internship, today) -> tuple:
    _with_status(internship, today)
    person = internship.enrolment.person
    referent = internship.enrolment.referent
    cancelled = internship.current_status == "cancelled"
    return (
        person.last_name,
        person.first_name,
        _("PMSMP") if internship.kind == InternshipKind.PMSMP else _("Stage E2C"),
        internship.company.name,
        internship.start_date,
        internship.end_date,
        (referent.user.get_full_name() or referent.user.email) if referent else "",
        str(internship.status_label),
        None if cancelled else internship.agreement_complete,
        None if cancelled else internship.review_expected,
    )


@school_view(Perm.VIEW_TRAINEES)
def internship_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_list(request, export_error=exports.UNKNOWN_FORMAT)
    form, internships = _list_state(request)
    if form.errors:
        return _render_list(request, export_error=exports.BAD_FILTERS)
    today = timezone.localdate()
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=(_export_row(i, today) for i in internships.iterator(chunk_size=EXPORT_CHUNK)),
        stem="stages",
        sheet_title=_("Stages"),
        action="export.internships",
        filters=form.audit_filters(),
        day=today,
    )


# ------------------------------------------------------------------------------ detail


@school_view(Perm.VIEW_TRAINEES)
def internship_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, pk)
    missing = agreements.missing_signatures(internship)
    labels = dict(SignatoryRole.choices)
    marks = selectors.company_days(internship)
    days = sorted({mark.day for mark in marks})
    today = timezone.localdate()
    status = internship.status(today)
    return render(
        request,
        "companies/internships/detail.html",
        {
            "internship": internship,
            "enrolment": internship.enrolment,
            "person": internship.enrolment.person,
            "goals": list(internship.goals.all()),
            "missing": [labels[role] for role in missing],
            "status": status,
            "status_label": STATUS_LABELS[status],
            "company_days": days,
            "company_half_days": len(marks),
            "is_minor": agreements.trainee_is_minor(internship),
            "pmsmp_last_day": services_internships.pmsmp_last_day(internship.start_date),
            "may_manage": has_perm(membership, Perm.MANAGE_INTERNSHIPS)
            and not internship.is_cancelled,
        },
    )


# ------------------------------------------------------------------------- new / edit


def _company_from_query(request: HttpRequest):
    return selectors.get_company_choice(request.membership, request.GET.get("entreprise"))


def _render_form(request, *, form, company_form, enrolment, internship, title, submit, back):
    return render(
        request,
        "companies/internships/form.html",
        {
            "form": form,
            "company": form.company if form is not None else None,
            "company_form": company_form,
            "enrolment": enrolment,
            "person": enrolment.person,
            "internship": internship,
            "title": title,
            "submit_label": submit,
            "back_url": back,
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def internship_new(request: HttpRequest, pk: int) -> HttpResponse:
    """``pk`` is the enrolment (as on every ``stagiaires/<pk>/`` page)."""
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    back = reverse("pathways:trainee", args=[membership.school.slug, enrolment.pk])
    form = None
    if request.method == "POST":
        form = InternshipForm(request.POST, membership=membership, company=None)
        if form.is_valid():
            try:
                internship = services_internships.create_internship(
                    membership=membership,
                    enrolment=enrolment,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Le stage est enregistré. Ses jours seront marqués « en entreprise » "
                        "dans les présences une fois la convention signée par tous."
                    ),
                )
                return redirect(_internship_url(internship))
        company = form.company
    else:
        company = _company_from_query(request)
        if company is not None:
            form = InternshipForm(membership=membership, company=company)
    company_form = CompanyChoiceForm(
        request.GET if "entreprise" in request.GET else None,
        membership=membership,
        initial={"entreprise": company.pk if company else None},
    )
    return _render_form(
        request,
        form=form,
        company_form=company_form,
        enrolment=enrolment,
        internship=None,
        title=_("Nouveau stage"),
        submit=_("Enregistrer le stage"),
        back=back,
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def internship_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, pk)
    enrolment = internship.enrolment
    if internship.is_cancelled:
        messages.error(request, _("Ce stage est annulé : il ne peut plus être modifié."))
        return redirect(_internship_url(internship))
    if request.method == "POST":
        form = InternshipForm(
            request.POST, membership=membership, company=None, internship=internship
        )
        if form.is_valid():
            try:
                report = services_internships.update_internship(
                    membership=membership,
                    internship=internship,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Le stage a été modifié."))
                _tell(request, report)
                return redirect(_internship_url(internship))
        company = form.company
    else:
        company = _company_from_query(request) or internship.company
        initial = initial_from(internship)
        if company.pk != internship.company_id:
            initial.update(company=company.pk, tutor=None, signatory=None, second_signatory=None)
        form = InternshipForm(
            membership=membership, company=company, internship=internship, initial=initial
        )
    company_form = CompanyChoiceForm(
        request.GET if "entreprise" in request.GET else None,
        membership=membership,
        initial={"entreprise": company.pk if company else None},
    )
    return _render_form(
        request,
        form=form,
        company_form=company_form,
        enrolment=enrolment,
        internship=internship,
        title=_("Modifier le stage"),
        submit=_("Enregistrer"),
        back=_internship_url(internship),
    )


# ------------------------------------------------------------------------- cancel, goals


@school_view(Perm.MANAGE_INTERNSHIPS)
def internship_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, pk)
    if internship.is_cancelled:
        messages.info(request, _("Ce stage est déjà annulé."))
        return redirect(_internship_url(internship))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services_internships.cancel_internship(
                membership=membership,
                internship=internship,
                reason=form.cleaned_data["reason"],
                confirmed=form.cleaned_data["confirmed"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Le stage a été annulé."))
            _tell(request, report)
            return redirect(_internship_url(internship))
    return render(
        request,
        "companies/internships/cancel.html",
        {"internship": internship, "person": internship.enrolment.person, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_INTERNSHIPS)
def internship_goals(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, pk)
    if internship.is_cancelled:
        messages.error(request, _("Ce stage est annulé : il ne peut plus être modifié."))
        return redirect(_internship_url(internship))
    competencies = services_internships.goal_competencies(internship)
    current = {goal.competency_id: goal.description for goal in internship.goals.all()}
    form = GoalsForm(request.POST or None, competencies=competencies, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services_internships.set_goals(
                membership=membership,
                internship=internship,
                goals=form.chosen(),
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Les objectifs du stage ont été enregistrés."))
            return redirect(_internship_url(internship))
    return render(
        request,
        "companies/internships/goals.html",
        {"internship": internship, "person": internship.enrolment.person, "form": form},
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("stages/", internship_list, name="internships"),
    path("stages/export/", internship_export, name="internships_export"),
    path("stagiaires/<int:pk>/stages/nouveau/", internship_new, name="internship_new"),
    path("stages/<int:pk>/", internship_detail, name="internship"),
    path("stages/<int:pk>/modifier/", internship_edit, name="internship_edit"),
    path("stages/<int:pk>/annuler/", internship_cancel, name="internship_cancel"),
    path("stages/<int:pk>/objectifs/", internship_goals, name="internship_goals"),
]
