"""URL access table of the outcome definitions and the headline definition of each year."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "outcomes:definitions": Perm.VIEW_OUTCOMES,
    "outcomes:definitions_export": Perm.VIEW_OUTCOMES,
    "outcomes:definition_detail": Perm.VIEW_OUTCOMES,
    "outcomes:definition_new": Perm.MANAGE_OUTCOMES,
    "outcomes:definition_edit": Perm.MANAGE_OUTCOMES,
    "outcomes:headline_choose": Perm.MANAGE_OUTCOMES,
}

PK_OBJECTS = {
    "outcomes:definition_detail": "definition",
    "outcomes:definition_edit": "definition",
}
