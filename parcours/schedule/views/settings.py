"""Schedule settings: the school's workshop types (add, rename, in or out of use, computers).

One page, several small POST forms, each with an ``action``: ``add``, ``rename``, ``active``
and ``computers``. A refusal re-renders the page with the French message (status 400).
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
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view
from parcours.pathways import exports

from .. import selectors_sessions, services_settings
from ..forms.settings import (
    WorkshopTypeActiveForm,
    WorkshopTypeAddForm,
    WorkshopTypeComputersForm,
    WorkshopTypeRenameForm,
)


def _action(request: HttpRequest, action: str) -> tuple[forms.Form, Callable, Callable] | None:
    membership = request.membership
    ip = client_ip(request)
    data = request.POST
    if action == "add":
        return (
            WorkshopTypeAddForm(data, prefix="add"),
            lambda d: services_settings.add_workshop_type(
                membership=membership,
                name=d["name"],
                needs_computers=d["needs_computers"],
                ip_address=ip,
            ),
            lambda wt: _("L'atelier « %(name)s » a été ajouté.") % {"name": wt.name},
        )
    if action == "rename":
        return (
            WorkshopTypeRenameForm(data, membership=membership),
            lambda d: services_settings.rename_workshop_type(
                membership=membership,
                workshop_type=d["workshop_type"],
                name=d["name"],
                ip_address=ip,
            ),
            lambda wt: _("L'atelier a été renommé « %(name)s ».") % {"name": wt.name},
        )
    if action == "active":
        return (
            WorkshopTypeActiveForm(data, membership=membership),
            lambda d: services_settings.set_workshop_type_active(
                membership=membership,
                workshop_type=d["workshop_type"],
                active=d["active"],
                ip_address=ip,
            ),
            lambda wt: (
                (
                    _("L'atelier « %(name)s » est de nouveau en usage.")
                    if wt.active
                    else _("L'atelier « %(name)s » n'est plus en usage.")
                )
                % {"name": wt.name}
            ),
        )
    if action == "computers":
        return (
            WorkshopTypeComputersForm(data, membership=membership),
            lambda d: services_settings.set_workshop_type_computers(
                membership=membership,
                workshop_type=d["workshop_type"],
                needs_computers=d["needs_computers"],
                ip_address=ip,
            ),
            lambda wt: (
                (
                    _("Les séances de « %(name)s » auront lieu en salle informatique.")
                    if wt.needs_computers
                    else _("Les séances de « %(name)s » n'ont plus besoin d'ordinateurs.")
                )
                % {"name": wt.name}
            ),
        )
    return None


@school_view(Perm.MANAGE_WORKSHOP_TYPES)
def workshop_types(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    add_form = WorkshopTypeAddForm(prefix="add")
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
                    return redirect(
                        reverse("schedule:workshop_types", args=[membership.school.slug])
                    )
            if action == "add":
                add_form = form
            else:
                errors.extend(error for field in form.errors.values() for error in field)
                row = {"pk": request.POST.get("workshop_type", "")}
                if action == "rename":
                    row["name"] = request.POST.get("name", "")
    return _render(
        request,
        add_form=add_form,
        errors=errors,
        row=row,
        status=400 if request.method == "POST" else 200,
    )


def _render(
    request: HttpRequest,
    *,
    add_form: forms.Form,
    errors: list[str],
    row: dict[str, Any],
    status: int,
) -> HttpResponse:
    types = list(selectors_sessions.workshop_types(request.membership))
    for workshop_type in types:
        workshop_type.shown_name = (
            row["name"]
            if str(workshop_type.pk) == row.get("pk") and "name" in row
            else workshop_type.name
        )
    return render(
        request,
        "schedule/settings/workshop_types.html",
        {
            "workshop_types": types,
            "add_form": add_form,
            "errors": errors,
            "error_pk": row.get("pk"),
        },
        status=status,
    )


EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("État"),
    gettext_lazy("Séances"),
    gettext_lazy("Ordinateurs"),
)


@school_view(Perm.MANAGE_WORKSHOP_TYPES)
def workshop_types_export(request: HttpRequest) -> HttpResponse:
    """The school's workshop types as the page lists them (in use first)."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render(
            request,
            add_form=WorkshopTypeAddForm(prefix="add"),
            errors=[exports.UNKNOWN_FORMAT],
            row={},
            status=400,
        )
    rows = (
        (
            workshop_type.name,
            _("En usage") if workshop_type.active else _("Hors d'usage"),
            workshop_type.session_count,
            workshop_type.needs_computers,
        )
        for workshop_type in selectors_sessions.workshop_types(request.membership)
    )
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=rows,
        stem="ateliers",
        sheet_title=_("Ateliers"),
        action="export.workshop_types",
    )


urlpatterns = [
    path("planning/ateliers/", workshop_types, name="workshop_types"),
    path("planning/ateliers/export/", workshop_types_export, name="workshop_types_export"),
]
