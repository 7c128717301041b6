"""Exits: the school's list, record an exit, correct it, undo it.

- list and read: ``Perm.VIEW_TRAINEES`` like the exits page and the trainee page
  (``outcomes.selectors_exits``; the site and group filters checked by the page's
  ``ExitFilterForm``);
- record, correct, undo: ``Perm.RECORD_EXITS`` like the exit screens. The input goes through
  the web's forms (``ExitForm``, ``ExitCorrectionForm``, ``ExitUndoForm``) and services
  (``outcomes.services_exits``): the same rules, the same French messages (422), the same
  audit events (``exit.record``, ``exit.correct``, ``exit.undo``). Recording closes what the
  web closes (phase, goals, places in sessions, marks of days to come).

Another school's enrolment or exit is a 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from parcours.api.auth import requires
from parcours.api.errors import invalid
from parcours.api.pagination import Page, PageParams, paginate
from parcours.audit.services import client_ip
from parcours.organisations.access import Perm
from parcours.outcomes import selectors_exits, services_exits
from parcours.outcomes.forms.exits import (
    ExitCorrectionForm,
    ExitFilterForm,
    ExitForm,
    ExitUndoForm,
)

from .common import form_data
from .enrolments import enrolment_detail
from .schemas import (
    EnrolmentDetailOut,
    ExitCorrectionIn,
    ExitFilters,
    ExitIn,
    ExitOut,
    ExitUndoIn,
    PathId,
)

router = Router()


@router.get(
    "/exits",
    response=Page[ExitOut],
    auth=requires(Perm.VIEW_TRAINEES),
    summary="Lister les sorties",
)
def staff_exit_list(request: HttpRequest, filters: Query[ExitFilters], paging: Query[PageParams]):
    membership = request.membership
    form = ExitFilterForm(
        form_data(
            du=filters.date_from, au=filters.date_to, site=filters.site, groupe=filters.group
        ),
        membership=membership,
    )
    if not form.is_valid():
        invalid(
            form.errors,
            location="query",
            rename={"du": "date_from", "au": "date_to", "groupe": "group"},
        )
    return paginate(
        request, selectors_exits.exit_list(membership, **form.selector_kwargs()), paging
    )


@router.get(
    "/exits/{exit_id}",
    response=ExitOut,
    auth=requires(Perm.VIEW_TRAINEES),
    summary="Lire une sortie",
)
def staff_exit_detail(request: HttpRequest, exit_id: int = PathId()):
    return selectors_exits.get_exit(request.membership, exit_id)


@router.post(
    "/enrolments/{enrolment_id}/exit",
    response={201: ExitOut},
    auth=requires(Perm.RECORD_EXITS),
    summary="Enregistrer la sortie d'un parcours",
)
def staff_exit_record(request: HttpRequest, payload: ExitIn, enrolment_id: int = PathId()):
    membership = request.membership
    enrolment = selectors_exits.get_enrolment(membership, enrolment_id)
    form = ExitForm(form_data(**payload.dict()))
    if not form.is_valid():
        invalid(form.errors)
    exit_ = services_exits.record_exit(
        membership, enrolment, ip_address=client_ip(request), **form.service_kwargs()
    )
    return Status(201, selectors_exits.get_exit(membership, exit_.pk))


@router.put(
    "/exits/{exit_id}",
    response=ExitOut,
    auth=requires(Perm.RECORD_EXITS),
    summary="Corriger une sortie",
)
def staff_exit_correct(request: HttpRequest, payload: ExitCorrectionIn, exit_id: int = PathId()):
    membership = request.membership
    exit_ = selectors_exits.get_exit(membership, exit_id)
    form = ExitCorrectionForm(form_data(**payload.dict()))
    if not form.is_valid():
        invalid(form.errors)
    services_exits.correct_exit(
        membership,
        exit_,
        reason=form.cleaned_data["reason"],
        ip_address=client_ip(request),
        **form.service_kwargs(),
    )
    return selectors_exits.get_exit(membership, exit_.pk)


@router.post(
    "/exits/{exit_id}/undo",
    response=EnrolmentDetailOut,
    auth=requires(Perm.RECORD_EXITS),
    summary="Annuler une sortie (dans le mois qui suit son enregistrement)",
)
def staff_exit_undo(request: HttpRequest, payload: ExitUndoIn, exit_id: int = PathId()):
    membership = request.membership
    exit_ = selectors_exits.get_exit(membership, exit_id)
    form = ExitUndoForm(form_data(**payload.dict()))
    if not form.is_valid():
        invalid(form.errors)
    enrolment = services_exits.undo_exit(
        membership, exit_, reason=form.cleaned_data["reason"], ip_address=client_ip(request)
    )
    return enrolment_detail(membership, enrolment.pk)
