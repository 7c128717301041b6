"""A trainee's levels, derived from the assessment rows.

The rows of an enrolment are append-only. A correction is a row that names the row it corrects
(``corrects``): the corrected row then no longer counts, the correction takes its place. Of the
rows that count, for each competency:

- the **entry level** is the latest positioning (by date, then by order of recording);
- the **current level** is the latest row of any kind (positioning or assessment).

These functions work on rows already loaded (one query for a whole group), so a grid or a chart
costs a constant number of queries.

This module is the one definition of the levels. ``level_spans`` gives, for one enrolment,
the levels of ``derive_levels(rows, as_of=day)`` for every day at once (as spans of days);
``competencies.stored_levels`` stores them (``LevelSpan``, a pre-aggregate the assessment
writes keep up to date and a command recomputes) so that the key figures of a period read the
levels as of its last day without loading every row (issue 12).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .models import Assessment, AssessmentKind


@dataclass
class CompetencyLevels:
    competency_id: int
    entry: Assessment | None = None
    current: Assessment | None = None
    #: Rows that count, oldest first (corrected rows left out).
    history: list[Assessment] = field(default_factory=list)

    @property
    def entry_level(self) -> int | None:
        return self.entry.level if self.entry else None

    @property
    def current_level(self) -> int | None:
        return self.current.level if self.current else None

    @property
    def progress(self) -> int | None:
        if self.entry is None or self.current is None:
            return None
        return self.current.level - self.entry.level


def effective_rows(rows: Iterable[Assessment]) -> list[Assessment]:
    """The rows that count (not corrected by another row), oldest first.

    Rows are ordered by date, then by order of recording; a correction takes the place of the
    row it corrects (of the first row of its chain), not the place of the moment it was typed:
    correcting a morning assessment must not make it newer than the afternoon's.
    """
    rows = list(rows)
    by_pk = {row.pk: row for row in rows}
    corrected = {row.corrects_id for row in rows if row.corrects_id}

    def first_of_chain(row: Assessment) -> int:
        seen = set()
        while row.corrects_id in by_pk and row.pk not in seen:
            seen.add(row.pk)
            row = by_pk[row.corrects_id]
        return row.pk or 0

    return sorted(
        (row for row in rows if row.pk not in corrected),
        key=lambda row: (row.assessed_on, first_of_chain(row)),
    )


def derive_levels(
    rows: Iterable[Assessment], *, as_of: datetime.date | None = None
) -> dict[int, CompetencyLevels]:
    """``{competency_id: CompetencyLevels}`` for one enrolment's rows.

    With ``as_of``, rows dated after that day are ignored (the levels as they were that day).
    """
    levels: dict[int, CompetencyLevels] = {}
    for row in effective_rows(rows):
        if as_of is not None and row.assessed_on > as_of:
            continue
        _take(levels, row)
    return levels


def _take(levels: dict[int, CompetencyLevels], row: Assessment) -> CompetencyLevels:
    """Add ``row`` (the next row that counts, in order) to its competency's levels."""
    entry = levels.setdefault(row.competency_id, CompetencyLevels(row.competency_id))
    entry.history.append(row)
    entry.current = row
    if row.kind == AssessmentKind.POSITIONING:
        entry.entry = row
    return entry


def derive_levels_by_enrolment(
    rows: Iterable[Assessment], *, as_of: datetime.date | None = None
) -> dict[int, dict[int, CompetencyLevels]]:
    """``{enrolment_id: {competency_id: CompetencyLevels}}`` for rows of several enrolments."""
    grouped: dict[int, list[Assessment]] = {}
    for row in rows:
        grouped.setdefault(row.enrolment_id, []).append(row)
    return {
        enrolment_id: derive_levels(enrolment_rows, as_of=as_of)
        for enrolment_id, enrolment_rows in grouped.items()
    }


@dataclass(frozen=True, slots=True)
class LevelSpan:
    """One competency's levels from ``valid_from`` until the day before ``valid_until``."""

    competency_id: int
    valid_from: datetime.date
    #: The first day with other levels; ``None``: the levels still hold today.
    valid_until: datetime.date | None
    entry_level: int | None
    #: The day of the positioning the entry level comes from.
    entry_on: datetime.date | None
    current_level: int

    def holds_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def level_spans(rows: Iterable[Assessment]) -> list[LevelSpan]:
    """The levels of one enrolment's rows on every day, as spans of days per competency.

    For every day ``d`` and competency ``c``: ``derive_levels(rows, as_of=d)[c]`` has the entry
    level (and its day) and the current level of the span of ``c`` that holds on ``d``; before
    the first span of ``c``, ``c`` has no levels that day. The spans are the states
    ``derive_levels`` goes through as it takes the rows that count in order (the same
    ``_take``), one span a day that changes them (consecutive equal states are one span).
    """
    levels: dict[int, CompetencyLevels] = {}
    spans: dict[int, list[LevelSpan]] = {}
    for row in effective_rows(rows):
        found = _take(levels, row)
        day = row.assessed_on
        span = LevelSpan(
            competency_id=row.competency_id,
            valid_from=day,
            valid_until=None,
            entry_level=found.entry_level,
            entry_on=found.entry.assessed_on if found.entry is not None else None,
            current_level=found.current_level,
        )
        chain = spans.setdefault(row.competency_id, [])
        if chain and chain[-1].valid_from == day:
            # A later row of the same day: the day's levels are the last row's, so the span
            # the day opened goes and the one before it is open again.
            chain.pop()
            if chain:
                chain[-1] = replace(chain[-1], valid_until=None)
        if chain and _same_levels(chain[-1], span):
            continue  # nothing changes that day: the previous span goes on
        if chain:
            chain[-1] = replace(chain[-1], valid_until=day)
        chain.append(span)
    return [span for chain in spans.values() for span in chain]


def _same_levels(one: LevelSpan, other: LevelSpan) -> bool:
    return (one.entry_level, one.entry_on, one.current_level) == (
        other.entry_level,
        other.entry_on,
        other.current_level,
    )
