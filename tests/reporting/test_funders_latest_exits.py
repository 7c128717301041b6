"""The funder reports read each person's latest exit from the rates' selector
(``outcomes.selectors.latest_exit_facts``, :func:`~parcours.outcomes.selectors.latest_exits` in
the database): the rule of ``rules.latest_per_person``, with one home in SQL.

Year 2019, as in ``test_funders``: the world's own trainees are in 2023–2024."""

from __future__ import annotations

import datetime

import pytest

from parcours.outcomes import selectors
from parcours.outcomes.rules import latest_per_person
from parcours.pathways.models import FSE_PLUS, PLIE, EnrolmentFundingLine
from parcours.reporting import funders

from .test_funders import Y2019, leave, trainee

pytestmark = pytest.mark.django_db


def _two_exits(world, lines, **situation):
    """A person who left an enrolment carrying ``lines`` in March, then another enrolment
    (without them) in October: two exits in 2019."""
    first = trainee(
        world,
        entry=datetime.date(2019, 1, 7),
        ended=datetime.date(2019, 3, 29),
        lines=lines,
        **situation,
    )
    leave(first, "cdi")
    second = trainee(
        world,
        person=first.person,
        entry=datetime.date(2019, 4, 1),
        ended=datetime.date(2019, 10, 31),
        **situation,
    )
    leave(second, "recherche_emploi")
    return first, second


@pytest.mark.parametrize("kind", [funders.PLIE_REPORT, funders.FSE_REPORT])
def test_the_latest_exit_is_taken_among_the_line_enrolments(world, kind):
    """The line's enrolments are filtered before the ranking: a later exit from an enrolment
    without the line does not hide the participant's exit from the line's enrolment."""
    line = PLIE if kind == funders.PLIE_REPORT else FSE_PLUS
    _two_exits(world, [line])
    report = funders.report(kind, world.school, Y2019)
    (participant,) = report.participants
    assert participant.exit is not None
    assert (participant.exit.exit_date, participant.exit.destination) == (
        datetime.date(2019, 3, 29),
        "cdi",
    )


def test_the_city_policy_counts_each_residents_latest_exit(world):
    _two_exits(world, [], qpv_code="QN0")
    outcomes = funders.city_policy_report(world.school, Y2019).outcomes
    assert outcomes.exits == 1
    by_code = {d.code: d.count for d in outcomes.destinations}
    assert (by_code["recherche_emploi"], by_code["cdi"]) == (1, 0)


def test_latest_exit_facts_are_latest_per_person(world):
    """The selector keeps what ``rules.latest_per_person`` keeps, in its order: two exits on
    the same day (the latest enrolment wins), exits outside the period, and among a subset of
    enrolments."""
    day = datetime.date(2019, 6, 28)
    first, _second = _two_exits(world, [PLIE])
    same_day = [
        trainee(world, person=first.person, entry=datetime.date(2019, 5, 6), ended=day),
        trainee(world, entry=datetime.date(2019, 2, 4), ended=day, lines=[PLIE]),
    ]
    same_day.append(trainee(world, person=same_day[1].person, ended=day, lines=[PLIE]))
    for enrolment in same_day:
        leave(enrolment, "cdd", months=7)
    outside = trainee(world, entry=datetime.date(2018, 3, 5), ended=datetime.date(2018, 12, 31))
    leave(outside, "cdi")

    for start, end in [
        (Y2019.start, Y2019.end),
        (datetime.date(2019, 1, 1), datetime.date(2019, 6, 30)),
        (datetime.date(2018, 1, 1), datetime.date(2019, 12, 31)),
    ]:
        every = selectors.exit_facts(world.school, start, end)
        assert selectors.latest_exit_facts(world.school, start, end) == latest_per_person(
            every, start, end
        )
        line = EnrolmentFundingLine.objects.filter(funding_line__code=PLIE)
        ids = set(line.values_list("enrolment_id", flat=True))
        assert selectors.latest_exit_facts(
            world.school, start, end, line.values("enrolment")
        ) == latest_per_person([f for f in every if f.enrolment_id in ids], start, end)
