"""URL access table of the weekly timetables and the rooms' occupancy."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "schedule:week": Perm.VIEW_SCHEDULE,
    "schedule:occupancy": Perm.VIEW_SCHEDULE,
    "schedule:week_export": Perm.VIEW_SCHEDULE,
    "schedule:occupancy_export": Perm.VIEW_SCHEDULE,
}
