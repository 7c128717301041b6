"""Support actions per domain for reports: counts only, one school, one period."""

import datetime

import pytest

from parcours.pathways.models import SupportAction
from parcours.pathways.selectors import support_counts_by_domain

pytestmark = pytest.mark.django_db


def test_counts_per_domain_of_one_school_and_period(world):
    enrolment = world.objects["enrolment"]
    SupportAction.objects.create(
        school=world.school,
        enrolment=enrolment,
        domain="mobility",
        description="Aide au permis.",
        opened_on=datetime.date(2025, 1, 10),  # outside the period
        author=world.members["referent"].user,
    )
    counts = support_counts_by_domain(
        world.school.pk, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    )
    assert counts == {"health": 1, "mobility": 1}
    both_years = support_counts_by_domain(
        world.school.pk, datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)
    )
    assert both_years == {"health": 1, "mobility": 2}
