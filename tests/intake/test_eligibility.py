"""Eligibility rules as pure functions: birthdays, 12 months out of school to the day, NEET,
special publics. No database."""

from __future__ import annotations

import datetime

import pytest

from parcours.intake.eligibility import (
    MINORS_WARNING_THRESHOLD,
    Candidate,
    Rules,
    SpecialPublicRule,
    add_months,
    check,
    minors_share_after,
)
from parcours.people.models import age_on

D = datetime.date

DEFAULT = Rules()  # 16–25 inclusive, 12 months out of school, neither employed nor in training

WOMEN_QPV_PLIE = SpecialPublicRule(
    label="Femmes de plus de 25 ans habitant un QPV, orientées par le PLIE",
    gender="F",
    min_age=26,
    requires_qpv=True,
    prescriber_type="plie",
)
WITH_SPECIAL_PUBLIC = Rules(special_publics=(WOMEN_QPV_PLIE,))


def candidate(**changes) -> Candidate:
    data = {
        "birth_date": D(2000, 5, 17),
        "gender": "F",
        "left_school_on": D(2015, 6, 30),
        "in_employment_or_training": False,
        "lives_in_qpv": False,
        "prescriber_type": "mission_locale",
    }
    data.update(changes)
    return Candidate(**data)


def result(rules: Rules, who: Candidate, on: datetime.date, code: str):
    return next(r for r in check(rules, who, on).results if r.code == code)


# ------------------------------------------------------------------------------- age


@pytest.mark.parametrize(
    ("on", "eligible"),
    [
        (D(2026, 3, 9), True),  # the day before the 26th birthday: the last eligible day
        (D(2026, 3, 10), False),  # the 26th birthday
        (D(2026, 3, 11), False),
    ],
)
def test_26th_birthday_boundary(on, eligible):
    who = candidate(birth_date=D(2000, 3, 10))
    assert check(DEFAULT, who, on).eligible is eligible
    assert result(DEFAULT, who, on, "age").passed is eligible


@pytest.mark.parametrize(
    ("on", "eligible"),
    [
        (D(2026, 3, 9), False),  # the day before the 16th birthday
        (D(2026, 3, 10), True),  # the 16th birthday
    ],
)
def test_16th_birthday_boundary(on, eligible):
    who = candidate(birth_date=D(2010, 3, 10), left_school_on=D(2025, 1, 1))
    assert result(DEFAULT, who, on, "age").passed is eligible


def test_born_on_29_february():
    who = candidate(birth_date=D(2000, 2, 29))
    # In a common year the birthday falls on 1 March: 28 February is still the age before.
    assert age_on(D(2000, 2, 29), D(2026, 2, 28)) == 25
    assert age_on(D(2000, 2, 29), D(2026, 3, 1)) == 26
    assert check(DEFAULT, who, D(2026, 2, 28)).eligible
    assert not check(DEFAULT, who, D(2026, 3, 1)).eligible
    # In a leap year the birthday is 29 February itself.
    assert age_on(D(2000, 2, 29), D(2024, 2, 28)) == 23
    assert age_on(D(2000, 2, 29), D(2024, 2, 29)) == 24


def test_born_on_29_february_turns_16():
    who = candidate(birth_date=D(2008, 2, 29), left_school_on=D(2022, 6, 30))
    assert not result(DEFAULT, who, D(2024, 2, 28), "age").passed
    assert result(DEFAULT, who, D(2024, 2, 29), "age").passed


def test_age_detail_is_in_french():
    detail = result(DEFAULT, candidate(birth_date=D(2000, 3, 10)), D(2026, 3, 10), "age").detail
    assert detail == "26 ans le 10/03/2026 : hors de la tranche de 16 à 25 ans inclus."


# ------------------------------------------------------------------- out of school


@pytest.mark.parametrize(
    ("on", "passed"),
    [
        (D(2018, 3, 14), False),  # 12 months minus one day
        (D(2018, 3, 15), True),  # 12 months to the day
        (D(2018, 3, 16), True),
    ],
)
def test_twelve_months_out_of_school_to_the_day(on, passed):
    who = candidate(birth_date=D(1999, 1, 1), left_school_on=D(2017, 3, 15))
    outcome = result(DEFAULT, who, on, "out_of_school")
    assert outcome.passed is passed
    if not passed:
        assert "12 mois seulement à partir du 15/03/2018" in outcome.detail


def test_month_arithmetic_clamps_to_the_end_of_the_month():
    assert add_months(D(2017, 1, 31), 1) == D(2017, 2, 28)
    assert add_months(D(2016, 1, 31), 1) == D(2016, 2, 29)
    assert add_months(D(2017, 3, 31), 1) == D(2017, 4, 30)
    assert add_months(D(2017, 12, 15), 1) == D(2018, 1, 15)
    assert add_months(D(2017, 3, 15), 12) == D(2018, 3, 15)
    assert add_months(D(2016, 2, 29), 12) == D(2017, 2, 28)


def test_one_month_after_31_january():
    rules = Rules(min_months_out_of_school=1)
    who = candidate(birth_date=D(1999, 1, 1), left_school_on=D(2017, 1, 31))
    assert not result(rules, who, D(2017, 2, 27), "out_of_school").passed
    assert result(rules, who, D(2017, 2, 28), "out_of_school").passed


def test_unknown_date_out_of_school_fails():
    outcome = result(DEFAULT, candidate(left_school_on=None), D(2020, 1, 1), "out_of_school")
    assert not outcome.passed
    assert outcome.detail == "Date de sortie du système scolaire non renseignée."


def test_no_out_of_school_rule_when_zero_months():
    rules = Rules(min_months_out_of_school=0)
    codes = [r.code for r in check(rules, candidate(left_school_on=None), D(2020, 1, 1)).results]
    assert "out_of_school" not in codes


# ------------------------------------------------------------------------------ NEET


def test_in_employment_or_training_is_not_eligible():
    on = D(2020, 1, 1)
    working = candidate(in_employment_or_training=True)
    eligibility = check(DEFAULT, working, on)
    assert not eligibility.eligible
    assert [f.code for f in eligibility.failures] == ["neet"]
    assert eligibility.failures[0].detail == "Actuellement en emploi ou en formation."
    assert check(DEFAULT, candidate(), on).eligible


def test_neet_rule_can_be_switched_off():
    rules = Rules(require_not_in_employment_or_training=False)
    assert check(rules, candidate(in_employment_or_training=True), D(2020, 1, 1)).eligible


# ------------------------------------------------------------------- special publics


def _woman_of_30(**changes) -> Candidate:
    return candidate(
        **{"birth_date": D(1990, 1, 10), "lives_in_qpv": True, "prescriber_type": "plie", **changes}
    )


ON = D(2020, 6, 1)  # she is 30


def test_woman_of_30_in_a_qpv_referred_by_the_plie_is_eligible():
    eligibility = check(WITH_SPECIAL_PUBLIC, _woman_of_30(), ON)
    assert eligibility.eligible
    age = result(WITH_SPECIAL_PUBLIC, _woman_of_30(), ON, "age")
    assert "public spécifique « Femmes de plus de 25 ans habitant un QPV" in age.detail
    assert "30 ans le 01/06/2020" in age.detail


def test_the_same_woman_referred_by_the_mission_locale_is_not():
    assert not check(
        WITH_SPECIAL_PUBLIC, _woman_of_30(prescriber_type="mission_locale"), ON
    ).eligible


def test_the_same_woman_outside_a_qpv_is_not():
    assert not check(WITH_SPECIAL_PUBLIC, _woman_of_30(lives_in_qpv=False), ON).eligible


def test_the_same_woman_applying_alone_is_not():
    assert not check(WITH_SPECIAL_PUBLIC, _woman_of_30(prescriber_type=""), ON).eligible


def test_a_man_is_not():
    assert not check(WITH_SPECIAL_PUBLIC, _woman_of_30(gender="M"), ON).eligible


def test_without_the_special_public_she_is_not():
    assert not check(DEFAULT, _woman_of_30(), ON).eligible


def test_a_special_public_replaces_only_the_age_rule():
    eligibility = check(WITH_SPECIAL_PUBLIC, _woman_of_30(in_employment_or_training=True), ON)
    assert not eligibility.eligible
    assert [f.code for f in eligibility.failures] == ["neet"]
    recent = _woman_of_30(left_school_on=D(2020, 1, 1))
    assert [f.code for f in check(WITH_SPECIAL_PUBLIC, recent, ON).failures] == ["out_of_school"]


def test_special_public_with_a_maximum_age():
    rules = Rules(special_publics=(SpecialPublicRule(label="Jusqu'à 30 ans", max_age=30),))
    assert check(rules, candidate(birth_date=D(1990, 1, 10)), ON).eligible  # 30
    assert not check(rules, candidate(birth_date=D(1989, 1, 10)), ON).eligible  # 31


# ----------------------------------------------------------------- results and minors


def test_results_as_json_for_the_decision_record():
    rows = check(DEFAULT, candidate(in_employment_or_training=True), D(2020, 1, 1)).as_json()
    assert [row["code"] for row in rows] == ["age", "out_of_school", "neet"]
    assert rows[2] == {
        "code": "neet",
        "label": "Ni en emploi ni en formation",
        "passed": False,
        "detail": "Actuellement en emploi ou en formation.",
    }


def test_minors_share():
    assert minors_share_after(present=3, minors=0, candidate_is_minor=True) == 25.0
    assert minors_share_after(present=2, minors=0, candidate_is_minor=True) == pytest.approx(
        33.3, 0.01
    )
    assert minors_share_after(present=0, minors=0, candidate_is_minor=False) == 0.0
    assert MINORS_WARNING_THRESHOLD == 25.0
