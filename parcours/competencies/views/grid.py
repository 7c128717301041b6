"""Grid entry: one trainee × every competency, or one competency × a group of trainees.

Each row has a level select; changing it posts the row with htmx to ``grid_save``, which
records one assessment (``services.record_assessment``) and answers the row re-rendered, with
"Enregistré" or the refusal (status 400, nothing written). Without JavaScript each row has its
own submit button posting to the same URL, which then redirects back to the grid.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view
from parcours.organisations.models import Role
from parcours.pathways import selectors as pathway_selectors
from parcours.pathways import selectors_lists

from .. import selectors, selectors_assessments, services
from ..forms.assessments import GroupGridFilterForm, context_choices
from ..models import AssessmentContext
from .assessments import base_context

PER_PAGE = 50
DEFAULT_CONTEXT = AssessmentContext.WORKSHOP


def _grid_context(request: HttpRequest, mode: str, scale, selected_context: str) -> dict:
    return {
        "mode": mode,
        "scale": scale,
        "contexts": context_choices(),
        "selected_context": selected_context,
        "next": request.get_full_path(),
    }


@school_view(Perm.ASSESS)
def grid_trainee(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = pathway_selectors.get_enrolment(request.membership, pk)
    context = base_context(request, enrolment)
    framework = selectors.enrolment_framework(enrolment)
    scale, areas = (
        selectors_assessments.trainee_grid_rows(enrolment, framework) if framework else ([], [])
    )
    context.update(_grid_context(request, "trainee", scale, DEFAULT_CONTEXT))
    context.update(framework=framework, areas=areas)
    return render(request, "competencies/grid/trainee.html", context)


@school_view(Perm.ASSESS)
def grid_group(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    framework = selectors.school_framework(membership.school)
    tree = selectors.framework_tree(framework) if framework else {"competencies": [], "scale": []}
    data = request.GET.copy()
    if "referent" not in data and membership.role == Role.REFERENT:
        data["referent"] = str(membership.pk)  # a referent starts with their own trainees
    filters = GroupGridFilterForm(
        data,
        competencies=tree["competencies"],
        sites=selectors_lists.school_sites(membership),
        referents=selectors_lists.referents(membership),
        phases=pathway_selectors.school_phases(membership),
    )
    filters.is_valid()
    competency = filters.chosen("competency")
    page = rows = None
    if competency is not None:
        referent = filters.chosen("referent")
        enrolments = selectors_assessments.group_enrolments(
            membership,
            site=filters.chosen("site"),
            referent_id=referent.pk if referent else None,
            phase=filters.chosen("phase"),
        )
        page = Paginator(enrolments, PER_PAGE).get_page(request.GET.get("page"))
        rows = selectors_assessments.group_grid_rows(
            list(page.object_list), competency, tree["scale"]
        )
    context = _grid_context(request, "group", tree["scale"], DEFAULT_CONTEXT)
    context.update(
        framework=framework, filters=filters, competency=competency, page=page, rows=rows
    )
    return render(
        request, "competencies/grid/group.html", context, status=400 if filters.errors else 200
    )


def _posted_date(value: str) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(_("Saisissez une date valide (jj/mm/aaaa).")) from error


def _back(request: HttpRequest, enrolment) -> str:
    target = request.POST.get("next", "")
    # A path of this site only: anything else (a bare word) would be taken for a view name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("competencies:grid_trainee", args=[request.membership.school.slug, enrolment.pk])


@school_view(Perm.ASSESS)
def grid_save(request: HttpRequest) -> HttpResponse:
    """POST: record one assessment from a grid row. GET: a short page saying what it is for."""
    if request.method != "POST":
        return render(request, "competencies/grid/save_info.html")
    membership = request.membership
    try:
        enrolment_pk = int(request.POST.get("enrolment", ""))
    except ValueError as error:
        raise Http404(_("Parcours inconnu.")) from error
    enrolment = pathway_selectors.get_enrolment(membership, enrolment_pk)
    competency = selectors_assessments.competency_for(membership, request.POST.get("competency"))
    mode = "group" if request.POST.get("mode") == "group" else "trainee"
    selected_context = request.POST.get("context") or DEFAULT_CONTEXT
    error = ""
    try:
        if not request.POST.get("level"):
            raise ValidationError(_("Choisissez un niveau."))
        assessment = services.record_assessment(
            membership=membership,
            enrolment=enrolment,
            competency=competency,
            level=request.POST.get("level"),
            context=selected_context,
            assessed_on=_posted_date(request.POST.get("assessed_on", "")),
            ip_address=client_ip(request),
        )
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("Évaluation enregistrée : %(name)s, %(code)s, niveau %(level)d.")
                % {
                    "name": enrolment.person.full_name,
                    "code": competency.code,
                    "level": assessment.level,
                },
            )
        return HttpResponseRedirect(_back(request, enrolment))
    other_version = False
    if mode == "group":
        framework = selectors.enrolment_framework(enrolment)
        other_version = framework is not None and framework.pk != competency.framework_id
    row, scale = selectors_assessments.single_row(
        enrolment, competency, other_version=other_version
    )
    row.saved, row.error = not error, error
    context = _grid_context(request, mode, scale, selected_context)
    context.update(row=row, next=request.POST.get("next", ""))
    return render(request, "competencies/grid/_row.html", context, status=400 if error else 200)


urlpatterns = [
    path("stagiaires/<int:pk>/competences/grille/", grid_trainee, name="grid_trainee"),
    path("competences/grille/", grid_group, name="grid_group"),
    path("competences/grille/enregistrer/", grid_save, name="grid_save"),
]
