"""The generator fills the stored levels (``LevelSpan``) of the assessments it writes, with the
application's derivation: the recompute finds nothing to repair, and the key figures' competency
progress equals the derivation of every row."""

from __future__ import annotations

import pytest

from parcours.competencies.models import Assessment, LevelSpan
from parcours.competencies.stored_levels import recompute
from parcours.organisations.models import School
from parcours.reporting.competencies import school_progress
from parcours.reporting.periods import Period
from parcours.scale.generate import generate
from tests.reporting.test_competencies_progress import derived_progress


@pytest.fixture
def report(db) -> dict:
    return generate("tiny", seed=5, progress=lambda _line: None)


def test_the_generated_assessments_have_their_stored_levels(report):
    assert report["rows"]["competencies_levelspan"] == LevelSpan.objects.count() > 0
    pairs = Assessment.objects.values("enrolment", "competency").distinct().count()
    assert LevelSpan.objects.filter(valid_until__isnull=True).count() == pairs
    result = recompute(dry_run=True)
    assert (result.created, result.deleted) == (0, 0)
    assert result.spans == LevelSpan.objects.count()
    school = School.objects.get()
    for year in sorted(set(Assessment.objects.values_list("assessed_on__year", flat=True))):
        period = Period.year(year)
        progress = school_progress(school, period)
        assert progress == derived_progress(school, period)
        assert progress.positionings > 0
