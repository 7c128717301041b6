"""What the staff endpoints share: handing typed API input to the web's forms."""

from __future__ import annotations

import datetime


def form_value(value) -> str:
    """A typed value as a web form receives it (dates in ISO, nothing as empty)."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def form_data(**values) -> dict[str, str]:
    """The values a web form receives, leaving out the empty ones."""
    data = {name: form_value(value) for name, value in values.items()}
    return {name: value for name, value in data.items() if value != ""}
