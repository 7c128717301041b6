"""Query budgets: every page's query count stays the same as the rows it reads grow.

For every GET URL of the project (the walk of tests/test_url_access.py), a member whose role
may see it (anonymous for public pages) fetches it once after one batch of growth
(tests/grow.py) and again after three more batches: both counts must be EQUAL (DESIGN rule 6).
A page whose count grows with the rows has an N+1 query to remove in its selector.

``QUERY_BUDGETS_ONLY=companies: pytest tests/test_query_budgets.py`` measures only the URLs
whose name starts with that prefix; ``-s`` prints the pages the growth did not change.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.organisations.access import ROLE_PERMS, Perm

from .grow import grow
from .test_url_access import OPEN_URLS, URL_PERMS, _kwargs, expected_status, project_urls

#: Who fetches a URL that requires a permission: the first of these roles that has it.
ROLE_ORDER = ["director", "referent", "intake", "company_relations", "prescriber", "funder"]

#: Extra query strings measured besides the bare URL: pages that show the current month, week
#: or year by default are also measured on the period the world's rows are in (March 2024).
MONTH, WEEK, YEAR = "?mois=2024-03", "?semaine=2024-03-04", "?annee=2024"
VARIANTS: dict[str, list[str]] = {
    "schedule:attendance_months": [MONTH, YEAR],
    "schedule:attendance_rates": [MONTH, YEAR],
    "schedule:attendance_rates_export": [MONTH, YEAR],
    "schedule:trainee_attendance": [MONTH],
    "schedule:trainee_statement": [MONTH],
    "schedule:trainee_statement_pdf": [MONTH],
    "schedule:school_statements": [MONTH],
    "schedule:school_statements_xlsx": [MONTH],
    "schedule:day_attendance": ["?jour=2024-03-04&demi=am", "?jour=2024-03-04&demi=pm"],
    "schedule:week": [WEEK],
    "schedule:week_export": [WEEK],
    "schedule:occupancy": [WEEK],
    "schedule:occupancy_export": [WEEK],
    "outcomes:rates": [YEAR],
    "outcomes:rates_export": [YEAR],
    "reporting:key_figures": [YEAR],
    "reporting:key_figures_pdf": [YEAR],
    "reporting:key_figures_xlsx": [YEAR],
    "reporting:funder_report": [YEAR],
    "reporting_network:key_figures": [YEAR],
    "reporting_network:key_figures_xlsx": [YEAR],
}

#: Roles that also fetch every page their role may see (beyond the school's premises).
ALSO_AS = ["funder"]

#: URLs whose query count may legitimately change with the rows, and why.
#: (Empty: the network figures, school by school before, are now read for all the schools at
#: once, ``reporting.indicators.key_figures_of_schools`` on main; with the per-school version
#: they made about 17 queries per school of the network.)
EXEMPT: dict[str, str] = {}


def _who(name: str, view) -> str | None:
    """The member fetching ``name``, or None if no one gets a page (200) from it."""
    if name in OPEN_URLS:
        table = OPEN_URLS[name]
        for who in ("anonymous", *ROLE_ORDER, "network"):
            if table.get(who, table["*"]) == 200:
                return who
        return None
    perm = URL_PERMS[name]
    if perm == Perm.VIEW_NETWORK:
        return "network"
    for role in ROLE_ORDER:
        if perm in ROLE_PERMS[role]:
            assert expected_status(name, view, role) == 200
            return role
    return None


def _targets(world) -> list[tuple[str, str, str]]:
    """(url name, url, who) of every page measured."""
    targets = []
    for pattern in project_urls():
        who = _who(pattern.name, pattern.callback)
        if who is None:
            continue
        url = reverse(pattern.name, kwargs=_kwargs(pattern.name, pattern, world))
        targets.append((pattern.name, url, who))
        for query in VARIANTS.get(pattern.name, []):
            targets.append((f"{pattern.name}{query}", url + query, who))
        # Partners see their own cut of some pages (a funder its own agreements, in the key
        # figures too): measured as them as well.
        perm = URL_PERMS.get(pattern.name)
        for partner in ALSO_AS:
            if partner != who and perm in ROLE_PERMS[partner] and perm != Perm.VIEW_SCHOOL:
                for query in ["", *VARIANTS.get(pattern.name, [])]:
                    targets.append((f"{pattern.name}{query} [{partner}]", url + query, partner))
    # The tutor's review form: the world's link is spent (404 in the URL walk), the grown
    # world has a usable one.
    token = world.objects["grown_tutor_token"]
    url = reverse("tutor_review:form", kwargs={"tutor_token": token})
    targets.append(("tutor_review:form [usable link]", url, "anonymous"))
    return targets


#: Body sizes of each page, per run (what tests/grow.py reaches: printed with ``-s``).
SIZES: dict[str, list[int]] = {}

_IN_LIST = re.compile(r"IN \(\?(?:, \?)*\)")
_NUMBERS = re.compile(r"\b\d+\b|'[^']*'|\"s\d+_x\d+\"")


def _shape(sql: str) -> str:
    """A query with its literal values blanked (and ``IN`` lists of any length alike), to tell
    the queries apart from their values."""
    return _IN_LIST.sub("IN (…)", _NUMBERS.sub("?", sql))


def _measure(world, targets, clients) -> dict[str, tuple[int, int, list[str]]]:
    results = {}
    for name, url, who in targets:
        client = clients.setdefault(who, world.client_for(who))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if getattr(response, "streaming", False):
                body = b"".join(response.streaming_content)
            else:
                body = response.content
        results[name] = (response.status_code, len(captured), [q["sql"] for q in captured])
        SIZES.setdefault(name, []).append(len(body))
    return results


def _extra(small: list[str], large: list[str]) -> list[str]:
    """The query shapes that one run made more often than the other, deduplicated, with their
    excess (``+n``: only in the run after growing; ``-n``: only in the first run)."""
    before, after = Counter(map(_shape, small)), Counter(map(_shape, large))
    return [f"  (+{count}) {sql[:400]}" for sql, count in (after - before).most_common()] + [
        f"  (-{count}) {sql[:400]}" for sql, count in (before - after).most_common()
    ]


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_rows(world):
    clients: dict = {}
    grow(world, 1)
    targets = _targets(world)
    if only := os.environ.get("QUERY_BUDGETS_ONLY"):  # e.g. "companies:" to re-run one area
        targets = [target for target in targets if target[0].startswith(only)]
    small = _measure(world, targets, clients)
    for batch in (2, 3, 4):
        grow(world, batch)
    large = _measure(world, targets, clients)

    failures, measured = [], 0
    for name, url, who in targets:
        (status_1, count_1, sql_1), (status_2, count_2, sql_2) = small[name], large[name]
        if status_1 != 200:
            if name not in EXEMPT:
                failures.append(f"{name} ({who} GET {url}): status {status_1}, not 200")
            continue
        measured += 1
        if status_2 != status_1:
            failures.append(f"{name} ({who} GET {url}): status {status_1} then {status_2}")
        elif count_2 != count_1 and name not in EXEMPT:
            extra = "\n".join(_extra(sql_1, sql_2))
            failures.append(
                f"{name} ({who} GET {url}): {count_1} queries, then {count_2} after growing:\n"
                f"{extra}"
            )
        elif count_2 == count_1 and name in EXEMPT:
            failures.append(f"{name}: listed in EXEMPT but its count is constant ({count_1})")
    unchanged = sorted(name for name, sizes in SIZES.items() if len(set(sizes)) == 1)
    print(f"\n{measured} pages measured; unchanged by the growth: {', '.join(unchanged)}")
    assert measured > 0
    assert not failures, f"{len(failures)} of {len(targets)} pages:\n" + "\n".join(failures)


def test_exempt_urls_exist():
    names = {url.name for url in project_urls()}
    assert not set(EXEMPT) - names - {f"{n}{q}" for n in VARIANTS for q in VARIANTS[n]}, (
        "EXEMPT lists URLs that no longer exist"
    )
    assert not set(VARIANTS) - names, "VARIANTS lists URLs that no longer exist"
