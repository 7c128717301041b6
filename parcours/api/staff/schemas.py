"""JSON shapes of the staff endpoints (people, enrolments, exits, attendance).

Outputs carry ids and reference codes, never restricted content (health support, confidential
meeting summaries, documents). Inputs are typed for the OpenAPI document; the business rules
are checked again by the web's forms and services, whose French messages come back as 422.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Field, Path, Schema

from parcours.api.pagination import DateRange

#: Ids are positive and fit the database's integer (a larger one is refused, never a 500).
ID_MAX = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=ID_MAX)]


def PathId() -> Any:
    """An object id in the path: positive, within the database's integer."""
    return Path(..., ge=1, le=ID_MAX)


#: No NUL character in any text (PostgreSQL refuses them in text columns).
NO_NUL = r"^[^\x00]*$"


def Text(default: Any = ..., *, max_length: int, description: str | None = None) -> Any:
    """A text field of the input: bounded, without NUL."""
    return Field(default, max_length=max_length, pattern=NO_NUL, description=description)


# ------------------------------------------------------------------------------ shared


class Ref(Schema):
    """Another record, by id and name."""

    id: int
    name: str


# ------------------------------------------------------------------------------ people


class PersonSummaryOut(Schema):
    """A person in a list: no e-mail or phone (the list is not a way to copy the school's
    contacts in bulk; read one person for them, as on the web)."""

    id: int
    last_name: str
    first_name: str
    birth_date: datetime.date
    gender: str = Field(description="F ou M.")
    postcode: str
    commune: str
    anonymised: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_anonymised(person) -> bool:
        return person.anonymised_at is not None


class PersonOut(PersonSummaryOut):
    email: str
    phone: str = Field(description="Format international E.164 (+33…), vide si aucun.")


class PersonFilters(DateRange):
    """``date_from`` / ``date_to``: the day the person was recorded (``created_at``)."""

    q: str | None = Text(None, max_length=100, description="Nom ou prénom (tous les mots).")


class CandidacyIn(Schema):
    """A referral recorded by the intake team (phone, mail) or a spontaneous application: the
    web's « Enregistrer une candidature » form. Creates the person unless ``person`` names one
    of the look-alikes the school already knows."""

    person: Id | None = Field(
        None, description="Une personne déjà connue, parmi les ressemblances proposées (409)."
    )
    new_person: bool = Field(
        False, description="true : ce n'est aucune des personnes proposées, en créer une."
    )
    channel: str = Text(max_length=20, description="phone, mail ou spontaneous.")
    received_on: datetime.date
    prescriber: Id | None = Field(None, description="Le partenaire prescripteur (sauf spontanée).")
    adviser: Id | None = Field(None, description="Un compte prescripteur de ce partenaire.")
    last_name: str = Text(max_length=100)
    first_name: str = Text(max_length=100)
    birth_date: datetime.date
    gender: str = Text(max_length=1, description="F ou M.")
    email: str = Text("", max_length=254)
    phone: str = Text("", max_length=30, description="Un téléphone ou un e-mail au moins.")
    job_seeker_status: str = Text(
        max_length=20, description="registered, not_registered ou inactive."
    )
    left_school_on: datetime.date
    in_employment_or_training: bool = False
    qpv_code: str = Text("", max_length=10)
    reason: str = Text("", max_length=2000)
    funding_line: Id | None = None


class CandidacyOut(Schema):
    id: int
    person: PersonOut
    channel: str
    received_on: datetime.date
    stage: str


class LookAlikeOut(Schema):
    id: int
    last_name: str
    first_name: str
    birth_date: datetime.date


class LookAlikesOut(Schema):
    detail: str
    people: list[LookAlikeOut]


# ------------------------------------------------------------------------------ enrolments


class PersonRef(Schema):
    id: int
    last_name: str
    first_name: str


class PhaseStepOut(Schema):
    phase: Ref
    started_on: datetime.date
    ended_on: datetime.date | None


class EnrolmentOut(Schema):
    id: int
    person: PersonRef
    site: Ref
    referent: Ref | None
    entry_date: datetime.date
    planned_end_date: datetime.date
    status: str = Field(description="active (en parcours) ou exited (sorti·e).")
    ended_on: datetime.date | None
    current_phase: Ref | None
    funding_lines: list[str] = Field(description="Codes des dispositifs.")
    overdue: bool = Field(description="En parcours après la fin prévue.")

    # ``enrolment`` comes from ``pathways.selectors_lists.trainee_list`` (current phase
    # annotated, funding lines prefetched as ``funding``): no query per row.

    @staticmethod
    def resolve_referent(enrolment) -> dict | None:
        referent = enrolment.referent
        if referent is None:
            return None
        return {"id": referent.pk, "name": referent.user.get_full_name() or referent.user.email}

    @staticmethod
    def resolve_current_phase(enrolment) -> dict | None:
        if enrolment.current_phase_id is None:
            return None
        return {"id": enrolment.current_phase_id, "name": enrolment.current_phase_name}

    @staticmethod
    def resolve_funding_lines(enrolment) -> list[str]:
        return [line.code for line in enrolment.funding]

    @staticmethod
    def resolve_overdue(enrolment) -> bool:
        from parcours.pathways.selectors import is_overdue

        return is_overdue(enrolment)


class EnrolmentDetailOut(EnrolmentOut):
    phases: list[PhaseStepOut] = Field(description="Les phases du parcours, de la première.")
    exit_id: int | None = Field(description="La sortie, si le parcours est clos.")

    # The endpoint sets ``phase_steps`` and ``exit_pk`` on the enrolment it read.

    @staticmethod
    def resolve_phases(enrolment) -> list:
        return enrolment.phase_steps

    @staticmethod
    def resolve_exit_id(enrolment) -> int | None:
        return enrolment.exit_pk


class EnrolmentFilters(DateRange):
    """``date_from`` / ``date_to``: the entry date. The others are the trainee list's."""

    q: str | None = Text(None, max_length=100, description="Nom ou prénom.")
    status: str | None = Text(
        None, max_length=10, description="active (par défaut), exited, ou tous."
    )
    site: Id | None = None
    referent: str | None = Text(
        None, max_length=20, description="Id d'un membre référent, ou « aucun »."
    )
    phase: Id | None = None
    funding_line: str | None = Text(None, max_length=50, description="Code du dispositif.")
    overdue: bool | None = Field(None, description="En retard seulement.")


class PhaseMoveIn(Schema):
    phase: Id = Field(description="Id de la phase (de l'école).")
    on: datetime.date = Field(description="Date du changement.")
    comment: str = Text("", max_length=500)
    backwards_reason: str = Text(
        "", max_length=500, description="Obligatoire pour revenir à une phase précédente."
    )


class ReferentIn(Schema):
    referent: Id | None = Field(
        description="Id du membre référent (actif, de l'école), ou null : aucun référent."
    )


# ------------------------------------------------------------------------------ exits


class ExitOut(Schema):
    id: int
    enrolment: int
    person: PersonRef
    site: Ref
    exit_date: datetime.date
    destination: str
    months: int | None
    days: int
    organisation: str
    dropout_reason: str
    recorded_at: datetime.datetime
    corrected_at: datetime.datetime | None

    @staticmethod
    def resolve_enrolment(exit_) -> int:
        return exit_.enrolment_id

    @staticmethod
    def resolve_person(exit_):
        return exit_.enrolment.person

    @staticmethod
    def resolve_site(exit_):
        return exit_.enrolment.site


class ExitFilters(DateRange):
    """``date_from`` / ``date_to``: the exit date."""

    site: Id | None = None
    group: str | None = Text(
        None, max_length=20, description="emploi, formation, service_civique, sans_solution."
    )


class ExitIn(Schema):
    exit_date: datetime.date
    destination: str = Text(max_length=30, description="Code de la destination (ex. cdd).")
    months: int | None = Field(None, description="Durée en mois, selon la destination.")
    days: int | None = Field(0, description="Jours au-delà des mois entiers (0 à 30).")
    organisation: str = Text("", max_length=200)
    dropout_reason: str = Text("", max_length=30, description="Seulement pour un abandon.")
    comment: str = Text("", max_length=2000)


class ExitCorrectionIn(ExitIn):
    reason: str = Text(
        max_length=30, description="entry_error, late_information, contract_changed ou other."
    )


class ExitUndoIn(Schema):
    reason: str = Text(max_length=30, description="mistake, wrong_trainee, continues ou other.")


# ------------------------------------------------------------------------------ attendance


class MarkOut(Schema):
    id: int
    enrolment: int
    day: datetime.date
    half: str = Field(description="am (matin) ou pm (après-midi).")
    status: str
    reason: str
    session: int | None

    @staticmethod
    def resolve_enrolment(mark) -> int:
        return mark.enrolment_id

    @staticmethod
    def resolve_session(mark) -> int | None:
        return mark.session_id


class MarkFilters(DateRange):
    """``date_from`` / ``date_to``: the day of the mark."""

    enrolment: Id | None = None
    site: Id | None = None


class MarkIn(Schema):
    enrolment: Id
    status: str = Text(
        max_length=10, description="present, late, excused, unexcused, company ou holiday."
    )
    reason: str = Text("", max_length=12, description="Motif, seulement pour excused.")


class SheetIn(Schema):
    """A sheet: a session (``session``), or a site's half-day (``site``, ``day``, ``half``)."""

    session: Id | None = None
    site: Id | None = None
    day: datetime.date | None = None
    half: str | None = Text(None, max_length=2, description="am ou pm (feuille du jour).")
    marks: list[MarkIn] = Field(default_factory=list, max_length=500)
    correction_reason: str = Text(
        "",
        max_length=30,
        description="Obligatoire pour changer un émargement passé : document, entry_error, "
        "late_information, other.",
    )


class SheetOut(Schema):
    marks: list[MarkOut]
