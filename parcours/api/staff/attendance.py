"""Attendance (émargement): read half-day marks, save a sheet.

- read: ``Perm.VIEW_SCHEDULE`` like the trainee's month of marks; filters by day, enrolment
  and site (another school's ids simply match nothing).
- save: ``Perm.MARK_ATTENDANCE`` like the sheets. A sheet is a session's
  (``schedule.services_attendance.mark_session``) or a site's half-day
  (``mark_day``), exactly as on the web: the trainees listed get their status; the others of
  the sheet who have no mark yet are marked present (existing marks are kept). A past day's
  change needs a correction reason; a closed month is refused with the web's message; every
  write is audited by the service (``attendance.mark_session`` / ``attendance.mark_day``,
  ``attendance.correct``). Another school's session or site is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from parcours.api.auth import requires
from parcours.api.pagination import Page, PageParams, paginate
from parcours.audit.services import client_ip
from parcours.organisations.access import Perm
from parcours.schedule import selectors as schedule_selectors
from parcours.schedule import selectors_attendance, services_attendance

from . import selectors
from .schemas import MarkFilters, MarkOut, SheetIn, SheetOut

router = Router()


@router.get(
    "/attendance",
    response=Page[MarkOut],
    auth=requires(Perm.VIEW_SCHEDULE),
    summary="Lire les émargements (demi-journées)",
)
def staff_attendance_list(
    request: HttpRequest, filters: Query[MarkFilters], paging: Query[PageParams]
):
    marks = selectors.marks_for(
        request.membership, enrolment_id=filters.enrolment, site_id=filters.site
    )
    return paginate(request, filters.apply(marks, "day"), paging)


@router.post(
    "/attendance",
    response=SheetOut,
    auth=requires(Perm.MARK_ATTENDANCE),
    summary="Émarger une séance ou une demi-journée d'un site",
)
def staff_attendance_mark(request: HttpRequest, payload: SheetIn):
    membership = request.membership
    marks: dict[int, tuple[str, str]] = {}
    for mark in payload.marks:
        if mark.enrolment in marks:
            raise ValidationError(
                {"marks": [_("Une personne est indiquée deux fois sur la feuille.")]}
            )
        marks[mark.enrolment] = (mark.status, mark.reason)
    common = {
        "membership": membership,
        "marks": marks,
        "correction_reason": payload.correction_reason,
        "ip_address": client_ip(request),
    }
    by_day = (payload.site, payload.day, payload.half)
    if payload.session is not None:
        if any(value is not None for value in by_day):
            raise ValidationError(
                _("Indiquez une séance, ou un site, un jour et une demi-journée : pas les deux.")
            )
        session = schedule_selectors.get_session(membership, payload.session)
        written = services_attendance.mark_session(session=session, **common)
        day, halves = session.day, session.halves
    else:
        if any(value is None for value in by_day):
            raise ValidationError(
                _("Indiquez la séance, ou le site, le jour et la demi-journée (am ou pm).")
            )
        site = selectors_attendance.get_site(membership, payload.site)
        written = services_attendance.mark_day(
            site=site, day=payload.day, half=payload.half, **common
        )
        day, halves = payload.day, [payload.half]
    sheet = selectors.marks_for(
        membership,
        date_from=day,
        date_to=day,
        enrolment_ids=sorted({mark.enrolment_id for mark in written}),
        halves=halves,
    )
    return {"marks": list(sheet)}
