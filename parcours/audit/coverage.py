"""Which audit actions cover the writes of each model holding personal data.

A model holds personal data when it has a foreign-key path to ``people.Person`` or
``pathways.Enrolment`` (:func:`personal_models` computes the set from the models, so a new
model is found without anyone listing it). Each of them is in :data:`AUDITED` — the actions
whose events are written, in the same transaction, by every service that inserts, updates or
deletes its rows — or in :data:`NOT_AUDITED` with the reason.

``tests/audit/test_coverage.py`` proves the table: every personal-data model is listed, and
for each one it calls the services that write it and checks, from the SQL they run, that each
personal-data table written is covered by an event with one of its actions, naming the actor,
the school, the record and the client address.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models

#: The roots of personal data: a person, and their stay at the school.
ROOTS = ("people.person", "pathways.enrolment")

#: model label → the audit actions that cover its writes.
AUDITED: dict[str, tuple[str, ...]] = {
    # people
    "people.person": ("referral.create", "enrolment.create"),
    "people.legalguardian": ("guardian.create", "guardian.update", "guardian.delete"),
    "people.subjectrequest": ("subject_request.create", "subject_request.answer"),
    # A guardian removed leaves the notices given to them without their link (SET_NULL).
    "people.privacynotice": ("privacy_notice.create", "guardian.delete"),
    # privacy
    "privacy.legalhold": ("legal_hold.place", "legal_hold.lift"),
    # intake
    "intake.referral": (
        "referral.create",
        "interview.create",
        "referral.decision",
        "referral.eligibility_override",
        "enrolment.create",
        "registration.create",
        "registration.cancel",
        "registration.link",
        "info_session.attendance",
    ),
    "intake.registration": (
        "registration.public",
        "registration.create",
        "registration.cancel",
        "registration.link",
        "info_session.attendance",
        # ``parcours daily``: those that never became a candidacy, past the retention.
        "registration.anonymise",
    ),
    "intake.interview": ("interview.create",),
    "intake.decision": ("referral.decision",),
    # pathways
    "pathways.enrolment": (
        "enrolment.create",
        "enrolment.referent",
        "enrolment.phase",
        "exit.record",
        "exit.undo",
    ),
    "pathways.entrysituation": ("enrolment.create",),
    "pathways.enrolmentfundingline": ("enrolment.create",),
    "pathways.enrolmentphase": ("enrolment.create", "enrolment.phase", "exit.record", "exit.undo"),
    "pathways.referentchange": ("enrolment.referent",),
    "pathways.plan": ("plan.create",),
    "pathways.targetjob": ("plan.create",),
    # An exit closes the goals still open.
    "pathways.plangoal": ("plan.create", "exit.record", "exit.correct", "exit.undo"),
    "pathways.planstep": ("plan.create",),
    "pathways.meeting": ("meeting.create",),
    "pathways.supportaction": ("support_action.create", "support_action.update"),
    "pathways.restrictedshare": ("restricted.share", "restricted.unshare"),
    # Documents also come with a signed agreement's scan and a competency's proof file.
    "pathways.document": (
        "document.create",
        "agreement.scan_upload",
        "competencies.assessment",
        "competencies.correction",
        "competencies.evidence",
    ),
    # competencies
    "competencies.assessment": (
        "competencies.positioning",
        "competencies.assessment",
        "competencies.correction",
        "companies.review_to_assessment",
    ),
    # The stored levels are rewritten with the assessment row that changes them, in its
    # transaction (competencies.stored_levels): the row's event covers them.
    "competencies.levelspan": (
        "competencies.positioning",
        "competencies.assessment",
        "competencies.correction",
        "companies.review_to_assessment",
    ),
    "competencies.evidence": (
        "competencies.assessment",
        "competencies.correction",
        "competencies.evidence",
        "companies.review_to_assessment",
    ),
    "competencies.certification": (
        "competencies.certification_create",
        "competencies.certification_update",
    ),
    "competencies.attestation": ("attestation.issue", "attestation.revoke", "attestation.reissue"),
    # schedule
    "schedule.attendancemark": (
        "attendance.mark_session",
        "attendance.mark_day",
        "attendance.correct",
        "attendance.company_days",
        "attendance.company_days_clear",
        "exit.record",
        "exit.undo",
    ),
    "schedule.sessiontrainee": (
        "session.create",
        "session.create_series",
        "session.trainees",
        "exit.record",
    ),
    "schedule.calendarfeed": ("calendar_feed.create", "calendar_feed.revoke"),
    # companies
    "companies.internship": (
        "internship.create",
        "internship.update",
        "internship.cancel",
        "agreement.scan_upload",
        "exit.record",
    ),
    "companies.internshipgoal": ("internship.goals",),
    "companies.agreementsignature": (
        "agreement.signature_create",
        "agreement.signature_delete",
        "agreement.signatures_reset",
    ),
    "companies.tutorlink": (
        "companies.tutor_link_sent",
        "companies.tutor_link_revoked",
        "companies.tutor_link_reminder",
        "companies.review_submitted",
        "companies.review_recorded",
    ),
    "companies.tutorreview": (
        "companies.review_submitted",
        "companies.review_recorded",
        "companies.review_updated",
    ),
    "companies.reviewcompetency": (
        "companies.review_submitted",
        "companies.review_recorded",
        "companies.review_updated",
        "companies.review_to_assessment",
    ),
    "companies.hire": ("hire.create", "hire.update", "hire.delete"),
    # outcomes
    # A hire deleted leaves the exit it fed without its link (SET_NULL).
    "outcomes.exit": ("exit.record", "exit.correct", "exit.undo", "hire.delete"),
    "outcomes.exitfollowup": (
        "exit.follow_ups_due",
        "exit_follow_up.record",
        "exit_follow_up.correct",
        "exit.undo",
    ),
}

#: The anonymisation (``parcours daily``, ``parcours.privacy.services.anonymise_person``)
#: rewrites or deletes, in one transaction per person, the rows of every model of the
#: inventory of personal data — which lists every model above (``tests/privacy`` proves it) —
#: under one event by the system.
ANONYMISE = "person.anonymise"
AUDITED = {label: (*actions, ANONYMISE) for label, actions in AUDITED.items()}

#: The spreadsheet import (``parcours.imports.services.import_enrolments``) writes, in one
#: transaction, its summary event first, then the per-record events the web writes
#: (``enrolment.create``, ``exit.record``) in bulk: the summary covers every table it writes.
IMPORT = "import.enrolments"
IMPORTED = (
    "people.person",
    "intake.referral",
    "pathways.enrolment",
    "pathways.entrysituation",
    "pathways.enrolmentfundingline",
    "pathways.enrolmentphase",
    "pathways.plangoal",
    "schedule.attendancemark",
    "schedule.sessiontrainee",
    "outcomes.exit",
)
AUDITED = {
    label: (*actions, IMPORT) if label in IMPORTED else actions
    for label, actions in AUDITED.items()
}

#: model label → why its writes carry no event of their own.
NOT_AUDITED: dict[str, str] = {}


def _links(model: type[models.Model]) -> list[str]:
    return [
        field.related_model._meta.label_lower
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
        and field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.related_model is not None
    ]


def personal_models() -> set[str]:
    """Every concrete model with a foreign-key path to a person or an enrolment (roots too)."""
    concrete = [
        model
        for model in apps.get_models()
        if not model._meta.abstract and not model._meta.proxy and model._meta.managed
    ]
    reached = set(ROOTS)
    grew = True
    while grew:
        grew = False
        for model in concrete:
            label = model._meta.label_lower
            if label not in reached and any(link in reached for link in _links(model)):
                reached.add(label)
                grew = True
    return reached - {"audit.auditevent"}


def table_models() -> dict[str, str]:
    """db table → model label, for every personal-data model."""
    wanted = personal_models()
    return {
        model._meta.db_table: model._meta.label_lower
        for model in apps.get_models()
        if model._meta.label_lower in wanted
    }
