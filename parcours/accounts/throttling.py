"""Login throttling with django-axes: what counts as the account, and the lockout page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

LOCKED_MESSAGE = (
    "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est bloquée "
    "pendant {minutes} minutes. Réessayez plus tard ou utilisez « Mot de passe oublié ? »."
)


def username_from(request: HttpRequest, credentials: dict | None) -> str:
    """The account an attempt is counted against: the typed e-mail, lower-cased (so case
    variations share one counter). It need not exist: unknown addresses are throttled alike."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "").strip().lower()


def locked_message() -> str:
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(LOCKED_MESSAGE).format(minutes=minutes)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The login page again, with one message that says nothing about the account."""
    from django.contrib.auth import logout

    from .forms import EmailAuthenticationForm

    if request.user.is_authenticated:  # a wrong second factor: drop the half-open session
        logout(request)
    form = EmailAuthenticationForm(request)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": locked_message(), "next": ""},
        status=429,
    )


def login_succeeded(user: Any) -> None:
    """Clear the account's failed attempts once the whole login (second factor included) has
    succeeded; the address's attempts on other accounts stay counted."""
    from axes.utils import reset

    reset(username=user.email.lower())


def is_locked(request: HttpRequest, user: Any) -> bool:
    """True if the account or the address is locked out now (e.g. during the code step)."""
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": user.email})


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a client in its log lines: the path only — no e-mail, no IP
    address (personal data stays out of the logs; both are in axes' own tables, purged by
    ``parcours daily``)."""
    return f"{{path_info: {path_info!r}}}"
