"""The demo's API token: one for the flagship school's prescriber, so a newcomer can try the
API with ``curl`` right after ``parcours demo``.

Its secret is PUBLIC (written here and printed by the demo): it exists only in the demo
database, which must never hold real data. Real tokens are random and shown once
(parcours/api/services.py); this one is written directly, as the demo writes its history.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from parcours.api.models import PREFIX_LENGTH, ApiToken
from parcours.api.services import DEFAULT_LIFETIME_DAYS, hash_secret
from parcours.organisations.models import Membership, Role, School

#: Demo only — never a real token.
DEMO_API_SECRET = "demo-prescripteur-e2c63-ne-pas-utiliser-en-production"  # noqa: S105
DEMO_TOKEN_NAME = "Démonstration (curl)"  # noqa: S105


def build_api(school: School) -> ApiToken | None:
    """The demo prescriber's token (``school`` is the flagship school)."""
    membership = (
        Membership.objects.filter(school=school, role=Role.PRESCRIBER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    # Written as history, like the rest of the demo: no audit event (it would be falsely
    # dated; the journal's sample is audit_history.py's).
    now = timezone.now()
    token = ApiToken(
        membership=membership,
        name=DEMO_TOKEN_NAME,
        key_prefix=DEMO_API_SECRET[:PREFIX_LENGTH],
        key_hash=hash_secret(DEMO_API_SECRET),
        created_at=now,
        created_by=membership.user,
        expires_at=now + datetime.timedelta(days=DEFAULT_LIFETIME_DAYS),
    )
    token.full_clean()
    token.save()
    return token


def summary_line(base_url: str = "http://127.0.0.1:8000") -> str | None:
    """How to call the API with the demo token (for the demo command's summary)."""
    if not ApiToken.objects.filter(key_hash=hash_secret(DEMO_API_SECRET)).exists():
        return None
    return (
        "API : jeton de démonstration du prescripteur (secret public, démonstration "
        f"seulement) : curl -H 'Authorization: Bearer {DEMO_API_SECRET}' {base_url}/api/v1/me"
    )
