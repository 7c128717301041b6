"""The client address of the request being served, for audit events.

``ClientAddressMiddleware`` sets it for the duration of a web request; outside a request
(the CLI, ``parcours daily``) it is ``None``, so those events carry no address.
"""

from __future__ import annotations

from contextvars import ContextVar

current_client_address: ContextVar[str | None] = ContextVar("parcours_client_address", default=None)


def get_client_address() -> str | None:
    return current_client_address.get()
