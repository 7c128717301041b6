"""The demo school's data-protection paperwork: notices given and requests from people."""

from __future__ import annotations

import pytest
from django.utils import timezone

from parcours.demo.accounts import FLAGSHIP_SLUG
from parcours.organisations.models import School
from parcours.pathways.models import Enrolment
from parcours.people.models import NoticeRecipient, PrivacyNotice, SubjectRequest


@pytest.fixture
def school(demo_built, db) -> School:
    return School.objects.get(slug=FLAGSHIP_SLUG)


def test_notices_for_most_trainees_of_the_year_and_guardians_of_minors(school):
    today = timezone.localdate()
    entered = list(
        Enrolment.objects.filter(
            school=school, entry_date__year=today.year, entry_date__lte=today
        ).select_related("person")
    )
    people = {e.person_id for e in entered}
    to_person = set(
        PrivacyNotice.objects.filter(school=school, given_to=NoticeRecipient.PERSON).values_list(
            "person_id", flat=True
        )
    )
    assert people and to_person <= people
    assert len(to_person) >= 0.8 * len(people)
    assert len(to_person) < len(people)  # some are missing: the pages show it
    minors = {
        e.person_id
        for e in entered
        if e.person.age_on(e.entry_date) < 18 and e.person.guardians.exists()
    }
    to_guardian = PrivacyNotice.objects.filter(school=school, given_to=NoticeRecipient.GUARDIAN)
    assert {n.person_id for n in to_guardian} <= minors
    assert all(n.guardian.person_id == n.person_id for n in to_guardian)
    if minors & to_person:
        assert to_guardian.exists()


def test_three_requests_one_answered_one_open_one_overdue(school):
    today = timezone.localdate()
    requests = list(SubjectRequest.objects.filter(school=school))
    assert sorted(r.kind for r in requests) == ["access", "objection", "rectification"]
    answered = [r for r in requests if not r.is_open]
    assert [r.kind for r in answered] == ["access"] and answered[0].answered_on <= answered[
        0
    ].due_on
    assert [r.kind for r in requests if r.is_overdue(today)] == ["objection"]
    assert [r.kind for r in requests if r.is_open and not r.is_overdue(today)] == ["rectification"]
