"""The inventory of personal data: every model that holds data about a young person.

One ``Holding`` per model says how to reach the person from a row (an ORM lookup to the
``Person`` id), what a subject access export shows it under, and what the anonymisation does
with it: which fields are erased (``erase``: emptied, or the "[effacé]" marker where text
was; ``marked``: always the marker), which dates are reduced to their year
(``to_year``), which uploaded files are deleted from storage (``files``), which tokens are
replaced so that old links stop working (``tokens``), and which fields are kept because the
figures of past years read them (``keep``). ``delete_rows`` removes the rows entirely.

``NOT_PERSONAL`` lists the models that reach a person or an enrolment through a foreign key
but hold nothing about the person (with the reason); ``tests/privacy/test_inventory.py``
fails when a model with such a path is in neither list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Holding:
    model: str  # "pathways.Meeting"
    person_path: str  # ORM lookup to the Person id, e.g. "enrolment__person"
    label: str  # French section title (subject access export)
    erase: tuple[str, ...] = ()  # blanked ("" / None / empty JSON) at anonymisation
    files: tuple[str, ...] = ()  # FileFields whose file is deleted from storage
    keep: tuple[str, ...] = ()  # fields the figures read (kept as they are)
    delete_rows: bool = False  # rows removed entirely at anonymisation
    to_year: tuple[str, ...] = ()  # dates reduced to 1 January of their year
    tokens: tuple[str, ...] = ()  # secret tokens replaced (old links stop working)
    marked: tuple[str, ...] = ()  # set to the "[effacé]" marker whatever they held

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def queryset_for(self, person_ids) -> QuerySet:
        """Rows of this holding for one person id or an iterable of ids."""
        manager = self.model_class._base_manager
        if isinstance(person_ids, int):
            return manager.filter(**{self.person_path: person_ids})
        return manager.filter(**{f"{self.person_path}__in": list(person_ids)})


HOLDINGS: tuple[Holding, ...] = (
    # --- people
    Holding(
        model="people.Person",
        person_path="pk",
        label="Identité et coordonnées",
        # first and last names get a placeholder (see services.anonymise_person)
        erase=("email", "phone", "address"),
        to_year=("birth_date",),
        keep=(
            "gender",
            "postcode",
            "commune",
            "needs_step_free",
            "created_at",
            "school",
            "anonymised_at",
            "came_of_age_on",  # written by the anonymisation when the statements need it
        ),
    ),
    Holding(
        model="people.LegalGuardian",
        person_path="person",
        label="Représentants légaux",
        delete_rows=True,
    ),
    Holding(
        model="people.SubjectRequest",
        person_path="person",
        label="Demandes de la personne sur ses données",
        erase=("details", "answer"),
        keep=("kind", "received_on", "channel", "due_on", "answered_on", "outcome"),
    ),
    Holding(
        model="people.PrivacyNotice",
        person_path="person",
        label="Notices d'information remises",
        erase=("guardian",),  # the guardian's row is deleted (SET_NULL)
        keep=("given_to", "given_on", "medium", "version"),
    ),
    # --- intake
    Holding(
        model="intake.Referral",
        person_path="person",
        label="Orientations (candidatures)",
        erase=("reason",),
        keep=(
            "prescriber",
            "channel",
            "received_on",
            "funding_line",
            "job_seeker_status",
            "left_school_on",
            "in_employment_or_training",
            "qpv_code",
            "stage",
            "outcome",
        ),
    ),
    Holding(
        model="intake.Interview",
        person_path="referral__person",
        label="Entretiens d'accueil",
        erase=("notes",),
        keep=("held_at", "interviewer"),
    ),
    Holding(
        model="intake.Decision",
        person_path="referral__person",
        label="Décisions d'admission",
        erase=("reason", "override_reason", "eligibility"),
        keep=("outcome", "decided_on", "planned_entry_date", "site", "rules"),
    ),
    Holding(
        model="intake.Registration",
        person_path="referral__person",
        label="Inscriptions aux informations collectives",
        erase=("first_name", "last_name", "email", "prescriber_name"),
        marked=("phone",),  # a registration keeps a (dummy) contact: registration_has_contact
        tokens=("token",),
        keep=("session", "status", "attended", "from_public_agenda"),
    ),
    # --- pathways
    Holding(
        model="pathways.Enrolment",
        person_path="person",
        label="Parcours",
        keep=(
            "site",
            "referent",
            "entry_date",
            "planned_end_date",
            "status",
            "ended_on",
            "age_at_entry",  # written by the anonymisation
        ),
    ),
    Holding(
        model="pathways.EnrolmentFundingLine",
        person_path="enrolment__person",
        label="Financements du parcours",
        keep=("funding_line",),
    ),
    Holding(
        model="pathways.EntrySituation",
        person_path="enrolment__person",
        label="Situation à l'entrée",
        erase=("address",),
        to_year=("birth_date",),
        keep=(
            "age_at_entry",  # written by the anonymisation
            "gender",
            "postcode",
            "commune",
            "qpv_code",
            "qpv_checked_on",
            "diploma_level",
            "left_school_on",
            "job_seeker_status",
            "rqth",
            "receives_rsa",
            "driving_licence",
            "jobless_household",
            "single_parent",
            "homeless",
            "foreign_origin",
        ),
    ),
    Holding(
        model="pathways.EnrolmentPhase",
        person_path="enrolment__person",
        label="Phases du parcours",
        erase=("comment", "backwards_reason"),
        keep=("phase", "started_on", "ended_on"),
    ),
    Holding(
        model="pathways.ReferentChange",
        person_path="enrolment__person",
        label="Changements de référent",
        keep=("previous", "new", "changed_at"),
    ),
    Holding(
        model="pathways.Plan",
        person_path="enrolment__person",
        label="Plans individuels",
        erase=("project", "review_note"),
        keep=("version", "created_at"),
    ),
    Holding(
        model="pathways.TargetJob",
        person_path="plan__enrolment__person",
        label="Métiers visés",
        keep=("title", "rome_code"),
    ),
    Holding(
        model="pathways.PlanGoal",
        person_path="plan__enrolment__person",
        label="Objectifs du plan",
        erase=("title",),
        keep=("due_on", "status"),
    ),
    Holding(
        model="pathways.PlanStep",
        person_path="plan__enrolment__person",
        label="Étapes du plan",
        erase=("description",),
        keep=("agreed_on",),
    ),
    Holding(
        model="pathways.Meeting",
        person_path="enrolment__person",
        label="Entretiens de suivi",
        erase=("participants", "summary", "next_steps"),
        keep=("held_on", "kind", "confidential"),
    ),
    Holding(
        model="pathways.SupportAction",
        person_path="enrolment__person",
        label="Accompagnement social",
        erase=("description", "partner_organisation", "outcome"),
        keep=("domain", "opened_on", "closed_on", "hours"),
    ),
    Holding(
        model="pathways.RestrictedShare",
        person_path="enrolment__person",
        label="Partages des contenus restreints",
        delete_rows=True,
    ),
    Holding(
        model="pathways.Document",
        person_path="enrolment__person",
        label="Documents",
        # rows are kept (evidence and agreement scans point at them), the files go
        erase=("title", "original_name"),
        files=("file",),
        keep=("kind", "document_date", "uploaded_at"),
    ),
    # --- competencies
    Holding(
        model="competencies.Assessment",
        person_path="enrolment__person",
        label="Positionnements et évaluations",
        erase=("correction_reason",),
        keep=("competency", "kind", "level", "assessed_on", "context", "corrects"),
    ),
    Holding(
        model="competencies.Evidence",
        person_path="assessment__enrolment__person",
        label="Preuves",
        erase=("note", "url"),
        keep=("kind", "document"),
    ),
    Holding(
        model="competencies.Attestation",
        person_path="enrolment__person",
        label="Attestations de compétences",
        erase=("content", "revocation_reason"),
        tokens=("token",),
        keep=("number", "issued_on", "framework", "status", "revoked_at"),
    ),
    Holding(
        model="competencies.Certification",
        person_path="enrolment__person",
        label="Certifications",
        keep=("kind", "label", "status", "on_date", "result"),
    ),
    # --- schedule
    Holding(
        model="schedule.SessionTrainee",
        person_path="enrolment__person",
        label="Inscriptions aux séances",
        keep=("session",),
    ),
    Holding(
        model="schedule.AttendanceMark",
        person_path="enrolment__person",
        label="Présences",
        keep=("day", "half", "status", "reason", "session"),
    ),
    Holding(
        model="schedule.CalendarFeed",
        person_path="enrolment__person",
        label="Calendriers personnels",
        tokens=("token",),
        delete_rows=True,
    ),
    # --- companies
    Holding(
        model="companies.Internship",
        person_path="enrolment__person",
        label="Stages et PMSMP",
        erase=("schedule", "tasks"),
        keep=(
            "kind",
            "company",
            "prescriber",
            "job_title",
            "rome_code",
            "start_date",
            "end_date",
            "weekly_hours",
            "cancelled_at",
            "cancel_reason",
            "agreement_scan",
        ),
    ),
    Holding(
        model="companies.InternshipGoal",
        person_path="internship__enrolment__person",
        label="Objectifs de stage",
        erase=("description",),
        keep=("competency",),
    ),
    Holding(
        model="companies.AgreementSignature",
        person_path="internship__enrolment__person",
        label="Signatures des conventions",
        # the trainee's own name when they sign; the role and date stay
        erase=("signer_name",),
        keep=("role", "signed_on"),
    ),
    Holding(
        model="companies.TutorReview",
        person_path="internship__enrolment__person",
        label="Bilans de stage",
        erase=("tasks_mastered", "comments", "reviewer_name"),
        keep=("punctuality", "attitude", "would_hire", "source", "submitted_at"),
    ),
    Holding(
        model="companies.ReviewCompetency",
        person_path="review__internship__enrolment__person",
        label="Compétences observées en stage",
        keep=("competency", "level", "assessment"),
    ),
    Holding(
        model="companies.TutorLink",
        person_path="internship__enrolment__person",
        label="Liens de bilan envoyés aux tuteurs",
        tokens=("token_hash",),
        delete_rows=True,
    ),
    Holding(
        model="companies.Hire",
        person_path="enrolment__person",
        label="Embauches",
        keep=("company", "internship", "contract_type", "months", "job_title", "start_date"),
    ),
    # --- outcomes
    Holding(
        model="outcomes.Exit",
        person_path="enrolment__person",
        label="Sortie",
        erase=("comment", "organisation"),
        keep=(
            "exit_date",
            "destination",
            "months",
            "days",
            "hire",
            "dropout_reason",
            "corrected_at",
        ),
    ),
    Holding(
        model="outcomes.ExitFollowUp",
        person_path="exit__enrolment__person",
        label="Suivis après la sortie",
        erase=("comment", "organisation"),
        keep=(
            "wave",
            "due_on",
            "status",
            "notified_at",
            "contacted_on",
            "situation",
            "months",
            "days",
        ),
    ),
)

HOLDINGS += (
    # --- privacy: holds lifted before the anonymisation (an active hold prevents it)
    Holding(
        model="privacy.LegalHold",
        person_path="person",
        label="Conservations pour motif légal",
        erase=("reason",),
        keep=("placed_at", "lifted_at"),
    ),
)

# Models that reach a person or an enrolment through a foreign key but hold nothing about
# the young person, with the reason. The inventory test fails on a model in neither list.
NOT_PERSONAL: dict[str, str] = {
    "audit.AuditEvent": (
        "names records by kind and id only, never a person's name or free text; "
        "append-only proof of who did what"
    ),
    "schedule.Session": "a workshop session; its trainees are in schedule.SessionTrainee",
    "competencies.LevelSpan": (
        "the levels derived from competencies.Assessment (kept: competency, level, day), "
        "stored for the reports and recomputed from those rows: nothing of its own (if "
        "Assessment's holding ever changes, recompute the spans with it)"
    ),
}


#: Models that hold personal data about many people at once, with no link to a ``Person`` row
#: (the anonymisation cannot reach them person by person): what is kept, and for how long.
TRANSIENT: dict[str, str] = {
    "imports.ImportJob": (
        "the uploaded spreadsheet of an import (identity, contact, pathway of many people): the "
        "file is deleted as soon as the job ends (imported, refused, failed, abandoned), a "
        "checked file not confirmed within 24 hours and the file of an interrupted job are "
        "deleted by `parcours daily` (imports.services_jobs.purge_import_files); the report "
        "keeps the counts, and its problems (which may quote the file's values) are cleared "
        "30 days after the end"
    ),
}


def holding(model: str) -> Holding:
    for h in HOLDINGS:
        if h.model == model:
            return h
    raise KeyError(model)


def holdings_for_person(person) -> Iterator[tuple[Holding, QuerySet]]:
    """Every holding with the queryset of the rows about ``person`` (a Person or its id)."""
    person_id = person if isinstance(person, int) else person.pk
    for h in HOLDINGS:
        yield h, h.queryset_for(person_id).order_by("pk")
