"""URL access table of the person's rights: requests, notices, subject access export."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "people:rights": Perm.MANAGE_PRIVACY,
    "people:rights_export": Perm.MANAGE_PRIVACY,
    "people:person_rights": Perm.MANAGE_PRIVACY,
    "people:request_new": Perm.MANAGE_PRIVACY,
    "people:request_answer": Perm.MANAGE_PRIVACY,
    "people:notice_new": Perm.MANAGE_PRIVACY,
    "people:export_json": Perm.MANAGE_PRIVACY,
    "people:export_pdf": Perm.MANAGE_PRIVACY,
}

PK_OBJECTS = {
    "people:person_rights": "trainee_person",
    "people:request_new": "trainee_person",
    "people:request_answer": "subject_request",
    "people:notice_new": "trainee_person",
    "people:export_json": "trainee_person",
    "people:export_pdf": "trainee_person",
}
