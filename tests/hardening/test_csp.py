"""The Content-Security-Policy and the other security headers, and templates that keep to it.

The policy forbids inline scripts, inline styles and eval; a template that used a ``<script>``
block, an ``on…=`` handler, a ``style=`` attribute, ``hx-on`` or a ``javascript:`` URL would
break under it, so every template (and the server-drawn SVG charts) is scanned here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import MembershipFactory, SchoolFactory
from tests.utils import login_client

PACKAGE = Path(__file__).resolve().parents[2] / "parcours"

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        parsed[name] = value.strip()
    return parsed


def assert_hardened_headers(response) -> None:
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives(response) == EXPECTED_DIRECTIVES
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_login_page_carries_the_strict_policy() -> None:
    response = Client().get("/connexion/")
    assert response.status_code == 200
    assert_hardened_headers(response)


@pytest.mark.django_db
def test_school_pages_and_error_pages_carry_the_strict_policy() -> None:
    school = SchoolFactory(slug="e2c-csp")
    member = MembershipFactory(school=school, role="director")
    client = Client()
    login_client(client, member.user)
    home = client.get("/e/e2c-csp/")
    assert home.status_code == 200
    assert_hardened_headers(home)
    assert b'name="htmx-config"' in home.content
    assert b'"allowEval": false' in home.content
    assert b'"includeIndicatorStyles": false' in home.content
    missing = client.get("/e/e2c-csp/stagiaires/987654/")
    assert missing.status_code == 404
    assert_hardened_headers(missing)


# --- Templates and server-drawn HTML/SVG keep to the policy ---------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
HX_ON = re.compile(r"\shx-on", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)

#: Templates only ever rendered to PDF by WeasyPrint (never sent to a browser): they bring
#: their own print CSS.
PDF_ONLY = ("pdf.html", "agreement_pdf.html")


def html_templates() -> list[Path]:
    templates = [
        path for path in PACKAGE.rglob("templates/**/*.html") if not path.name.endswith(PDF_ONLY)
    ]
    assert len(templates) > 50
    return templates


def test_no_template_uses_inline_script_style_or_handlers() -> None:
    offences = []
    for path in html_templates():
        text = path.read_text(encoding="utf-8")
        for name, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("on…= handler", HANDLER_ATTRIBUTE),
            ("style= attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("hx-on", HX_ON),
            ("javascript: URL", JS_URL),
        ]:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(PACKAGE)}:{line}: {name}")
    assert offences == []


def test_python_that_draws_html_or_svg_uses_no_style_attribute() -> None:
    """Modules that build markup in Python (SVG charts, format_html snippets)."""
    handler = re.compile(r"\son[a-z]+=[\"'{]")
    offences = []
    drawing = 0
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if not any(marker in text for marker in ("<svg", "format_html(", "mark_safe(")):
            continue
        drawing += 1
        for pattern in (STYLE_ATTRIBUTE, STYLE_ELEMENT, handler, INLINE_SCRIPT, JS_URL):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offences.append(f"{path.relative_to(PACKAGE)}:{line}")
    assert drawing >= 4
    assert offences == []


def test_the_charts_draw_without_style_attributes() -> None:
    from parcours.competencies import charts as competency_charts
    from parcours.reporting import charts as reporting_charts

    sources = (
        Path(competency_charts.__file__).read_text() + Path(reporting_charts.__file__).read_text()
    )
    assert "style=" not in sources
    assert "<style" not in sources
