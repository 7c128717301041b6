"""The demo's competencies: E2C Puy-de-Dôme positions and assesses its trainees on the shared
default framework, and records their certifications."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from parcours.competencies.levels import derive_levels_by_enrolment
from parcours.competencies.models import (
    Assessment,
    AssessmentContext,
    AssessmentKind,
    Certification,
    CertificationKind,
    CertificationStatus,
    Competency,
    Evidence,
    EvidenceKind,
    SchoolFramework,
)
from parcours.competencies.selectors import school_framework
from parcours.demo.competency_history import (
    CORRECTION_REASON,
    build_competency_history,
    delete_competency_history,
    issue_demo_attestations,
)
from parcours.organisations.models import Membership, Role, School
from parcours.pathways.models import Enrolment

START_2018 = datetime.date(2018, 1, 1)
END_2018 = datetime.date(2018, 12, 31)


@pytest.fixture
def school(demo_built, db) -> School:
    return School.objects.get(slug="e2c-63")


@pytest.fixture
def rows(school) -> list[Assessment]:
    return list(Assessment.objects.filter(school=school).select_related("assessor"))


def _end(enrolment: Enrolment) -> datetime.date:
    return min(enrolment.ended_on or timezone.localdate(), timezone.localdate())


def test_the_school_uses_the_shared_default_framework(school):
    framework = school_framework(school)
    assert SchoolFramework.objects.get(school=school).framework == framework
    assert framework.school is None
    assert (framework.family, framework.version, framework.status) == (
        "transversal-e2c",
        1,
        "published",
    )


def test_every_2018_trainee_is_positioned_on_every_competency(school, rows):
    framework = school_framework(school)
    competencies = set(Competency.objects.filter(framework=framework).values_list("pk", flat=True))
    assert len(competencies) == 14
    in_2018 = Enrolment.objects.filter(
        school=school, entry_date__lte=END_2018, ended_on__gte=START_2018
    )
    assert in_2018.values("person").distinct().count() == 210
    positioned = defaultdict(set)
    assessed = defaultdict(set)
    for row in rows:
        target = positioned if row.kind == AssessmentKind.POSITIONING else assessed
        target[row.enrolment_id].add(row.competency_id)
    for enrolment in in_2018:
        assert positioned[enrolment.pk] == competencies, enrolment.pk
        assert assessed[enrolment.pk] == competencies, enrolment.pk
    # And so is everyone else, current trainees included.
    assert set(positioned) == set(
        Enrolment.objects.filter(school=school).values_list("pk", flat=True)
    )
    assert all(row.competency.framework_id == framework.pk for row in rows[:50])


def test_rows_are_dated_within_the_pathway_by_the_schools_referents(school, rows):
    enrolments = Enrolment.objects.filter(school=school).in_bulk()
    for row in rows:
        enrolment = enrolments[row.enrolment_id]
        assert enrolment.entry_date <= row.assessed_on <= _end(enrolment)
        if row.kind == AssessmentKind.POSITIONING and not row.corrects_id:
            assert (row.assessed_on - enrolment.entry_date).days <= 6
        assert 1 <= row.level <= 4
        assert row.assessor.school_id == school.pk
        assert row.assessor.role == Role.REFERENT
        assert row.recorded_by_id == row.assessor.user_id
        assert timezone.localdate(row.recorded_at) >= row.assessed_on
    # Most assessors are the enrolment's own referent.
    own = sum(row.assessor_id == enrolments[row.enrolment_id].referent_id for row in rows)
    assert own / len(rows) > 0.95


def test_levels_start_low_and_rise(school, rows):
    levels = derive_levels_by_enrolment(rows)
    entry, current = Counter(), Counter()
    for by_competency in levels.values():
        assert len(by_competency) == 14
        for competency_levels in by_competency.values():
            assert competency_levels.current_level >= 1
            assert competency_levels.entry_level is not None
            entry[competency_levels.entry_level] += 1
            current[competency_levels.current_level] += 1
    total = sum(entry.values())
    assert (entry[1] + entry[2]) / total > 0.8
    assert entry[4] == 0 or entry[4] / total < 0.02
    mean = lambda counts: sum(k * n for k, n in counts.items()) / sum(counts.values())  # noqa: E731
    assert mean(current) > mean(entry) + 0.4
    # Writing and the professional project start lower than teamwork and organisation.
    by_code = defaultdict(list)
    codes = dict(Competency.objects.values_list("pk", "code"))
    for row in rows:
        if row.kind == AssessmentKind.POSITIONING and not row.corrects_id:
            by_code[codes[row.competency_id]].append(row.level)
    average = {code: sum(v) / len(v) for code, v in by_code.items()}
    assert max(average["FR3"], average["PROJ1"], average["DIG2"]) < min(
        average["EQ1"], average["ORG1"]
    )
    contexts = Counter(row.context for row in rows if row.kind == AssessmentKind.ASSESSMENT)
    assert set(contexts) == set(AssessmentContext.values) - {"positioning"}


def test_assessments_carry_evidence_and_a_few_are_corrected(school, rows):
    evidence = list(Evidence.objects.filter(school=school))
    noted = {e.assessment_id for e in evidence if e.kind == EvidenceKind.NOTE}
    assessments = [row for row in rows if row.kind == AssessmentKind.ASSESSMENT]
    assert all(row.pk in noted for row in assessments)
    assert not any(e.kind == EvidenceKind.FILE for e in evidence)
    links = [e for e in evidence if e.kind == EvidenceKind.LINK]
    assert links and all(e.url.startswith("https://") for e in links)
    assert len({e.note for e in evidence if e.note}) >= 30
    corrections = [row for row in rows if row.corrects_id]
    assert 0.005 < len(corrections) / len(rows) < 0.02
    by_pk = {row.pk: row for row in rows}
    for row in corrections:
        original = by_pk[row.corrects_id]
        assert row.correction_reason == CORRECTION_REASON
        assert (row.enrolment_id, row.competency_id, row.assessed_on) == (
            original.enrolment_id,
            original.competency_id,
            original.assessed_on,
        )
        assert row.level != original.level
        assert row.pk > original.pk


def test_certifications_for_a_realistic_share(school):
    enrolments = Enrolment.objects.filter(school=school).in_bulk()
    certifications = list(Certification.objects.filter(school=school))
    for certification in certifications:
        enrolment = enrolments[certification.enrolment_id]
        assert enrolment.entry_date <= certification.on_date <= _end(enrolment)
    share = {
        kind: len({c.enrolment_id for c in certifications if c.kind == kind}) / len(enrolments)
        for kind in (CertificationKind.PIX, CertificationKind.CLEA, CertificationKind.SST)
    }
    assert 0.25 < share[CertificationKind.PIX] < 0.5
    assert 0.1 < share[CertificationKind.CLEA] < 0.3
    assert 0.07 < share[CertificationKind.SST] < 0.25
    pix = [c for c in certifications if c.kind == CertificationKind.PIX]
    assert all(c.result.endswith(" pix") for c in pix if c.status == CertificationStatus.OBTAINED)
    clea = {c.status for c in certifications if c.kind == CertificationKind.CLEA}
    assert {CertificationStatus.OBTAINED, CertificationStatus.PARTIAL} <= clea
    etg = {c.status for c in certifications if c.kind == CertificationKind.ETG}
    assert {CertificationStatus.OBTAINED, CertificationStatus.FAILED} <= etg


def _fingerprint(school) -> list[tuple]:
    return [
        *Assessment.objects.filter(school=school)
        .order_by("pk")
        .values_list(
            "enrolment_id",
            "competency_id",
            "kind",
            "level",
            "assessed_on",
            "context",
            "assessor_id",
            "corrects__assessed_on",
            "recorded_at",
        ),
        *Evidence.objects.filter(school=school)
        .order_by("pk")
        .values_list("assessment__assessed_on", "kind", "note", "url"),
        *Certification.objects.filter(school=school)
        .order_by("pk")
        .values_list("enrolment_id", "kind", "status", "on_date", "result"),
    ]


def test_same_seed_same_data(school):
    today = timezone.localdate()
    before = _fingerprint(school)
    delete_competency_history([school.pk])
    assert not Assessment.objects.filter(school=school).exists()
    counts = build_competency_history(school, today=today)
    assert _fingerprint(school) == before
    assert counts["positionings"] == 14 * Enrolment.objects.filter(school=school).count()


def test_exited_trainees_have_their_attestation(school):
    from parcours.audit.models import AuditEvent
    from parcours.competencies.models import Attestation

    director = Membership.objects.get(school=school, role=Role.DIRECTOR)
    if not Attestation.objects.filter(school=school).exists():  # another test rebuilt the rows
        issue_demo_attestations(school, director)
    exited = Enrolment.objects.filter(school=school, status="exited")
    attestations = Attestation.objects.filter(school=school).select_related("enrolment")
    assert exited.count() > 500
    assert attestations.count() == exited.count()
    assert {a.enrolment_id for a in attestations} == set(exited.values_list("pk", flat=True))
    for attestation in attestations:
        assert attestation.is_valid
        assert attestation.issued_on == attestation.enrolment.ended_on
        assert attestation.issued_by == director.user
        assert attestation.number.startswith(f"ACA-E2C-63-{attestation.issued_on.year}-")
        assert len(attestation.content["competencies"]) == 14
    # Numbers follow the exit dates within a year.
    for year in {a.issued_on.year for a in attestations}:
        of_year = sorted(
            (a for a in attestations if a.issued_on.year == year),
            key=lambda a: (a.issued_on, a.enrolment_id),
        )
        assert [a.number[-4:] for a in of_year] == [f"{n:04d}" for n in range(1, len(of_year) + 1)]
    # History written by the demo leaves no (falsely dated) audit trail.
    assert not AuditEvent.objects.filter(action="attestation.issue").exists()
