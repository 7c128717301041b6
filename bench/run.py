"""The benchmark harness of issue 12: ``make bench SCALE=school|network``.

Usage::

    uv run python bench/run.py --scale school              # SQLite file var/bench-school.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench_network \\
        uv run python bench/run.py --scale network
    uv run python bench/run.py --school bench-02 --runs 10  # another generated school

It uses ``DATABASE_URL`` when set (else, for the school scale, the SQLite file
``var/bench-school.sqlite3``), migrates it, and generates the scale's data when the database
has none (``parcours.scale.generate.generate``). Then, after ``--warmup`` runs, over ``--runs``
runs, it measures the median and p95 server time and the query count of:

- the staff pages, through Django's test client in process (middleware and templates
  included, no network), logged in as the school's director with the second factor verified,
  each next to the framework floor (``bench/urls.py``: a login-required tiny page) with its
  ratio to it: the trainee list, a trainee page, a company page, the attendance sheet of a
  20-trainee group (read, and save: a POST of the sheet), the key figures page;
- the report figures, each computed by the app and by hand-written SQL (``bench/sql.py``),
  their numbers compared (a mismatch is printed and fails the run) and the ratio app ÷ SQL
  printed: the key figures of a year, a month's statements, the network report of a year;
- the school's statements export (XLSX) of a month, and the import of 10,000 rows
  (``bench/import_enrolments.py``, rolled back so the shared database does not grow);
- the load test and the export's peak memory when ``bench/load.py`` and
  ``bench/export_memory.py`` exist (load on PostgreSQL only).

The table goes to stdout with the issue's targets marked met or missed; the figures go to
``bench/results.json`` under ``"harness"`` → scale → database vendor.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, Row, format_table, judge, write_results  # noqa: E402

KEY_FIGURES_MS = 100
NETWORK_MS = 1000
SQL_RATIO = 2
EXPORT_MS = 2000
IMPORT_S = 30


def setup(database_url: str | None, scale: str) -> str:
    """Configure Django as in production (DEBUG off, no SQL kept in memory) for the in-process
    client: HTTPS redirects off, ``testserver`` allowed. Returns the database URL used."""
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_HTTPS"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # As in production, static files from collectstatic's manifest (collected once, below).
    os.environ.setdefault("DJANGO_STATIC_ROOT", str(ROOT / "var" / "bench-static"))
    url = database_url or os.environ.get("DATABASE_URL")
    if not url:
        if scale != "school":
            raise SystemExit(
                "The network scale runs on PostgreSQL: set DATABASE_URL=postgres://… "
                "(e.g. postgres://postgres@127.0.0.1:5432/parcours_bench_network)."
            )
        (ROOT / "var").mkdir(exist_ok=True)
        url = f"sqlite:///{ROOT / 'var' / 'bench-school.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    return url


def ensure_data(scale: str, school_slug: str | None) -> str:
    """Migrate, and generate the scale's data when the database has no generated network.
    Returns the slug of the school to measure."""
    from django.core.management import call_command

    from parcours.organisations.models import Network, School
    from parcours.scale import NETWORK_SLUG
    from parcours.scale import school_slug as bench_slug
    from parcours.scale.guards import NotABenchDatabase, refuse_unless_generated

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    if not Network.objects.filter(slug=NETWORK_SLUG).exists():
        from parcours.scale.generate import generate

        print(f"No generated data: generating the {scale} scale (once)…", flush=True)
        generate(scale)  # refuses a database holding any school or account
    try:
        refuse_unless_generated()
    except NotABenchDatabase as error:
        raise SystemExit(str(error)) from error
    if school_slug:
        if not School.objects.filter(slug=school_slug).exists():
            raise SystemExit(f"No school {school_slug!r} in this database.")
        return school_slug
    return bench_slug(1)


def page_rows(measures, floor_ms: float) -> list[Row]:
    rows = []
    for kind, m in measures:
        if kind == "floor":
            rows.append(
                Row(
                    "pages",
                    m.name,
                    m.median_ms,
                    m.p95_ms,
                    m.query_count,
                    m.queries_stable,
                    cpu_ms=m.cpu_median_ms,
                )
            )
            continue
        if kind == "page":
            target, met = judge(
                m.median_ms, m.p95_ms, median_max=50, p95_max=150, stable=m.queries_stable
            )
        elif kind == "report-page":
            target, met = judge(m.median_ms, m.p95_ms, median_max=KEY_FIGURES_MS)
        elif kind == "network-page":
            target, met = judge(m.median_ms, None, median_max=NETWORK_MS)
        else:  # export
            target, met = judge(m.median_ms, None, median_max=EXPORT_MS)
        rows.append(
            Row(
                "pages" if kind in ("page", "report-page") else "reports and exports",
                m.name,
                m.median_ms,
                m.p95_ms,
                m.query_count,
                m.queries_stable,
                cpu_ms=m.cpu_median_ms,
                ratio=m.median_ms / floor_ms if floor_ms else None,
                ratio_to="floor",
                target=target,
                met=met,
            )
        )
    return rows


def report_rows(results) -> list[Row]:
    rows = []
    for name, app, ref, problems in results:
        ratio = app.median_ms / ref.median_ms if ref.median_ms else None
        limit = NETWORK_MS if name.startswith("network") else KEY_FIGURES_MS
        if name.startswith("statements"):
            target, met = judge(app.median_ms, None, median_max=EXPORT_MS)
        else:
            target, met = judge(
                app.median_ms, app.p95_ms, median_max=limit, ratio=ratio, ratio_max=SQL_RATIO
            )
        note = "NUMBERS DIFFER: " + " | ".join(problems[1:4]) if problems else "numbers equal"
        if problems:
            met = False
        rows.append(
            Row(
                "reports: app vs hand-written SQL",
                app.name,
                app.median_ms,
                app.p95_ms,
                app.query_count,
                app.queries_stable,
                cpu_ms=app.cpu_median_ms,
                ratio=ratio,
                ratio_to="SQL",
                target=target,
                met=met,
                note=note,
            )
        )
        rows.append(
            Row(
                "reports: app vs hand-written SQL",
                ref.name,
                ref.median_ms,
                ref.p95_ms,
                ref.query_count,
                ref.queries_stable,
                cpu_ms=ref.cpu_median_ms,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("school", "network"), default="school")
    parser.add_argument("--database-url", help="else DATABASE_URL, else a SQLite file (school)")
    parser.add_argument("--school", help="slug of the school to measure (default: bench-01)")
    parser.add_argument("--email", help="the director's e-mail (default: the generated one)")
    parser.add_argument("--year", type=int, help="report year (default: last year)")
    parser.add_argument("--month", help="statements month YYYY-MM (default: last month)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=10_000, help="0: no import")
    parser.add_argument("--no-network", action="store_true", help="skip the network report")
    parser.add_argument("--no-load", action="store_true", help="skip the load test and memory")
    parser.add_argument("--output", default=str(RESULTS), help="JSON file ('' for none)")
    args = parser.parse_args(argv)

    url = setup(args.database_url, args.scale)
    slug = ensure_data(args.scale, args.school)
    from django.db import connection
    from django.test.utils import override_settings

    from bench import pages, reports
    from bench.import_enrolments import run_import

    vendor = connection.vendor
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    target = pages.find_target(slug, email=args.email, year=args.year, month=args.month)
    print(
        f"Parcours bench — scale {args.scale}, {vendor}, school {slug}, year {target.year}, "
        f"month {target.month:%Y-%m}, {args.warmup} warm-up + {args.runs} runs, "
        f"{os.cpu_count()} CPUs, load {load_before:.2f}",
        flush=True,
    )
    for note in target.notes:
        print(f"  note: {note}")
    with override_settings(ROOT_URLCONF="bench.urls"):
        page_measures = pages.measure_pages(target, warmup=args.warmup, runs=args.runs)
    floor = next(m for kind, m in page_measures if kind == "floor")
    rows = page_rows(page_measures, floor.median_ms)
    report_results = reports.measure_reports(
        target, warmup=args.warmup, runs=args.runs, network=not args.no_network
    )
    rows += report_rows(report_results)
    extra: dict = {}
    if args.import_rows:
        result = run_import(args.import_rows, rollback=True)
        target_text, met = judge(result["seconds"] * 1000, None, median_max=IMPORT_S * 1000)
        rows.append(
            Row(
                "import",
                f"import {args.import_rows} rows",
                result["seconds"] * 1000,
                queries=result["queries"],
                target=target_text.replace("med≤30000ms", f"≤{IMPORT_S}s"),
                met=met,
                note="one run (rolled back afterwards)",
            )
        )
        extra["import"] = result
    if not args.no_load:
        extra.update(run_optional(url, vendor))
    load_after = os.getloadavg()[0]
    title = (
        f"Parcours bench — {args.scale} scale on {vendor} ({platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load_before:.2f} → {load_after:.2f}, "
        f"{time.perf_counter() - started:.0f} s)"
    )
    print(format_table(rows, title))
    mismatches = [problem for _n, _a, _r, problems in report_results for problem in problems]
    for problem in mismatches:
        print(problem, file=sys.stderr)
    if args.output:
        entry = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": vendor,
            "school": slug,
            "year": target.year,
            "month": f"{target.month:%Y-%m}",
            "warmup": args.warmup,
            "runs": args.runs,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": [round(load_before, 2), round(load_after, 2)],
            "rows": [row.to_json() for row in rows],
            **extra,
        }
        write_results("harness", args.scale, vendor, entry, Path(args.output))
    return 1 if mismatches else 0


def run_optional(url: str, vendor: str) -> dict:
    """The load test and its floor run (PostgreSQL only) and the export's peak memory, when their
    modules exist."""
    out = {}
    try:
        from bench.export_memory import measure_export_memory
    except ImportError:
        measure_export_memory = None
    try:
        from bench.load import run_load
    except ImportError:
        run_load = None
    if measure_export_memory is not None:
        out["export_memory"] = measure_export_memory(url)
        print(f"export memory: {out['export_memory']}")
    if run_load is not None and vendor == "postgresql":
        out["load"] = run_load(url, users=20, seconds=60)
        print(f"load: {out['load']}")
        # The same users on the framework floor: what this machine allows an authenticated
        # Django page at all, beside which the mix's throughput reads across machines.
        out["load_floor"] = run_load(url, users=20, seconds=60, floor=True)
        print(f"load (floor): {out['load_floor']}")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
