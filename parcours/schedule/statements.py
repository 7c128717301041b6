"""The monthly statement (état de présence): what the Région's payment body needs to pay a
trainee for a month.

Pure computation over ``AttendanceMark`` rows (``build_statement``); ``monthly_statement`` and
``school_statements`` fetch the rows (through ``selectors_statements``) and call it, so the
screen, the PDF and the school's XLSX show the same figures.

Figures, for one trainee and one calendar month:

- per status: the number of half-days, the equivalent days (half-days / 2, one decimal) and
  the hours (half-days × ``HALF_DAY_HOURS``);
- the **paid** half-days: see ``PAID_STATUSES``;
- the paid half-days split by **pay bracket**: under 18, or 18 and over, the age being counted
  on the day of each half-day (a trainee who turns 18 on the 15th is paid at the under-18
  rate up to the 14th and at the adult rate from the 15th);
- the day-by-day grid of marks, and whether the month is closed (final) or provisional.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from parcours.people.models import ADULT_AGE as _ADULT_AGE
from parcours.people.models import coming_of_age, is_minor_on

from .models import HALF_DAY_HOURS, AttendanceStatus, ClosedMonth, Half

#: The statuses whose half-days are paid: the trainee was at the school (present, or late but
#: there) or in a company (internship). Excused and unexcused absences and holidays are NOT
#: paid half-days. The one place that decides it: statements, exports and rates use it.
PAID_STATUSES: frozenset[str] = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.COMPANY}
)

#: The age from which a trainee is paid at the adult rate.
ADULT_AGE = _ADULT_AGE  # of age: paid half-days are split minor / adult

#: Short codes of the day-by-day grid (PDF legend).
STATUS_CODES: dict[str, str] = {
    AttendanceStatus.PRESENT: "P",
    AttendanceStatus.LATE: "R",
    AttendanceStatus.EXCUSED: "AJ",
    AttendanceStatus.UNEXCUSED: "AI",
    AttendanceStatus.COMPANY: "E",
    AttendanceStatus.HOLIDAY: "C",
}

_TENTH = Decimal("0.1")


def half_days_to_days(half_days: int) -> Decimal:
    """Half-days as days, one decimal (7 half-days → 3.5)."""
    return (Decimal(half_days) / 2).quantize(_TENTH, rounding=ROUND_HALF_UP)


def half_days_to_hours(half_days: int) -> Decimal:
    """Half-days as hours, one decimal (7 half-days → 24.5)."""
    return (Decimal(half_days) * HALF_DAY_HOURS).quantize(_TENTH, rounding=ROUND_HALF_UP)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last days of ``month``'s calendar month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True)
class Quantity:
    """A number of half-days with its equivalent days and hours."""

    half_days: int

    @property
    def days(self) -> Decimal:
        return half_days_to_days(self.half_days)

    @property
    def hours(self) -> Decimal:
        return half_days_to_hours(self.half_days)


@dataclass(frozen=True)
class StatusLine:
    status: str
    label: Any
    code: str
    quantity: Quantity
    paid: bool


@dataclass(frozen=True)
class DayRow:
    """One day of the grid: the status of the morning and of the afternoon (``""`` if none)."""

    day: datetime.date
    am: str
    pm: str

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def am_code(self) -> str:
        return STATUS_CODES.get(self.am, "")

    @property
    def pm_code(self) -> str:
        return STATUS_CODES.get(self.pm, "")

    @property
    def am_label(self) -> str:
        return str(AttendanceStatus(self.am).label) if self.am else ""

    @property
    def pm_label(self) -> str:
        return str(AttendanceStatus(self.pm).label) if self.pm else ""


@dataclass
class Statement:
    enrolment: Any
    person: Any
    month: datetime.date  # the first day of the month
    last_day: datetime.date
    lines: list[StatusLine]
    total: Quantity
    paid: Quantity
    paid_minor: Quantity  # paid half-days while under ADULT_AGE
    paid_adult: Quantity  # paid half-days from ADULT_AGE on
    days: list[DayRow]
    closed: ClosedMonth | None = None
    #: The day the trainee turns ``ADULT_AGE`` when it falls in the month.
    adult_on: datetime.date | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def is_closed(self) -> bool:
        return self.closed is not None

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"

    def half_days(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def grid_days(self) -> list[DayRow]:
        """The grid without the weekend days that carry no mark."""
        return [row for row in self.days if not row.is_weekend or row.am or row.pm]


def _adult_on(person: Any, first: datetime.date, last: datetime.date):
    birth_date = getattr(person, "birth_date", None)
    if birth_date is None:
        return None
    if getattr(person, "anonymised_at", None) is not None:
        birthday = getattr(person, "came_of_age_on", None)  # kept when the months need it
        if birthday is None:
            return None
    else:
        birthday = coming_of_age(birth_date)
    return birthday if first <= birthday <= last else None


def build_statement(
    enrolment: Any,
    month: datetime.date,
    marks: Iterable[Any],
    *,
    closed: ClosedMonth | None = None,
    person: Any = None,
) -> Statement:
    """The statement of ``enrolment`` for ``month`` from its ``marks`` (objects with ``day``,
    ``half`` and ``status``; marks outside the month are ignored)."""
    first, last = month_bounds(month)
    person = person if person is not None else enrolment.person
    counts: Counter[str] = Counter()
    paid_minor = paid_adult = 0
    grid: dict[datetime.date, dict[str, str]] = {}
    for mark in marks:
        if not first <= mark.day <= last:
            continue
        counts[mark.status] += 1
        grid.setdefault(mark.day, {})[mark.half] = mark.status
        if mark.status in PAID_STATUSES:
            if is_minor_on(person, mark.day):
                paid_minor += 1
            else:
                paid_adult += 1
    lines = [
        StatusLine(
            status=status.value,
            label=status.label,
            code=STATUS_CODES[status.value],
            quantity=Quantity(counts.get(status.value, 0)),
            paid=status.value in PAID_STATUSES,
        )
        for status in AttendanceStatus
    ]
    days = []
    day = first
    while day <= last:
        halves = grid.get(day, {})
        days.append(DayRow(day=day, am=halves.get(Half.AM, ""), pm=halves.get(Half.PM, "")))
        day += datetime.timedelta(days=1)
    return Statement(
        enrolment=enrolment,
        person=person,
        month=first,
        last_day=last,
        lines=lines,
        total=Quantity(sum(counts.values())),
        paid=Quantity(paid_minor + paid_adult),
        paid_minor=Quantity(paid_minor),
        paid_adult=Quantity(paid_adult),
        days=days,
        closed=closed,
        adult_on=_adult_on(person, first, last),
        counts={status.value: counts.get(status.value, 0) for status in AttendanceStatus},
    )


def monthly_statement(enrolment: Any, month: datetime.date) -> Statement:
    """The statement of one enrolment (already fetched through a scoped selector)."""
    from . import selectors_statements as reads

    first, last = month_bounds(month)
    marks = reads.enrolment_marks(enrolment, first, last)
    closed = reads.closed_month(enrolment.school_id, first)
    return build_statement(enrolment, first, marks, closed=closed)


def school_statements(membership: Any, month: datetime.date) -> list[Statement]:
    """The statements of every enrolment of the membership's school with marks in the month or
    in progress during it, ordered by name (three queries whatever the number of trainees)."""
    from . import selectors_statements as reads

    first, last = month_bounds(month)
    enrolments = reads.statement_enrolments(membership, first, last)
    marks_by_enrolment: dict[int, list[Any]] = {}
    for mark in reads.school_marks(membership, first, last):
        marks_by_enrolment.setdefault(mark.enrolment_id, []).append(mark)
    closed = reads.closed_month(membership.school_id, first)
    return [
        build_statement(enrolment, first, marks_by_enrolment.get(enrolment.pk, []), closed=closed)
        for enrolment in enrolments
    ]


def parse_month(value: str | None) -> datetime.date | None:
    """``YYYY-MM`` as the first day of that month (``None`` when it is not a valid month)."""
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.strip().split("-"))
        if not 2000 <= year <= 2100:
            return None
        return datetime.date(year, month, 1)
    except ValueError:
        return None


def shift_month(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (or before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
