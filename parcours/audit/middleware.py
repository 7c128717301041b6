"""Puts the client address in a context variable while a request is served.

``record_event`` uses it when a caller gives no ``ip_address``, so every event written
during a web request records where it came from. The address is ``REMOTE_ADDR``.

Behind a reverse proxy, gunicorn sees the proxy's address: ``TrustedProxyMiddleware`` (first in
the stack) then takes the client's address from ``X-Forwarded-For`` — only when the request
comes from one of ``PARCOURS_TRUSTED_PROXIES``, and only the address the last trusted proxy
saw (the right-most one that is not a trusted proxy: what a client writes in the header itself
is further left and never believed). The login throttling (django-axes) and the audit trail
both read ``REMOTE_ADDR`` afterwards.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

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


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Sets ``REMOTE_ADDR`` to the client's address given by a trusted reverse proxy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = {ip for ip in map(_ip, settings.PARCOURS_TRUSTED_PROXIES) if ip}

    def __call__(self, request):
        if self.trusted and _ip(request.META.get("REMOTE_ADDR") or "") in self.trusted:
            hops = [_ip(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            for hop in reversed(hops):
                if hop is None:
                    break  # a malformed hop: believe nothing further left
                if hop not in self.trusted:
                    request.META["REMOTE_ADDR"] = hop
                    break
        return self.get_response(request)
