"""The staff pages, timed through Django's test client (in process, no network): the time to
get the response, middleware and template rendering included, and the queries it ran.

The director of the school is logged in as the tests do (``force_login`` then the session
marked as verified by the second factor, as ``tests/utils.py:login_client``); the network
report uses the network's account. Each page is compared with the framework floor
(``bench/urls.py``: a login-required view rendering a tiny template).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from .common import Measure, measure

#: Staff pages: median ≤ 50 ms, p95 ≤ 150 ms, constant queries (issue 12).
PAGE_MEDIAN_MS = 50
PAGE_P95_MS = 150


@dataclass
class Target:
    """What the harness measures in a school: the objects behind each page."""

    school: Any
    director: Any  # User
    network_user: Any | None
    year: int
    month: datetime.date  # the statements' month
    trainee_pk: int | None = None
    session_pk: int | None = None
    session_size: int = 0
    company_pk: int | None = None
    notes: list[str] = field(default_factory=list)


def login(client, user) -> Any:
    """Open a session for ``user`` as the product does, second factor verified (the tests'
    ``login_client``; a confirmed authenticator is created when the user must have one)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from parcours.accounts import two_factor

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = two_factor.totp_device(user)
    if device is None and two_factor.requires_two_factor(user):
        device = TOTPDevice.objects.create(user=user, name="Banc d'essai", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def find_target(
    school_slug: str, *, email: str | None, year: int | None, month: str | None
) -> Target:
    """The school, its director, and the objects the pages show (chosen deterministically)."""
    from django.db.models import Count
    from django.utils import timezone

    from parcours.companies.models import Company
    from parcours.organisations.models import Membership, Role, School
    from parcours.pathways.models import Enrolment
    from parcours.scale import staff_email
    from parcours.schedule.models import ClosedMonth, Session, SessionTrainee

    school = School.objects.get(slug=school_slug)
    today = timezone.localdate()
    directors = Membership.objects.filter(school=school, role=Role.DIRECTOR).select_related("user")
    wanted = email or staff_email(Role.DIRECTOR, school_slug)
    director = directors.filter(user__email=wanted).first() or directors.order_by("pk").first()
    if director is None:
        raise SystemExit(f"No director in school {school_slug}.")
    network_member = (
        Membership.objects.filter(role=Role.NETWORK, network_id=school.network_id)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    year = year or today.year - 1
    if month:
        first = datetime.date(*(int(p) for p in month.split("-")), 1)
    else:
        first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    target = Target(
        school=school,
        director=director.user,
        network_user=network_member.user if network_member else None,
        year=year,
        month=first,
    )
    # A trainee page: the active enrolment with the most attendance marks among the latest.
    enrolment = (
        Enrolment.objects.filter(school=school, ended_on__isnull=True)
        .order_by("-entry_date", "pk")
        .first()
        or Enrolment.objects.filter(school=school).order_by("-entry_date", "pk").first()
    )
    target.trainee_pk = enrolment.pk if enrolment else None
    # The attendance sheet: the latest session of an open month with about 20 trainees.
    closed = ClosedMonth.objects.filter(school=school).values_list("month", flat=True)
    sizes = (
        SessionTrainee.objects.filter(school=school, session__day__lte=today)
        .values("session_id", "session__day")
        .annotate(n=Count("pk"))
        .order_by("-session__day", "session_id")
    )
    closed_months = set(closed)
    best = None
    for row in sizes[:2000]:
        if row["session__day"].replace(day=1) in closed_months:
            continue
        score = abs(row["n"] - 20)
        if best is None or score < best[0]:
            best = (score, row["session_id"], row["n"])
        if score == 0:
            break
    if best is not None:
        target.session_pk, target.session_size = best[1], best[2]
        if best[2] != 20:
            target.notes.append(f"attendance sheet: {best[2]} trainees (no group of 20)")
    elif Session.objects.filter(school=school).exists():
        target.notes.append("attendance sheet: no session with trainees in an open month")
    company = (
        Company.objects.filter(school=school)
        .annotate(n=Count("internships"))
        .order_by("-n", "pk")
        .first()
    )
    target.company_pk = company.pk if company else None
    return target


def _sheet_post(target: Target) -> dict[str, str]:
    """The sheet's form as the browser posts it: every trainee's status (five late, the others
    present: every save writes, and the same — each save is rolled back), and a correction
    reason (past days: each corrected mark gets its own audit event)."""
    from parcours.organisations.models import Membership, Role
    from parcours.schedule import selectors, selectors_attendance
    from parcours.schedule.models import AttendanceStatus

    membership = Membership.objects.get(
        school=target.school, user=target.director, role=Role.DIRECTOR
    )
    session = selectors.get_session(membership, target.session_pk)
    data: dict[str, str] = {"correction_reason": "entry_error"}
    for index, row in enumerate(selectors_attendance.session_sheet(membership, session)):
        pk = row.enrolment.pk
        late = index < 5
        data[f"status_{pk}"] = AttendanceStatus.LATE if late else AttendanceStatus.PRESENT
        data[f"reason_{pk}"] = ""
    return data


def measure_pages(target: Target, *, warmup: int, runs: int) -> list[tuple[str, Measure]]:
    """Each page's timings: (kind, Measure), kind "floor", "page" or "report-page"."""
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    slug = target.school.slug
    client = login(Client(), target.director)
    results: list[tuple[str, Measure]] = []

    def get(url: str, expect: int = 200):
        def call(_i: int):
            response = client.get(url)
            if response.status_code != expect:
                raise SystemExit(f"GET {url}: {response.status_code} (expected {expect})")
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            return response

        return call

    few = {"warmup": min(warmup, 1), "runs": max(3, runs // 5)}  # the slow ones
    floor = measure("floor (bench/floor/)", get("/bench/floor/"), warmup=warmup, runs=runs)
    results.append(("floor", floor))
    pages = [("trainee list", reverse("pathways:trainees", args=[slug]))]
    if target.trainee_pk:
        pages.append(("trainee page", reverse("pathways:trainee", args=[slug, target.trainee_pk])))
    if target.company_pk:
        pages.append(("company page", reverse("companies:company", args=[slug, target.company_pk])))
    for name, url in pages:
        results.append(("page", measure(name, get(url), warmup=warmup, runs=runs)))
    if target.session_pk:
        url = reverse("schedule:session_attendance", args=[slug, target.session_pk])
        label = f"attendance sheet ({target.session_size})"
        results.append(("page", measure(f"{label} read", get(url), warmup=warmup, runs=runs)))
        post = _sheet_post(target)

        def save(i: int):
            # Rolled back (the sheet's marks and audit events do not pile up in the database;
            # the final commit is not timed, as for the import).
            with transaction.atomic():
                response = client.post(url, post)
                transaction.set_rollback(True)
            if response.status_code != 302:
                raise SystemExit(f"POST {url}: {response.status_code} (expected a redirect)")
            return response

        results.append(("page", measure(f"{label} save", save, warmup=warmup, runs=runs)))
    key_url = reverse("reporting:key_figures", args=[slug]) + f"?annee={target.year}"
    key_page = measure("key figures page", get(key_url), warmup=warmup, runs=runs)
    results.append(("report-page", key_page))
    month = f"{target.month:%Y-%m}"
    xlsx = reverse("schedule:school_statements_xlsx", args=[slug]) + f"?mois={month}"
    results.append(("export", measure(f"statements export {month}", get(xlsx), **few)))
    if target.network_user is not None:
        network_client = login(Client(), target.network_user)
        url = reverse("reporting_network:key_figures") + f"?annee={target.year}"

        def network_get(_i: int):
            response = network_client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url}: {response.status_code}")
            return response

        results.append(("network-page", measure("network report page", network_get, **few)))
    return results
