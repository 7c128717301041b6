"""Attendance rates: the one place that computes them (the trainee page, the reports and the
exports call these functions).

- **attendance rate** = half-days present, late or in a company (``statements.PAID_STATUSES``)
  / every marked half-day except holidays, as a percentage with one decimal;
- **company share** = half-days in a company / every marked half-day except holidays.

Holidays are left out of both: a half-day of leave is neither attended nor missed. With no
half-day to count, a rate is ``None`` (shown "—"), never 0 %.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from .models import AttendanceMark, AttendanceStatus
from .statements import PAID_STATUSES

_TENTH = Decimal("0.1")


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal (``None`` when ``whole`` is 0)."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(_TENTH, rounding=ROUND_HALF_UP)


def _status_counts(marks: Iterable[Any] | Mapping[str, int]) -> Counter[str]:
    """Half-days by status, from marks (objects with ``status``), statuses or a mapping."""
    if isinstance(marks, Mapping):
        return Counter({status: int(n) for status, n in marks.items()})
    return Counter(getattr(mark, "status", mark) for mark in marks)


@dataclass(frozen=True)
class Rates:
    """The rates of a set of half-days, and the counts they come from."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def counted(self) -> int:
        """Every marked half-day except holidays (the denominator)."""
        return sum(n for status, n in self.counts.items() if status != AttendanceStatus.HOLIDAY)

    @property
    def attended(self) -> int:
        return sum(n for status, n in self.counts.items() if status in PAID_STATUSES)

    @property
    def in_company(self) -> int:
        return self.counts.get(AttendanceStatus.COMPANY, 0)

    @property
    def attendance_rate(self) -> Decimal | None:
        return percent(self.attended, self.counted)

    @property
    def company_share(self) -> Decimal | None:
        return percent(self.in_company, self.counted)


def rates_of(marks: Iterable[Any] | Mapping[str, int]) -> Rates:
    return Rates(dict(_status_counts(marks)))


def attendance_rate(marks: Iterable[Any] | Mapping[str, int]) -> Decimal | None:
    """(present + late + company) / every half-day except holidays, percent, one decimal."""
    return rates_of(marks).attendance_rate


def company_share(marks: Iterable[Any] | Mapping[str, int]) -> Decimal | None:
    """Company half-days / every half-day except holidays, percent, one decimal."""
    return rates_of(marks).company_share


def _between(
    marks: QuerySet[AttendanceMark], start: datetime.date | None, end: datetime.date | None
) -> QuerySet[AttendanceMark]:
    """The marks from ``start`` to ``end``, never after today: rates say what happened, and
    the days to come of a signed internship are already marked "in company"."""
    today = timezone.localdate()
    end = today if end is None else min(end, today)
    if start is not None:
        marks = marks.filter(day__gte=start)
    return marks.filter(day__lte=end)


def enrolment_rates(
    enrolment: Any, start: datetime.date | None = None, end: datetime.date | None = None
) -> Rates:
    """The rates of one enrolment (fetched through a scoped selector), one query."""
    marks = _between(
        AttendanceMark.objects.filter(school=enrolment.school_id, enrolment=enrolment), start, end
    )
    rows = marks.order_by().values("status").annotate(n=Count("pk"))
    return Rates({row["status"]: row["n"] for row in rows})


@dataclass(frozen=True)
class GroupRates:
    """A group's rates over all its half-days, and each enrolment's (by enrolment id)."""

    total: Rates
    by_enrolment: dict[int, Rates]


def group_rates(
    enrolments: Iterable[Any], start: datetime.date | None = None, end: datetime.date | None = None
) -> GroupRates:
    """The rates of a group of enrolments (fetched through a scoped selector), one query."""
    enrolments = list(enrolments)
    ids = [e.pk for e in enrolments]
    schools = {e.school_id for e in enrolments}
    per: dict[int, Counter[str]] = {pk: Counter() for pk in ids}
    total: Counter[str] = Counter()
    if ids:
        marks = _between(
            AttendanceMark.objects.filter(school__in=schools, enrolment_id__in=ids), start, end
        )
        rows = marks.order_by().values("enrolment_id", "status").annotate(n=Count("pk"))
        for row in rows:
            per[row["enrolment_id"]][row["status"]] += row["n"]
            total[row["status"]] += row["n"]
    return GroupRates(
        total=Rates(dict(total)), by_enrolment={pk: Rates(dict(c)) for pk, c in per.items()}
    )


def site_rates(
    membership: Any,
    site: Any,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Rates:
    """The rates of every trainee of a site of the membership's school (by the enrolment's
    site), one query."""
    marks = _between(
        AttendanceMark.objects.filter(school=membership.school_id, enrolment__site=site),
        start,
        end,
    )
    rows = marks.order_by().values("status").annotate(n=Count("pk"))
    return Rates({row["status"]: row["n"] for row in rows})


@dataclass(frozen=True)
class SchoolRates:
    """A school's rates over a period: in all, by site of the enrolment and by referent (the
    referent's group of trainees; ``None`` for trainees without a referent)."""

    total: Rates
    by_site: dict[int, Rates]
    by_referent: dict[int | None, Rates]


def school_rates(
    membership: Any, start: datetime.date | None = None, end: datetime.date | None = None
) -> SchoolRates:
    """The rates of every trainee of the membership's school, by site and by referent group,
    one query."""
    marks = _between(AttendanceMark.objects.filter(school=membership.school_id), start, end)
    rows = (
        marks.order_by()
        .values("enrolment__site_id", "enrolment__referent_id", "status")
        .annotate(n=Count("pk"))
    )
    total: Counter[str] = Counter()
    by_site: dict[int, Counter[str]] = {}
    by_referent: dict[int | None, Counter[str]] = {}
    for row in rows:
        status, n = row["status"], row["n"]
        total[status] += n
        by_site.setdefault(row["enrolment__site_id"], Counter())[status] += n
        by_referent.setdefault(row["enrolment__referent_id"], Counter())[status] += n
    return SchoolRates(
        total=Rates(dict(total)),
        by_site={pk: Rates(dict(c)) for pk, c in by_site.items()},
        by_referent={pk: Rates(dict(c)) for pk, c in by_referent.items()},
    )
