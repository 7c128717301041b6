"""Puts the client address in a context variable while a request is served.

``record_event`` uses it when a caller gives no ``ip_address``, so every event written
during a web request records where it came from. The address is ``REMOTE_ADDR``: in
production the reverse proxy in front of gunicorn sets it to the real client (the proxy
must overwrite it, never trust a client's ``X-Forwarded-For``).
"""

from __future__ import annotations

import ipaddress

from .context import current_client_address


def request_address(request) -> str | None:
    """``REMOTE_ADDR`` when it is a valid IP address, else ``None``."""
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_client_address.set(request_address(request))
        try:
            return self.get_response(request)
        finally:
            current_client_address.reset(token)
