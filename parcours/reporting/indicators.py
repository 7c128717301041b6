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

Queries: a constant number (about a dozen), whatever the school's size — and whatever the
number of schools with :func:`key_figures_of_schools` (the network's report). The database
picks each person's latest enrolment (``ROW_NUMBER()``, :func:`_latest_enrolments`) and counts
the trainees per school and prescriber kind in each share (:data:`PROFILE`): no row per
trainee comes back to Python (a network's year has tens of thousands).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Min,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    RowNumber,
    TruncMonth,
)
from django.db.models.lookups import LessThan

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
from parcours.outcomes.grouped import grouped_rows
from parcours.outcomes.rules import percentage
from parcours.outcomes.selectors_rates import RatesTable, rates_tables
from parcours.pathways.models import (
    PLIE,
    Answer,
    DiplomaLevel,
    Enrolment,
    EnrolmentFundingLine,
    FundingLine,
)
from parcours.people.models import Gender

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
    #: The rates of the period's exits; its ``waves`` are ``None`` (not computed: the key
    #: figures do not show the follow-up waves).
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
    age_at_entry: int  # kept at anonymisation, else computed in SQL (_age_at_entry), as entry_age
    gender: str
    qpv_code: str | None
    diploma_level: str | None
    rqth: str | None
    prescriber: str


def _enrolments(school: School, period: Period, site: Site | None):
    return _enrolments_of([school.pk], period, site)


def _trainees(school: School, period: Period, site: Site | None) -> dict[int, _Trainee]:
    """Each person's latest enrolment overlapping the period (one query)."""
    return _trainees_by_school([school.pk], period, site)[school.pk]


def _funding_lines(school: School, period: Period, site: Site | None) -> list[Breakdown]:
    """People per funding line (two queries): a person counts once per line."""
    return _funding_lines_by_school([school.pk], period, site)[school.pk]


def _enrolments_of(school_ids: list[int], period: Period, site: Site | None):
    enrolments = Enrolment.objects.filter(school__in=school_ids).overlapping(
        period.start, period.end
    )
    if site is not None:
        enrolments = enrolments.filter(site=site)
    return enrolments


def _age_at_entry() -> Coalesce:
    """``people.models.entry_age`` in the database: the age kept at anonymisation, else the age
    in whole years on the entry date (``age_on``: a year less before the birthday's month and
    day, so that someone born on 29 February ages on 1 March)."""
    entry_day = ExtractMonth("entry_date") * 100 + ExtractDay("entry_date")
    birthday = ExtractMonth("person__birth_date") * 100 + ExtractDay("person__birth_date")
    years = (
        ExtractYear("entry_date")
        - ExtractYear("person__birth_date")
        - Case(When(LessThan(entry_day, birthday), then=Value(1)), default=Value(0))
    )
    return Coalesce("age_at_entry", Cast(years, IntegerField()), output_field=IntegerField())


def _prescriber_kind() -> Case:
    """The prescriber type of the referral that led to the enrolment; a referral without
    prescriber: :data:`SPONTANEOUS`; no referral: :data:`NOT_RECORDED`."""
    prescriber_type = "referral__prescriber__prescriber_type"
    return Case(
        When(referral__isnull=True, then=Value(NOT_RECORDED)),
        When(
            Q(**{f"{prescriber_type}__isnull": True}) | Q(**{prescriber_type: ""}),
            then=Value(SPONTANEOUS),
        ),
        default=F(prescriber_type),
        output_field=CharField(),
    )


def _latest_enrolments(school_ids: list[int], period: Period, site: Site | None):
    """Each person's latest enrolment overlapping the period in each school (latest entry
    date, then the latest enrolment), with the person's age on its entry date
    (``trainee_age``) and the kind of prescriber that sent them (``trainee_prescriber``)."""
    return (
        _enrolments_of(school_ids, period, site)
        .annotate(
            latest_rank=Window(
                RowNumber(),
                partition_by=[F("school_id"), F("person_id")],
                order_by=[F("entry_date").desc(), F("pk").desc()],
            ),
            trainee_age=_age_at_entry(),
            trainee_prescriber=_prescriber_kind(),
        )
        .filter(latest_rank=1)
        .order_by()
    )


def _trainees_by_school(
    school_ids: list[int], period: Period, site: Site | None
) -> dict[int, dict[int, _Trainee]]:
    """Per school, each person's latest enrolment overlapping the period (one query)."""
    rows = _latest_enrolments(school_ids, period, site).values_list(
        "school_id",
        "person_id",
        "pk",
        "entry_date",
        "trainee_age",
        "person__gender",
        "entry_situation__qpv_code",
        "entry_situation__diploma_level",
        "entry_situation__rqth",
        "trainee_prescriber",
    )
    by_school: dict[int, dict[int, _Trainee]] = {pk: {} for pk in school_ids}
    for school_id, person_id, *fields in rows:
        by_school[school_id][person_id] = _Trainee(*fields)
    return by_school


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


#: What each trainee (their latest enrolment overlapping the period) counts in, besides the
#: age brackets (:data:`AGES`).
PROFILE: dict[str, Q] = {
    "women": Q(person__gender=Gender.FEMALE),
    "qpv": Q(entry_situation__qpv_code__gt=""),
    "no_diploma": Q(entry_situation__diploma_level=DiplomaLevel.NONE),
    "rqth": Q(entry_situation__rqth=Answer.YES),
}
#: The age brackets: under 26 and under 18 (minors) on the entry date.
AGES: dict[str, int] = {"under_26": 26, "minors": 18}


def _profiles_by_school(
    school_ids: list[int], period: Period, site: Site | None
) -> dict[int, dict[str, Counter[str]]]:
    """Per school, the trainees counted per prescriber kind, in all (``"trainees"``), in each
    of :data:`PROFILE` and in each age bracket of :data:`AGES` (one query: the database counts
    them per school, prescriber kind and age)."""
    flagged = _latest_enrolments(school_ids, period, site).annotate(
        **{f"trainee_{name}": _flag(condition) for name, condition in PROFILE.items()}
    )
    names = ["trainees", *PROFILE]
    out: dict[int, dict[str, Counter[str]]] = {
        pk: {name: Counter() for name in [*names, *AGES]} for pk in school_ids
    }
    for school_id, kind, age, *counts in grouped_rows(
        flagged,
        ["school_id", "trainee_prescriber", "trainee_age"],
        [f"trainee_{name}" for name in PROFILE],
    ):
        figures = out[school_id]
        for name, count in zip(names, counts, strict=True):
            if count:
                figures[name][kind] += count
        for name, limit in AGES.items():
            if age is not None and age < limit:
                figures[name][kind] += counts[0]
    return out


def _share(count: int, whole: int) -> Share:
    return Share(count=count, pct=percentage(count, whole))


def _funding_lines_by_school(
    school_ids: list[int], period: Period, site: Site | None
) -> dict[int, list[Breakdown]]:
    """Per school, people per funding line (two queries): a person counts once per line."""
    carried = (
        EnrolmentFundingLine.objects.filter(enrolment__in=_enrolments_of(school_ids, period, site))
        .values("enrolment__school_id", "funding_line_id")
        .annotate(people=Count("enrolment__person", distinct=True))
        .order_by()
    )
    by_line: dict[int, dict[int, int]] = {pk: {} for pk in school_ids}
    for row in carried:
        by_line[row["enrolment__school_id"]][row["funding_line_id"]] = row["people"]
    used = {line_id for counts in by_line.values() for line_id in counts}
    lines = list(FundingLine.objects.filter(Q(active=True) | Q(pk__in=used)).order_by("name"))
    return {
        pk: [
            Breakdown(code=line.code, label=line.name, count=by_line[pk].get(line.pk, 0), pct=None)
            for line in lines
            if line.active or line.pk in by_line[pk]
        ]
        for pk in school_ids
    }


def _months(
    school_ids: list[int], period: Period, site: Site | None
) -> dict[int, list[MonthCount]]:
    enrolments = Enrolment.objects.filter(school__in=school_ids)
    if site is not None:
        enrolments = enrolments.filter(site=site)
    counts: dict[str, dict[tuple[int, datetime.date], int]] = {}
    for column in ("entry_date", "ended_on"):
        counts[column] = {
            (school_id, month): n
            for school_id, month, n in enrolments.filter(
                **{f"{column}__range": (period.start, period.end)}
            )
            .annotate(month=TruncMonth(column))
            .values_list("school_id", "month")
            .annotate(n=Count("pk"))
            .values_list("school_id", "month", "n")
            .order_by()
        }
    firsts = []
    day = period.start.replace(day=1)
    while day <= period.end:
        firsts.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return {
        pk: [
            MonthCount(
                month=first,
                entries=counts["entry_date"].get((pk, first), 0),
                exits=counts["ended_on"].get((pk, first), 0),
            )
            for first in firsts
        ]
        for pk in school_ids
    }


def premises(school: School, day: datetime.date, site: Site | None = None) -> dict[str, int]:
    """The school's (or one site's) active sites on ``day``: count, surface, rooms."""
    return _premises([school.pk], day, site)[school.pk]


def _premises(
    school_ids: list[int], day: datetime.date, site: Site | None = None
) -> dict[int, dict[str, int]]:
    """:func:`premises` of several schools, by school id (two queries)."""
    sites = Site.objects.filter(school__in=school_ids).active_on(day)
    if site is not None:
        sites = sites.filter(pk=site.pk)
    out = {pk: {"sites": 0, "surface_m2": 0, "rooms": 0, "computer_rooms": 0} for pk in school_ids}
    per_school = sites.values("school_id").annotate(n=Count("id"), surface=Sum("surface_m2"))
    for row in per_school.order_by():
        out[row["school_id"]].update(sites=row["n"], surface_m2=row["surface"] or 0)
    rooms = Room.objects.filter(school__in=school_ids, site__in=sites).active_on(day)
    for row in (
        rooms.values("school_id")
        .annotate(n=Count("id"), computers=Count("id", filter=Q(kind=RoomKind.COMPUTER)))
        .order_by()
    ):
        out[row["school_id"]].update(rooms=row["n"], computer_rooms=row["computers"])
    return out


def _funding(school_ids: list[int], period: Period) -> dict[int, list[FundingRow]]:
    agreements = list(
        FundingAgreement.objects.filter(
            school__in=school_ids, year__range=(period.start.year, period.end.year)
        )
        .select_related("funder")
        .order_by("year", "funder__name", "purpose")
    )
    since = {
        (school_id, funder_id): first
        for school_id, funder_id, first in FundingAgreement.objects.filter(
            school__in=school_ids, funder_id__in={a.funder_id for a in agreements}
        )
        .values("school_id", "funder_id")
        .annotate(first=Min("year"))
        .values_list("school_id", "funder_id", "first")
        .order_by()
    }
    out: dict[int, list[FundingRow]] = {pk: [] for pk in school_ids}
    for a in agreements:
        out[a.school_id].append(
            FundingRow(
                funder=a.funder.name,
                funder_id=a.funder_id,
                year=a.year,
                purpose=a.purpose,
                amount_eur=a.amount_eur,
                partner_since=since[(a.school_id, a.funder_id)],
            )
        )
    return out


def _staff(school_ids: list[int], period: Period) -> dict[int, int]:
    # The memberships' own dates say who was staff then (not whether the account is still
    # switched on today: a past year's figure must not change when an account is closed).
    counts = (
        Membership.objects.filter(
            Q(active_until__isnull=True) | Q(active_until__gte=period.end),
            school__in=school_ids,
            role__in=STAFF_ROLES,
            active_from__lte=period.end,
        )
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = dict.fromkeys(school_ids, 0)
    out.update({row["school_id"]: row["n"] for row in counts})
    return out


def key_figures(school: School, period: Period, site: Site | None = None) -> KeyFigures:
    """The key figures of ``school`` (or one of its sites) over ``period``."""
    return key_figures_of_schools([school], period, site)[0]


def key_figures_of_schools(
    schools: list[School], period: Period, site: Site | None = None
) -> list[KeyFigures]:
    """The key figures of each of ``schools`` over ``period``, in their order: the same
    constant number of queries whatever the number of schools (the network's report)."""
    ids = [school.pk for school in schools]
    profiles = _profiles_by_school(ids, period, site)
    lines = _funding_lines_by_school(ids, period, site)
    staff = _staff(ids, period)
    places = _premises(ids, period.end, site)
    months = _months(ids, period, site)
    # The follow-up waves are not shown here, so not computed: ``None``, not an empty table
    # (which would read as "no wave").
    outcomes = {
        pk: replace(table, waves=None)
        for pk, table in rates_tables(ids, period.start, period.end, site, waves=False).items()
    }
    funding = _funding(ids, period)
    order = [*PrescriberType.values, SPONTANEOUS, NOT_RECORDED]
    out = []
    for school in schools:
        counts = {name: sum(per_kind.values()) for name, per_kind in profiles[school.pk].items()}
        prescribers = profiles[school.pk]["trainees"]
        total = counts["trainees"]
        school_lines = lines[school.pk]
        place = places[school.pk]
        out.append(
            KeyFigures(
                school_id=school.pk,
                school_name=school.name,
                site_id=site.pk if site else None,
                period=period,
                trainees=total,
                under_26=_share(counts["under_26"], total),
                minors=_share(counts["minors"], total),
                women=_share(counts["women"], total),
                qpv=_share(counts["qpv"], total),
                no_diploma=_share(counts["no_diploma"], total),
                rqth=_share(counts["rqth"], total),
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
                funding_lines=school_lines,
                plie=next((line.count for line in school_lines if line.code == PLIE), 0),
                months=months[school.pk],
                outcomes=outcomes[school.pk],
                staff=staff[school.pk],
                sites=place["sites"],
                rooms=place["rooms"],
                computer_rooms=place["computer_rooms"],
                surface_m2=place["surface_m2"],
                funding=funding[school.pk],
            )
        )
    return out
