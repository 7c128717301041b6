"""Grows the test world (tests/conftest.py ``world``) with more rows of every kind that the
project's pages read: used by tests/test_query_budgets.py to check that a page's query count
does not change when the rows it lists or aggregates grow.

``grow(world, batch)`` adds one batch of rows per area of the world's school; ``batch`` (1, 2,
…) keeps names, dates and unique keys distinct between batches. The rows are written the way
the area world builders (tests/<area>/world.py) write theirs: factories and plain creates, so
that the audit trail grows only where ``grow_audit`` adds to it. Both the lists (more trainees,
companies, sessions…) and the detail pages (more meetings, marks, assessments… of the world's
own enrolment, more contacts and internships of its company…) get more rows.

One function per area, listed in ``GROWERS``: a new area adds its own.
"""

from __future__ import annotations

import datetime
import hashlib

from django.utils import timezone

from parcours.api.models import PREFIX_LENGTH, ApiToken
from parcours.api.services import hash_secret, new_secret
from parcours.audit.models import AuditEvent
from parcours.companies.models import (
    AgreementSignature,
    Company,
    CompanyEvent,
    Contact,
    Hire,
    Internship,
    InternshipGoal,
    ReviewCompetency,
    TutorLink,
    TutorReview,
)
from parcours.competencies.loading import create_framework_rows, default_framework_data
from parcours.competencies.models import (
    Area,
    Assessment,
    Attestation,
    Certification,
    Competency,
    Evidence,
    LevelDescriptor,
)
from parcours.imports.models import ImportJob, ImportStatus
from parcours.intake.models import Outcome, Stage
from parcours.outcomes.models import Exit, ExitFollowUp, OutcomeDefinition
from parcours.pathways.models import (
    Document,
    EnrolmentPhase,
    EnrolmentStatus,
    Meeting,
    PhaseDefinition,
    Plan,
    PlanGoal,
    SupportAction,
)
from parcours.people.models import LegalGuardian, PrivacyNotice, SubjectRequest
from parcours.privacy.models import LegalHold, RetentionRun
from parcours.schedule.models import AttendanceMark, Session, SessionTrainee, WorkshopType

from .competencies.world import MODELS
from .factories import (
    DecisionFactory,
    EnrolmentFactory,
    EntrySituationFactory,
    FundingAgreementFactory,
    InterviewFactory,
    MembershipFactory,
    PartnerFactory,
    PersonFactory,
    ReferralFactory,
    RegistrationFactory,
    RoomFactory,
    SchoolFactory,
    SiteFactory,
    UserFactory,
)

#: Trainees added per batch (each with their referral, phases, marks, assessments…).
TRAINEES = 2
SESSION_DAY = datetime.date(2024, 3, 4)  # the world's session (tests/schedule/world.py)


def _day(batch: int, offset: int = 0) -> datetime.date:
    """A weekday of the world enrolment's pathway (Feb.–Aug. 2024), distinct per batch."""
    day = datetime.date(2024, 3, 11) + datetime.timedelta(weeks=batch, days=offset % 5)
    return day


def _author(world):
    return world.members["referent"]


# ---------------------------------------------------------------- organisations and staff


def grow_organisations(world, batch: int) -> None:
    school = world.school
    # Named after "Site Alpha": the world's site stays the pages' default (the first by name).
    site = SiteFactory(school=school, name=f"Site Zone {batch}")
    RoomFactory(site=site, name=f"Salle {batch}")
    RoomFactory(site=world.site, name=f"Salle {batch} croissance")
    prescriber = PartnerFactory(school=school, name=f"Mission Locale {batch} croissance")
    funder = PartnerFactory(school=school, funder=True, name=f"Département {batch} croissance")
    FundingAgreementFactory(school=school, funder=funder, year=2024, purpose=f"Action {batch}")
    FundingAgreementFactory(
        school=school, funder=world.funder_partner, year=2023 - batch, purpose=f"Appel {batch}"
    )
    for role in ("referent", "intake", "company_relations"):
        MembershipFactory(
            school=school,
            role=role,
            user=UserFactory(email=f"{role}{batch}@alpha-croissance.example.org"),
        )
    ImportJob.objects.create(
        school=school,
        created_by=world.members["director"].user,
        original_name=f"reprise-{batch}.csv",
        status=ImportStatus.CHECKED,
        checked_at=timezone.now(),
        report={"rows": 0, "problems": [], "problem_count": 0},
    )
    # The network grows too: one more school with a trainee who exited (network figures).
    other = SchoolFactory(network=school.network, slug=f"e2c-croissance-{batch}")
    other_site = SiteFactory(school=other, name="Site principal")
    person = PersonFactory(school=other, last_name=f"Reseau{batch}")
    enrolment = EnrolmentFactory(
        school=other,
        person=person,
        site=other_site,
        entry_date=datetime.date(2024, 1, 8),
        planned_end_date=datetime.date(2024, 7, 8),
        status=EnrolmentStatus.EXITED,
        ended_on=datetime.date(2024, 5, 31),
    )
    EntrySituationFactory(enrolment=enrolment, school=other)
    Exit.objects.create(
        school=other, enrolment=enrolment, exit_date=datetime.date(2024, 5, 31), destination="cdi"
    )
    MembershipFactory(
        school=school,
        role="prescriber",
        partner=prescriber,
        user=UserFactory(email=f"prescripteur{batch}@alpha-croissance.example.org"),
    )


# ------------------------------------------------------------------------------- intake


def grow_intake(world, batch: int) -> None:
    school = world.school
    intake = world.members["intake"]
    for index in range(3):
        person = PersonFactory(school=school, last_name=f"Candidat{batch}x{index}")
        referral = ReferralFactory(
            school=school,
            person=person,
            prescriber=world.prescriber_partner,
            adviser=world.members["prescriber"],
            received_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=batch * 3 + index),
        )
        InterviewFactory(
            referral=referral, school=school, interviewer=intake, created_by=intake.user
        )
        if index == 1:
            DecisionFactory(
                referral=referral, school=school, site=world.site, decided_by=intake.user
            )
            referral.stage, referral.outcome = Stage.DECISION, Outcome.ADMITTED
            referral.save()
        for session in (world.objects["info_session"], world.objects["past_info_session"]):
            RegistrationFactory(session=session, school=school, referral=referral)
        RegistrationFactory(session=world.objects["info_session"], school=school)
    InterviewFactory(
        referral=world.objects["referral"],
        school=school,
        interviewer=intake,
        created_by=intake.user,
        notes=f"Entretien complémentaire {batch}.",
    )


# ------------------------------------------------------------------ trainees and pathways


def _new_trainee(world, batch: int, index: int):
    school = world.school
    referent = world.members["referent"]
    person = PersonFactory(school=school, last_name=f"Stagiaire{batch}x{index}")
    ReferralFactory(
        school=school,
        person=person,
        prescriber=world.prescriber_partner,
        stage=Stage.DECISION,
        outcome=Outcome.ADMITTED,
    )
    enrolment = EnrolmentFactory(
        school=school,
        person=person,
        site=world.site,
        referent=referent,
        entry_date=datetime.date(2024, 2, 5),
        planned_end_date=datetime.date(2024, 8, 5),
    )
    EntrySituationFactory(enrolment=enrolment, school=school)
    phases = list(PhaseDefinition.objects.filter(school=school).order_by("position")[:2])
    EnrolmentPhase.objects.create(
        school=school,
        enrolment=enrolment,
        phase=phases[0],
        started_on=enrolment.entry_date,
        ended_on=datetime.date(2024, 3, 4),
    )
    EnrolmentPhase.objects.create(
        school=school, enrolment=enrolment, phase=phases[1], started_on=datetime.date(2024, 3, 4)
    )
    return enrolment


def _follow_up(world, enrolment, batch: int) -> None:
    """Meetings, support actions, a document and a plan goal of ``enrolment``."""
    school, author = world.school, _author(world).user
    Meeting.objects.create(
        school=school,
        enrolment=enrolment,
        held_on=_day(batch),
        kind="follow_up",
        summary=f"Point d'étape {batch}.",
        author=author,
    )
    Meeting.objects.create(
        school=school,
        enrolment=enrolment,
        held_on=_day(batch, 1),
        kind="follow_up",
        summary=f"Entretien confidentiel {batch}.",
        confidential=True,
        author=author,
    )
    for domain in ("mobility", "health", "housing"):
        SupportAction.objects.create(
            school=school,
            enrolment=enrolment,
            domain=domain,
            description=f"Action {domain} {batch}.",
            opened_on=_day(batch, 2),
            author=author,
        )
    for kind in ("cv", "health"):
        document = Document(
            school=school,
            enrolment=enrolment,
            kind=kind,
            title=f"Document {kind} {batch}",
            original_name="piece.pdf",
            content_type="application/pdf",
            size=10,
            uploaded_by=author,
        )
        document.file.name = f"documents/croissance-{enrolment.pk}-{kind}-{batch}.pdf"
        document.save()
    plan = Plan.objects.filter(enrolment=enrolment).order_by("-version").first()
    if plan is not None:
        PlanGoal.objects.create(plan=plan, title=f"Objectif {batch}", due_on=_day(batch))


def grow_pathways(world, batch: int) -> None:
    enrolments = [_new_trainee(world, batch, index) for index in range(TRAINEES)]
    for enrolment in [world.objects["enrolment"], *enrolments]:
        _follow_up(world, enrolment, batch)
    world.__dict__.setdefault("grown_enrolments", []).extend(enrolments)


# ---------------------------------------------------------------------------- competencies


def grow_competencies(world, batch: int) -> None:
    school, assessor = world.school, _author(world)
    # One more framework of the school (the frameworks list), a copy of the shipped one.
    create_framework_rows(
        default_framework_data(),
        models=MODELS,
        school=school,
        family=f"croissance-{batch}",
        name=f"Référentiel croissance {batch}",
        version=1,
        status="draft",
    )
    # The school's draft framework (its page, its exports): one more area of two competencies.
    draft = world.objects["framework"]
    area = Area.objects.create(
        framework=draft, code=f"X{batch}", title=f"Domaine {batch}", position=100 + batch
    )
    for index in range(2):
        added = Competency.objects.create(
            framework=draft,
            area=area,
            code=f"X{batch}{index}",
            title=f"Compétence {batch}.{index}",
            position=index,
        )
        for value in (1, 2, 3):
            LevelDescriptor.objects.create(
                competency=added, value=value, description=f"Observé au niveau {value}."
            )
    shared = world.objects["default_framework"]
    competencies = list(Competency.objects.filter(framework=shared).order_by("pk")[:3])
    enrolments = [world.objects["enrolment"], *world.grown_enrolments[-TRAINEES:]]
    for enrolment in enrolments:
        for offset, competency in enumerate(competencies):
            assessment = Assessment.objects.create(
                school=school,
                enrolment=enrolment,
                competency=competency,
                kind="assessment",
                level=1 + (batch + offset) % 3,
                assessed_on=_day(batch, offset),
                assessor=assessor,
                context="workshop",
                recorded_by=assessor.user,
            )
            Evidence.objects.create(
                school=school, assessment=assessment, kind="note", note=f"Observation {batch}."
            )
        Certification.objects.create(
            school=school,
            enrolment=enrolment,
            kind="pix",
            status="obtained",
            on_date=_day(batch),
            result=f"{100 + batch} pix",
            recorded_by=assessor.user,
        )
        if enrolment == world.objects["enrolment"]:
            continue  # one valid attestation per enrolment: the new trainees get theirs
        Attestation.objects.create(
            school=school,
            enrolment=enrolment,
            number=f"ACA-CROISSANCE-{batch}-{enrolment.pk}",
            issued_on=_day(batch),
            issued_by=assessor.user,
            framework=shared,
            content={
                "competencies": [
                    {"code": c.code, "title": c.title, "level": 2} for c in competencies
                ]
            },
        )


# -------------------------------------------------------------------------------- schedule


def grow_schedule(world, batch: int) -> None:
    school, trainer = world.school, _author(world)
    session = world.objects["session"]
    room = RoomFactory(site=world.site, name=f"Salle atelier {batch}")
    enrolments = [world.objects["enrolment"], *world.grown_enrolments[-TRAINEES:]]
    WorkshopType.objects.create(school=school, name=f"Atelier croissance {batch}", position=batch)
    # Sessions of the coming weeks (calendar feeds, this week's timetable), with trainees.
    upcoming = Session.objects.create(
        school=school,
        site=world.site,
        room=room,
        workshop_type=world.objects["workshop_type"],
        day=timezone.localdate() + datetime.timedelta(days=batch),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
        trainer=trainer,
        created_by=trainer.user,
    )
    for enrolment in enrolments:
        SessionTrainee.objects.create(school=school, session=upcoming, enrolment=enrolment)
    Session.objects.create(  # the world's room is busier (its page, the occupancy)
        school=school,
        site=world.site,
        room=world.room,
        workshop_type=world.objects["workshop_type"],
        day=SESSION_DAY + datetime.timedelta(days=batch % 5),
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
        trainer=trainer,
        created_by=trainer.user,
    )
    for enrolment in world.grown_enrolments[-TRAINEES:]:
        SessionTrainee.objects.create(school=school, session=session, enrolment=enrolment)
        AttendanceMark.objects.create(
            school=school,
            enrolment=enrolment,
            day=SESSION_DAY,
            half="am",
            status="present",
            session=session,
            recorded_by=trainer.user,
        )
    # Another session in the same week and in the pathway, with every trainee marked.
    for day in (SESSION_DAY + datetime.timedelta(days=batch % 5), _day(batch)):
        other = Session.objects.create(
            school=school,
            site=world.site,
            room=room,
            workshop_type=world.objects["workshop_type"],
            day=day,
            start_time=datetime.time(13, 30),
            end_time=datetime.time(16, 30),
            trainer=trainer,
            created_by=trainer.user,
        )
        for enrolment in enrolments:
            SessionTrainee.objects.create(school=school, session=other, enrolment=enrolment)
            AttendanceMark.objects.get_or_create(
                enrolment=enrolment,
                day=day,
                half="pm",
                defaults={
                    "school": school,
                    "status": "unexcused" if batch % 2 else "late",
                    "session": other,
                    "recorded_by": trainer.user,
                },
            )


# ------------------------------------------------------------------------------- companies


def grow_companies(world, batch: int) -> None:
    school, author = world.school, world.members["company_relations"].user
    company = world.objects["company"]
    competencies = list(
        Competency.objects.filter(framework=world.objects["default_framework"]).order_by("pk")[3:5]
    )
    new_company = Company.objects.create(
        school=school,
        name=f"Entreprise croissance {batch}",
        sector="logistics",
        size="small",
        postcode="63000",
        commune="Clermont-Ferrand",
        created_by=author,
    )
    for target in (company, new_company):
        tutor = Contact.objects.create(
            school=school,
            company=target,
            last_name=f"Contact{batch}",
            first_name="Anne",
            email=f"contact{batch}-{target.pk}@example.org",
            is_tutor=True,
            is_signatory=True,
        )
        CompanyEvent.objects.create(
            school=school,
            company=target,
            kind="visit",
            happened_on=_day(batch),
            contact=tutor,
            summary=f"Visite {batch}.",
            recorded_by=author,
        )
    enrolments = [world.objects["enrolment"], *world.grown_enrolments[-TRAINEES:]]
    for index, enrolment in enumerate(enrolments):
        start = datetime.date(2024, 5, 6) + datetime.timedelta(weeks=2 * batch)
        internship = Internship.objects.create(
            school=school,
            enrolment=enrolment,
            company=company,
            tutor=tutor if index % 2 else world.objects["contact"],
            signatory=world.objects["contact"],
            job_title="Agent logistique",
            rome_code="N1103",
            start_date=start,
            end_date=start + datetime.timedelta(days=4),
            weekly_hours=35,
            schedule="Du lundi au vendredi",
            tasks="Réception.",
            created_by=author,
        )
        for competency in competencies:
            InternshipGoal.objects.create(
                school=school, internship=internship, competency=competency
            )
        for role in ("school", "trainee", "company"):
            AgreementSignature.objects.create(
                school=school,
                internship=internship,
                role=role,
                signer_name=f"Signataire {role}",
                signed_on=start - datetime.timedelta(days=3),
                recorded_by=author,
            )
        review = TutorReview.objects.create(
            school=school,
            internship=internship,
            punctuality=3,
            attitude=4,
            would_hire="yes",
            reviewer_name="Tuteur",
            source="call",
            recorded_by=author,
        )
        for competency in competencies:
            ReviewCompetency.objects.create(
                school=school, review=review, competency=competency, level=2
            )
    # The world's internship (its page, its agreement): more goals and observed competencies.
    extra = Competency.objects.filter(framework=world.objects["default_framework"]).order_by("pk")[
        5 + 2 * batch : 7 + 2 * batch
    ]
    for competency in extra:
        InternshipGoal.objects.create(
            school=school, internship=world.objects["internship"], competency=competency
        )
        ReviewCompetency.objects.create(
            school=school, review=world.objects["tutor_review"], competency=competency, level=3
        )
    # The tutor's private review form (public page): an internship with a usable link, whose
    # goals (the competencies the form asks about) grow.
    if "grown_tutor_token" not in world.objects:
        pending = Internship.objects.create(
            school=school,
            enrolment=world.grown_enrolments[-1],
            company=company,
            tutor=world.objects["contact"],
            signatory=world.objects["contact"],
            job_title="Cariste",
            rome_code="N1101",
            start_date=datetime.date(2024, 7, 1),
            end_date=datetime.date(2024, 7, 5),
            weekly_hours=35,
            created_by=author,
        )
        token = "jeton-tuteur-croissance"
        TutorLink.objects.create(
            school=school,
            internship=pending,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            sent_to="tuteur@example.org",
            created_by=author,
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )
        world.objects.update(grown_tutor_token=token, grown_pending_internship=pending)
    for competency in extra:
        InternshipGoal.objects.create(
            school=school,
            internship=world.objects["grown_pending_internship"],
            competency=competency,
        )
    # A finished internship without a review: the overdue reviews list.
    Internship.objects.create(
        school=school,
        enrolment=world.grown_enrolments[-1],
        company=new_company,
        tutor=tutor,
        signatory=tutor,
        job_title="Vendeur",
        rome_code="D1106",
        start_date=datetime.date(2024, 6, 3) + datetime.timedelta(weeks=batch),
        end_date=datetime.date(2024, 6, 7) + datetime.timedelta(weeks=batch),
        weekly_hours=35,
        created_by=author,
    )
    if world.grown_enrolments:
        Hire.objects.create(
            school=school,
            enrolment=world.grown_enrolments[-1],
            company=company,
            contract_type="cdi",
            job_title="Agent logistique",
            start_date=datetime.date(2024, 9, 2),
            recorded_by=author,
        )


# -------------------------------------------------------------------------------- outcomes


def grow_outcomes(world, batch: int) -> None:
    school, referent = world.school, world.members["referent"]
    OutcomeDefinition.objects.create(
        school=school,
        code=f"sortie-croissance-{batch}",
        version=1,
        name=f"Définition croissance {batch}",
        rules=[{"destinations": ["cdi", "cdd"], "min_months": 6, "strict": False}],
        excluded=[],
        valid_from=datetime.date(2020, 1, 1),
    )
    for index in range(TRAINEES):
        person = PersonFactory(school=school, last_name=f"Sortant{batch}x{index}")
        exit_date = datetime.date(2024, 3, 1) + datetime.timedelta(days=batch * 7 + index)
        enrolment = EnrolmentFactory(
            school=school,
            person=person,
            site=world.site,
            referent=referent,
            entry_date=datetime.date(2023, 10, 2),
            planned_end_date=datetime.date(2024, 4, 2),
            status=EnrolmentStatus.EXITED,
            ended_on=exit_date,
        )
        EntrySituationFactory(enrolment=enrolment, school=school)
        exit_ = Exit.objects.create(
            school=school,
            enrolment=enrolment,
            exit_date=exit_date,
            destination="cdd" if index else "training",
            months=4 if index else None,
            organisation="Transports Dômes",
            recorded_by=referent.user,
        )
        for wave, months in ((3, 3), (6, 6)):
            ExitFollowUp.objects.create(
                school=school,
                exit=exit_,
                wave=wave,
                due_on=exit_date + datetime.timedelta(days=30 * months),
            )


# ------------------------------------------------------------------ people and privacy


def grow_people(world, batch: int) -> None:
    person = world.objects["enrolment"].person
    recorded_by = world.members["director"].user
    for kind in ("access", "rectification"):
        SubjectRequest.objects.create(
            school=world.school,
            person=person,
            kind=kind,
            received_on=_day(batch),
            channel="letter",
            details=f"Demande {batch}.",
            recorded_by=recorded_by,
        )
    guardian = LegalGuardian.objects.create(
        school=world.school,
        person=person,
        relation="father",
        last_name=person.last_name,
        first_name=f"Tuteur{batch}",
    )
    PrivacyNotice.objects.create(
        school=world.school,
        person=person,
        given_to="guardian",
        guardian=guardian,
        given_on=_day(batch),
        medium="hand",
        version=f"Notice v{batch}",
        recorded_by=recorded_by,
    )


def grow_privacy(world, batch: int) -> None:
    director = world.members["director"].user
    for enrolment in world.grown_enrolments[-TRAINEES:]:
        LegalHold.objects.create(
            school=world.school,
            person=enrolment.person,
            reason=f"Contentieux {batch}",
            placed_by=director,
        )
    # A trainee who left long ago: the people due for anonymisation.
    person = PersonFactory(school=world.school, last_name=f"Ancien{batch}")
    EnrolmentFactory(
        school=world.school,
        person=person,
        site=world.site,
        entry_date=datetime.date(2014, 9, 1),
        planned_end_date=datetime.date(2015, 3, 1),
        status=EnrolmentStatus.EXITED,
        ended_on=datetime.date(2015, 3, 1),
    )
    RetentionRun.objects.create(
        school=world.school,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        as_of=datetime.date(2024, 1, 1) + datetime.timedelta(days=batch),
        retention_years=5,
        anonymised=batch,
    )


def grow_api(world, batch: int) -> None:
    for role in ("referent", "director"):
        membership = world.members[role]
        secret = new_secret()
        ApiToken.objects.create(
            membership=membership,
            name=f"Tableur {batch}",
            key_prefix=secret[:PREFIX_LENGTH],
            key_hash=hash_secret(secret),
            created_by=membership.user,
            expires_at=timezone.now() + datetime.timedelta(days=365),
        )


# ----------------------------------------------------------------------------------- audit


def grow_audit(world, batch: int) -> None:
    actors = [world.members[role].user for role in ("director", "referent", "intake")]
    enrolment = world.objects["enrolment"]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            school=world.school,
            actor=actor,
            action=action,
            object_type="enrolment",
            object_id=str(enrolment.pk),
            object_repr=str(enrolment.person),
            changes={"batch": batch},
            created_at=timezone.now(),
        )
        for actor in actors
        for action in ("restricted_read", "phase_move", "export")
    )


GROWERS = [
    grow_organisations,
    grow_intake,
    grow_pathways,
    grow_competencies,
    grow_schedule,
    grow_companies,
    grow_outcomes,
    grow_people,
    grow_privacy,
    grow_api,
    grow_audit,
]


def grow(world, batch: int) -> None:
    for grower in GROWERS:
        grower(world, batch)
