"""CPU time and queries per page of the load test's mix, in-process (issue 12).

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench_school \\
        uv run python bench/profile_pages.py [--repeat 10] [--role director] [--profile KIND]

Production settings (DEBUG off: the cached template loader, the manifest static storage, the
HTTPS settings with ``X-Forwarded-Proto: https`` as ``bench/load.py`` sends it). One staff
session per role is opened (``bench/load.py``'s ``prepare``: the same users and pages as the
load test), each page kind is requested once to warm up, then ``--repeat`` times: the CPU time
(``time.process_time``, what a busy shared machine disturbs least) per request of the median
run and the number of queries are printed per page kind, with the mix's weighted average
(``load.PAGE_WEIGHTS``). ``--profile KIND`` prints a pyinstrument profile of that page kind
(``uv run --with pyinstrument``). The sessions are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _environment() -> None:
    for key in [k for k in os.environ if k.startswith("DJANGO_")]:
        del os.environ[key]
    static_root = ROOT / "var" / "bench-static"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "parcours.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "DJANGO_STATIC_ROOT": str(static_root),
            "PARCOURS_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
            check=True,
            cwd=ROOT,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--role", default="director")
    parser.add_argument("--profile", default=None, help="a page kind to profile (pyinstrument)")
    parser.add_argument("--cprofile", default=None, help="write a cProfile of the timed runs here")
    parser.add_argument("--kinds", default=None, help="comma-separated page kinds (default all)")
    args = parser.parse_args(argv)
    _environment()
    import django

    django.setup()
    import load
    from django.db import connection
    from django.test import Client

    plan = load.prepare(1)
    sessions = [s for s in plan["sessions"] if s["role"] == args.role][:1]
    if not sessions:
        raise SystemExit(f"no session for role {args.role}")
    session = sessions[0]
    client = Client(
        HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.10"
    )
    client.cookies["sessionid"] = session["session_key"]
    kinds = args.kinds.split(",") if args.kinds else list(session["pages"])
    rows = []
    import cProfile

    whole = cProfile.Profile(time.process_time) if args.cprofile else None
    try:
        for kind in kinds:
            urls = session["pages"].get(kind)
            if not urls:
                continue
            url = urls[0]
            response = client.get(url, secure=True)
            if response.status_code != 200:
                print(f"{kind}: HTTP {response.status_code} {url}", file=sys.stderr)
                continue
            queries = []

            def count(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url, secure=True)
            if args.profile == kind:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                for _ in range(args.repeat):
                    client.get(url, secure=True)
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
            cpu = []
            for _ in range(args.repeat):
                start = time.process_time()
                client.get(url, secure=True)
                cpu.append((time.process_time() - start) * 1000)
            if whole is not None:
                whole.enable()
                for _ in range(args.repeat):
                    client.get(url, secure=True)
                whole.disable()
            rows.append((kind, statistics.median(cpu), len(queries), url))
    finally:
        load.close_sessions([s["session_key"] for s in plan["sessions"]])
    if whole is not None:
        whole.dump_stats(args.cprofile)
    weights = load.PAGE_WEIGHTS
    total_weight = sum(weights.get(kind, 0) for kind, *_ in rows)
    print(f"{'page':28} {'CPU ms':>8} {'queries':>8}  url")
    for kind, ms, count, url in rows:
        print(f"{kind:28} {ms:8.1f} {count:8d}  {url}")
    if total_weight:
        mix = sum(ms * weights.get(kind, 0) for kind, ms, *_ in rows) / total_weight
        print(f"{'weighted mix':28} {mix:8.1f}")


if __name__ == "__main__":
    main()
