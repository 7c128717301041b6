"""Load test (issue 12): a mix of staff pages at 20 concurrent users for 60 s against gunicorn.

Usage::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench_school \\
        uv run python bench/load.py [--users 20] [--seconds 60] [--schools 2]

What it does, in order (``run_load``):

1. **Static files.** ``collectstatic`` into ``var/bench-static`` (production storage:
   whitenoise's compressed manifest, as served in production).
2. **Sessions.** In a subprocess with the app's settings, open authenticated sessions for
   several staff members of the school(s) — the direction, referents, intake and company
   relations — exactly as the login does once the password *and the second factor* are checked
   (``django.contrib.auth`` session keys plus django-otp's verified device, see
   ``tests/utils.py::login_client``), and list the pages each of them may open (their role's
   permission, objects read through the same scoped selectors as the views). Generated data
   (``parcours bench generate``: schools ``bench-01``…) is preferred; any other database
   (``parcours demo``: ``e2c-63``) works too.
3. **Server.** gunicorn, 2 sync workers, on ``127.0.0.1`` (a free port), production settings:
   ``DJANGO_DEBUG`` unset, a throwaway ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``,
   HTTPS settings on (the client sends ``X-Forwarded-Proto: https`` and ``X-Forwarded-For`` as
   the TLS-terminating reverse proxy would; ``PARCOURS_TRUSTED_PROXIES=127.0.0.1``).
4. **Warm-up and check.** Each session opens each kind of page once (not measured); a page
   that does not answer 2xx is reported in ``warmup_errors``.
5. **Load.** locust, headless, ``users`` users without think time (closed loop: each user sends
   its next request as soon as the previous answer arrives), ``seconds`` seconds. Every
   request is recorded (page kind, time, status); any non-2xx answer (a redirect too) or
   exception is an error.
6. **Results.** Throughput, p50/p95/p99 and errors per page kind and in total, against the
   targets (≥ 100 req/s, p95 ≤ 300 ms, no error), and the CPU time gunicorn's workers and
   locust spent per request (a figure a busy machine disturbs much less than the times);
   printed as a table and written to ``bench/results.json`` under ``"load"`` → the database's
   name (e.g. ``parcours_bench_school``), the other keys kept.

The server and locust are stopped at the end, on failure and on Ctrl-C too, and the sessions
created are deleted. Nothing else is written to the database, except by the pages themselves
(``SESSION_SAVE_EVERY_REQUEST`` pushes the session's expiry back on every request, as in
production).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
RESULTS_KEY = "load"
#: ``--floor``: every request is the framework floor (``bench/urls.py``), served by
#: ``bench/floor_wsgi.py``; its results go under this key.
FLOOR_RESULTS_KEY = "load_floor"
FLOOR_URL = "/bench/floor/"

#: Issue 12's targets for the load test.
TARGET_RPS = 100.0
TARGET_P95_MS = 300.0
TARGET_ERRORS = 0

#: Staff roles whose members get sessions (``parcours.organisations.models.Role`` values).
ROLES = ("director", "referent", "intake", "company_relations")
#: Members per role and school (the generated data has several referents per school).
PER_ROLE = {"director": 1, "referent": 3, "intake": 1, "company_relations": 1}
#: The page kinds and their weight in the mix (how often a user opens one).
PAGE_WEIGHTS: dict[str, int] = {
    "home": 1,
    "trainee list": 2,
    "trainee list (filtered)": 2,
    "trainee page": 4,
    "attendance sheet": 2,
    "week timetable": 2,
    "companies list": 1,
    "company page": 2,
    "exits list": 1,
    "key figures": 1,
}
#: The client address the "reverse proxy" reports for the load's requests (TEST-NET-1).
CLIENT_ADDRESS = "192.0.2.10"


# --- results: percentiles, aggregation, table -------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) of ``values``, linear between the closest ranks (the
    usual definition, NumPy's default): ``None`` when there is no value."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile out of range: {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _stats(samples: Sequence[dict[str, Any]], duration: float) -> dict[str, Any]:
    times = [float(s["ms"]) for s in samples]
    errors = sum(1 for s in samples if not s["ok"])
    statuses: dict[str, int] = {}
    for sample in samples:
        if not sample["ok"]:
            key = str(sample.get("status") or sample.get("error") or "exception")
            statuses[key] = statuses.get(key, 0) + 1

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "requests": len(samples),
        "errors": errors,
        "error_statuses": dict(sorted(statuses.items())),
        "rps": round(len(samples) / duration, 2) if duration > 0 else 0.0,
        "mean_ms": rounded(sum(times) / len(times)) if times else None,
        "p50_ms": rounded(percentile(times, 50)),
        "p95_ms": rounded(percentile(times, 95)),
        "p99_ms": rounded(percentile(times, 99)),
        "max_ms": rounded(max(times)) if times else None,
    }


def aggregate(samples: Iterable[dict[str, Any]], duration: float | None = None) -> dict[str, Any]:
    """Per page kind and in total: requests, errors, req/s, p50/p95/p99 (ms), and the targets.

    ``samples`` are dicts ``{"name", "ms", "ok", "status", "start"}`` (``start``: epoch
    seconds). ``duration`` (seconds) defaults to the span of the samples, from the first
    request's start to the last answer.
    """
    samples = list(samples)
    if duration is None:
        if samples:
            first = min(s["start"] for s in samples)
            last = max(s["start"] + s["ms"] / 1000 for s in samples)
            duration = last - first
        else:
            duration = 0.0
    by_name: dict[str, list[dict[str, Any]]] = {}
    for sample in samples:
        by_name.setdefault(sample["name"], []).append(sample)
    total = _stats(samples, duration)
    return {
        "duration_s": round(duration, 2),
        "pages": {name: _stats(rows, duration) for name, rows in sorted(by_name.items())},
        "total": total,
        "targets": {
            "rps": {"target": TARGET_RPS, "value": total["rps"], "met": total["rps"] >= TARGET_RPS},
            "p95_ms": {
                "target": TARGET_P95_MS,
                "value": total["p95_ms"],
                "met": total["p95_ms"] is not None and total["p95_ms"] <= TARGET_P95_MS,
            },
            "errors": {
                "target": TARGET_ERRORS,
                "value": total["errors"],
                "met": total["errors"] <= TARGET_ERRORS and total["requests"] > 0,
            },
        },
    }


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def format_table(result: dict[str, Any]) -> str:
    """A readable table of ``result`` (``aggregate``'s dict, plus the run's context if any)."""
    columns = ("page", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors")
    rows = []
    for name, stats in result["pages"].items():
        rows.append(
            (
                name,
                stats["requests"],
                stats["rps"],
                stats["p50_ms"],
                stats["p95_ms"],
                stats["p99_ms"],
                stats["max_ms"],
                stats["errors"],
            )
        )
    total = result["total"]
    rows.append(
        (
            "TOTAL",
            total["requests"],
            total["rps"],
            total["p50_ms"],
            total["p95_ms"],
            total["p99_ms"],
            total["max_ms"],
            total["errors"],
        )
    )
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = (v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    out = []
    run = result.get("run")
    if run:
        out.append(
            f"Load test: {run.get('users')} users, {run.get('seconds')} s, gunicorn "
            f"{run.get('workers')} workers, {run.get('database')} "
            f"({', '.join(run.get('schools', []))}; {run.get('sessions')} staff sessions)"
        )
    out.append(line(columns))
    out.append(line(["-" * w for w in widths]))
    out.extend(line(row) for row in cells[:-1])
    out.append(line(["-" * w for w in widths]))
    out.append(line(cells[-1]))
    targets = result["targets"]
    out.append("")
    out.append(
        "Targets: "
        + "; ".join(
            [
                f"throughput ≥ {TARGET_RPS:g} req/s: {_cell(targets['rps']['value'])} "
                f"{_mark(targets['rps']['met'])}",
                f"p95 ≤ {TARGET_P95_MS:g} ms: {_cell(targets['p95_ms']['value'])} "
                f"{_mark(targets['p95_ms']['met'])}",
                f"no error: {targets['errors']['value']} {_mark(targets['errors']['met'])}",
            ]
        )
    )
    if total["error_statuses"]:
        out.append(f"Errors by status: {total['error_statuses']}")
    for problem in result.get("warmup_errors", []):
        out.append(f"Warm-up: {problem}")
    if result.get("noise"):
        out.append(f"Noise: {result['noise']}")
    return "\n".join(out)


def _mark(met: bool) -> str:
    return "MET" if met else "MISSED"


def write_results(key: str, value: Any, path: Path = RESULTS, *, entry: str | None = None) -> None:
    """Set ``path``'s top-level ``key`` to ``value`` — or, with ``entry``, ``key``'s
    ``entry`` (one entry a database: a network run keeps the school's) — keeping the other keys
    (read-modify-write, replaced atomically)."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            data = {}
        if not isinstance(data, dict):
            data = {}
    if entry is None:
        data[key] = value
    else:
        entries = data.get(key)
        if not isinstance(entries, dict) or "total" in entries or "exports" in entries:
            entries = {}  # the first runs wrote one result directly under the key
        entries[entry] = value
        data[key] = entries
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, default=str)
        handle.write("\n")
    os.replace(tmp, path)


def read_samples(path: Path) -> list[dict[str, Any]]:
    """The requests locust recorded (one JSON object a line; a cut last line is skipped)."""
    samples = []
    if not path.exists():
        return samples
    for raw in path.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            samples.append(json.loads(raw))
    return samples


# --- sessions and the pages' plan (run inside Django) -----------------------------------------


def bench_schools(limit: int) -> list:
    """The schools to load: the generated ones (``bench-01``…) first, else the schools with a
    director and the most enrolments (the demo's ``e2c-63``)."""
    from django.db.models import Count

    from parcours.organisations.models import Membership, School
    from parcours.pathways.models import Enrolment
    from parcours.scale import school_slug

    generated = []
    for number in range(1, limit + 1):
        school = School.objects.filter(slug=school_slug(number)).first()
        if school is None:
            break
        generated.append(school)
    if generated:
        return generated
    with_director = Membership.objects.filter(role="director", school__isnull=False).values(
        "school"
    )
    sizes = (
        Enrolment.objects.filter(school__in=with_director)
        .values("school")
        .annotate(n=Count("pk"))
        .order_by("-n", "school")
    )
    ranked = [row["school"] for row in sizes[:limit]]
    by_pk = School.objects.in_bulk(ranked)
    return [by_pk[pk] for pk in ranked]


def staff_memberships(school) -> list:
    """Active members of ``school`` per role (:data:`PER_ROLE`), the generated accounts
    (``parcours.scale.staff_email``) first."""
    from django.utils import timezone

    from parcours.organisations.models import Membership
    from parcours.scale import staff_email

    today = timezone.localdate()
    chosen = []
    for role in ROLES:
        members = list(
            Membership.objects.active_on(today)
            .filter(school=school, role=role, user__is_active=True)
            .select_related("user", "school")
            .order_by("pk")
        )
        preferred = staff_email(role, school.slug)
        members.sort(key=lambda m, preferred=preferred: (m.user.email != preferred, m.pk))
        chosen.extend(members[: PER_ROLE[role]])
    return chosen


def open_session(user) -> str:
    """A session key for ``user``, logged in with the second factor verified, as the login and
    code pages leave it (``django.contrib.auth.login`` + ``django_otp.login``). The user's
    confirmed authenticator device is used (one is created when they have none)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from parcours.accounts import two_factor

    device = two_factor.totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key


def close_sessions(keys: Iterable[str]) -> int:
    from importlib import import_module

    from django.conf import settings

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    count = 0
    for key in keys:
        store_class(session_key=key).delete()
        count += 1
    return count


def _spread(items: Sequence[Any], count: int) -> list[Any]:
    """``count`` items evenly spread over ``items`` (all of them when fewer)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _allowed(url: str, membership) -> bool:
    """Whether ``membership``'s role holds the permission the URL's view requires."""
    from django.urls import resolve

    from parcours.organisations.access import has_perm

    perm = getattr(resolve(url.split("?", 1)[0]).func, "required_perm", None)
    return perm is None or has_perm(membership, perm)


def page_plan(membership) -> dict[str, list[str]]:
    """The URLs of each page kind ``membership`` may open, objects read through the views'
    own scoped selectors."""
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from parcours.companies.selectors_companies import companies_for
    from parcours.pathways import selectors_lists
    from parcours.schedule.selectors import sessions_for
    from parcours.schedule.selectors_timetable import week_of

    slug = membership.school.slug
    today = timezone.localdate()

    def url(name: str, *args: Any, query: str = "") -> str:
        address = reverse(name, args=[slug, *args])
        return f"{address}?{query}" if query else address

    enrolments = list(
        selectors_lists.trainee_list(membership)
        .order_by("-entry_date", "pk")
        .values_list("pk", "person__last_name", "status")
    )
    sites = list(selectors_lists.school_sites(membership).values_list("pk", flat=True))
    phases = list(
        selectors_lists.phase_definitions(membership).order_by("pk").values_list("pk", flat=True)
    )
    from parcours.pathways.forms.trainees import ALL

    filtered = [f"status={ALL}", "tri=-entree", "page=2", "overdue=on", "vue=tous"]
    filtered += [f"site={pk}" for pk in sites[:3]]
    filtered += [f"phase={pk}" for pk in phases[:3]]
    filtered += [f"status={ALL}&q={name[:3]}" for _, name, _ in _spread(enrolments, 3) if name]
    # Sessions of the last weeks with the most trainees: a group's attendance sheet.
    sessions = list(
        sessions_for(membership)
        .filter(day__lte=today, day__gte=today - datetime.timedelta(days=60))
        .annotate(size=Count("participants"))
        .filter(size__gt=0)
        .order_by("-size", "-day", "pk")
        .values_list("pk", "day")[:12]
    )
    if not sessions:  # older data (a database generated a while ago)
        sessions = list(
            sessions_for(membership)
            .annotate(size=Count("participants"))
            .filter(size__gt=0)
            .order_by("-size", "-day", "pk")
            .values_list("pk", "day")[:12]
        )
    weeks = {week_of(today)[0]} | {week_of(day)[0] for _, day in sessions[:4]}
    companies = list(companies_for(membership).order_by("pk").values_list("pk", flat=True))
    plan = {
        "home": [url("organisations:home")],
        "trainee list": [url("pathways:trainees")],
        "trainee list (filtered)": [url("pathways:trainees", query=q) for q in filtered],
        "trainee page": [url("pathways:trainee", pk) for pk, _, _ in _spread(enrolments, 40)],
        "attendance sheet": [url("schedule:session_attendance", pk) for pk, _ in sessions],
        "week timetable": [
            url("schedule:week", query=f"semaine={monday.isoformat()}") for monday in sorted(weeks)
        ],
        "companies list": [url("companies:companies")],
        "company page": [url("companies:company", pk) for pk in _spread(companies, 30)],
        "exits list": [url("outcomes:exits")],
        "key figures": [url("reporting:key_figures")],
    }
    return {
        kind: [u for u in urls if _allowed(u, membership)]
        for kind, urls in plan.items()
        if urls and kind in PAGE_WEIGHTS
    }


def prepare(schools: int) -> dict[str, Any]:
    """Open the sessions and plan the pages (Django must be set up)."""
    chosen = bench_schools(schools)
    if not chosen:
        raise SystemExit("No school with staff in this database: run `parcours bench generate`.")
    sessions = []
    for school in chosen:
        for membership in staff_memberships(school):
            plan = {kind: urls for kind, urls in page_plan(membership).items() if urls}
            sessions.append(
                {
                    "school": school.slug,
                    "role": membership.role,
                    "user_id": membership.user_id,
                    "session_key": open_session(membership.user),
                    "pages": plan,
                }
            )
    return {"schools": [school.slug for school in chosen], "sessions": sessions}


def _django_main(argv: list[str]) -> None:
    """``load.py prepare|close`` (subprocess with the server's environment)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from parcours.scale.guards import refuse_unless_generated

    refuse_unless_generated()  # sessions for generated staff only, never a real school's
    command, *rest = argv
    if command == "prepare":
        schools, out = int(rest[0]), Path(rest[1])
        out.write_text(json.dumps(prepare(schools)), encoding="utf-8")
    elif command == "close":
        keys = json.loads(Path(rest[0]).read_text(encoding="utf-8"))
        close_sessions(keys)
    else:
        raise SystemExit(f"unknown command {command}")


# --- the server and the load -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, *, var_dir: Path) -> dict[str, str]:
    """Production settings with throwaway secrets (``parcours/settings.py``; docs/runbook.md)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "parcours.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_STATIC_ROOT": str(var_dir / "static"),
            "DJANGO_MEDIA_ROOT": str(var_dir / "media"),
            "PARCOURS_VAR_DIR": str(var_dir),
            # The "reverse proxy" (the load client) is on loopback: it tells the client's
            # address and that the request came over HTTPS (SECURE_PROXY_SSL_HEADER).
            "PARCOURS_TRUSTED_PROXIES": "127.0.0.1",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


#: Headers the reverse proxy adds in production (TLS terminated, the client's address).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_ADDRESS}


def _get(base: str, path: str, cookie: str | None = None, timeout: float = 30) -> int:
    """GET ``path`` without following redirects; the status (0 when no answer)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    headers = dict(PROXY_HEADERS)
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310 — loopback
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def _stop(process: subprocess.Popen | None, timeout: float = 15) -> None:
    """Stop ``process`` and its children (its own process group), gracefully then for good."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    *,
    workers: int,
    log: Path,
    app: str = "parcours.wsgi:application",
) -> Iterator[tuple[str, int]]:
    """gunicorn serving ``app`` (``parcours.wsgi``) on ``127.0.0.1:port`` until the block ends:
    its base URL and the master's process id."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while _get(base, "/healthz", timeout=2) != 200:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited ({process.returncode}); see {log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer /healthz in 60 s; see {log}")
                time.sleep(0.3)
            yield base, process.pid
        finally:
            _stop(process)


def _run(command: list[str], env: dict[str, str], *, timeout: float, what: str) -> None:
    """Run a helper command in its own process group (stopped on Ctrl-C or timeout)."""
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except BaseException:
        _stop(process, timeout=5)
        raise
    if process.returncode != 0:
        raise RuntimeError(f"{what} failed ({process.returncode}):\n{output.decode()[-3000:]}")


def static_outdated(static_root: Path) -> bool:
    """Whether ``collectstatic`` must run: no manifest yet, or a file of the project's static
    directory changed since (the installed packages' files change only with the lock)."""
    manifest = static_root / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [ROOT / "parcours" / "static", ROOT / "uv.lock"]
    for source in sources:
        paths = source.rglob("*") if source.is_dir() else [source]
        if any(p.stat().st_mtime > built for p in paths if p.exists()):
            return True
    return False


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process ``pid`` and its children (gunicorn's workers)."""
    try:
        import psutil  # a dependency of locust
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return None
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def postgres_cpu_seconds() -> float | None:
    """CPU time (user + system) of this machine's PostgreSQL processes: the live ones, plus the
    ended backends the server has reaped (its children's times); ``None`` when none is visible
    (a remote database). Machine-wide: other databases' backends, autovacuum and the
    checkpointer count too, so the figure is only the load's on a quiet machine."""
    try:
        import psutil
    except ImportError:
        return None
    total, seen = 0.0, False
    for process in psutil.process_iter(["name"]):
        if process.info.get("name") != "postgres":
            continue
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
            seen = True
    return total if seen else None


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (locust, once it has ended)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _delta(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def cpu_figures(
    server_cpu: float | None,
    client_cpu: float | None,
    requests: int,
    duration: float,
    database_cpu: float | None = None,
) -> dict[str, Any]:
    """CPU spent per request by the application server (gunicorn's workers) and by the load
    client: figures that depend much less on other work on the machine than the times, and
    the throughput they would allow if the application had the CPUs alone (PostgreSQL's own
    time is not counted: the bound is optimistic)."""
    cpus = os.cpu_count() or 1
    server_ms = (server_cpu * 1000 / requests) if server_cpu is not None and requests else None
    client_ms = (client_cpu * 1000 / requests) if client_cpu is not None and requests else None
    database_ms = (
        (database_cpu * 1000 / requests) if database_cpu is not None and requests else None
    )
    bound = cpus * 1000 / server_ms if server_ms else None
    share = (server_cpu / (duration * cpus)) if server_cpu is not None and duration else None
    parts = []
    if server_ms is not None:
        parts.append(f"gunicorn used {server_ms:.0f} CPU ms per request")
    if share is not None:
        parts.append(f"{share:.0%} of the machine's CPU time during the run")
    if bound is not None:
        parts.append(f"so at most ~{bound:.0f} req/s on {cpus} CPUs without PostgreSQL's share")
    if client_ms is not None:
        parts.append(f"locust used {client_ms:.1f} CPU ms per request")
    if database_ms is not None:
        parts.append(f"PostgreSQL used {database_ms:.1f} CPU ms per request (machine-wide)")
    whole_ms = (
        server_ms + database_ms + (client_ms or 0.0)
        if server_ms is not None and database_ms is not None
        else None
    )
    machine_bound = cpus * 1000 / whole_ms if whole_ms else None
    if machine_bound is not None:
        parts.append(f"all three together: at most ~{machine_bound:.0f} req/s on {cpus} CPUs")
    return {
        "server_cpu_s": None if server_cpu is None else round(server_cpu, 2),
        "server_cpu_ms_per_request": None if server_ms is None else round(server_ms, 1),
        "server_cpu_share": None if share is None else round(share, 3),
        "client_cpu_s": None if client_cpu is None else round(client_cpu, 2),
        "client_cpu_ms_per_request": None if client_ms is None else round(client_ms, 2),
        "cpu_bound_rps": None if bound is None else round(bound, 1),
        "database_cpu_s": None if database_cpu is None else round(database_cpu, 2),
        "database_cpu_ms_per_request": None if database_ms is None else round(database_ms, 1),
        "machine_bound_rps": None if machine_bound is None else round(machine_bound, 1),
        "summary": "; ".join(parts),
    }


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def run_load(
    database_url: str,
    *,
    users: int = 20,
    seconds: int = 60,
    schools: int = 2,
    workers: int = 2,
    results_path: Path | None = RESULTS,
    print_table: bool = True,
    floor: bool = False,
) -> dict[str, Any]:
    """Run the load test against ``database_url`` (PostgreSQL); return (and write under
    ``"load"`` in ``results_path``, unless ``None``) the aggregated results. With ``floor``,
    the same users request only the framework floor (``"load_floor"``): what this machine
    gives when each request costs the least an authenticated Django page can."""
    var_dir = ROOT / "var" / "bench-load"
    var_dir.mkdir(parents=True, exist_ok=True)
    env = server_environment(database_url, var_dir=var_dir)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="parcours-load-") as tmp_name:
        tmp = Path(tmp_name)
        if static_outdated(Path(env["DJANGO_STATIC_ROOT"])):
            _run(
                [python, "-m", "django", "collectstatic", "--noinput", "-v0"],
                env,
                timeout=600,
                what="collectstatic",
            )
        plan_file = tmp / "plan.json"
        _run(
            [python, str(Path(__file__).resolve()), "prepare", str(schools), str(plan_file)],
            env,
            timeout=600,
            what="opening the sessions",
        )
        plan = json.loads(plan_file.read_text(encoding="utf-8"))
        if floor:
            plan = floor_plan(plan)
            plan_file.write_text(json.dumps(plan), encoding="utf-8")
        weights = plan.get("weights", PAGE_WEIGHTS)
        keys = [session["session_key"] for session in plan["sessions"]]
        samples_file = tmp / "samples.jsonl"
        try:
            port = free_port()
            app = "bench.floor_wsgi:application" if floor else "parcours.wsgi:application"
            with gunicorn(env, port, workers=workers, log=tmp / "gunicorn.log", app=app) as (
                base,
                pid,
            ):
                warmup_errors = warm_up(base, plan)
                load_before = load_average()
                server_cpu_before = tree_cpu_seconds(pid)
                client_cpu_before = children_cpu_seconds()
                database_cpu_before = postgres_cpu_seconds()
                locust_env = {
                    **env,
                    "PARCOURS_LOAD_PLAN": str(plan_file),
                    "PARCOURS_LOAD_SAMPLES": str(samples_file),
                }
                _run(
                    [
                        python,
                        "-m",
                        "locust",
                        "-f",
                        str(LOCUSTFILE),
                        "--headless",
                        "--users",
                        str(users),
                        "--spawn-rate",
                        str(users),
                        "--run-time",
                        f"{seconds}s",
                        "--stop-timeout",
                        "10",
                        "--host",
                        base,
                        "--only-summary",
                        "--loglevel",
                        "ERROR",
                        "--exit-code-on-error",
                        "0",
                    ],
                    locust_env,
                    timeout=seconds + 120,
                    what="locust",
                )
                load_after = load_average()
                server_cpu = _delta(tree_cpu_seconds(pid), server_cpu_before)
                client_cpu = children_cpu_seconds() - client_cpu_before
                database_cpu = _delta(postgres_cpu_seconds(), database_cpu_before)
                server_log = (tmp / "gunicorn.log").read_text(errors="replace")[-2000:]
        finally:
            with contextlib.suppress(Exception):
                keys_file = tmp / "keys.json"
                keys_file.write_text(json.dumps(keys), encoding="utf-8")
                _run(
                    [python, str(Path(__file__).resolve()), "close", str(keys_file)],
                    env,
                    timeout=120,
                    what="closing the sessions",
                )
        result = aggregate(read_samples(samples_file))
    result["warmup_errors"] = warmup_errors
    result["run"] = {
        "users": users,
        "seconds": seconds,
        "workers": workers,
        "database": _database_label(database_url),
        "schools": plan["schools"],
        "sessions": len(plan["sessions"]),
        "roles": sorted({s["role"] for s in plan["sessions"]}),
        "think_time_s": 0,
        "weights": weights,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_before": load_before,
        "load_average_after": load_after,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    requests = result["total"]["requests"]
    result["cpu"] = cpu_figures(
        server_cpu, client_cpu, requests, result["duration_s"], database_cpu
    )
    result["noise"] = (
        f"load average {load_before} before, {load_after} after, on {os.cpu_count()} CPUs "
        "(locust, gunicorn and PostgreSQL share them); " + result["cpu"]["summary"]
    )
    if server_log.strip():
        result["server_log_tail"] = server_log
    if results_path is not None:
        key = FLOOR_RESULTS_KEY if floor else RESULTS_KEY
        write_results(key, result, results_path, entry=database_name(database_url))
    if print_table:
        print(format_table(result))
    return result


def floor_plan(plan: dict[str, Any]) -> dict[str, Any]:
    """``plan`` with every session requesting only the framework floor (``--floor``)."""
    sessions = [{**session, "pages": {"floor": [FLOOR_URL]}} for session in plan["sessions"]]
    return {**plan, "sessions": sessions, "weights": {"floor": 1}}


def warm_up(base: str, plan: dict[str, Any]) -> list[str]:
    """Open each kind of page once per session (not measured); what did not answer 2xx."""
    problems = []
    for session in plan["sessions"]:
        cookie = f"sessionid={session['session_key']}"
        for kind, urls in session["pages"].items():
            status = _get(base, urls[0], cookie)
            if not 200 <= status < 300:
                problems.append(f"{session['school']} {session['role']} {kind} {urls[0]}: {status}")
    return problems


def database_name(database_url: str) -> str:
    """The database's name in ``database_url`` (the file's name for SQLite)."""
    from urllib.parse import urlsplit

    return Path(urlsplit(database_url).path).name or "default"


def _database_label(database_url: str) -> str:
    """The database's engine and name, without credentials."""
    from urllib.parse import urlsplit

    parts = urlsplit(database_url)
    return f"{parts.scheme} {parts.path.lstrip('/')}"


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def interruptible() -> None:
    """Ctrl-C and ``kill`` (SIGTERM) end the run through the cleanup (the server and locust are
    stopped, the sessions deleted), also when started in the background (where a
    non-interactive shell ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminated)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("prepare", "close"):
        _django_main(argv)
        return 0
    interruptible()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--schools", type=int, default=2, help="schools whose staff log in")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-results", action="store_true", help="don't write results.json")
    parser.add_argument(
        "--floor", action="store_true", help="request only the framework floor (bench/floor/)"
    )
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("a PostgreSQL DATABASE_URL (or --database-url) is required")
    result = run_load(
        args.database_url,
        users=args.users,
        seconds=args.seconds,
        schools=args.schools,
        workers=args.workers,
        results_path=None if args.no_results else RESULTS,
        floor=args.floor,
    )
    # A missed target is a finding shown in the table, not a failure of the tool.
    del result
    return 0


if __name__ == "__main__":
    sys.exit(main())
