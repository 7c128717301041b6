"""URL access table of the progress views (the school's competency home)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "competencies:overview": Perm.VIEW_TRAINEES,
    "competencies:overview_export": Perm.VIEW_TRAINEES,
}
