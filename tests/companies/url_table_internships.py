"""URL access table of the internship screens. Reading an internship needs VIEW_TRAINEES (it
names its trainee); writing needs MANAGE_INTERNSHIPS. ``internship_new``'s ``pk`` is the
enrolment, as on every ``stagiaires/<pk>/`` page."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "companies:internships": Perm.VIEW_TRAINEES,
    "companies:internships_export": Perm.VIEW_TRAINEES,
    "companies:internship": Perm.VIEW_TRAINEES,
    "companies:internship_new": Perm.MANAGE_INTERNSHIPS,
    "companies:internship_edit": Perm.MANAGE_INTERNSHIPS,
    "companies:internship_cancel": Perm.MANAGE_INTERNSHIPS,
    "companies:internship_goals": Perm.MANAGE_INTERNSHIPS,
}

PK_OBJECTS = {
    "companies:internship": "internship",
    "companies:internship_new": "enrolment",
    "companies:internship_edit": "internship",
    "companies:internship_cancel": "internship",
    "companies:internship_goals": "internship",
}
