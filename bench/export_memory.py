"""Peak memory of an XLSX export of 100,000 rows (issue 12: "streams with peak memory ≤ 500 MB").

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench_school \\
        uv run python bench/export_memory.py [--rows 100000]

The export that reaches 100,000 rows in practice is the **audit trail** (``journal/export/``,
``audit:trail_export``): a school's events accumulate for years (every admission, phase
change, attendance correction, export…), while a school's other lists stay in the thousands
(its trainee list over ten years: about 2,100 enrolments). Two measurements, each in a fresh
Python process with the production settings (``DJANGO_DEBUG`` unset), peak resident memory
read from the kernel (``VmHWM``, reset just before the export through
``/proc/self/clear_refs``; ``ru_maxrss`` elsewhere):

- ``audit_trail``: the whole view through Django's test client, as a director with the second
  factor verified (middleware, selector, ``.iterator()`` from the database, the XLSX writer,
  the streamed download read to its end). ``rows`` events are first added to the school's
  trail **inside a transaction that is rolled back at the end**: the database is left as it
  was (the trail is append-only; nothing is deleted).
- ``writer``: ``pathways.exports.export_response`` alone, ``rows`` rows of the trainee list's
  ten columns (strings, dates, a boolean), no database — what every export shares.

Results go to ``bench/results.json`` under ``"export_memory"`` → the database's name (other keys
kept), and a table. No fix was needed: ``pathways.exports`` already writes every export row by
row (openpyxl's write-only workbook, inline strings, into a temporary file streamed by a
``FileResponse``) and the views read with ``.iterator(chunk_size=500)``: the peak stays flat
as rows grow.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
RESULTS_KEY = "export_memory"
TARGET_PEAK_MB = 500.0
DEFAULT_ROWS = 100_000
#: Rows inserted per statement when filling the trail (memory stays small while filling).
BATCH = 2_000

#: Realistic events (action, object type, details) cycled through when filling the trail.
EVENT_KINDS = (
    ("enrolment.admit", "pathways.enrolment", {"site": 1, "referent": 12}),
    ("phase.move", "pathways.enrolment", {"from": "Accueil", "to": "Construction du projet"}),
    ("attendance.correct", "schedule.session", {"half": "am", "from": "absent", "to": "present"}),
    ("internship.create", "companies.internship", {"company": 311, "kind": "stage"}),
    ("exit.record", "pathways.enrolment", {"destination": "emploi_durable", "months": 7}),
    ("export.trainees", "", {"rows": 412, "format": "xlsx", "filters": {"status": "tous"}}),
)


# --- measuring (in the child process) ----------------------------------------------------------


def _status_kb(field: str) -> int | None:
    """A ``/proc/self/status`` field in kB (Linux), else ``None``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the kernel's peak RSS of this process (Linux ≥ 4.0); False when not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def current_rss_mb() -> float | None:
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024


def peak_rss_mb() -> float:
    """Peak RSS since the last :func:`reset_peak` (``VmHWM``), else since the process started
    (``ru_maxrss``, kB on Linux)."""
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if sys.platform == "darwin":  # bytes there
            kb //= 1024
    return kb / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measured(produce) -> dict[str, Any]:
    """Run ``produce()`` (returns a dict) and add its time and peak memory."""
    import gc

    gc.collect()
    exact = reset_peak()
    before = current_rss_mb()
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    result = produce()
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    peak = peak_rss_mb()
    result.update(
        {
            "seconds": round(seconds, 2),
            # CPU time of this process (user + system): less sensitive to a busy machine than
            # the wall-clock time; the database server's own time is not in it.
            "cpu_seconds": round(cpu, 2),
            "rss_before_mb": None if before is None else round(before, 1),
            "peak_rss_mb": round(peak, 1),
            "peak_growth_mb": None if before is None else round(peak - before, 1),
            "peak_method": "VmHWM after clear_refs" if exact else "ru_maxrss (whole process)",
        }
    )
    result["target_peak_mb"] = TARGET_PEAK_MB
    result["met"] = peak <= TARGET_PEAK_MB
    return result


def drain(response, *, close: bool = True) -> int:
    """Read a (streamed) response to its end without keeping it; the number of bytes.

    ``close``: close it afterwards (the test client closes its responses itself once read;
    closing again would send ``request_finished``, which closes a connection inside a
    transaction)."""
    size = 0
    if getattr(response, "streaming", False):
        for chunk in response.streaming_content:
            size += len(chunk)
        if close:
            response.close()
    else:
        size = len(response.content)
    return size


def measure_writer(rows: int) -> dict[str, Any]:
    """``export_response`` alone on ``rows`` rows of the trainee list's columns."""
    from parcours.pathways import exports
    from parcours.pathways.views.trainees import EXPORT_HEADERS

    headers = [str(header) for header in EXPORT_HEADERS]  # the trainee list export's
    start_day = datetime.date(2016, 1, 4)

    def generated():
        for i in range(rows):
            entry = start_day + datetime.timedelta(days=i % 3650)
            yield (
                f"Nom{i:06d}",
                f"Prénom{i % 997}",
                f"Site {i % 3}",
                f"Référent {i % 40}",
                entry,
                entry + datetime.timedelta(days=240),
                "Construction du projet",
                "Région, PLIE" if i % 4 == 0 else "Région",
                "En parcours" if i % 5 else "Sorti·e",
                i % 7 == 0,
            )

    def produce() -> dict[str, Any]:
        response, count = exports.export_response(
            headers=headers, rows=generated(), filename="bench.xlsx", fmt=exports.Format.XLSX
        )
        return {"rows": count, "bytes": drain(response)}

    return {"export": "writer (exports.export_response, 10 columns)", **measured(produce)}


def _pick_director():
    """A director's membership: of the first generated school, else of the school with the
    most enrolments (the demo's ``e2c-63``)."""
    from django.db.models import Count
    from django.utils import timezone

    from parcours.organisations.models import Membership
    from parcours.pathways.models import Enrolment
    from parcours.scale import school_slug

    directors = (
        Membership.objects.active_on(timezone.localdate())
        .filter(role="director", school__isnull=False, user__is_active=True)
        .select_related("school", "user")
        .order_by("pk")
    )
    first = directors.filter(school__slug=school_slug(1)).first()
    if first is not None:
        return first
    sizes = Enrolment.objects.values("school").annotate(n=Count("pk")).order_by("-n", "school")
    for row in sizes:
        found = directors.filter(school=row["school"]).first()
        if found is not None:
            return found
    return directors.first()


def fill_trail(membership, rows: int) -> None:
    """Add ``rows`` events to ``membership``'s school trail, ``BATCH`` rows per statement."""
    from django.db import connection

    from parcours.audit.models import AuditEvent

    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    columns = (
        "school_id",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "ip_address",
        "created_at",
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 — our own table and columns
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    now = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        for first in range(0, rows, BATCH):
            batch = []
            for i in range(first, min(first + BATCH, rows)):
                action, object_type, changes = EVENT_KINDS[i % len(EVENT_KINDS)]
                batch.append(
                    (
                        membership.school_id,
                        membership.user_id,
                        action,
                        object_type,
                        str(10_000 + i % 5_000) if object_type else "",
                        f"Stagiaire n° {i % 5_000}" if object_type else "",
                        json.dumps({**changes, "enrolment": 10_000 + i % 5_000}),
                        "192.0.2.7",
                        connection.ops.adapt_datetimefield_value(
                            now - datetime.timedelta(minutes=5 * i)
                        ),
                    )
                )
            cursor.executemany(sql, batch)


def measure_audit_trail(rows: int) -> dict[str, Any]:
    """The audit trail's XLSX export with ``rows`` more events, rolled back afterwards."""
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from parcours.audit.models import AuditEvent

    sys.path.insert(0, str(ROOT))
    from tests.utils import login_client

    membership = _pick_director()
    if membership is None:
        raise SystemExit("No school director in this database.")
    result: dict[str, Any] = {}
    with transaction.atomic():
        fill_trail(membership, rows)
        total = AuditEvent.objects.filter(school_id=membership.school_id).count()
        client = login_client(Client(), membership.user)
        url = reverse("audit:trail_export", args=[membership.school.slug])

        def produce() -> dict[str, Any]:
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return {"rows": total, "bytes": drain(response, close=False)}

        result = {
            "export": f"audit trail (audit:trail_export) of {membership.school.slug}",
            **measured(produce),
        }
        transaction.set_rollback(True)
    return result


def _child(kind: str, rows: int, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from parcours.scale.guards import refuse_unless_generated

    refuse_unless_generated()  # the rows are rolled back, but only ever in a bench database
    measure = {"writer": measure_writer, "audit_trail": measure_audit_trail}[kind]
    result = measure(rows)
    result["process_peak_rss_mb"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    out.write_text(json.dumps(result), encoding="utf-8")


# --- the parent: fresh processes, results ------------------------------------------------------


def child_environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "parcours.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            # The test client's host; HTTPS settings stay on (the client asks ``secure=True``).
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "PARCOURS_VAR_DIR": str(ROOT / "var" / "bench-export"),
        }
    )
    return env


def measure_one(database_url: str, kind: str, rows: int) -> dict[str, Any]:
    """One measurement (``writer`` or ``audit_trail``) in a fresh Python process."""
    with tempfile.TemporaryDirectory(prefix="parcours-export-") as tmp:
        out = Path(tmp) / "result.json"
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "_child", kind, str(rows), str(out)],
            cwd=ROOT,
            env=child_environment(database_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=1800)
        except BaseException:  # Ctrl-C, a timeout: the child goes too (its transaction rolls back)
            process.kill()
            process.wait()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"{kind} failed ({process.returncode}):\n{output.decode()[-3000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def measure_export_memory(
    database_url: str,
    *,
    rows: int = DEFAULT_ROWS,
    results_path: Path | None = RESULTS,
    print_table: bool = True,
) -> dict[str, Any]:
    """Measure both exports of ``rows`` rows; return (and write under ``"export_memory"``)
    ``{"rows", "target_peak_mb", "exports": {kind: {...}}, "met"}``."""
    exports = {kind: measure_one(database_url, kind, rows) for kind in ("writer", "audit_trail")}
    result = {
        "rows": rows,
        "target_peak_mb": TARGET_PEAK_MB,
        "exports": exports,
        "met": all(e["met"] for e in exports.values()),
        "database": _database_label(database_url),
        "python": platform.python_version(),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    if results_path is not None:
        bench = str(Path(__file__).resolve().parent)
        if bench not in sys.path:
            sys.path.insert(0, bench)
        from load import database_name, write_results  # bench/load.py

        write_results(RESULTS_KEY, result, results_path, entry=database_name(database_url))
    if print_table:
        print(format_table(result))
    return result


def format_table(result: dict[str, Any]) -> str:
    columns = (
        "export",
        "rows",
        "seconds",
        "CPU s",
        "MB file",
        "RSS before",
        "peak RSS",
        "growth",
        "",
    )
    rows = []
    for data in result["exports"].values():
        rows.append(
            (
                data["export"],
                str(data["rows"]),
                f"{data['seconds']:.1f}",
                f"{data['cpu_seconds']:.1f}",
                f"{data['bytes'] / 1e6:.1f}",
                "—" if data["rss_before_mb"] is None else f"{data['rss_before_mb']:.0f} MB",
                f"{data['peak_rss_mb']:.0f} MB",
                "—" if data["peak_growth_mb"] is None else f"{data['peak_growth_mb']:.0f} MB",
                "MET" if data["met"] else "MISSED",
            )
        )
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = [
        f"XLSX export of {result['rows']} rows: peak memory ≤ {result['target_peak_mb']:g} MB",
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def _database_label(database_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(database_url)
    return f"{parts.scheme} {parts.path.lstrip('/')}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        _child(argv[1], int(argv[2]), Path(argv[3]))
        return 0
    from load import interruptible  # bench/load.py

    interruptible()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--no-results", action="store_true", help="don't write results.json")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("DATABASE_URL (or --database-url) is required")
    with contextlib.suppress(BrokenPipeError):
        measure_export_memory(
            args.database_url,
            rows=args.rows,
            results_path=None if args.no_results else RESULTS,
        )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
