"""URL access table of the agreement area: the PDF, signatures, signed scan, hires and legal
guardians (every view needs MANAGE_INTERNSHIPS, the PDF too: it carries personal data)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "companies:agreement_pdf": Perm.MANAGE_INTERNSHIPS,
    "companies:signature_new": Perm.MANAGE_INTERNSHIPS,
    "companies:signature_delete": Perm.MANAGE_INTERNSHIPS,
    "companies:agreement_scan": Perm.MANAGE_INTERNSHIPS,
    "companies:hire_new": Perm.MANAGE_INTERNSHIPS,
    "companies:hire_new_for_trainee": Perm.MANAGE_INTERNSHIPS,
    "companies:hire_edit": Perm.MANAGE_INTERNSHIPS,
    "companies:hire_delete": Perm.MANAGE_INTERNSHIPS,
    "companies:guardian_new": Perm.MANAGE_INTERNSHIPS,
    "companies:guardian_edit": Perm.MANAGE_INTERNSHIPS,
    "companies:guardian_delete": Perm.MANAGE_INTERNSHIPS,
}

PK_OBJECTS = {
    "companies:agreement_pdf": "internship",
    "companies:signature_delete": "agreement_signature",
    # A hire after an internship (hire_new, ``internship_pk``) or for an enrolment directly
    # (hire_new_for_trainee, ``pk`` as on the trainee's pages).
    "companies:hire_new_for_trainee": "enrolment",
    "companies:hire_edit": "hire",
    "companies:hire_delete": "hire",
    "companies:guardian_new": "enrolment",
    "companies:guardian_edit": "guardian",
    "companies:guardian_delete": "guardian",
}

# ``internship_pk`` names the internship for every area of issue 7 (agreements, reviews).
KWARG_OBJECTS = {"internship_pk": ("internship", "pk")}
