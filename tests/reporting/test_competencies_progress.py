"""``reporting.competencies.school_progress`` reads the stored levels (``LevelSpan``): on a world
of boundary cases (rows after the period's end, corrections dated after it, several enrolments
of one person, another framework, rows only after the end, a site, periods cut mid-way) it
equals the derivation of every row in Python it replaced; its queries do not grow with the
rows."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest

from parcours.competencies import levels
from parcours.competencies.models import Assessment, Competency, Framework, ScaleLevel
from parcours.outcomes.rules import percentage
from parcours.pathways.models import Enrolment
from parcours.reporting.competencies import EMPTY, LevelShare, SchoolProgress, school_progress
from parcours.reporting.periods import Period

from ..factories import SiteFactory
from .test_key_figures_views import assess, trainee

pytestmark = pytest.mark.django_db

D = datetime.date


# ------------------------------------------------------------------------------ the reference


@dataclass(slots=True)
class _Row:
    pk: int
    enrolment_id: int
    competency_id: int
    kind: str
    level: int
    assessed_on: datetime.date
    corrects_id: int | None
    framework_id: int
    person_id: int
    entry_date: datetime.date


def derived_progress(school, period, site=None) -> SchoolProgress:
    """``school_progress`` as it was before the stored levels: every row of the period's
    trainees derived in Python (``levels.derive_levels_by_enrolment``)."""
    enrolments = Enrolment.objects.filter(school=school).overlapping(period.start, period.end)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    rows = [
        _Row(*values)
        for values in Assessment.objects.filter(
            school=school, enrolment__in=enrolments.order_by().values("pk")
        )
        .order_by("assessed_on", "id")
        .values_list(
            "id",
            "enrolment_id",
            "competency_id",
            "kind",
            "level",
            "assessed_on",
            "corrects_id",
            "competency__framework_id",
            "enrolment__person_id",
            "enrolment__entry_date",
        )
    ]
    if not rows:
        return EMPTY
    # Each person through their latest enrolment with rows; its framework is its first row's.
    latest: dict[int, tuple[datetime.date, int]] = {}
    first_row: dict[int, tuple[int, int]] = {}
    for row in rows:
        key = (row.entry_date, row.enrolment_id)
        if row.person_id not in latest or latest[row.person_id] < key:
            latest[row.person_id] = key
        known = first_row.get(row.enrolment_id)
        if known is None or row.pk < known[0]:
            first_row[row.enrolment_id] = (row.pk, row.framework_id)
    kept = {enrolment_id for _entry, enrolment_id in latest.values()}
    on_framework = Counter(first_row[enrolment_id][1] for enrolment_id in kept)
    framework_id = max(on_framework, key=lambda pk: (on_framework[pk], pk))
    counted = {e for e in kept if first_row[e][1] == framework_id}
    framework = Framework.objects.only("id", "name", "version").get(pk=framework_id)
    scale = list(ScaleLevel.objects.filter(framework_id=framework_id).order_by("value"))
    competency_ids = set(
        Competency.objects.filter(framework_id=framework_id).values_list("pk", flat=True)
    )
    by_enrolment = levels.derive_levels_by_enrolment(
        (row for row in rows if row.enrolment_id in counted), as_of=period.end
    )
    entry_counts: Counter[int] = Counter()
    latest_counts: Counter[int] = Counter()
    positionings = raised = progressed = 0
    for found in by_enrolment.values():
        up = False
        for competency_id, derived in found.items():
            if competency_id not in competency_ids or derived.entry_level is None:
                continue
            positionings += 1
            entry_counts[derived.entry_level] += 1
            latest_counts[derived.current_level] += 1
            if derived.current_level > derived.entry_level:
                raised += 1
                up = True
        progressed += up
    trainees = sum(
        1
        for found in by_enrolment.values()
        if any(c in competency_ids and d.entry_level is not None for c, d in found.items())
    )
    return SchoolProgress(
        framework_id=framework.pk,
        framework_name=framework.name,
        framework_version=framework.version,
        trainees=trainees,
        progressed=progressed,
        other_framework=len(kept) - len(counted),
        positionings=positionings,
        raised=raised,
        levels=[
            LevelShare(
                value=level.value,
                label=level.label,
                entry=entry_counts[level.value],
                latest=latest_counts[level.value],
                entry_pct=percentage(entry_counts[level.value], positionings),
                latest_pct=percentage(latest_counts[level.value], positionings),
            )
            for level in scale
        ],
    )


# ------------------------------------------------------------------------------ the world


def correct(world, row, level, day=None, reason="Erreur de saisie"):
    referent = world.members["referent"]
    return Assessment.objects.create(
        school=row.school,
        enrolment=row.enrolment,
        competency=row.competency,
        kind=row.kind,
        level=level,
        assessed_on=day or row.assessed_on,
        assessor=referent,
        context=row.context,
        corrects=row,
        correction_reason=reason,
        recorded_by=referent.user,
    )


@pytest.fixture
def boundaries(world):
    """Trainees of 2019 and around it, with every case the period's last day cuts."""
    shared = world.objects["default_framework"]
    fr1 = world.objects["competency"]
    c2, c3 = Competency.objects.filter(framework=shared).exclude(pk=fr1.pk).order_by("pk")[:2]
    draft = world.objects["draft_competency"]  # another framework (the school's own)
    other_site = SiteFactory(school=world.school, name="Site Bêta")
    made = {}
    # a: positioned in March 2019, assessed in 2019 and after; a 2019 row corrected in 2020.
    a = made["a"] = trainee(world, D(1995, 1, 1), D(2019, 3, 10))
    assess(world, a, fr1, 1, D(2019, 3, 10), kind="positioning")
    assess(world, a, c2, 2, D(2019, 3, 10), kind="positioning")
    june = assess(world, a, fr1, 3, D(2019, 6, 1))
    assess(world, a, fr1, 4, D(2020, 2, 1))
    correct(world, june, 2, day=D(2019, 6, 1))
    wrong = assess(world, a, c2, 4, D(2019, 11, 2))
    correct(world, wrong, 3, day=D(2020, 1, 15))  # the correction moves it past the end
    # b: one person, two enrolments (2018 then September 2019): counted through the latest.
    b1 = made["b1"] = trainee(
        world, D(1996, 5, 5), D(2018, 10, 1), exit_on=D(2019, 4, 30), destination="cdi"
    )
    b2 = made["b2"] = trainee(world, D(1996, 5, 5), D(2019, 9, 2))
    b2.person = b1.person
    b2.save(update_fields=["person"])
    assess(world, b1, fr1, 1, D(2018, 10, 1), kind="positioning")
    assess(world, b1, fr1, 4, D(2019, 3, 1))
    assess(world, b2, fr1, 2, D(2019, 9, 2), kind="positioning")
    assess(world, b2, c3, 1, D(2019, 9, 2), kind="positioning")
    assess(world, b2, c3, 2, D(2019, 12, 31))  # on the last day: counted
    # c: positioned on another framework (counted apart).
    c = made["c"] = trainee(world, D(1997, 2, 2), D(2019, 2, 1))
    assess(world, c, draft, 2, D(2019, 2, 1), kind="positioning")
    # d: rows only after the end (kept, but no level as of the end).
    d = made["d"] = trainee(world, D(1998, 3, 3), D(2019, 12, 20))
    assess(world, d, fr1, 2, D(2020, 1, 6), kind="positioning")
    # e: an assessment without positioning, and a positioning corrected after the end.
    e = made["e"] = trainee(world, D(1999, 4, 4), D(2019, 4, 1), site=other_site)
    assess(world, e, c2, 3, D(2019, 5, 1))
    entry = assess(world, e, fr1, 1, D(2019, 4, 1), kind="positioning")
    fixed = correct(world, entry, 2, day=D(2019, 4, 1))
    correct(world, fixed, 3, day=D(2020, 3, 1))  # a correction of the correction, later
    assess(world, e, fr1, 3, D(2019, 8, 1))
    made["other_site"] = other_site
    return made


PERIODS = [
    Period.year(2018),
    Period.year(2019),
    Period.year(2020),
    Period.year(2021),
    Period(D(2019, 1, 1), D(2019, 6, 30)),
    Period(D(2019, 6, 1), D(2019, 6, 1)),
    Period(D(2019, 11, 1), D(2020, 1, 15)),
]


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_the_stored_levels_give_the_derived_progress(world, boundaries, period):
    assert school_progress(world.school, period) == derived_progress(world.school, period)
    site = boundaries["other_site"]
    assert school_progress(world.school, period, site) == derived_progress(
        world.school, period, site
    )


def test_the_boundary_cases_count(world, boundaries):
    progress = school_progress(world.school, Period.year(2019))
    # a and b (through b2) on the shared framework (the world's own 2024 trainee is outside);
    # c apart; d kept but without a level as of the end; e neither: its positioning's rows
    # were corrected, the last correction dated 2020 (as of the end, no entry level).
    assert progress.other_framework == 1
    assert progress.trainees == 2
    # a: fr1 1→2 (June, corrected), c2 2→2 (its November row corrected in 2020);
    # b2: fr1 2→2, c3 1→2 (on the last day).
    assert (progress.positionings, progress.raised, progress.progressed) == (4, 2, 2)
    by_level = {level.value: (level.entry, level.latest) for level in progress.levels}
    assert by_level == {1: (2, 0), 2: (2, 4), 3: (0, 0), 4: (0, 0)}
    later = school_progress(world.school, Period.year(2020))
    assert (later.trainees, later.positionings) == (4, 6)  # a 2, b2 2, d 1, e 1


def test_an_empty_period(world):
    assert school_progress(world.school, Period.year(2012)) == EMPTY


def test_the_queries_do_not_grow_with_the_rows(world, boundaries, django_assert_num_queries):
    period = Period.year(2019)
    with django_assert_num_queries(4):
        school_progress(world.school, period)
    fr1 = world.objects["competency"]
    for n in range(6):
        more = trainee(world, D(1990 + n, 1, 1), D(2019, 1 + n, 1))
        assess(world, more, fr1, 1, more.entry_date, kind="positioning")
        assess(world, more, fr1, 2, more.entry_date + datetime.timedelta(days=40))
        assess(world, more, fr1, 3, D(2020, 2, 1))
    with django_assert_num_queries(4):
        grown = school_progress(world.school, period)
    assert grown == derived_progress(world.school, period)
    assert grown.trainees == 2 + 6
