"""``parcours import enrolments FILE --school SLUG [--dry-run]``: import a school's existing
trainees from a spreadsheet (see ``docs/import.md``).

Prints the French report: every problem by row and column, or what was (or would be) created.
The exit status is 0 when the file is valid (and written, unless ``--dry-run``), 1 when it has
problems (nothing written), 2 for a wrong command (unknown school, unreadable path). No actor:
the audit events name none, like the other commands.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcours.organisations.models import School

from ...parsing import MAX_FILE_BYTES
from ...services import ImportReport, import_enrolments


def format_report(report: ImportReport) -> str:
    """The report as the CLI prints it (French)."""
    lines: list[str] = []
    if report.problems:
        count, rows = len(report.problems), report.rows
        plural, rows_plural = ("s" if count > 1 else ""), ("s" if rows > 1 else "")
        lines.append(
            f"{count} problème{plural} : rien n'a été importé "
            f"({rows} ligne{rows_plural} lue{rows_plural})."
        )
        for problem in report.problems:
            where = []
            if problem.row is not None:
                where.append(f"ligne {problem.row}")
            if problem.column:
                where.append(f"colonne {problem.column}")
            prefix = f"{', '.join(where).capitalize()} : " if where else "Fichier : "
            lines.append(f"- {prefix}{problem.message}")
        return "\n".join(lines)
    rows = f"{report.rows} ligne{'s' if report.rows > 1 else ''}"
    if report.dry_run:
        lines.append(f"Vérification sans écriture : le fichier est valide ({rows}).")
        verb = "à créer"
    elif report.written:
        lines.append(f"Import terminé ({rows}).")
        verb = "créé·es"
    else:
        lines.append(f"Rien à importer : tout est déjà enregistré ({rows}).")
        verb = "créé·es"
    lines += [
        f"Personnes {verb} : {report.people_created} ; déjà connues : {report.people_matched}",
        f"Parcours {verb} : {report.enrolments_created} ; déjà enregistrés : "
        f"{report.enrolments_matched}",
        f"Sorties {verb} : {report.exits_created}",
    ]
    if report.prescribers_created:
        lines.append(f"Prescripteurs {verb} ({len(report.prescribers_created)}) :")
        lines += [f"- {name}" for name in report.prescribers_created]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Importe des stagiaires existants (personnes, parcours, sorties) depuis un fichier."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{enrolments}")
        enrolments = kinds.add_parser(
            "enrolments",
            help="Personnes, parcours et sorties depuis un fichier XLSX ou CSV.",
        )
        enrolments.add_argument("file", help="Le fichier (.xlsx ou .csv).")
        enrolments.add_argument("--school", required=True, help="Identifiant (slug) de l'école.")
        enrolments.add_argument(
            "--dry-run",
            action="store_true",
            help="Vérifie le fichier et compte ce qui serait créé, sans rien écrire.",
        )

    def handle(self, *args, **options) -> None:
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"École inconnue : « {options['school']} ».", returncode=2)
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                data = file.read(MAX_FILE_BYTES + 1)  # one byte more: refused as too big
        except OSError as error:
            raise CommandError(
                f"Fichier illisible : « {path} » ({error.strerror}).", returncode=2
            ) from None
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stderr.write(f"\r{done}/{total}", ending="")

        report = import_enrolments(
            school=school,
            actor=None,
            data=data,
            filename=path.name,
            dry_run=options["dry_run"],
            progress=progress,
        )
        if verbosity >= 2:
            self.stderr.write("")
        self.stdout.write(format_report(report))
        if report.problems:
            sys.exit(1)
