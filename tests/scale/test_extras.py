"""The ``extras`` stage of the scale generator (issue 12) on a tiny scale: plans, meetings,
support actions, information sessions, hires and audit events consistent with the stays;
the trainee page and the journal render for the director."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.companies.models import Hire
from parcours.intake.models import InfoSession, Registration
from parcours.organisations.models import Membership, Role
from parcours.pathways.models import (
    Enrolment,
    Meeting,
    Plan,
    PlanGoal,
    PlanStep,
    SupportAction,
    TargetJob,
)
from parcours.scale.extras import add_extras
from parcours.scale.generate import generate
from tests.utils import login_client


@pytest.fixture
def report(db) -> dict:
    return generate("tiny", seed=3, progress=lambda _line: None)


def test_extras_in_proportion_and_consistent(report):
    extras = report["extras"]
    assert extras["sanity"]["ok"], extras["sanity"]
    enrolments = Enrolment.objects.count()
    assert Plan.objects.count() == enrolments
    assert enrolments <= TargetJob.objects.count() <= 2 * enrolments
    assert 2 * enrolments <= PlanGoal.objects.count() <= 4 * enrolments
    assert 2 * enrolments <= PlanStep.objects.count() <= 4 * enrolments
    assert enrolments <= SupportAction.objects.count() <= 4 * enrolments
    assert Meeting.objects.count() > 2 * enrolments
    assert InfoSession.objects.count() > 40
    assert Registration.objects.filter(referral__isnull=False).count() > enrolments / 2
    assert extras["rows"]["audit_auditevent"] == AuditEvent.objects.count()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"enrolment.create", "meeting.create", "attendance.mark_session", "plan.create",
            "exit.record", "competencies.positioning"} <= actions  # fmt: skip
    # Hires follow an internship at its company.
    for hire in Hire.objects.select_related("internship"):
        assert hire.internship.company_id == hire.company_id
        assert hire.internship.enrolment_id == hire.enrolment_id
    # Audit events of a school are by its staff.
    staff = set(Membership.objects.values_list("user_id", flat=True))
    assert set(AuditEvent.objects.values_list("actor_id", flat=True)) <= staff


def test_extras_rows_pass_full_clean(report):
    for model in (Plan, TargetJob, PlanGoal, PlanStep, Meeting, SupportAction, InfoSession,
                  Registration, Hire, AuditEvent):  # fmt: skip
        rows = list(model.objects.order_by("?")[:25])
        assert rows or model is Hire, model  # one year of one group: maybe no hire yet
        for row in rows:
            row.full_clean()


def test_trainee_page_and_journal_render_for_the_director(report):
    director = Membership.objects.get(role=Role.DIRECTOR).user
    client = login_client(Client(), director)
    slug = Membership.objects.get(role=Role.DIRECTOR).school.slug
    enrolment = Enrolment.objects.filter(meetings__isnull=False, plans__isnull=False).first()
    for url in (
        reverse("pathways:trainee", args=[slug, enrolment.pk]),
        reverse("audit:trail", args=[slug]),
        reverse("intake:sessions", args=[slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_extras_refuse_a_second_run(report):
    with pytest.raises(ValueError, match="existent déjà"):
        add_extras(seed=3, progress=lambda _line: None)
    with pytest.raises(CommandError, match="existent déjà"):
        call_command("bench", "generate", "--stage", "extras", "--force")
