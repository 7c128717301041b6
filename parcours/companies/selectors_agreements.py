"""Reads of the agreement area (internship agreements, signatures, hires), scoped to the
membership's school: another school's object is a 404. Also the content of the agreement PDF."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from parcours.organisations.models import Membership, Role
from parcours.people.models import LegalGuardian

from .agreements import missing_signatures, trainee_is_minor
from .models import AgreementSignature, Company, Hire, Internship, InternshipKind, SignatoryRole


def internships_for(membership: Membership) -> QuerySet[Internship]:
    return Internship.objects.filter(school=membership.school).select_related(
        "enrolment__person",
        "enrolment__site",
        "company",
        "tutor",
        "signatory",
        "second_signatory",
        "prescriber",
        "agreement_scan",
    )


def get_internship(membership: Membership, pk: int) -> Internship:
    return get_object_or_404(internships_for(membership), pk=pk)


def get_signature(membership: Membership, pk: int) -> AgreementSignature:
    return get_object_or_404(
        AgreementSignature.objects.filter(school=membership.school).select_related(
            "internship__enrolment__person", "internship__company"
        ),
        pk=pk,
    )


def get_hire(membership: Membership, pk: int) -> Hire:
    return get_object_or_404(
        Hire.objects.filter(school=membership.school).select_related(
            "enrolment__person", "company", "internship__company"
        ),
        pk=pk,
    )


def companies_for_choice(membership: Membership) -> QuerySet[Company]:
    """The school's companies that a new hire may name (archived ones apart)."""
    return Company.objects.filter(school=membership.school, archived_at__isnull=True).order_by(
        "name", "pk"
    )


def is_minor_at_start(internship: Internship) -> bool:
    return trainee_is_minor(internship)


def guardians_of(internship: Internship) -> list[LegalGuardian]:
    return list(
        LegalGuardian.objects.filter(
            school=internship.school_id, person=internship.enrolment.person_id
        ).order_by("pk")
    )


def panel_internship(internship: Internship) -> Internship:
    """The internship again with what the agreement panel shows, in a constant number of
    queries: signatures (with their recorder), hires, the scan, the trainee."""
    return (
        Internship.objects.filter(pk=internship.pk)
        .select_related("enrolment__person", "agreement_scan", "second_signatory", "signatory")
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=AgreementSignature.objects.select_related("recorded_by").order_by("pk"),
            ),
            Prefetch("hires", queryset=Hire.objects.select_related("company").order_by("pk")),
        )
        .get()
    )


def school_director_name(internship: Internship, day: datetime.date | None = None) -> str:
    """The name of the school's director (the first active one by name), or ``""``."""
    day = day or timezone.localdate()
    director = (
        Membership.objects.active_on(day)
        .filter(school=internship.school_id, role=Role.DIRECTOR)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
        .first()
    )
    return director.user.get_full_name() if director else ""


def _address(address: str, postcode: str, commune: str) -> str:
    place = " ".join(part for part in (postcode, commune) if part)
    return ", ".join(part for part in (address, place) if part)


def agreement_document(internship: Internship, today: datetime.date | None = None) -> dict:
    """Everything the agreement PDF shows, read once (the template does no query)."""
    today = today or timezone.localdate()
    internship = (
        internships_for_pdf()
        .filter(pk=internship.pk, school=internship.school_id)
        .prefetch_related(
            Prefetch("signatures", queryset=AgreementSignature.objects.order_by("pk")),
            "goals__competency",
        )
        .get()
    )
    enrolment = internship.enrolment
    person = enrolment.person
    site = enrolment.site
    minor = is_minor_at_start(internship)
    signatures = {signature.role: signature for signature in internship.signatures.all()}
    missing = missing_signatures(internship)
    company = internship.company
    signature_blocks: list[dict[str, Any]] = []
    names = {
        SignatoryRole.SCHOOL: school_director_name(internship, today),
        SignatoryRole.TRAINEE: person.full_name,
        SignatoryRole.COMPANY: internship.signatory.full_name,
        SignatoryRole.COMPANY_SECOND: (
            internship.second_signatory.full_name if internship.second_signatory else ""
        ),
    }
    guardians = guardians_of(internship) if minor else []
    if guardians:
        names[SignatoryRole.GUARDIAN] = guardians[0].full_name
    for role in SignatoryRole:
        required = role.value in missing or role.value in signatures
        if role == SignatoryRole.GUARDIAN and not minor:
            required = False
        if role == SignatoryRole.COMPANY_SECOND and internship.second_signatory_id is None:
            required = False
        if not required:
            continue
        signature = signatures.get(role.value)
        signature_blocks.append(
            {
                "role": role.value,
                "label": role.label,
                "name": signature.signer_name if signature else names.get(role, ""),
                "signed_on": signature.signed_on if signature else None,
            }
        )
    return {
        "internship": internship,
        "is_pmsmp": internship.kind == InternshipKind.PMSMP,
        "school": {
            "name": internship.school.name,
            "legal_carrier": internship.school.legal_carrier,
            "site": site.name if site else "",
            "address": _address(site.address, site.postcode, site.commune) if site else "",
            "city": site.commune if site else "",
            "director": names[SignatoryRole.SCHOOL],
        },
        "trainee": {
            "name": person.full_name,
            "birth_date": person.birth_date,
            "address": _address(person.address, person.postcode, person.commune),
            "email": person.email,
            "minor": minor,
            "age": person.age_on(internship.start_date),
        },
        "guardians": guardians,
        "company": {
            "name": company.name,
            "siret": company.siret,
            "naf_code": company.naf_code,
            "address": _address(company.address, company.postcode, company.commune),
        },
        "signatory": internship.signatory,
        "second_signatory": internship.second_signatory,
        "tutor": internship.tutor,
        "prescriber": internship.prescriber,
        "goals": list(internship.goals.all()),
        "signatures": signature_blocks,
        "signature_rows": [
            signature_blocks[start : start + 2] for start in range(0, len(signature_blocks), 2)
        ],
        "missing": [SignatoryRole(role).label for role in missing],
        "printed_on": today,
    }


def internships_for_pdf() -> QuerySet[Internship]:
    """Internships with every row the PDF names (callers scope it first: see the view)."""
    return Internship.objects.select_related(
        "school",
        "enrolment__person",
        "enrolment__site",
        "company",
        "tutor",
        "signatory",
        "second_signatory",
        "prescriber",
    )
