"""The pure rules of a successful exit and of the rates (no database): every boundary.

Hand-built cases: exactly N months against "more than N" (strict) and "N or more"
(inclusive), open-ended contracts, work-study without a length, fixed-term without a length,
exclusions, the bounds of the period, a person with two exits, the empty period, rounding, the
four definitions shipped with Parcours, and the rates of people counted by exit shape.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest

from parcours.outcomes.defaults import (
    DEFAULT_DEFINITIONS,
    NETWORK_3_MONTHS,
    NETWORK_6_MONTHS,
    PLIE,
    PUY_DE_DOME_2018,
)
from parcours.outcomes.rules import (
    DefinitionSpec,
    ExitFacts,
    Rate,
    Rule,
    WaveRate,
    WaveSituation,
    is_excluded,
    is_successful,
    latest_per_person,
    meets_length,
    percentage,
    rate_of_shapes,
    shape_of,
    success_rate,
    verdict,
    wave_rate,
    wave_rate_of_counts,
    whole_percentage,
)

YEAR_START = datetime.date(2024, 1, 1)
YEAR_END = datetime.date(2024, 12, 31)
DAY = datetime.date(2024, 6, 14)

_people = iter(range(1, 100_000))


def facts(destination: str, months: int | None = None, days: int = 0, **kwargs) -> ExitFacts:
    kwargs.setdefault("person_id", next(_people))
    kwargs.setdefault("exit_date", DAY)
    return ExitFacts(destination=destination, months=months, days=days, **kwargs)


def spec_of(*rules: Rule, excluded=()) -> DefinitionSpec:
    return DefinitionSpec(rules=tuple(rules), excluded=frozenset(excluded))


def shipped(code: str) -> DefinitionSpec:
    data = next(d for d in DEFAULT_DEFINITIONS if d["code"] == code)
    return DefinitionSpec.from_json(data["rules"], data["excluded"])


MORE_THAN_2 = spec_of(Rule(frozenset({"cdd", "cdi", "apprentissage"}), 2, strict=True))
AT_LEAST_6 = spec_of(Rule(frozenset({"cdd", "cdi", "creation", "apprentissage"}), 6))


# ------------------------------------------------------------------------------ lengths


def test_exactly_two_months_is_not_more_than_two_months():
    assert not meets_length(facts("cdd", 2), 2, strict=True)
    assert not is_successful(facts("cdd", 2), MORE_THAN_2)
    assert not is_successful(facts("cdd", 2, 0), MORE_THAN_2)


def test_two_months_and_one_day_is_more_than_two_months():
    assert meets_length(facts("cdd", 2, 1), 2, strict=True)
    assert is_successful(facts("cdd", 2, 1), MORE_THAN_2)
    assert is_successful(facts("cdd", 3), MORE_THAN_2)


def test_just_under_the_threshold_fails_both_ways():
    assert not is_successful(facts("cdd", 1, 30), MORE_THAN_2)
    assert not is_successful(facts("cdd", 5, 30), AT_LEAST_6)


def test_an_inclusive_threshold_is_met_at_exactly_n_months():
    assert meets_length(facts("cdd", 6), 6, strict=False)
    assert is_successful(facts("cdd", 6), AT_LEAST_6)
    assert is_successful(facts("cdd", 6, 15), AT_LEAST_6)
    assert not is_successful(facts("cdd", 5), AT_LEAST_6)


@pytest.mark.parametrize("destination", ["cdi", "creation"])
@pytest.mark.parametrize("threshold", [1, 6, 24, 60])
@pytest.mark.parametrize("strict", [True, False])
def test_open_ended_destinations_meet_any_threshold(destination, threshold, strict):
    assert meets_length(facts(destination), threshold, strict)
    assert meets_length(facts(destination, 0), threshold, strict)


def test_open_ended_destinations_count_with_their_rule():
    assert is_successful(facts("cdi"), MORE_THAN_2)
    assert is_successful(facts("creation"), AT_LEAST_6)


def test_work_study_without_a_length_counts_as_six_months():
    assert meets_length(facts("apprentissage"), 6, strict=False)
    assert not meets_length(facts("apprentissage"), 6, strict=True)
    assert is_successful(facts("apprentissage"), AT_LEAST_6)
    assert is_successful(facts("apprentissage"), MORE_THAN_2)
    assert not meets_length(facts("professionnalisation"), 7, strict=False)


def test_work_study_with_a_length_uses_it():
    assert not is_successful(facts("apprentissage", 4), AT_LEAST_6)
    assert is_successful(facts("apprentissage", 24), AT_LEAST_6)


@pytest.mark.parametrize("destination", ["cdd", "interim", "formation_qualifiante"])
def test_a_fixed_term_destination_of_unknown_length_fails_any_threshold(destination):
    assert not meets_length(facts(destination, None), 1, strict=False)
    assert not meets_length(facts(destination, None), 1, strict=True)


def test_a_rule_without_threshold_takes_any_length_even_unknown():
    training = spec_of(Rule(frozenset({"formation"})))
    assert meets_length(facts("formation", None), None, strict=True)
    assert is_successful(facts("formation", None), training)
    assert is_successful(facts("formation", 0, 5), training)


def test_a_destination_outside_every_rule_is_not_successful():
    assert not is_successful(facts("recherche_emploi"), MORE_THAN_2)
    assert not is_successful(facts("interim", 12), MORE_THAN_2)


def test_one_matching_rule_is_enough():
    spec = spec_of(Rule(frozenset({"cdd"}), 6), Rule(frozenset({"cdd", "formation"}), 2, True))
    assert is_successful(facts("cdd", 3), spec)  # fails the first rule, meets the second
    assert not is_successful(facts("cdd", 2), spec)


# ------------------------------------------------------------------------------ exclusions


def test_an_excluded_exit_leaves_the_denominator_and_is_never_a_success():
    spec = spec_of(Rule(frozenset({"cdi", "demenagement"})), excluded={"demenagement"})
    moved = facts("demenagement")
    assert is_excluded(moved, spec)
    assert not is_successful(moved, spec)  # even though a rule names it
    rate = success_rate([moved, facts("cdi"), facts("recherche_emploi")], spec, DAY, DAY)
    assert rate == Rate(exits=3, excluded=1, counted=2, successful=1, rate=Decimal("50.0"))


def test_only_excluded_exits_give_no_rate():
    spec = spec_of(Rule(frozenset({"cdi"})), excluded={"sante"})
    rate = success_rate([facts("sante"), facts("sante")], spec, DAY, DAY)
    assert (rate.exits, rate.excluded, rate.counted, rate.successful) == (2, 2, 0, 0)
    assert rate.rate is None and rate.rounded is None


# ------------------------------------------------------------------------------ period


def test_the_period_bounds_are_included():
    spec = spec_of(Rule(frozenset({"cdi"})))
    new_years_eve = facts("cdi", exit_date=datetime.date(2024, 12, 31))
    new_years_day = facts("cdi", exit_date=datetime.date(2025, 1, 1))
    first_day = facts("recherche_emploi", exit_date=datetime.date(2024, 1, 1))
    last_year = facts("cdi", exit_date=datetime.date(2023, 12, 31))
    exits = [new_years_eve, new_years_day, first_day, last_year]
    in_2024 = success_rate(exits, spec, YEAR_START, YEAR_END)
    assert (in_2024.exits, in_2024.successful, in_2024.rate) == (2, 1, Decimal("50.0"))
    in_2025 = success_rate(exits, spec, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert (in_2025.exits, in_2025.successful) == (1, 1)
    one_day = success_rate(exits, spec, datetime.date(2024, 12, 31), datetime.date(2024, 12, 31))
    assert (one_day.exits, one_day.successful) == (1, 1)


def test_a_person_exiting_twice_in_the_year_counts_once_with_the_latest_exit():
    spec = spec_of(Rule(frozenset({"cdi"})))
    dropped_out = facts("abandon", person_id=7, exit_date=datetime.date(2024, 3, 1), enrolment_id=1)
    came_back_and_hired = facts(
        "cdi", person_id=7, exit_date=datetime.date(2024, 10, 15), enrolment_id=2
    )
    someone_else = facts("recherche_emploi", person_id=8, enrolment_id=3)
    for order in ([dropped_out, came_back_and_hired], [came_back_and_hired, dropped_out]):
        rate = success_rate([*order, someone_else], spec, YEAR_START, YEAR_END)
        assert (rate.exits, rate.successful, rate.rate) == (2, 1, Decimal("50.0"))
    kept = latest_per_person([dropped_out, came_back_and_hired], YEAR_START, YEAR_END)
    assert kept == [came_back_and_hired]


def test_the_latest_exit_is_the_latest_within_the_period():
    """The second exit falls after the period: the first one counts for this period."""
    spec = spec_of(Rule(frozenset({"cdi"})))
    first = facts("cdi", person_id=9, exit_date=datetime.date(2024, 11, 2), enrolment_id=1)
    second = facts("abandon", person_id=9, exit_date=datetime.date(2025, 2, 3), enrolment_id=2)
    rate = success_rate([first, second], spec, YEAR_START, YEAR_END)
    assert (rate.exits, rate.successful) == (1, 1)


def test_two_exits_of_one_person_on_the_same_day_keep_the_latest_enrolment():
    later = facts("cdi", person_id=11, enrolment_id=5)
    earlier = facts("abandon", person_id=11, enrolment_id=4)
    assert latest_per_person([later, earlier], DAY, DAY) == [later]


def test_an_empty_period_has_no_rate():
    rate = success_rate([], AT_LEAST_6, YEAR_START, YEAR_END)
    assert rate == Rate(exits=0, excluded=0, counted=0, successful=0, rate=None)
    assert rate.rounded is None
    last_year = [facts("cdi", exit_date=datetime.date(2023, 5, 1))]
    outside = success_rate(last_year, AT_LEAST_6, YEAR_START, YEAR_END)
    assert outside.rate is None


# ------------------------------------------------------------------------------ rounding


def test_percentage_has_one_decimal_rounded_half_up():
    assert percentage(1, 3) == Decimal("33.3")
    assert percentage(2, 3) == Decimal("66.7")
    assert percentage(1, 16) == Decimal("6.3")  # 6.25: half up, not to even
    assert percentage(1, 8) == Decimal("12.5")
    assert percentage(0, 5) == Decimal("0.0")
    assert percentage(5, 5) == Decimal("100.0")
    assert percentage(1, 0) is None


def test_the_rounded_rate_is_a_whole_percent_half_up():
    def rate(successful: int, counted: int) -> Rate:
        return Rate(
            exits=counted,
            excluded=0,
            counted=counted,
            successful=successful,
            rate=percentage(successful, counted),
        )

    assert rate(1, 8).rounded == 13  # 12.5 → 13
    assert rate(1, 40).rounded == 3  # 2.5 → 3
    assert rate(5, 9).rounded == 56  # 55.6
    assert rate(14, 25).rounded == 56  # 56.0
    assert rate(2, 3).rounded == 67
    assert rate(0, 4).rounded == 0


def test_the_rounded_rate_is_rounded_from_the_exact_fraction_not_twice():
    """623 / 5000 = 12.46 %: one decimal gives 12.5, but the nearest whole percent is 12."""
    rate = Rate(exits=5000, excluded=0, counted=5000, successful=623, rate=percentage(623, 5000))
    assert rate.rate == Decimal("12.5")
    assert rate.rounded == 12
    assert whole_percentage(623, 5000) == 12
    assert whole_percentage(1, 0) is None


# ------------------------------------------------------------------------------ the shipped ones


def test_the_puy_de_dome_2018_definition_takes_training_or_a_job_of_more_than_two_months():
    spec = shipped(PUY_DE_DOME_2018)
    assert not is_successful(facts("cdd", 2), spec)
    assert is_successful(facts("cdd", 2, 1), spec)
    assert is_successful(facts("interim", 3), spec)
    assert is_successful(facts("cdi"), spec)
    assert is_successful(facts("apprentissage"), spec)
    assert is_successful(facts("formation", 1), spec)  # training of any length
    assert is_successful(facts("formation_qualifiante", None), spec)
    assert not is_successful(facts("service_civique", 8), spec)
    assert not is_excluded(facts("demenagement"), spec)  # nothing is left out
    exits = [
        facts("cdd", 2),
        facts("cdd", 2, 1),
        facts("formation", 1),
        facts("demenagement"),
        facts("recherche_emploi"),
    ]
    rate = success_rate(exits, spec, YEAR_START, YEAR_END)
    assert (rate.exits, rate.excluded, rate.counted, rate.successful) == (5, 0, 5, 2)
    assert rate.rate == Decimal("40.0") and rate.rounded == 40


def test_the_network_six_months_definition_is_inclusive():
    spec = shipped(NETWORK_6_MONTHS)
    assert is_successful(facts("cdd", 6), spec)
    assert not is_successful(facts("cdd", 5, 30), spec)
    assert is_successful(facts("contrat_aide", 12), spec)
    assert is_successful(facts("professionnalisation"), spec)  # work-study: any length
    assert is_successful(facts("apprentissage", 3), spec)
    assert is_successful(facts("formation_qualifiante", 2), spec)
    assert not is_successful(facts("formation", 12), spec)  # not qualifying
    for force_majeure in ("demenagement", "sante", "maternite"):
        assert is_excluded(facts(force_majeure), spec)
    assert not is_excluded(facts("abandon"), spec)
    exits = [facts("cdd", 6), facts("cdd", 4), facts("sante"), facts("abandon")]
    rate = success_rate(exits, spec, YEAR_START, YEAR_END)
    assert (rate.exits, rate.excluded, rate.counted, rate.successful) == (4, 1, 3, 1)
    assert rate.rate == Decimal("33.3") and rate.rounded == 33


def test_the_network_three_months_definition_is_strict():
    spec = shipped(NETWORK_3_MONTHS)
    assert not is_successful(facts("cdd", 3), spec)
    assert is_successful(facts("cdd", 3, 1), spec)
    assert is_successful(facts("saisonnier", 4), spec)
    assert is_successful(facts("creation"), spec)
    assert is_excluded(facts("maternite"), spec)


def test_the_plie_definition_takes_a_cdi_or_a_cdd_of_more_than_six_months():
    spec = shipped(PLIE)
    assert is_successful(facts("cdi"), spec)
    assert is_successful(facts("cdd", 7), spec)
    assert is_successful(facts("cdd", 6, 1), spec)
    assert not is_successful(facts("cdd", 6), spec)  # exactly 6 is not "more than 6"
    assert not is_successful(facts("interim", 12), spec)
    assert not is_successful(facts("apprentissage", 24), spec)
    assert not is_successful(facts("formation_qualifiante", 12), spec)
    assert is_excluded(facts("demenagement"), spec)


def test_the_same_exits_score_differently_under_each_shipped_definition():
    exits = [
        facts("cdi"),
        facts("cdd", 6),
        facts("cdd", 3),
        facts("formation", 4),
        facts("apprentissage"),
        facts("demenagement"),
        facts("recherche_emploi"),
    ]
    rates = {
        code: success_rate(exits, shipped(code), YEAR_START, YEAR_END)
        for code in (PUY_DE_DOME_2018, NETWORK_6_MONTHS, NETWORK_3_MONTHS, PLIE)
    }
    assert rates[PUY_DE_DOME_2018].successful == 5  # cdi, 6, 3, training, work-study
    assert rates[PUY_DE_DOME_2018].counted == 7
    assert rates[NETWORK_6_MONTHS].successful == 3  # cdi, cdd 6, work-study
    assert rates[NETWORK_6_MONTHS].counted == 6  # moving away is left out
    assert rates[NETWORK_3_MONTHS].successful == 3  # cdd 3 is not more than 3
    assert rates[PLIE].successful == 1  # cdi only
    assert rates[PLIE].rate == Decimal("16.7") and rates[PLIE].rounded == 17


def test_rules_round_trip_through_json():
    rule = Rule(frozenset({"cdd", "cdi"}), 2, strict=True)
    assert Rule.from_json(rule.to_json()) == rule
    assert rule.to_json() == {"destinations": ["cdd", "cdi"], "min_months": 2, "strict": True}
    assert Rule.from_json({"destinations": ["cdi"]}) == Rule(frozenset({"cdi"}))


# ------------------------------------------------------------------------------ follow-up waves


def test_wave_rate_counts_unreachable_people_in_the_denominator():
    situations = [
        WaveSituation("cdi"),
        WaveSituation("apprentissage"),
        WaveSituation("formation"),
        WaveSituation("service_civique"),
        WaveSituation("recherche_emploi"),
        WaveSituation(None),
        WaveSituation(None),
        WaveSituation("sante"),
    ]
    wave = wave_rate(situations)
    assert (wave.recorded, wave.unreachable) == (8, 2)
    assert (wave.employment, wave.training, wave.civic_service, wave.no_positive) == (2, 1, 1, 2)
    assert wave.in_employment_or_training == Decimal("37.5")
    assert wave.rounded == 38


def test_wave_rate_of_nothing_recorded_has_no_share():
    wave = wave_rate([])
    assert (wave.recorded, wave.unreachable, wave.employment) == (0, 0, 0)
    assert wave.in_employment_or_training is None and wave.rounded is None


def test_wave_rate_of_only_unreachable_people_is_zero():
    wave = wave_rate([WaveSituation(None)])
    assert wave.in_employment_or_training == Decimal("0.0") and wave.rounded == 0


# ------------------------------------------------------------------------------ by shape


def test_a_rate_of_shapes_is_the_rate_of_the_exits_of_those_shapes():
    exits = [
        facts("cdi"),
        facts("cdd", 6),
        facts("cdd", 6),
        facts("cdd", 6, 1),
        facts("apprentissage"),
        facts("interim"),
        facts("demenagement"),
        facts("demenagement"),
    ]
    shapes = Counter(shape_of(f) for f in exits)
    assert shapes[("cdd", 6, 0)] == 2 and shapes[("interim", None, 0)] == 1
    for code in (PUY_DE_DOME_2018, NETWORK_6_MONTHS, NETWORK_3_MONTHS, PLIE):
        spec = shipped(code)
        # An oracle independent of the shapes: each exit judged on its own.
        excluded = sum(1 for f in exits if is_excluded(f, spec))
        successful = sum(1 for f in exits if not is_excluded(f, spec) and is_successful(f, spec))
        counted = len(exits) - excluded
        expected = Rate(
            exits=len(exits),
            excluded=excluded,
            counted=counted,
            successful=successful,
            rate=percentage(successful, counted),
        )
        assert rate_of_shapes(shapes, spec) == expected, code


def test_the_verdicts_of_a_definition_are_shared_by_many_schools_rates():
    spec = shipped(PLIE)
    verdicts: dict = {}
    first = rate_of_shapes({("cdi", None, 0): 2, ("cdd", 6, 0): 1}, spec, verdicts)
    assert verdicts == {("cdi", None, 0): "successful", ("cdd", 6, 0): "not_successful"}
    second = rate_of_shapes({("cdd", 6, 0): 3, ("demenagement", None, 0): 1}, spec, verdicts)
    assert verdicts[("demenagement", None, 0)] == verdict(("demenagement", None, 0), spec)
    assert first == Rate(exits=3, excluded=0, counted=3, successful=2, rate=Decimal("66.7"))
    assert second == Rate(exits=4, excluded=1, counted=3, successful=0, rate=Decimal("0.0"))
    assert rate_of_shapes({}, spec) == Rate(0, 0, 0, 0, None)


def test_a_wave_rate_of_counts_is_the_wave_rate_of_as_many_situations():
    counts = {"cdi": 3, "formation": 1, None: 2, "service_civique": 1, "abandon": 2}
    situations = [WaveSituation(code) for code, n in counts.items() for _ in range(n)]
    expected = WaveRate(
        recorded=9,
        unreachable=2,
        employment=3,
        training=1,
        civic_service=1,
        no_positive=2,
        in_employment_or_training=Decimal("44.4"),
    )
    assert wave_rate_of_counts(counts) == expected
    assert wave_rate(situations) == expected
    assert wave_rate_of_counts({}) == WaveRate(0, 0, 0, 0, 0, 0, None)
