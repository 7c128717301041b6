"""Backups of the database and of the uploaded files, and their restore into a new database.

- SQLite: a consistent copy taken with SQLite's online backup API (the application may keep
  writing meanwhile), to ``parcours-YYYYmmdd-HHMM.sqlite3``.
- PostgreSQL: ``pg_dump --format=custom`` (from the PATH, same major version as the server or
  newer) with the connection of ``DATABASES["default"]``, to ``parcours-YYYYmmdd-HHMM.dump``.
- The uploaded files: ``MEDIA_ROOT`` as ``parcours-YYYYmmdd-HHMM-media.tar.gz``.

Nothing is ever overwritten: a backup refuses an existing file, a restore refuses an existing
SQLite file, a non-empty PostgreSQL database, a non-empty media folder and the live database.
Files are written under a temporary name then renamed, readable by their owner only (they hold
personal data: docs/security.md says how to encrypt and move them off-site).
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

FILE_MODE = 0o600
DIR_MODE = 0o700


class BackupError(Exception):
    """A backup or a restore that cannot be done (the message is for the operator, in French)."""


@dataclass(frozen=True)
class BackupFiles:
    database: Path
    media: Path


def stamp(now: datetime.datetime | None = None) -> str:
    """``YYYYmmdd-HHMM`` in the local time zone."""
    return timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M")


def backup_paths(output: Path, when: str, vendor: str) -> BackupFiles:
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    return BackupFiles(
        database=output / f"parcours-{when}{suffix}",
        media=output / f"parcours-{when}-media.tar.gz",
    )


@contextmanager
def _writing(final: Path) -> Iterator[Path]:
    """A new, empty file readable by its owner only, beside ``final``, to write into: renamed
    to ``final`` when the block succeeds, removed when it fails (no half-written backup)."""
    partial = final.with_name(f".{final.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.chmod(partial, FILE_MODE)
    partial.rename(final)


def _pg_env_and_args(settings_dict: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The environment (password, SSL mode) and the connection options of pg_* tools."""
    env = dict(os.environ)
    args: list[str] = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"« {name} » est introuvable dans le PATH : installez les outils clients de "
            "PostgreSQL (paquet postgresql-client, de la même version que le serveur)."
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} a échoué : {result.stderr.strip()}")


def backup_database(target: Path) -> None:
    """Copy the live database (``DATABASES["default"]``) to ``target``."""
    if connection.vendor not in ("sqlite", "postgresql"):  # pragma: no cover
        raise BackupError(f"Base de données non prise en charge : {connection.vendor}.")
    with _writing(target) as partial:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            destination = sqlite3.connect(partial)
            try:
                connection.connection.backup(destination)
            finally:
                destination.close()
        else:
            env, args = _pg_env_and_args(connection.settings_dict)
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(partial),
                    *args,
                    "--dbname",
                    str(connection.settings_dict["NAME"]),
                ],
                env,
            )


def backup_media(target: Path, media_root: Path | None = None) -> int:
    """Archive ``MEDIA_ROOT`` (as ``media/…``) to ``target``; return the number of files."""
    root = Path(media_root or settings.MEDIA_ROOT)
    count = 0
    with _writing(target) as partial, tarfile.open(partial, "w:gz") as archive:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=f"media/{path.relative_to(root)}", recursive=False)
                    count += 1
    return count


def backup(output: Path, *, now: datetime.datetime | None = None) -> tuple[BackupFiles, int]:
    """Back up the database and the uploaded files into ``output``; refuse to overwrite."""
    files = backup_paths(output, stamp(now), connection.vendor)
    existing = [path for path in (files.database, files.media) if path.exists()]
    if existing:
        raise BackupError(
            f"{existing[0]} existe déjà : une sauvegarde n'en écrase jamais une autre "
            "(attendez la minute suivante ou choisissez un autre dossier)."
        )
    output.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    backup_database(files.database)
    count = backup_media(files.media)
    return files, count


# --- Restore ------------------------------------------------------------------------------


def restore_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite backup ``source`` to the new file ``target`` (checked for integrity)."""
    if target.exists():
        raise BackupError(
            f"{target} existe déjà : la restauration se fait dans un nouveau fichier."
        )
    live = Path(str(connection.settings_dict.get("NAME", "")))
    if connection.vendor == "sqlite" and live.exists() and live.resolve() == target.resolve():
        raise BackupError("Refus : la cible est la base de données en service.")
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            status = origin.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} n'est pas une base SQLite lisible ({error}).") from error
        if status != "ok":
            raise BackupError(f"{source} est endommagée (integrity_check : {status}).")
        with _writing(target) as partial:
            destination = sqlite3.connect(partial)
            try:
                origin.backup(destination)
            finally:
                destination.close()
    finally:
        origin.close()


def _postgres_table_count(settings_dict: dict[str, Any], dbname: str) -> int:
    import psycopg

    params = {
        "dbname": dbname,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    return int(row[0])


_DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,62}")


def restore_postgresql(source: Path, dbname: str, *, create: bool = False) -> None:
    """Restore the ``pg_dump -Fc`` file ``source`` into the empty database ``dbname``, on the
    server of ``DATABASES["default"]`` (``create``: run ``createdb`` first)."""
    if not _DATABASE_NAME.fullmatch(dbname):
        # A libpq connection string or URI would point pg_restore elsewhere (another server, the
        # live database under another spelling): only a plain name on the same server is taken.
        raise BackupError(
            f"Nom de base invalide : « {dbname} ». Donnez le seul nom d'une base du même serveur "
            "(lettres, chiffres, _ et -)."
        )
    settings_dict = connection.settings_dict
    if dbname == settings_dict["NAME"]:
        raise BackupError("Refus : la cible est la base de données en service.")
    env, args = _pg_env_and_args(settings_dict)
    if create:
        _run([_tool("createdb"), *args, dbname], env)
    elif _postgres_table_count(settings_dict, dbname):
        raise BackupError(
            f"La base « {dbname} » n'est pas vide : restaurez dans une base neuve (--create)."
        )
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *args,
            "--dbname",
            dbname,
            str(source),
        ],
        env,
    )


def restore_media(archive: Path, media_root: Path) -> int:
    """Extract a media archive into ``media_root`` (missing or empty); return the file count."""
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"{media_root} n'est pas vide : choisissez un dossier neuf.")
    media_root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    count = 0
    with tarfile.open(archive, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith("media/") or not member.isfile():
                continue
            member.name = member.name.removeprefix("media/")
            members.append(member)
        tar.extractall(media_root, members=members, filter="data")
        count = len(members)
    return count
