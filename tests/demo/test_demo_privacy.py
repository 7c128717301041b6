"""Acceptance of the retention (issue 10): anonymising the demo's old history leaves every
figure of past years unchanged — the key figures of the school and of each site, the
network's, the funder reports', the outcome rates and the competency progress — while names,
contact and free text are gone. Rolled back after the test, like every demo test."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.utils import timezone

from parcours.demo.builder import NETWORK_SLUG
from parcours.demo.privacy_history import HOLD_REASON
from parcours.organisations.models import Network, School, Site
from parcours.outcomes.selectors_rates import rates_table
from parcours.pathways.models import Meeting
from parcours.people.models import LegalGuardian, Person
from parcours.privacy import selectors
from parcours.privacy.models import LegalHold, RetentionRun
from parcours.privacy.services import ANONYMOUS_LAST_NAME, ERASED, anonymise_expired
from parcours.reporting.competencies import school_progress
from parcours.reporting.funders import REPORTS, report
from parcours.reporting.indicators import key_figures
from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period

# What a report shows about one person, not a figure: names (and their order) and the exact
# birth date (the reports show none once a person is anonymised).
PERSONAL_KEYS = {"last_name", "first_name", "birth_date"}


def _figures_only(value: Any) -> Any:
    """``value`` with the personal keys dropped and per-person lists ordered by person id."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _figures_only(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list | tuple):
        items = [_figures_only(v) for v in value]
        if items and all(isinstance(i, dict) and "person_id" in i for i in items):
            items.sort(key=lambda i: i["person_id"])
        return items
    return value


def _every_figure(school: School, network: Network, years: range) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    sites = list(Site.objects.filter(school=school).order_by("pk"))
    for year in years:
        period = Period.year(year)
        figures[f"key_figures {year}"] = key_figures(school, period)
        for site in sites:
            figures[f"key_figures {year} site {site.pk}"] = key_figures(school, period, site)
        figures[f"network {year}"] = network_figures(network, period)
        figures[f"rates {year}"] = rates_table(school, period.start, period.end)
        figures[f"competencies {year}"] = school_progress(school, period)
        for kind in REPORTS:
            figures[f"{kind} {year}"] = _figures_only(report(kind, school, period))
    return figures


@pytest.mark.django_db
def test_anonymising_the_old_history_changes_no_figure_of_past_years(demo_built):
    school = School.objects.get(slug="e2c-63")
    network = Network.objects.get(slug=NETWORK_SLUG)
    today = timezone.localdate()
    years = range(2014, today.year)
    assert school.retention_years == 2
    held = LegalHold.objects.active().get(school=school)
    assert held.reason == HOLD_REASON
    due = selectors.due(school, today).count()
    assert due > 100

    before = _every_figure(school, network, years)
    assert before["key_figures 2018"].trainees == 210  # the article's box, for the record

    anonymised = anonymise_expired(as_of=today)
    after = _every_figure(school, network, years)

    # Every figure, key by key (dataclasses compare field by field).
    assert after.keys() == before.keys()
    for key in before:
        assert after[key] == before[key], key

    # Many people were anonymised; their names, contact and notes are gone.
    assert anonymised == due
    run = RetentionRun.objects.get(school=school)
    assert (run.anonymised, run.skipped_held, run.errors) == (due, 1, 0)
    gone = Person.objects.filter(school=school, anonymised_at__isnull=False)
    assert gone.count() == due
    assert set(gone.values_list("last_name", flat=True)) == {ANONYMOUS_LAST_NAME}
    assert not gone.exclude(email="", phone="", address="").exists()
    assert not gone.exclude(birth_date__month=1, birth_date__day=1).exists()
    assert not LegalGuardian.objects.filter(person__in=gone).exists()
    meetings = Meeting.objects.filter(enrolment__person__in=gone)
    assert meetings.exists()
    for name in ("summary", "next_steps", "participants"):
        assert set(meetings.values_list(name, flat=True)) <= {"", ERASED}
    # The held person is untouched; a second run anonymises nobody.
    held.person.refresh_from_db()
    assert held.person.anonymised_at is None and held.person.last_name != ANONYMOUS_LAST_NAME
    assert anonymise_expired(as_of=today) == 0
    print(f"anonymised {due} people of {school.slug} as of {today:%d/%m/%Y}")


def test_the_demo_shows_who_is_due(demo_built):
    school = School.objects.get(slug="e2c-63")
    assert selectors.due(school, timezone.localdate()).count() > 100
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()
    assert datetime.date.today().year >= 2020
