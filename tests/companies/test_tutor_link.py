"""The tutor's private link: sending, expiry, revocation, works once for its internship only."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.companies import services_reviews as services
from parcours.companies.models import ReviewSource, TutorLink, TutorReview

from .review_helpers import at, new_internship, recent_internship, review_data, token_from

pytestmark = pytest.mark.django_db

END = datetime.date(2024, 6, 14)


def _send(world, internship, role="company_relations", **kwargs):
    return services.send_tutor_link(membership=world.members[role], internship=internship, **kwargs)


def test_send_creates_a_link_storing_only_the_hash_and_mails_the_tutor(world, settings):
    settings.PUBLIC_BASE_URL = "https://parcours.example.org"
    internship = recent_internship(world)
    link = _send(world, internship)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.objects["contact"].email]
    token = token_from(message)
    assert f"https://parcours.example.org/bilan-de-stage/{token}/" in message.body
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    assert len(token) >= 40
    # The trainee is named by first name and initial only.
    person = internship.enrolment.person
    assert f"{person.first_name} {person.last_name[0]}." in message.subject
    assert person.last_name not in message.body
    assert "expire le" in message.body
    html = message.alternatives[0][0]
    assert f"/bilan-de-stage/{token}/" in html
    event = AuditEvent.objects.get(action="companies.tutor_link_sent")
    assert event.object_id == str(link.pk)
    assert token not in str(event.changes) and token not in event.object_repr
    assert world.objects["contact"].email not in str(event.changes)


def test_expiry_is_thirty_days_after_the_later_of_end_and_sending(world):
    internship = new_internship(world, start=END - datetime.timedelta(days=11), end=END)
    before_end = _send(world, internship, now=at(END - datetime.timedelta(days=2)))
    end_of_end_day = timezone.make_aware(
        datetime.datetime.combine(END + datetime.timedelta(days=1), datetime.time.min)
    )
    assert before_end.expires_at == end_of_end_day + datetime.timedelta(days=30)
    late = at(END + datetime.timedelta(days=40))
    after_end = _send(world, internship, now=late)
    assert after_end.expires_at == late + datetime.timedelta(days=30)


def test_sending_again_revokes_the_previous_link(world):
    internship = recent_internship(world)
    first = _send(world, internship)
    first_token = token_from(mail.outbox[0])
    second = _send(world, internship, email="autre.tuteur@example.org")
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.sent_to == "autre.tuteur@example.org"
    assert mail.outbox[1].to == ["autre.tuteur@example.org"]
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(token=first_token, **review_data())
    services.submit_review_from_link(token=token_from(mail.outbox[1]), **review_data())


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("review", "déjà enregistré"),
        ("cancelled", "annulé"),
        ("no_email", "pas d'adresse e-mail"),
        ("bad_email", "adresse e-mail valide"),
        ("not_started", "pas encore commencé"),
    ],
)
def test_send_is_refused_with_a_message_and_nothing_written(world, setup, message):
    internship = recent_internship(world)
    kwargs = {}
    if setup == "review":
        internship = world.objects["internship"]  # has its review
    elif setup == "cancelled":
        internship.cancelled_at = timezone.now()
        internship.cancel_reason = "company"
        internship.save()
    elif setup == "no_email":
        tutor = internship.tutor
        tutor.email = ""
        tutor.save()
    elif setup == "bad_email":
        kwargs["email"] = "pas-une-adresse"
    elif setup == "not_started":
        today = timezone.localdate()
        internship = new_internship(
            world, start=today + datetime.timedelta(days=3), end=today + datetime.timedelta(days=9)
        )
    links_before = TutorLink.objects.count()
    with pytest.raises(ValidationError, match=message):
        _send(world, internship, **kwargs)
    assert TutorLink.objects.count() == links_before
    assert mail.outbox == []


def test_send_needs_the_permission_and_the_school(world):
    internship = recent_internship(world)
    with pytest.raises(ValidationError):
        _send(world, internship, role="intake")
    with pytest.raises(ValidationError):
        services.send_tutor_link(membership=world.outsider, internship=internship)
    assert not TutorLink.objects.filter(internship=internship).exists()


def test_a_failing_mail_server_leaves_nothing(world, monkeypatch):
    internship = recent_internship(world)

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    with pytest.raises(ValidationError, match="n'a pas pu être envoyé"):
        _send(world, internship)
    assert not TutorLink.objects.filter(internship=internship).exists()
    assert not AuditEvent.objects.filter(action="companies.tutor_link_sent").exists()


# ------------------------------------------------------------------------------ submission


def test_the_link_works_once_for_its_internship(world):
    internship = recent_internship(world)
    competency = world.objects["competency"]
    link = _send(world, internship)
    token = token_from(mail.outbox[0])
    review = services.submit_review_from_link(
        token=token, **review_data(levels={competency.pk: 3}), ip_address="192.0.2.7"
    )
    assert review.internship == internship
    assert review.source == ReviewSource.TUTOR_LINK
    assert review.recorded_by is None
    assert review.reviewer_name == "Marc Tuteur"
    assert [(row.competency, row.level) for row in review.competencies.all()] == [(competency, 3)]
    link.refresh_from_db()
    assert link.used_at is not None
    event = AuditEvent.objects.get(action="companies.review_submitted")
    assert event.actor is None and event.ip_address == "192.0.2.7"
    assert "Marc" not in str(event.changes) and token not in str(event.changes)
    # Twice: refused, nothing more written.
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(token=token, **review_data(punctuality=1))
    assert TutorReview.objects.filter(internship=internship).count() == 1
    review.refresh_from_db()
    assert review.punctuality == 4


def test_an_expired_link_is_refused(world):
    internship = new_internship(world, start=END - datetime.timedelta(days=11), end=END)
    link = _send(world, internship, now=at(END))
    token = token_from(mail.outbox[0])
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(
            token=token, now=link.expires_at + datetime.timedelta(seconds=1), **review_data()
        )
    # Still fine one second before.
    services.submit_review_from_link(
        token=token, now=link.expires_at - datetime.timedelta(seconds=1), **review_data()
    )


def test_a_revoked_link_is_refused(world):
    internship = recent_internship(world)
    _send(world, internship)
    token = token_from(mail.outbox[0])
    assert (
        services.revoke_tutor_links(membership=world.members["referent"], internship=internship)
        == 1
    )
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(token=token, **review_data())
    assert not TutorReview.objects.filter(internship=internship).exists()
    with pytest.raises(ValidationError, match="rien à révoquer"):
        services.revoke_tutor_links(membership=world.members["referent"], internship=internship)


def test_a_link_of_a_cancelled_internship_or_with_a_review_is_refused(world):
    internship = recent_internship(world)
    _send(world, internship)
    token = token_from(mail.outbox[0])
    internship.cancelled_at = timezone.now()
    internship.cancel_reason = "trainee"
    internship.save()
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(token=token, **review_data())
    # The world's link: its internship already has a review.
    world_token = world.objects["tutor_link"].token
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(token=world_token, **review_data())


def test_unknown_tokens_are_refused(world):
    for token in ("", "inconnu", "x" * 500):
        with pytest.raises(ValidationError, match="plus valable"):
            services.submit_review_from_link(token=token, **review_data())


def test_a_token_of_school_a_reaches_nothing_of_school_b(world):
    ours = recent_internship(world)
    theirs = recent_internship(world, other=True)
    _send(world, ours)
    token = token_from(mail.outbox[0])
    review = services.submit_review_from_link(token=token, **review_data())
    assert review.internship == ours and review.school == world.school
    assert not TutorReview.objects.filter(internship=theirs).exists()


def test_competencies_outside_the_goals_and_framework_or_bad_levels_are_refused(world):
    internship = recent_internship(world)
    _send(world, internship)
    token = token_from(mail.outbox[0])
    foreign = world.objects["draft_competency"]  # the school's draft framework, not the trainee's
    competency = world.objects["competency"]
    for levels, message in (
        ({foreign.pk: 2}, "ni un objectif du stage"),
        ({competency.pk: 9}, "compris entre"),
        ({"abc": 2}, "inconnu"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.submit_review_from_link(token=token, **review_data(levels=levels))
    with pytest.raises(ValidationError, match="tâches maîtrisées"):
        services.submit_review_from_link(token=token, **review_data(tasks_mastered="  "))
    with pytest.raises(ValidationError, match="appréciation"):
        services.submit_review_from_link(token=token, **review_data(punctuality=7))
    with pytest.raises(ValidationError, match="embaucheriez"):
        services.submit_review_from_link(token=token, **review_data(would_hire="bof"))
    with pytest.raises(ValidationError, match="nom"):
        services.submit_review_from_link(token=token, **review_data(reviewer_name=""))
    assert not TutorReview.objects.filter(internship=internship).exists()
    assert TutorLink.objects.get(internship=internship).used_at is None
