"""Prescribers: submit a referral and follow the status of their own (``Perm.REFER``).

The same validation and service as the web's « Orienter une personne » page
(``intake.forms.ReferralSubmitForm``, ``intake.services.create_referral``, the person matched
on exactly the same name and birth date and never disclosed) and the same reads as « Mes
orientations » (``intake.selectors.referrals_for`` + ``with_status``: only the prescriber's own
referrals; status and dates, never the school's notes nor the reasons of its decisions).
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from parcours.audit.services import client_ip
from parcours.intake import selectors, services
from parcours.intake.forms.referrals import ReferralSubmitForm
from parcours.intake.models import Outcome, Referral, Stage
from parcours.intake.views.prescriber import referral_status
from parcours.organisations.access import Perm
from parcours.people.models import Gender
from parcours.people.selectors import find_duplicates

from ..auth import requires
from ..errors import invalid
from ..pagination import DateRange, Page, PageParams, paginate

router = Router()

JobSeekerStatus = StrEnum(  # type: ignore[misc]
    "JobSeekerStatus",
    {value: value for value, _ in Referral._meta.get_field("job_seeker_status").choices},
)
GenderCode = StrEnum("GenderCode", {value: value for value in Gender.values})  # type: ignore[misc]
StageCode = StrEnum("StageCode", {value: value for value in Stage.values})  # type: ignore[misc]
OutcomeCode = StrEnum("OutcomeCode", {value: value for value in Outcome.values})  # type: ignore[misc]


class ReferralIn(Schema):
    last_name: str = Field(min_length=1, max_length=100, description="Nom.")
    first_name: str = Field(min_length=1, max_length=100, description="Prénom.")
    birth_date: datetime.date = Field(description="Date de naissance (AAAA-MM-JJ).")
    gender: GenderCode = Field(description="F ou M.")
    email: str = Field("", max_length=254, description="Un e-mail ou un téléphone au moins.")
    phone: str = Field("", max_length=30, description="Un téléphone ou un e-mail au moins.")
    job_seeker_status: JobSeekerStatus = Field(description="Situation.")
    left_school_on: datetime.date = Field(
        description="Sortie du système scolaire (une date approchée suffit)."
    )
    in_employment_or_training: bool = False
    qpv_code: str = Field("", max_length=10, description="Code du quartier prioritaire, s'il y a.")
    reason: str = Field(min_length=1, max_length=2000, description="Motif de l'orientation.")
    funding_line_id: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Dispositif (facultatif)."
    )


class ReferralOut(Schema):
    id: int
    first_name: str
    last_name: str
    received_on: datetime.date
    stage: StageCode
    outcome: OutcomeCode | None
    status: str = Field(description="Le statut en clair, comme sur la page « Mes orientations ».")
    decided_on: datetime.date | None
    planned_entry_date: datetime.date | None
    entered_on: datetime.date | None
    updated_at: datetime.datetime


def _out(referral: Referral) -> dict:
    admitted = referral.outcome == Outcome.ADMITTED
    return {
        "id": referral.pk,
        "first_name": referral.person.first_name,
        "last_name": referral.person.last_name,
        "received_on": referral.received_on,
        "stage": referral.stage,
        "outcome": referral.outcome or None,
        "status": str(referral_status(referral)),
        "decided_on": referral.last_decided_on,
        "planned_entry_date": referral.last_planned_entry if admitted else None,
        "entered_on": referral.entered_on,
        "updated_at": referral.updated_at,
    }


def _mine(membership):
    return selectors.with_status(selectors.referrals_for(membership))


@router.get(
    "",
    response=Page[ReferralOut],
    auth=requires(Perm.REFER),
    summary="Mes orientations",
)
def list_referrals(
    request: HttpRequest, filters: Query[DateRange], paging: Query[PageParams]
) -> dict:
    """Les orientations que le prescripteur du jeton a faites, les plus récentes d'abord ;
    ``date_from`` / ``date_to`` filtrent sur la date de réception."""
    referrals = filters.apply(_mine(request.membership), "received_on")
    return paginate(request, referrals, paging, _out)


@router.get(
    "/{referral_id}",
    response=ReferralOut,
    auth=requires(Perm.REFER),
    summary="Une de mes orientations",
)
def get_referral(request: HttpRequest, referral_id: int = Path(..., ge=1, le=2**63 - 1)) -> dict:
    """Une orientation du prescripteur du jeton (celle d'un autre : 404)."""
    return _out(get_object_or_404(_mine(request.membership), pk=referral_id))


@router.post(
    "",
    response={201: ReferralOut},
    auth=requires(Perm.REFER),
    summary="Orienter une personne",
)
def submit_referral(request: HttpRequest, payload: ReferralIn):
    """Transmet une orientation à l'école, comme le formulaire « Orienter une personne »."""
    membership = request.membership
    data = payload.model_dump()
    data["funding_line"] = data.pop("funding_line_id") or ""
    for key in ("birth_date", "left_school_on"):
        data[key] = data[key].isoformat()
    data["in_employment_or_training"] = "on" if data["in_employment_or_training"] else ""
    form = ReferralSubmitForm(data, membership=membership)
    if not form.is_valid():
        invalid(form.errors, rename={"funding_line": "funding_line_id"})
    with transaction.atomic():
        # As the web form: the person with exactly the same name and birth date, if any
        # (never disclosed to the prescriber), else a new one.
        identity = {**form.identity(), "email": "", "phone": ""}
        person = find_duplicates(school=membership.school, **identity).first()
        referral = services.create_referral(
            membership=membership,
            person=person,
            person_fields=None if person else form.person_fields(),
            ip_address=client_ip(request),
            **form.referral_kwargs(),
        )
    return Status(201, _out(_mine(membership).get(pk=referral.pk)))
