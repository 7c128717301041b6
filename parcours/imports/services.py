"""The import of a school's existing trainees from a spreadsheet: people, enrolments, exits.

:func:`import_enrolments` reads the file (``parsing``), checks every row and the rows against
the school's records (``validation``: nothing written, every problem listed), then writes it
all in one transaction — or nothing when there is any problem, or on a dry run.

An imported row gives the records an entry through intake gives (``intake.services
.confirm_entry``) and an exit through ``outcomes.services_exits.record_exit``, so the key
figures, the outcome rates and the trainee list read them alike:

- ``Person`` (new, or matched on folded last name, first name and birth date);
- ``Referral`` (stage "entered", admitted; its prescriber — none when spontaneous — is what
  the prescriber mix reads), received on the entry date;
- ``Enrolment`` (site, entry date, planned end after the school's pathway length; exited with
  its end date when the row has an exit) and its ``EntrySituation`` (gender, birth date,
  postcode, commune, QPV code, diploma level; the items the file does not carry stay empty,
  "not recorded"), its funding lines (PLIE when ``plie`` is "oui", politique de la ville when
  there is a QPV code, as at entry), its first phase (closed on the exit date);
- ``Exit`` (destination, months and days; a dropout gets the reason "autre raison").

Writes are bulk (a bounded number of queries whatever the rows); the invariants that the
services check one by one are checked beforehand in ``validation``. Audit: one
``import.enrolments`` event (counts and file name), and per record the events the web writes
(``partner.create``, ``enrolment.create``, ``exit.record``, marked ``"import": true``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import User
from parcours.audit.context import get_client_address
from parcours.audit.models import AuditEvent
from parcours.audit.services import record_event
from parcours.intake.eligibility import add_months
from parcours.intake.models import Channel, Outcome, Referral, Stage
from parcours.organisations.models import Partner, School
from parcours.outcomes.models import Exit
from parcours.pathways.models import (
    PLIE,
    POLITIQUE_VILLE,
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentPhase,
    EnrolmentStatus,
    EntrySituation,
    FundingLine,
    GoalStatus,
    Plan,
    PlanGoal,
)
from parcours.pathways.services import ensure_phases
from parcours.people.models import Person
from parcours.schedule.models import AttendanceMark, SessionTrainee

from . import bulk
from . import columns as C
from .parsing import ACCEPTED_EXTENSIONS, MAX_FILE_BYTES, FileRefused, read_table
from .validation import Plan as ImportPlan
from .validation import (
    Problem,
    Record,
    check_header,
    parse_rows,
    plan_import,
    sort_problems,
)

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "MAX_FILE_BYTES",
    "ImportReport",
    "Problem",
    "import_enrolments",
]

BATCH = 1000
#: The writes report their progress in this many steps (``progress`` after the validation).
WRITE_STEPS = 10
#: The channel of an imported referral (the file does not say how the person came).
IMPORTED_CHANNEL = Channel.MAIL


@dataclass
class ImportReport:
    rows: int  # data rows read
    problems: list[Problem] = field(default_factory=list)  # empty = valid
    people_created: int = 0
    people_matched: int = 0  # already in the school (re-import)
    enrolments_created: int = 0
    enrolments_matched: int = 0
    exits_created: int = 0
    prescribers_created: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False  # True only when rows were written

    @property
    def ok(self) -> bool:
        return not self.problems


def import_enrolments(
    *,
    school: School,
    actor: User | None,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    ip_address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the people, enrolments and exits of ``data`` (XLSX or CSV, by ``filename``) into
    ``school``: all of it, or nothing when any row has a problem (listed in the report)."""
    report = ImportReport(rows=0, dry_run=dry_run)
    try:
        table = read_table(data, filename)
    except FileRefused as refused:
        report.problems = [Problem(None, None, refused.message)]
        return report
    report.rows = len(table.rows)
    index, problems = check_header(table.header)
    if problems:
        report.problems = sort_problems(problems)
        return report
    if not table.rows:
        report.problems = [Problem(None, None, _("Le fichier n'a aucune ligne de données."))]
        return report

    rows = len(table.rows)
    total = rows if dry_run else 2 * rows

    def tick(done: int) -> None:
        if progress is not None:
            progress(min(done, total), total)

    tick(0)
    today = timezone.localdate()
    records, problems = parse_rows(table.rows, index, today, tick)
    # Every row is read: said before the write transaction opens, so that a progress saved
    # outside it (the import page's) shows the reading done whatever the row count.
    tick(rows)
    if dry_run:
        _check(school, records, problems, report)
        tick(total)
        return report
    with transaction.atomic():
        # The checks against the school's records and the writes see the same records: two
        # imports into one school run one after the other (PostgreSQL: the school's row is
        # locked; SQLite: the transaction takes the write lock when it begins).
        School.objects.select_for_update().filter(pk=school.pk).exists()
        plan = _check(school, records, problems, report)
        if report.problems:
            return report
        tick(rows)
        if not (plan.new_people or plan.new_enrolments or plan.new_exits or plan.new_partners):
            tick(total)
            return report  # everything is already there: nothing to write, not even an event
        # The summary first: it names the whole import (the per-record events follow).
        record_event(
            actor=actor,
            action="import.enrolments",
            school=school,
            changes={
                # The kind of file, not its name: a name such as "dupont_marie.csv" would put a
                # person's name in the trail (events never name a person).
                "format": Path(filename or "").suffix.lower().lstrip(".") or "?",
                "rows": report.rows,
                "people_created": report.people_created,
                "people_matched": report.people_matched,
                "enrolments_created": report.enrolments_created,
                "enrolments_matched": report.enrolments_matched,
                "exits_created": report.exits_created,
                "prescribers_created": len(report.prescribers_created),
            },
            ip_address=ip_address,
        )
        _write(
            school=school,
            actor=actor,
            plan=plan,
            today=today,
            ip_address=ip_address or get_client_address(),
            step=lambda k: tick(rows + rows * k // WRITE_STEPS),
        )
    report.written = True
    tick(total)
    return report


def _check(
    school: School, records: list[Record], problems: list[Problem], report: ImportReport
) -> ImportPlan:
    """The rows against each other and the school's records: the plan, counts and problems
    go into ``report``."""
    plan, more = plan_import(school, records)
    report.people_created = len(plan.new_people)
    report.people_matched = plan.people_matched
    report.enrolments_created = len(plan.new_enrolments)
    report.enrolments_matched = plan.enrolments_matched
    report.exits_created = plan.exits_created
    report.prescribers_created = [name for name, _kind in plan.new_partners.values()]
    report.problems = sort_problems(problems + more)
    return plan


# ------------------------------------------------------------------------------- writes


def _write(
    *,
    school: School,
    actor: User | None,
    plan: ImportPlan,
    today: datetime.date,
    ip_address: str | None,
    step: Callable[[int], None],
) -> None:
    """Write the plan; ``step(k)`` says that k of the ``WRITE_STEPS`` are done."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    user_id = user.pk if user is not None else None
    events = _Events(school_id=school.pk, actor_id=user_id, ip_address=ip_address)

    # Prescribers named in the file that the school does not know yet (a few: bulk_create).
    partner_ids = dict(plan.partner_ids)
    created = Partner.objects.bulk_create(
        [
            Partner(school=school, name=name, is_prescriber=True, prescriber_type=kind)
            for name, kind in plan.new_partners.values()
        ]
    )
    for key, partner in zip(plan.new_partners, created, strict=True):
        partner_ids[key] = partner.pk
        events.add(
            Partner,
            partner.pk,
            "partner.create",
            {
                "name": partner.name,
                "is_prescriber": True,
                "prescriber_type": partner.prescriber_type,
                "import": True,
            },
        )

    # New people, with the identity of their latest row.
    new_ids = bulk.insert(
        Person,
        [
            {
                "school_id": school.pk,
                "last_name": r.last_name,
                "first_name": r.first_name,
                "birth_date": r.birth_date,
                "gender": r.gender,
                "email": r.email,
                "phone": r.phone,
                "postcode": r.postcode,
                "commune": r.commune,
            }
            for r in plan.new_people.values()
        ],
        returning=True,
    )
    person_ids = dict(plan.person_ids)
    person_ids.update(zip(plan.new_people, new_ids, strict=True))
    step(1)
    _write_enrolments(school, user_id, plan, person_ids, partner_ids, events, step)
    _write_new_exits(school, user_id, plan.new_exits, today, events)
    step(9)
    events.save()


def _write_enrolments(
    school: School,
    user_id: int | None,
    plan: ImportPlan,
    person_ids: dict[tuple, int],
    partner_ids: dict[str, int],
    events: _Events,
    step: Callable[[int], None],
) -> None:
    records = plan.new_enrolments
    if not records:
        return
    first_phase = ensure_phases(school)[0]
    lines = dict(
        FundingLine.objects.filter(code__in=[PLIE, POLITIQUE_VILLE]).values_list("code", "pk")
    )
    people = [person_ids[r.person_key] for r in records]
    referrals = bulk.insert(
        Referral,
        [
            {
                "school_id": school.pk,
                "person_id": person_id,
                "prescriber_id": (
                    partner_ids[C.fold(r.prescriber)] if r.prescriber_type is not None else None
                ),
                "channel": Channel.SPONTANEOUS if r.prescriber_type is None else IMPORTED_CHANNEL,
                "received_on": r.entry_date,
                "qpv_code": r.qpv_code,
                "stage": Stage.ENTERED,
                "outcome": Outcome.ADMITTED,
                "created_by_id": user_id,
            }
            for r, person_id in zip(records, people, strict=True)
        ],
        returning=True,
    )
    step(2)
    enrolments = bulk.insert(
        Enrolment,
        [
            {
                "school_id": school.pk,
                "person_id": person_id,
                "site_id": plan.site_ids[C.fold(r.site)],
                "referral_id": referral_id,
                "entry_date": r.entry_date,
                "planned_end_date": add_months(r.entry_date, school.pathway_months),
                "status": EnrolmentStatus.EXITED if r.exit_date else EnrolmentStatus.ACTIVE,
                "ended_on": r.exit_date,
            }
            for r, person_id, referral_id in zip(records, people, referrals, strict=True)
        ],
        returning=True,
    )
    step(4)
    pairs = list(zip(records, enrolments, strict=True))
    bulk.insert(
        EntrySituation,
        [
            {
                "school_id": school.pk,
                "enrolment_id": enrolment_id,
                "gender": r.gender,
                "birth_date": r.birth_date,
                "postcode": r.postcode,
                "commune": r.commune,
                "qpv_code": r.qpv_code,
                "diploma_level": r.diploma_level,
                # Not in the file: left empty ("not recorded"), never guessed.
                "job_seeker_status": "",
                "rqth": "",
                "receives_rsa": "",
                "jobless_household": "",
                "single_parent": "",
                "homeless": "",
                "foreign_origin": "",
            }
            for r, enrolment_id in pairs
        ],
    )
    carried: list[dict[str, Any]] = []
    line_codes: dict[int, list[str]] = {}
    for r, enrolment_id in pairs:
        codes = [code for code, on in ((PLIE, r.plie), (POLITIQUE_VILLE, bool(r.qpv_code))) if on]
        codes = [code for code in codes if code in lines]
        line_codes[enrolment_id] = sorted(codes)
        carried += [
            {"school_id": school.pk, "enrolment_id": enrolment_id, "funding_line_id": lines[code]}
            for code in codes
        ]
    step(5)
    bulk.insert(EnrolmentFundingLine, carried)
    bulk.insert(
        EnrolmentPhase,
        [
            {
                "school_id": school.pk,
                "enrolment_id": enrolment_id,
                "phase_id": first_phase.pk,
                "started_on": r.entry_date,
                "ended_on": r.exit_date,
                "moved_by_id": user_id,
            }
            for r, enrolment_id in pairs
        ],
    )
    step(7)
    exited = [(r, enrolment_id) for r, enrolment_id in pairs if r.exit_date]
    exit_rows = [_exit(school, enrolment_id, r, user_id) for r, enrolment_id in exited]
    exit_ids = bulk.insert(Exit, exit_rows, returning=True)
    for (r, enrolment_id), referral_id in zip(pairs, referrals, strict=True):
        events.add(
            Enrolment,
            enrolment_id,
            "enrolment.create",
            {
                "referral": referral_id,
                "person": person_ids[r.person_key],
                "entry_date": r.entry_date.isoformat(),
                "funding_lines": line_codes[enrolment_id],
                "import": True,
            },
        )
    for row, exit_id in zip(exit_rows, exit_ids, strict=True):
        events.add(Exit, exit_id, "exit.record", _exit_changes(row))


def _exit(school: School, enrolment_id: int, r: Record, user_id: int | None) -> dict[str, Any]:
    return {
        "school_id": school.pk,
        "enrolment_id": enrolment_id,
        "exit_date": r.exit_date,
        "destination": r.destination,
        "months": r.months,
        "days": r.days,
        "dropout_reason": r.dropout_reason,
        "recorded_by_id": user_id,
    }


def _exit_changes(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "enrolment": row["enrolment_id"],
        "exit_date": row["exit_date"].isoformat(),
        "destination": row["destination"],
        "months": row["months"],
        "days": row["days"],
        "dropout_reason": row["dropout_reason"],
        "import": True,
    }


def _write_new_exits(
    school: School,
    user_id: int | None,
    new_exits: list,
    today: datetime.date,
    events: _Events,
) -> None:
    """Exits on enrolments in progress: what ``record_exit`` does, in bulk — the enrolment is
    exited, its open phase ends, the open goals of its latest plan are dropped, its places in
    sessions after the exit date and its attendance marks of days to come are removed."""
    if not new_exits:
        return
    exit_on = {stored.pk: record.exit_date for stored, record in new_exits}
    ids = sorted(exit_on)
    exit_rows = [_exit(school, stored.pk, record, user_id) for stored, record in new_exits]
    exit_ids = bulk.insert(Exit, exit_rows, returning=True)
    enrolments = list(Enrolment.objects.filter(pk__in=ids))
    for enrolment in enrolments:
        enrolment.status = EnrolmentStatus.EXITED
        enrolment.ended_on = exit_on[enrolment.pk]
    Enrolment.objects.bulk_update(enrolments, ["status", "ended_on"], batch_size=BATCH)
    phases = list(EnrolmentPhase.objects.filter(enrolment_id__in=ids, ended_on__isnull=True))
    for phase in phases:
        phase.ended_on = max(exit_on[phase.enrolment_id], phase.started_on)
    EnrolmentPhase.objects.bulk_update(phases, ["ended_on"], batch_size=BATCH)
    latest: dict[int, int] = {}
    plans = Plan.objects.filter(enrolment_id__in=ids).order_by("version")
    for plan_id, enrolment_id in plans.values_list("pk", "enrolment_id"):
        latest[enrolment_id] = plan_id
    goals = PlanGoal.objects.filter(
        plan_id__in=list(latest.values()), status__in=[GoalStatus.TODO, GoalStatus.IN_PROGRESS]
    )
    dropped: dict[int, list[int]] = {enrolment_id: [] for enrolment_id in latest}
    plan_enrolment = {plan_id: enrolment_id for enrolment_id, plan_id in latest.items()}
    goal_ids = []
    for goal_id, plan_id in goals.values_list("pk", "plan_id"):
        dropped[plan_enrolment[plan_id]].append(goal_id)
        goal_ids.append(goal_id)
    if goal_ids:
        PlanGoal.objects.filter(pk__in=goal_ids).update(status=GoalStatus.DROPPED)
    places = [
        (pk, enrolment_id, session_id)
        for pk, enrolment_id, session_id, day in SessionTrainee.objects.filter(
            enrolment_id__in=ids
        ).values_list("pk", "enrolment_id", "session_id", "session__day")
        if day > exit_on[enrolment_id]
    ]
    if places:
        SessionTrainee.objects.filter(pk__in=[p[0] for p in places]).delete()
    marks = [
        (pk, enrolment_id)
        for pk, enrolment_id, day in AttendanceMark.objects.filter(
            enrolment_id__in=ids, day__gt=today
        ).values_list("pk", "enrolment_id", "day")
        if day > exit_on[enrolment_id]
    ]
    if marks:
        AttendanceMark.objects.filter(pk__in=[m[0] for m in marks]).delete()
    for row, exit_id in zip(exit_rows, exit_ids, strict=True):
        changes = _exit_changes(row)
        enrolment_id = row["enrolment_id"]
        changes["closed"] = {
            "goals": dropped.get(enrolment_id, []),
            "sessions": [p[2] for p in places if p[1] == enrolment_id],
            "marks": sum(1 for m in marks if m[1] == enrolment_id),
        }
        events.add(Exit, exit_id, "exit.record", changes)


@dataclass
class _Events:
    """Audit events written in bulk at the end of the transaction, as ``record_event`` writes
    them (the record named by kind and id: ``audit.services.describe``)."""

    school_id: int
    actor_id: int | None
    ip_address: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    _names: dict[type, tuple[str, str]] = field(default_factory=dict)

    def add(self, model: type, pk: int, action: str, changes: dict[str, Any]) -> None:
        names = self._names.get(model)
        if names is None:
            names = self._names[model] = (model._meta.label_lower, str(model._meta.verbose_name))
        label, verbose = names
        self.rows.append(
            {
                "school_id": self.school_id,
                "actor_id": self.actor_id,
                "action": action,
                "object_type": label,
                "object_id": str(pk),
                "object_repr": f"{verbose} n° {pk}"[:200],
                "changes": changes,
                "ip_address": self.ip_address,
            }
        )

    def save(self) -> None:
        bulk.insert(AuditEvent, self.rows)
