"""``parcours restore FILE --target …``: a backup into a NEW database (never the live one).

- ``FILE.sqlite3`` → ``--target`` is the path of a new SQLite file.
- ``FILE.dump`` (pg_dump -Fc) → ``--target`` is the name of an empty PostgreSQL database on the
  server of ``DATABASE_URL`` (``--create`` runs ``createdb`` first).
- ``--media ARCHIVE --media-root DIR`` also extracts the uploaded files into a new folder.

Then point ``DATABASE_URL`` (and ``DJANGO_MEDIA_ROOT``) at what was restored, check it
(``parcours check``, a look at a few records), and only then switch the service over.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.ops.backup import BackupError, restore_media, restore_postgresql, restore_sqlite


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de « parcours backup » dans une NOUVELLE base (fichier SQLite "
        "ou base PostgreSQL vide) et, au besoin, les fichiers déposés dans un nouveau dossier."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="La sauvegarde (.sqlite3 ou .dump).")
        parser.add_argument(
            "--target",
            required=True,
            help="Nouveau fichier SQLite, ou nom d'une base PostgreSQL vide.",
        )
        parser.add_argument(
            "--create", action="store_true", help="PostgreSQL : créer la base (createdb)."
        )
        parser.add_argument("--media", type=Path, help="L'archive des fichiers déposés.")
        parser.add_argument("--media-root", type=Path, help="Dossier neuf où l'extraire.")

    def handle(self, *args, **options) -> None:
        source: Path = options["file"]
        if not source.is_file():
            raise CommandError(f"{source} est introuvable.")
        if bool(options["media"]) != bool(options["media_root"]):
            raise CommandError("--media et --media-root vont ensemble.")
        try:
            if source.suffix == ".sqlite3":
                target = Path(options["target"])
                restore_sqlite(source, target)
                self.stdout.write(f"base restaurée : {target} (DATABASE_URL=sqlite:///{target})")
            elif source.suffix == ".dump":
                restore_postgresql(source, options["target"], create=options["create"])
                self.stdout.write(f"base restaurée : {options['target']} (PostgreSQL)")
            else:
                raise CommandError(
                    "Sauvegarde inconnue : un fichier .sqlite3 ou .dump est attendu."
                )
            if options["media"]:
                count = restore_media(options["media"], options["media_root"])
                self.stdout.write(
                    f"fichiers restaurés : {options['media_root']} ({count} fichiers)"
                )
        except BackupError as error:
            raise CommandError(str(error)) from error
