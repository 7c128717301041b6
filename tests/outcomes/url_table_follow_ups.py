"""URL access table of the follow-ups after the exit."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "outcomes:follow_ups": Perm.VIEW_TRAINEES,
    "outcomes:follow_ups_export": Perm.VIEW_TRAINEES,
    "outcomes:follow_up_record": Perm.RECORD_EXITS,
}

PK_OBJECTS = {
    "outcomes:follow_up_record": "exit_follow_up",
}
