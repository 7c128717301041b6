"""The Attestation de Compétences Acquises: list, issue, detail, PDF, revoke, re-issue, and the
public verification page.

Reading needs ``VIEW_TRAINEES``; issuing, revoking and re-issuing need ``ISSUE_ATTESTATION``
(the direction) and go through ``services_attestations``. The PDF and the pages are rendered
from the attestation's frozen content. The verification page (``public_urlpatterns``, mounted
at ``/verifier/`` by ``public_urls.py``) needs no login and shows only the number, the school,
the holder's name, the issue date and the status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from parcours.audit.services import client_ip, record_event
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import selectors as pathway_selectors
from parcours.pathways.models import Enrolment
from parcours.pdf import render_pdf

from .. import selectors_attestations as selectors
from .. import services_attestations as services
from ..forms.attestations import IssueForm, ReissueForm, RevokeForm
from ..models import Attestation
from ..qr import qr_data_url


def _list_url(request: HttpRequest, enrolment: Enrolment) -> str:
    return reverse("competencies:attestations", args=[request.membership.school.slug, enrolment.pk])


def _detail_url(request: HttpRequest, attestation: Attestation) -> str:
    return reverse(
        "competencies:attestation",
        kwargs={
            "school_slug": request.membership.school.slug,
            "pk": attestation.enrolment_id,
            "attestation_pk": attestation.pk,
        },
    )


def _verification_url(request: HttpRequest, attestation: Attestation) -> str:
    path_ = reverse(
        "attestation_check:verify",
        kwargs={"school_slug": attestation.school.slug, "verification_token": attestation.token},
    )
    return request.build_absolute_uri(path_)


def _base_context(request: HttpRequest, enrolment: Enrolment) -> dict:
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "trainee_url": reverse(
            "pathways:trainee", args=[request.membership.school.slug, enrolment.pk]
        ),
        "list_url": _list_url(request, enrolment),
        "can_issue": has_perm(request.membership, Perm.ISSUE_ATTESTATION),
    }


@school_view(Perm.VIEW_TRAINEES)
def attestation_list(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    attestations = list(selectors.attestations_of(membership, enrolment))
    return render(
        request,
        "competencies/attestations/list.html",
        {
            **_base_context(request, enrolment),
            "attestations": attestations,
            "has_valid": any(a.is_valid for a in attestations),
        },
    )


@school_view(Perm.ISSUE_ATTESTATION)
def attestation_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what would be attested, or why it cannot be; POST: issue it."""
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    if request.method == "POST":
        data = request.POST
    else:  # ?issued_on=… previews another date
        data = request.GET if "issued_on" in request.GET else None
    form = IssueForm(data, initial={"issued_on": services.default_issue_date(enrolment)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                attestation = services.issue_attestation(
                    membership=membership,
                    enrolment=enrolment,
                    issued_on=form.cleaned_data["issued_on"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("L'attestation n° %(number)s est délivrée.") % {"number": attestation.number},
                )
                return redirect(_detail_url(request, attestation))
    day = form.cleaned_data.get("issued_on") if form.is_bound and form.is_valid() else None
    refusal, document = "", None
    try:
        document = selectors.display_content(
            services.preview(membership=membership, enrolment=enrolment, issued_on=day)
        )
    except ValidationError as error:
        refusal = " ".join(error.messages)
    return render(
        request,
        "competencies/attestations/issue.html",
        {
            **_base_context(request, enrolment),
            "form": form,
            "document": document,
            "refusal": refusal,
            "valid_attestation": next(
                (a for a in selectors.attestations_of(membership, enrolment) if a.is_valid), None
            ),
        },
        status=status,
    )


@school_view(Perm.VIEW_TRAINEES)
def attestation_detail(request: HttpRequest, pk: int, attestation_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    attestation = selectors.get_attestation(membership, enrolment, attestation_pk)
    verification_url = _verification_url(request, attestation)
    return render(
        request,
        "competencies/attestations/detail.html",
        {
            **_base_context(request, enrolment),
            "attestation": attestation,
            "document": selectors.display_content(attestation.content),
            "verification_url": verification_url,
            "qr_code": qr_data_url(verification_url),
        },
    )


@school_view(Perm.VIEW_TRAINEES)
def attestation_pdf(request: HttpRequest, pk: int, attestation_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    attestation = selectors.get_attestation(membership, enrolment, attestation_pk)
    verification_url = _verification_url(request, attestation)
    pdf = render_pdf(
        "competencies/attestations/pdf.html",
        {
            "attestation": attestation,
            "document": selectors.display_content(attestation.content),
            "verification_url": verification_url,
            "qr_code": qr_data_url(verification_url),
        },
    )
    record_event(
        actor=request.user,
        action="attestation.download",
        target=attestation,
        school=membership.school,
        changes={"number": attestation.number},
        ip_address=client_ip(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{attestation.number}.pdf"'
    return response


def _revocation_view(request: HttpRequest, pk: int, attestation_pk: int, *, reissue: bool):
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    attestation = selectors.get_attestation(membership, enrolment, attestation_pk)
    form_class = ReissueForm if reissue else RevokeForm
    form = form_class(
        request.POST if request.method == "POST" else None,
        initial={"issued_on": timezone.localdate()} if reissue else None,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if reissue:
                    result = services.reissue_attestation(
                        membership=membership,
                        attestation=attestation,
                        reason=form.cleaned_data["reason"],
                        issued_on=form.cleaned_data["issued_on"],
                        ip_address=client_ip(request),
                    )
                    message = _(
                        "L'attestation n° %(new)s est délivrée ; elle remplace le n° %(old)s, "
                        "révoqué."
                    ) % {"new": result.number, "old": attestation.number}
                else:
                    result = services.revoke_attestation(
                        membership=membership,
                        attestation=attestation,
                        reason=form.cleaned_data["reason"],
                        ip_address=client_ip(request),
                    )
                    message = _("L'attestation n° %(number)s est révoquée.") % {
                        "number": attestation.number
                    }
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, message)
                return redirect(_detail_url(request, result))
    return render(
        request,
        "competencies/attestations/revoke.html",
        {
            **_base_context(request, enrolment),
            "attestation": attestation,
            "form": form,
            "reissue": reissue,
            "detail_url": _detail_url(request, attestation),
        },
        status=status,
    )


@school_view(Perm.ISSUE_ATTESTATION)
def attestation_revoke(request: HttpRequest, pk: int, attestation_pk: int) -> HttpResponse:
    return _revocation_view(request, pk, attestation_pk, reissue=False)


@school_view(Perm.ISSUE_ATTESTATION)
def attestation_reissue(request: HttpRequest, pk: int, attestation_pk: int) -> HttpResponse:
    return _revocation_view(request, pk, attestation_pk, reissue=True)


@require_GET
def verify(request: HttpRequest, school_slug: str, verification_token: str) -> HttpResponse:
    """Public: does this attestation exist, and is it valid? Nothing else about the holder."""
    try:
        attestation = selectors.public_attestation(school_slug, verification_token)
    except Http404:  # a page in French that says so, nothing more
        return render(request, "competencies/attestations/verify_unknown.html", status=404)
    response = render(
        request,
        "competencies/attestations/verify.html",
        {"summary": selectors.public_summary(attestation)},
    )
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


_ATTESTATION = "stagiaires/<int:pk>/attestations/<int:attestation_pk>/"

urlpatterns = [
    path("stagiaires/<int:pk>/attestations/", attestation_list, name="attestations"),
    path("stagiaires/<int:pk>/attestations/delivrer/", attestation_issue, name="attestation_issue"),
    path(_ATTESTATION, attestation_detail, name="attestation"),
    path(f"{_ATTESTATION}pdf/", attestation_pdf, name="attestation_pdf"),
    path(f"{_ATTESTATION}revoquer/", attestation_revoke, name="attestation_revoke"),
    path(f"{_ATTESTATION}reediter/", attestation_reissue, name="attestation_reissue"),
]

#: Mounted at /verifier/ (namespace ``attestation_check``) by ``public_urls.py``. The school's
#: slug is part of the link: a token is only looked up within the school that issued it.
public_urlpatterns = [
    path("<slug:school_slug>/<str:verification_token>/", verify, name="verify"),
]
