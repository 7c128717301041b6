"""Exit screens: record an exit (form, then a confirmation listing what it closes), correct
it, undo it within the month, and the list of the school's exits and its XLSX/CSV export
(same selector and filters, every row, audited; no comment, as on the list).

Thin views: reads through ``selectors_exits`` (another school's record is a 404), writes
through ``services_exits``; a refusal re-renders the form with the French message and status
400 (nothing written). No script: the confirmation is a second page whose form carries the
first one's values in hidden fields.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import exports
from parcours.pathways.models import Enrolment

from .. import selectors_exits as selectors
from .. import services_exits as services
from ..destinations import Destination, DropoutReason
from ..forms.exits import ExitCorrectionForm, ExitFilterForm, ExitForm, ExitUndoForm
from ..models import Exit

PER_PAGE = 50
#: Rows read per database round trip by the export.
EXPORT_CHUNK = 500


def _trainee_url(enrolment: Enrolment) -> str:
    return reverse("pathways:trainee", args=[enrolment.school.slug, enrolment.pk])


def _done_message(exit_: Exit, enrolment: Enrolment) -> str:
    return _("Sortie enregistrée pour %(name)s : %(destination)s, le %(day)s.") % {
        "name": enrolment.person.full_name,
        "destination": exit_.get_destination_display(),
        "day": exit_.exit_date.strftime("%d/%m/%Y"),
    }


# ------------------------------------------------------------------------------ record


@school_view(Perm.RECORD_EXITS)
def exit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (pre-filled from the latest hire); POST: the confirmation page listing
    what the exit closes; POST with ``confirm``: record it."""
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    if enrolment.status != "active":
        messages.info(request, _("Ce parcours est déjà clos : sa sortie est enregistrée."))
        return redirect(_trainee_url(enrolment))
    hire = services.latest_hire(enrolment)
    status = 200
    if request.method == "POST":
        form = ExitForm(request.POST)
        status = 400
        if "edit" in request.POST:  # back from the confirmation page to the form
            form.is_valid()
            status = 200
        elif form.is_valid():
            kwargs = form.service_kwargs()
            origin = None
            if (
                hire is not None
                and form.cleaned_data.get("hire") == hire.pk
                and services.CONTRACT_DESTINATIONS.get(hire.contract_type) == kwargs["destination"]
            ):
                origin = hire
            try:
                if request.POST.get("confirm"):
                    exit_ = services.record_exit(
                        membership,
                        enrolment,
                        hire=origin,
                        ip_address=client_ip(request),
                        **kwargs,
                    )
                else:
                    values = services.check_exit(membership, enrolment, hire=origin, **kwargs)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.POST.get("confirm"):
                    messages.success(request, _done_message(exit_, enrolment))
                    return redirect(_trainee_url(enrolment) + "#sortie")
                return render(
                    request,
                    "outcomes/exits/confirm.html",
                    {
                        "form": form,
                        "enrolment": enrolment,
                        "person": enrolment.person,
                        "values": values,
                        "destination_label": Destination(values["destination"]).label,
                        "dropout_label": DropoutReason(values["dropout_reason"]).label
                        if values["dropout_reason"]
                        else "",
                        "items": services.open_items(enrolment, values["exit_date"]),
                        "hire": origin,
                        "today": timezone.localdate(),
                    },
                )
    else:
        initial = {"exit_date": timezone.localdate(), "days": 0}
        if hire is not None:
            initial.update(services.initial_from_hire(hire))
        form = ExitForm(initial=initial)
    return render(
        request,
        "outcomes/exits/form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "person": enrolment.person,
            "hire": hire,
            "title": _("Enregistrer la sortie"),
            "submit_label": _("Continuer"),
            "back_url": _trainee_url(enrolment),
        },
        status=status,
    )


# ------------------------------------------------------------------------------ correct


@school_view(Perm.RECORD_EXITS)
def exit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    exit_ = selectors.get_exit(membership, pk)
    enrolment = exit_.enrolment
    status = 200
    if request.method == "POST":
        form = ExitCorrectionForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.correct_exit(
                    membership,
                    exit_,
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("La sortie a été corrigée."))
                return redirect(_trainee_url(enrolment) + "#sortie")
    else:
        form = ExitCorrectionForm(initial=ExitForm.initial_for(exit_))
    return render(
        request,
        "outcomes/exits/form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "person": enrolment.person,
            "exit": exit_,
            "title": _("Corriger la sortie"),
            "submit_label": _("Enregistrer la correction"),
            "back_url": _trainee_url(enrolment) + "#sortie",
        },
        status=status,
    )


# ------------------------------------------------------------------------------ undo


@school_view(Perm.RECORD_EXITS)
def exit_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page (or why it is too late); POST: undo the exit."""
    membership = request.membership
    exit_ = selectors.get_exit(membership, pk)
    enrolment = exit_.enrolment
    form = ExitUndoForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.undo_exit(
                    membership,
                    exit_,
                    reason=form.cleaned_data["reason"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("La sortie a été annulée : %(name)s est de nouveau en parcours.")
                    % {"name": enrolment.person.full_name},
                )
                return redirect(_trainee_url(enrolment))
    return render(
        request,
        "outcomes/exits/undo.html",
        {
            "form": form,
            "exit": exit_,
            "enrolment": enrolment,
            "person": enrolment.person,
            "refusal": services.undo_refusal(exit_),
            "undo_until": services.undo_deadline(exit_),
        },
        status=status,
    )


# ------------------------------------------------------------------------------ list


def _list_state(request: HttpRequest):
    membership = request.membership
    form = ExitFilterForm(request.GET or None, membership=membership)
    return form, selectors.exit_list(membership, **form.selector_kwargs())


def _render_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    form, exits = _list_state(request)
    page = Paginator(exits, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/exits/list.html",
        {
            "form": form,
            "page": page,
            "rows": list(page.object_list),
            "filtering": form.is_filtering,
            "may_record": has_perm(membership, Perm.RECORD_EXITS),
            "export_error": export_error,
        },
        status=400 if form.errors or export_error else 200,
    )


@school_view(Perm.VIEW_TRAINEES)
def exit_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


#: The list's columns: the trainee's name in two, the dropout reason and the length (months,
#: days) as their own columns, numbers as numbers.
EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Date de sortie"),
    gettext_lazy("Destination"),
    gettext_lazy("Motif d'abandon"),
    gettext_lazy("Durée (mois)"),
    gettext_lazy("Durée (jours en plus)"),
    gettext_lazy("Employeur ou organisme"),
    gettext_lazy("Site"),
    gettext_lazy("Référent·e"),
)


def _export_row(exit_: Exit) -> tuple:
    enrolment = exit_.enrolment
    referent = enrolment.referent
    return (
        enrolment.person.last_name,
        enrolment.person.first_name,
        exit_.exit_date,
        exit_.get_destination_display(),
        exit_.get_dropout_reason_display() if exit_.dropout_reason else "",
        exit_.months,
        exit_.days if exit_.months is not None else None,
        exit_.organisation,
        enrolment.site.name,
        (referent.user.get_full_name() or referent.user.email) if referent else "",
    )


@school_view(Perm.VIEW_TRAINEES)
def exit_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_list(request, export_error=exports.UNKNOWN_FORMAT)
    form, exits = _list_state(request)
    if form.errors:
        return _render_list(request, export_error=exports.BAD_FILTERS)
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=(_export_row(e) for e in exits.iterator(chunk_size=EXPORT_CHUNK)),
        stem="sorties",
        sheet_title=_("Sorties"),
        action="export.exits",
        filters=form.audit_filters(),
    )


urlpatterns = [
    path("sorties/", exit_list, name="exits"),
    path("sorties/export/", exit_export, name="exits_export"),
    path("stagiaires/<int:pk>/sortie/", exit_new, name="exit_new"),
    path("sorties/<int:pk>/corriger/", exit_edit, name="exit_edit"),
    path("sorties/<int:pk>/annuler/", exit_undo, name="exit_undo"),
]
