"""A trainee's competencies: the page (levels, history, evidence, certifications), the entry
positioning, one assessment with its evidence, and the correction of a row.

Reading needs ``VIEW_TRAINEES``; writing needs ``ASSESS``. Rows are never edited: a correction
is a new row (``services.correct_assessment``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import selectors as pathway_selectors
from parcours.pathways.forms.documents import SizeLimitUploadHandler
from parcours.pathways.models import Enrolment

from .. import selectors, selectors_assessments, services
from ..forms.assessments import AssessmentForm, CorrectionForm, PositioningForm


def school_url(request: HttpRequest, name: str, *args) -> str:
    return reverse(name, args=[request.membership.school.slug, *args])


def base_context(request: HttpRequest, enrolment: Enrolment) -> dict:
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "trainee_url": school_url(request, "pathways:trainee", enrolment.pk),
        "competencies_url": school_url(request, "competencies:trainee", enrolment.pk),
        "can_assess": has_perm(request.membership, Perm.ASSESS),
    }


def posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def _oversize(request: HttpRequest) -> bool:
    return "file" in getattr(request, "oversize_uploads", ())


@school_view(Perm.VIEW_TRAINEES)
def trainee(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = pathway_selectors.get_enrolment(request.membership, pk)
    context = base_context(request, enrolment)
    context.update(selectors_assessments.trainee_competencies(enrolment))
    return render(request, "competencies/assessments/trainee.html", context)


@school_view(Perm.ASSESS)
def positioning(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    context = base_context(request, enrolment)
    framework = selectors.enrolment_framework(enrolment)
    already = selectors.has_positioning(enrolment)
    form = None
    if framework is not None and not already:
        tree = selectors.framework_tree(framework)
        form = PositioningForm(
            posted(request),
            competencies=tree["competencies"],
            scale=tree["scale"],
            entry_date=enrolment.entry_date,
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.record_positioning(
                    membership=membership,
                    enrolment=enrolment,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Le positionnement d'entrée est enregistré."))
                return redirect(context["competencies_url"])
    elif request.method == "POST":
        # Nothing to post to: say why (the service gives the same refusal).
        context["refusal"] = (
            _("Le positionnement d'entrée est déjà enregistré : corrigez la ligne concernée.")
            if already
            else _("Aucun référentiel de compétences n'est choisi pour l'école.")
        )
    context.update(framework=framework, already=already, form=form)
    return render(
        request, "competencies/assessments/positioning.html", context, status=_status(request)
    )


@csrf_exempt  # checked below, once the size-limiting upload handler is in place
@school_view(Perm.ASSESS)
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _assess(request, pk)


@csrf_protect
def _assess(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    context = base_context(request, enrolment)
    framework = selectors.enrolment_framework(enrolment)
    tree = selectors.framework_tree(framework) if framework else {"competencies": [], "scale": []}
    initial = {}
    if request.GET.get("competency"):
        initial["competency"] = request.GET["competency"]
    form = AssessmentForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        competencies=tree["competencies"],
        scale=tree["scale"],
        initial=initial,
        oversize=_oversize(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.record_assessment(
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
                _("Évaluation enregistrée : %(code)s, niveau %(level)d.")
                % {"code": assessment.competency.code, "level": assessment.level},
            )
            return redirect(context["competencies_url"])
    context.update(form=form, framework=framework)
    return render(request, "competencies/assessments/assess.html", context, status=_status(request))


@csrf_exempt  # checked below, once the size-limiting upload handler is in place
@school_view(Perm.ASSESS)
def assessment_correct(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _assessment_correct(request, pk, assessment_pk)


@csrf_protect
def _assessment_correct(request: HttpRequest, pk: int, assessment_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, pk)
    assessment = selectors_assessments.get_assessment(enrolment, assessment_pk)
    context = base_context(request, enrolment)
    scale = list(assessment.competency.framework.levels.order_by("value"))
    form = CorrectionForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        assessment=assessment,
        scale=scale,
        oversize=_oversize(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_assessment(
                membership=membership,
                assessment=assessment,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("La correction est enregistrée."))
            return redirect(context["competencies_url"])
    labels = selectors_assessments.scale_labels(scale)
    context.update(
        form=form,
        assessment=assessment,
        level_label=labels.get(assessment.level, ""),
        corrected_by=selectors_assessments.correction_of(assessment),
    )
    return render(
        request, "competencies/assessments/correct.html", context, status=_status(request)
    )


urlpatterns = [
    path("stagiaires/<int:pk>/competences/", trainee, name="trainee"),
    path("stagiaires/<int:pk>/competences/positionnement/", positioning, name="positioning"),
    path("stagiaires/<int:pk>/competences/evaluer/", assess, name="assess"),
    path(
        "stagiaires/<int:pk>/competences/evaluations/<int:assessment_pk>/corriger/",
        assessment_correct,
        name="assessment_correct",
    ),
]
