"""What every part of the harness shares: timing with query counts, percentiles, the table
printed on stdout and ``bench/results.json`` (read-modify-write: one top-level key per part).

Nothing here imports Django at module level, so the tests of the writer stay light.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"


def percentile(values: Iterable[float], pct: float) -> float:
    """The ``pct``-th percentile (0–100) by linear interpolation between closest ranks (the
    same as ``numpy.percentile``'s default and ``statistics.quantiles(method="inclusive")``)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Measure:
    """Timings (milliseconds) and query counts of the measured runs of one thing."""

    name: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    #: CPU time of this process (the app's Python; not the database server's): far less
    #: sensitive than wall time to the other processes of a shared machine.
    cpu_ms: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.times_ms, 95)

    @property
    def cpu_median_ms(self) -> float | None:
        return statistics.median(self.cpu_ms) if self.cpu_ms else None

    @property
    def min_ms(self) -> float:
        return min(self.times_ms)

    @property
    def query_count(self) -> int | None:
        """The query count when it is the same on every run, else the largest."""
        return max(self.queries) if self.queries else None

    @property
    def queries_stable(self) -> bool:
        return len(set(self.queries)) <= 1

    def summary(self) -> dict[str, Any]:
        return {
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "min_ms": round(self.min_ms, 2),
            "cpu_median_ms": round(self.cpu_median_ms, 2) if self.cpu_ms else None,
            "runs": len(self.times_ms),
            "queries": self.query_count,
            "queries_stable": self.queries_stable,
            **({"note": self.note} if self.note else {}),
        }


def measure(
    name: str,
    call: Callable[[int], Any],
    *,
    warmup: int,
    runs: int,
    count_queries: bool = True,
    check: Callable[[Any], None] | None = None,
) -> Measure:
    """Call ``call(i)`` ``warmup`` times, then ``runs`` times timed (perf_counter around the
    call only), counting the queries each run executes on the default connection."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Measure(name)
    for i in range(warmup + runs):
        if count_queries:
            with CaptureQueriesContext(connection) as captured:
                cpu, started = time.process_time(), time.perf_counter()
                value = call(i)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            queries = len(captured.captured_queries)
        else:
            cpu, started = time.process_time(), time.perf_counter()
            value = call(i)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            queries = 0
        if check is not None:
            check(value)
        if i >= warmup:
            result.times_ms.append(elapsed * 1000)
            result.cpu_ms.append(cpu * 1000)
            if count_queries:
                result.queries.append(queries)
    return result


# ------------------------------------------------------------------------------ results


@dataclass
class Row:
    """One line of the table: a measure, its ratio to a reference, and its target."""

    section: str
    name: str
    median_ms: float
    p95_ms: float | None = None
    queries: int | None = None
    queries_stable: bool | None = None
    cpu_ms: float | None = None  # median CPU time of the app's process
    ratio: float | None = None  # to the floor page, or to the hand-written SQL
    ratio_to: str = ""
    target: str = ""
    met: bool | None = None  # None: no target
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


def judge(
    median_ms: float,
    p95_ms: float | None,
    *,
    median_max: float | None = None,
    p95_max: float | None = None,
    ratio: float | None = None,
    ratio_max: float | None = None,
    stable: bool | None = None,
) -> tuple[str, bool | None]:
    """The target as text and whether it is met (None when there is no target)."""
    parts, met = [], True
    if median_max is not None:
        parts.append(f"med≤{median_max:g}ms")
        met &= median_ms <= median_max
    if p95_max is not None and p95_ms is not None:
        parts.append(f"p95≤{p95_max:g}ms")
        met &= p95_ms <= p95_max
    if ratio_max is not None and ratio is not None:
        parts.append(f"≤{ratio_max:g}×SQL")
        met &= ratio <= ratio_max
    if stable is not None:
        parts.append("const q")
        met &= stable
    if not parts:
        return "", None
    return ", ".join(parts), bool(met)


def format_table(rows: list[Row], title: str = "") -> str:
    """The rows as a fixed-width text table, one block per section."""
    lines = [title] if title else []
    header = (
        f"{'':<34} {'median':>9} {'p95':>9} {'cpu':>8} {'queries':>8} {'ratio':>12}  "
        f"{'target':<32} {'':<6}"
    )
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines += ["", f"— {section}", header]
        p95 = f"{row.p95_ms:.1f}" if row.p95_ms is not None else "—"
        if row.queries is None:
            queries = "—"
        else:
            queries = f"{row.queries}{'' if row.queries_stable in (None, True) else '~'}"
        ratio = f"{row.ratio:.2f}× {row.ratio_to}" if row.ratio is not None else ""
        verdict = {None: "", True: "met", False: "MISSED"}[row.met]
        cpu = f"{row.cpu_ms:.1f}" if row.cpu_ms is not None else "—"
        lines.append(
            f"{row.name:<34} {row.median_ms:>7.1f}ms {p95:>7}ms {cpu:>6}ms {queries:>8} "
            f"{ratio:>12}  {row.target:<32} {verdict:<6}"
        )
        if row.note:
            lines.append(f"{'':<4}{row.note}")
    lines.append("")
    lines.append(
        "(median/p95: wall time; cpu: median CPU time of this process — the app's Python, not"
        " the database server's, and far less sensitive to a busy machine; queries: ~ = not the"
        " same count on every run; ratio: app ÷ floor or SQL, medians)"
    )
    return "\n".join(lines)


def write_results(
    key: str, scale: str, vendor: str, entry: dict[str, Any], path: Path = RESULTS
) -> dict[str, Any]:
    """Store ``entry`` at ``results[key][scale][vendor]``, keeping every other key of the file
    (read-modify-write: other parts of the bench write their own top-level keys)."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    if not isinstance(results, dict):
        results = {}
    part = results.get(key)
    if not isinstance(part, dict):
        part = results[key] = {}
    by_scale = part.get(scale)
    if not isinstance(by_scale, dict):
        by_scale = part[scale] = {}
    by_scale[vendor] = entry
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results
