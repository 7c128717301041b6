"""Certifications prepared or obtained during the pathway (CléA, PIX, SST, code de la route…):
add one, change its result or date. Each write is audited (``services``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view
from parcours.pathways import selectors as pathway_selectors

from .. import selectors_assessments, services
from ..forms.certifications import CertificationForm
from .assessments import _status, base_context, posted


@school_view(Perm.ASSESS)
def certification_add(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    context = base_context(request, enrolment)
    form = CertificationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            certification = services.record_certification(
                membership=membership,
                enrolment=enrolment,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Certification enregistrée : %(title)s.") % {"title": certification.title},
            )
            return redirect(context["competencies_url"])
    context.update(form=form, certification=None)
    return render(
        request, "competencies/certifications/form.html", context, status=_status(request)
    )


@school_view(Perm.ASSESS)
def certification_edit(request: HttpRequest, pk: int, certification_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    certification = selectors_assessments.get_certification(enrolment, certification_pk)
    context = base_context(request, enrolment)
    form = CertificationForm(posted(request), initial=CertificationForm.initial_from(certification))
    if request.method == "POST" and form.is_valid():
        try:
            certification = services.update_certification(
                membership=membership,
                certification=certification,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Certification mise à jour : %(title)s.") % {"title": certification.title},
            )
            return redirect(context["competencies_url"])
    context.update(form=form, certification=certification)
    return render(
        request, "competencies/certifications/form.html", context, status=_status(request)
    )


urlpatterns = [
    path(
        "stagiaires/<int:pk>/competences/certifications/nouvelle/",
        certification_add,
        name="certification_add",
    ),
    path(
        "stagiaires/<int:pk>/competences/certifications/<int:certification_pk>/",
        certification_edit,
        name="certification_edit",
    ),
]
