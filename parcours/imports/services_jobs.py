"""Writes of the import page: create a job from an upload, confirm, restart, abandon, purge.

The import itself is the service's (``services.import_enrolments``); ``jobs.py`` runs it in the
background and records its progress and report on the job. Here: the job's own life, with an
audit event for each step a person takes (``import_job.create``, ``import_job.confirm``,
``import_job.restart``, ``import_job.abandon``; the service records the import's own events).
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership, School
from parcours.people.nir import find_nir

from .models import ENDED, PROBLEMS_KEPT_FOR, RUNNING, ImportJob, ImportKind, ImportStatus

logger = logging.getLogger(__name__)


def running_job(school: School, *, exclude: ImportJob | None = None) -> ImportJob | None:
    """The school's job whose run is going on (an interrupted one does not count)."""
    candidates = ImportJob.objects.filter(school=school, status__in=RUNNING)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    now = timezone.now()
    return next((job for job in candidates if not job.is_interrupted(now)), None)


def _refuse_if_busy(school: School, *, exclude: ImportJob | None = None) -> None:
    if running_job(school, exclude=exclude) is not None:
        raise ValidationError(
            _(
                "Un import est déjà en cours pour l'école : attendez qu'il se termine avant "
                "d'en lancer un autre."
            )
        )


def _safe_name(name: str) -> str:
    """The file's name as shown in the history (a name that carries a NIR is not kept)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    if find_nir(name):
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return f"fichier.{suffix}" if suffix else "fichier"
    return name


def delete_file(job: ImportJob) -> None:
    """Remove the uploaded file from storage (the row keeps its name and report)."""
    if job.file:
        name = job.file.name
        try:
            job.file.storage.delete(name)
        except OSError:  # pragma: no cover - the purge tries again
            logger.warning("import job %s: could not delete its file", job.pk)
            return
        job.file = ""


def create_job(
    *, membership: Membership, uploaded: UploadedFile, kind: str = ImportKind.ENROLMENTS
) -> ImportJob:
    """Store the upload and create its job (pending: ``jobs.start`` then checks it)."""
    school = membership.school
    with transaction.atomic():
        # One job at a time per school: the school's row serialises concurrent uploads.
        School.objects.select_for_update().filter(pk=school.pk).first()
        _refuse_if_busy(school)
        job = ImportJob(
            school=school,
            created_by=membership.user,
            kind=kind,
            original_name=_safe_name(uploaded.name),
        )
        job.file.save("upload", uploaded, save=False)
        try:
            job.save()
        except Exception:
            job.file.storage.delete(job.file.name)
            raise
        record_event(
            actor=membership.user,
            action="import_job.create",
            target=job,
            school=school,
            changes={"kind": kind, "size": uploaded.size},
        )
    return job


def confirm_job(*, membership: Membership, job: ImportJob) -> ImportJob:
    """The director confirms a checked file: the job goes back to running, for the import."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk, school=membership.school)
        if not job.can_confirm():
            raise ValidationError(
                _(
                    "Ce fichier ne peut plus être importé (la vérification date de plus de "
                    "24 heures, ou l'import est déjà lancé) : déposez-le à nouveau."
                )
            )
        _refuse_if_busy(job.school, exclude=job)
        job.status = ImportStatus.IMPORTING
        job.progress_done = job.progress_total = 0
        job.save(update_fields=["status", "progress_done", "progress_total", "updated_at"])
        record_event(actor=membership.user, action="import_job.confirm", target=job)
    return job


def restart_job(*, membership: Membership, job: ImportJob) -> ImportJob:
    """An interrupted job starts again from the check (nothing was written: the import is one
    transaction). Returns the job, pending."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk, school=membership.school)
        if not job.can_restart():
            raise ValidationError(_("Cet import n'est pas interrompu : il n'y a rien à relancer."))
        _refuse_if_busy(job.school, exclude=job)
        job.status = ImportStatus.PENDING
        job.progress_done = job.progress_total = 0
        job.report = {}
        job.save(
            update_fields=["status", "progress_done", "progress_total", "report", "updated_at"]
        )
        record_event(actor=membership.user, action="import_job.restart", target=job)
    return job


def abandon_job(*, membership: Membership, job: ImportJob) -> ImportJob:
    """Give a checked (or interrupted) job up: its file is deleted, nothing is imported."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk, school=membership.school)
        if not job.can_abandon():
            raise ValidationError(_("Cet import ne peut plus être abandonné."))
        before = job.status
        delete_file(job)
        job.status = ImportStatus.ABANDONED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file", "finished_at", "updated_at"])
        record_event(
            actor=membership.user,
            action="import_job.abandon",
            target=job,
            changes={"status": [before, job.status]},
        )
    return job


def purge_import_files(now: datetime.datetime | None = None) -> int:
    """``parcours daily``: delete the files nobody needs any more and old reports' problems.

    - a checked file not confirmed within 24 hours (the job becomes "non confirmé");
    - a file left by a job that ended or was interrupted (the server stopped) a day ago;
    - the problems (they may quote the file's values) of jobs ended 30 days ago.
    Returns the number of jobs changed.
    """
    from .models import CONFIRM_WITHIN

    now = now or timezone.now()
    changed = 0
    day_ago = now - CONFIRM_WITHIN
    stale = ImportJob.objects.filter(
        status=ImportStatus.CHECKED, checked_at__lt=day_ago
    ) | ImportJob.objects.filter(status__in=RUNNING, updated_at__lt=day_ago)
    for job in stale.order_by("pk"):
        with transaction.atomic():
            delete_file(job)
            job.status = (
                ImportStatus.EXPIRED if job.status == ImportStatus.CHECKED else ImportStatus.FAILED
            )
            if job.status == ImportStatus.FAILED:
                job.report = {**job.report, "error": _("L'import a été interrompu.")}
            job.finished_at = now
            job.save(update_fields=["status", "file", "report", "finished_at", "updated_at"])
        changed += 1
    for job in ImportJob.objects.filter(status__in=ENDED).exclude(file="").order_by("pk"):
        delete_file(job)
        job.save(update_fields=["file", "updated_at"])
        changed += 1
    old = ImportJob.objects.filter(
        status__in=ENDED, finished_at__lt=now - PROBLEMS_KEPT_FOR, report__has_key="problems"
    )
    for job in old.order_by("pk"):
        if not job.report.get("problems"):
            continue
        job.report = {**job.report, "problems": [], "problems_cleared": True}
        job.save(update_fields=["report", "updated_at"])
        changed += 1
    return changed
