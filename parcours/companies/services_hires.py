"""Writes of hires: a contract that follows an internship (or that a company offers the
trainee directly). One transaction and one audit event each; a refused write raises
``ValidationError`` with a French message and writes nothing.

Rules: the contract type is one of ``ContractType``; its length in months is given for the
fixed-term contracts (``CONTRACTS_WITH_LENGTH``), from 1 to 60, and only for them; a hire that
follows an internship is with the internship's company and starts on or after its first day.

Recording a hire also writes a "hire" entry in the company's relationship history. The entry
has no link to the hire (the model has none), so updating or deleting the hire finds it again by
company, kind, date and summary — TODO-LEAD: a ``CompanyEvent.hire`` link would be sturdier.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.audit.services import diff_fields, record_event, snapshot
from parcours.organisations.models import Membership
from parcours.pathways.models import Enrolment

from .models import (
    CONTRACTS_WITH_LENGTH,
    Company,
    CompanyEvent,
    CompanyEventKind,
    ContractType,
    Hire,
    Internship,
)

MIN_MONTHS = 1
MAX_MONTHS = 60
FIELDS = ["company", "contract_type", "months", "job_title", "start_date"]


def _check(
    *,
    membership: Membership,
    enrolment: Enrolment,
    company: Company,
    internship: Internship | None,
    contract_type: str,
    months: int | None,
    job_title: str,
    start_date: datetime.date,
) -> tuple[int | None, str]:
    """Validate a hire; return the months and job title to store."""
    school_id = membership.school_id
    if enrolment.school_id != school_id or company.school_id != school_id:
        raise ValidationError(_("Parcours ou entreprise inconnu."))
    if internship is not None:
        if internship.school_id != school_id or internship.enrolment_id != enrolment.pk:
            raise ValidationError(_("Stage inconnu."))
        if company.pk != internship.company_id:
            raise ValidationError(
                _("Une embauche qui suit un stage se fait dans l'entreprise du stage.")
            )
        if start_date < internship.start_date:
            raise ValidationError(
                _("L'embauche ne peut pas commencer avant le début du stage (%(day)s).")
                % {"day": internship.start_date.strftime("%d/%m/%Y")}
            )
    if contract_type not in ContractType.values:
        raise ValidationError(_("Choisissez le type de contrat dans la liste."))
    label = ContractType(contract_type).label
    if contract_type in CONTRACTS_WITH_LENGTH:
        if months is None:
            raise ValidationError(
                _("Indiquez la durée du contrat en mois (%(type)s).") % {"type": label}
            )
        if not MIN_MONTHS <= months <= MAX_MONTHS:
            raise ValidationError(
                _("La durée du contrat va de %(min)d à %(max)d mois.")
                % {"min": MIN_MONTHS, "max": MAX_MONTHS}
            )
    elif months is not None:
        raise ValidationError(
            _("Un contrat « %(type)s » n'a pas de durée en mois : laissez la durée vide.")
            % {"type": label}
        )
    job_title = " ".join(job_title.split())
    if not job_title:
        raise ValidationError(_("Indiquez le poste occupé."))
    if len(job_title) > 150:
        raise ValidationError(_("L'intitulé du poste est trop long (150 caractères au plus)."))
    return months, job_title


def event_summary(hire: Hire) -> str:
    """The history entry of a hire: contract, length and job (never the trainee's name)."""
    if hire.months:
        contract = _("%(type)s de %(months)d mois") % {
            "type": hire.get_contract_type_display(),
            "months": hire.months,
        }
    else:
        contract = str(hire.get_contract_type_display())
    summary = _("Embauche en %(contract)s : %(job)s.") % {
        "contract": contract,
        "job": hire.job_title,
    }
    if hire.internship_id:
        summary += " " + _("Suite à un stage.")
    return summary


def _history_entry(hire: Hire) -> CompanyEvent | None:
    return (
        CompanyEvent.objects.filter(
            school=hire.school_id,
            company=hire.company_id,
            kind=CompanyEventKind.HIRE,
            happened_on=hire.start_date,
            summary=event_summary(hire),
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def record_hire(
    *,
    membership: Membership,
    contract_type: str,
    job_title: str,
    start_date: datetime.date,
    months: int | None = None,
    internship: Internship | None = None,
    enrolment: Enrolment | None = None,
    company: Company | None = None,
    ip_address: str | None = None,
) -> Hire:
    """Record a hire after ``internship`` (its enrolment and company then), or for
    ``enrolment`` with ``company`` directly."""
    if internship is not None:
        enrolment = enrolment or internship.enrolment
        company = company or internship.company
    if enrolment is None or company is None:
        raise ValidationError(_("Indiquez l'entreprise qui embauche."))
    months, job_title = _check(
        membership=membership,
        enrolment=enrolment,
        company=company,
        internship=internship,
        contract_type=contract_type,
        months=months,
        job_title=job_title,
        start_date=start_date,
    )
    hire = Hire.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        company=company,
        internship=internship,
        contract_type=contract_type,
        months=months,
        job_title=job_title,
        start_date=start_date,
        recorded_by=membership.user,
    )
    event = CompanyEvent.objects.create(
        school=enrolment.school,
        company=company,
        kind=CompanyEventKind.HIRE,
        happened_on=start_date,
        summary=event_summary(hire),
        recorded_by=membership.user,
    )
    record_event(
        actor=membership.user,
        action="hire.create",
        target=hire,
        school=enrolment.school,
        changes={
            "enrolment": enrolment.pk,
            "internship": internship.pk if internship else None,
            "company": company.pk,
            "contract_type": contract_type,
            "months": months,
            "start_date": start_date.isoformat(),
            "company_event": event.pk,
        },
        ip_address=ip_address,
    )
    return hire


@transaction.atomic
def update_hire(
    *,
    membership: Membership,
    hire: Hire,
    contract_type: str,
    job_title: str,
    start_date: datetime.date,
    months: int | None = None,
    company: Company | None = None,
    ip_address: str | None = None,
) -> Hire:
    """Correct a hire (its company only when it does not follow an internship)."""
    if hire.school_id != membership.school_id:
        raise ValidationError(_("Embauche inconnue."))
    company = company or hire.company
    months, job_title = _check(
        membership=membership,
        enrolment=hire.enrolment,
        company=company,
        internship=hire.internship,
        contract_type=contract_type,
        months=months,
        job_title=job_title,
        start_date=start_date,
    )
    entry = _history_entry(hire)
    before = snapshot(hire, FIELDS)
    hire.company = company
    hire.contract_type = contract_type
    hire.months = months
    hire.job_title = job_title
    hire.start_date = start_date
    changes = diff_fields(hire, before, FIELDS)
    if not changes:
        return hire
    hire.save(update_fields=[*changes])
    if entry is not None:
        entry.company = company
        entry.happened_on = start_date
        entry.summary = event_summary(hire)
        entry.save(update_fields=["company", "happened_on", "summary"])
    record_event(
        actor=membership.user,
        action="hire.update",
        target=hire,
        school=hire.school,
        changes={name: values for name, values in changes.items() if name != "job_title"}
        | ({"job_title": "changed"} if "job_title" in changes else {}),
        ip_address=ip_address,
    )
    return hire


@transaction.atomic
def delete_hire(*, membership: Membership, hire: Hire, ip_address: str | None = None) -> None:
    """Delete a hire recorded by mistake, with its entry in the company's history."""
    if hire.school_id != membership.school_id:
        raise ValidationError(_("Embauche inconnue."))
    entry = _history_entry(hire)
    record_event(
        actor=membership.user,
        action="hire.delete",
        target=hire,
        school=hire.school,
        changes={
            "enrolment": hire.enrolment_id,
            "internship": hire.internship_id,
            "company": hire.company_id,
            "company_event": entry.pk if entry else None,
        },
        ip_address=ip_address,
    )
    hire.delete()
    if entry is not None:
        entry.delete()
