"""The demo's partner companies and internships: some 120 companies around Clermont-Ferrand,
an internship for every internship period of the Cours Sablon trainees, signed agreements,
tutor reviews and hires."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import re
from collections import Counter, defaultdict

import pytest
from django.utils import timezone
from stdnum.fr import siret as stdnum_siret

from parcours.companies.agreements import missing_signatures
from parcours.companies.models import (
    CONTRACTS_WITH_LENGTH,
    AgreementSignature,
    Company,
    CompanyEvent,
    CompanyEventKind,
    Contact,
    Hire,
    Internship,
    InternshipGoal,
    InternshipKind,
    ReviewCompetency,
    ReviewSource,
    SignatoryRole,
    TutorLink,
    TutorReview,
)
from parcours.competencies.models import Competency
from parcours.demo.companies_history import (
    COMMUNES,
    build_companies_history,
    delete_companies_history,
    summary_line,
)
from parcours.demo.competency_history import default_framework
from parcours.demo.schedule_history import demo_internship_periods
from parcours.organisations.models import School
from parcours.pathways.models import Enrolment, TargetJob
from parcours.people.models import LegalGuardian, age_on
from parcours.schedule.models import AttendanceMark, AttendanceStatus

START_2018 = datetime.date(2018, 1, 1)
END_2018 = datetime.date(2018, 12, 31)


@pytest.fixture
def school(demo_built, db) -> School:
    return School.objects.get(slug="e2c-63")


@pytest.fixture
def internships(school) -> list[Internship]:
    return list(
        Internship.objects.filter(school=school)
        .select_related("enrolment__person", "enrolment__referral", "company", "tutor")
        .select_related("signatory", "second_signatory")
        .order_by("enrolment_id", "start_date")
    )


def _today() -> datetime.date:
    return timezone.localdate()


def test_about_120_partner_companies_with_valid_unique_sirets(school):
    companies = list(Company.objects.filter(school=school))
    assert 100 <= len(companies) <= 140
    sirets = [c.siret for c in companies]
    assert all(stdnum_siret.is_valid(s) for s in sirets)
    assert len(set(sirets)) == len(sirets)
    assert all(re.fullmatch(r"\d{2}\.\d{2}[A-Z]", c.naf_code) for c in companies)
    sectors = Counter(c.sector for c in companies)
    assert len(sectors) >= 10
    assert sectors.most_common(1)[0][0] == "retail"
    places = {(c.name, c.postcode) for c in COMMUNES}
    assert all((c.commune, c.postcode) in places for c in companies)
    assert Counter(c.commune for c in companies)["Clermont-Ferrand"] >= len(companies) // 4
    assert all(c.email.endswith(".example") for c in companies if c.email)
    assert all(c.created_at.date() >= datetime.date(2016, 1, 1) for c in companies)
    assert 1 <= sum(c.is_archived for c in companies) <= 10


def test_every_company_has_a_tutor_and_a_signatory_and_a_history(school):
    contacts = defaultdict(list)
    for contact in Contact.objects.filter(school=school):
        contacts[contact.company_id].append(contact)
    events = Counter(CompanyEvent.objects.filter(school=school).values_list("company", flat=True))
    for company in Company.objects.filter(school=school):
        people = contacts[company.pk]
        assert 1 <= len(people) <= 4, company
        assert any(c.is_tutor for c in people) and any(c.is_signatory for c in people)
        assert all(c.email.endswith(".example") for c in people if c.email)
        assert all(c.email for c in people if c.is_tutor)  # the review link goes by e-mail
        assert events[company.pk] >= 2, company
    # Some people hold several roles.
    assert Contact.objects.filter(school=school, is_tutor=True, is_signatory=True).exists()
    history = CompanyEvent.objects.filter(school=school)
    kinds = set(history.values_list("kind", flat=True))
    assert kinds == set(CompanyEventKind.values)
    assert history.order_by("happened_on").first().happened_on.year == 2016
    assert not history.filter(happened_on__gte=_today()).exists()


def test_internships_match_the_demo_internship_periods(school, internships):
    today = _today()
    by_enrolment = defaultdict(list)
    for internship in internships:
        by_enrolment[internship.enrolment_id].append((internship.start_date, internship.end_date))
    enrolments = Enrolment.objects.filter(school=school, site__name="Cours Sablon")
    with_periods = 0
    for enrolment in enrolments:
        periods = demo_internship_periods(enrolment, today)
        assert sorted(by_enrolment.get(enrolment.pk, [])) == periods, enrolment.pk
        with_periods += bool(periods)
    assert with_periods > 300
    # Every 2018 trainee with an internship period has an internship.
    trainees_2018 = enrolments.filter(entry_date__lte=END_2018, ended_on__gte=START_2018)
    for enrolment in trainees_2018:
        if demo_internship_periods(enrolment, today):
            assert enrolment.pk in by_enrolment
    assert sum(START_2018 <= i.start_date <= END_2018 for i in internships) > 200


def test_attendance_in_company_only_during_an_internship(school, internships):
    days = defaultdict(list)
    for internship in internships:
        days[internship.enrolment_id].append((internship.start_date, internship.end_date))
    marks = AttendanceMark.objects.filter(
        school=school, status=AttendanceStatus.COMPANY, day__range=(START_2018, END_2018)
    ).values_list("enrolment_id", "day")
    assert marks
    for enrolment_id, day in marks:
        assert any(a <= day <= b for a, b in days[enrolment_id]), (enrolment_id, day)


def test_internships_are_complete_and_fit_the_target_job(school, internships):
    competencies = set(
        Competency.objects.filter(framework=default_framework()).values_list("pk", flat=True)
    )
    goals = defaultdict(list)
    for goal in InternshipGoal.objects.filter(school=school):
        goals[goal.internship_id].append(goal.competency_id)
    latest_targets = {}
    for enrolment_id, version, code in (
        TargetJob.objects.filter(plan__school=school)
        .order_by("plan__enrolment_id", "plan__version", "pk")
        .values_list("plan__enrolment_id", "plan__version", "rome_code")
    ):
        known = latest_targets.get(enrolment_id)
        if known is None or known[0] < version:
            latest_targets[enrolment_id] = (version, code)
    seen_first = set()
    pmsmp = 0
    for internship in internships:
        assert internship.tutor.company_id == internship.company_id
        assert internship.tutor.is_tutor
        assert internship.signatory.company_id == internship.company_id
        assert internship.signatory.is_signatory
        if internship.second_signatory:
            assert internship.second_signatory.company_id == internship.company_id
            assert internship.second_signatory != internship.signatory
        assert internship.job_title and re.fullmatch(r"[A-N]\d{4}", internship.rome_code)
        assert 0 < internship.weekly_hours <= 35 and internship.schedule and internship.tasks
        assert 1 <= len(goals[internship.pk]) <= 3
        assert set(goals[internship.pk]) <= competencies
        assert internship.created_at.date() < internship.start_date
        assert not internship.is_cancelled
        if internship.kind == InternshipKind.PMSMP:
            pmsmp += 1
            assert internship.prescriber_id == internship.enrolment.referral.prescriber_id
            assert internship.end_date - internship.start_date < datetime.timedelta(days=31)
        else:
            assert internship.prescriber_id is None
        if internship.enrolment_id not in seen_first:  # the first internship: the target job
            seen_first.add(internship.enrolment_id)
            assert internship.rome_code == latest_targets[internship.enrolment_id][1]
    assert 10 <= pmsmp <= len(internships) // 5
    # No two internships of a trainee overlap.
    by_enrolment = defaultdict(list)
    for internship in internships:
        by_enrolment[internship.enrolment_id].append(internship)
    for rows in by_enrolment.values():
        for before, after in itertools.pairwise(rows):
            assert before.end_date < after.start_date


def test_every_started_internship_is_fully_signed_before_it_starts(school, internships):
    today = _today()
    signatures = defaultdict(dict)
    for signature in AgreementSignature.objects.filter(school=school):
        signatures[signature.internship_id][signature.role] = signature
    guardians = defaultdict(list)
    for guardian in LegalGuardian.objects.filter(school=school):
        guardians[guardian.person_id].append(guardian)
    minors = 0
    for internship in internships:
        person = internship.enrolment.person
        expected = {SignatoryRole.SCHOOL, SignatoryRole.TRAINEE, SignatoryRole.COMPANY}
        if age_on(person.birth_date, internship.start_date) < 18:
            minors += 1
            expected.add(SignatoryRole.GUARDIAN)
            assert guardians[person.pk], person.pk
        if internship.second_signatory_id:
            expected.add(SignatoryRole.COMPANY_SECOND)
        signed = signatures[internship.pk]
        assert set(signed) <= expected
        for signature in signed.values():
            assert signature.signed_on < internship.start_date
            assert signature.signed_on < today
        if internship.start_date <= today:
            assert set(signed) == expected, internship.pk
            assert signed[SignatoryRole.COMPANY].signer_name == internship.signatory.full_name
            assert signed[SignatoryRole.TRAINEE].signer_name == (
                f"{person.first_name} {person.last_name}"
            )
            if SignatoryRole.GUARDIAN in signed:
                names = {g.full_name for g in guardians[person.pk]}
                assert signed[SignatoryRole.GUARDIAN].signer_name in names
    assert minors > 10


def test_reviews_only_for_finished_internships_mostly_through_the_link(school, internships):
    today = _today()
    reviews = {
        r.internship_id: r
        for r in TutorReview.objects.filter(school=school).prefetch_related("competencies")
    }
    links = defaultdict(list)
    for link in TutorLink.objects.filter(school=school):
        links[link.internship_id].append(link)
    finished = [i for i in internships if i.end_date < today]
    overdue = 0
    for internship in internships:
        review = reviews.get(internship.pk)
        if internship.end_date >= today:
            assert review is None and not links[internship.pk]
            continue
        if review is None:
            overdue += 1
            assert links[internship.pk], internship.pk  # the link was sent
            assert links[internship.pk][0].used_at is None
            assert links[internship.pk][0].sent_to == internship.tutor.email
            continue
        assert timezone.localdate(review.submitted_at) > internship.end_date
        assert review.submitted_at < timezone.now()
        assert 1 <= review.competencies.count() <= 3
        assert all(1 <= c.level <= 4 for c in review.competencies.all())
        if review.source == ReviewSource.TUTOR_LINK:
            assert review.recorded_by_id is None
            (link,) = links[internship.pk]
            assert link.used_at == review.submitted_at and link.used_at < link.expires_at
            assert link.created_at < link.used_at
        else:
            assert review.recorded_by_id is not None
            assert all(link.used_at is None for link in links[internship.pk])
    assert len(reviews) >= len(finished) * 0.9
    sources = Counter(r.source for r in reviews.values())
    assert sources[ReviewSource.TUTOR_LINK] > 5 * sources[ReviewSource.CALL] > 0
    assert 1 <= overdue <= 40  # some reviews of the last internships are not in yet
    assert ReviewCompetency.objects.filter(school=school, assessment__isnull=False).count() == 0


def test_hires_follow_the_last_internship_in_its_company(school):
    hires = list(
        Hire.objects.filter(school=school).select_related("internship", "enrolment", "company")
    )
    in_2018 = [
        h
        for h in hires
        if h.enrolment.entry_date <= END_2018 and h.enrolment.ended_on >= START_2018
    ]
    assert 20 <= len(in_2018) <= 60
    review_would = dict(
        TutorReview.objects.filter(school=school).values_list("internship_id", "would_hire")
    )
    hire_events = Counter(
        CompanyEvent.objects.filter(school=school, kind=CompanyEventKind.HIRE).values_list(
            "company_id", "happened_on"
        )
    )
    for hire in hires:
        assert hire.internship is not None
        assert hire.company_id == hire.internship.company_id
        assert hire.enrolment_id == hire.internship.enrolment_id
        assert (
            hire.internship.end_date
            < hire.start_date
            <= hire.internship.end_date + (datetime.timedelta(days=60))
        )
        assert hire.enrolment.ended_on is not None and hire.start_date > hire.enrolment.ended_on
        assert (hire.months is not None) == (hire.contract_type in CONTRACTS_WITH_LENGTH)
        assert hire.months is None or 1 <= hire.months <= 12
        assert review_would[hire.internship_id] == "yes"
        assert hire_events[(hire.company_id, hire.start_date)] >= 1
    assert sum(hire_events.values()) == len(hires)
    assert len({h.contract_type for h in hires}) >= 4


def test_summary_line(school, internships):
    line = summary_line()
    assert f"{Company.objects.filter(school=school).count()} entreprises partenaires" in line
    assert f"{len(internships)} stages" in line
    assert "embauches" in line


def _fingerprint(school: School) -> str:
    digest = hashlib.sha256()
    for query in (
        Company.objects.filter(school=school).order_by("siret").values_list("name", "siret"),
        Contact.objects.filter(school=school)
        .order_by("company__siret", "email", "last_name")
        .values_list("company__siret", "last_name", "first_name", "is_tutor"),
        Internship.objects.filter(school=school)
        .order_by("enrolment_id", "start_date")
        .values_list("enrolment_id", "start_date", "company__siret", "tutor__last_name", "kind"),
        AgreementSignature.objects.filter(school=school)
        .order_by("internship__enrolment_id", "internship__start_date", "role")
        .values_list("role", "signer_name", "signed_on"),
        TutorReview.objects.filter(school=school)
        .order_by("internship__enrolment_id", "internship__start_date")
        .values_list("punctuality", "attitude", "would_hire", "submitted_at"),
        Hire.objects.filter(school=school)
        .order_by("enrolment_id")
        .values_list("enrolment_id", "contract_type", "months", "start_date"),
        CompanyEvent.objects.filter(school=school)
        .order_by("company__siret", "happened_on", "kind", "summary")
        .values_list("company__siret", "kind", "happened_on"),
    ):
        digest.update(repr(list(query)).encode())
    return digest.hexdigest()


def test_days_to_come_of_signed_internships_are_in_company(school, internships):
    """As the product does when the last signature is recorded: the days from today to the
    end of a fully signed internship are marked "in company" (the past ones too, by the
    schedule history)."""
    today = _today()
    current = [
        i
        for i in internships
        if i.end_date >= today and i.start_date <= today + datetime.timedelta(days=7)
    ]
    marked = set(
        AttendanceMark.objects.filter(
            school=school, status=AttendanceStatus.COMPANY, day__gte=today
        ).values_list("enrolment_id", "day", "half")
    )
    assert marked
    for internship in current:
        signed = not missing_signatures(internship)
        days = [
            internship.start_date + datetime.timedelta(days=n)
            for n in range((internship.end_date - internship.start_date).days + 1)
        ]
        days = [d for d in days if d >= today and d.weekday() < 5]
        if signed and days:
            assert (internship.enrolment_id, days[0], "am") in marked, internship.pk


def test_same_seed_same_data(school):
    before = _fingerprint(school)
    delete_companies_history([school.pk])
    assert not Company.objects.filter(school=school).exists()
    assert not LegalGuardian.objects.filter(school=school).exists()
    build_companies_history(school, today=_today())
    assert _fingerprint(school) == before
