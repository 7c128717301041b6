"""Retention: last contact, who is due, legal holds, the anonymisation and its daily run."""

from __future__ import annotations

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from parcours.audit.models import AuditEvent
from parcours.outcomes.models import Exit, ExitFollowUp
from parcours.outcomes.services_exits import record_exit
from parcours.pathways.models import Document, Enrolment, EntrySituation, Meeting, SupportAction
from parcours.people.models import LegalGuardian, Person, SubjectRequest, age_on
from parcours.privacy import selectors, services
from parcours.privacy.models import LegalHold, RetentionRun
from parcours.privacy.services import ANONYMOUS_LAST_NAME, ERASED, anonymise_person, run_school
from tests.factories import (
    InfoSessionFactory,
    PersonFactory,
    ReferralFactory,
    RegistrationFactory,
)

EXIT_DAY = datetime.date(2024, 6, 28)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def exited(world):
    """The world's trainee, exited on EXIT_DAY (hold lifted, their request answered), with a
    guardian."""
    LegalHold.objects.filter(person=world.objects["privacy_person"]).delete()
    enrolment = world.objects["enrolment"]
    SubjectRequest.objects.filter(person=enrolment.person).update(
        answered_on=datetime.date(2024, 3, 20), answer="Copie remise.", outcome="granted"
    )
    record_exit(world.members["director"], enrolment, exit_date=EXIT_DAY, destination="cdi")
    LegalGuardian.objects.create(
        school=world.school,
        person=enrolment.person,
        relation="mother",
        last_name="Martin",
        first_name="Anne",
        phone="+33612345678",
    )
    return Enrolment.objects.select_related("person").get(pk=enrolment.pk)


def _due_ids(world, day):
    return set(selectors.due(world.school, day).values_list("pk", flat=True))


def test_last_contact_is_the_exit_and_a_later_meeting_moves_it(world, exited):
    person = exited.person
    assert selectors.last_contact(person) == EXIT_DAY
    Meeting.objects.create(
        school=world.school,
        enrolment=exited,
        held_on=datetime.date(2024, 9, 2),
        kind="follow_up",
        author=world.members["referent"].user,
    )
    assert selectors.last_contact(person) == datetime.date(2024, 9, 2)


def test_last_contact_of_a_candidate_never_enrolled_is_the_intake(world):
    person = PersonFactory(school=world.school)
    ReferralFactory(school=world.school, person=person, received_on=datetime.date(2023, 3, 1))
    assert selectors.last_contact(person) == datetime.date(2023, 3, 1)


def test_due_exactly_after_the_retention(world, exited):
    person = exited.person
    two_years = datetime.date(2026, 6, 28)  # the anniversary: still kept that day
    assert person.pk not in _due_ids(world, two_years)
    assert person.pk in _due_ids(world, two_years + datetime.timedelta(days=1))
    world.school.retention_years = 3
    world.school.save()
    assert person.pk not in _due_ids(world, two_years + datetime.timedelta(days=1))


def test_a_person_in_a_pathway_is_never_due(world):
    LegalHold.objects.all().delete()
    person = world.objects["enrolment"].person  # entered in 2024, no exit
    assert person.pk not in _due_ids(world, datetime.date(2040, 1, 1))


def test_a_held_person_is_not_anonymised_until_the_hold_is_lifted(world, exited):
    day = datetime.date(2027, 1, 1)
    director = world.members["director"]
    hold = services.place_hold(membership=director, person=exited.person, reason="Contentieux")
    run = run_school(world.school, as_of=day)
    assert (run.skipped_held, run.errors) == (1, 0)
    exited.person.refresh_from_db()
    assert exited.person.anonymised_at is None
    services.lift_hold(membership=director, hold=hold)
    run = run_school(world.school, as_of=day)
    assert (run.anonymised, run.skipped_held, run.errors) == (1, 0, 0)
    exited.person.refresh_from_db()
    assert exited.person.anonymised_at is not None
    assert AuditEvent.objects.filter(action="legal_hold.place").count() == 1
    assert AuditEvent.objects.filter(action="legal_hold.lift").count() == 1


def test_anonymisation_blanks_identity_and_free_text_keeps_the_figures(world, exited):
    person = exited.person
    birth, entry = person.birth_date, exited.entry_date
    situation = EntrySituation.objects.get(enrolment=exited)
    document = world.objects["document"]
    path = document.file.name
    storage = document.file.storage
    assert storage.exists(path)

    assert anonymise_person(person=person) is True

    person.refresh_from_db()
    assert person.last_name == ANONYMOUS_LAST_NAME
    assert person.first_name == f"Personne n° {person.pk}"
    assert (person.email, person.phone, person.address) == ("", "", "")
    assert person.birth_date == datetime.date(birth.year, 1, 1)
    assert person.anonymised_at is not None
    exited.refresh_from_db()
    situation.refresh_from_db()
    assert exited.age_at_entry == age_on(birth, entry)
    assert situation.age_at_entry is not None and situation.birth_date.month == 1
    assert not LegalGuardian.objects.filter(person=person).exists()
    summaries = set(Meeting.objects.filter(enrolment=exited).values_list("summary", flat=True))
    assert summaries <= {"", ERASED}
    assert set(
        SupportAction.objects.filter(enrolment=exited).values_list("description", flat=True)
    ) == {ERASED}
    assert not Document.objects.filter(enrolment=exited).exclude(file="").exists()
    assert not storage.exists(path)
    # kept: the exit and its destination, the gender, the commune
    assert Exit.objects.get(enrolment=exited).destination == "cdi"
    event = AuditEvent.objects.get(action="person.anonymise")
    assert event.actor is None and event.object_id == str(person.pk)
    assert "Léa" not in str(event.changes) and "Stagiaire" not in event.object_repr


def test_a_second_run_does_nothing(world, exited):
    day = datetime.date(2027, 1, 1)
    first = run_school(world.school, as_of=day)
    assert first.anonymised >= 1 and first.errors == 0
    again = run_school(world.school, as_of=day)
    assert (again.anonymised, again.errors) == (0, 0)
    assert anonymise_person(person=exited.person) is False
    events = AuditEvent.objects.filter(action="person.anonymise")
    assert events.count() == first.anonymised
    assert RetentionRun.objects.filter(school=world.school).count() == 2


def test_parcours_daily_runs_the_anonymisation(world, exited):
    out = StringIO()
    # The daily run creates the follow-ups of the exit (the last one due 28/06/2025, never
    # done): the person is kept two years after it.
    with time_machine.travel(datetime.datetime(2027, 7, 1, 8, tzinfo=PARIS), tick=False):
        call_command("daily", stdout=out)
    assert "personnes anonymisées (fin de la durée de conservation) : " in out.getvalue()
    assert Person.objects.get(pk=exited.person.pk).anonymised_at is not None


def test_hold_refuses_a_blank_reason_and_a_second_active_hold(world, exited):
    from django.core.exceptions import ValidationError

    director = world.members["director"]
    with pytest.raises(ValidationError):
        services.place_hold(membership=director, person=exited.person, reason="   ")
    services.place_hold(membership=director, person=exited.person, reason="Contentieux")
    with pytest.raises(ValidationError):
        services.place_hold(membership=director, person=exited.person, reason="Encore")
    assert LegalHold.objects.filter(person=exited.person).count() == 1


def test_public_registrations_without_a_candidacy_are_anonymised_after_the_retention(world):
    """A registration from the public agenda that never became a candidacy belongs to no
    person: it is anonymised once its session is past the school's retention."""
    site = world.site
    old = datetime.datetime(2022, 3, 10, 9, tzinfo=datetime.UTC)
    recent = datetime.datetime(2024, 9, 10, 9, tzinfo=datetime.UTC)
    old_session = InfoSessionFactory(school=world.school, site=site, starts_at=old)
    recent_session = InfoSessionFactory(school=world.school, site=site, starts_at=recent)
    gone = RegistrationFactory(
        session=old_session, first_name="Yanis", last_name="Publicold", phone="+33612345678"
    )
    kept = RegistrationFactory(session=recent_session, last_name="Publicrecent")
    other = RegistrationFactory(
        session=InfoSessionFactory(school=world.other_school, site=world.other_site, starts_at=old),
        last_name="Autreecole",
    )
    token = gone.token
    run = run_school(world.school, as_of=datetime.date(2025, 1, 15))
    gone.refresh_from_db()
    assert run.registrations == 1
    values = (gone.first_name, gone.last_name, gone.email, gone.phone)
    assert set(values) <= {"", ERASED} and gone.phone == ERASED
    assert gone.token != token
    assert gone.session_id == old_session.pk
    kept.refresh_from_db()
    other.refresh_from_db()
    assert kept.last_name == "Publicrecent" and other.last_name == "Autreecole"
    event = AuditEvent.objects.get(action="registration.anonymise")
    assert event.school == world.school and event.actor is None
    assert event.changes == {"rows": 1}
    # A second run finds nothing more.
    assert run_school(world.school, as_of=datetime.date(2025, 1, 15)).registrations == 0


def test_an_unanswered_request_or_a_follow_up_to_do_postpones_the_anonymisation(world, exited):
    """A person is not anonymised before the school answers their request about their data,
    nor before a follow-up still to do (its due date counts as a contact)."""
    person = exited.person
    later = datetime.date(2026, 6, 29)  # two years and a day after the exit
    assert person.pk in _due_ids(world, later)
    request = SubjectRequest.objects.filter(person=person).first()
    request.answered_on = None
    request.save(update_fields=["answered_on"])
    assert person.pk not in _due_ids(world, later)
    request.answered_on = datetime.date(2024, 3, 20)
    request.save(update_fields=["answered_on"])
    follow_up = ExitFollowUp.objects.create(
        school=world.school,
        exit=exited.exit,
        wave=12,
        due_on=datetime.date(2025, 6, 28),
    )
    assert follow_up.status == "due"
    assert person.pk not in _due_ids(world, later)
    assert person.pk in _due_ids(world, datetime.date(2027, 6, 29))
