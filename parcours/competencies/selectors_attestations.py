"""Scoped reads of attestations.

Staff read an enrolment's attestations through the enrolment (already fetched with
``pathways.selectors.get_enrolment``, so scoped to the membership's school). The public
verification page reads one attestation by its school and secret token, and shows only what
``public_summary`` returns.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.models import Membership
from parcours.pathways.models import Enrolment

from .models import Attestation


def attestations_of(membership: Membership, enrolment: Enrolment) -> QuerySet[Attestation]:
    """The enrolment's attestations, newest first (valid and revoked)."""
    return (
        Attestation.objects.filter(school=membership.school_id, enrolment=enrolment)
        .select_related("issued_by", "revoked_by", "replaced_by", "replaces")
        .order_by("-issued_on", "-id")
    )


def get_attestation(membership: Membership, enrolment: Enrolment, pk: int) -> Attestation:
    return get_object_or_404(attestations_of(membership, enrolment), pk=pk)


def public_attestation(school_slug: str, token: str) -> Attestation:
    """The attestation a verification link names (404 when the pair is unknown)."""
    return get_object_or_404(
        Attestation.objects.select_related("school", "replaced_by"),
        school__slug=school_slug,
        token=token,
    )


def public_summary(attestation: Attestation) -> dict[str, Any]:
    """All the verification page may show: number, school, holder's name, date, status."""
    trainee = attestation.content.get("trainee", {})
    replaced_by = attestation.replaced_by
    return {
        "number": attestation.number,
        "school_name": attestation.content.get("school", {}).get("name") or attestation.school.name,
        "first_name": trainee.get("first_name", ""),
        "last_name": trainee.get("last_name", ""),
        "issued_on": attestation.issued_on,
        "is_valid": attestation.is_valid,
        "revoked_on": timezone.localtime(attestation.revoked_at).date()
        if attestation.revoked_at
        else None,
        "replaced_by_number": replaced_by.number if replaced_by else "",
    }


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def display_content(content: dict[str, Any]) -> dict[str, Any]:
    """A frozen content ready for a template: its ISO dates as dates."""
    school = content.get("school", {})
    pathway = content.get("pathway", {})
    return {
        **content,
        "issued_on": _day(content.get("issued_on")),
        "birth_date": _day(content.get("trainee", {}).get("birth_date")),
        "entry_date": _day(pathway.get("entry_date")),
        "exit_date": _day(pathway.get("exit_date")),
        "label_valid_from": _day(school.get("label_valid_from")),
        "label_valid_until": _day(school.get("label_valid_until")),
        "certifications": [
            {**item, "date": _day(item.get("date"))} for item in content.get("certifications", [])
        ],
    }
