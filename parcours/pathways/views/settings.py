"""Pathway views: the school's pathway settings (phase list and pathway lengths).

One page, several small POST forms, each with an ``action``: ``add``, ``rename``, ``move``,
``active`` (put a phase in or out of use) and ``lengths``. Each goes through its service in
``services_settings``; a refusal re-renders the page with the French message (status 400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view

from .. import selectors_lists, services_settings
from ..forms.settings import (
    PathwayLengthsForm,
    PhaseActiveForm,
    PhaseAddForm,
    PhaseMoveForm,
    PhaseRenameForm,
)
from ..models import DEFAULT_PHASES


def _action(request: HttpRequest, action: str) -> tuple[forms.Form, Callable, Callable] | None:
    """The bound form of ``action``, its save function and its success message."""
    membership = request.membership
    ip = client_ip(request)
    data = request.POST
    if action == "add":
        return (
            PhaseAddForm(data, prefix="add"),
            lambda d: services_settings.add_phase(
                membership=membership, name=d["name"], ip_address=ip
            ),
            lambda phase: _("La phase « %(name)s » a été ajoutée.") % {"name": phase.name},
        )
    if action == "rename":
        return (
            PhaseRenameForm(data, membership=membership),
            lambda d: services_settings.rename_phase(
                membership=membership, phase=d["phase"], name=d["name"], ip_address=ip
            ),
            lambda phase: _("La phase a été renommée « %(name)s ».") % {"name": phase.name},
        )
    if action == "move":
        return (
            PhaseMoveForm(data, membership=membership),
            lambda d: services_settings.move_phase_position(
                membership=membership, phase=d["phase"], direction=d["direction"], ip_address=ip
            ),
            lambda phase: _("La phase « %(name)s » a été déplacée.") % {"name": phase.name},
        )
    if action == "active":
        return (
            PhaseActiveForm(data, membership=membership),
            lambda d: services_settings.set_phase_active(
                membership=membership, phase=d["phase"], active=d["active"], ip_address=ip
            ),
            lambda phase: (
                (
                    _("La phase « %(name)s » est de nouveau en usage.")
                    if phase.active
                    else _("La phase « %(name)s » n'est plus en usage.")
                )
                % {"name": phase.name}
            ),
        )
    if action == "lengths":
        return (
            PathwayLengthsForm(data, prefix="lengths"),
            lambda d: services_settings.save_pathway_lengths(
                membership=membership,
                pathway_months=d["pathway_months"],
                max_pathway_months=d["max_pathway_months"],
                ip_address=ip,
            ),
            lambda school: _("Les durées de parcours ont été enregistrées."),
        )
    return None


@school_view(Perm.MANAGE_PHASES)
def pathway_settings(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    school = membership.school
    add_form = PhaseAddForm(prefix="add")
    lengths_form = PathwayLengthsForm(
        prefix="lengths",
        initial={
            "pathway_months": school.pathway_months,
            "max_pathway_months": school.max_pathway_months,
        },
    )
    errors: list[str] = []
    row: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = _action(request, action)
        if handler is None:
            errors.append(_("Action inconnue : rien n'a été modifié."))
        else:
            form, save, success = handler
            if form.is_valid():
                try:
                    saved = save(form.cleaned_data)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, success(saved))
                    return redirect(reverse("pathways:settings", args=[school.slug]))
            if action == "add":
                add_form = form
            elif action == "lengths":
                lengths_form = form
            else:
                errors.extend(error for field in form.errors.values() for error in field)
                row = {"pk": request.POST.get("phase", "")}
                if action == "rename":
                    row["name"] = request.POST.get("name", "")
    phases = list(selectors_lists.phase_definitions(membership))
    for phase in phases:
        # A refused rename shows what was typed, in its row.
        phase.shown_name = (
            row["name"] if str(phase.pk) == row.get("pk") and "name" in row else phase.name
        )
    return render(
        request,
        "pathways/settings/settings.html",
        {
            "phases": phases,
            "default_phases": DEFAULT_PHASES,
            "add_form": add_form,
            "lengths_form": lengths_form,
            "errors": errors,
            "error_pk": row.get("pk"),
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [path("parametres/parcours/", pathway_settings, name="settings")]
