"""What the staff endpoints share: handing typed API input to the web's forms, and refusing
unknown query parameters."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from parcours.api.errors import invalid


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


def refuse_unknown_query(request, *schemas) -> None:
    """A 422 for a query parameter none of ``schemas`` (the operation's ``Query[…]`` types)
    knows: a misspelt filter must not silently list everything."""
    known = {name for schema in schemas for name in schema.model_fields}
    unknown = sorted(name for name in request.GET if name not in known)
    if unknown:
        invalid({name: [_("Paramètre inconnu.")] for name in unknown}, location="query")
