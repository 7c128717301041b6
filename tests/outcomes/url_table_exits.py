"""URL access table of the exit screens: record, correct, undo an exit, and the school's list."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "outcomes:exits": Perm.VIEW_TRAINEES,
    "outcomes:exits_export": Perm.VIEW_TRAINEES,
    "outcomes:exit_new": Perm.RECORD_EXITS,
    "outcomes:exit_edit": Perm.RECORD_EXITS,
    "outcomes:exit_undo": Perm.RECORD_EXITS,
}

PK_OBJECTS = {
    "outcomes:exit_new": "enrolment",
    "outcomes:exit_edit": "exit",
    "outcomes:exit_undo": "exit",
}
