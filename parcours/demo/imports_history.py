"""The demo school's import history: the 2019 register, taken over from a spreadsheet when the
school moved to Parcours, recorded as one finished import on the import page.

Nothing is imported again: only the ``imports.ImportJob`` row is written (its counts are those
of the demo's 2019 entries, its file long deleted), so every figure of the demo stays the same.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from parcours.imports.models import ImportJob, ImportKind, ImportStatus
from parcours.organisations.models import Membership, School
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment

FILENAME = "reprise-historique-2019.xlsx"
YEAR = 2019
#: When the register was imported (the school's first weeks on Parcours).
IMPORTED_AT = datetime.datetime(2020, 1, 13, 10, 12, tzinfo=ZoneInfo("Europe/Paris"))


def build_imports(school: School, director: Membership) -> ImportJob:
    """One finished import of the school's entries of 2019, by the director."""
    enrolments = Enrolment.objects.filter(school=school, entry_date__year=YEAR)
    rows = enrolments.count()
    people = enrolments.values("person").distinct().count()
    exits = Exit.objects.filter(enrolment__in=enrolments).count()
    job = ImportJob.objects.create(
        school=school,
        created_by=director.user,
        kind=ImportKind.ENROLMENTS,
        original_name=FILENAME,
        status=ImportStatus.DONE,
        progress_done=rows,
        progress_total=rows,
        report={
            "rows": rows,
            "problems": [],
            "problem_count": 0,
            "people_created": people,
            "people_matched": 0,
            "enrolments_created": rows,
            "enrolments_matched": 0,
            "exits_created": exits,
            "prescribers_created": [],
            "dry_run": False,
            "written": True,
        },
    )
    # The stamps of the day it ran (auto_now fields are set by an update).
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=IMPORTED_AT - datetime.timedelta(minutes=4),
        updated_at=IMPORTED_AT,
        checked_at=IMPORTED_AT - datetime.timedelta(minutes=3),
        finished_at=IMPORTED_AT,
    )
    job.refresh_from_db()
    return job


def delete_imports(school_ids: list[int]) -> None:
    ImportJob.objects.filter(school_id__in=school_ids).delete()
