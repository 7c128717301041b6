"""``parcours daily`` deletes the import files nobody needs and, later, the reports' problems."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from parcours.imports.models import ImportJob, ImportStatus
from parcours.imports.services_jobs import purge_import_files
from parcours.privacy.inventory import TRANSIENT

pytestmark = pytest.mark.django_db


def _job(world, status, *, file=True, **fields) -> ImportJob:
    job = ImportJob(school=world.school, original_name="x.csv", status=status, **fields)
    if file:
        job.file.save("upload", SimpleUploadedFile("x.csv", b"nom;prenom\n"), save=False)
    job.save()
    return job


def _age(job, **delta) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(**delta)
    )


def test_the_purge(world, settings):
    now = timezone.now()
    old_check = _job(world, ImportStatus.CHECKED, checked_at=now - datetime.timedelta(hours=25))
    fresh_check = _job(world, ImportStatus.CHECKED, checked_at=now - datetime.timedelta(hours=2))
    stuck = _job(world, ImportStatus.IMPORTING)
    _age(stuck, hours=30)
    recent_run = _job(world, ImportStatus.CHECKING)
    left_file = _job(world, ImportStatus.DONE, finished_at=now)
    problems = [{"row": 2, "column": "nom", "message": "Le nom est vide."}]
    old_refused = _job(
        world,
        ImportStatus.REFUSED,
        file=False,
        finished_at=now - datetime.timedelta(days=31),
        report={"rows": 1, "problems": problems, "problem_count": 1},
    )
    new_refused = _job(
        world,
        ImportStatus.REFUSED,
        file=False,
        finished_at=now - datetime.timedelta(days=3),
        report={"rows": 1, "problems": problems, "problem_count": 1},
    )
    paths = {job.pk: job.file.path for job in (old_check, fresh_check, stuck, left_file)}

    assert purge_import_files() == 4
    for job in (old_check, fresh_check, stuck, recent_run, left_file, old_refused, new_refused):
        job.refresh_from_db()
    assert old_check.status == ImportStatus.EXPIRED and not old_check.file
    assert stuck.status == ImportStatus.FAILED and not stuck.file
    assert "interrompu" in stuck.report["error"]
    assert not left_file.file
    for pk in (old_check.pk, stuck.pk, left_file.pk):
        assert not _exists(paths[pk])
    # Kept: the fresh check (within 24 h), the running job, the recent report's problems.
    assert fresh_check.status == ImportStatus.CHECKED and _exists(paths[fresh_check.pk])
    assert recent_run.status == ImportStatus.CHECKING and recent_run.file
    assert new_refused.report["problems"] == problems
    # The old report keeps its counts, not its problems.
    assert old_refused.report["problems"] == []
    assert old_refused.report["problem_count"] == 1
    assert old_refused.report["problems_cleared"] is True
    page = (
        world.client_for("director")
        .get(f"/e/{world.school.slug}/import/{old_refused.pk}/")
        .content.decode()
    )
    assert "Le détail des problèmes n'est plus conservé." in page
    # Nothing left to do the next day.
    assert purge_import_files() == 0


def _exists(path) -> bool:
    import os

    return os.path.exists(path)


def test_the_daily_command_runs_the_purge(world):
    _job(world, ImportStatus.CHECKED, checked_at=timezone.now() - datetime.timedelta(days=2))
    out = StringIO()
    call_command("daily", stdout=out)
    assert "fichiers d'import supprimés : 1" in out.getvalue()


def test_the_inventory_says_what_happens_to_the_uploaded_files():
    assert "imports.ImportJob" in TRANSIENT
    assert "24 hours" in TRANSIENT["imports.ImportJob"]
