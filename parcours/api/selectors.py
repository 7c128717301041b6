"""Reads of API tokens: a user's own, and those of a school's members (for the director)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from parcours.organisations.models import Membership

from .models import ApiToken


def tokens_of_user(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership__user=user).select_related(
        "membership__school", "membership__partner"
    )


def get_own_token(user, pk: int) -> ApiToken:
    try:
        return tokens_of_user(user).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404("Aucun jeton de ce numéro parmi les vôtres.") from None


def tokens_of_school(membership: Membership) -> QuerySet[ApiToken]:
    """Every token of the members of ``membership``'s school (the director's page)."""
    return ApiToken.objects.filter(membership__school=membership.school).select_related(
        "membership__user", "membership__partner", "created_by", "revoked_by"
    )


def get_school_token(membership: Membership, pk: int) -> ApiToken:
    try:
        return tokens_of_school(membership).get(pk=pk)
    except ApiToken.DoesNotExist:
        raise Http404("Aucun jeton de ce numéro dans cette école.") from None
