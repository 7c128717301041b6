"""URL access table of the attestation pages and the public verification page."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "competencies:attestations": Perm.VIEW_TRAINEES,
    # The world's enrolment already has a valid attestation: the page explains it (200).
    "competencies:attestation_issue": Perm.ISSUE_ATTESTATION,
    "competencies:attestation": Perm.VIEW_TRAINEES,
    "competencies:attestation_pdf": Perm.VIEW_TRAINEES,
    "competencies:attestation_revoke": Perm.ISSUE_ATTESTATION,
    "competencies:attestation_reissue": Perm.ISSUE_ATTESTATION,
}

#: No login: anybody with the link sees the same page (another school's slug gives 404).
OPEN_URLS = {"attestation_check:verify": {"*": 200}}

PK_OBJECTS = {
    "competencies:attestations": "enrolment",
    "competencies:attestation_issue": "enrolment",
    "competencies:attestation": "enrolment",
    "competencies:attestation_pdf": "enrolment",
    "competencies:attestation_revoke": "enrolment",
    "competencies:attestation_reissue": "enrolment",
}

KWARG_OBJECTS = {
    "attestation_pk": ("attestation", "pk"),
    "verification_token": ("attestation", "token"),
}
