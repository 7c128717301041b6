"""Tutor reviews entered by the school, corrected, turned into assessments; the reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.companies import services_reviews as services
from parcours.companies.models import ReviewCompetency, ReviewSource, TutorReview
from parcours.competencies.models import Assessment, Evidence

from .review_helpers import at, new_internship, recent_internship, review_data, token_from

pytestmark = pytest.mark.django_db


def _call(world, internship, role="referent", **overrides):
    return services.record_review_from_call(
        membership=world.members[role], internship=internship, **review_data(**overrides)
    )


# ------------------------------------------------------------------------------ from a call


def test_review_from_a_call_is_recorded_and_revokes_the_link(world):
    internship = recent_internship(world)
    link = services.send_tutor_link(
        membership=world.members["company_relations"], internship=internship
    )
    competency = world.objects["competency"]
    review = _call(world, internship, levels={competency.pk: 2})
    assert review.source == ReviewSource.CALL
    assert review.recorded_by == world.members["referent"].user
    assert review.competencies.get().level == 2
    link.refresh_from_db()
    assert link.revoked_at is not None
    event = AuditEvent.objects.get(action="companies.review_recorded")
    assert event.changes["revoked_links"] == 1
    assert "Stagiaire sérieuse" not in str(event.changes)


@pytest.mark.parametrize(
    ("case", "message"),
    [("exists", "déjà enregistré"), ("cancelled", "annulé"), ("future", "pas encore commencé")],
)
def test_review_from_a_call_refusals(world, case, message):
    if case == "exists":
        internship = world.objects["internship"]
    elif case == "cancelled":
        internship = recent_internship(world)
        internship.cancelled_at = timezone.now()
        internship.cancel_reason = "school"
        internship.save()
    else:
        today = timezone.localdate()
        internship = new_internship(
            world, start=today + datetime.timedelta(days=1), end=today + datetime.timedelta(days=5)
        )
    before = TutorReview.objects.count()
    with pytest.raises(ValidationError, match=message):
        _call(world, internship)
    assert TutorReview.objects.count() == before


def test_review_from_a_call_needs_the_permission_and_the_school(world):
    internship = recent_internship(world)
    with pytest.raises(ValidationError):
        _call(world, internship, role="intake")
    with pytest.raises(ValidationError):
        services.record_review_from_call(
            membership=world.outsider, internship=internship, **review_data()
        )
    assert not TutorReview.objects.filter(internship=internship).exists()


# ------------------------------------------------------------------------------ update


def test_update_review_changes_fields_and_competencies_and_audits_without_text(world):
    internship = recent_internship(world)
    competency = world.objects["competency"]
    review = _call(world, internship)
    services.update_review(
        membership=world.members["company_relations"],
        review=review,
        **review_data(
            punctuality=2, comments="Retards en fin de stage.", levels={competency.pk: 1}
        ),
    )
    review.refresh_from_db()
    assert review.punctuality == 2 and review.comments == "Retards en fin de stage."
    assert review.competencies.get().level == 1
    event = AuditEvent.objects.get(action="companies.review_updated")
    assert event.changes["punctuality"] == [4, 2]
    assert event.changes["comments"] == "modifié"
    assert "Retards" not in str(event.changes)
    # Level changed, then removed.
    services.update_review(
        membership=world.members["company_relations"],
        review=review,
        **review_data(levels={competency.pk: 3}),
    )
    assert review.competencies.get().level == 3
    services.update_review(
        membership=world.members["company_relations"], review=review, **review_data()
    )
    assert not review.competencies.exists()


def test_update_review_keeps_the_level_of_an_assessed_observation(world):
    review = world.objects["tutor_review"]
    observation = world.objects["review_competency"]
    observation.assessment = world.objects["assessment"]
    observation.save()
    with pytest.raises(ValidationError, match="déjà été transformée en évaluation"):
        services.update_review(
            membership=world.members["referent"],
            review=review,
            **review_data(levels={observation.competency_id: 1}),
        )
    observation.refresh_from_db()
    assert observation.level == 3
    review.refresh_from_db()
    assert review.punctuality == 4


# ------------------------------------------------------------------------------ assessment


def _observation(world):
    internship = recent_internship(world)
    competency = world.objects["competency"]
    review = _call(world, internship, levels={competency.pk: 3})
    return review.competencies.get()


def test_review_to_assessment(world, settings):
    settings.PUBLIC_BASE_URL = "https://parcours.example.org"
    observation = _observation(world)
    review = observation.review
    internship = review.internship
    assessment = services.review_to_assessment(
        membership=world.members["referent"], observation=observation
    )
    assert assessment.competency == observation.competency
    assert assessment.level == 3
    assert assessment.context == "internship"
    assert assessment.assessed_on == timezone.localtime(review.submitted_at).date()
    assert assessment.enrolment == internship.enrolment
    evidence = {row.kind: row for row in Evidence.objects.filter(assessment=assessment)}
    day = assessment.assessed_on.strftime("%d/%m/%Y")
    assert evidence["note"].note == (
        f"Bilan de stage de {internship.company.name} du {day} (tuteur·rice)"
    )
    assert evidence["link"].url.startswith("https://parcours.example.org/e/e2c-alpha/")
    observation.refresh_from_db()
    assert observation.assessment == assessment
    assert AuditEvent.objects.filter(action="companies.review_to_assessment").count() == 1
    # Twice: refused, nothing more written.
    count = Assessment.objects.count()
    with pytest.raises(ValidationError, match="déjà transformée"):
        services.review_to_assessment(membership=world.members["referent"], observation=observation)
    assert Assessment.objects.count() == count


def test_review_to_assessment_needs_assess(world):
    observation = _observation(world)
    count = Assessment.objects.count()
    with pytest.raises(ValidationError, match="rôle"):
        services.review_to_assessment(
            membership=world.members["company_relations"], observation=observation
        )
    with pytest.raises(ValidationError):
        services.review_to_assessment(membership=world.outsider, observation=observation)
    assert Assessment.objects.count() == count
    observation.refresh_from_db()
    assert observation.assessment is None


def test_review_to_assessment_outside_the_framework_is_refused_cleanly(world):
    """A goal on a competency of another framework: the assessment service says why."""
    observation = _observation(world)
    ReviewCompetency.objects.filter(pk=observation.pk).update(
        competency=world.objects["draft_competency"]
    )
    observation.refresh_from_db()
    count = Assessment.objects.count()
    with pytest.raises(ValidationError, match="n'appartient pas au référentiel"):
        services.review_to_assessment(membership=world.members["director"], observation=observation)
    assert Assessment.objects.count() == count


# ------------------------------------------------------------------------------ reminders

END = datetime.date(2024, 6, 14)


def _linked_internship(world, end=END):
    internship = new_internship(world, start=end - datetime.timedelta(days=11), end=end)
    link = services.send_tutor_link(
        membership=world.members["company_relations"], internship=internship, now=at(end)
    )
    mail.outbox.clear()
    return internship, link


def test_reminders_at_7_14_and_21_days_then_no_more(world):
    _internship, link = _linked_internship(world)
    schedule = {6: 0, 7: 1, 8: 0, 13: 0, 14: 1, 15: 0, 21: 1, 28: 0, 35: 0}
    for days, expected in schedule.items():
        sent = services.send_overdue_reminders(today=END + datetime.timedelta(days=days))
        assert sent == expected, days
    link.refresh_from_db()
    assert link.reminders_sent == 3
    assert timezone.localtime(link.last_reminder_at).date() == END + datetime.timedelta(days=21)
    assert len(mail.outbox) == 3
    assert all(message.to == [link.sent_to] for message in mail.outbox)
    assert mail.outbox[0].subject.startswith("Rappel")
    # Each reminder carries a fresh token; only the newest works.
    tokens = [token_from(message) for message in mail.outbox]
    assert len(set(tokens)) == 3
    assert link.expires_at >= at(END + datetime.timedelta(days=35), 0)
    now = at(END + datetime.timedelta(days=22))
    with pytest.raises(ValidationError, match="plus valable"):
        services.submit_review_from_link(token=tokens[0], now=now, **review_data())
    services.submit_review_from_link(token=tokens[-1], now=now, **review_data())
    events = AuditEvent.objects.filter(action="companies.tutor_link_reminder")
    assert events.count() == 3
    assert all(token not in str(event.changes) for event in events for token in tokens)


def test_no_reminder_once_the_review_exists_or_the_link_is_revoked(world):
    internship, _link = _linked_internship(world)
    other, _other_link = _linked_internship(world, end=END + datetime.timedelta(days=30))
    services.record_review_from_call(
        membership=world.members["referent"], internship=internship, **review_data()
    )
    services.revoke_tutor_links(
        membership=world.members["referent"],
        internship=other,
        now=at(END + datetime.timedelta(days=31)),
    )
    for days in (7, 14, 21, 37, 44):
        assert services.send_overdue_reminders(today=END + datetime.timedelta(days=days)) == 0
    assert mail.outbox == []


def test_no_reminder_for_a_cancelled_internship_or_before_the_end(world):
    internship, _link = _linked_internship(world)
    assert services.send_overdue_reminders(today=END) == 0
    internship.cancelled_at = timezone.now()
    internship.cancel_reason = "company"
    internship.save()
    assert services.send_overdue_reminders(today=END + datetime.timedelta(days=7)) == 0


def test_a_link_sent_late_waits_a_week_before_its_first_reminder(world):
    internship = new_internship(world, start=END - datetime.timedelta(days=11), end=END)
    services.send_tutor_link(
        membership=world.members["company_relations"],
        internship=internship,
        now=at(END + datetime.timedelta(days=10)),
    )
    assert services.send_overdue_reminders(today=END + datetime.timedelta(days=14)) == 0
    assert services.send_overdue_reminders(today=END + datetime.timedelta(days=17)) == 1


def test_a_failing_reminder_is_logged_and_not_counted(world, monkeypatch):
    _internship, link = _linked_internship(world)
    token_hash = link.token_hash

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    assert services.send_overdue_reminders(today=END + datetime.timedelta(days=7)) == 0
    link.refresh_from_db()
    assert link.reminders_sent == 0
    assert link.token_hash == token_hash  # the mailed link still works
