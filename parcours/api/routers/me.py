"""``GET /me``: who the token acts as."""

from __future__ import annotations

from ninja import Router, Schema

from parcours.organisations.access import ROLE_PERMS

from ..auth import ANY_MEMBERSHIP, requires

router = Router()


class SchoolOut(Schema):
    slug: str
    name: str


class PartnerOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    membership_id: int
    role: str
    role_label: str
    school: SchoolOut | None
    partner: PartnerOut | None
    permissions: list[str]
    token_name: str
    token_expires_at: str


@router.get(
    "/me", response=MeOut, auth=requires(ANY_MEMBERSHIP), summary="Le rattachement du jeton"
)
def me(request):
    """L'école, le rôle et l'organisme partenaire au nom desquels le jeton agit, et ses
    permissions."""
    membership = request.membership
    token = request.api_token
    return {
        "membership_id": membership.pk,
        "role": membership.role,
        "role_label": str(membership.get_role_display()),
        "school": (
            {"slug": membership.school.slug, "name": membership.school.name}
            if membership.school
            else None
        ),
        "partner": (
            {"id": membership.partner.pk, "name": membership.partner.name}
            if membership.partner
            else None
        ),
        "permissions": sorted(str(p) for p in ROLE_PERMS.get(membership.role, ())),
        "token_name": token.name,
        "token_expires_at": token.expires_at.isoformat(),
    }
