"""The individual plan: the current version and the earlier ones (read-only), and a revision.

A revision writes a new version through ``services.save_plan_version``; earlier versions are
never changed. Reading needs ``VIEW_TRAINEES``, revising ``MANAGE_PATHWAY``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view

from .. import selectors, selectors_plan, services
from ..forms.plan import PlanRevision


def _plan_url(request: HttpRequest, pk: int) -> str:
    return reverse("pathways:plan", args=[request.membership.school.slug, pk])


def _version_asked(request: HttpRequest) -> int | None:
    raw = request.GET.get("version")
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404("Version de plan inconnue.") from None


@school_view(Perm.VIEW_TRAINEES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    versions = list(selectors_plan.plan_versions(membership, enrolment))
    plan = selectors_plan.plan_version(membership, enrolment, _version_asked(request))
    latest = versions[0] if versions else None
    return render(
        request,
        "pathways/plan/detail.html",
        {
            "enrolment": enrolment,
            "person": enrolment.person,
            "plan": plan,
            "versions": versions,
            "is_latest": plan is not None and latest is not None and plan.pk == latest.pk,
            "is_active": enrolment.status == "active",
        },
    )


@school_view(Perm.MANAGE_PATHWAY)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The form prefilled from the current version; saving writes the next version.

    The "more rows" button posts what was typed and shows it again with empty rows added,
    without saving anything.
    """
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    current = selectors_plan.plan_version(membership, enrolment, None)
    options = {"revising": current is not None, "entry_date": enrolment.entry_date}
    if request.method == "POST" and "more_rows" in request.POST:
        revision = PlanRevision(
            None, initial=PlanRevision.initial_from_post(request.POST), **options
        )
    elif request.method == "POST":
        revision = PlanRevision(request.POST, **options)
        if revision.is_valid():
            try:
                plan = services.save_plan_version(
                    membership=membership,
                    enrolment=enrolment,
                    ip_address=client_ip(request),
                    **revision.service_kwargs(),
                )
            except ValidationError as error:
                revision.form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("La version %(version)d du plan individuel est enregistrée.")
                    % {"version": plan.version},
                )
                return redirect(_plan_url(request, enrolment.pk))
    else:
        revision = PlanRevision(None, initial=PlanRevision.initial_from_plan(current), **options)
    refused = request.method == "POST" and "more_rows" not in request.POST
    return render(
        request,
        "pathways/plan/form.html",
        {
            "form": revision.form,
            "jobs": revision.jobs,
            "goals": revision.goals,
            "steps": revision.steps,
            "has_errors": refused,
            "enrolment": enrolment,
            "person": enrolment.person,
            "current": current,
            "is_active": enrolment.status == "active",
            "back_url": _plan_url(request, enrolment.pk),
        },
        status=400 if refused else 200,
    )


urlpatterns = [
    path("stagiaires/<int:pk>/plan/", plan_detail, name="plan"),
    path("stagiaires/<int:pk>/plan/reviser/", plan_edit, name="plan_edit"),
]
