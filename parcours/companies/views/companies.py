"""Partner company views: the list (search, filters), a company's page (identity, contacts,
relationship history, internships, hires, tutors' reviews), its form and archiving, its
contacts, and the relationship history across companies; the XLSX/CSV exports of the list
and of the history (same selector and filters as the page, every row, audited).

Thin views: reads go through ``selectors_companies`` (another school's record is a 404),
writes through ``services_companies``; a refusal re-renders the form with the French
message(s) and status 400 (nothing written).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import exports

from .. import selectors_companies as selectors
from .. import services_companies as services
from ..forms.companies import (
    CompanyEventForm,
    CompanyFilterForm,
    CompanyForm,
    ContactForm,
    EventFilterForm,
)
from ..models import Company, CompanyEvent

PER_PAGE = 50
#: Rows read per database round trip by the exports.
EXPORT_CHUNK = 500


def _company_url(company: Company) -> str:
    return reverse("companies:company", args=[company.school.slug, company.pk])


def _list_url(request: HttpRequest) -> str:
    return reverse("companies:companies", args=[request.membership.school.slug])


def _status(request: HttpRequest, *forms: Any) -> int:
    return 400 if request.method == "POST" or any(f.errors for f in forms) else 200


# ------------------------------------------------------------------------------ list


def _company_list_state(request: HttpRequest):
    membership = request.membership
    form = CompanyFilterForm(request.GET or None, membership=membership)
    return form, selectors.company_list(membership, **form.selector_kwargs())


def _render_company_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    form, companies = _company_list_state(request)
    page = Paginator(companies, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/companies/list.html",
        {
            "form": form,
            "page": page,
            "rows": list(page.object_list),
            "filtering": form.is_filtering,
            "may_manage": has_perm(membership, Perm.MANAGE_COMPANIES),
            "export_error": export_error,
        },
        status=400 if export_error else _status(request, form),
    )


@school_view(Perm.VIEW_COMPANIES)
def company_list(request: HttpRequest) -> HttpResponse:
    return _render_company_list(request)


#: The list's columns (the archived tag as its own column).
COMPANY_EXPORT_HEADERS = (
    gettext_lazy("Entreprise"),
    gettext_lazy("Archivée"),
    gettext_lazy("Secteur"),
    gettext_lazy("Effectif"),
    gettext_lazy("Commune"),
    gettext_lazy("SIRET"),
    gettext_lazy("Stages"),
    gettext_lazy("Embauches"),
    gettext_lazy("Dernier échange"),
)


def _company_row(company: Company) -> tuple:
    return (
        company.name,
        company.is_archived,
        company.get_sector_display(),
        company.get_size_display() if company.size else "",
        company.commune,
        company.siret,
        company.internship_count,
        company.hire_count,
        company.last_contact_on,
    )


@school_view(Perm.VIEW_COMPANIES)
def company_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_company_list(request, export_error=exports.UNKNOWN_FORMAT)
    form, companies = _company_list_state(request)
    if form.errors:
        return _render_company_list(request, export_error=exports.BAD_FILTERS)
    return exports.download(
        request,
        fmt=fmt,
        headers=COMPANY_EXPORT_HEADERS,
        rows=(_company_row(c) for c in companies.iterator(chunk_size=EXPORT_CHUNK)),
        stem="entreprises",
        sheet_title=_("Entreprises"),
        action="export.companies",
        filters=form.audit_filters(),
    )


# ------------------------------------------------------------------------------ company


@school_view(Perm.VIEW_COMPANIES)
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    company = selectors.get_company(membership, pk)
    return render(
        request,
        "companies/companies/detail.html",
        {
            "company": company,
            "may_manage": has_perm(membership, Perm.MANAGE_COMPANIES),
            "may_see_trainees": has_perm(membership, Perm.VIEW_TRAINEES),
            **selectors.company_page(company),
        },
    )


def _company_form_page(
    request: HttpRequest, form: CompanyForm, company: Company | None
) -> HttpResponse:
    return render(
        request,
        "companies/companies/form.html",
        {
            "form": form,
            "company": company,
            "title": _("Modifier l'entreprise") if company else _("Nouvelle entreprise"),
            "submit_label": _("Enregistrer") if company else _("Créer l'entreprise"),
            "back_url": _company_url(company) if company else _list_url(request),
        },
        status=_status(request),
    )


@school_view(Perm.MANAGE_COMPANIES)
def company_new(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.create_company(
                membership=membership, ip_address=client_ip(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'entreprise a été créée."))
            return redirect(_company_url(company))
    return _company_form_page(request, form, None)


@school_view(Perm.MANAGE_COMPANIES)
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    company = selectors.get_company(membership, pk)
    if request.method == "POST":
        form = CompanyForm(request.POST)
        if form.is_valid():
            try:
                services.update_company(
                    membership=membership,
                    company=company,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("L'entreprise a été modifiée."))
                return redirect(_company_url(company))
    else:
        form = CompanyForm(initial=CompanyForm.initial_for(company))
    return _company_form_page(request, form, company)


@school_view(Perm.MANAGE_COMPANIES)
def company_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: archive the company, or unarchive an archived one."""
    membership = request.membership
    company = selectors.get_company(membership, pk)
    error = ""
    if request.method == "POST":
        change = services.unarchive_company if company.is_archived else services.archive_company
        try:
            change(membership=membership, company=company, ip_address=client_ip(request))
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            if company.is_archived:
                messages.success(request, _("L'entreprise a été archivée."))
                return redirect(_list_url(request))
            messages.success(request, _("L'entreprise a été désarchivée."))
            return redirect(_company_url(company))
    return render(
        request,
        "companies/companies/archive.html",
        {"company": company, "error": error},
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------ contacts


def _contact_form_page(request: HttpRequest, form: ContactForm, company, contact) -> HttpResponse:
    return render(
        request,
        "companies/companies/contact_form.html",
        {
            "form": form,
            "company": company,
            "contact": contact,
            "title": _("Modifier le contact") if contact else _("Nouveau contact"),
            "submit_label": _("Enregistrer") if contact else _("Ajouter le contact"),
        },
        status=_status(request),
    )


@school_view(Perm.MANAGE_COMPANIES)
def contact_new(request: HttpRequest, company_pk: int) -> HttpResponse:
    membership = request.membership
    company = selectors.get_company(membership, company_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contact(
                membership=membership,
                company=company,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Le contact a été ajouté."))
            return redirect(_company_url(company) + "#contacts")
    return _contact_form_page(request, form, company, None)


@school_view(Perm.MANAGE_COMPANIES)
def contact_edit(request: HttpRequest, contact_pk: int) -> HttpResponse:
    membership = request.membership
    contact = selectors.get_contact(membership, contact_pk)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.update_contact(
                    membership=membership,
                    contact=contact,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Le contact a été modifié."))
                return redirect(_company_url(contact.company) + "#contacts")
    else:
        form = ContactForm(initial=ContactForm.initial_for(contact))
    return _contact_form_page(request, form, contact.company, contact)


@school_view(Perm.MANAGE_COMPANIES)
def contact_active(request: HttpRequest, contact_pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: deactivate the contact, or reactivate them."""
    membership = request.membership
    contact = selectors.get_contact(membership, contact_pk)
    error = ""
    if request.method == "POST":
        try:
            services.set_contact_active(
                membership=membership,
                contact=contact,
                active=not contact.active,
                ip_address=client_ip(request),
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                _("Le contact a été réactivé.")
                if contact.active
                else _("Le contact a été désactivé."),
            )
            return redirect(_company_url(contact.company) + "#contacts")
    return render(
        request,
        "companies/companies/contact_active.html",
        {"contact": contact, "company": contact.company, "error": error},
        status=400 if error else 200,
    )


# ------------------------------------------------------------------------------ history


@school_view(Perm.MANAGE_COMPANIES)
def company_event_new(request: HttpRequest, company_pk: int) -> HttpResponse:
    membership = request.membership
    company = selectors.get_company(membership, company_pk)
    form = CompanyEventForm(request.POST or None, company=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_company_event(
                membership=membership,
                company=company,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'échange a été ajouté à l'historique."))
            return redirect(_company_url(company) + "#historique")
    return render(
        request,
        "companies/companies/event_form.html",
        {"form": form, "company": company},
        status=_status(request),
    )


@school_view(Perm.MANAGE_COMPANIES)
def company_event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: delete the history entry."""
    membership = request.membership
    event = selectors.get_company_event(membership, pk)
    if request.method == "POST":
        company = event.company
        services.delete_company_event(
            membership=membership, event=event, ip_address=client_ip(request)
        )
        messages.success(request, _("L'échange a été supprimé de l'historique."))
        return redirect(_company_url(company) + "#historique")
    return render(request, "companies/companies/event_delete.html", {"event": event})


def _events_state(request: HttpRequest):
    membership = request.membership
    form = EventFilterForm(request.GET or None, membership=membership)
    return form, selectors.events_list(membership, **form.selector_kwargs())


def _render_events(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    form, events = _events_state(request)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "companies/companies/events.html",
        {
            "form": form,
            "page": page,
            "rows": list(page.object_list),
            "filtering": form.is_filtering,
            "company": form.value("entreprise"),
            "may_manage": has_perm(membership, Perm.MANAGE_COMPANIES),
            "export_error": export_error,
        },
        status=400 if export_error else _status(request, form),
    )


@school_view(Perm.VIEW_COMPANIES)
def company_events(request: HttpRequest) -> HttpResponse:
    """The relationship history across the school's companies (filters: kind, dates,
    company); ``?entreprise=<pk>`` is a company's whole history ("voir tout")."""
    return _render_events(request)


#: The history's columns; the account summary is whole (the page cuts it at 30 words).
EVENT_EXPORT_HEADERS = (
    gettext_lazy("Date"),
    gettext_lazy("Entreprise"),
    gettext_lazy("Type"),
    gettext_lazy("Contact"),
    gettext_lazy("Compte rendu"),
    gettext_lazy("Noté par"),
)


def _event_row(event: CompanyEvent) -> tuple:
    author = event.recorded_by
    return (
        event.happened_on,
        event.company.name,
        event.get_kind_display(),
        event.contact.full_name if event.contact else "",
        event.summary,
        author.get_full_name() or author.email,
    )


@school_view(Perm.VIEW_COMPANIES)
def company_events_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_events(request, export_error=exports.UNKNOWN_FORMAT)
    form, events = _events_state(request)
    if form.errors:
        return _render_events(request, export_error=exports.BAD_FILTERS)
    return exports.download(
        request,
        fmt=fmt,
        headers=EVENT_EXPORT_HEADERS,
        rows=(_event_row(e) for e in events.iterator(chunk_size=EXPORT_CHUNK)),
        stem="historique-entreprises",
        sheet_title=_("Historique"),
        action="export.company_events",
        filters=form.audit_filters(),
    )


urlpatterns = [
    path("entreprises/", company_list, name="companies"),
    path("entreprises/export/", company_export, name="companies_export"),
    path("entreprises/nouvelle/", company_new, name="company_new"),
    path("entreprises/historique/", company_events, name="company_events"),
    path("entreprises/historique/export/", company_events_export, name="company_events_export"),
    path(
        "entreprises/historique/<int:pk>/supprimer/",
        company_event_delete,
        name="company_event_delete",
    ),
    path("entreprises/<int:pk>/", company_detail, name="company"),
    path("entreprises/<int:pk>/modifier/", company_edit, name="company_edit"),
    path("entreprises/<int:pk>/archiver/", company_archive, name="company_archive"),
    path("entreprises/<int:company_pk>/contacts/nouveau/", contact_new, name="contact_new"),
    path(
        "entreprises/<int:company_pk>/historique/nouveau/",
        company_event_new,
        name="company_event_new",
    ),
    path("entreprises/contacts/<int:contact_pk>/modifier/", contact_edit, name="contact_edit"),
    path(
        "entreprises/contacts/<int:contact_pk>/activation/", contact_active, name="contact_active"
    ),
]
