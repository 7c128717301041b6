"""Time the spreadsheet import of 10,000 rows (issue 11: "well under a minute").

Usage::

    make bench                                   # SQLite, a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench make bench
    uv run python bench/import_enrolments.py --rows 2000 --output -

It migrates the database (a temporary SQLite file unless ``DATABASE_URL`` is set: then that
database, where it creates a new school with its own slug), creates a school with three sites,
generates a realistic CSV (Faker, fixed seed: people with one or two stays, most of them
exited, prescribers of every type, QPV codes, PLIE), and times ``import_enrolments``: a dry
run, the import, and a re-import of the same file (which finds everything already there).
Prints a small table and writes ``bench/results.json`` (one entry a database: a PostgreSQL run
keeps the SQLite one).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 11
SITES = ("Clermont Centre", "Clermont Nord", "Vichy")
PRESCRIBERS = (
    [("mission_locale", f"Mission Locale {city}") for city in ("Clermont", "Riom", "Vichy")]
    + [("france_travail", f"France Travail {city}") for city in ("Clermont Nord", "Vichy")]
    + [("plie", "PLIE de l'agglomération clermontoise"), ("cap_emploi", "Cap emploi 63")]
    + [("departement", "Conseil départemental du Puy-de-Dôme")]
    + [("autre", f"Association {name}") for name in ("Tremplin", "Passerelle", "Solidarité")]
)
#: Mobile prefixes that are allocated (06 39, 06 9x are not: the import refuses them).
MOBILE = ("06 12", "06 23", "06 45", "06 61", "06 71", "06 88", "07 58", "07 66")
QPV = ("QN06301M", "QN06302M", "QN06303M", "QN06304M", "QN06305M", "QN00301M")
HEADER = [
    "nom", "prenom", "date_naissance", "sexe", "email", "telephone", "code_postal", "commune",
    "code_qpv", "niveau_diplome", "prescripteur_type", "prescripteur", "plie", "site",
    "date_entree", "date_sortie", "sortie_type", "sortie_duree_mois",
]  # fmt: skip
TOWNS = [
    ("63000", "Clermont-Ferrand"), ("63100", "Clermont-Ferrand"), ("63200", "Riom"),
    ("03200", "Vichy"), ("63400", "Chamalières"), ("63500", "Issoire"),
]  # fmt: skip


def setup_django(database_url: str | None) -> str:
    # As in production: DEBUG off (no SQL kept in memory), hence a secret key of its own.
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        folder = tempfile.mkdtemp(prefix="parcours-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return os.environ["DATABASE_URL"]


def generate(rows: int, today: datetime.date) -> bytes:
    """A CSV of ``rows`` valid rows (``;``, UTF-8), deterministic (Django set up)."""
    from faker import Faker

    from parcours.scale.generate import EXITS  # the exits' mix, shared with the scale data

    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    seen: set[tuple] = set()
    written = 0
    start = datetime.date(2018, 1, 8)
    span = (today - datetime.timedelta(days=30) - start).days
    weights = [w for _code, w, _length in EXITS]
    while written < rows:
        gender = rng.choice("FM")
        first = fake.first_name_female() if gender == "F" else fake.first_name_male()
        last = fake.last_name()
        entry = start + datetime.timedelta(days=rng.randrange(span))
        age_days = rng.randrange(16 * 366, 26 * 365)
        birth = entry - datetime.timedelta(days=age_days)
        key = (last.casefold(), first.casefold(), birth)
        if key in seen:
            continue
        seen.add(key)
        n = written
        postcode, commune = rng.choice(TOWNS)
        person = [
            last,
            first,
            birth.strftime("%d/%m/%Y"),
            gender,
            f"stagiaire{n}@example.org" if rng.random() < 0.7 else "",
            f"{rng.choice(MOBILE)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
            f"{rng.randrange(10, 99)}"
            if rng.random() < 0.8
            else "",
            postcode,
            commune,
        ]
        stays = 2 if rng.random() < 0.15 else 1
        stays = min(stays, rows - written)
        for _stay in range(stays):
            if entry >= today:
                break
            qpv = rng.choice(QPV) if rng.random() < 0.25 else ""
            if rng.random() < 0.15:
                kind, prescriber = "spontane", ""
            else:
                kind, prescriber = rng.choice(PRESCRIBERS)
            exited = rng.random() < 0.85
            exit_date = entry + datetime.timedelta(days=rng.randrange(60, 300))
            if exit_date >= today:
                exited = False
            cells = [qpv, rng.choice(["aucun"] * 6 + ["3"] * 3 + ["4"]), kind, prescriber]
            cells += ["oui" if rng.random() < 0.1 else "non", rng.choice(SITES)]
            cells.append(entry.strftime("%d/%m/%Y"))
            if exited:
                code, _w, length = rng.choices(EXITS, weights=weights)[0]
                months = str(rng.randrange(*length)) if length else ""
                cells += [exit_date.strftime("%d/%m/%Y"), code, months]
            else:
                cells += ["", "", ""]
            writer.writerow(person + cells)
            written += 1
            if not exited:
                break
            entry = exit_date + datetime.timedelta(days=rng.randrange(60, 400))
    return out.getvalue().encode("utf-8")


def build_school():
    from parcours.organisations.models import Network, School, Site

    # Not the generated network (parcours.scale.NETWORK_SLUG): its reports must not change.
    network, _created = Network.objects.get_or_create(
        slug="reseau-bench-import", defaults={"name": "Réseau (banc d'essai de l'import)"}
    )
    slug = f"e2c-bench-{int(time.time())}"
    school = School.objects.create(network=network, slug=slug, name=f"E2C banc d'essai {slug}")
    for name in SITES:
        Site.objects.create(
            school=school,
            name=name,
            address="1 rue du Banc",
            postcode="63000",
            commune="Clermont-Ferrand",
            surface_m2=400,
        )
    return school


def timed(label: str, school, data: bytes, **kwargs) -> dict:
    from django.db import connection

    from parcours.imports.services import import_enrolments

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        report = import_enrolments(
            school=school, actor=None, data=data, filename="bench.csv", **kwargs
        )
        seconds = time.perf_counter() - started
    if report.problems:
        for problem in report.problems[:10]:
            print(problem, file=sys.stderr)
        raise SystemExit(f"{label}: {len(report.problems)} problems")
    return {
        "run": label,
        "seconds": round(seconds, 2),
        "queries": len(queries),
        "people_created": report.people_created,
        "people_matched": report.people_matched,
        "enrolments_created": report.enrolments_created,
        "enrolments_matched": report.enrolments_matched,
        "exits_created": report.exits_created,
        "prescribers_created": len(report.prescribers_created),
        "written": report.written,
    }


def run_import(rows: int = 10_000, *, rollback: bool = False) -> dict:
    """Time the import of ``rows`` generated rows into a new school (Django already set up,
    database migrated): the run of ``import_enrolments`` (the dry run is not timed here).

    With ``rollback``, everything it wrote is rolled back afterwards (an outer transaction),
    so a shared benchmark database does not grow at each run; the import's own transaction is
    then a savepoint, whose commit costs nothing: a real commit of the rows is not measured.
    """
    from django.db import transaction
    from django.utils import timezone

    data = generate(rows, timezone.localdate())

    class _Rollback(Exception):
        pass

    result: dict = {}
    try:
        with transaction.atomic(durable=False):
            school = build_school()
            result = timed("import", school, data)
            if rollback:
                raise _Rollback
    except _Rollback:
        pass
    result.update(rows=rows, csv_bytes=len(data), rolled_back=rollback)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--output", default=str(ROOT / "bench" / "results.json"), help="JSON file, or -"
    )
    args = parser.parse_args(argv)
    url = setup_django(os.environ.get("DATABASE_URL"))
    from django.db import connection
    from django.utils import timezone

    data = generate(args.rows, timezone.localdate())
    school = build_school()
    runs = [
        timed("dry run", school, data, dry_run=True),
        timed("import", school, data),
        timed("re-import", school, data),
    ]
    vendor = connection.vendor
    print(f"{args.rows} rows, {len(data) / 1e6:.1f} MB CSV, {vendor} ({platform.machine()})")
    print(
        f"{'run':<10} {'seconds':>8} {'queries':>8} {'people':>7} {'enrolments':>11} {'exits':>6}"
    )
    for run in runs:
        people = run["people_created"] or run["people_matched"]
        enrolments = run["enrolments_created"] or run["enrolments_matched"]
        print(
            f"{run['run']:<10} {run['seconds']:>8.2f} {run['queries']:>8} {people:>7} "
            f"{enrolments:>11} {run['exits_created']:>6}"
        )
    result = {
        "benchmark": "import_enrolments",
        "rows": args.rows,
        "csv_bytes": len(data),
        "database": vendor,
        "database_url": url.split("@")[-1] if vendor != "sqlite" else "sqlite (temporary file)",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "runs": runs,
    }
    if args.output == "-":
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return 0
    # One entry a benchmark and database: a PostgreSQL run keeps the SQLite one, and back.
    path = Path(args.output)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    if not isinstance(results, dict):
        results = {}
    results.setdefault("import_enrolments", {})[vendor] = result
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
