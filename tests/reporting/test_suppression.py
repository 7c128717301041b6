"""The small-cell rule: 1 to 4 people read « < 5 » and the percentages built on them are
hidden; 0 and 5 or more are shown; the network's table applies it to every count of people
(totals included) and to nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period
from parcours.reporting.suppression import (
    HIDDEN_PCT,
    SUPPRESSED,
    is_small,
    network_table,
    publish_rate,
    publish_share,
    suppress,
    suppress_pct,
)

from .test_cli import add_trainee


@pytest.mark.parametrize(
    ("count", "shown"),
    [(None, None), (0, 0), (1, "< 5"), (4, "< 5"), (5, 5), (6, 6), (1200, 1200)],
)
def test_suppress(count, shown):
    assert suppress(count) == shown
    assert is_small(count) == (shown == SUPPRESSED)


def test_suppress_pct():
    assert suppress_pct(Decimal("8.0"), 4, 50) == HIDDEN_PCT  # 4 of 50
    assert suppress_pct(Decimal("75.0"), 3, 4) == HIDDEN_PCT  # 3 of 4
    assert suppress_pct(Decimal("80.0"), 8, 4) == HIDDEN_PCT  # a small denominator
    assert suppress_pct(Decimal("10.0"), 5, 50) == Decimal("10.0")
    assert suppress_pct(Decimal("0.0"), 0, 50) == Decimal("0.0")  # nobody: nothing to hide
    assert suppress_pct(None, 2, 3) is None  # not computable stays not computable


def test_publish_rate_at_the_boundary():
    shown = publish_rate(counted=9, successful=5, pct=Decimal("55.6"))
    assert (shown.counted, shown.successful, shown.pct, shown.rounded) == (
        9,
        5,
        Decimal("55.6"),
        56,
    )
    hidden = publish_rate(counted=9, successful=4, pct=Decimal("44.4"))
    assert (hidden.counted, hidden.successful, hidden.pct, hidden.rounded) == (
        9,
        "< 5",
        "s",
        "s",
    )
    empty = publish_rate(counted=0, successful=0, pct=None)
    assert (empty.counted, empty.successful, empty.pct, empty.rounded) == (0, 0, None, None)


def test_publish_share_rounds_from_the_exact_fraction():
    share = publish_share(count=57, whole=114, pct=Decimal("50.0"))
    assert share.rounded == 50
    assert publish_share(count=5, whole=8, pct=Decimal("62.5")).rounded == 63
    assert publish_share(count=4, whole=8, pct=Decimal("50.0")).rounded == "s"


def render(template: str, **context) -> str:
    return Template("{% load reporting_tags %}" + template).render(Context(context))


def test_filters():
    assert render("{{ n|small_cell }}", n=4) == "&lt; 5"
    assert render("{{ n|small_cell }}", n=0) == "0"
    assert render("{{ n|small_cell }}", n=12500) == "12\xa0500"
    assert render("{{ n|small_cell }}", n="< 5") == "&lt; 5"
    assert render("{{ n|small_cell }}", n=None) == "—"
    assert render("{{ p|pct_cell }}", p=56) == "56\u00a0%"
    assert render("{{ p|pct_cell }}", p=None) == "—"
    hidden = render("{{ p|pct_cell }}", p="s")
    assert hidden.startswith('<abbr title="Secret statistique')
    assert hidden.endswith(">s</abbr>")


@pytest.mark.django_db
def test_network_table_at_four_and_five(world):
    add_trainee(world, plie=True)
    add_trainee(world, plie=True)  # Alpha: 4 trainees, 2 PLIE
    table = network_table(network_figures(world.school.network, Period.year(2024)))
    alpha = next(row for row in table.rows if row.name == "E2C Alpha")
    assert alpha.trainees == SUPPRESSED
    assert alpha.plie == SUPPRESSED
    assert alpha.under_26.rounded == HIDDEN_PCT
    assert alpha.rooms == 2  # not people: never suppressed
    assert alpha.funding_eur == 0
    assert table.totals.trainees == 6  # the network's total: 4 + 2
    assert table.totals.plie == SUPPRESSED

    add_trainee(world, plie=True)  # Alpha: 5 trainees
    table = network_table(network_figures(world.school.network, Period.year(2024)))
    alpha = next(row for row in table.rows if row.name == "E2C Alpha")
    assert alpha.trainees == 5
    assert alpha.plie == SUPPRESSED  # 3
    assert alpha.women.rounded == HIDDEN_PCT  # 2 women of 5
    assert table.totals.trainees == 7
    assert table.totals.women.count == SUPPRESSED  # 4 women in the network
    assert table.schools == 2
    assert [d.name for d, _rate in table.definition_totals] == [d.name for d in table.definitions]
