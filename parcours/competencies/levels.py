"""A trainee's levels, derived from the assessment rows (never stored).

The rows of an enrolment are append-only. A correction is a row that names the row it corrects
(``corrects``): the corrected row then no longer counts, the correction takes its place. Of the
rows that count, for each competency:

- the **entry level** is the latest positioning (by date, then by order of recording);
- the **current level** is the latest row of any kind (positioning or assessment).

These functions work on rows already loaded (one query for a whole group), so a grid or a chart
costs a constant number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

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
        entry = levels.setdefault(row.competency_id, CompetencyLevels(row.competency_id))
        entry.history.append(row)
        entry.current = row
        if row.kind == AssessmentKind.POSITIONING:
            entry.entry = row
    return levels


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
