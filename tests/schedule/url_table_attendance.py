"""URL access table of the attendance screens (émargement, months, a trainee's marks)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "schedule:session_attendance": Perm.MARK_ATTENDANCE,
    "schedule:day_attendance": Perm.MARK_ATTENDANCE,
    "schedule:attendance_months": Perm.VIEW_SCHEDULE,
    "schedule:attendance_rates": Perm.VIEW_SCHEDULE,
    "schedule:month_close": Perm.CLOSE_MONTH,
    "schedule:month_reopen": Perm.CLOSE_MONTH,
    "schedule:trainee_attendance": Perm.VIEW_SCHEDULE,
    "schedule:attendance_months_export": Perm.VIEW_SCHEDULE,
    "schedule:attendance_rates_export": Perm.VIEW_SCHEDULE,
}

PK_OBJECTS = {
    "schedule:session_attendance": "session",
    "schedule:trainee_attendance": "enrolment",
}
