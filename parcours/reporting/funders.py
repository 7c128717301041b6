"""The funder reports of a school for a period: one function per report, returning plain data.

The screens and the XLSX exports (``exports_funders``) call these functions; nothing is
computed elsewhere. Every report starts from the same populations as the key figures
(``indicators``):

- **trainees**: each person with an enrolment overlapping the period, described by their latest
  such enrolment (``indicators._trainees``, made public here as :func:`trainees`);
- **participants of a funding line** (PLIE, FSE+): people with an enrolment overlapping the
  period that carries the line — the rule of ``key_figures().plie`` (``indicators._enrolments``
  and the enrolment's funding lines), see :func:`line_enrolments`;
- **exits**: each person's latest exit of the period as the rates count it
  (``outcomes.selectors.latest_exit_facts``: ``latest_exits``, ranked by the database), among
  the exits of the line's enrolments for the PLIE and FSE+ reports.

The four reports:

- :func:`city_policy_report` (Métropole, politique de la ville): trainees living in a QPV at
  entry, by QPV code; the women over 25 among them (26 or older on the entry day); their exits
  and successful exits under the school's headline definition, and destinations.
- :func:`plie_report`: the PLIE participants, their steps during the period (phases with dates,
  internships and PMSMP not cancelled) and their exits under the PLIE definition
  (``outcomes.defaults.PLIE``, evaluated with ``outcomes.rules``).
- :func:`fse_report` (FSE+): the participants' situation at entry (their latest FSE+
  enrolment's entry situation; "ne souhaite pas répondre" counted apart), at exit (destination
  group) and 6 months after exit (the 6-month follow-up: situation found, unreachable, to do,
  not due yet).
- :func:`region_report` (Région): trainees by age bracket (under 18, 18–25, 26 and over, on the
  entry day of the latest enrolment), their attendance (``schedule.rates``) and, per month,
  the paid half-days of their statements (``schedule.statements.build_statement``).

Counts are integers; percentages carry one decimal (``outcomes.rules.percentage``). Each report
runs in a constant number of queries whatever the number of participants.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from parcours.companies.models import Internship, InternshipKind
from parcours.organisations.models import School
from parcours.outcomes import selectors as outcome_selectors
from parcours.outcomes.defaults import DEFAULT_DEFINITIONS
from parcours.outcomes.defaults import PLIE as PLIE_DEFINITION
from parcours.outcomes.destinations import GROUP_OF, GROUPS, Destination, DestinationGroup
from parcours.outcomes.models import ExitFollowUp, FollowUpStatus, FollowUpWave
from parcours.outcomes.rules import (
    DefinitionSpec,
    ExitFacts,
    Rate,
    is_excluded,
    is_successful,
    percentage,
    rate_among,
)
from parcours.outcomes.selectors_rates import destination_groups, headline_during
from parcours.pathways.models import (
    FSE_PLUS,
    PLIE,
    POLITIQUE_VILLE,
    REGION,
    Answer,
    DiplomaLevel,
    EnrolmentFundingLine,
    EnrolmentPhase,
    JobSeekerStatus,
)
from parcours.people.models import Gender, entry_age
from parcours.schedule.models import AttendanceMark, ClosedMonth
from parcours.schedule.rates import Rates, group_rates, rates_of
from parcours.schedule.statements import build_statement, month_bounds

from . import indicators
from .indicators import Breakdown
from .periods import Period

# The reports, by the kind that names them in URLs.
CITY_POLICY = "politique-de-la-ville"
PLIE_REPORT = "plie"
FSE_REPORT = "fse-plus"
REGION_REPORT = "region"

NOT_RECORDED = "non_renseigne"
NOT_RECORDED_LABEL = "Non renseigné"


# ------------------------------------------------------------------------------ shared reads


def trainees(school: School, period: Period) -> dict[int, indicators._Trainee]:
    """Each trainee of the period (person id → their latest enrolment overlapping it).

    The key figures' population: ``indicators._trainees``, made public for the reports.
    """
    return indicators._trainees(school, period, None)


def funding_line_counts(school: School, period: Period) -> dict[str, int]:
    """People per funding line code over the period, as the key figures count them
    (``indicators._funding_lines``)."""
    return {line.code: line.count for line in indicators._funding_lines(school, period, None)}


def line_enrolments(school: School, period: Period, code: str):
    """The enrolments overlapping the period that carry the funding line ``code`` — the rule of
    the key figures' ``plie`` count (``indicators._enrolments`` and their funding lines)."""
    return EnrolmentFundingLine.objects.filter(
        enrolment__in=indicators._enrolments(school, period, None), funding_line__code=code
    )


def _latest(rows: Iterable[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Each person's latest enrolment among ``rows`` (by entry date, then id)."""
    kept: dict[int, dict[str, Any]] = {}
    for row in rows:
        person_id = row["enrolment__person_id"]
        current = kept.get(person_id)
        key = (row["enrolment__entry_date"], row["enrolment_id"])
        if current is None or key > (current["enrolment__entry_date"], current["enrolment_id"]):
            kept[person_id] = row
    return kept


@dataclass(frozen=True)
class Outcomes:
    """The exits of a group of people under one definition, and their destinations."""

    definition: str | None  # the definition's name; None: no definition valid then
    rate: Rate | None
    exits: int  # people who exited in the period (their latest exit)
    groups: list[Breakdown]  # the destination groups, zeros included
    destinations: list[Breakdown]  # every destination of the typology, zeros included


def _destination_breakdowns(people: list[ExitFacts]) -> tuple[list[Breakdown], list[Breakdown]]:
    """The groups and destinations of ``rates_table`` (one computation), as breakdowns."""
    groups, destinations = [], []
    for group in destination_groups(people):
        groups.append(Breakdown(group.code, group.label, group.count, group.share))
        destinations.extend(
            Breakdown(d.code, d.label, d.count, percentage(d.count, len(people)))
            for d in group.destinations
        )
    return groups, destinations


def _outcomes(people: list[ExitFacts], name: str | None, spec: DefinitionSpec | None, period):
    """The outcomes of ``people``: each person's latest exit of the period, as
    ``outcome_selectors.latest_exit_facts`` keeps them (the rule of the rates)."""
    groups, destinations = _destination_breakdowns(people)
    rate = rate_among(people, spec, period.start) if spec is not None else None
    return Outcomes(
        definition=name, rate=rate, exits=len(people), groups=groups, destinations=destinations
    )


def headline_definition(school: School, period: Period):
    """The school's headline definition for the period, as the rates table picks it."""
    return headline_during(school, period.start, period.end)[0]


def plie_definition(school: School, period: Period) -> tuple[str, DefinitionSpec]:
    """The PLIE definition's version that applies to the period (as every rate picks it); the
    shipped default if the database has none valid then."""
    stored = next(
        (
            d
            for d in outcome_selectors.definitions_valid_during(school, period.start, period.end)
            if d.code == PLIE_DEFINITION
        ),
        None,
    )
    if stored is not None:
        return stored.name, stored.spec
    default = next(d for d in DEFAULT_DEFINITIONS if d["code"] == PLIE_DEFINITION)
    return default["name"], DefinitionSpec.from_json(default["rules"], default["excluded"])


def _exit_labels(destination: str) -> tuple[str, str]:
    group = GROUP_OF.get(destination)
    return (
        str(dict(Destination.choices).get(destination, destination)),
        str(DestinationGroup(group).label) if group else "",
    )


# ------------------------------------------------------------------------ politique de la ville


@dataclass(frozen=True)
class QpvRow:
    code: str
    trainees: int
    pct: Decimal | None  # of the QPV residents
    women: int
    women_over_25: int


@dataclass(frozen=True)
class CityPolicyReport:
    kind = CITY_POLICY
    school_name: str
    period: Period
    trainees: int  # every trainee of the period
    qpv_trainees: int  # living in a QPV at entry
    qpv_pct: Decimal | None  # of the trainees
    line_trainees: int  # carrying the "politique de la ville" funding line
    women: int  # women living in a QPV
    women_over_25: int  # of whom 26 or older on the entry day
    by_qpv: list[QpvRow]
    outcomes: Outcomes  # the QPV residents' exits under the headline definition

    @property
    def people(self) -> int:
        return self.qpv_trainees


def city_policy_report(school: School, period: Period) -> CityPolicyReport:
    """Trainees living in a QPV (at the entry of their latest enrolment of the period)."""
    people = trainees(school, period)
    residents = {pid: t for pid, t in people.items() if t.qpv_code}
    by_code: dict[str, list[indicators._Trainee]] = defaultdict(list)
    for trainee in residents.values():
        by_code[trainee.qpv_code].append(trainee)

    def women(group) -> tuple[int, int]:
        female = [t for t in group if t.gender == Gender.FEMALE]
        older = [t for t in female if t.age_at_entry >= 26]
        return len(female), len(older)

    rows = []
    for code in sorted(by_code):
        female, older = women(by_code[code])
        rows.append(
            QpvRow(
                code=code,
                trainees=len(by_code[code]),
                pct=percentage(len(by_code[code]), len(residents)),
                women=female,
                women_over_25=older,
            )
        )
    female, older = women(residents.values())
    # Each resident's latest exit in the school (keeping people after the ranking is the same
    # as before it: the ranking is per person).
    exited = [
        f
        for f in outcome_selectors.latest_exit_facts(school, period.start, period.end)
        if f.person_id in residents
    ]
    headline = headline_definition(school, period)
    return CityPolicyReport(
        school_name=school.name,
        period=period,
        trainees=len(people),
        qpv_trainees=len(residents),
        qpv_pct=percentage(len(residents), len(people)),
        line_trainees=funding_line_counts(school, period).get(POLITIQUE_VILLE, 0),
        women=female,
        women_over_25=older,
        by_qpv=rows,
        outcomes=_outcomes(
            exited,
            headline.name if headline else None,
            headline.spec if headline else None,
            period,
        ),
    )


# ------------------------------------------------------------------------------ PLIE


@dataclass(frozen=True)
class PhaseStep:
    phase: str
    started_on: datetime.date
    ended_on: datetime.date | None


@dataclass(frozen=True)
class InternshipStep:
    kind: str  # label: "Stage E2C" / "PMSMP…"
    is_pmsmp: bool
    company: str
    job_title: str
    start_date: datetime.date
    end_date: datetime.date


@dataclass(frozen=True)
class ExitRow:
    exit_date: datetime.date
    destination: str  # code
    destination_label: str
    group_label: str
    months: int | None
    successful: bool | None  # under the report's definition (None: no definition)
    excluded: bool


@dataclass
class Participant:
    person_id: int
    last_name: str
    first_name: str
    birth_date: datetime.date | None  # None once the person is anonymised (a year only)
    gender: str  # label
    site: str
    entry_date: datetime.date  # of the latest enrolment carrying the line
    planned_end_date: datetime.date
    ended_on: datetime.date | None
    age_at_entry: int
    phases: list[PhaseStep] = field(default_factory=list)
    internships: list[InternshipStep] = field(default_factory=list)
    exit: ExitRow | None = None


@dataclass(frozen=True)
class PlieReport:
    kind = PLIE_REPORT
    school_name: str
    period: Period
    participants: list[Participant]  # by name
    entries: int  # participants whose PLIE enrolment began in the period
    in_progress: int  # participants whose PLIE enrolment was not over at the period's end
    phases: int  # phase steps during the period
    internships: int  # internships (not PMSMP) during the period
    pmsmp: int
    outcomes: Outcomes  # under the PLIE definition

    @property
    def people(self) -> int:
        return len(self.participants)


def _participants(rows: Iterable[dict[str, Any]]) -> dict[int, Participant]:
    genders = dict(Gender.choices)
    latest = _latest(rows)
    return {
        pid: Participant(
            person_id=pid,
            last_name=row["enrolment__person__last_name"],
            first_name=row["enrolment__person__first_name"],
            birth_date=_shown_birth_date(row),
            gender=str(genders.get(row["enrolment__person__gender"], "")),
            site=row["enrolment__site__name"],
            entry_date=row["enrolment__entry_date"],
            planned_end_date=row["enrolment__planned_end_date"],
            ended_on=row["enrolment__ended_on"],
            age_at_entry=entry_age(
                row["enrolment__person__birth_date"],
                row["enrolment__entry_date"],
                row["enrolment__age_at_entry"],
            ),
        )
        for pid, row in latest.items()
    }


_PARTICIPANT_FIELDS = (
    "enrolment_id",
    "enrolment__person_id",
    "enrolment__entry_date",
    "enrolment__planned_end_date",
    "enrolment__ended_on",
    "enrolment__site__name",
    "enrolment__person__last_name",
    "enrolment__person__first_name",
    "enrolment__person__birth_date",
    "enrolment__person__anonymised_at",
    "enrolment__age_at_entry",
    "enrolment__person__gender",
)


def _shown_birth_date(row: dict[str, Any]) -> datetime.date | None:
    if row["enrolment__person__anonymised_at"] is not None:
        return None
    return row["enrolment__person__birth_date"]


def _sorted(participants: Iterable[Any]) -> list[Any]:
    return sorted(
        participants, key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.person_id)
    )


def _exit_row(facts: ExitFacts, spec: DefinitionSpec | None) -> ExitRow:
    label, group = _exit_labels(facts.destination)
    return ExitRow(
        exit_date=facts.exit_date,
        destination=facts.destination,
        destination_label=label,
        group_label=group,
        months=facts.months,
        successful=is_successful(facts, spec) if spec is not None else None,
        excluded=is_excluded(facts, spec) if spec is not None else False,
    )


def plie_report(school: School, period: Period) -> PlieReport:
    """The PLIE participants of the period, their steps and their exits (PLIE definition)."""
    rows = list(line_enrolments(school, period, PLIE).values(*_PARTICIPANT_FIELDS))
    enrolment_ids = {row["enrolment_id"] for row in rows}
    person_of = {row["enrolment_id"]: row["enrolment__person_id"] for row in rows}
    participants = _participants(rows)

    phases = (
        EnrolmentPhase.objects.filter(school=school, enrolment_id__in=enrolment_ids)
        .filter(started_on__lte=period.end)
        .exclude(ended_on__lt=period.start)
        .order_by("started_on", "pk")
        .values_list("enrolment_id", "phase__name", "started_on", "ended_on")
    )
    phase_count = 0
    for enrolment_id, name, started, ended in phases:
        participants[person_of[enrolment_id]].phases.append(PhaseStep(name, started, ended))
        phase_count += 1

    internships = (
        Internship.objects.filter(
            school=school,
            enrolment_id__in=enrolment_ids,
            cancelled_at__isnull=True,
            start_date__lte=period.end,
            end_date__gte=period.start,
        )
        .order_by("start_date", "pk")
        .values_list("enrolment_id", "kind", "company__name", "job_title", "start_date", "end_date")
    )
    kinds = dict(InternshipKind.choices)
    for enrolment_id, kind, company, title, start, end in internships:
        participants[person_of[enrolment_id]].internships.append(
            InternshipStep(
                kind=str(kinds.get(kind, kind)),
                is_pmsmp=kind == InternshipKind.PMSMP,
                company=company,
                job_title=title,
                start_date=start,
                end_date=end,
            )
        )

    name, spec = plie_definition(school, period)
    # Each participant's latest exit of the period from a PLIE enrolment.
    exited = outcome_selectors.latest_exit_facts(
        school, period.start, period.end, line_enrolments(school, period, PLIE).values("enrolment")
    )
    for facts_row in exited:
        participants[facts_row.person_id].exit = _exit_row(facts_row, spec)
    steps = [step for p in participants.values() for step in p.internships]
    return PlieReport(
        school_name=school.name,
        period=period,
        participants=_sorted(participants.values()),
        entries=sum(1 for p in participants.values() if period.start <= p.entry_date),
        in_progress=sum(
            1 for p in participants.values() if p.ended_on is None or p.ended_on > period.end
        ),
        phases=phase_count,
        internships=sum(1 for s in steps if not s.is_pmsmp),
        pmsmp=sum(1 for s in steps if s.is_pmsmp),
        outcomes=_outcomes(exited, name, spec, period),
    )


# ------------------------------------------------------------------------------ FSE+

#: FSE+ age brackets (regulation (EU) 2021/1057, annex I: under 18, 18–29, 55 and over).
FSE_BRACKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("moins_18", "Moins de 18 ans", 0, 17),
    ("18_29", "18 à 29 ans", 18, 29),
    ("30_54", "30 à 54 ans", 30, 54),
    ("55_plus", "55 ans et plus", 55, None),
)

#: The yes/no items of the entry situation where the person may decline to answer.
FSE_ANSWER_ITEMS: tuple[tuple[str, str], ...] = (
    ("rqth", "RQTH (reconnaissance de handicap)"),
    ("receives_rsa", "Bénéficiaire du RSA"),
    ("jobless_household", "Ménage sans emploi"),
    ("single_parent", "Parent isolé avec enfant(s) à charge"),
    ("homeless", "Sans domicile ou exclu du logement"),
    ("foreign_origin", "Personne d'origine étrangère"),
)

NOT_EXITED = "en_parcours"
UNREACHABLE = "injoignable"
FOLLOW_UP_DUE = "a_faire"
NOT_DUE_YET = "pas_encore_echu"
SIX_MONTHS_LABELS = {
    UNREACHABLE: "Injoignable",
    FOLLOW_UP_DUE: "Suivi à faire (échu, non réalisé)",
    NOT_DUE_YET: "Suivi pas encore échu",
}


def _bracket(age: int, brackets) -> tuple[str, str]:
    for code, label, low, high in brackets:
        if age >= low and (high is None or age <= high):
            return code, label
    raise ValueError(age)  # pragma: no cover - the brackets cover every age


@dataclass(frozen=True)
class Item:
    """One entry-situation item: its answers' counts, every choice shown (zeros included)."""

    code: str
    label: str
    rows: list[Breakdown]


@dataclass
class FseParticipant:
    person_id: int
    last_name: str
    first_name: str
    birth_date: datetime.date | None
    entry_date: datetime.date
    age_at_entry: int | None
    answers: dict[str, str]  # item code → the answer's label ("Ne souhaite pas répondre"…)
    exit: ExitRow | None = None
    six_months: str = ""  # the situation found 6 months after the exit (label)


@dataclass(frozen=True)
class FseReport:
    kind = FSE_REPORT
    school_name: str
    period: Period
    participants: list[FseParticipant]
    at_entry: list[Item]
    at_exit: list[Breakdown]  # destination groups, then "still in the pathway"
    exits: int
    six_months: list[Breakdown]  # of the exits: groups, unreachable, to do, not due yet

    @property
    def people(self) -> int:
        return len(self.participants)

    @property
    def entry_items(self) -> list[tuple[str, str]]:
        return [(item.code, item.label) for item in self.at_entry]


def _fse_items() -> list[tuple[str, str, list[tuple[str, str]]]]:
    answers = [(c, str(label)) for c, label in Answer.choices]
    return [
        ("gender", "Sexe", [(c, str(label)) for c, label in Gender.choices]),
        (
            "age",
            "Tranche d'âge à l'entrée",
            [(code, label) for code, label, _lo, _hi in FSE_BRACKETS],
        ),
        ("diploma_level", "Plus haut diplôme", [(c, str(lb)) for c, lb in DiplomaLevel.choices]),
        (
            "job_seeker_status",
            "Situation à l'entrée",
            [(c, str(label)) for c, label in JobSeekerStatus.choices],
        ),
        *[(code, label, answers) for code, label in FSE_ANSWER_ITEMS],
    ]


def fse_report(school: School, period: Period) -> FseReport:
    """The FSE+ participants at entry, at exit and 6 months after exit."""
    situation = "enrolment__entry_situation__"
    item_fields = ["gender", "diploma_level", "job_seeker_status", *dict(FSE_ANSWER_ITEMS)]
    raw = list(
        line_enrolments(school, period, FSE_PLUS).values(
            "enrolment_id",
            "enrolment__person_id",
            "enrolment__entry_date",
            "enrolment__person__last_name",
            "enrolment__person__first_name",
            "enrolment__person__anonymised_at",
            f"{situation}birth_date",
            f"{situation}age_at_entry",
            *[f"{situation}{name}" for name in item_fields],
        )
    )
    rows = _latest(raw)
    items = _fse_items()
    counts: dict[str, Counter[str]] = {code: Counter() for code, _label, _choices in items}
    participants: dict[int, FseParticipant] = {}
    for pid, row in rows.items():
        birth = row[f"{situation}birth_date"]
        age = entry_age(birth, row["enrolment__entry_date"], row[f"{situation}age_at_entry"])
        if row["enrolment__person__anonymised_at"] is not None:
            birth = None  # a year only
        answers = {name: row[f"{situation}{name}"] or NOT_RECORDED for name in item_fields}
        answers["age"] = _bracket(age, FSE_BRACKETS)[0] if age is not None else NOT_RECORDED
        labels = {}
        for code, _label, choices in items:
            counts[code][answers[code]] += 1
            labels[code] = dict(choices).get(answers[code], NOT_RECORDED_LABEL)
        participants[pid] = FseParticipant(
            person_id=pid,
            last_name=row["enrolment__person__last_name"],
            first_name=row["enrolment__person__first_name"],
            birth_date=birth,
            entry_date=row["enrolment__entry_date"],
            age_at_entry=age,
            answers=labels,
        )
    total = len(participants)
    at_entry = []
    for code, label, choices in items:
        shown = list(choices)
        if counts[code][NOT_RECORDED]:
            shown.append((NOT_RECORDED, NOT_RECORDED_LABEL))
        at_entry.append(
            Item(
                code,
                label,
                [
                    Breakdown(c, lb, counts[code][c], percentage(counts[code][c], total))
                    for c, lb in shown
                ],
            )
        )

    # At exit: the participants' latest exit in the period from an FSE+ enrolment.
    exited = outcome_selectors.latest_exit_facts(
        school,
        period.start,
        period.end,
        line_enrolments(school, period, FSE_PLUS).values("enrolment"),
    )
    for facts_row in exited:
        participants[facts_row.person_id].exit = _exit_row(facts_row, None)
    groups, _destinations = _destination_breakdowns(exited)
    still = total - len(exited)
    at_exit = [Breakdown(g.code, g.label, g.count, percentage(g.count, total)) for g in groups] + [
        Breakdown(NOT_EXITED, "Pas sorti·e sur la période", still, percentage(still, total))
    ]

    # Six months after: the 6-month follow-up of each of these exits.
    follow_ups = {
        enrolment_id: (status, situation_code)
        for enrolment_id, status, situation_code in ExitFollowUp.objects.filter(
            school=school,
            wave=FollowUpWave.SIX,
            exit__enrolment_id__in=[f.enrolment_id for f in exited],
        ).values_list("exit__enrolment_id", "status", "situation")
    }
    six: Counter[str] = Counter()
    group_labels = {str(g): str(DestinationGroup(g).label) for g in GROUPS}
    for facts_row in exited:
        status, found = follow_ups.get(facts_row.enrolment_id, (None, ""))
        if status == FollowUpStatus.REACHED:
            code = str(GROUP_OF.get(found, DestinationGroup.NONE))
            label = _exit_labels(found)[0]
        else:
            code = {
                FollowUpStatus.UNREACHABLE: UNREACHABLE,
                FollowUpStatus.DUE: FOLLOW_UP_DUE,
            }.get(status, NOT_DUE_YET)
            label = SIX_MONTHS_LABELS[code]
        six[code] += 1
        participants[facts_row.person_id].six_months = label
    six_months = [
        Breakdown(code, label, six[code], percentage(six[code], len(exited)))
        for code, label in [*group_labels.items(), *SIX_MONTHS_LABELS.items()]
    ]
    return FseReport(
        school_name=school.name,
        period=period,
        participants=_sorted(participants.values()),
        at_entry=at_entry,
        at_exit=at_exit,
        exits=len(exited),
        six_months=six_months,
    )


# ------------------------------------------------------------------------------ Région

#: The Région's age brackets, on the entry day of the latest enrolment of the period.
REGION_BRACKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("moins_18", "Moins de 18 ans", 0, 17),
    ("18_25", "18 à 25 ans", 18, 25),
    ("26_plus", "26 ans et plus", 26, None),
)


@dataclass(frozen=True)
class BracketRow:
    code: str
    label: str
    trainees: int
    pct: Decimal | None
    attendance: Rates  # the half-days of their enrolments overlapping the period


@dataclass(frozen=True)
class MonthStatements:
    """The paid half-days of the statements of one month (within the period)."""

    month: datetime.date  # the first day of the month
    closed: bool  # the school closed the month (final statements)
    trainees: int  # enrolments with at least one marked half-day that month
    paid_half_days: int
    paid_hours: Decimal
    paid_minor: int  # paid at the under-18 rate (age on the day of each half-day)
    paid_adult: int
    by_bracket: dict[str, int]  # paid half-days by the trainee's report bracket


@dataclass(frozen=True)
class RegionReport:
    kind = REGION_REPORT
    school_name: str
    period: Period
    trainees: int
    line_trainees: int  # carrying the Région funding line
    brackets: list[BracketRow]
    attendance: Rates  # every trainee
    months: list[MonthStatements]

    @property
    def people(self) -> int:
        return self.trainees

    @property
    def paid_half_days(self) -> int:
        return sum(m.paid_half_days for m in self.months)


class _Mark(NamedTuple):
    enrolment_id: int
    day: datetime.date
    half: str
    status: str


class _Born(NamedTuple):
    # what people.models.is_minor_on reads
    birth_date: datetime.date
    anonymised_at: datetime.datetime | None
    came_of_age_on: datetime.date | None


class _Enrolment(NamedTuple):
    pk: int
    school_id: int


def _months_of(period: Period) -> list[datetime.date]:
    months, day = [], period.start.replace(day=1)
    while day <= period.end:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def region_report(school: School, period: Period) -> RegionReport:
    """Trainees by age bracket, their attendance and the paid half-days of their statements."""
    people = trainees(school, period)
    bracket_of = {pid: _bracket(t.age_at_entry, REGION_BRACKETS)[0] for pid, t in people.items()}
    enrolments = list(
        indicators._enrolments(school, period, None).values_list(
            "pk",
            "person_id",
            "person__birth_date",
            "person__anonymised_at",
            "person__came_of_age_on",
        )
    )
    person_of = {pk: person_id for pk, person_id, *_born in enrolments}
    born = {pk: _Born(*facts) for pk, _person, *facts in enrolments}

    rates = group_rates([_Enrolment(pk, school.pk) for pk in person_of], period.start, period.end)
    per_bracket: dict[str, Counter[str]] = {code: Counter() for code, *_rest in REGION_BRACKETS}
    for pk, enrolment_rates in rates.by_enrolment.items():
        per_bracket[bracket_of[person_of[pk]]].update(enrolment_rates.counts)
    brackets = [
        BracketRow(
            code=code,
            label=label,
            trainees=sum(1 for b in bracket_of.values() if b == code),
            pct=percentage(sum(1 for b in bracket_of.values() if b == code), len(people)),
            attendance=rates_of(per_bracket[code]),
        )
        for code, label, *_rest in REGION_BRACKETS
    ]

    # Statements: every mark of the period (one query), one statement per enrolment and month.
    by_month: dict[datetime.date, dict[int, list[_Mark]]] = defaultdict(lambda: defaultdict(list))
    for row in (
        AttendanceMark.objects.filter(
            school=school,
            enrolment_id__in=indicators._enrolments(school, period, None).values("pk"),
            day__range=(period.start, period.end),
        )
        .order_by("enrolment_id", "day", "half")
        .values_list("enrolment_id", "day", "half", "status")
    ):
        mark = _Mark(*row)
        by_month[mark.day.replace(day=1)][mark.enrolment_id].append(mark)
    closed = set(
        ClosedMonth.objects.filter(
            school=school, month__range=(period.start.replace(day=1), period.end)
        ).values_list("month", flat=True)
    )
    months = []
    for month in _months_of(period):
        paid = minor = adult = 0
        hours = Decimal(0)
        by_bracket: Counter[str] = Counter()
        marked = by_month.get(month, {})
        for enrolment_id, month_marks in marked.items():
            statement = build_statement(enrolment_id, month, month_marks, person=born[enrolment_id])
            paid += statement.paid.half_days
            hours += statement.paid.hours
            minor += statement.paid_minor.half_days
            adult += statement.paid_adult.half_days
            by_bracket[bracket_of[person_of[enrolment_id]]] += statement.paid.half_days
        months.append(
            MonthStatements(
                month=month,
                closed=month_bounds(month)[0] in closed,
                trainees=len(marked),
                paid_half_days=paid,
                paid_hours=hours,
                paid_minor=minor,
                paid_adult=adult,
                by_bracket={code: by_bracket[code] for code, *_rest in REGION_BRACKETS},
            )
        )
    return RegionReport(
        school_name=school.name,
        period=period,
        trainees=len(people),
        line_trainees=funding_line_counts(school, period).get(REGION, 0),
        brackets=brackets,
        attendance=rates.total,
        months=months,
    )


# ------------------------------------------------------------------------------ the list


@dataclass(frozen=True)
class ReportKind:
    kind: str
    title: str
    funder: str
    description: str
    compute: Callable[[School, Period], Any]


REPORTS: dict[str, ReportKind] = {
    report.kind: report
    for report in (
        ReportKind(
            CITY_POLICY,
            "Politique de la ville",
            "Métropole",
            "Stagiaires résidant en quartier prioritaire (QPV) à l'entrée, par QPV ; femmes de "
            "plus de 25 ans ; sorties et sorties réussies (définition retenue), destinations.",
            city_policy_report,
        ),
        ReportKind(
            PLIE_REPORT,
            "PLIE",
            "Plan local pour l'insertion et l'emploi",
            "Participant·es du PLIE, leurs étapes (phases, stages et PMSMP) et leurs sorties "
            "selon la définition PLIE. Liste nominative.",
            plie_report,
        ),
        ReportKind(
            FSE_REPORT,
            "FSE+",
            "Fonds social européen",
            "Données des participant·es à l'entrée, à la sortie et 6 mois après la sortie ; "
            "les réponses « ne souhaite pas répondre » sont comptées à part. Liste nominative.",
            fse_report,
        ),
        ReportKind(
            REGION_REPORT,
            "Région",
            "Conseil régional",
            "Stagiaires par tranche d'âge, assiduité, et demi-journées rémunérées des états de "
            "présence, mois par mois.",
            region_report,
        ),
    )
}


def report(kind: str, school: School, period: Period):
    """The report ``kind`` (a key of :data:`REPORTS`) of ``school`` over ``period``."""
    return REPORTS[kind].compute(school, period)
