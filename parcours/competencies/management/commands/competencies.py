"""``parcours competencies recompute-levels [--school SLUG] [--dry-run]``: recompute the stored
levels (``LevelSpan``) from the assessment rows and repair what differs.

The stored levels are kept up to date by every assessment write; this command is the way to
recompute them (after rows were written around the application, or to check them:
``--dry-run`` counts the differences without writing, and exits with an error when there are
some). Run twice, the second run repairs nothing. See :mod:`parcours.competencies.stored_levels`.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcours.organisations.models import School
from parcours.pathways.models import Enrolment

from ...stored_levels import recompute


class Command(BaseCommand):
    help = "Compétences : recalcule les niveaux enregistrés à partir des évaluations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{recompute-levels}")
        levels = actions.add_parser(
            "recompute-levels",
            help="Recalcule les niveaux (à l'entrée, atteints) de chaque parcours et compétence "
            "à partir des évaluations, et corrige ceux qui diffèrent.",
        )
        levels.add_argument("--school", help="Identifiant (slug) d'une école (toutes sinon).")
        levels.add_argument(
            "--dry-run",
            action="store_true",
            help="Compte les différences sans rien écrire (erreur s'il y en a).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "recompute-levels":  # pragma: no cover — argparse refuses
            raise CommandError("Action inconnue.")
        enrolments = Enrolment.objects.all()
        if options.get("school"):
            school = School.objects.filter(slug=options["school"]).first()
            if school is None:
                raise CommandError(f"École inconnue : « {options['school']} ».")
            enrolments = enrolments.filter(school=school)
        started = time.monotonic()
        result = recompute(
            enrolments=enrolments, dry_run=options["dry_run"], progress=self.stdout.write
        )
        seconds = time.monotonic() - started
        if options["dry_run"]:
            changes = f"à corriger : {result.created} à ajouter, {result.deleted} à retirer"
        else:
            changes = f"corrigées : {result.created} ajoutées, {result.deleted} retirées"
        self.stdout.write(
            f"{result.enrolments} parcours, {result.spans} périodes de niveaux ; "
            f"{changes} ({seconds:.1f} s)."
        )
        if options["dry_run"] and result.repaired:
            raise CommandError("Des niveaux enregistrés diffèrent des évaluations.")
