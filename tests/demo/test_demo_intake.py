"""E2C Puy-de-Dôme's intake history 2017–2019 and current pipeline, as built by ``parcours demo``.

The demo is built once for the module (inside a transaction rolled back at the end); each test
runs in its own savepoint. The figures are computed here with explicit ORM queries, as the
reports of the next issues will.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter

import pytest
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import User
from parcours.audit.models import AuditEvent
from parcours.demo.accounts import DEMO_PASSWORD
from parcours.demo.builder import build_demo, reset_demo
from parcours.demo.intake_history import max_minor_share
from parcours.intake import eligibility, selectors
from parcours.intake.models import (
    Channel,
    Decision,
    EligibilityRules,
    InfoSession,
    Interview,
    Outcome,
    Referral,
    Registration,
    RegistrationStatus,
    Stage,
)
from parcours.intake.services import candidate_for, rules_in_force
from parcours.organisations.models import Membership, PrescriberType, Role, School
from parcours.pathways.models import Enrolment, EnrolmentStatus, EntrySituation
from parcours.people.models import Person, age_on

from ..utils import login_client, page_text, password_works

START_2018 = datetime.date(2018, 1, 1)
END_2018 = datetime.date(2018, 12, 31)
HISTORY = (datetime.date(2017, 1, 1), datetime.date(2019, 12, 31))


@pytest.fixture
def demo(demo_output, db):
    return demo_output[0]


@pytest.fixture
def school(demo) -> School:
    return School.objects.get(slug="e2c-63")


def _member(email: str) -> Membership:
    return Membership.objects.select_related("school", "user", "partner").get(user__email=email)


def _overlapping_2018(school):
    return Enrolment.objects.filter(
        school=school, entry_date__lte=END_2018, ended_on__gte=START_2018
    )


# ------------------------------------------------------------------------- the 2018 figures


def test_210_people_were_present_in_2018(school):
    overlapping = _overlapping_2018(school)
    assert overlapping.values("person").distinct().count() == 210
    # Three people came back in 2018 after a first stay in 2017: they count once.
    returners = Person.objects.filter(school=school).annotate(n=Count("enrolments")).filter(n=2)
    assert returners.count() == 3
    for person in returners:
        first, back = person.enrolments.order_by("entry_date")
        assert first.entry_date.year == 2017 and first.ended_on < START_2018
        assert back.entry_date.year == 2018
        assert back.referral.reason.startswith("Retour à l'E2C")
    assert (
        Person.objects.filter(school=school).annotate(n=Count("enrolments")).filter(n__gt=2).count()
        == 0
    )


def test_30_of_them_came_through_the_plie(school):
    plie = _overlapping_2018(school).filter(funding_lines__code="plie")
    assert plie.values("person").distinct().count() == 30
    # Each PLIE stay comes from a PLIE referral, and every PLIE referral of those stays gives
    # the PLIE funding line.
    assert all(e.referral.prescriber.prescriber_type == "plie" for e in plie)
    from_plie = _overlapping_2018(school).filter(referral__prescriber__prescriber_type="plie")
    assert set(from_plie.values_list("pk", flat=True)) == set(plie.values_list("pk", flat=True))


def test_179_were_under_26_when_they_entered(school):
    latest: dict[int, Enrolment] = {}
    for enrolment in _overlapping_2018(school).select_related("person"):
        known = latest.get(enrolment.person_id)
        if known is None or known.entry_date < enrolment.entry_date:
            latest[enrolment.person_id] = enrolment
    ages = {pk: age_on(e.person.birth_date, e.entry_date) for pk, e in latest.items()}
    assert sum(age < 26 for age in ages.values()) == 179
    assert round(100 * 179 / 210) == 85
    # The 31 others: 28 women living in a QPV referred by the PLIE (the school's special
    # public) and 3 people admitted by the director's override.
    older = [latest[pk] for pk, age in ages.items() if age >= 26]
    assert len(older) == 31
    plie_women = [
        e
        for e in older
        if e.referral.prescriber.prescriber_type == "plie"
        and e.person.gender == "F"
        and e.entry_situation.qpv_code
    ]
    assert len(plie_women) == 28
    overridden = [e for e in older if e not in plie_women]
    assert all(
        e.referral.decisions.get(outcome=Outcome.ADMITTED).override_reason for e in overridden
    )


def test_exits_and_entries_per_year(school):
    enrolments = Enrolment.objects.filter(school=school)
    history = enrolments.filter(entry_date__range=HISTORY)
    assert history.exclude(status=EnrolmentStatus.EXITED).count() == 0
    assert history.filter(ended_on__isnull=True).count() == 0
    entries = Counter(history.values_list("entry_date__year", flat=True))
    assert 170 <= entries[2017] <= 190
    assert entries[2018] == 150
    assert 180 <= entries[2019] <= 200
    assert 130 <= history.filter(ended_on__year=2018).count() <= 150
    entered_2018_left_2019 = history.filter(entry_date__year=2018, ended_on__year=2019).count()
    assert 50 <= entered_2018_left_2019 <= 75
    # Most stay 5 to 7 months; some drop out after 1 to 3 months.
    lengths = [(e.ended_on - e.entry_date).days for e in history]
    assert sum(140 <= days <= 215 for days in lengths) / len(lengths) > 0.7
    assert sum(days < 100 for days in lengths) >= 40
    assert all(e.planned_end_date == eligibility.add_months(e.entry_date, 6) for e in enrolments)


def test_women_and_minors(school):
    situations = EntrySituation.objects.filter(school=school).select_related("enrolment")
    total = situations.count()
    women = situations.filter(gender="F").count()
    minors = sum(age_on(s.birth_date, s.enrolment.entry_date) < 18 for s in situations)
    assert 0.40 <= women / total <= 0.50
    assert 0.08 <= minors / total <= 0.16
    # Never more than 25 % of minors among the trainees present, on any day.
    stays = [
        (e.entry_date, e.ended_on, e.person.birth_date)
        for e in Enrolment.objects.filter(school=school).select_related("person")
    ]
    history = [stay for stay in stays if stay[0] <= HISTORY[1]]
    share, day = max_minor_share(history, datetime.date(2020, 12, 31))
    assert share <= 25, day
    today = timezone.localdate()
    present = [birth for entry, end, birth in stays if entry <= today and end is None]
    assert 100 * sum(age_on(b, today) < 18 for b in present) / len(present) <= 25


def test_entry_situations_are_realistic(school):
    situations = EntrySituation.objects.filter(school=school)
    total = situations.count()
    by = {
        name: Counter(situations.values_list(name, flat=True))
        for name in (
            "diploma_level",
            "job_seeker_status",
            "rqth",
            "receives_rsa",
            "driving_licence",
            "foreign_origin",
            "single_parent",
        )
    }
    assert (by["diploma_level"]["none"] + by["diploma_level"]["3"]) / total > 0.8
    assert by["diploma_level"]["4"] > 0
    assert 0.03 <= by["rqth"]["yes"] / total <= 0.08
    assert 0.10 <= by["driving_licence"][True] / total <= 0.20
    assert by["foreign_origin"]["declined"] > 0 and by["single_parent"]["declined"] > 0
    assert set(by["job_seeker_status"]) <= {"registered", "not_registered", "inactive"}
    # The RSA is open from 25: nobody younger receives it.
    for situation in situations.filter(receives_rsa="yes").select_related("enrolment"):
        assert age_on(situation.birth_date, situation.enrolment.entry_date) >= 25
    qpv = situations.exclude(qpv_code="")
    assert qpv.exists()
    assert all(
        code.startswith("QN063") and code.endswith("M")
        for code in qpv.values_list("qpv_code", flat=True)
    )
    assert qpv.filter(qpv_checked_on__isnull=True).count() == 0
    assert set(qpv.values_list("commune", flat=True)) <= {
        "Clermont-Ferrand",
        "Cournon-d'Auvergne",
        "Riom",
    }


def test_funding_lines_follow_the_referral_and_the_address(school):
    for enrolment in (
        Enrolment.objects.filter(school=school)
        .select_related("referral__prescriber", "entry_situation")
        .prefetch_related("funding_lines")
    ):
        codes = {line.code for line in enrolment.funding_lines.all()}
        assert "region" in codes
        from_plie = (
            enrolment.referral.prescriber_id is not None
            and enrolment.referral.prescriber.prescriber_type == "plie"
        )
        assert ("plie" in codes) == from_plie
        assert ("politique_ville" in codes) == bool(enrolment.entry_situation.qpv_code)
        assert enrolment.entry_situation.qpv_code == enrolment.referral.qpv_code
    fse = Enrolment.objects.filter(school=school, funding_lines__code="fse_plus").count()
    assert 0.4 <= fse / Enrolment.objects.filter(school=school).count() <= 0.6


# --------------------------------------------------------------------------- the referrals


def test_referral_mix_and_outcomes(school):
    history = Referral.objects.filter(school=school, received_on__range=HISTORY)
    total = history.count()
    assert 700 <= total <= 780
    by_type = Counter(history.values_list("prescriber__prescriber_type", flat=True))
    share = {key: by_type[key] / total for key in by_type}
    assert 0.50 <= share[PrescriberType.MISSION_LOCALE] <= 0.60
    assert 0.11 <= share[PrescriberType.FRANCE_TRAVAIL] <= 0.19
    assert 0.11 <= share[PrescriberType.PLIE] <= 0.19
    assert 0.07 <= share[None] <= 0.13  # spontaneous applications
    assert 0.03 <= share[PrescriberType.CAP_EMPLOI] + share[PrescriberType.DEPARTEMENT] <= 0.08
    assert all(r.channel == Channel.SPONTANEOUS for r in history.filter(prescriber__isnull=True))
    decisions = Counter(
        Decision.objects.filter(referral__in=history).values_list("outcome", flat=True)
    )
    assert 0.66 <= decisions[Outcome.ADMITTED] / total <= 0.74
    assert 0.08 <= decisions[Outcome.REFUSED] / total <= 0.12
    assert 0.03 <= decisions[Outcome.POSTPONED] / total <= 0.07
    # Withdrawn: directly (15 %) or after a postponement.
    assert 0.12 <= (decisions[Outcome.WITHDRAWN] - decisions[Outcome.POSTPONED]) / total <= 0.2
    refused = Decision.objects.filter(referral__in=history, outcome=Outcome.REFUSED)
    assert not refused.filter(reason="").exists()
    # Every admitted candidate of the history entered: stage and outcome say so.
    admitted = history.filter(decisions__outcome=Outcome.ADMITTED)
    assert not admitted.exclude(stage=Stage.ENTERED).exists()
    assert not admitted.filter(enrolment__isnull=True).exists()


def test_every_referral_chain_is_in_date_order(school):
    referrals = (
        Referral.objects.filter(school=school)
        .prefetch_related("registrations__session", "interviews", "decisions")
        .select_related("enrolment")
    )
    checked = 0
    for referral in referrals:
        days = [referral.received_on]
        days += [r.session.starts_at.date() for r in referral.registrations.all()]
        days += [i.held_at.date() for i in referral.interviews.all()]
        days += sorted(d.decided_on for d in referral.decisions.all())
        enrolment = getattr(referral, "enrolment", None)
        if enrolment is not None:
            days.append(enrolment.entry_date)
            if enrolment.ended_on:
                days.append(enrolment.ended_on)
        assert days == sorted(days) and len(set(days)) == len(days), (referral.pk, days)
        for decision in referral.decisions.all():
            if decision.planned_entry_date:
                assert decision.planned_entry_date > decision.decided_on
                if enrolment is not None:
                    assert decision.planned_entry_date == enrolment.entry_date
        checked += 1
    assert checked > 750
    # Information sessions 2 to 3 weeks after the referral in the history.
    gaps = [
        (r.session.starts_at.date() - r.referral.received_on).days
        for r in Registration.objects.filter(
            school=school, referral__received_on__range=HISTORY
        ).select_related("session", "referral")
    ]
    assert sum(14 <= gap <= 21 for gap in gaps) / len(gaps) > 0.8


def test_every_admitted_person_is_eligible_or_admitted_by_override(school):
    director = _member("direction@e2c-63.demo").user
    admissions = Decision.objects.filter(school=school, outcome=Outcome.ADMITTED).select_related(
        "referral__person", "referral__prescriber", "referral__school", "decided_by"
    )
    overrides = 0
    for decision in admissions:
        rules = rules_in_force(school, decision.planned_entry_date)
        assert decision.rules_id == rules.pk
        result = eligibility.check(
            eligibility.Rules.from_model(rules),
            candidate_for(decision.referral),
            decision.planned_entry_date,
        )
        assert decision.eligibility == result.as_json()
        if not result.eligible:
            overrides += 1
            assert decision.override_reason.strip()
            assert decision.decided_by == director
            assert [f.code for f in result.failures] == ["age"]
        else:
            assert decision.override_reason == ""
    assert overrides == 3


def test_eligibility_rules_version_1(school):
    rules = EligibilityRules.objects.get(school=school)
    assert rules.version == 1
    assert rules.valid_from == datetime.date(2014, 1, 1)
    assert (rules.min_age, rules.max_age, rules.min_months_out_of_school) == (16, 25, 12)
    assert rules.require_not_in_employment_or_training
    (public,) = rules.special_publics.all()
    assert public.label == "Femmes de plus de 25 ans habitant un QPV, orientées par le PLIE"
    assert (public.gender, public.min_age, public.max_age) == ("F", 26, None)
    assert public.requires_qpv and public.prescriber_type == "plie"


def test_interviews_are_held_by_the_intake_staff(school):
    interviews = Interview.objects.filter(school=school).select_related("interviewer")
    assert {i.interviewer.role for i in interviews} == {Role.INTAKE}
    assert len({i.interviewer_id for i in interviews}) == 2
    assert not interviews.filter(notes="").exists()


# ---------------------------------------------------------------------- information sessions


def test_information_sessions_every_other_tuesday(school):
    history = InfoSession.objects.filter(school=school, starts_at__date__range=HISTORY)
    days = [timezone.localtime(s.starts_at) for s in history.order_by("starts_at")]
    assert days[0].date() == datetime.date(2017, 1, 3)
    assert days[-1].date() == datetime.date(2019, 12, 31)
    assert len(days) == 79
    assert all((b - a).days == 14 for a, b in itertools.pairwise(days))
    assert all(d.weekday() == 1 and (d.hour, d.minute) == (9, 30) for d in days)
    for session in history.select_related("site", "room"):
        assert session.site.name == "Cours Sablon"
        assert session.room.capacity >= 12
        assert session.capacity == 15
        assert timezone.localtime(session.ends_at).hour == 11
    confirmed = Registration.objects.filter(school=school, status=RegistrationStatus.CONFIRMED)
    full = confirmed.values("session").annotate(n=Count("pk")).order_by("-n").first()["n"]
    assert full <= 15
    past = confirmed.filter(session__starts_at__lt=timezone.now())
    came = past.filter(attended=True).count() / past.count()
    assert 0.75 <= came <= 0.88
    assert not past.filter(attended__isnull=True).exists()
    public = Registration.objects.filter(school=school, from_public_agenda=True)
    assert public.count() > 100
    assert not public.filter(referral__isnull=False).exists()
    assert not public.filter(email="", phone="").exists()


# -------------------------------------------------------------------------- current pipeline


def test_current_pipeline(school):
    today = timezone.localdate()
    upcoming = selectors.public_sessions(school)
    assert upcoming.count() >= 4
    assert all(s.starts_at <= timezone.now() + datetime.timedelta(weeks=9) for s in upcoming)
    assert sum(s.confirmed > 0 for s in upcoming) >= 3
    recent = InfoSession.objects.filter(
        school=school, starts_at__gte=timezone.now() - datetime.timedelta(weeks=8)
    )
    starts = sorted(timezone.localtime(s.starts_at).date() for s in recent)
    assert all((b - a).days == 14 for a, b in itertools.pairwise(starts))

    open_candidates = (
        Referral.objects.filter(school=school)
        .exclude(stage=Stage.ENTERED)
        .exclude(outcome__in=[Outcome.REFUSED, Outcome.WITHDRAWN])
        .filter(received_on__gt=HISTORY[1])
    )
    assert 12 <= open_candidates.count() <= 18
    assert {r.stage for r in open_candidates} == {
        Stage.REFERRED,
        Stage.INFO_SESSION,
        Stage.INTERVIEW,
        Stage.DECISION,
    }
    assert all(r.received_on >= today - datetime.timedelta(weeks=6) for r in open_candidates)
    prescriber = _member("prescripteur@e2c-63.demo")
    assert open_candidates.filter(adviser=prescriber).count() >= 3

    active = Enrolment.objects.filter(school=school, status=EnrolmentStatus.ACTIVE)
    assert 35 <= active.count() <= 45
    assert not active.filter(ended_on__isnull=False).exists()
    five_months_ago = eligibility.add_months(today, -5)
    assert not active.filter(Q(entry_date__lt=five_months_ago) | Q(entry_date__gt=today)).exists()
    assert not active.filter(entry_situation__isnull=True).exists()
    assert not active.filter(funding_lines__isnull=True).exists()
    caseloads = Counter(active.values_list("referent__user__email", flat=True))
    assert caseloads["referent@e2c-63.demo"] == 8
    assert len(caseloads) == 7


def test_prescriber_account_sees_only_the_referrals_it_follows(school):
    prescriber = _member("prescripteur@e2c-63.demo")
    visible = selectors.referrals_for(prescriber)
    followed = Referral.objects.filter(school=school, adviser=prescriber)
    assert set(visible) == set(followed)
    assert followed.count() > 100
    assert {r.prescriber.name for r in followed} == {"Mission Locale Clermont Métropole et Volcans"}
    assert {r.channel for r in followed} == {Channel.ONLINE}
    assert not followed.filter(received_on__lt=datetime.date(2019, 1, 1)).exists()
    assert followed.filter(received_on__gt=HISTORY[1]).exists()
    # Every Mission Locale referral of 2019 is followed by the account; nobody else advises.
    ml_2019 = Referral.objects.filter(
        school=school,
        received_on__year=2019,
        prescriber__prescriber_type=PrescriberType.MISSION_LOCALE,
    )
    assert not ml_2019.filter(adviser__isnull=True).exists()
    assert (
        not Referral.objects.filter(school=school)
        .exclude(Q(adviser__isnull=True) | Q(adviser=prescriber))
        .exists()
    )


def test_board_of_the_demo_school(school, django_assert_max_num_queries):
    client = Client()
    assert password_works("accueil@e2c-63.demo", DEMO_PASSWORD)
    login_client(client, User.objects.get(email="accueil@e2c-63.demo"))
    with django_assert_max_num_queries(18):
        response = client.get(reverse("intake:board", args=["e2c-63"]))
    assert response.status_code == 200
    counts = {column.stage: column.count for column in response.context["columns"]}
    assert counts[Stage.ENTERED] == Enrolment.objects.filter(school=school).count()
    text = page_text(response)
    assert "Closes :" in text and "refusées" in text
    filtered = client.get(
        reverse("intake:board", args=["e2c-63"]),
        {"received_from": "01/01/2018", "received_to": "31/12/2018", "prescriber_type": "plie"},
    )
    assert filtered.status_code == 200


# ------------------------------------------------------------------ output and determinism


def test_summary_line_is_computed_from_the_database(demo, school):
    referrals = Referral.objects.filter(school=school, received_on__range=HISTORY).count()
    active = Enrolment.objects.filter(school=school, status=EnrolmentStatus.ACTIVE).count()
    assert (
        f"E2C Puy-de-Dôme : {referrals} candidatures 2017–2019, 210 stagiaires présents en 2018 "
        f"(dont 30 PLIE), {active} parcours en cours." in demo
    )


def test_the_demo_writes_no_audit_event_for_its_intake_history(demo):
    # (The demo's build time is a benchmark figure, not a test: see bench/.)
    # Only a recent sample of the journal is written (tests/demo/test_demo.py).
    assert not AuditEvent.objects.filter(
        action__regex=r"^(referral|interview|registration|info_session|enrolment)\."
    ).exists()


def _fingerprint(school) -> list[tuple]:
    """Who, what and when, in a stable order (rows sorted in Python: no ties left to the
    database)."""
    tables = [
        Person.objects.filter(school=school).values_list(
            "last_name", "first_name", "birth_date", "gender", "email", "phone", "address"
        ),
        Referral.objects.filter(school=school).values_list(
            "person__last_name",
            "person__first_name",
            "received_on",
            "prescriber__name",
            "adviser__user__email",
            "stage",
            "outcome",
            "qpv_code",
        ),
        Decision.objects.filter(school=school).values_list(
            "referral__person__last_name", "decided_on", "outcome", "planned_entry_date"
        ),
        Interview.objects.filter(school=school).values_list(
            "referral__person__last_name", "held_at", "interviewer__user__email"
        ),
        Enrolment.objects.filter(school=school).values_list(
            "person__last_name", "entry_date", "ended_on", "referent__user__email"
        ),
        InfoSession.objects.filter(school=school).values_list("starts_at"),
        Registration.objects.filter(school=school).values_list(
            "session__starts_at", "last_name", "first_name", "attended"
        ),
    ]
    return [row for table in tables for row in sorted(table, key=repr)]


def test_two_resets_build_the_same_history(demo):
    first = _fingerprint(School.objects.get(slug="e2c-63"))
    build_demo()
    assert _fingerprint(School.objects.get(slug="e2c-63")) == first
    assert len(first) > 4000


def test_reset_removes_every_intake_record(demo):
    school = School.objects.get(slug="e2c-63")
    assert Person.objects.filter(school=school).exists()
    reset_demo()
    for model in (Person, Referral, InfoSession, Registration, Decision, Interview, Enrolment):
        assert not model.objects.exists(), model
    assert not EligibilityRules.objects.exists()
