"""People: search and read the young people the membership meets in the web.

``Perm.VIEW_PERSONAL_DATA`` (every staff role, never partners nor the network), scoped like the
web: trainees for the roles with the trainee pages, candidates for the roles with the candidate
pages (``selectors.visible_people``). Another school's person is a 404.

No write here: the web creates a person only with a referral (``intake.services
.create_referral``, from the intake team's form or a prescriber's) and has no screen that edits
a person; the API adds no write path the web does not have.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from parcours.api.auth import requires
from parcours.api.pagination import Page, PageParams, paginate
from parcours.organisations.access import Perm

from . import selectors
from .schemas import PathId, PersonFilters, PersonOut

router = Router()


@router.get(
    "/people",
    response=Page[PersonOut],
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
