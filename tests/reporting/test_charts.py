"""The key figures' charts (``reporting.charts``): valid SVG, labelled for screen readers
(role="img", <title>, <desc>), every text escaped, bars in proportion, empty data drawn
without errors."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from parcours.reporting import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own markup) - raises on invalid XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and title.text
    assert desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [
        rect for rect in root.iter("{http://www.w3.org/2000/svg}rect") if rect.get("class") == "bar"
    ]


def year_2018(entries, exits):
    return [
        (datetime.date(2018, month, 1), entries[month - 1], exits[month - 1])
        for month in range(1, 13)
    ]


def test_monthly_bars_two_series_with_titles():
    months = year_2018([2, 13, 12, 20, 14, 11, 17, 12, 13, 17, 13, 6], [8] + [5] * 11)
    root = parse(charts.monthly_bars_svg(months, ident="m"))
    assert root.find("svg:title", NS).text == "Entrées et sorties par mois"
    assert "150 entrées et 63 sorties" in root.find("svg:desc", NS).text
    assert "avril 2018 (20 entrées, 5 sorties)" in root.find("svg:desc", NS).text
    drawn = bars(root)
    assert len(drawn) == 24
    titles = [rect.find("svg:title", NS).text for rect in drawn]
    assert titles[0] == "janvier 2018 — Entrées : 2"
    assert titles[1] == "janvier 2018 — Sorties : 8"
    # Entries are solid, exits hatched (readable in black and white).
    assert drawn[1].get("fill") == "url(#m-second)"
    # Heights in proportion: April's 20 entries is the tallest bar, twice 10.
    heights = [float(rect.get("height")) for rect in drawn[0::2]]
    assert max(heights) == heights[3]
    assert heights[3] == pytest.approx(20 / 13 * heights[1])
    text = ET.tostring(root, encoding="unicode")
    assert "janv." in text and "déc." in text and "2018" in text


def test_monthly_bars_empty_year_has_no_division_error():
    root = parse(charts.monthly_bars_svg(year_2018([0] * 12, [0] * 12)))
    assert all(float(rect.get("height")) == 0 for rect in bars(root))
    assert "0 entrées et 0 sorties" in root.find("svg:desc", NS).text
    parse(charts.monthly_bars_svg([]))


def test_monthly_bars_over_several_years_label_a_dozen_months_at_most():
    months = []
    day = datetime.date(2016, 1, 1)
    while day.year < 2019:
        months.append((day, 1, 1))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    root = parse(charts.monthly_bars_svg(months))
    labels = [
        t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text in charts.MONTHS
    ]
    assert 0 < len(labels) <= 12


def test_horizontal_bars_escape_labels_and_scale_to_the_maximum():
    rows = [
        charts.Bar("Sortie réussie <E2C> & co", Decimal("55.7"), "56 %", strong=True),
        charts.Bar("Réseau", Decimal("25"), "25 %"),
        charts.Bar("Sans sorties retenues", None, "—"),
    ]
    svg = charts.horizontal_bars_svg(
        rows, title="Taux <par> définition", desc="d", ident="t", maximum=100, unit=" %"
    )
    root = parse(svg)
    assert "&lt;E2C&gt; &amp; co" in svg
    assert root.find("svg:title", NS).text == "Taux <par> définition"
    drawn = bars(root)
    assert len(drawn) == 2  # no bar for the row without a value
    plot = charts.WIDTH - 8 - 96
    assert float(drawn[0].get("width")) == pytest.approx(plot * 0.557, abs=0.1)
    assert float(drawn[1].get("width")) == pytest.approx(plot * 0.25, abs=0.1)
    assert drawn[0].find("svg:title", NS).text == "Sortie réussie <E2C> & co : 56 %"
    assert "100 %" in svg  # the axis ends at 100 %


def test_horizontal_bars_counts_axis_is_round():
    rows = [charts.Bar("Mission Locale", 120, "120 (57 %)"), charts.Bar("PLIE", 30, "30")]
    root = parse(charts.horizontal_bars_svg(rows, title="P", desc="d", ident="p"))
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"0", "30", "60", "90", "120"} <= set(labels)
    parse(charts.horizontal_bars_svg([], title="vide", desc="rien", ident="v"))
    parse(charts.horizontal_bars_svg([charts.Bar("zéro", 0, "0")], title="z", desc="d", ident="z"))


def test_paired_bars_two_series():
    rows = [
        charts.PairedBar("1 — Découverte", Decimal("35"), Decimal("13.3"), "35 %", "13 %"),
        charts.PairedBar("4 — Confirmée", Decimal("0"), None, "0 %", "—"),
    ]
    root = parse(
        charts.paired_bars_svg(
            rows, title="Niveaux", desc="d", ident="n", series=("À l'entrée", "En fin de période")
        )
    )
    drawn = bars(root)
    assert len(drawn) == 3
    assert drawn[1].get("fill") == "url(#n-second)"
    assert drawn[0].find("svg:title", NS).text == "1 — Découverte — À l'entrée : 35 %"


@pytest.mark.parametrize(
    ("value", "end"),
    [(0, 4), (1, 4), (4, 4), (5, 8), (20, 20), (120, 120), (210, 240), (999, 1000)],
)
def test_axis_end(value, end):
    assert charts.axis_end(value) == end
