"""Attendance rates and company share, checked against hand-computed figures (marks in
statement_helpers: 13 half-days in March, 2 of them holidays)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.schedule.models import AttendanceMark
from parcours.schedule.rates import (
    attendance_rate,
    company_share,
    enrolment_rates,
    group_rates,
    percent,
    school_rates,
    site_rates,
)

from ..factories import EnrolmentFactory, PersonFactory, SiteFactory
from ..utils import page_text
from .statement_helpers import MARCH, add_marks, trainee_turning_18

END_OF_MARCH = datetime.date(2024, 3, 31)


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(9, 11) == Decimal("81.8")  # 81.818…
    assert percent(2, 3) == Decimal("66.7")  # 66.666…
    assert percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3
    assert percent(0, 4) == Decimal("0.0")
    assert percent(4, 4) == Decimal("100.0")
    assert percent(1, 0) is None


def test_rates_from_marks_statuses_or_counts():
    marks = [SimpleNamespace(status=s) for s in ("present", "late", "company", "unexcused")]
    # attended 3 of 4 = 75.0 %; company 1 of 4 = 25.0 %.
    assert attendance_rate(marks) == Decimal("75.0")
    assert company_share(marks) == Decimal("25.0")
    assert attendance_rate(["present", "excused"]) == Decimal("50.0")
    assert attendance_rate({"present": 3, "holiday": 10, "excused": 1}) == Decimal("75.0")
    # Holidays are neither attended nor missed.
    assert attendance_rate(["holiday", "holiday"]) is None
    assert company_share(["holiday"]) is None
    assert attendance_rate([]) is None
    assert company_share([]) is None


@pytest.mark.django_db
def test_enrolment_rates_by_hand(world, django_assert_num_queries):
    enrolment = trainee_turning_18(world)
    with django_assert_num_queries(1):
        march = enrolment_rates(enrolment, MARCH, END_OF_MARCH)
    # March: 13 half-days, 2 holidays → 11 counted; attended = present 4 + late 2 + company 3
    # = 9 → 9 / 11 = 81.8 %; company 3 / 11 = 27.3 % (27.27…).
    assert march.counted == 11
    assert march.attended == 9
    assert march.attendance_rate == Decimal("81.8")
    assert march.company_share == Decimal("27.3")
    # 1–14 March: 11 excused + unexcused, 12 company ×2, 14 present + late → 6 counted,
    # 4 attended → 66.7 %; company 2 / 6 = 33.3 %.
    first_half = enrolment_rates(enrolment, MARCH, datetime.date(2024, 3, 14))
    assert (first_half.attendance_rate, first_half.company_share) == (
        Decimal("66.7"),
        Decimal("33.3"),
    )
    # Whole pathway: March + 29/02 + 01/04 (both present) → 13 counted, 11 attended = 84.6 %
    # (84.615…); company 3 / 13 = 23.1 % (23.07…).
    whole = enrolment_rates(enrolment)
    assert (whole.attendance_rate, whole.company_share) == (Decimal("84.6"), Decimal("23.1"))
    # The world's trainee: one half-day, present.
    world_rates = enrolment_rates(world.objects["enrolment"])
    assert (world_rates.attendance_rate, world_rates.company_share) == (
        Decimal("100.0"),
        Decimal("0.0"),
    )


def _second_trainee(world, site):
    person = PersonFactory(school=world.school, last_name="Second")
    enrolment = EnrolmentFactory(school=world.school, person=person, site=site)
    add_marks(
        enrolment,
        [
            (datetime.date(2024, 3, 4), "am", "present"),
            (datetime.date(2024, 3, 4), "pm", "present"),
            (datetime.date(2024, 3, 5), "am", "unexcused"),
            (datetime.date(2024, 3, 5), "pm", "unexcused"),
        ],
        world.members["referent"].user,
    )
    return enrolment


@pytest.mark.django_db
def test_group_and_site_rates_by_hand(world, django_assert_num_queries):
    gamma = SiteFactory(school=world.school, name="Site Gamma")
    first = trainee_turning_18(world, site=gamma)
    second = _second_trainee(world, gamma)
    with django_assert_num_queries(1):
        group = group_rates([first, second], MARCH, END_OF_MARCH)
    # Second: 2 present, 2 unexcused → 2 / 4 = 50.0 %, no company.
    assert group.by_enrolment[second.pk].attendance_rate == Decimal("50.0")
    assert group.by_enrolment[second.pk].company_share == Decimal("0.0")
    assert group.by_enrolment[first.pk].attendance_rate == Decimal("81.8")
    # Group: counted 11 + 4 = 15, attended 9 + 2 = 11 → 73.3 % (73.33…); company 3 / 15 = 20.0 %.
    assert group.total.attendance_rate == Decimal("73.3")
    assert group.total.company_share == Decimal("20.0")
    assert group_rates([], MARCH, END_OF_MARCH).total.attendance_rate is None

    director = world.members["director"]
    with django_assert_num_queries(1):
        site = site_rates(director, gamma, MARCH, END_OF_MARCH)
    assert site.counts == group.total.counts
    assert site.attendance_rate == Decimal("73.3")
    # The world's site holds only the world's trainee (present on 04/03).
    assert site_rates(director, world.site).attendance_rate == Decimal("100.0")
    # Another school's site: nothing of it through our membership.
    assert site_rates(director, world.other_site).attendance_rate is None


@pytest.mark.django_db
def test_trainee_page_shows_the_rates(world):
    enrolment = world.objects["enrolment"]
    AttendanceMark.objects.create(
        school=world.school,
        enrolment=enrolment,
        day=datetime.date(2024, 3, 4),
        half="pm",
        status="company",
        recorded_by=world.members["referent"].user,
    )
    response = world.client_for("company_relations").get(
        reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    )
    text = page_text(response)
    # 04/03: morning present, afternoon in company → 100.0 % present, 50.0 % in company.
    assert "Taux de présence" in text
    assert "100,0 %" in text
    assert "50,0 %" in text
    assert "État de présence du mois" in text


@pytest.mark.django_db
def test_school_rates_by_site_and_referent_group(world, django_assert_num_queries):
    gamma = SiteFactory(school=world.school, name="Site Gamma")
    first = trainee_turning_18(world, site=gamma)
    second = _second_trainee(world, gamma)
    with django_assert_num_queries(1):
        school = school_rates(world.members["director"], MARCH, END_OF_MARCH)
    # Site Gamma = the group above: 11 of 15 → 73.3 %; the world's site: its trainee's one
    # half-day, present → 100.0 %.
    assert school.by_site[gamma.pk].attendance_rate == Decimal("73.3")
    assert school.by_site[world.site.pk].attendance_rate == Decimal("100.0")
    # The referent's group: Zoé (9 of 11) + the world's trainee (1 of 1) → 10 / 12 = 83.3 %.
    referent = world.members["referent"]
    assert first.referent_id == world.objects["enrolment"].referent_id == referent.pk
    assert school.by_referent[referent.pk].counted == 12
    assert school.by_referent[referent.pk].attendance_rate == Decimal("83.3")
    assert school.by_referent[second.referent_id].attendance_rate == Decimal("50.0")
    # The school: 12 of 16 → 75.0 %; the other school's marks are not counted.
    assert (school.total.counted, school.total.attendance_rate) == (16, Decimal("75.0"))
    assert world.other_site.pk not in school.by_site


@pytest.mark.django_db
def test_attendance_rates_page(world, django_assert_max_num_queries):
    gamma = SiteFactory(school=world.school, name="Site Gamma")
    trainee_turning_18(world, site=gamma)
    url = reverse("schedule:attendance_rates", args=[world.school.slug])
    client = world.client_for("company_relations")
    with django_assert_max_num_queries(12) as captured:
        response = client.get(url, {"mois": "2024-03"})
    text = page_text(response)
    assert "Assiduité" in text and "mars 2024" in text
    assert "Site Gamma" in text and "81,8 %" in text  # Zoé alone on Site Gamma
    assert world.other_site.name not in text
    # More trainees, same number of queries.
    for n in range(3):
        _second_trainee(world, SiteFactory(school=world.school, name=f"Site {n}"))
    with django_assert_max_num_queries(len(captured)):
        client.get(url, {"mois": "2024-03"})
    # A whole year; a month without marks says so.
    assert "Site Gamma" in page_text(client.get(url, {"annee": "2024"}))
    assert "Aucune demi-journée émargée" in page_text(client.get(url, {"mois": "2023-01"}))
    # A prescriber may not; a member of another school gets a 404.
    assert world.client_for("prescriber").get(url).status_code == 403
    other = reverse("schedule:attendance_rates", args=[world.other_school.slug])
    assert client.get(other).status_code == 404


@pytest.mark.django_db
def test_rates_count_no_day_to_come(world):
    """The days to come of a signed internship are already marked "in company": rates say
    what happened, up to today."""
    enrolment = world.objects["enrolment"]
    future = timezone.localdate() + datetime.timedelta(days=14)
    for half in ("am", "pm"):
        AttendanceMark.objects.create(
            school=world.school,
            enrolment=enrolment,
            day=future,
            half=half,
            status="company",
            recorded_by=world.members["referent"].user,
        )
    rates = enrolment_rates(enrolment)
    assert (rates.counted, rates.company_share) == (1, Decimal("0.0"))  # the 04/03/2024 mark
    assert school_rates(world.members["director"]).total.counted == 1


@pytest.mark.django_db
@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2024-13", "abc"])
def test_far_or_bad_months_are_not_errors(world, month):
    client = world.client_for("director")
    slug = world.school.slug
    enrolment = world.objects["enrolment"]
    rates_page = client.get(reverse("schedule:attendance_rates", args=[slug]), {"mois": month})
    assert rates_page.status_code == 200
    trainee = client.get(
        reverse("schedule:trainee_attendance", args=[slug, enrolment.pk]), {"mois": month}
    )
    assert trainee.status_code == 200
    for week in ("0001-01-01", "9999-12-27"):
        response = client.get(reverse("schedule:week", args=[slug]), {"semaine": week})
        assert response.status_code == 400  # the week's page says the date was refused
