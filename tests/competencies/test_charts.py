"""The SVG charts: well-formed, accessible, escaped, one bar per level drawn, readable empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from parcours.competencies import charts

NS = {"svg": charts.SVG_NS}
SCALE = [(1, "Découverte"), (2, "En progression"), (3, "Maîtrisée"), (4, "Confirmée")]


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    return root


def _bars(root: ET.Element, css: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{{{charts.SVG_NS}}}rect") if el.get("class") == css]


def test_progress_chart_is_well_formed_and_accessible():
    rows = [("FR1", "Communiquer à l'oral", 1, 2), ("NUM1", "Calculer", 2, 2)]
    root = _parse(charts.progress_chart_svg(rows, SCALE, ident="t"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-title t-desc"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title.get("id") == "t-title" and "entrée" in title.text
    assert "2 compétences" in desc.text
    assert "1 en progression" in desc.text
    # Legend, codes and level labels are written.
    texts = [el.text for el in root.iter(f"{{{charts.SVG_NS}}}text")]
    assert {"FR1", "NUM1", "à l’entrée", "aujourd’hui", "Découverte", "Confirmée"} <= set(texts)


def test_two_bars_per_assessed_competency_with_lengths_on_the_scale():
    rows = [("A", "a", 1, 4), ("B", "b", 2, 3), ("C", "c", 4, 4)]
    root = _parse(charts.progress_chart_svg(rows, SCALE))
    bars = _bars(root, "bar")
    assert len(bars) == 6
    widths = [float(bar.get("width")) for bar in bars]
    plot = charts.WIDTH - charts.LEFT - charts.RIGHT
    assert widths[0] == plot / 4 and widths[1] == plot  # A: 1 then 4
    # The entry bar is hatched (a pattern), today's bar solid: readable in black and white.
    assert bars[0].get("fill").startswith("url(#") and bars[1].get("fill") == charts.SOLID
    titles = [bar.find("svg:title", NS).text for bar in bars]
    assert titles[0] == "A — à l’entrée : 1 (Découverte)"
    assert titles[1] == "A — aujourd’hui : 4 (Confirmée)"


def test_missing_levels_draw_no_bar_but_say_not_assessed():
    rows = [("A", "a", None, 2), ("B", "b", None, None)]
    root = _parse(charts.progress_chart_svg(rows, SCALE))
    assert len(_bars(root, "bar")) == 1
    nones = [el for el in root.iter(f"{{{charts.SVG_NS}}}text") if el.get("class") == "bar-none"]
    assert len(nones) == 3
    assert all(el.text == "non évalué" for el in nones)


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script>'
    rows = [(evil, evil, 1, 2)]
    svg = charts.progress_chart_svg(rows, [(1, evil), (2, "Deux & trois")], ident=evil)
    assert "<script>" not in svg
    root = _parse(svg)  # still well-formed XML
    texts = [el.text for el in root.iter(f"{{{charts.SVG_NS}}}text")]
    assert evil in texts  # the code, read back as text
    assert "Deux & trois" in texts
    assert not list(root.iter("script")) and not list(root.iter(f"{{{charts.SVG_NS}}}script"))


def test_empty_input_gives_a_valid_chart_without_bars():
    root = _parse(charts.progress_chart_svg([], SCALE))
    assert _bars(root, "bar") == []
    assert "0 compétence" in root.find("svg:desc", NS).text
    root = _parse(charts.progress_chart_svg([], []))
    assert _bars(root, "bar") == []
    root = _parse(charts.distribution_chart_svg([], SCALE))
    assert _bars(root, "segment") == []


def test_distribution_chart_stacks_the_shares():
    rows = [("FR1", "Parler", [1, 2, 0, 0], 1), ("NUM1", "Calculer", [0, 0, 0, 0], 4)]
    root = _parse(charts.distribution_chart_svg(rows, SCALE))
    segments = _bars(root, "segment")
    # FR1: levels 1 and 2 and "not assessed"; NUM1: only "not assessed". Empty shares drawn not.
    assert len(segments) == 4
    plot = charts.WIDTH - charts.LEFT - charts.RIGHT
    widths = [float(s.get("width")) for s in segments]
    assert abs(sum(widths[:3]) - plot) < 0.5 and abs(widths[3] - plot) < 0.5
    assert segments[1].find("svg:title", NS).text == "FR1 — 2 — En progression : 2"
    assert segments[2].get("fill").startswith("url(#")  # not assessed is hatched
    assert "4 stagiaires" in root.find("svg:desc", NS).text
    # Levels get distinct fills, light to dark.
    assert len(set(charts.level_fills(4))) == 4
    assert len(set(charts.level_fills(6))) == 6


def test_distribution_chart_escapes_text():
    evil = "<script>x</script>"
    svg = charts.distribution_chart_svg([(evil, evil, [1], 0)], [(1, evil)])
    assert "<script>" not in svg
    _parse(svg)
