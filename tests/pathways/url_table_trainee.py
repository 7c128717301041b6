"""URL access table of the trainee page, the phase move and the individual plan."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "pathways:trainee": Perm.VIEW_TRAINEES,
    "pathways:phase_move": Perm.MANAGE_PATHWAY,
    "pathways:plan": Perm.VIEW_TRAINEES,
    "pathways:plan_edit": Perm.MANAGE_PATHWAY,
}

PK_OBJECTS = {
    "pathways:trainee": "enrolment",
    "pathways:phase_move": "enrolment",
    "pathways:plan": "enrolment",
    "pathways:plan_edit": "enrolment",
}
