"""Follow-ups after the exit: the to-do list "Suivis après la sortie" and the small form that
records what a follow-up found; the XLSX/CSV export of the list (same selector and filters,
every row, audited; the list's columns only: no comment).

Reading needs ``VIEW_TRAINEES`` (the list names trainees); recording needs ``RECORD_EXITS`` and
goes through ``services_follow_ups.record_follow_up``: a refusal re-renders the form with the
French messages beside their fields and status 400 (nothing written).
"""

from __future__ import annotations

from django.conf import settings
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

from .. import selectors_follow_ups as selectors
from .. import services_follow_ups as services
from ..forms.follow_ups import FollowUpFilterForm, FollowUpRecordForm
from ..models import ExitFollowUp, FollowUpStatus

#: Rows read per database round trip by the export.
EXPORT_CHUNK = 500


def _list_state(request: HttpRequest):
    membership = request.membership
    form = FollowUpFilterForm(request.GET or None, membership=membership)
    return form, form.apply(selectors.follow_ups_for(membership))


def _is_overdue(follow_up: ExitFollowUp, overdue_before) -> bool:
    return follow_up.status == FollowUpStatus.DUE and follow_up.due_on < overdue_before


def _render_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    form, follow_ups = _list_state(request)
    page = Paginator(follow_ups, settings.PARCOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    overdue_before = selectors.overdue_before(timezone.localdate())
    rows = list(page.object_list)
    for follow_up in rows:
        follow_up.is_overdue = _is_overdue(follow_up, overdue_before)
    refused = (form.is_bound and bool(form.errors)) or bool(export_error)
    return render(
        request,
        "outcomes/follow_ups/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtering": form.is_filtering,
            "may_record": has_perm(membership, Perm.RECORD_EXITS),
            "overdue_days": selectors.OVERDUE_AFTER_DAYS,
            "export_error": export_error,
        },
        status=400 if refused else 200,
    )


@school_view(Perm.VIEW_TRAINEES)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


#: The list's columns: the trainee's name in two, the exit in three (date, destination,
#: months), the "en retard" tag and the situation found as their own columns.
EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Date de sortie"),
    gettext_lazy("Destination à la sortie"),
    gettext_lazy("Durée à la sortie (mois)"),
    gettext_lazy("Échéance"),
    gettext_lazy("À faire à partir du"),
    gettext_lazy("En retard"),
    gettext_lazy("Référent·e"),
    gettext_lazy("État"),
    gettext_lazy("Situation trouvée"),
)


def _export_row(follow_up: ExitFollowUp, overdue_before) -> tuple:
    exit_ = follow_up.exit
    enrolment = exit_.enrolment
    referent = enrolment.referent
    return (
        enrolment.person.last_name,
        enrolment.person.first_name,
        exit_.exit_date,
        exit_.get_destination_display(),
        exit_.months,
        follow_up.get_wave_display(),
        follow_up.due_on,
        _is_overdue(follow_up, overdue_before),
        (referent.user.get_full_name() or referent.user.email) if referent else "",
        follow_up.get_status_display(),
        follow_up.get_situation_display() if follow_up.situation else "",
    )


@school_view(Perm.VIEW_TRAINEES)
def follow_up_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_list(request, export_error=exports.UNKNOWN_FORMAT)
    form, follow_ups = _list_state(request)
    if form.errors:
        return _render_list(request, export_error=exports.BAD_FILTERS)
    today = timezone.localdate()
    overdue_before = selectors.overdue_before(today)
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=(
            _export_row(follow_up, overdue_before)
            for follow_up in follow_ups.iterator(chunk_size=EXPORT_CHUNK)
        ),
        stem="suivis-apres-sortie",
        sheet_title=_("Suivis après la sortie"),
        action="export.follow_ups",
        filters=form.audit_filters(),
        day=today,
    )


@school_view(Perm.RECORD_EXITS)
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    follow_up = selectors.get_follow_up(membership, pk)
    if request.method == "POST":
        form = FollowUpRecordForm(request.POST)
        if form.is_valid():
            try:
                services.record_follow_up(
                    membership,
                    follow_up,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Le suivi %(wave)s de %(name)s est enregistré.")
                    % {
                        "wave": follow_up.get_wave_display(),
                        "name": follow_up.exit.enrolment.person.full_name,
                    },
                )
                return redirect(reverse("outcomes:follow_ups", args=[membership.school.slug]))
    else:
        form = FollowUpRecordForm(initial=FollowUpRecordForm.initial_from(follow_up))
    exit_ = follow_up.exit
    return render(
        request,
        "outcomes/follow_ups/record.html",
        {
            "follow_up": follow_up,
            "exit": exit_,
            "enrolment": exit_.enrolment,
            "person": exit_.enrolment.person,
            "other_waves": selectors.other_waves(follow_up),
            "is_correction": follow_up.status != FollowUpStatus.DUE,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("suivis-apres-sortie/", follow_up_list, name="follow_ups"),
    path("suivis-apres-sortie/export/", follow_up_export, name="follow_ups_export"),
    path("suivis-apres-sortie/<int:pk>/saisir/", follow_up_record, name="follow_up_record"),
]
