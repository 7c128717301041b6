"""Two-factor enforcement: a session that has passed the password but not the second factor
reaches only the pages that complete it (code, enrolment) and logout.

- The user has a device and has not typed a code yet → the code page.
- The second factor is mandatory for them (``two_factor.requires_two_factor``) and they have no
  device → the enrolment page.
Verified sessions cost nothing here (``request.user.is_verified()`` is set by django-otp's
``OTPMiddleware``, which must come before this one).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor

#: URL names reachable before the second factor.
EXEMPT = frozenset(
    {
        "accounts:logout",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "healthz",
    }
)


def _to(name: str, request: HttpRequest):
    url = reverse(name)
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return redirect(url)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The REST API never uses the session: it authenticates each request by its token
        # (parcours/api/auth.py), so a half-open session must not redirect its calls.
        if request.path_info.startswith("/api/"):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT:
            return None
        # The code is due after the password step (the login page sets the flag) and for any
        # session opened another way (the admin's login page…) by a user who has a device.
        if request.session.get(two_factor.PENDING_SESSION_KEY) or two_factor.has_two_factor(user):
            return _to("accounts:two_factor_verify", request)
        memberships = getattr(request, "memberships", None)
        if two_factor.requires_two_factor(user, memberships):
            return _to("accounts:two_factor_setup", request)
        return None
