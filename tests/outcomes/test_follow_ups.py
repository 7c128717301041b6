"""Follow-ups after the exit: creation of the due waves, the referents' digests, recording."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.organisations.models import Role
from parcours.outcomes import services_follow_ups as services
from parcours.outcomes.models import Exit, ExitFollowUp, FollowUpStatus
from parcours.pathways.models import EnrolmentStatus

from ..factories import EnrolmentFactory, MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def new_exit(world, exit_date: D, *, referent="referent", school=None, **fields) -> Exit:
    """An exited enrolment of school A (or ``school``) and its exit (a CDD of 4 months)."""
    school = school or world.school
    site = world.site if school == world.school else world.other_site
    if isinstance(referent, str):
        referent = world.members[referent]
    enrolment = EnrolmentFactory(
        school=school,
        person=PersonFactory(school=school, first_name="Inès", last_name="Suivie"),
        site=site,
        referent=referent,
        entry_date=exit_date - datetime.timedelta(days=180),
        planned_end_date=exit_date,
        status=EnrolmentStatus.EXITED,
        ended_on=exit_date,
    )
    values = {"destination": "cdd", "months": 4, "organisation": "Boulangerie Dôme"}
    values.update(fields)
    return Exit.objects.create(school=school, enrolment=enrolment, exit_date=exit_date, **values)


def waves_of(exit_: Exit) -> dict[int, D]:
    return dict(exit_.follow_ups.order_by("wave").values_list("wave", "due_on"))


def at(day: D, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# ------------------------------------------------------------------------------ creation


def test_the_day_before_due_nothing_the_due_day_one(world):
    exit_ = new_exit(world, D(2024, 5, 10))
    assert services.create_due_follow_ups(today=D(2024, 8, 9)) == 0
    assert waves_of(exit_) == {}
    assert services.create_due_follow_ups(today=D(2024, 8, 10)) == 1
    assert waves_of(exit_) == {3: D(2024, 8, 10)}
    follow_up = exit_.follow_ups.get()
    assert follow_up.status == FollowUpStatus.DUE
    assert follow_up.school == world.school
    assert follow_up.notified_at is None


def test_no_further_wave_once_the_person_has_come_back(world):
    exit_ = new_exit(world, D(2024, 5, 10))
    assert services.create_due_follow_ups(today=D(2024, 8, 10)) == 1
    EnrolmentFactory(
        school=world.school,
        person=exit_.enrolment.person,
        site=world.site,
        entry_date=D(2024, 9, 2),
        planned_end_date=D(2025, 3, 3),
    )
    services.create_due_follow_ups(today=D(2025, 6, 1))  # the world's exits get theirs
    assert waves_of(exit_) == {3: D(2024, 8, 10)}  # no 6- nor 12-month wave


def test_end_of_august_plus_six_months_is_the_end_of_february(world):
    exit_ = new_exit(world, D(2024, 8, 31))
    services.create_due_follow_ups(today=D(2025, 2, 27))
    assert waves_of(exit_) == {3: D(2024, 11, 30)}
    services.create_due_follow_ups(today=D(2025, 2, 28))
    assert waves_of(exit_) == {3: D(2024, 11, 30), 6: D(2025, 2, 28)}
    leap = new_exit(world, D(2023, 8, 31))
    services.create_due_follow_ups(today=D(2024, 2, 28))
    assert 6 not in waves_of(leap)
    services.create_due_follow_ups(today=D(2024, 2, 29))
    assert waves_of(leap)[6] == D(2024, 2, 29)


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (D(2025, 2, 28), D(2024, 8, 31)),  # 29, 30 and 31 August all fall on 28 February
        (D(2025, 2, 27), D(2024, 8, 27)),
        (D(2024, 2, 29), D(2023, 8, 31)),
        (D(2024, 3, 31), D(2023, 9, 30)),
        (D(2025, 1, 15), D(2024, 7, 15)),
    ],
)
def test_latest_exit_date_due_for_six_months(today, latest):
    assert services.latest_exit_date_due(today, 6) == latest
    assert services.follow_up_due_on(latest, 6) <= today
    assert services.follow_up_due_on(latest + datetime.timedelta(days=1), 6) > today


def test_every_due_wave_is_created_even_a_backlog_and_only_once(world):
    old = new_exit(world, D(2020, 1, 10))
    other = new_exit(world, D(2020, 1, 10), school=world.other_school, referent=world.outsider)
    created = services.create_due_follow_ups(today=D(2024, 8, 10))
    # The world's exits (29/03/2024, both schools) have their 3-month one already.
    assert created == 6
    assert waves_of(old) == {3: D(2020, 4, 10), 6: D(2020, 7, 10), 12: D(2021, 1, 10)}
    assert set(waves_of(other)) == {3, 6, 12}
    assert other.follow_ups.first().school == world.other_school
    assert services.create_due_follow_ups(today=D(2024, 8, 10)) == 0
    assert ExitFollowUp.objects.filter(exit=old).count() == 3


def test_creation_runs_a_few_queries_whatever_the_number_of_exits(world):
    new_exit(world, D(2023, 1, 5))
    with CaptureQueriesContext(connection) as few:
        services.create_due_follow_ups(today=D(2024, 8, 10))
    for day in range(1, 21):
        new_exit(world, D(2023, 2, day))
    with CaptureQueriesContext(connection) as many:
        assert services.create_due_follow_ups(today=D(2024, 8, 10)) == 60
    assert len(many) == len(few) <= 12


# ------------------------------------------------------------------------------ digests


def _body(message) -> str:
    return message.body


def test_digest_goes_to_the_referent_once(world):
    referent = world.members["referent"]
    exit_ = new_exit(world, D(2024, 4, 15))
    services.create_due_follow_ups(today=D(2024, 7, 15))
    mail.outbox.clear()
    sent = services.send_follow_up_digests(today=D(2024, 7, 15))
    # School A's referent (the world's follow-up and this one) and school B's referent.
    assert sent == 2
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {(referent.user.email,), (world.outsider.user.email,)}
    message = by_recipient[(referent.user.email,)]
    assert message.subject == "2 suivis après la sortie à faire — E2C Alpha"
    body = _body(message)
    follow_up = exit_.follow_ups.get()
    assert "Inès S., suivi à 3 mois (sortie le 15/04/2024), à faire depuis le 15/07/2024" in body
    assert "Noé S., suivi à 3 mois (sortie le 29/03/2024), à faire depuis le 29/06/2024" in body
    assert "Suivie" not in body  # the last name stays out of the mailbox
    record_url = (
        f"{settings.PUBLIC_BASE_URL}/e/e2c-alpha/suivis-apres-sortie/{follow_up.pk}/saisir/"
    )
    assert record_url in body
    assert f"{settings.PUBLIC_BASE_URL}/e/e2c-alpha/suivis-apres-sortie/" in body
    html = message.alternatives[0][0]
    assert f'href="{record_url}"' in html
    assert "E2C Beta" not in body
    assert ExitFollowUp.objects.filter(notified_at__isnull=True).count() == 0
    # A second run sends nothing.
    mail.outbox.clear()
    assert services.send_follow_up_digests(today=D(2024, 7, 15)) == 0
    assert services.send_follow_up_digests(today=D(2024, 7, 16)) == 0
    assert mail.outbox == []


def test_digest_lists_only_what_is_due_and_still_to_do(world):
    new_exit(world, D(2024, 6, 1))  # its 3-month wave is not created yet
    future = new_exit(world, D(2024, 6, 2))
    ExitFollowUp.objects.create(
        school=world.school, exit=future, wave=3, due_on=D(2024, 9, 2)
    )  # not due yet
    recorded = world.objects["exit_follow_up"]
    ExitFollowUp.objects.filter(pk=recorded.pk).update(status=FollowUpStatus.UNREACHABLE)
    mail.outbox.clear()
    assert services.send_follow_up_digests(today=D(2024, 8, 1)) == 1  # school B's only
    assert mail.outbox[0].to == [world.outsider.user.email]


def test_without_an_active_referent_the_directors_get_it(world):
    director = world.members["director"]
    second = MembershipFactory(
        user=UserFactory(email="directrice2@alpha.example.org"),
        school=world.school,
        role=Role.DIRECTOR,
    )
    MembershipFactory(  # a former director: not any more
        user=UserFactory(email="ancien@alpha.example.org"),
        school=world.school,
        role=Role.DIRECTOR,
        active_until=D(2023, 12, 31),
    )
    no_referent = new_exit(world, D(2024, 4, 2), referent=None)
    services.create_due_follow_ups(today=D(2024, 7, 2))
    # The world's referent leaves: their account is switched off.
    user = world.members["referent"].user
    user.is_active = False
    user.save(update_fields=["is_active"])
    mail.outbox.clear()
    assert services.send_follow_up_digests(today=D(2024, 7, 2)) == 3
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([director.user.email, second.user.email, world.outsider.user.email])
    for message in mail.outbox:
        if message.to[0] in (director.user.email, second.user.email):
            assert message.subject == "2 suivis après la sortie à faire — E2C Alpha"
            assert "Inès S." in message.body and "Noé S." in message.body
    assert not ExitFollowUp.objects.filter(exit=no_referent, notified_at__isnull=True).exists()


def test_a_follow_up_nobody_can_receive_waits(world):
    director = world.members["director"]
    director.active_until = D(2020, 1, 1)
    director.save(update_fields=["active_until"])
    exit_ = new_exit(world, D(2024, 4, 2), referent=None)
    services.create_due_follow_ups(today=D(2024, 7, 2))
    mail.outbox.clear()
    services.send_follow_up_digests(today=D(2024, 7, 2))
    assert exit_.follow_ups.get().notified_at is None
    assert not any("Inès" in message.body for message in mail.outbox)


def test_a_failed_mail_leaves_its_follow_ups_for_the_next_run(world, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(services, "_send_digest_mail", refuse)
    assert services.send_follow_up_digests(today=D(2024, 7, 1)) == 0
    assert ExitFollowUp.objects.filter(notified_at__isnull=True).count() == 2
    monkeypatch.undo()
    mail.outbox.clear()
    assert services.send_follow_up_digests(today=D(2024, 7, 2)) == 2
    assert len(mail.outbox) == 2


def test_follow_ups_signalled_by_another_run_meanwhile_are_not_sent_again(world):
    follow_up = world.objects["exit_follow_up"]
    recipient = services._Recipient(world.members["referent"], [follow_up])
    ExitFollowUp.objects.filter(pk=follow_up.pk).update(notified_at=at(D(2024, 7, 1), 8))
    mail.outbox.clear()
    assert services._send_digest(recipient, now=at(D(2024, 7, 1))) == 0
    assert mail.outbox == []


def test_a_long_backlog_is_counted_not_listed(world, monkeypatch):
    monkeypatch.setattr(services, "DIGEST_MAX_LINES", 2)
    for day in (1, 2, 3):
        new_exit(world, D(2024, 1, day))
    services.create_due_follow_ups(today=D(2024, 7, 3))  # 3 exits × waves 3 and 6
    mail.outbox.clear()
    services.send_follow_up_digests(today=D(2024, 7, 3))
    message = next(m for m in mail.outbox if m.to == [world.members["referent"].user.email])
    assert message.subject.startswith("7 suivis après la sortie à faire")
    assert "… et 5 autres suivis." in message.body
    assert message.body.count("/saisir/") == 2


# ------------------------------------------------------------------------------ recording

EXIT_DATE = D(2024, 3, 29)
NOW = at(D(2024, 7, 3), 14)


def _record(world, who="referent", follow_up=None, **overrides):
    values = {
        "reached": True,
        "contacted_on": D(2024, 7, 2),
        "situation": "cdd",
        "months": 6,
        "days": 0,
        "organisation": "Transports Dômes",
        "comment": "A signé un nouveau contrat.",
        "now": NOW,
    }
    values.update(overrides)
    membership = world.outsider if who == "outsider" else world.members[who]
    return services.record_follow_up(
        membership, follow_up or world.objects["exit_follow_up"], **values
    )


def test_record_a_situation_found(world):
    follow_up = _record(world)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.REACHED
    assert (follow_up.situation, follow_up.months, follow_up.days) == ("cdd", 6, 0)
    assert follow_up.organisation == "Transports Dômes"
    assert follow_up.recorded_by == world.members["referent"].user
    assert follow_up.recorded_at == NOW
    event = AuditEvent.objects.get(action="exit_follow_up.record")
    assert event.object_id == str(follow_up.pk)
    assert event.school == world.school
    assert event.changes == {
        "exit": follow_up.exit_id,
        "wave": 3,
        "status": "reached",
        "situation": "cdd",
        "months": 6,
        "days": 0,
        "contacted_on": "2024-07-02",
    }
    assert "Transports" not in str(event.changes) and "contrat" not in str(event.changes)


def test_record_unreachable(world):
    follow_up = _record(
        world,
        who="director",
        reached=False,
        contacted_on=None,
        situation="",
        months=None,
        days=0,
        organisation="",
        comment="Trois appels sans réponse.",
    )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.UNREACHABLE
    assert follow_up.situation == "" and follow_up.months is None
    assert follow_up.contacted_on is None
    assert AuditEvent.objects.get(action="exit_follow_up.record").changes["status"] == (
        "unreachable"
    )


def test_open_ended_and_work_study_lengths(world):
    _record(world, situation="cdi", months=None, organisation="Michelin")
    follow_up = world.objects["exit_follow_up"]
    follow_up.refresh_from_db()
    assert follow_up.situation == "cdi" and follow_up.months is None
    _record(world, situation="apprentissage", months=None)  # its length may be left empty
    _record(world, situation="cdd", months=0, days=20)  # less than a month
    follow_up.refresh_from_db()
    assert (follow_up.months, follow_up.days) == (0, 20)


def test_recording_again_is_an_audited_correction(world):
    _record(world)
    follow_up = _record(world, who="director", months=8, organisation="Autre employeur")
    follow_up.refresh_from_db()
    assert follow_up.months == 8
    assert follow_up.recorded_by == world.members["director"].user
    event = AuditEvent.objects.get(action="exit_follow_up.correct")
    assert event.changes == {
        "exit": follow_up.exit_id,
        "wave": 3,
        "months": [6, 8],
        "organisation": "modifié",
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reached": None}, "reached", "Dites si la personne a été jointe."),
        ({"situation": ""}, "situation", "Indiquez la situation trouvée."),
        ({"situation": "lune"}, "situation", "Situation inconnue : choisissez-en une de la liste."),
        ({"contacted_on": None}, "contacted_on", "Indiquez la date du contact."),
        (
            {"contacted_on": D(2024, 7, 4)},
            "contacted_on",
            "La date du contact ne peut pas être dans le futur.",
        ),
        (
            {"contacted_on": D(2024, 3, 28)},
            "contacted_on",
            "La date du contact ne peut pas précéder la sortie (le 29/03/2024).",
        ),
        (
            {"months": None},
            "months",
            "Indiquez la durée en mois de « CDD » (0 si moins d'un mois).",
        ),
        (
            {"situation": "recherche_emploi", "months": 3, "organisation": ""},
            "months",
            "« Recherche d'emploi » n'a pas de durée : laissez la durée vide.",
        ),
        (
            {"situation": "cdi", "months": 12},
            "months",
            "« CDI » n'a pas de durée : laissez la durée vide.",
        ),
        ({"months": 0, "days": 0}, "months", "La durée ne peut pas être nulle."),
        ({"days": 31}, "days", "Les jours vont de 0 à 30 (au-delà, comptez des mois)."),
        ({"months": 500}, "months", "La durée en mois doit être comprise entre 0 et 120."),
        (
            {"situation": "demenagement", "months": None},
            "organisation",
            "Un employeur ou un organisme ne s'indique que pour un emploi, une formation ou un "
            "service civique.",
        ),
        (
            {"reached": False, "months": None, "organisation": ""},
            "situation",
            "La personne est injoignable : laissez la situation vide.",
        ),
        (
            {"reached": False, "situation": "", "organisation": ""},
            "months",
            "La personne est injoignable : laissez la durée vide.",
        ),
        (
            {"reached": False, "situation": "", "months": None},
            "organisation",
            "La personne est injoignable : laissez l'employeur ou l'organisme vide.",
        ),
        (
            {"organisation": "x" * 201},
            "organisation",
            "Le nom de l'employeur ou de l'organisme est trop long (200 caractères au plus).",
        ),
        (
            {"comment": "x" * 5001},
            "comment",
            "Le commentaire est trop long (5 000 caractères au plus).",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_written(world, overrides, field, message):
    with pytest.raises(ValidationError) as refusal:
        _record(world, **overrides)
    assert message in refusal.value.message_dict[field]
    follow_up = ExitFollowUp.objects.get(pk=world.objects["exit_follow_up"].pk)
    assert follow_up.status == FollowUpStatus.DUE
    assert follow_up.recorded_at is None and follow_up.situation == ""
    assert not AuditEvent.objects.filter(action__startswith="exit_follow_up").exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("outsider", "Suivi inconnu."),
        ("intake", "Votre rôle ne permet pas cette action."),
        ("company_relations", "Votre rôle ne permet pas cette action."),
    ],
)
def test_only_the_school_s_recorders_may_record(world, who, message):
    with pytest.raises(ValidationError) as refusal:
        _record(world, who=who)
    assert refusal.value.messages == [message]
    follow_up = ExitFollowUp.objects.get(pk=world.objects["exit_follow_up"].pk)
    assert follow_up.status == FollowUpStatus.DUE
    assert not AuditEvent.objects.filter(action__startswith="exit_follow_up").exists()
