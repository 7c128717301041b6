"""Scoped reads of the attendance screens: the sheets of a session and of a day, the months
and their closing, a trainee's month of marks. Each read runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership, Site
from parcours.pathways.models import Enrolment

from .models import AttendanceMark, AttendanceStatus, ClosedMonth, Session, SessionTrainee
from .selectors import month_start

#: Short codes of the statuses in the month calendar (with the full label as a legend).
STATUS_CODES = {
    AttendanceStatus.PRESENT.value: "P",
    AttendanceStatus.LATE.value: "R",
    AttendanceStatus.EXCUSED.value: "AJ",
    AttendanceStatus.UNEXCUSED.value: "AI",
    AttendanceStatus.COMPANY.value: "E",
    AttendanceStatus.HOLIDAY.value: "C",
}


def session_trainee_ids(session: Session) -> list[int]:
    """The session's trainees whose pathway covers the session's day, by name."""
    return list(
        SessionTrainee.objects.filter(session=session, school=session.school_id)
        .filter(enrolment__entry_date__lte=session.day)
        .exclude(enrolment__ended_on__lt=session.day)
        .order_by("enrolment__person__last_name", "enrolment__person__first_name", "enrolment_id")
        .values_list("enrolment_id", flat=True)
    )


def day_trainee_ids(site: Site, day: datetime.date) -> list[int]:
    """The site's trainees whose pathway covers ``day``, by name."""
    return list(
        Enrolment.objects.filter(school=site.school_id, site=site)
        .present_on(day)
        .order_by("person__last_name", "person__first_name", "pk")
        .values_list("pk", flat=True)
    )


@dataclass
class SheetRow:
    """One trainee on a sheet, with their marks of the sheet's half-days (``None``: none)."""

    enrolment: Enrolment
    marks: dict[str, AttendanceMark | None]

    @property
    def first_mark(self) -> AttendanceMark | None:
        return next((mark for mark in self.marks.values() if mark is not None), None)

    @property
    def status(self) -> str:
        mark = self.first_mark
        return mark.status if mark else AttendanceStatus.PRESENT

    @property
    def reason(self) -> str:
        mark = self.first_mark
        return mark.reason if mark else ""

    @property
    def is_marked(self) -> bool:
        return any(mark is not None for mark in self.marks.values())

    @property
    def mixed(self) -> list[AttendanceMark]:
        """Marks of the other half-days that differ from the one shown."""
        shown = (self.status, self.reason)
        return [
            mark
            for mark in self.marks.values()
            if mark is not None and (mark.status, mark.reason) != shown
        ]


def sheet_rows(
    membership: Membership, trainee_ids: list[int], day: datetime.date, halves: list[str]
) -> list[SheetRow]:
    """The rows of a sheet in two queries (the trainees with their person, their marks)."""
    enrolments = Enrolment.objects.filter(
        school=membership.school_id, pk__in=trainee_ids
    ).select_related("person")
    by_id = {enrolment.pk: enrolment for enrolment in enrolments}
    marks = {
        (mark.enrolment_id, mark.half): mark
        for mark in AttendanceMark.objects.filter(
            school=membership.school_id, enrolment_id__in=trainee_ids, day=day, half__in=halves
        )
    }
    return [
        SheetRow(enrolment=by_id[pk], marks={half: marks.get((pk, half)) for half in halves})
        for pk in trainee_ids
        if pk in by_id
    ]


def session_sheet(membership: Membership, session: Session) -> list[SheetRow]:
    return sheet_rows(membership, session_trainee_ids(session), session.day, session.halves)


def day_sheet(membership: Membership, site: Site, day: datetime.date, half: str) -> list[SheetRow]:
    return sheet_rows(membership, day_trainee_ids(site, day), day, [half])


def is_closed(membership: Membership, day: datetime.date) -> bool:
    return ClosedMonth.objects.filter(school=membership.school_id, month=month_start(day)).exists()


def add_months(first_day: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months after (or before) ``first_day``'s."""
    index = first_day.year * 12 + first_day.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthRow:
    first_day: datetime.date
    closed: ClosedMonth | None

    @property
    def key(self) -> str:
        return self.first_day.strftime("%Y-%m")


def recent_months(membership: Membership, today: datetime.date, count: int = 12) -> list[MonthRow]:
    """The current month and the ``count - 1`` before it, newest first, with their closing."""
    current = month_start(today)
    months = [add_months(current, -offset) for offset in range(count)]
    closed = {
        row.month: row
        for row in ClosedMonth.objects.filter(
            school=membership.school_id, month__in=months
        ).select_related("closed_by")
    }
    return [MonthRow(first_day=month, closed=closed.get(month)) for month in months]


@dataclass
class CalendarDay:
    day: datetime.date
    in_month: bool
    am: AttendanceMark | None = None
    pm: AttendanceMark | None = None

    @property
    def am_code(self) -> str:
        return STATUS_CODES.get(self.am.status, "") if self.am else ""

    @property
    def pm_code(self) -> str:
        return STATUS_CODES.get(self.pm.status, "") if self.pm else ""


@dataclass
class TraineeMonth:
    first_day: datetime.date
    weeks: list[list[CalendarDay]] = field(default_factory=list)
    totals: list[tuple[str, str, str, int]] = field(default_factory=list)  # value, code, label, n


def trainee_month(
    membership: Membership, enrolment: Enrolment, first_day: datetime.date
) -> TraineeMonth:
    """The trainee's marks of a month as weeks of weekdays, and the half-days per status."""
    last_day = add_months(first_day, 1) - datetime.timedelta(days=1)
    marks = AttendanceMark.objects.filter(
        school=membership.school_id, enrolment=enrolment, day__gte=first_day, day__lte=last_day
    )
    by_day: dict[datetime.date, dict[str, AttendanceMark]] = {}
    counts: Counter[str] = Counter()
    for mark in marks:
        by_day.setdefault(mark.day, {})[mark.half] = mark
        counts[mark.status] += 1
    month = TraineeMonth(first_day=first_day)
    monday = first_day - datetime.timedelta(days=first_day.weekday())
    while monday <= last_day:
        week = []
        for offset in range(5):
            day = monday + datetime.timedelta(days=offset)
            halves = by_day.get(day, {})
            week.append(
                CalendarDay(
                    day=day,
                    in_month=day.month == first_day.month,
                    am=halves.get("am"),
                    pm=halves.get("pm"),
                )
            )
        month.weeks.append(week)
        monday += datetime.timedelta(days=7)
    month.totals = [
        (status.value, STATUS_CODES[status.value], status.label, counts.get(status.value, 0))
        for status in AttendanceStatus
    ]
    return month


def get_site(membership: Membership, pk: int) -> Site:
    return get_object_or_404(Site.objects.filter(school=membership.school_id), pk=pk)
