"""Reads of legal guardians, scoped to the membership's school (another school's is a 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from parcours.organisations.models import Membership

from .models import LegalGuardian, Person


def guardians_for(membership: Membership, person: Person) -> QuerySet[LegalGuardian]:
    return LegalGuardian.objects.filter(school=membership.school, person=person).order_by("pk")


def get_guardian(membership: Membership, pk: int) -> LegalGuardian:
    return get_object_or_404(
        LegalGuardian.objects.filter(school=membership.school).select_related("person"), pk=pk
    )
