"""``levels.level_spans`` is ``derive_levels(rows, as_of=day)`` for every day at once: checked on
hand-made cases and on random rows (corrections, chains of corrections, rows of the same day,
corrections dated before or after the row they correct). No database."""

from __future__ import annotations

import datetime
import importlib

from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.competencies.levels import derive_levels, level_spans
from parcours.competencies.stored_levels import Row, spans_of

D0 = datetime.date(2024, 1, 1)


def day(n: int) -> datetime.date:
    return D0 + datetime.timedelta(days=n)


def row(pk, competency, kind, level, on, corrects=None, enrolment=1):
    return Row(pk, enrolment, competency, kind, level, day(on), corrects, 7)


def levels_on(spans, when):
    """``{competency: (entry level, entry day, current level)}`` from the spans holding then."""
    held = {}
    for span in spans:
        if span.holds_on(when):
            assert span.competency_id not in held, "two spans hold on the same day"
            held[span.competency_id] = (span.entry_level, span.entry_on, span.current_level)
    return held


def derived_on(rows, when):
    return {
        competency: (
            found.entry_level,
            found.entry.assessed_on if found.entry else None,
            found.current_level,
        )
        for competency, found in derive_levels(rows, as_of=when).items()
    }


def assert_same_every_day(rows, first=-3, last=40):
    spans = level_spans(rows)
    for n in range(first, last):
        assert levels_on(spans, day(n)) == derived_on(rows, day(n)), day(n)
    return spans


def test_a_positioning_then_assessments():
    rows = [
        row(1, 10, "positioning", 1, 0),
        row(2, 10, "assessment", 2, 5),
        row(3, 10, "assessment", 2, 9),  # same level: the span goes on
        row(4, 10, "assessment", 3, 12),
    ]
    spans = assert_same_every_day(rows)
    assert [(s.valid_from, s.valid_until, s.current_level) for s in spans] == [
        (day(0), day(5), 1),
        (day(5), day(12), 2),
        (day(12), None, 3),
    ]


def test_a_correction_dated_after_the_period_still_removes_the_row_it_corrects():
    rows = [
        row(1, 10, "positioning", 1, 0),
        row(2, 10, "assessment", 3, 5),
        row(3, 10, "assessment", 2, 20, corrects=2),  # the level of day 5 was wrong
    ]
    spans = assert_same_every_day(rows)
    assert levels_on(spans, day(10))[10] == (1, day(0), 1)


def test_a_correction_of_a_correction_and_rows_of_one_day():
    rows = [
        row(1, 10, "positioning", 2, 0),
        row(2, 11, "positioning", 1, 0),
        row(3, 10, "assessment", 3, 4),
        row(4, 10, "assessment", 1, 4),  # later the same day: the day's level
        row(5, 10, "positioning", 1, 0, corrects=1),
        row(6, 10, "positioning", 3, 2, corrects=5),  # moved to day 2, level 3
        row(7, 11, "assessment", 1, 6),  # back to the same levels
    ]
    spans = assert_same_every_day(rows)
    assert levels_on(spans, day(1)) == {11: (1, day(0), 1)}
    assert levels_on(spans, day(3))[10] == (3, day(2), 3)


def test_a_later_row_of_the_same_day_back_to_the_previous_levels_reopens_its_span():
    rows = [
        row(1, 10, "positioning", 1, 0),
        row(2, 10, "assessment", 2, 3),
        row(3, 10, "assessment", 1, 3),
    ]
    spans = assert_same_every_day(rows)
    assert [(s.valid_from, s.valid_until) for s in spans] == [(day(0), None)]


def test_spans_of_carry_the_first_row_and_school():
    rows = [row(5, 10, "positioning", 1, 0), row(3, 10, "assessment", 2, 1, corrects=None)]
    [first, second] = spans_of(rows)
    assert first["first_assessment_pk"] == second["first_assessment_pk"] == 3
    assert first["school_id"] == 7 and first["enrolment_id"] == 1


@st.composite
def histories(draw):
    """Rows of one enrolment on three competencies, with corrections of the newest row of a
    chain (as the service allows) and sometimes of an older one (as hand-made data may)."""
    rows: list[Row] = []
    latest_of_chain: dict[int, int] = {}  # row pk → pk of its chain's newest row
    for pk in range(1, draw(st.integers(1, 25)) + 1):
        competency = draw(st.sampled_from([10, 11, 12]))
        kind = draw(st.sampled_from(["positioning", "assessment"]))
        level = draw(st.integers(1, 4))
        on = draw(st.integers(0, 30))
        corrects = None
        candidates = [r for r in rows if r.competency_id == competency]
        if candidates and draw(st.booleans()):
            target = draw(st.sampled_from(candidates))
            newest = latest_of_chain.get(target.pk, target.pk)
            corrects = newest
            kind = next(r.kind for r in rows if r.pk == newest)
            if draw(st.booleans()):
                on = (
                    next(r.assessed_on for r in rows if r.pk == newest).toordinal() - D0.toordinal()
                )
            for r in rows:
                if latest_of_chain.get(r.pk, r.pk) == newest:
                    latest_of_chain[r.pk] = pk
        rows.append(row(pk, competency, kind, level, on, corrects))
    return draw(st.permutations(rows))


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_spans_are_the_derived_levels_of_every_day(rows):
    assert_same_every_day(rows, first=-1, last=33)


FILL = importlib.import_module("parcours.competencies.migrations.0006_fill_level_spans")


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_data_migrations_frozen_copy_is_the_live_derivation(rows):
    """The data migration carries its own copy of the derivation (so that later changes to
    the live code cannot change what it writes): on the same rows, it gives the same spans."""
    frozen = FILL._spans_of(
        1,
        [
            (r.pk, r.competency_id, r.kind, r.level, r.assessed_on, r.corrects_id, r.school_id)
            for r in rows
        ],
    )
    assert frozen == spans_of(rows)
