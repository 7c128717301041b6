"""The report figures, computed by the app (``parcours.reporting``, ``schedule.statements``) and
by the hand-written SQL of ``bench/sql.py``: both timed, and their numbers compared.

``*_app_shape`` turn the app's objects into the plain dicts ``bench/sql.py`` returns; a
difference is a mismatch (printed, and the run fails): a bench that compares different things
is worthless.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import sql
from .common import Measure, measure


def key_figures_app_shape(figures) -> dict[str, Any]:
    """A ``reporting.indicators.KeyFigures`` as ``sql.key_figures_sql`` gives one school."""
    outcomes = figures.outcomes
    return {
        "trainees": figures.trainees,
        **{
            name: getattr(figures, name).count
            for name in ("under_26", "minors", "women", "qpv", "no_diploma", "rqth")
        },
        "prescribers": {row.code: row.count for row in figures.prescribers},
        "funding_lines": {line.code: line.count for line in figures.funding_lines},
        "entries": {f"{m.month:%Y-%m}": m.entries for m in figures.months if m.entries},
        "month_exits": {f"{m.month:%Y-%m}": m.exits for m in figures.months if m.exits},
        "exits": outcomes.exits,
        "destinations": {
            d.code: d.count for group in outcomes.groups for d in group.destinations if d.count
        },
        "staff": figures.staff,
        "sites": figures.sites,
        "surface_m2": figures.surface_m2,
        "rooms": figures.rooms,
        "computer_rooms": figures.computer_rooms,
        "funding": sorted(
            (row.funder_id, row.year, row.purpose, f"{row.amount_eur:.2f}", row.partner_since)
            for row in figures.funding
        ),
    }


def network_app_shape(figures) -> dict[str, Any]:
    """A ``reporting.network.NetworkFigures`` as ``sql.network_sql`` gives it."""
    totals = {name: figures.totals[name] for name in figures.totals}
    totals.update({name: count for name, (count, _pct) in figures.shares.items()})
    return {
        "schools": figures.schools,
        "sites": figures.sites,
        "totals": totals,
        "funding_eur": f"{Decimal(figures.funding_eur):.2f}",
        "per_school": {k.school_id: k.trainees for k in figures.per_school},
    }


def statements_app_shape(statements) -> dict[str, Any]:
    """``schedule.statements.school_statements``'s list as ``sql.statements_sql`` gives it."""
    marks = {}
    for statement in statements:
        counts = {status: n for status, n in statement.counts.items() if n}
        if counts:
            marks[statement.enrolment.pk] = {
                "counts": counts,
                "paid_minor": statement.paid_minor.half_days,
                "paid_adult": statement.paid_adult.half_days,
            }
    return {"statements": len(statements), "marks": marks}


def differences(app: Any, ref: Any, path: str = "") -> list[str]:
    """Where two nested structures differ, as readable lines (empty when equal)."""
    if isinstance(app, dict) and isinstance(ref, dict):
        out = []
        for key in sorted(set(app) | set(ref), key=str):
            if key not in app:
                out.append(f"{path}/{key}: missing in the app, SQL has {ref[key]!r}")
            elif key not in ref:
                out.append(f"{path}/{key}: app has {app[key]!r}, missing in SQL")
            else:
                out += differences(app[key], ref[key], f"{path}/{key}")
        return out
    if isinstance(app, list | tuple) and isinstance(ref, list | tuple):
        if [tuple(x) if isinstance(x, list) else x for x in app] == [
            tuple(x) if isinstance(x, list) else x for x in ref
        ]:
            return []
        return [f"{path}: app {app!r} ≠ SQL {ref!r}"]
    return [] if app == ref else [f"{path or '/'}: app {app!r} ≠ SQL {ref!r}"]


class Mismatch(Exception):
    """The app's figures and the SQL's differ."""


def compare(name: str, app: Any, ref: Any) -> None:
    problems = differences(app, ref)
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise Mismatch(f"{name}: the app and the SQL differ:\n  {shown}{more}")


def measure_reports(
    target, *, warmup: int, runs: int, network: bool = True
) -> list[tuple[str, Measure, Measure, list[str]]]:
    """Each report: (name, app measure, SQL measure, mismatches (empty when equal))."""
    from parcours.organisations.models import Membership, Network, Role
    from parcours.reporting.indicators import key_figures
    from parcours.reporting.network import network_figures
    from parcours.reporting.periods import Period
    from parcours.schedule.statements import month_bounds, school_statements

    school = target.school
    period = Period.year(target.year)
    out = []

    def run(name, app_call, sql_call, app_shape, *, w=warmup, r=runs):
        problems: list[str] = []
        try:
            compare(name, app_shape(app_call(0)), sql_call(0))
        except Mismatch as error:
            problems = str(error).splitlines()
        app = measure(f"{name} (app)", app_call, warmup=w, runs=r)
        ref = measure(f"{name} (SQL)", sql_call, warmup=w, runs=r)
        out.append((name, app, ref, problems))

    run(
        f"key figures {target.year}",
        lambda _i: key_figures(school, period),
        lambda _i: sql.key_figures_sql([school.pk], period.start, period.end)[school.pk],
        key_figures_app_shape,
    )
    membership = Membership.objects.get(school=school, user=target.director, role=Role.DIRECTOR)
    first, last = month_bounds(target.month)
    run(
        f"statements {first:%Y-%m}",
        lambda _i: school_statements(membership, first),
        lambda _i: sql.statements_sql(school.pk, first, last),
        statements_app_shape,
    )
    if network:
        net = Network.objects.get(pk=school.network_id)
        run(
            f"network report {target.year}",
            lambda _i: network_figures(net, period),
            lambda _i: sql.network_sql(net.pk, period.start, period.end),
            network_app_shape,
            w=min(warmup, 1),
            r=max(3, runs // 5),
        )
    return out
