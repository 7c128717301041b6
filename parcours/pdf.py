"""PDF documents rendered from HTML templates by WeasyPrint (attestations, later agreements…).

A template brings its own print CSS (``@page`` size and margins) and uses the font stack
``"DejaVu Sans", sans-serif`` (the ``fonts-dejavu-core`` package; ``scripts/ensure-pdf-libs.sh``
installs it with WeasyPrint's system libraries). Rendering never touches the network: only
``file:`` and ``data:`` URLs are fetched, so images such as QR codes are embedded as ``data:``
URLs.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

#: The only URL schemes a PDF template may load resources from.
ALLOWED_SCHEMES = ("file", "data")


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False)


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """The PDF bytes of ``template_name`` rendered with ``context``."""
    # Imported here: WeasyPrint loads Pango when imported, which only PDF views need.
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher()).write_pdf()
