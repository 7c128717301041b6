"""``parcours backup`` and ``parcours restore``: rows written, backed up, changed, restored.

Runs on the suite's backend: SQLite (online backup API, restore into a new file) or PostgreSQL
(pg_dump -Fc, then createdb + pg_restore into a scratch database, dropped afterwards).
"""

from __future__ import annotations

import datetime
import io
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from parcours.organisations.models import School
from parcours.people.models import Person
from tests.factories import PersonFactory, SchoolFactory

# Committed rows (pg_dump reads another connection); serialized_rollback puts back the data the
# migrations load (frameworks, outcome definitions…) after the flush, as the other
# transactional tests do — mixing both kinds would make their restore collide.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOW = datetime.datetime(2026, 3, 14, 9, 26, tzinfo=datetime.UTC)  # 10:26 in Paris


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def restored_rows(target: str, sql: str) -> list[tuple]:
    """Rows read from the restored database (never through Django's connection)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(target) as restored:
            return restored.execute(sql).fetchall()
    import psycopg

    settings_dict = connection.settings_dict
    params = {
        "dbname": target,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as restored:
        return restored.execute(sql).fetchall()


@pytest.fixture
def scratch_target(tmp_path):
    """Where to restore: a new SQLite file, or a scratch PostgreSQL database dropped after."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    env = dict(os.environ)
    args = []
    for key, option in (("HOST", "--host"), ("PORT", "--port"), ("USER", "--username")):
        if connection.settings_dict.get(key):
            args += [option, str(connection.settings_dict[key])]
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    drop = ["dropdb", "--if-exists", *args, name]
    subprocess.run(drop, env=env, check=True, capture_output=True)  # noqa: S603
    yield name
    subprocess.run(drop, env=env, check=True, capture_output=True)  # noqa: S603


def test_backup_then_restore_into_a_new_database_brings_the_rows_back(
    tmp_path, settings, scratch_target
) -> None:
    school = SchoolFactory(slug="e2c-sauvegarde", name="E2C Sauvegarde")
    kept = PersonFactory(school=school, last_name="Sauvegardé", first_name="Inès")
    gone = PersonFactory(school=school, last_name="Supprimé", first_name="Noé")
    media = Path(settings.MEDIA_ROOT)
    (media / "documents" / str(school.pk)).mkdir(parents=True)
    (media / "documents" / str(school.pk) / "piece").write_bytes(b"%PDF-1.4 piece")
    output = tmp_path / "sauvegardes"

    with time_machine.travel(NOW, tick=False):
        printed = run("backup", output=output)
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    database = output / f"parcours-20260314-1026.{suffix}"
    archive = output / "parcours-20260314-1026-media.tar.gz"
    assert database.is_file() and archive.is_file()
    assert str(database) in printed and str(archive) in printed
    assert "(1 fichiers)" in printed
    assert {p.stat().st_mode & 0o777 for p in (database, archive)} == {0o600}
    assert sorted(p.name for p in output.iterdir()) == sorted([database.name, archive.name])

    # A second backup in the same minute refuses to overwrite the first one.
    before = database.read_bytes()
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError, match="existe déjà"):
        run("backup", output=output)
    assert database.read_bytes() == before

    # The data changes after the backup.
    Person.objects.filter(pk=gone.pk).delete()
    School.objects.filter(pk=school.pk).update(name="Renommée après la sauvegarde")
    PersonFactory(school=school, last_name="Arrivé-Après")

    printed = run(
        "restore",
        str(database),
        target=scratch_target,
        create=connection.vendor == "postgresql",
        media=archive,
        media_root=tmp_path / "media-restauré",
    )
    assert "base restaurée" in printed and "fichiers restaurés" in printed

    people = Person._meta.db_table
    schools = School._meta.db_table
    names = restored_rows(
        scratch_target,
        f"SELECT last_name FROM {people} WHERE school_id = {school.pk} ORDER BY last_name",  # noqa: S608
    )
    assert sorted(names) == [("Sauvegardé",), ("Supprimé",)]
    assert restored_rows(scratch_target, f"SELECT name FROM {schools} WHERE id = {school.pk}") == [  # noqa: S608
        ("E2C Sauvegarde",)
    ]
    assert (tmp_path / "media-restauré" / "documents" / str(school.pk) / "piece").read_bytes() == (
        b"%PDF-1.4 piece"
    )
    # The live database is untouched by the restore.
    assert Person.objects.filter(pk=kept.pk).exists()
    assert not Person.objects.filter(pk=gone.pk).exists()

    # Restoring again into the same target is refused (never overwrite a database).
    with pytest.raises(CommandError):
        run("restore", str(database), target=scratch_target)


def test_restore_refuses_the_live_database_and_unknown_files(tmp_path) -> None:
    live = str(connection.settings_dict["NAME"])
    with time_machine.travel(NOW, tick=False):
        run("backup", output=tmp_path)
    backup_file = next(p for p in tmp_path.iterdir() if not p.name.endswith(".tar.gz"))
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="en service"):
            run("restore", str(backup_file), target=live)
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    with pytest.raises(CommandError, match="Sauvegarde inconnue"):
        run("restore", str(stray), target=str(tmp_path / "x.sqlite3"))
    with pytest.raises(CommandError, match="introuvable"):
        run("restore", str(tmp_path / "absent.dump"), target="x")


@pytest.mark.parametrize(
    "target",
    [
        "host=10.0.0.9 dbname=parcours",
        "postgresql://postgres@10.0.0.9/parcours",
        "dbname=parcours_prod",
        "bad name",
    ],
)
def test_a_postgresql_target_is_a_plain_name_never_a_connection_string(tmp_path, target) -> None:
    from parcours.ops.backup import BackupError, restore_postgresql

    with pytest.raises(BackupError, match="Nom de base invalide"):
        restore_postgresql(tmp_path / "x.dump", target)


def test_the_backup_file_names_follow_the_local_time(tmp_path) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 5, tzinfo=datetime.UTC)):
        printed = run("backup", output=tmp_path / "b")
    # 00:05 on 1 January in Paris.
    assert re.search(r"parcours-20270101-0005\.(sqlite3|dump) ", printed)


def test_a_failed_backup_leaves_no_file(tmp_path, monkeypatch) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is only used on PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match="pg_dump"):
        run("backup", output=tmp_path / "b")
    assert list((tmp_path / "b").iterdir()) == []


def test_the_commands_work_on_a_sqlite_file_with_production_settings(tmp_path) -> None:
    """``parcours backup`` / ``restore`` as an operator runs them: a SQLite file, DEBUG off."""
    from tests.hardening.test_deploy_settings import production_env
    from tests.hardening.test_deploy_settings import run as run_python

    live = tmp_path / "prod.sqlite3"  # production_env points DATABASE_URL here
    with sqlite3.connect(live) as db:
        db.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
        db.execute("INSERT INTO note (text) VALUES ('avant la sauvegarde')")
    env = production_env(tmp_path, DJANGO_MEDIA_ROOT=str(tmp_path / "media"))
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "piece").write_bytes(b"contenu")

    done = run_python(["manage.py", "backup", "--output", str(tmp_path / "out")], env)
    assert done.returncode == 0, done.stderr
    backup_file = next((tmp_path / "out").glob("parcours-*.sqlite3"))
    archive = next((tmp_path / "out").glob("parcours-*-media.tar.gz"))
    with sqlite3.connect(live) as db:
        db.execute("DELETE FROM note")

    target = tmp_path / "restored.sqlite3"
    args = ["manage.py", "restore", str(backup_file), "--target", str(target)]
    done = run_python(
        [*args, "--media", str(archive), "--media-root", str(tmp_path / "media-restored")], env
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT text FROM note").fetchall() == [("avant la sauvegarde",)]
    assert (tmp_path / "media-restored" / "piece").read_bytes() == b"contenu"

    # The live file is never a restore target.
    refused = run_python(["manage.py", "restore", str(backup_file), "--target", str(live)], env)
    assert refused.returncode != 0
    assert "existe déjà" in refused.stderr
