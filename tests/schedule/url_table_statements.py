"""URL access table of the monthly statements (état de présence)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "schedule:trainee_statement": Perm.VIEW_SCHEDULE,
    "schedule:trainee_statement_pdf": Perm.VIEW_SCHEDULE,
    "schedule:school_statements": Perm.CLOSE_MONTH,
    "schedule:school_statements_xlsx": Perm.CLOSE_MONTH,
}

PK_OBJECTS = {
    "schedule:trainee_statement": "enrolment",
    "schedule:trainee_statement_pdf": "enrolment",
}
