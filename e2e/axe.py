"""The accessibility audit with axe-core (from npm, a test dependency: ``package.json``,
installed by ``make axe`` / ``scripts/ensure-axe.sh`` into ``node_modules/``).

axe's script is evaluated in the page through the DevTools protocol (``page.evaluate``), which
the page's Content-Security-Policy does not apply to: the audited page runs with the same
strict policy as in production (no ``bypass_csp``), so what is audited is what users get.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"

#: What the audit checks: WCAG 2.1 A and AA (the RGAA's base) and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: The impacts that fail the audit.
FAILING_IMPACTS = ("serious", "critical")

RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      impact: n.impact,
      summary: n.failureSummary || "",
    })),
  }));
}"""


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        pytest.fail(
            f"axe-core est introuvable ({AXE_SCRIPT}) : installez les dépendances de test "
            "avec `make axe` (npm ci, depuis package-lock.json).",
            pytrace=False,
        )
    return AXE_SCRIPT.read_text(encoding="utf-8")


def violations(page: Page, impacts: tuple[str, ...] = FAILING_IMPACTS) -> list[dict]:
    """The axe violations of the page as it is now, of the given impacts."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate(RUN, TAGS)
    kept = []
    for violation in found:
        nodes = [n for n in violation["nodes"] if (n["impact"] or violation["impact"]) in impacts]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def describe(violations: list[dict], limit: int = 5) -> str:
    """One line per violation (id, impact, help) and the selectors of its offending nodes."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:limit]:
            summary = " ".join(node["summary"].split())[:300]
            lines.append(f"    {node['target']} — {summary}")
        if len(violation["nodes"]) > limit:
            lines.append(f"    … et {len(violation['nodes']) - limit} autre(s)")
    return "\n".join(lines)
