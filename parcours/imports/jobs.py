"""Run an import job in the background: the check (a dry run), then the import.

``start`` hands the job to a daemon thread once the current transaction has committed (the
thread reads the job through its own database connection). The thread calls the import
service with a progress callback that saves each progress the service reports (every
200 rows, and once all rows are read) while it reads and checks the file (outside its write
transaction, so the page's polling sees it); while the service writes (one transaction) the
page shows "Enregistrement…". Whatever happens, the run ends the job (checked, refused,
imported or failed with a French message: nothing about the file goes to the logs), deletes
the file when it is no longer needed and closes its database connection.

With ``PARCOURS_IMPORT_IN_THREAD = False`` (the tests) the run happens inline, at once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImportJob, ImportStatus
from .services_jobs import delete_file

logger = logging.getLogger(__name__)

#: The job's row is updated every this many rows (and at the last one).
#: At most this many problems are kept in the report (the count is kept whole).
MAX_STORED_PROBLEMS = 2000


def start(job: ImportJob, *, dry_run: bool, actor=None, ip_address: str | None = None) -> None:
    """Run the job's check (``dry_run``) or import, in a thread after the commit."""
    args = (job.pk, dry_run, getattr(actor, "pk", None), ip_address)
    if not getattr(settings, "PARCOURS_IMPORT_IN_THREAD", True):
        run(*args)
        return

    def launch() -> None:
        name = f"parcours-import-{job.pk}"
        threading.Thread(target=_thread_main, args=args, name=name, daemon=True).start()

    transaction.on_commit(launch)


def _thread_main(*args) -> None:
    try:
        run(*args)
    finally:
        connection.close()


@dataclass
class _Progress:
    """The service's ``progress(done, total)``: saved as the service reports it (it reports
    every few hundred rows), except inside its write transaction."""

    job_id: int
    depth: int = field(default_factory=lambda: len(connection.atomic_blocks))

    def __call__(self, done: int, total: int) -> None:
        if len(connection.atomic_blocks) > self.depth:
            return  # inside the service's write transaction: the page could not see it
        try:
            ImportJob.objects.filter(pk=self.job_id).update(
                progress_done=done, progress_total=total, updated_at=timezone.now()
            )
        except OperationalError:  # SQLite busy: the next step will say it
            logger.info("import job %s: progress not saved (database busy)", self.job_id)


def report_as_json(report) -> dict:
    """The service's ``ImportReport`` as stored on the job."""
    problems = [
        {"row": p.row, "column": p.column, "message": str(p.message)}
        for p in report.problems[:MAX_STORED_PROBLEMS]
    ]
    return {
        "rows": report.rows,
        "problems": problems,
        "problem_count": len(report.problems),
        "people_created": report.people_created,
        "people_matched": report.people_matched,
        "enrolments_created": report.enrolments_created,
        "enrolments_matched": report.enrolments_matched,
        "exits_created": report.exits_created,
        "prescribers_created": list(report.prescribers_created),
        "dry_run": report.dry_run,
        "written": report.written,
    }


def _retrying(action, attempts: int = 5):
    """``action()``, tried again while SQLite says the database is locked (another request
    writes: its session, a poll). The import is one transaction: trying it again is safe."""
    for attempt in range(attempts):
        try:
            return action()
        except OperationalError as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return None  # pragma: no cover - the loop returns or raises


def run(job_id: int, dry_run: bool, actor_id: int | None, ip_address: str | None) -> None:
    """Check or import the job's file and record the outcome on the job; whatever fails ends
    the job as failed (a French message on the page, only the error's type in the log)."""
    try:
        _run(job_id, dry_run, actor_id, ip_address)
    except Exception as error:  # any failure ends the job, never the server
        # The exception's message may quote the file: only its type goes to the log.
        logger.error("import job %s failed: %s", job_id, type(error).__name__)
        try:
            job = ImportJob.objects.get(pk=job_id)
            _retrying(lambda: _end(job, ImportStatus.FAILED, {"error": _failure_message(dry_run)}))
        except Exception as again:
            logger.error("import job %s: failure not recorded: %s", job_id, type(again).__name__)


def _run(job_id: int, dry_run: bool, actor_id: int | None, ip_address: str | None) -> None:
    from . import services  # the engine (imported late: it is big)

    job = ImportJob.objects.select_related("school").get(pk=job_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    job.status = ImportStatus.CHECKING if dry_run else ImportStatus.IMPORTING
    job.progress_done = job.progress_total = 0
    _retrying(
        lambda: job.save(update_fields=["status", "progress_done", "progress_total", "updated_at"])
    )
    with job.file.open("rb") as handle:
        data = handle.read()
    report = _retrying(
        lambda: services.import_enrolments(
            school=job.school,
            actor=actor,
            data=data,
            filename=job.original_name,
            dry_run=dry_run,
            ip_address=ip_address,
            progress=_Progress(job.pk),
        )
    )
    stored = report_as_json(report)
    if report.problems:
        _retrying(lambda: _end(job, ImportStatus.REFUSED, stored))
    elif dry_run:
        job.status = ImportStatus.CHECKED
        job.report = stored
        job.progress_done = job.progress_total = report.rows
        job.checked_at = timezone.now()
        fields = ["status", "report", "progress_done", "progress_total", "checked_at"]
        _retrying(lambda: job.save(update_fields=[*fields, "updated_at"]))
    else:
        _retrying(lambda: _end(job, ImportStatus.DONE, stored))


def _failure_message(dry_run: bool) -> str:
    if dry_run:
        return _("La vérification du fichier a échoué à cause d'une erreur inattendue.")
    return _(
        "L'import a échoué à cause d'une erreur inattendue : rien n'a été enregistré. "
        "Vous pouvez déposer le fichier à nouveau."
    )


def _end(job: ImportJob, status: str, report: dict) -> None:
    """The job is over: its file is deleted (it holds personal data) and its report kept."""
    delete_file(job)
    job.status = status
    job.report = report
    job.finished_at = timezone.now()
    if status == ImportStatus.DONE:
        job.progress_done = job.progress_total
    job.save(
        update_fields=[
            "status",
            "report",
            "file",
            "progress_done",
            "progress_total",
            "finished_at",
            "updated_at",
        ]
    )
