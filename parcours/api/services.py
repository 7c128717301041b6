"""Writes of API tokens: create (the secret is returned once) and revoke. Both audited in the
journal of the token's school."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership

from .models import PREFIX_LENGTH, ApiToken

#: Lifetimes offered when creating a token (days); the longest allowed is two years.
DEFAULT_LIFETIME_DAYS = 365
MAX_LIFETIME_DAYS = 730


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    """43 URL-safe characters (256 random bits)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown once to its owner, never stored


@transaction.atomic
def create_token(
    *,
    actor,
    membership: Membership,
    name: str,
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    now: datetime.datetime | None = None,
) -> CreatedToken:
    """A new token acting as ``membership`` (which must be the actor's own)."""
    if membership.user_id != actor.pk:
        raise ValidationError(_("Un jeton ne peut être créé que pour l'un de vos rattachements."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au jeton.")})
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValidationError({"lifetime_days": _("Un jeton vaut au plus deux ans.")})
    now = now or timezone.now()
    secret = new_secret()
    token = ApiToken(
        membership=membership,
        name=name,
        key_prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        created_at=now,
        created_by=actor,
        expires_at=now + datetime.timedelta(days=lifetime_days),
    )
    token.full_clean()
    token.save()
    record_event(
        actor=actor,
        action="api_token.create",
        target=token,
        school=membership.school,
        changes={"membership": membership.pk, "role": membership.role, "days": lifetime_days},
    )
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, actor, token: ApiToken, now: datetime.datetime | None = None) -> ApiToken:
    """Revoke ``token`` at once (a second revocation changes nothing and records nothing).
    Who may revoke it is the caller's check (the selectors give only the tokens one may see)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = now or timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        action="api_token.revoke",
        target=token,
        school=token.membership.school,
        changes={"membership": token.membership_id},
    )
    return token


def revoke_all_for_user(*, user, actor=None) -> int:
    """Revoke every token of ``user`` still in force (their password changed or was reset: a
    token minted by whoever knew the old one must not outlive it); each is audited."""
    now = timezone.now()
    tokens = list(
        ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True).select_related(
            "membership__school"
        )
    )
    for token in tokens:
        revoke_token(actor=actor or user, token=token, now=now)
    return len(tokens)
