"""``parcours backup --output DIR``: the database and the uploaded files, see ops/backup.py."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (copie SQLite ou pg_dump -Fc) et les fichiers déposés "
        "(tar.gz) dans un dossier ; n'écrase jamais une sauvegarde existante."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", required=True, type=Path, help="Dossier où écrire les sauvegardes."
        )

    def handle(self, *args, **options) -> None:
        try:
            files, count = backup(options["output"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = files.database.stat().st_size
        self.stdout.write(f"base de données : {files.database} ({size} octets)")
        self.stdout.write(f"fichiers déposés : {files.media} ({count} fichiers)")
