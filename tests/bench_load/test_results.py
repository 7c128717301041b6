"""The load test's results: percentiles, aggregation per page, the targets, the table and the
results file (no server, no database)."""

from __future__ import annotations

import json
import statistics

import load
import pytest


def test_percentile_is_linear_between_ranks():
    values = [10, 20, 30, 40]
    assert load.percentile(values, 0) == 10
    assert load.percentile(values, 100) == 40
    assert load.percentile(values, 50) == 25
    assert load.percentile([5], 95) == 5
    assert load.percentile([], 50) is None
    # The same as the usual definition (statistics' "inclusive" method, NumPy's default).
    data = [float(v) for v in (3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9)]
    cuts = statistics.quantiles(data, n=100, method="inclusive")
    for q in (50, 95, 99):
        assert load.percentile(data, q) == pytest.approx(cuts[q - 1])
    with pytest.raises(ValueError):
        load.percentile(values, 101)


def _sample(name, ms, start, ok=True, status=200):
    return {"name": name, "ms": ms, "ok": ok, "status": status, "start": start}


def test_aggregate_per_page_and_total():
    samples = [_sample("trainee page", ms, 1000.0 + i * 0.1) for i, ms in enumerate(range(1, 101))]
    samples += [_sample("key figures", 50, 1000.0), _sample("key figures", 70, 1000.5)]
    samples.append(_sample("key figures", 5, 1005.0, ok=False, status=500))
    result = load.aggregate(samples, duration=10.0)

    page = result["pages"]["trainee page"]
    assert page["requests"] == 100
    assert page["errors"] == 0
    assert page["rps"] == 10.0
    assert page["p50_ms"] == 50.5
    assert page["p95_ms"] == 95.0  # 95.05 rounded to 0.1
    assert page["p99_ms"] == 99.0
    assert page["max_ms"] == 100

    figures = result["pages"]["key figures"]
    assert figures["requests"] == 3
    assert figures["errors"] == 1
    assert figures["error_statuses"] == {"500": 1}

    total = result["total"]
    assert total["requests"] == 103
    assert total["errors"] == 1
    assert total["rps"] == 10.3
    targets = result["targets"]
    assert targets["rps"]["met"] is False
    assert targets["p95_ms"]["met"] is True
    assert targets["errors"]["met"] is False


def test_duration_defaults_to_the_span_of_the_requests():
    samples = [_sample("home", 500, 100.0), _sample("home", 1000, 101.0)]
    result = load.aggregate(samples)
    assert result["duration_s"] == 2.0  # from 100.0 to 101.0 + 1 s
    assert result["total"]["rps"] == 1.0


def test_an_exception_is_an_error():
    samples = [{"name": "home", "ms": 3, "ok": False, "status": 0, "error": "ConnectionRefused"}]
    samples[0]["start"] = 1.0
    result = load.aggregate(samples, duration=1.0)
    assert result["total"]["errors"] == 1
    assert result["total"]["error_statuses"] == {"0": 1} or result["total"]["error_statuses"] == {
        "ConnectionRefused": 1
    }
    assert result["targets"]["errors"]["met"] is False


def test_no_request_meets_no_target():
    result = load.aggregate([])
    assert result["total"]["requests"] == 0
    assert not any(target["met"] for target in result["targets"].values())


def test_all_targets_met():
    samples = [_sample("home", 100, 0.01 * i) for i in range(2000)]
    result = load.aggregate(samples, duration=10.0)
    assert result["total"]["rps"] == 200.0
    assert all(target["met"] for target in result["targets"].values())


def test_table_lists_pages_total_and_targets():
    samples = [_sample("trainee list", 120, 0.0), _sample("company page", 400, 0.5)]
    samples.append(_sample("company page", 10, 0.6, ok=False, status=403))
    result = load.aggregate(samples, duration=1.0)
    result["run"] = {"users": 2, "seconds": 1, "workers": 2, "database": "postgres x"}
    result["warmup_errors"] = ["e2c-x referent key figures /e/x/: 403"]
    table = load.format_table(result)
    lines = table.splitlines()
    assert lines[0].startswith("Load test: 2 users, 1 s, gunicorn 2 workers")
    assert any(line.startswith("trainee list") and "120.0" in line for line in lines)
    assert any(line.startswith("company page") for line in lines)
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.split()[1:3] == ["3", "3.0"]
    assert "throughput ≥ 100 req/s: 3.0 MISSED" in table
    assert "no error: 1 MISSED" in table
    assert "{'403': 1}" in table
    assert "Warm-up: e2c-x referent key figures" in table


def test_results_file_keeps_the_other_keys(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"pages": {"x": 1}, "load": {"old": True}}))
    load.write_results("load", {"total": {"rps": 120}}, path)
    assert json.loads(path.read_text()) == {"pages": {"x": 1}, "load": {"total": {"rps": 120}}}
    load.write_results("export_memory", {"met": True}, path, entry="parcours_bench_school")
    load.write_results("export_memory", {"met": False}, path, entry="parcours_bench_network")
    assert json.loads(path.read_text())["export_memory"] == {
        "parcours_bench_school": {"met": True},
        "parcours_bench_network": {"met": False},
    }
    assert load.database_name("postgres://postgres@127.0.0.1:5432/parcours_bench_school") == (
        "parcours_bench_school"
    )
    assert load.database_name("sqlite:////work/ctx12/bench-school.sqlite3") == (
        "bench-school.sqlite3"
    )
    fresh = tmp_path / "new" / "results.json"
    load.write_results("load", {"a": 1}, fresh)
    assert json.loads(fresh.read_text()) == {"load": {"a": 1}}


def test_samples_file_skips_a_cut_line(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text(json.dumps(_sample("home", 1, 0.0)) + "\n" + '{"name": "ho')
    assert load.read_samples(path) == [_sample("home", 1, 0.0)]
    assert load.read_samples(tmp_path / "none.jsonl") == []


def test_cpu_figures_per_request_with_postgresql(monkeypatch):
    monkeypatch.setattr(load.os, "cpu_count", lambda: 2)
    figures = load.cpu_figures(52.0, 2.6, 2000, 60.0, database_cpu=19.4)
    assert figures["server_cpu_ms_per_request"] == 26.0
    assert figures["client_cpu_ms_per_request"] == 1.3
    assert figures["database_cpu_ms_per_request"] == 9.7
    assert "PostgreSQL used 9.7 CPU ms per request (machine-wide)" in figures["summary"]
    # 26 + 9.7 + 1.3 = 37 CPU ms a request: two CPUs serve at most 2,000 / 37 ≈ 54 a second.
    assert figures["machine_bound_rps"] == pytest.approx(54.1, abs=0.05)
    without = load.cpu_figures(52.0, 2.6, 2000, 60.0)
    assert without["database_cpu_ms_per_request"] is None
    assert without["machine_bound_rps"] is None
    assert "PostgreSQL used" not in without["summary"]


class _Times:
    def __init__(self, user, system, children_user=0.0, children_system=0.0):
        self.user, self.system = user, system
        self.children_user, self.children_system = children_user, children_system


class _Process:
    def __init__(self, name, times):
        self.info = {"name": name}
        self._times = times

    def cpu_times(self):
        return self._times


def test_postgresql_cpu_counts_live_processes_and_reaped_backends(monkeypatch):
    """The server's children times hold the backends that ended during the run; another
    program's processes are not counted."""
    import psutil

    processes = [
        _Process("postgres", _Times(1.0, 0.5, children_user=3.0, children_system=1.0)),
        _Process("postgres", _Times(2.0, 0.25)),
        _Process("python3", _Times(100.0, 10.0, 5.0, 5.0)),
    ]
    monkeypatch.setattr(psutil, "process_iter", lambda attrs=None: iter(processes))
    assert load.postgres_cpu_seconds() == pytest.approx(7.75)
    monkeypatch.setattr(psutil, "process_iter", lambda attrs=None: iter(processes[2:]))
    assert load.postgres_cpu_seconds() is None
