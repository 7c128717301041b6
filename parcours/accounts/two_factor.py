"""Who must use two-factor authentication, and the devices that provide it.

The rule lives here and only here (:func:`requires_two_factor`): the middleware, the login and
the account pages all ask it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.organisations.models import STAFF_ROLES, Membership

from .models import BackupCodeDevice

#: Roles for which the second factor is mandatory: every staff role. Directors and referents
#: read restricted sections; intake and company-relations staff read the trainees' documents
#: (identity papers, CVs, certificates — a restricted section in the issue's terms) and can be
#: given a share of health and confidential content. Partners and the network: optional.
MANDATORY_ROLES = frozenset(STAFF_ROLES)
#: Set in the session after the password step when the user has a device: the code is due.
PENDING_SESSION_KEY = "parcours_otp_pending"
#: The secret being enrolled (kept in the session until a code confirms it).
SETUP_SESSION_KEY = "parcours_otp_setup_key"
BACKUP_CODE_COUNT = 10
_BACKUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def two_factor_mandatory(user: Any, memberships: Iterable[Membership] | None = None) -> bool:
    """True if ``user``'s role or access makes the second factor mandatory: an active staff
    membership (:data:`MANDATORY_ROLES`), or access to the technical administration.
    ``memberships`` (active ones) saves a query when the caller has them
    (``request.memberships``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if memberships is None:
        from parcours.organisations.middleware import active_memberships

        memberships = active_memberships(user)
    return any(m.role in MANDATORY_ROLES for m in memberships)


def requires_two_factor(user: Any, memberships: Iterable[Membership] | None = None) -> bool:
    """The rule enforced: :func:`two_factor_mandatory`, unless ``PARCOURS_REQUIRE_2FA`` is off
    (a lab install only)."""
    return settings.PARCOURS_REQUIRE_2FA and two_factor_mandatory(user, memberships)


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def backup_device(user: Any) -> BackupCodeDevice | None:
    return BackupCodeDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def new_totp_key() -> str:
    """A fresh TOTP secret, hex-encoded as django-otp stores it (20 random bytes)."""
    return secrets.token_hex(20)


def new_backup_code() -> str:
    """A code such as ``k7mq-x3pd9`` (10 characters from 31: about 50 bits)."""
    chars = "".join(secrets.choice(_BACKUP_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"
