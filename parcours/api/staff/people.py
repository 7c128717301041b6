"""People: search and read the young people the membership meets in the web.

``Perm.VIEW_PERSONAL_DATA`` (every staff role, never partners nor the network), scoped like the
web: trainees for the roles with the trainee pages, candidates for the roles with the candidate
pages (``selectors.visible_people``). Another school's person is a 404.

A person is created the way the web creates one: with a candidacy (``POST /candidacies``,
``Perm.MANAGE_INTAKE`` like the intake team's « Enregistrer une candidature »: its form, its
look-alikes step, ``intake.services.create_referral``). The web has no screen that edits a
person, so the API has no PATCH either: it adds no write path the web does not have.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from parcours.api.auth import requires
from parcours.api.errors import invalid
from parcours.api.pagination import Page, PageParams, paginate
from parcours.audit.services import client_ip
from parcours.intake import selectors as intake_selectors
from parcours.intake import services as intake_services
from parcours.intake.forms.referrals import NEW_PERSON, ReferralCreateForm
from parcours.organisations import selectors as org_selectors
from parcours.organisations.access import Perm
from parcours.people.selectors import duplicates_with_history

from . import selectors
from .common import form_data
from .schemas import (
    CandidacyIn,
    CandidacyOut,
    LookAlikesOut,
    PathId,
    PersonFilters,
    PersonOut,
    PersonSummaryOut,
)

router = Router()


@router.get(
    "/people",
    response=Page[PersonSummaryOut],
    auth=requires(Perm.VIEW_PERSONAL_DATA),
    summary="Rechercher des personnes",
)
def staff_person_list(
    request: HttpRequest, filters: Query[PersonFilters], paging: Query[PageParams]
):
    people = selectors.search_people(request.membership, text=filters.q or "")
    return paginate(request, filters.apply(people, "created_at"), paging)


@router.get(
    "/people/{person_id}",
    response=PersonOut,
    auth=requires(Perm.VIEW_PERSONAL_DATA),
    summary="Lire une personne",
)
def staff_person_detail(request: HttpRequest, person_id: int = PathId()):
    return selectors.get_person(request.membership, person_id)


# ------------------------------------------------------------------------------ creation


@router.post(
    "/candidacies",
    response={201: CandidacyOut, 409: LookAlikesOut},
    auth=requires(Perm.MANAGE_INTAKE),
    summary="Enregistrer une candidature (et la personne)",
)
def staff_candidacy_create(request: HttpRequest, payload: CandidacyIn):
    """The web's staff referral form, step by step: the form checks the fields; people of the
    school who look like the one entered are proposed (409) until ``person`` names one of them
    or ``new_person`` says it is someone else; ``intake.services.create_referral`` writes the
    referral (and the person) with its ``referral.create`` audit event."""
    membership = request.membership
    data = form_data(**payload.dict(exclude={"person", "new_person"}))
    if payload.person is not None:
        data["person_choice"] = str(payload.person)
    elif payload.new_person:
        data["person_choice"] = NEW_PERSON
    form = ReferralCreateForm(
        data,
        membership=membership,
        partners=org_selectors.partners_for(membership).filter(is_prescriber=True),
        advisers=intake_selectors.advisers_for(membership),
    )
    if not form.is_valid():
        invalid(form.errors)
    look_alikes = duplicates_with_history(membership=membership, **form.identity())
    person = None
    if payload.person is not None:
        person = next((p for p in look_alikes if p.pk == payload.person), None)
        if person is None:
            invalid(
                {
                    "person": [
                        _(
                            "Choisissez l'une des personnes proposées, ou « il s'agit d'une "
                            "autre personne »."
                        )
                    ]
                }
            )
    elif look_alikes and not payload.new_person:
        return Status(
            409,
            {
                "detail": _(
                    "Des personnes de l'école ressemblent à celle-ci : indiquez l'une d'elles "
                    "(person) ou confirmez qu'il s'agit d'une autre personne (new_person)."
                ),
                "people": look_alikes,
            },
        )
    referral = intake_services.create_referral(
        membership=membership,
        person=person,
        person_fields=None if person else form.person_fields(),
        ip_address=client_ip(request),
        **form.referral_kwargs(),
    )
    return Status(201, referral)
