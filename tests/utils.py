"""Small helpers for assertions on responses."""

from __future__ import annotations

import html


def page_text(response) -> str:
    """The response body as the user reads it: entities decoded, non-breaking spaces as spaces."""
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")
