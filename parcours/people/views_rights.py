"""The person's rights (direction only, ``MANAGE_PRIVACY``): the school's requests, a person's
rights page (requests, notices, the subject access export), and the forms that record them.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from parcours.audit.services import client_ip, record_event
from parcours.intake import ratelimit
from parcours.organisations.access import Perm, school_view
from parcours.pathways import exports
from parcours.pdf import render_pdf

from . import selectors_guardians, selectors_rights, services_rights, subject_access
from .forms_rights import AnswerForm, NoticeForm, RequestFilterForm, RequestForm


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _refused(form, error: ValidationError) -> None:
    form.add_error(None, error.messages)


def _person_url(request: HttpRequest, person_pk: int) -> str:
    return reverse("people:person_rights", args=[request.membership.school.slug, person_pk])


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def requests_state(request: HttpRequest, today) -> tuple[RequestFilterForm, QuerySet]:
    """The requests list's filter form and the requests it selects (the list and its export)."""
    form = RequestFilterForm(request.GET or None)
    return form, form.apply(selectors_rights.school_requests(request.membership), today)


def render_rights_home(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    today = timezone.localdate()
    filters, requests = requests_state(request, today)
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    query = request.GET.get("q", "").strip()[:100]
    refused = bool(filters.errors) or bool(export_error)
    return render(
        request,
        "people/rights/home.html",
        {
            "page": page,
            "rows": [{"request": r, "overdue": r.is_overdue(today)} for r in page],
            "query": query,
            "people": selectors_rights.search_people(membership, query) if query else None,
            "filters": filters,
            "export_error": export_error,
        },
        status=400 if refused else 200,
    )


@school_view(Perm.MANAGE_PRIVACY)
def rights_home(request: HttpRequest) -> HttpResponse:
    return render_rights_home(request)


#: The requests list's columns (the person's name split in two; the answer as shown).
REQUEST_EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Demande"),
    gettext_lazy("Reçue par"),
    gettext_lazy("Reçue le"),
    gettext_lazy("Réponse due le"),
    gettext_lazy("En retard"),
    gettext_lazy("Suite donnée"),
    gettext_lazy("Répondue le"),
    gettext_lazy("Réponse"),
)


def _request_row(subject_request, today) -> tuple:
    return (
        subject_request.person.last_name,
        subject_request.person.first_name,
        subject_request.get_kind_display(),
        subject_request.get_channel_display(),
        subject_request.received_on,
        subject_request.due_on,
        subject_request.is_overdue(today),
        subject_request.get_outcome_display() if subject_request.outcome else "",
        subject_request.answered_on,
        subject_request.answer,
    )


@school_view(Perm.MANAGE_PRIVACY)
def requests_export(request: HttpRequest) -> HttpResponse:
    """The school's requests (the list's filters, every page), audited."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_rights_home(request, export_error=exports.UNKNOWN_FORMAT)
    today = timezone.localdate()
    filters, requests = requests_state(request, today)
    if filters.errors:
        return render_rights_home(request, export_error=exports.BAD_FILTERS)
    return exports.download(
        request,
        fmt=fmt,
        headers=REQUEST_EXPORT_HEADERS,
        rows=(_request_row(r, today) for r in requests.iterator(chunk_size=500)),
        stem="demandes-rgpd",
        sheet_title=_("Demandes des personnes"),
        action="export.subject_requests",
        filters=filters.audit_filters(),
        day=today,
    )


@school_view(Perm.MANAGE_PRIVACY)
def person_rights(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    person = selectors_rights.get_person(membership, pk)
    rights = selectors_rights.person_rights(membership, person, timezone.localdate())
    return render(
        request,
        "people/rights/person.html",
        {
            **rights,
            "enrolments": selectors_rights.person_enrolments(membership, person),
        },
    )


@school_view(Perm.MANAGE_PRIVACY)
def request_new(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    person = selectors_rights.get_person(membership, pk)
    form = RequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            created = services_rights.record_request(
                membership=membership,
                person=person,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("La demande est enregistrée ; la réponse est due le %(day)s.")
                % {"day": created.due_on.strftime("%d/%m/%Y")},
            )
            return redirect(_person_url(request, person.pk))
    return render(
        request,
        "people/rights/form.html",
        {
            "form": form,
            "person": person,
            "title": _("Nouvelle demande de la personne"),
            "submit_label": _("Enregistrer la demande"),
            "back_url": _person_url(request, person.pk),
        },
        status=_status(request),
    )


@school_view(Perm.MANAGE_PRIVACY)
def request_answer(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    subject_request = selectors_rights.get_request(membership, pk)
    person = subject_request.person
    form = AnswerForm(_posted(request))
    if subject_request.answered_on is not None and request.method != "POST":
        messages.info(request, _("Cette demande a déjà reçu une réponse."))
        return redirect(_person_url(request, person.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services_rights.answer_request(
                membership=membership,
                request=subject_request,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("La réponse à la demande est enregistrée."))
            return redirect(_person_url(request, person.pk))
    return render(
        request,
        "people/rights/form.html",
        {
            "form": form,
            "person": person,
            "subject_request": subject_request,
            "title": _("Réponse à la demande"),
            "submit_label": _("Enregistrer la réponse"),
            "back_url": _person_url(request, person.pk),
        },
        status=_status(request),
    )


@school_view(Perm.MANAGE_PRIVACY)
def notice_new(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    person = selectors_rights.get_person(membership, pk)
    guardians = selectors_guardians.guardians_for(membership, person)
    form = NoticeForm(
        _posted(request),
        guardians=guardians,
        default_version=selectors_rights.latest_notice_version(membership),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_rights.record_notice(
                membership=membership,
                person=person,
                guardian=form.cleaned_data.get("guardian"),
                given_to=form.cleaned_data["given_to"],
                given_on=form.cleaned_data["given_on"],
                medium=form.cleaned_data["medium"],
                version=form.cleaned_data["version"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("La remise de la notice d'information est enregistrée."))
            return redirect(_person_url(request, person.pk))
    return render(
        request,
        "people/rights/form.html",
        {
            "form": form,
            "person": person,
            "title": _("Notice d'information remise"),
            "submit_label": _("Enregistrer la remise"),
            "back_url": _person_url(request, person.pk),
        },
        status=_status(request),
    )


#: Subject access exports: at most 30 downloads per hour per member. A director answers a
#: few requests a month; many exports in a row look like data being taken away.
EXPORT_LIMIT = 30
EXPORT_WINDOW = 3600


class _TooMany(Exception):
    pass


def _export(request: HttpRequest, pk: int, fmt: str) -> tuple:
    membership = request.membership
    person = selectors_rights.get_person(membership, pk)
    if not ratelimit.allow(
        "subject_access", str(membership.pk), limit=EXPORT_LIMIT, window=EXPORT_WINDOW
    ):
        record_event(
            actor=request.user,
            action="subject_access.rate_limited",
            target=person,
            school=person.school,
            changes={"format": fmt},
            ip_address=client_ip(request),
        )
        raise _TooMany
    by = request.user.get_full_name() or request.user.email
    data = subject_access.build_export(person, generated_by=by)
    services_rights.record_export(
        membership=membership, person=person, fmt=fmt, ip_address=client_ip(request)
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return person, data, f"acces-donnees-{person.pk}-{stamp}.{fmt}"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/rights/too_many.html",
        {"limit": EXPORT_LIMIT, "minutes": EXPORT_WINDOW // 60},
        status=429,
    )


@never_cache
@school_view(Perm.MANAGE_PRIVACY)
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        _person, data, filename = _export(request, pk, "json")
    except _TooMany:
        return _too_many(request)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), filename)


@never_cache
@school_view(Perm.MANAGE_PRIVACY)
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        person, data, filename = _export(request, pk, "pdf")
    except _TooMany:
        return _too_many(request)
    pdf = render_pdf(
        "people/rights/export_pdf.html",
        {
            "person": person,
            "school": person.school,
            "export": data,
            "sections": subject_access.for_pdf(data),
            "reads": subject_access.reads_for_pdf(data),
            "generated_at": timezone.localtime(),
        },
    )
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), filename)


urlpatterns = [
    path("droits-des-personnes/", rights_home, name="rights"),
    path("droits-des-personnes/export/", requests_export, name="rights_export"),
    path("personnes/<int:pk>/droits/", person_rights, name="person_rights"),
    path("personnes/<int:pk>/demandes/nouvelle/", request_new, name="request_new"),
    path("demandes-rgpd/<int:pk>/reponse/", request_answer, name="request_answer"),
    path("personnes/<int:pk>/notices/nouvelle/", notice_new, name="notice_new"),
    path("personnes/<int:pk>/acces-donnees.json", export_json, name="export_json"),
    path("personnes/<int:pk>/acces-donnees.pdf", export_pdf, name="export_pdf"),
]
