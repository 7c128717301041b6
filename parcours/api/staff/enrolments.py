"""Enrolments (parcours): the trainee list and page, the move to a phase, the referent.

- list and read: ``Perm.VIEW_TRAINEES`` like the trainee list and page; the filters are the
  list's own (``pathways.forms.trainees.TraineeFilterForm``: same French messages) plus the
  entry date. The enrolment carries no restricted content (no meetings, support actions or
  documents): the API never returns any.
- phase: ``Perm.MANAGE_PATHWAY`` like the phase form (``PhaseMoveForm``, then
  ``pathways.services.move_phase``).
- referent: ``Perm.MANAGE_CASELOADS`` like the reassignment (``ReassignForm``, then
  ``pathways.services.reassign``).

Another school's enrolment is a 404; a refusal is a 422 with the web's French message and
nothing written.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from parcours.api.auth import requires
from parcours.api.errors import invalid
from parcours.api.pagination import Page, PageParams, paginate
from parcours.audit.services import client_ip
from parcours.organisations.access import Perm
from parcours.pathways import selectors as pathway_selectors
from parcours.pathways import selectors_lists, services
from parcours.pathways.forms.caseloads import NO_REFERENT, ReassignForm
from parcours.pathways.forms.trainee import PhaseMoveForm
from parcours.pathways.forms.trainees import TraineeFilterForm

from . import selectors
from .common import form_data
from .schemas import (
    EnrolmentDetailOut,
    EnrolmentFilters,
    EnrolmentOut,
    PathId,
    PhaseMoveIn,
    ReferentIn,
)

router = Router()


def enrolment_detail(membership, pk: int):
    """The enrolment as the list shows it, with its phases and its exit's id (404 if it is
    not the school's)."""
    enrolment = get_object_or_404(selectors_lists.trainee_list(membership), pk=pk)
    enrolment.phase_steps = selectors.enrolment_phases(enrolment)
    enrolment.exit_pk = selectors.exit_id(enrolment)
    return enrolment


@router.get(
    "/enrolments",
    response=Page[EnrolmentOut],
    auth=requires(Perm.VIEW_TRAINEES),
    summary="Lister les parcours (la liste des stagiaires)",
)
def staff_enrolment_list(
    request: HttpRequest, filters: Query[EnrolmentFilters], paging: Query[PageParams]
):
    membership = request.membership
    data = form_data(
        q=filters.q,
        site=filters.site,
        referent=filters.referent,
        phase=filters.phase,
        funding_line=filters.funding_line,
        status=filters.status,
        overdue="on" if filters.overdue else None,
    )
    form = TraineeFilterForm(data, membership=membership)
    if not form.is_valid():
        invalid(form.errors, location="query")
    enrolments = filters.apply(form.apply(selectors_lists.trainee_list(membership)), "entry_date")
    return paginate(request, selectors_lists.sorted_by(enrolments, "nom"), paging)


@router.get(
    "/enrolments/{enrolment_id}",
    response=EnrolmentDetailOut,
    auth=requires(Perm.VIEW_TRAINEES),
    summary="Lire un parcours",
)
def staff_enrolment_detail(request: HttpRequest, enrolment_id: int = PathId()):
    return enrolment_detail(request.membership, enrolment_id)


@router.post(
    "/enrolments/{enrolment_id}/phase",
    response=EnrolmentDetailOut,
    auth=requires(Perm.MANAGE_PATHWAY),
    summary="Changer la phase d'un parcours",
)
def staff_enrolment_phase(request: HttpRequest, payload: PhaseMoveIn, enrolment_id: int = PathId()):
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, enrolment_id)
    form = PhaseMoveForm(
        form_data(**payload.dict()), phases=pathway_selectors.school_phases(membership)
    )
    if not form.is_valid():
        invalid(form.errors)
    services.move_phase(
        membership=membership,
        enrolment=enrolment,
        ip_address=client_ip(request),
        **form.cleaned_data,
    )
    return enrolment_detail(membership, enrolment.pk)


@router.post(
    "/enrolments/{enrolment_id}/referent",
    response=EnrolmentDetailOut,
    auth=requires(Perm.MANAGE_CASELOADS),
    summary="Changer le référent d'un parcours",
)
def staff_enrolment_referent(
    request: HttpRequest, payload: ReferentIn, enrolment_id: int = PathId()
):
    membership = request.membership
    enrolment = pathway_selectors.get_enrolment(membership, enrolment_id)
    form = ReassignForm(
        {
            "enrolments": [str(enrolment.pk)],
            "new_referent": NO_REFERENT if payload.referent is None else str(payload.referent),
        },
        membership=membership,
    )
    if not form.is_valid():
        invalid(form.errors, rename={"new_referent": "referent"})
    services.reassign(
        membership=membership,
        enrolments=form.cleaned_data["enrolments"],
        referent=form.cleaned_data["new_referent"],
        ip_address=client_ip(request),
    )
    return enrolment_detail(membership, enrolment.pk)
