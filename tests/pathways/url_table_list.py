"""URL access table of the trainee list, its export, caseloads and pathway settings."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "pathways:trainees": Perm.VIEW_TRAINEES,
    "pathways:trainees_export": Perm.VIEW_TRAINEES,
    "pathways:caseloads": Perm.MANAGE_CASELOADS,
    # POST only in use; a GET shows a short page pointing to the caseloads page.
    "pathways:reassign": Perm.MANAGE_CASELOADS,
    "pathways:settings": Perm.MANAGE_PHASES,
    "pathways:caseloads_export": Perm.MANAGE_CASELOADS,
}
