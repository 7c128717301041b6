"""Objects of the import page in the shared test world (both schools): one checked job each."""

from __future__ import annotations

from django.utils import timezone

from parcours.imports.models import ImportJob, ImportStatus


def _build(school, user, objects: dict) -> None:
    objects["import_job"] = ImportJob.objects.create(
        school=school,
        created_by=user,
        original_name="reprise.csv",
        status=ImportStatus.CHECKED,
        checked_at=timezone.now(),
        progress_done=2,
        progress_total=2,
        report={
            "rows": 2,
            "problems": [],
            "problem_count": 0,
            "people_created": 2,
            "people_matched": 0,
            "enrolments_created": 2,
            "enrolments_matched": 0,
            "exits_created": 1,
            "prescribers_created": [],
            "dry_run": True,
            "written": False,
        },
    )


def build_imports_world(world) -> None:
    _build(world.school, world.members["director"].user, world.objects)
    _build(world.other_school, world.outsider.user, world.others)
