"""``parcours daily``: the periodic work, run once a day by cron or a systemd timer.

Each task is a function that takes no argument and returns how many things it did; the
command prints one line per task (``name: count``). A task that fails is reported and the
others still run; the command then exits with an error so that the scheduler notices.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

#: (label, dotted path of a function returning a count), in the order they run.
TASKS: list[tuple[str, str]] = [
    (
        "relances des bilans de stage",
        "parcours.companies.services_reviews.send_overdue_reminders",
    ),
    # Creation first: the digest then lists the follow-ups that fell due today.
    (
        "suivis après la sortie créés",
        "parcours.outcomes.services_follow_ups.create_due_follow_ups",
    ),
    (
        "récapitulatifs des suivis envoyés",
        "parcours.outcomes.services_follow_ups.send_follow_up_digests",
    ),
    ("journaux de connexion purgés", "parcours.accounts.services.purge_login_records"),
    ("fichiers d'import supprimés", "parcours.imports.services_jobs.purge_import_files"),
    # Last: the follow-ups above count as contacts.
    (
        "personnes anonymisées (fin de la durée de conservation)",
        "parcours.privacy.services.anonymise_expired",
    ),
    # A check: the stored competency levels (a pre-aggregate the reports read) compared with
    # the assessment rows, those that differ recomputed (a warning in the log says so).
    (
        "parcours aux niveaux de compétences recalculés (écart avec les évaluations)",
        "parcours.competencies.stored_levels.daily_check",
    ),
]


class Command(BaseCommand):
    help = "Lance les tâches quotidiennes (relances des bilans de stage, suivis après la sortie…)."

    def handle(self, *args, **options) -> None:
        failed = []
        for label, dotted in TASKS:
            try:
                task: Callable[[], int] = import_string(dotted)
                count = task()
            except Exception:
                logger.exception("daily task failed: %s", dotted)
                failed.append(label)
                self.stderr.write(f"{label} : échec")
                continue
            self.stdout.write(f"{label} : {count}")
        if failed:
            raise CommandError(f"Tâches en échec : {', '.join(failed)}")
