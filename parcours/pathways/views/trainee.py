"""The trainee page (one enrolment at a glance, with its timeline) and the move to a phase.

Reading needs ``VIEW_TRAINEES``; restricted content (health, confidential summaries) is only on
the page when ``visibility.can_read_restricted`` allows it, and showing it is audited. Moving
the phase needs ``MANAGE_PATHWAY`` and goes through ``services.move_phase``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view
from parcours.outcomes import selectors_exits
from parcours.people.phones import display_phone
from parcours.privacy import selectors as privacy_selectors

from .. import selectors, services, visibility
from ..forms.trainee import PhaseMoveForm
from ..models import Enrolment, PhaseDefinition


def _trainee_url(request: HttpRequest, enrolment: Enrolment) -> str:
    return reverse("pathways:trainee", args=[request.membership.school.slug, enrolment.pk])


@school_view(Perm.VIEW_TRAINEES)
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    page = selectors.trainee_page(membership, enrolment)
    if page["restricted_shown"]:
        services.record_restricted_read(
            membership=membership,
            enrolment=enrolment,
            section="trainee_page",
            ip_address=client_ip(request),
        )
    person = page["person"]
    plan = page["plan"]
    context = {
        **page,
        "age": person.age_on(page["today"]),
        "phone": display_phone(person.phone),
        "phase_rows": [
            {"step": step, "days": days} for step, days in reversed(page["phase_durations"])
        ],
        "target_jobs": list(plan.target_jobs.all()) if plan else [],
        "goals": list(plan.goals.all()) if plan else [],
        "steps": list(plan.steps.all()) if plan else [],
        "documents": page["documents"][:10],
        "more_documents": len(page["documents"]) > 10,
        "can_share": visibility.can_share_restricted(membership, enrolment),
        "is_active": enrolment.status == "active",
        # The exit and its follow-ups (no query for an enrolment in progress).
        "exit_info": selectors_exits.trainee_exit(enrolment),
        "legal_hold": privacy_selectors.active_hold_of(membership, person),
    }
    return render(request, "pathways/trainee/detail.html", context)


def _next_phase(phases: list[PhaseDefinition], current_id: int | None) -> PhaseDefinition | None:
    """The phase after the current one (the first one when there is none)."""
    if not phases:
        return None
    if current_id is None:
        return phases[0]
    positions = [p.pk for p in phases]
    if current_id not in positions:
        return None
    index = positions.index(current_id)
    return phases[index + 1] if index + 1 < len(phases) else None


@school_view(Perm.MANAGE_PATHWAY)
def phase_move(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    phases = selectors.school_phases(membership)
    current = next((p for p in phases if p.pk == enrolment.current_phase_id), None)
    # The next phase by default; in the last one, the current phase (never a step back).
    proposed = _next_phase(phases, enrolment.current_phase_id) or current
    form = PhaseMoveForm(
        request.POST if request.method == "POST" else None,
        phases=phases,
        initial={"phase": proposed.pk if proposed else None, "on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            step = services.move_phase(
                membership=membership,
                enrolment=enrolment,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s est en phase « %(phase)s » depuis le %(day)s.")
                % {
                    "name": enrolment.person.full_name,
                    "phase": step.phase.name,
                    "day": step.started_on.strftime("%d/%m/%Y"),
                },
            )
            return redirect(_trainee_url(request, enrolment))
    return render(
        request,
        "pathways/trainee/phase_form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "person": enrolment.person,
            "current_phase": current,
            "current_phase_name": enrolment.current_phase_name,
            "is_active": enrolment.status == "active",
            "back_url": _trainee_url(request, enrolment),
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("stagiaires/<int:pk>/", trainee_detail, name="trainee"),
    path("stagiaires/<int:pk>/phase/", phase_move, name="phase_move"),
]
