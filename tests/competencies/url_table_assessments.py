"""URL access table of a trainee's competencies: page, positioning, assessments, corrections,
grid entry and certifications. Every ``pk`` is the enrolment."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "competencies:trainee": Perm.VIEW_TRAINEES,
    "competencies:positioning": Perm.ASSESS,
    "competencies:assess": Perm.ASSESS,
    "competencies:assessment_correct": Perm.ASSESS,
    "competencies:grid_trainee": Perm.ASSESS,
    "competencies:grid_group": Perm.ASSESS,
    # POST only in use; a GET shows a short page saying what the address is for.
    "competencies:grid_save": Perm.ASSESS,
    "competencies:certification_add": Perm.ASSESS,
    "competencies:certification_edit": Perm.ASSESS,
}

PK_OBJECTS = {
    "competencies:trainee": "enrolment",
    "competencies:positioning": "enrolment",
    "competencies:assess": "enrolment",
    "competencies:assessment_correct": "enrolment",
    "competencies:grid_trainee": "enrolment",
    "competencies:certification_add": "enrolment",
    "competencies:certification_edit": "enrolment",
}

KWARG_OBJECTS = {
    "assessment_pk": ("assessment", "pk"),
    "certification_pk": ("certification", "pk"),
}
