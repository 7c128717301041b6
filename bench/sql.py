# ruff: noqa: S608 — only placeholders and fixed column expressions are interpolated; values are parameters
"""Hand-written SQL computing the same numbers as the reports, the reference the harness times
the application against (the ratio app ÷ SQL) and checks it against (the numbers must match).

Each function runs plain SQL on Django's connection (PostgreSQL or SQLite: the few date
expressions that differ are per vendor) and returns plain dicts shaped like the app's figures
(``bench/reports.py`` turns the app's objects into the same shape and compares).

What the SQL computes, per school, for a period (as ``parcours.reporting.indicators``):
trainees (distinct people, each described by their latest enrolment overlapping the period),
under 26 / minors / women / QPV / no diploma / RQTH counts, prescriber types, people per funding
line, entries and exits by month, exits (people with an exit in the period, their latest) and
their destinations, staff on the last day, sites / surface / rooms / computer rooms on the last
day, funding agreements with the first year of each partnership. Not in SQL: the success rate
of each outcome definition and the follow-up waves (their rules are data read and applied in
Python, ``outcomes.rules``): the app computes them on top, which the ratio includes.

Statements of a month (as ``parcours.schedule.statements.school_statements``): the enrolments
in progress during the month or with marks in it, and per enrolment the half-days per status
and the paid half-days split under 18 / 18 and over on the day of each mark.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import connection

# The app's codes (constants, not logic): passed as parameters.
FEMALE = "F"
NO_DIPLOMA = "none"
YES = "yes"
COMPUTER = "computer"
SPONTANEOUS = "spontane"
NOT_RECORDED = "non_renseigne"
STAFF_ROLES = ("director", "intake", "referent", "company_relations")
PAID = ("present", "late", "company")
ADULT_AGE = 18


def _year(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(YEAR FROM {expr}) AS INTEGER)"
    return f"CAST(strftime('%%Y', {expr}) AS INTEGER)"


def _month_day(expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({expr}, 'MM-DD')"
    return f"strftime('%%m-%%d', {expr})"


def _month(expr: str) -> str:
    """The month of a date as 'YYYY-MM' text."""
    if connection.vendor == "postgresql":
        return f"to_char({expr}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {expr})"


def _age(birth: str, day: str) -> str:
    """Age in whole years on ``day`` (born on 29 February: ages on 1 March)."""
    return (
        f"({_year(day)} - {_year(birth)} - "
        f"CASE WHEN {_month_day(day)} < {_month_day(birth)} THEN 1 ELSE 0 END)"
    )


def _in(values) -> tuple[str, list]:
    values = list(values)
    return ", ".join(["%s"] * len(values)) or "NULL", values


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def key_figures_sql(
    school_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[int, dict[str, Any]]:
    """The key figures of each school over [start, end] (nine queries whatever the number of
    schools), keyed by school id."""
    ids, id_params = _in(school_ids)
    out: dict[int, dict[str, Any]] = {
        pk: {
            "trainees": 0,
            "under_26": 0,
            "minors": 0,
            "women": 0,
            "qpv": 0,
            "no_diploma": 0,
            "rqth": 0,
            "prescribers": {},
            "funding_lines": {},
            "entries": {},
            "month_exits": {},
            "exits": 0,
            "destinations": {},
            "staff": 0,
            "sites": 0,
            "surface_m2": 0,
            "rooms": 0,
            "computer_rooms": 0,
            "funding": [],
        }
        for pk in school_ids
    }
    age = f"COALESCE(e.age_at_entry, {_age('p.birth_date', 'e.entry_date')})"
    latest = f"""
        SELECT e.school_id, e.referral_id, pr.prescriber_type, p.gender, s.qpv_code,
               s.diploma_level, s.rqth, {age} AS age,
               ROW_NUMBER() OVER (PARTITION BY e.school_id, e.person_id
                                  ORDER BY e.entry_date DESC, e.id DESC) AS rn
        FROM pathways_enrolment e
        JOIN people_person p ON p.id = e.person_id
        LEFT JOIN pathways_entrysituation s ON s.enrolment_id = e.id
        LEFT JOIN intake_referral r ON r.id = e.referral_id
        LEFT JOIN organisations_partner pr ON pr.id = r.prescriber_id
        WHERE e.school_id IN ({ids}) AND e.entry_date <= %s
          AND (e.ended_on IS NULL OR e.ended_on >= %s)
    """
    kind = """CASE WHEN t.referral_id IS NULL THEN %s
                   WHEN COALESCE(t.prescriber_type, '') = '' THEN %s
                   ELSE t.prescriber_type END"""
    rows = _rows(
        f"""
        SELECT t.school_id, {kind} AS kind, COUNT(*),
               SUM(CASE WHEN t.age < 26 THEN 1 ELSE 0 END),
               SUM(CASE WHEN t.age < 18 THEN 1 ELSE 0 END),
               SUM(CASE WHEN t.gender = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN COALESCE(t.qpv_code, '') <> '' THEN 1 ELSE 0 END),
               SUM(CASE WHEN t.diploma_level = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN t.rqth = %s THEN 1 ELSE 0 END)
        FROM ({latest}) t WHERE t.rn = 1
        GROUP BY 1, 2
        """,
        [NOT_RECORDED, SPONTANEOUS, FEMALE, NO_DIPLOMA, YES, *id_params, end, start],
    )
    names = ("trainees", "under_26", "minors", "women", "qpv", "no_diploma", "rqth")
    for school_id, prescriber, *counts in rows:
        figures = out[school_id]
        for name, value in zip(names, counts, strict=True):
            figures[name] += int(value or 0)
        figures["prescribers"][prescriber] = int(counts[0])
    # People per funding line (every active line, zeros included).
    active = _rows("SELECT code FROM pathways_fundingline WHERE active = %s", [True])
    for figures in out.values():
        figures["funding_lines"] = {code: 0 for (code,) in active}
    for school_id, code, people in _rows(
        f"""
        SELECT e.school_id, fl.code, COUNT(DISTINCT e.person_id)
        FROM pathways_enrolmentfundingline efl
        JOIN pathways_enrolment e ON e.id = efl.enrolment_id
        JOIN pathways_fundingline fl ON fl.id = efl.funding_line_id
        WHERE e.school_id IN ({ids}) AND e.entry_date <= %s
          AND (e.ended_on IS NULL OR e.ended_on >= %s)
        GROUP BY e.school_id, fl.code
        """,
        [*id_params, end, start],
    ):
        out[school_id]["funding_lines"][code] = int(people)
    # Entries and exits (end of stay) by month.
    for column, key in (("entry_date", "entries"), ("ended_on", "month_exits")):
        for school_id, month, n in _rows(
            f"""
            SELECT school_id, {_month(column)}, COUNT(*) FROM pathways_enrolment
            WHERE school_id IN ({ids}) AND {column} BETWEEN %s AND %s
            GROUP BY 1, 2
            """,
            [*id_params, start, end],
        ):
            out[school_id][key][month] = int(n)
    # Exits: one per person (the latest, by date then enrolment), and their destinations.
    for school_id, destination, n in _rows(
        f"""
        SELECT t.school_id, t.destination, COUNT(*) FROM (
            SELECT x.school_id, x.destination,
                   ROW_NUMBER() OVER (PARTITION BY x.school_id, e.person_id
                                      ORDER BY x.exit_date DESC, x.enrolment_id DESC) AS rn
            FROM outcomes_exit x JOIN pathways_enrolment e ON e.id = x.enrolment_id
            WHERE x.school_id IN ({ids}) AND x.exit_date BETWEEN %s AND %s
        ) t WHERE t.rn = 1 GROUP BY t.school_id, t.destination
        """,
        [*id_params, start, end],
    ):
        out[school_id]["exits"] += int(n)
        out[school_id]["destinations"][destination] = int(n)
    # Staff on the last day.
    roles, role_params = _in(STAFF_ROLES)
    for school_id, n in _rows(
        f"""
        SELECT school_id, COUNT(*) FROM organisations_membership
        WHERE school_id IN ({ids}) AND role IN ({roles}) AND active_from <= %s
          AND (active_until IS NULL OR active_until >= %s)
        GROUP BY school_id
        """,
        [*id_params, *role_params, end, end],
    ):
        out[school_id]["staff"] = int(n)
    # Premises on the last day: active sites, their surface, their active rooms.
    active_on = "(opened_on IS NULL OR opened_on <= %s) AND (closed_on IS NULL OR closed_on >= %s)"
    for school_id, n, surface in _rows(
        f"""
        SELECT school_id, COUNT(*), COALESCE(SUM(surface_m2), 0) FROM organisations_site
        WHERE school_id IN ({ids}) AND {active_on} GROUP BY school_id
        """,
        [*id_params, end, end],
    ):
        out[school_id]["sites"], out[school_id]["surface_m2"] = int(n), int(surface)
    for school_id, n, computers in _rows(
        f"""
        SELECT r.school_id, COUNT(*), SUM(CASE WHEN r.kind = %s THEN 1 ELSE 0 END)
        FROM organisations_room r JOIN organisations_site s ON s.id = r.site_id
        WHERE r.school_id IN ({ids})
          AND (r.opened_on IS NULL OR r.opened_on <= %s)
          AND (r.closed_on IS NULL OR r.closed_on >= %s)
          AND (s.opened_on IS NULL OR s.opened_on <= %s)
          AND (s.closed_on IS NULL OR s.closed_on >= %s)
        GROUP BY r.school_id
        """,
        [COMPUTER, *id_params, end, end, end, end],
    ):
        out[school_id]["rooms"], out[school_id]["computer_rooms"] = int(n), int(computers)
    # Funding agreements of the period's years, each with the partnership's first year.
    for school_id, funder_id, year, purpose, amount, since in _rows(
        f"""
        SELECT a.school_id, a.funder_id, a.year, a.purpose, a.amount_eur,
               (SELECT MIN(b.year) FROM organisations_fundingagreement b
                WHERE b.school_id = a.school_id AND b.funder_id = a.funder_id)
        FROM organisations_fundingagreement a
        WHERE a.school_id IN ({ids}) AND a.year BETWEEN %s AND %s
        """,
        [*id_params, start.year, end.year],
    ):
        out[school_id]["funding"].append((funder_id, year, purpose, _money(amount), since))
    for figures in out.values():
        figures["funding"].sort()
    return out


def _money(value: Any) -> str:
    from decimal import Decimal

    return f"{Decimal(str(value)):.2f}"


def network_sql(network_id: int, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The network's report over [start, end]: its active schools and sites, and the schools'
    key figures with their sums (two queries plus :func:`key_figures_sql`'s nine)."""
    active = "(opened_on IS NULL OR opened_on <= %s) AND (closed_on IS NULL OR closed_on >= %s)"
    schools = [
        pk
        for (pk,) in _rows(
            f"SELECT id FROM organisations_school WHERE network_id = %s AND {active}",
            [network_id, end, start],
        )
    ]
    ids, id_params = _in(schools)
    ((sites,),) = _rows(
        f"""SELECT COUNT(*) FROM organisations_site
            WHERE school_id IN ({ids}) AND {active}""",
        [*id_params, end, start],
    )
    per_school = key_figures_sql(schools, start, end)
    summed = ("trainees", "exits", "staff", "rooms", "computer_rooms", "surface_m2")
    shares = ("under_26", "minors", "women", "qpv", "no_diploma", "rqth")
    totals = {name: sum(f[name] for f in per_school.values()) for name in summed + shares}
    totals["plie"] = sum(f["funding_lines"].get("plie", 0) for f in per_school.values())
    funding = sum(
        (_decimal(row[3]) for f in per_school.values() for row in f["funding"]), _decimal(0)
    )
    return {
        "schools": len(schools),
        "sites": int(sites),
        "totals": totals,
        "funding_eur": f"{funding:.2f}",
        "per_school": {pk: f["trainees"] for pk, f in per_school.items()},
    }


def _decimal(value: Any):
    from decimal import Decimal

    return Decimal(str(value))


def statements_sql(school_id: int, first: datetime.date, last: datetime.date) -> dict[str, Any]:
    """The month's statements of a school (two queries): the enrolments they cover, and per
    enrolment the half-days per status and the paid ones under 18 / from 18."""
    ((count,),) = _rows(
        """
        SELECT COUNT(*) FROM pathways_enrolment e
        WHERE e.school_id = %s AND (
            (e.entry_date <= %s AND (e.ended_on IS NULL OR e.ended_on >= %s))
            OR e.id IN (SELECT m.enrolment_id FROM schedule_attendancemark m
                        WHERE m.school_id = %s AND m.day BETWEEN %s AND %s))
        """,
        [school_id, last, first, school_id, first, last],
    )
    minor = f"""CASE
        WHEN p.birth_date IS NULL THEN 0
        WHEN p.anonymised_at IS NOT NULL AND p.came_of_age_on IS NOT NULL
            THEN CASE WHEN m.day < p.came_of_age_on THEN 1 ELSE 0 END
        WHEN p.anonymised_at IS NOT NULL
            THEN CASE WHEN {_year("m.day")} < {_year("p.birth_date")} + {ADULT_AGE}
                      THEN 1 ELSE 0 END
        WHEN {_age("p.birth_date", "m.day")} < {ADULT_AGE} THEN 1 ELSE 0 END"""
    per_enrolment: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"counts": {}, "paid_minor": 0, "paid_adult": 0}
    )
    for enrolment_id, status, n, minors in _rows(
        f"""
        SELECT m.enrolment_id, m.status, COUNT(*), SUM({minor})
        FROM schedule_attendancemark m
        JOIN pathways_enrolment e ON e.id = m.enrolment_id
        JOIN people_person p ON p.id = e.person_id
        WHERE m.school_id = %s AND m.day BETWEEN %s AND %s
        GROUP BY m.enrolment_id, m.status
        """,
        [school_id, first, last],
    ):
        row = per_enrolment[enrolment_id]
        row["counts"][status] = int(n)
        if status in PAID:
            row["paid_minor"] += int(minors)
            row["paid_adult"] += int(n) - int(minors)
    return {"statements": int(count), "marks": dict(per_enrolment)}
