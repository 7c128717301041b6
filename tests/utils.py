"""Small helpers for assertions on responses."""

from __future__ import annotations

import html


def page_text(response) -> str:
    """The response body as the user reads it: entities decoded, non-breaking spaces as spaces."""
    return html.unescape(response.content.decode()).replace("\xa0", " ").replace("\u202f", " ")


def login_client(client, user):
    """Log ``client`` in as ``user`` the way the product does, second factor included.

    Every test login goes through here (``World.client_for`` too). Django's ``client.login()``
    cannot be used: the throttling backend (django-axes) needs the request, and the second
    factor is enforced in the tests as in production. So the session is opened with
    ``force_login`` and, when the user has an authenticator app (or must have one, in which
    case a confirmed one is created), verified as the code page does (``django_otp.login``
    stores the device in the session). Users for whom the second factor is optional and who
    have none stay password-only, as in production. The login form itself, the code page and
    the lockout are tested in ``tests/accounts``.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from parcours.accounts import two_factor

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = two_factor.totp_device(user)
    if device is None and two_factor.requires_two_factor(user):
        device = TOTPDevice.objects.create(user=user, name="Test", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def password_works(email: str, password: str) -> bool:
    """True if the login form's authentication accepts ``email`` and ``password`` (through the
    same backends, throttling included: a refused attempt counts as a failure)."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    request = RequestFactory().post("/connexion/")
    return authenticate(request, username=email, password=password) is not None


def current_code(device, offset: int = 0) -> str:
    """The 6-digit code an authenticator app shows now for ``device`` (a TOTPDevice)."""

    from django_otp.oath import totp

    return str(totp(device.bin_key, t0=device.t0, step=device.step, drift=offset)).zfill(6)
