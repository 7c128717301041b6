"""Proof that every write of personal data is audited.

1. Every concrete model with a foreign-key path to a person or an enrolment is in the table of
   ``parcours.audit.coverage`` (a new model fails here until someone decides what audits it).
2. Every audited model is written by at least one driver below: a call of the real service,
   as a request would make it (the client address set as the middleware sets it).
3. For each driver, the SQL it runs says which personal-data tables it wrote (INSERT, UPDATE,
   DELETE, bulk or not); each of them must be covered by a new event whose action is listed
   for that model, naming the actor, the school, a record and the address. A service that
   writes personal data without its event — or a driver that writes nothing — fails.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.audit.context import current_client_address
from parcours.audit.coverage import AUDITED, NOT_AUDITED, personal_models, table_models
from parcours.audit.models import AuditEvent
from parcours.companies import (
    services_agreements,
    services_hires,
    services_internships,
    services_reviews,
)
from parcours.competencies import services as competency_services
from parcours.competencies import services_attestations
from parcours.intake import services as intake_services
from parcours.intake.models import Channel, Outcome
from parcours.outcomes import services_exits, services_follow_ups
from parcours.pathways import services as pathway_services
from parcours.pathways import services_sharing
from parcours.pathways.models import FundingLine
from parcours.people import services_guardians, services_rights
from parcours.privacy import services as privacy_services
from parcours.privacy.inventory import HOLDINGS
from parcours.privacy.models import LegalHold
from parcours.schedule import services_attendance, services_calendar, services_sessions

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.55"
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.I
)


@contextmanager
def _as_request():
    token = current_client_address.set(ADDRESS)
    try:
        yield
    finally:
        current_client_address.reset(token)


@dataclass(frozen=True)
class Driver:
    """``act(world, prepared)`` calls the service(s); ``prepare(world)`` builds what they need
    (not captured). ``who`` is the acting role; ``"public"`` someone without an account (a
    web request: no actor, an address); ``None`` the system (no actor, no address).
    """

    name: str
    covers: tuple[str, ...]
    act: Callable
    prepare: Callable = lambda world: None
    who: str | None = "director"


def _today() -> datetime.date:
    return timezone.localdate()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# ------------------------------------------------------------------------------ intake


def _new_referral(world, who="intake"):
    return intake_services.create_referral(
        membership=world.members[who],
        person_fields={
            "last_name": "Auditée",
            "first_name": "Inès",
            "birth_date": datetime.date(2003, 3, 15),
            "gender": "F",
            "email": "ines.auditee@example.org",
        },
        channel=Channel.SPONTANEOUS,
        received_on=_today() - datetime.timedelta(days=30),
        left_school_on=datetime.date(2020, 6, 30),
        job_seeker_status="registered",
    )


def _admit(world, referral):
    intake_services.decide(
        membership=world.members["director"],
        referral=referral,
        outcome=Outcome.ADMITTED,
        decided_on=_today() - datetime.timedelta(days=10),
        planned_entry_date=_today() - datetime.timedelta(days=5),
        site=world.site,
    )


def _enter(world, referral):
    return intake_services.confirm_entry(
        membership=world.members["intake"],
        referral=referral,
        entry_date=_today() - datetime.timedelta(days=5),
        site=world.site,
        referent=world.members["referent"],
        funding_lines=[FundingLine.objects.get(code="plie")],
        situation={
            "gender": "F",
            "birth_date": datetime.date(2003, 3, 15),
            "postcode": "63000",
            "commune": "Clermont-Ferrand",
            "diploma_level": "none",
            "left_school_on": datetime.date(2020, 6, 30),
            "job_seeker_status": "registered",
            "rqth": "no",
            "receives_rsa": "no",
            "jobless_household": "no",
            "single_parent": "no",
            "homeless": "no",
            "foreign_origin": "declined",
        },
    )


def _prepared_referral(world):
    return _new_referral(world)


def _admitted_referral(world):
    referral = _new_referral(world)
    _admit(world, referral)
    return referral


def _registrations(world, referral):
    registration = intake_services.register_referral(
        membership=world.members["intake"], session=world.objects["info_session"], referral=referral
    )
    intake_services.cancel_registration(
        membership=world.members["intake"], registration=registration
    )


def _public_registration(world, _):
    intake_services.register_public(
        session=world.objects["info_session"],
        first_name="Sami",
        last_name="Public",
        email="sami.public@example.org",
    )


# ------------------------------------------------------------------------------ pathways


def _enrolment(world):
    return world.objects["enrolment"]


def _move_phase(world, _):
    enrolment = _enrolment(world)
    pathway_services.move_phase(
        membership=world.members["director"],
        enrolment=enrolment,
        phase=world.objects["phase"],
        on=_today(),
    )


def _reassign(world, _):
    pathway_services.reassign(
        membership=world.members["director"],
        enrolments=[_enrolment(world)],
        referent=world.members["director"],
    )


def _plan(world, _):
    pathway_services.save_plan_version(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        project="Logistique",
        target_jobs=[{"title": "Cariste", "rome_code": "N1101"}],
        goals=[{"title": "Obtenir le CACES"}],
        steps=[{"description": "Visite d'entrepôt"}],
        review_note="Nouveau projet.",
    )


def _meeting(world, _):
    pathway_services.record_meeting(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        held_on=_today() - datetime.timedelta(days=1),
        kind="follow_up",
        summary="Point d'étape.",
        confidential=True,
    )


def _support(world, _):
    action = pathway_services.save_support_action(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        domain="health",
        description="Rendez-vous médical.",
        opened_on=_today() - datetime.timedelta(days=2),
    )
    pathway_services.save_support_action(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        action=action,
        domain="health",
        description="Rendez-vous médical.",
        opened_on=_today() - datetime.timedelta(days=2),
        closed_on=_today(),
    )


def _share(world, _):
    share = pathway_services.share_restricted(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        with_membership=world.members["intake"],
    )
    services_sharing.revoke_share(membership=world.members["referent"], share=share)


def _document(world, _):
    pathway_services.upload_document(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        uploaded=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
        kind="cv",
        title="CV",
    )


def _guardian(world, _):
    person = world.objects["person"]
    guardian = services_guardians.add_guardian(
        membership=world.members["director"],
        person=person,
        relation="mother",
        last_name="Mère",
        first_name="Anne",
    )
    services_guardians.update_guardian(
        membership=world.members["director"],
        guardian=guardian,
        relation="mother",
        last_name="Mère",
        first_name="Annie",
    )
    services_guardians.remove_guardian(membership=world.members["director"], guardian=guardian)


def _requests(world, _):
    membership = world.members["director"]
    request = services_rights.record_request(
        membership=membership,
        person=world.objects["person"],
        kind="access",
        received_on=_today() - datetime.timedelta(days=3),
        channel="letter",
        details="Demande de copie du dossier.",
    )
    services_rights.answer_request(
        membership=membership,
        request=request,
        answered_on=_today(),
        outcome="granted",
        answer="Copie remise.",
    )


def _notice(world, _):
    services_rights.record_notice(
        membership=world.members["director"],
        person=world.objects["person"],
        given_to="person",
        given_on=_today(),
        medium="hand",
        version="2026-01",
    )


# ------------------------------------------------------------------------------ privacy


def _holds(world, _):
    membership = world.members["director"]
    hold = world.objects["legal_hold"]
    privacy_services.lift_hold(membership=membership, hold=hold)
    privacy_services.place_hold(membership=membership, person=hold.person, reason="Contentieux")


def _rich_unheld_person(world):
    """The world's trainee with rows in every holding of the inventory, no hold on them."""
    from tests.people.rich_person import complete_holdings

    complete_holdings(world)
    person = world.objects["trainee_person"]
    LegalHold.objects.filter(person=person).update(
        lifted_at=timezone.now(), lifted_by=world.members["director"].user
    )
    return person


def _anonymise(world, person):
    assert privacy_services.anonymise_person(person=person)


#: What the anonymisation changes: the holdings with something to erase or delete, and the
#: ages it keeps on the enrolment and its entry situation before the birth date goes.
ANONYMISED = tuple(
    sorted(
        {
            holding.model.lower()
            for holding in HOLDINGS
            if holding.delete_rows
            or holding.erase
            or holding.marked
            or holding.files
            or holding.to_year
            or holding.tokens
        }
        | {"pathways.enrolment", "pathways.entrysituation"}
    )
)


# ------------------------------------------------------------------------------ competencies


def _competency(world):
    from parcours.competencies import selectors as competency_selectors

    framework = competency_selectors.enrolment_framework(_enrolment(world))
    return framework.competencies.order_by("pk").first()


def _assessments(world, _):
    membership = world.members["referent"]
    competency = _competency(world)
    assessment = competency_services.record_assessment(
        membership=membership,
        enrolment=_enrolment(world),
        competency=competency,
        level=2,
        assessed_on=_today() - datetime.timedelta(days=1),
        context="workshop",
        note="Observé en atelier.",
    )
    competency_services.add_evidence(
        membership=membership, assessment=assessment, note="Photo du travail."
    )
    competency_services.correct_assessment(
        membership=membership, assessment=assessment, level=3, reason="Erreur de saisie."
    )


def _certification(world, _):
    certification = competency_services.record_certification(
        membership=world.members["referent"],
        enrolment=_enrolment(world),
        kind="sst",
        on_date=_today(),
    )
    competency_services.update_certification(
        membership=world.members["referent"],
        certification=certification,
        status="obtained",
        on_date=_today(),
    )


def _assessed_exited_enrolment(world):
    from tests.competencies.attestation_helpers import exited_enrolment

    return exited_enrolment(world)


def _attestation(world, enrolment):
    director = world.members["director"]
    attestation = services_attestations.issue_attestation(membership=director, enrolment=enrolment)
    services_attestations.reissue_attestation(
        membership=director, attestation=attestation, reason="Erreur dans le nom."
    )


# ------------------------------------------------------------------------------ schedule


def _attendance(world, _):
    services_attendance.mark_session(
        membership=world.members["referent"],
        session=world.objects["session"],
        marks={_enrolment(world).pk: ("late", "")},
        correction_reason="entry_error",
    )


def _session_trainees(world, _):
    session = world.objects["session"]
    services_sessions.remove_trainees(
        membership=world.members["director"], session=session, enrolments=[_enrolment(world)]
    )
    services_sessions.add_trainees(
        membership=world.members["director"], session=session, enrolments=[_enrolment(world)]
    )


def _feed(world, _):
    feed = services_calendar.create_feed(
        membership=world.members["referent"], enrolment=_enrolment(world)
    )
    services_calendar.revoke_feed(membership=world.members["referent"], feed=feed)


# ------------------------------------------------------------------------------ companies


def _internship_fields(world):
    start = datetime.date(2024, 6, 3)  # in the world enrolment's pathway
    return {
        "company": world.objects["company"],
        "tutor": world.objects["contact"],
        "signatory": world.objects["contact"],
        "kind": "internship",
        "job_title": "Employé·e libre-service",
        "start_date": start,
        "end_date": start + datetime.timedelta(days=11),
        "weekly_hours": 35,
        "tasks": "Mise en rayon.",
    }


def _internship(world, _):
    membership = world.members["company_relations"]
    internship = services_internships.create_internship(
        membership=membership, enrolment=_enrolment(world), **_internship_fields(world)
    )
    services_internships.set_goals(
        membership=membership,
        internship=internship,
        goals=[(world.objects["competency"], "S'exprimer avec les clients")],
    )
    fields = _internship_fields(world)
    fields["job_title"] = "Hôte·sse de caisse"
    services_internships.update_internship(membership=membership, internship=internship, **fields)
    signature = services_agreements.record_signature(
        membership=membership,
        internship=internship,
        role="school",
        signer_name="Claire Directrice",
        signed_on=datetime.date(2024, 6, 3),
    )
    services_agreements.remove_signature(membership=membership, signature=signature)
    services_agreements.upload_signed_scan(
        membership=membership,
        internship=internship,
        uploaded_file=SimpleUploadedFile("convention.pdf", PDF, content_type="application/pdf"),
    )
    services_internships.cancel_internship(
        membership=membership, internship=internship, reason="company", confirmed=True
    )


def _finished_internship(world):
    from tests.companies.review_helpers import recent_internship

    return recent_internship(world)


REVIEW = {
    "punctuality": 3,
    "attitude": 3,
    "tasks_mastered": "Mise en rayon.",
    "would_hire": "yes",
    "reviewer_name": "Marc Tuteur",
}


def _review(world, internship):
    membership = world.members["director"]
    services_reviews.send_tutor_link(membership=membership, internship=internship)
    services_reviews.revoke_tutor_links(membership=membership, internship=internship)
    competency = internship.goals.first().competency
    review = services_reviews.record_review_from_call(
        membership=membership, internship=internship, levels={competency.pk: 3}, **REVIEW
    )
    services_reviews.update_review(
        membership=membership, review=review, levels={competency.pk: 4}, **REVIEW
    )
    observation = review.competencies.first()
    services_reviews.review_to_assessment(membership=membership, observation=observation)


def _hire(world, internship):
    membership = world.members["company_relations"]
    hire = services_hires.record_hire(
        membership=membership,
        internship=internship,
        contract_type="cdd",
        job_title="Employé·e libre-service",
        start_date=_today(),
        months=6,
    )
    services_hires.update_hire(
        membership=membership,
        hire=hire,
        contract_type="cdi",
        job_title="Employé·e libre-service",
        start_date=_today(),
    )
    services_hires.delete_hire(membership=membership, hire=hire)


# ------------------------------------------------------------------------------ outcomes


def _exit(world, _):
    enrolment = _enrolment(world)
    exit_ = services_exits.record_exit(
        world.members["director"],
        enrolment,
        exit_date=_today() - datetime.timedelta(days=1),
        destination="formation_qualifiante",
        months=6,
        organisation="AFPA",
    )
    services_exits.correct_exit(
        world.members["director"],
        exit_,
        exit_date=_today() - datetime.timedelta(days=1),
        destination="formation_qualifiante",
        months=6,
        organisation="GRETA",
        reason="entry_error",
    )
    services_exits.undo_exit(world.members["director"], exit_, reason="mistake")


def _follow_up(world, _):
    services_follow_ups.record_follow_up(
        world.members["director"],
        world.objects["exit_follow_up"],
        reached=True,
        contacted_on=_today(),
        situation="formation_qualifiante",
        months=6,
        organisation="AFPA",
    )


def _due_follow_ups(world, _):
    services_follow_ups.create_due_follow_ups(today=_today() + datetime.timedelta(days=400))


# ------------------------------------------------------------------------------ import

_IMPORT_HEADER = (
    "nom;prenom;date_naissance;sexe;email;telephone;code_postal;commune;code_qpv;niveau_diplome;"
    "prescripteur_type;prescripteur;plie;site;date_entree;date_sortie;sortie_type;"
    "sortie_duree_mois\n"
)


def _import_file(world, exit_: str) -> bytes:
    line = (
        "Importée;Inès;15/03/2003;F;;;63000;Clermont-Ferrand;QN06301M;aucun;mission_locale;"
        f"{world.prescriber_partner.name};oui;{world.site.name};06/09/2021;{exit_}\n"
    )
    return (_IMPORT_HEADER + line).encode()


def _import(world, data: bytes, actor):
    from parcours.imports.services import import_enrolments

    report = import_enrolments(
        school=world.school, actor=actor, data=data, filename="stagiaires.csv"
    )
    assert report.written, report.problems


def _import_in_progress(world):
    _import(world, _import_file(world, ";;"), None)


DRIVERS: tuple[Driver, ...] = (
    Driver(
        "referral",
        ("people.person", "intake.referral"),
        lambda world, _: _new_referral(world),
        who="intake",
    ),
    Driver(
        "interview",
        ("intake.interview",),
        lambda world, referral: intake_services.record_interview(
            membership=world.members["intake"],
            referral=referral,
            held_at=timezone.now() - datetime.timedelta(days=1),
            interviewer=world.members["intake"],
        ),
        _prepared_referral,
        who="intake",
    ),
    Driver(
        "registration",
        ("intake.registration",),
        _registrations,
        _prepared_referral,
        who="intake",
    ),
    Driver("public_registration", ("intake.registration",), _public_registration, who="public"),
    Driver("decision", ("intake.decision",), lambda world, r: _admit(world, r), _prepared_referral),
    Driver(
        "entry",
        (
            "pathways.enrolment",
            "pathways.entrysituation",
            "pathways.enrolmentphase",
            "pathways.enrolmentfundingline",
        ),
        lambda world, referral: _enter(world, referral),
        _admitted_referral,
        who="intake",
    ),
    Driver("phase", ("pathways.enrolmentphase",), _move_phase),
    Driver("referent", ("pathways.referentchange",), _reassign),
    Driver(
        "plan",
        ("pathways.plan", "pathways.targetjob", "pathways.plangoal", "pathways.planstep"),
        _plan,
        who="referent",
    ),
    Driver("meeting", ("pathways.meeting",), _meeting, who="referent"),
    Driver("support", ("pathways.supportaction",), _support, who="referent"),
    Driver("share", ("pathways.restrictedshare",), _share, who="referent"),
    Driver("document", ("pathways.document",), _document, who="referent"),
    Driver("guardian", ("people.legalguardian",), _guardian),
    Driver("subject_requests", ("people.subjectrequest",), _requests),
    Driver("privacy_notice", ("people.privacynotice",), _notice),
    Driver("legal_holds", ("privacy.legalhold",), _holds),
    # parcours daily: the system, for one person at a time.
    Driver("anonymisation", ANONYMISED, _anonymise, _rich_unheld_person, who=None),
    Driver(
        "assessments",
        ("competencies.assessment", "competencies.evidence", "competencies.levelspan"),
        _assessments,
        who="referent",
    ),
    Driver("certification", ("competencies.certification",), _certification, who="referent"),
    Driver(
        "attestation",
        ("competencies.attestation",),
        _attestation,
        _assessed_exited_enrolment,
    ),
    Driver("attendance", ("schedule.attendancemark",), _attendance, who="referent"),
    Driver("session_trainees", ("schedule.sessiontrainee",), _session_trainees),
    Driver("calendar_feed", ("schedule.calendarfeed",), _feed, who="referent"),
    Driver(
        "internship",
        (
            "companies.internship",
            "companies.internshipgoal",
            "companies.agreementsignature",
            "pathways.document",
        ),
        _internship,
        who="company_relations",
    ),
    Driver(
        "review",
        (
            "companies.tutorlink",
            "companies.tutorreview",
            "companies.reviewcompetency",
        ),
        _review,
        _finished_internship,
        who="director",
    ),
    Driver("hire", ("companies.hire",), _hire, _finished_internship, who="company_relations"),
    Driver("exit", ("outcomes.exit",), _exit),
    Driver("follow_up", ("outcomes.exitfollowup",), _follow_up),
    Driver("due_follow_ups", ("outcomes.exitfollowup",), _due_follow_ups, who=None),
    Driver(
        "import",
        (
            "people.person",
            "intake.referral",
            "pathways.enrolment",
            "pathways.entrysituation",
            "pathways.enrolmentfundingline",
            "pathways.enrolmentphase",
            "outcomes.exit",
        ),
        lambda world, _: _import(
            world, _import_file(world, "18/03/2022;cdd;6"), world.members["director"].user
        ),
    ),
    # Re-imported with its exit: the enrolment in progress is exited, its phase closed.
    Driver(
        "import_exit",
        ("outcomes.exit", "pathways.enrolment", "pathways.enrolmentphase"),
        lambda world, _: _import(
            world, _import_file(world, "18/03/2022;cdi;"), world.members["director"].user
        ),
        _import_in_progress,
    ),
)


# ------------------------------------------------------------------------------ the table


def test_every_personal_data_model_is_in_the_table():
    found = personal_models()
    listed = set(AUDITED) | set(NOT_AUDITED)
    assert found - listed == set(), "personal-data models nobody decided about"
    assert listed - found == set(), "table entries that are no personal-data model"
    assert not set(AUDITED) & set(NOT_AUDITED)
    assert all(reason.strip() for reason in NOT_AUDITED.values())


def test_every_audited_model_is_written_by_a_driver():
    covered = {label for driver in DRIVERS for label in driver.covers}
    assert set(AUDITED) - covered == set()


_SAVEPOINT = re.compile(r"^\s*SAVEPOINT\b", re.I)
_END = re.compile(r"^\s*(?:RELEASE\s+SAVEPOINT|ROLLBACK\s+TO\s+SAVEPOINT)\b", re.I)
_AUDIT_TABLE = "audit_auditevent"


def _segments(queries) -> list[list[str]]:
    """The SQL of each top-level transaction block (a service's ``atomic``); a write outside
    any block is a block of its own."""
    segments: list[list[str]] = []
    depth = 0
    for query in queries:
        sql = query["sql"]
        if _SAVEPOINT.match(sql):
            if depth == 0:
                segments.append([])
            depth += 1
        elif _END.match(sql):
            depth = max(depth - 1, 0)
        elif depth:
            segments[-1].append(sql)
        else:
            segments.append([sql])
    return segments


def _tables(sqls) -> list[str]:
    return [match.group(1) for sql in sqls if (match := _WRITE.match(sql))]


@pytest.mark.parametrize("driver", DRIVERS, ids=[d.name for d in DRIVERS])
def test_each_write_of_personal_data_writes_its_audit_event(world, driver):
    """Each transaction that writes a personal-data table writes, in that same transaction,
    an event with an action listed for that model, naming actor, school, record, address."""
    prepared = driver.prepare(world)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as ctx:
        if driver.who is None:
            driver.act(world, prepared)
        else:
            with _as_request():
                driver.act(world, prepared)
    events = iter(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
    personal = table_models()
    actor = world.members[driver.who].user if driver.who in world.members else None
    expected_address = ADDRESS if driver.who else None
    # The system runs for every school: each of its events names one.
    schools = {world.school.pk} if driver.who else {world.school.pk, world.other_school.pk}
    written: set[str] = set()
    for segment in _segments(ctx.captured_queries):
        tables = _tables(segment)
        # Audit rows are inserted in pk order: pair this block's inserts with the new events.
        block_events = [next(events) for table in tables if table == _AUDIT_TABLE]
        actions = {event.action for event in block_events}
        covering: set[str] = set()
        for label in sorted({personal[t] for t in tables if t in personal}):
            written.add(label)
            covering |= actions & set(AUDITED[label])
            assert actions & set(AUDITED[label]), (
                f"{driver.name}: a transaction wrote {label} with events {sorted(actions)}, "
                f"none of {AUDITED[label]}"
            )
        for event in (e for e in block_events if e.action in covering):
            assert event.actor == actor, event.action
            assert event.school_id in schools, event.action
            assert event.object_id or event.changes, event.action
            assert event.ip_address == expected_address, event.action
    missing = set(driver.covers) - written
    assert not missing, f"{driver.name} wrote none of {missing}: the driver proves nothing"
