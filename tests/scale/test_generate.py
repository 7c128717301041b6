"""The scale-data generator (issue 12) on a tiny scale: consistent rows, pages that render,
key figures equal to counts computed independently, 2FA devices the load test can use."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.companies.models import Company, Contact, Internship, TutorReview
from parcours.competencies.models import Assessment, Evidence
from parcours.intake.models import Decision, Interview, Referral
from parcours.organisations.models import Membership, Partner, Role, Room, School, Site
from parcours.outcomes.models import Exit, ExitFollowUp
from parcours.pathways.models import Enrolment, EnrolmentPhase, EntrySituation
from parcours.people.models import Person, age_on
from parcours.reporting.indicators import key_figures
from parcours.reporting.periods import Period
from parcours.scale import BENCH_PASSWORD, school_slug, staff_email, totp_key
from parcours.scale.generate import generate
from parcours.schedule.models import AttendanceMark, ClosedMonth, Session, SessionTrainee
from tests.utils import login_client


@pytest.fixture
def report(db) -> dict:
    return generate("tiny", seed=3, progress=lambda _line: None)


def test_report_counts_and_sanity(report):
    assert report["sanity"]["ok"], report["sanity"]
    rows = report["rows"]
    assert rows["pathways_enrolment"] == Enrolment.objects.count() > 5
    assert rows["schedule_attendancemark"] == AttendanceMark.objects.count() > 1000
    assert rows["schedule_session"] == Session.objects.count()
    assert report["database_bytes"] > 0
    assert report["sanity"]["key_figures"]["trainees"] > 0
    # One mark a half-day and enrolment, inside the stay; reasons only for excused absences.
    assert (
        not AttendanceMark.objects.values("enrolment", "day", "half")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not AttendanceMark.objects.filter(~Q(status="excused"), ~Q(reason=""))
    assert not AttendanceMark.objects.filter(status="excused", reason="")
    # Every exited stay has its exit; every enrolment its situation and a current phase or end.
    assert Exit.objects.count() == Enrolment.objects.filter(status="exited").count()
    assert EntrySituation.objects.count() == Enrolment.objects.count()
    assert not Enrolment.objects.filter(status="active", phases__isnull=True)
    # Marks of a session belong to its participants (company days carry no session).
    participants = set(SessionTrainee.objects.values_list("session_id", "enrolment_id"))
    marked = set(
        AttendanceMark.objects.filter(session__isnull=False).values_list(
            "session_id", "enrolment_id"
        )
    )
    assert marked <= participants
    assert not AttendanceMark.objects.filter(session__isnull=True).exclude(status="company")
    # Internships lie inside their stay.
    for internship in Internship.objects.select_related("enrolment"):
        assert internship.start_date >= internship.enrolment.entry_date
        if internship.enrolment.ended_on:
            assert internship.end_date <= internship.enrolment.ended_on


SAMPLED = [
    School, Site, Room, Membership, Partner, Person, Referral, Interview, Decision, Enrolment,
    EntrySituation, EnrolmentPhase, Session, SessionTrainee, AttendanceMark, ClosedMonth,
    Company, Contact, Internship, TutorReview, Assessment, Evidence, Exit, ExitFollowUp,
]  # fmt: skip


def test_rows_pass_full_clean(report):
    for model in SAMPLED:
        objects = list(model.objects.order_by("?")[:25])
        assert objects, model
        for obj in objects:
            obj.full_clean()


def test_staff_accounts_and_devices(report):
    slug = school_slug(1)
    director = get_user_model().objects.get(email=staff_email(Role.DIRECTOR, slug))
    assert director.check_password(BENCH_PASSWORD)
    roles = set(Membership.objects.filter(school__slug=slug).values_list("role", flat=True))
    assert roles == {"director", "intake", "referent", "company_relations"}
    assert Membership.objects.filter(school__slug=slug, role="referent").count() >= 3
    assert Membership.objects.filter(role="network", school__isnull=True).count() == 1
    device = TOTPDevice.objects.get(user=director, confirmed=True)
    assert device.key == totp_key(director.email)
    assert device.verify_token(totp(bytes.fromhex(totp_key(director.email))))


def test_main_pages_render_for_the_director(report):
    slug = school_slug(1)
    director = Membership.objects.get(school__slug=slug, role="director").user
    client = login_client(Client(), director)
    today = timezone.localdate()
    enrolment = Enrolment.objects.filter(status="active").first()
    session = (
        Session.objects.filter(day__lt=today)
        .annotate(n=Count("participants"))
        .order_by("-n", "-day")
        .first()
    )
    company = Company.objects.annotate(n=Count("internships")).order_by("-n").first()
    urls = [
        reverse("pathways:trainees", args=[slug]),
        reverse("pathways:trainee", args=[slug, enrolment.pk]),
        reverse("schedule:session_attendance", args=[slug, session.pk]),
        reverse("companies:company", args=[slug, company.pk]),
        reverse("reporting:key_figures", args=[slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


def test_key_figures_equal_independent_counts(report):
    school = School.objects.get(slug=school_slug(1))
    today = timezone.localdate()
    period = Period(today.replace(month=1, day=1) - datetime.timedelta(days=365), today)
    figures = key_figures(school, period)
    present = Enrolment.objects.filter(school=school).overlapping(period.start, period.end)
    people = Person.objects.filter(enrolments__in=present).distinct()
    assert figures.trainees == people.count() > 0
    assert figures.women.count == people.filter(gender="F").count()
    latest = {}
    for enrolment in present.select_related("person").order_by("entry_date", "pk"):
        latest[enrolment.person_id] = enrolment
    under_26 = sum(age_on(e.person.birth_date, e.entry_date) < 26 for e in latest.values())
    assert figures.under_26.count == under_26
    entries = present.filter(entry_date__gte=period.start).count()
    assert sum(month.entries for month in figures.months) == entries
    assert figures.staff == Membership.objects.filter(school=school).count()
    assert figures.sites == 1


def test_refuses_a_second_run(report):
    with pytest.raises(ValueError, match="base neuve"):
        generate("tiny", progress=lambda _line: None)


def test_command_generates_and_writes_its_report(db, tmp_path, settings):
    import io
    import json

    from django.core.management import call_command

    settings.DEBUG = True
    out = io.StringIO()
    call_command("bench", "generate", "--scale", "tiny", "--json", tmp_path / "r.json", stdout=out)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["scale"] == "tiny"
    assert report["sanity"]["ok"]
    assert report["rows"]["schedule_attendancemark"] > 0
    assert "émargements" in out.getvalue()
