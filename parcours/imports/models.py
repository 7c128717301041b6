"""An import run from the director's import page: the uploaded file, its progress, its report.

A job holds the uploaded spreadsheet (personal data about many people) only while it is
needed: the file is deleted as soon as the job ends (imported, refused, failed, abandoned), and
a checked file that the director does not confirm is deleted by ``parcours daily`` after
:data:`CONFIRM_WITHIN`. The report keeps the counts for the history; its problems (which may
quote values of the file) are cleared :data:`PROBLEMS_KEPT_FOR` after the end. See
``parcours/privacy/inventory.py`` (``TRANSIENT``).
"""

from __future__ import annotations

import datetime
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A checked file waits this long for the director's confirmation, then is deleted.
CONFIRM_WITHIN = datetime.timedelta(hours=24)
#: A job that shows no progress for this long while "running" was interrupted (a restart).
STALE_AFTER = datetime.timedelta(minutes=15)
#: The report's problems are cleared this long after the job ended (the counts stay).
PROBLEMS_KEPT_FOR = datetime.timedelta(days=30)


class ImportKind(models.TextChoices):
    ENROLMENTS = "enrolments", _("stagiaires (personnes, parcours, sorties)")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("en attente")
    CHECKING = "checking", _("vérification")
    CHECKED = "checked", _("vérifié — prêt à importer")
    REFUSED = "refused", _("fichier refusé")
    IMPORTING = "importing", _("import en cours")
    DONE = "done", _("importé")
    FAILED = "failed", _("échec")
    ABANDONED = "abandoned", _("abandonné")
    EXPIRED = "expired", _("non confirmé (fichier supprimé)")


#: Statuses of a job whose background run is (or should be) going on.
RUNNING = (ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.IMPORTING)
#: Statuses of a job that is over: its file is gone.
ENDED = (
    ImportStatus.REFUSED,
    ImportStatus.DONE,
    ImportStatus.FAILED,
    ImportStatus.ABANDONED,
    ImportStatus.EXPIRED,
)


def import_file_path(instance: ImportJob, filename: str) -> str:
    """Under a random name in a private folder (never served): the original name stays in the
    database only."""
    return f"imports/{instance.school_id}/{secrets.token_hex(16)}"


class ImportJob(models.Model):
    """One uploaded file, checked (a dry run) then, once the director confirms, imported."""

    # An import job is the school's working data, not a record: it goes with the school.
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    kind = models.CharField(
        _("type d'import"), max_length=20, choices=ImportKind.choices, default=ImportKind.ENROLMENTS
    )
    original_name = models.CharField(_("fichier"), max_length=255)
    #: The uploaded spreadsheet, deleted as soon as it is no longer needed (see above).
    file = models.FileField(upload_to=import_file_path, max_length=200, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    #: The service's report: rows, problems [{row, column, message}], counts,
    #: prescribers_created; plus "error" (a French message) when the run failed.
    report = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "-created_at"], name="importjob_school_recent")]

    def __str__(self) -> str:
        return f"Import n° {self.pk}"

    # --- derived states (nothing stored)

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    def is_interrupted(self, now: datetime.datetime | None = None) -> bool:
        """A running job that has not moved for :data:`STALE_AFTER`: the server stopped."""
        now = now or timezone.now()
        return self.is_running and self.updated_at < now - STALE_AFTER

    def confirm_deadline(self) -> datetime.datetime | None:
        if self.status != ImportStatus.CHECKED or self.checked_at is None:
            return None
        return self.checked_at + CONFIRM_WITHIN

    def can_confirm(self, now: datetime.datetime | None = None) -> bool:
        deadline = self.confirm_deadline()
        return deadline is not None and (now or timezone.now()) < deadline and bool(self.file)

    def can_abandon(self, now: datetime.datetime | None = None) -> bool:
        if self.status == ImportStatus.CHECKED:
            return True
        return self.is_interrupted(now)

    def can_restart(self, now: datetime.datetime | None = None) -> bool:
        return self.is_interrupted(now) and bool(self.file)

    @property
    def display_status(self) -> str:
        """The status as the page says it ("interrompu" for a run that stopped)."""
        if self.is_interrupted():
            return str(_("interrompu"))
        return self.get_status_display()

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @property
    def saving(self) -> bool:
        """The rows are read and checked; the service is writing them (one transaction).

        The import counts two passes of the rows (``total`` = twice the rows): reading and
        checking them (the first half, reported as it goes), then writing them, inside the
        service's transaction (the page cannot see that progress: it says "Enregistrement…").
        """
        return (
            self.status == ImportStatus.IMPORTING
            and self.progress_total > 0
            and self.progress_done * 2 >= self.progress_total
        )

    @property
    def problem_count(self) -> int:
        return int(self.report.get("problem_count", len(self.report.get("problems", []))))

    @property
    def rows(self) -> int:
        return int(self.report.get("rows", 0))
