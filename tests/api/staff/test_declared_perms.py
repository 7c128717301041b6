"""Each staff operation declares the permission of the web screen doing the same thing: read
from the web view's ``@school_view(Perm.X)`` itself, so that a change on one side fails here."""

from __future__ import annotations

import pytest

from parcours.intake.views import referrals as intake_views
from parcours.organisations.access import Perm
from parcours.outcomes.views import exits as exit_views
from parcours.pathways.views import caseloads, trainee, trainees
from parcours.schedule.views import attendance as attendance_views

from ..operations import all_operations

#: operation id → the web view doing the same thing.
WEB_VIEWS = {
    "staff_candidacy_create": intake_views.referral_create,
    "staff_enrolment_list": trainees.trainee_list,
    "staff_enrolment_detail": trainee.trainee_detail,
    "staff_enrolment_phase": trainee.phase_move,
    "staff_enrolment_referent": caseloads.reassign,
    "staff_exit_list": exit_views.exit_list,
    "staff_exit_detail": trainee.trainee_detail,  # the exit is shown on the trainee page
    "staff_exit_record": exit_views.exit_new,
    "staff_exit_correct": exit_views.exit_edit,
    "staff_exit_undo": exit_views.exit_undo,
    "staff_attendance_list": attendance_views.trainee_attendance,
    "staff_attendance_mark": attendance_views.day_attendance,
}
#: Operations without a web screen of their own: people are read on the trainee and candidate
#: pages, whose permissions the selector applies (``api.staff.selectors.visible_people``).
NO_WEB_VIEW = {
    "staff_person_list": Perm.VIEW_PERSONAL_DATA,
    "staff_person_detail": Perm.VIEW_PERSONAL_DATA,
}


def _staff_operations():
    return {op.operation_id: op for op in all_operations() if op.operation_id.startswith("staff_")}


def test_every_staff_operation_is_listed():
    assert set(_staff_operations()) == set(WEB_VIEWS) | set(NO_WEB_VIEW)


@pytest.mark.parametrize("operation_id", sorted(WEB_VIEWS))
def test_the_permission_is_the_web_views(operation_id):
    op = _staff_operations()[operation_id]
    assert op.perm == WEB_VIEWS[operation_id].required_perm, op


def test_the_session_sheet_has_the_same_permission_as_the_day_sheet():
    assert attendance_views.session_attendance.required_perm == Perm.MARK_ATTENDANCE
    assert _staff_operations()["staff_attendance_mark"].perm == Perm.MARK_ATTENDANCE


@pytest.mark.parametrize("operation_id", sorted(NO_WEB_VIEW))
def test_people_need_the_personal_data_permission(operation_id):
    assert _staff_operations()[operation_id].perm == NO_WEB_VIEW[operation_id]
