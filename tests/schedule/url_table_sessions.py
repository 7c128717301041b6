"""URL access table of the sessions screens and the workshop types settings."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "schedule:session": Perm.VIEW_SCHEDULE,
    "schedule:session_new": Perm.MANAGE_SCHEDULE,
    "schedule:session_edit": Perm.MANAGE_SCHEDULE,
    "schedule:session_trainees": Perm.MANAGE_SCHEDULE,
    "schedule:session_cancel": Perm.MANAGE_SCHEDULE,
    "schedule:workshop_types": Perm.MANAGE_WORKSHOP_TYPES,
    "schedule:workshop_types_export": Perm.MANAGE_WORKSHOP_TYPES,
}

PK_OBJECTS = {
    "schedule:session": "session",
    "schedule:session_edit": "session",
    "schedule:session_trainees": "session",
    "schedule:session_cancel": "session",
}
