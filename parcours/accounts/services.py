"""Every write to an account's security settings: one transaction, one audit event each.

Account events concern no school: they are recorded with ``school=None`` and name the user by
kind and id only.
"""

from __future__ import annotations

import datetime
import time
from binascii import unhexlify

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from parcours.audit.services import record_event

from . import two_factor
from .models import BackupCode, BackupCodeDevice, User

TOTP_NAME = "Application d'authentification"
BACKUP_NAME = "Codes de secours"


def _audit(*, actor: User, user: User, action: str, ip_address: str | None, **changes) -> None:
    """One event per school the account is active in (each director sees it in their school's
    journal); one without a school for an account that belongs to none (the administration)."""
    from parcours.organisations.models import Membership

    memberships = (
        Membership.objects.active_on(timezone.localdate())
        .filter(user=user, school__isnull=False)
        .select_related("school")
    )
    schools = list({m.school_id: m.school for m in memberships}.values()) or [None]
    for school in schools:
        record_event(
            actor=actor,
            action=action,
            target=user,
            school=school,
            changes=changes,
            ip_address=ip_address,
        )


def check_totp(key_hex: str, token: str) -> int | None:
    """The time step ``token`` matches for the secret ``key_hex`` (one step of tolerance each
    way, for a phone's clock), or None."""
    token = "".join(str(token).split())
    if not (token.isdigit() and len(token) == 6):
        return None
    totp = TOTP(unhexlify(key_hex.encode()), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if totp.verify(int(token), tolerance=1):
        return totp.t()  # the matching step (verify() kept the offset it matched)
    return None


def enable_two_factor(
    *, user: User, key_hex: str, token: str, ip_address: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm an authenticator app with a code it shows; create the backup codes. Returns the
    device and the backup codes in clear (to show once). Rotates the session token: the user's
    other sessions (opened with the password only) end."""
    step = check_totp(key_hex, token)
    if step is None:
        raise ValidationError(
            _("Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et réessayez."),
            code="invalid_code",
        )
    with transaction.atomic():
        if two_factor.has_two_factor(user):
            raise ValidationError(
                _("La double authentification est déjà activée sur ce compte."), code="exists"
            )
        TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers, if any
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_NAME, key=key_hex, confirmed=True, last_t=step
        )
        codes = _replace_backup_codes(user)
        user.rotate_session_token()
        user.save(update_fields=["session_token"])
        _audit(actor=user, user=user, action="account.two_factor.enable", ip_address=ip_address)
    return device, codes


def _replace_backup_codes(user: User) -> list[str]:
    device, _created = BackupCodeDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = [two_factor.new_backup_code() for _ in range(two_factor.BACKUP_CODE_COUNT)]
    from .models import hash_backup_code

    BackupCode.objects.bulk_create(
        BackupCode(device=device, code_hash=hash_backup_code(device.pk, code)) for code in codes
    )
    return codes


def regenerate_backup_codes(*, user: User, ip_address: str | None = None) -> list[str]:
    """New backup codes replace the old ones (which stop working). Returns them in clear."""
    if not two_factor.has_two_factor(user):
        raise ValidationError(
            _("Activez d'abord la double authentification."), code="no_two_factor"
        )
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        _audit(
            actor=user,
            user=user,
            action="account.two_factor.backup_codes",
            ip_address=ip_address,
            count=len(codes),
        )
    return codes


def disable_two_factor(*, user: User, ip_address: str | None = None) -> None:
    """Remove the user's devices: allowed only when the second factor is optional for them."""
    if two_factor.two_factor_mandatory(user):
        raise ValidationError(
            _("La double authentification est obligatoire pour votre rôle : elle reste activée."),
            code="mandatory",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        BackupCodeDevice.objects.filter(user=user).delete()
        _audit(actor=user, user=user, action="account.two_factor.disable", ip_address=ip_address)


def end_all_sessions(
    *, user: User, actor: User | None = None, ip_address: str | None = None, reason: str = "user"
) -> None:
    """Log ``user`` out everywhere: every session checks the session hash on its next request
    and the hash includes ``session_token``, which changes here."""
    with transaction.atomic():
        user.rotate_session_token()
        user.save(update_fields=["session_token"])
        _audit(
            actor=actor or user,
            user=user,
            action="account.sessions.end_all",
            ip_address=ip_address,
            reason=reason,
        )


def purge_login_records(*, now: datetime.datetime | None = None) -> int:
    """Delete old login records (django-axes keeps e-mail and IP addresses): the logs of
    logins and failures after ``PARCOURS_LOGIN_RECORDS_DAYS`` days (90), the failure counters
    once a day has passed (their cool-off is long over). A ``parcours daily`` task."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PARCOURS_LOGIN_RECORDS_DAYS)
    counters_cutoff = now - max(settings.AXES_COOLOFF_TIME, datetime.timedelta(days=1))
    deleted = AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0]
    deleted += AccessAttempt.objects.filter(attempt_time__lt=counters_cutoff).delete()[0]
    return deleted


def record_password_change(*, user: User, action: str, ip_address: str | None = None) -> None:
    """Audit a password change (``account.password.change``) or reset (``...reset``), and
    revoke the user's API tokens (minted by whoever knew the old password, they must not
    outlive it)."""
    from parcours.api.services import revoke_all_for_user

    with transaction.atomic():
        _audit(actor=user, user=user, action=action, ip_address=ip_address)
        revoke_all_for_user(user=user)
