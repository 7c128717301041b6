"""The signature rule of an agreement: ``agreements.missing_signatures`` (school, trainee,
guardian of a minor on the first day, company signatory, second signatory when named), and
its SQL form in the internship list (``agreement_complete``) agrees with it."""

from __future__ import annotations

import datetime

import pytest

from parcours.companies import agreements, selectors_internships
from parcours.companies.models import AgreementSignature

from .internship_helpers import second_contact, sign

pytestmark = pytest.mark.django_db


def _fresh(world):
    internship = world.objects["internship"]
    AgreementSignature.objects.filter(internship=internship).delete()
    return internship


def _sql_complete(world, internship) -> bool:
    membership = world.members["director"]
    return (
        selectors_internships.internships_for(membership).get(pk=internship.pk).agreement_complete
    )


def test_an_adult_needs_school_trainee_and_company(world):
    internship = _fresh(world)
    assert agreements.missing_signatures(internship) == ["school", "trainee", "company"]
    assert not _sql_complete(world, internship)
    sign(internship, "school", "company")
    assert agreements.missing_signatures(internship) == ["trainee"]
    assert not _sql_complete(world, internship)
    sign(internship, "trainee")
    assert agreements.missing_signatures(internship) == []
    assert agreements.is_fully_signed(internship)
    assert _sql_complete(world, internship)


def test_the_world_internship_is_fully_signed(world):
    internship = world.objects["internship"]
    assert agreements.missing_signatures(internship) == []
    assert _sql_complete(world, internship)


def test_a_second_signatory_must_sign_too(world):
    internship = _fresh(world)
    internship.second_signatory = second_contact(world)
    internship.save()
    sign(internship, "school", "trainee", "company")
    assert agreements.missing_signatures(internship) == ["company_2"]
    assert not _sql_complete(world, internship)
    sign(internship, "company_2")
    assert agreements.missing_signatures(internship) == []
    assert _sql_complete(world, internship)


@pytest.mark.parametrize(
    ("birth_date", "minor"),
    [
        (datetime.date(2006, 4, 9), True),  # 18 the day after the first day
        (datetime.date(2006, 4, 8), False),  # 18 on the first day
        (datetime.date(2006, 3, 30), False),
        (datetime.date(2007, 1, 1), True),
        (datetime.date(2006, 5, 1), True),
    ],
)
def test_a_minor_on_the_first_day_needs_the_guardian(world, birth_date, minor):
    internship = _fresh(world)  # starts on 08/04/2024
    person = internship.enrolment.person
    person.birth_date = birth_date
    person.save()
    internship.refresh_from_db()
    sign(internship, "school", "trainee", "company")
    assert agreements.trainee_is_minor(internship) is minor
    assert agreements.missing_signatures(internship) == (["guardian"] if minor else [])
    assert _sql_complete(world, internship) is (not minor)
    if minor:
        sign(internship, "guardian")
        internship = selectors_internships.get_internship(world.members["director"], internship.pk)
        assert agreements.missing_signatures(internship) == []
        assert _sql_complete(world, internship)


def test_the_rule_works_on_prefetched_signatures_without_queries(world, django_assert_num_queries):
    internship = selectors_internships.get_internship(
        world.members["director"], world.objects["internship"].pk
    )
    with django_assert_num_queries(0):
        assert agreements.missing_signatures(internship) == []
