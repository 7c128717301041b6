"""The demo's API token: one for the flagship school's prescriber, so a newcomer can try the
API with ``curl`` right after ``parcours demo``.

Its secret is PUBLIC (written here and printed by the demo): it exists only in the demo
database, which must never hold real data. Real tokens are random and shown once
(parcours/api/services.py); this one is set after creation, the way the demo dates its
history after the fact.
"""

from __future__ import annotations

from parcours.api.models import PREFIX_LENGTH, ApiToken
from parcours.api.services import create_token, hash_secret
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
    token = create_token(actor=membership.user, membership=membership, name=DEMO_TOKEN_NAME).token
    ApiToken.objects.filter(pk=token.pk).update(
        key_prefix=DEMO_API_SECRET[:PREFIX_LENGTH], key_hash=hash_secret(DEMO_API_SECRET)
    )
    return token


def summary_line(base_url: str = "http://127.0.0.1:8000") -> str | None:
    """How to call the API with the demo token (for the demo command's summary)."""
    if not ApiToken.objects.filter(key_hash=hash_secret(DEMO_API_SECRET)).exists():
        return None
    return (
        "API : jeton de démonstration du prescripteur (secret public, démonstration "
        f"seulement) : curl -H 'Authorization: Bearer {DEMO_API_SECRET}' {base_url}/api/v1/me"
    )
