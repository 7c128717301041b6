"""The school's key figures for a period: the one place that computes them.

Screens, exports, the CLI (``parcours report``) and the network view all call
:func:`key_figures`. Every figure is computed from records; nothing is typed in or cached.

Definitions (for a school, optionally one site, and a period):

- **trainees**: distinct people with an enrolment overlapping the period.
- Each trainee is described by their *latest* enrolment overlapping the period (latest entry
  date): **under 26** / **minors** = age on that entry date under 26 / under 18; **women**;
  **QPV** = a QPV code in the entry situation; **no diploma** = below level 3; **RQTH**;
  **prescriber type** of the referral that led to it (no prescriber: spontaneous; no referral:
  not recorded).
- **funding lines** (PLIE…): trainees with at least one enrolment overlapping the period that
  carries the line.
- **entries** by month: enrolments whose entry date falls in the period.
- **exits**, **successful exits**, **success rate**: from ``outcomes.selectors_rates``
  (one exit per person, under the school's headline definition for the period's end year, and
  under every other definition valid during the period).
- **staff**: staff memberships (director, intake, referent, company relations) active on the
  period's last day.
- **sites**, **rooms**, **computer rooms**, **surface**: the sites active on the last day
  (one site when the report is for a site) and their active rooms.
- **funding**: the school's funding agreements whose year falls within the period, with for
  each funder the first year of the partnership (its earliest agreement with the school).

Counts are integers; percentages carry one decimal (``outcomes.rules.percentage``) and are
rounded to whole numbers on screen only.

Queries: a constant number (about a dozen), whatever the school's size.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth

from parcours.organisations.models import (
    STAFF_ROLES,
    FundingAgreement,
    Membership,
    PrescriberType,
    Room,
    RoomKind,
    School,
    Site,
)
from parcours.outcomes.rules import percentage
from parcours.outcomes.selectors_rates import RatesTable, rates_table
from parcours.pathways.models import (
    PLIE,
    Answer,
    DiplomaLevel,
    Enrolment,
    EnrolmentFundingLine,
    FundingLine,
)
from parcours.people.models import Gender, entry_age

from .periods import Period

SPONTANEOUS = "spontane"
NOT_RECORDED = "non_renseigne"
PRESCRIBER_LABELS: dict[str, str] = {
    **{code: str(label) for code, label in PrescriberType.choices},
    SPONTANEOUS: "Candidature spontanée",
    NOT_RECORDED: "Non renseigné",
}


@dataclass(frozen=True)
class Share:
    """A count and its share of the trainees (one decimal; None when there are none)."""

    count: int
    pct: Decimal | None


@dataclass(frozen=True)
class Breakdown:
    code: str
    label: str
    count: int
    pct: Decimal | None


@dataclass(frozen=True)
class FundingRow:
    funder: str
    funder_id: int
    year: int
    purpose: str
    amount_eur: Decimal
    partner_since: int


@dataclass(frozen=True)
class MonthCount:
    month: datetime.date  # first day of the month
    entries: int
    exits: int


@dataclass(frozen=True)
class KeyFigures:
    school_id: int
    school_name: str
    site_id: int | None
    period: Period
    trainees: int
    under_26: Share
    minors: Share
    women: Share
    qpv: Share
    no_diploma: Share
    rqth: Share
    prescribers: list[Breakdown]
    funding_lines: list[Breakdown]  # every active line, zeros included
    plie: int
    months: list[MonthCount]
    outcomes: RatesTable
    staff: int
    sites: int
    rooms: int
    computer_rooms: int
    surface_m2: int
    funding: list[FundingRow] = field(default_factory=list)

    @property
    def exits(self) -> int:
        return self.outcomes.exits

    @property
    def headline(self):
        return self.outcomes.headline

    @property
    def successful_exits(self) -> int | None:
        headline = self.headline
        return headline.rate.successful if headline is not None else None

    @property
    def success_rate_pct(self) -> Decimal | None:
        headline = self.headline
        return headline.rate.rate if headline is not None else None

    @property
    def funding_total_eur(self) -> Decimal:
        return sum((row.amount_eur for row in self.funding), Decimal(0))

    def to_json(self) -> dict[str, Any]:
        """The figures as the CLI prints them (``parcours report key-figures``)."""
        return {
            "school": self.school_name,
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "trainees": self.trainees,
            "under_26_pct": _num(self.under_26.pct),
            "women_pct": _num(self.women.pct),
            "minors_pct": _num(self.minors.pct),
            "qpv_pct": _num(self.qpv.pct),
            "no_diploma_pct": _num(self.no_diploma.pct),
            "rqth_pct": _num(self.rqth.pct),
            "plie": self.plie,
            "funding_lines": {line.code: line.count for line in self.funding_lines},
            "prescribers": {row.code: row.count for row in self.prescribers},
            "exits": self.exits,
            "successful_exits": self.successful_exits,
            "success_rate_pct": _num(self.success_rate_pct),
            "headline_definition": (
                self.headline.definition.name if self.headline is not None else None
            ),
            "by_definition": [
                {
                    "definition": row.definition.name,
                    "exits": row.rate.counted,
                    "excluded": row.rate.excluded,
                    "successful_exits": row.rate.successful,
                    "success_rate_pct": _num(row.rate.rate),
                }
                for row in self.outcomes.definitions
            ],
            "staff": self.staff,
            "sites": self.sites,
            "rooms": self.rooms,
            "computer_rooms": self.computer_rooms,
            "surface_m2": self.surface_m2,
            "funding": [
                {
                    "funder": row.funder,
                    "year": row.year,
                    "purpose": row.purpose,
                    "amount_eur": _num(row.amount_eur),
                    "partner_since": row.partner_since,
                }
                for row in self.funding
            ],
        }


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Trainee:
    enrolment_id: int
    entry_date: datetime.date
    age_at_entry: int  # people.models.entry_age: kept at anonymisation, else computed
    gender: str
    qpv_code: str | None
    diploma_level: str | None
    rqth: str | None
    prescriber: str


def _enrolments(school: School, period: Period, site: Site | None):
    enrolments = Enrolment.objects.filter(school=school).overlapping(period.start, period.end)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    return enrolments


def _trainees(school: School, period: Period, site: Site | None) -> dict[int, _Trainee]:
    """Each person's latest enrolment overlapping the period (one query)."""
    rows = _enrolments(school, period, site).values_list(
        "pk",
        "person_id",
        "entry_date",
        "person__birth_date",
        "age_at_entry",
        "person__gender",
        "entry_situation__qpv_code",
        "entry_situation__diploma_level",
        "entry_situation__rqth",
        "referral_id",
        "referral__prescriber__prescriber_type",
    )
    people: dict[int, _Trainee] = {}
    for row in rows:
        pk, person_id, entry, birth, frozen, gender, qpv, diploma, rqth, referral, prescriber = row
        kept = people.get(person_id)
        if kept is not None and (kept.entry_date, kept.enrolment_id) > (entry, pk):
            continue
        kind = NOT_RECORDED if referral is None else prescriber or SPONTANEOUS
        age = entry_age(birth, entry, frozen)
        people[person_id] = _Trainee(pk, entry, age, gender, qpv, diploma, rqth, kind)
    return people


def _share(count: int, whole: int) -> Share:
    return Share(count=count, pct=percentage(count, whole))


def _funding_lines(school: School, period: Period, site: Site | None) -> list[Breakdown]:
    """People per funding line (two queries): a person counts once per line."""
    carried = (
        EnrolmentFundingLine.objects.filter(enrolment__in=_enrolments(school, period, site))
        .values("funding_line_id")
        .annotate(people=Count("enrolment__person", distinct=True))
    )
    by_line = {row["funding_line_id"]: row["people"] for row in carried}
    lines = FundingLine.objects.filter(Q(active=True) | Q(pk__in=list(by_line))).order_by("name")
    return [
        Breakdown(code=line.code, label=line.name, count=by_line.get(line.pk, 0), pct=None)
        for line in lines
    ]


def _months(school: School, period: Period, site: Site | None) -> list[MonthCount]:
    enrolments = Enrolment.objects.filter(school=school)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    entries = dict(
        enrolments.filter(entry_date__range=(period.start, period.end))
        .annotate(month=TruncMonth("entry_date"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    exits = dict(
        enrolments.filter(ended_on__range=(period.start, period.end))
        .annotate(month=TruncMonth("ended_on"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    months = []
    day = period.start.replace(day=1)
    while day <= period.end:
        months.append(MonthCount(month=day, entries=entries.get(day, 0), exits=exits.get(day, 0)))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def premises(school: School, day: datetime.date, site: Site | None = None) -> dict[str, int]:
    """The school's (or one site's) active sites on ``day``: count, surface, rooms."""
    sites = Site.objects.filter(school=school).active_on(day)
    if site is not None:
        sites = sites.filter(pk=site.pk)
    rooms = Room.objects.filter(school=school, site__in=sites).active_on(day)
    counts = rooms.aggregate(
        rooms=Count("id"), computer_rooms=Count("id", filter=Q(kind=RoomKind.COMPUTER))
    )
    return {
        "sites": sites.count(),
        "surface_m2": sites.aggregate(total=Sum("surface_m2"))["total"] or 0,
        "rooms": counts["rooms"],
        "computer_rooms": counts["computer_rooms"],
    }


def _funding(school: School, period: Period) -> list[FundingRow]:
    agreements = list(
        FundingAgreement.objects.filter(
            school=school, year__range=(period.start.year, period.end.year)
        )
        .select_related("funder")
        .order_by("year", "funder__name", "purpose")
    )
    since = dict(
        FundingAgreement.objects.filter(
            school=school, funder_id__in={a.funder_id for a in agreements}
        )
        .values("funder_id")
        .annotate(first=Min("year"))
        .values_list("funder_id", "first")
    )
    return [
        FundingRow(
            funder=a.funder.name,
            funder_id=a.funder_id,
            year=a.year,
            purpose=a.purpose,
            amount_eur=a.amount_eur,
            partner_since=since[a.funder_id],
        )
        for a in agreements
    ]


def key_figures(school: School, period: Period, site: Site | None = None) -> KeyFigures:
    """The key figures of ``school`` (or one of its sites) over ``period``."""
    people = _trainees(school, period, site)
    total = len(people)
    under_26 = minors = women = qpv = no_diploma = rqth = 0
    prescribers: Counter[str] = Counter()
    for trainee in people.values():
        age = trainee.age_at_entry
        under_26 += age < 26
        minors += age < 18
        women += trainee.gender == Gender.FEMALE
        qpv += bool(trainee.qpv_code)
        no_diploma += trainee.diploma_level == DiplomaLevel.NONE
        rqth += trainee.rqth == Answer.YES
        prescribers[trainee.prescriber] += 1
    lines = _funding_lines(school, period, site)
    # The memberships' own dates say who was staff then (not whether the account is still
    # switched on today: a past year's figure must not change when an account is closed).
    staff = Membership.objects.filter(
        Q(active_until__isnull=True) | Q(active_until__gte=period.end),
        school=school,
        role__in=STAFF_ROLES,
        active_from__lte=period.end,
    ).count()
    place = premises(school, period.end, site)
    order = [*PrescriberType.values, SPONTANEOUS, NOT_RECORDED]
    return KeyFigures(
        school_id=school.pk,
        school_name=school.name,
        site_id=site.pk if site else None,
        period=period,
        trainees=total,
        under_26=_share(under_26, total),
        minors=_share(minors, total),
        women=_share(women, total),
        qpv=_share(qpv, total),
        no_diploma=_share(no_diploma, total),
        rqth=_share(rqth, total),
        prescribers=[
            Breakdown(
                code,
                PRESCRIBER_LABELS[code],
                prescribers[code],
                percentage(prescribers[code], total),
            )
            for code in order
            if prescribers[code]
        ],
        funding_lines=lines,
        plie=next((line.count for line in lines if line.code == PLIE), 0),
        months=_months(school, period, site),
        outcomes=rates_table(school, period.start, period.end, site),
        staff=staff,
        sites=place["sites"],
        rooms=place["rooms"],
        computer_rooms=place["computer_rooms"],
        surface_m2=place["surface_m2"],
        funding=_funding(school, period),
    )
