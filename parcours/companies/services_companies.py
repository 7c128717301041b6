"""Writes of the partner companies, their contacts and the relationship history.

Every function takes keyword-only arguments, runs in one transaction and writes its audit
event (the record named by kind and id; ``changes`` holds field names, codes, dates and ids,
never a name or free text). Bad input raises a ``ValidationError`` whose messages are in
French, keyed by field where there is one; nothing is written then.

- SIRET: spaces removed, then checked with python-stdnum (14 digits, Luhn check digit); the
  same SIRET twice in a school is refused with the name of the company that has it.
- NAF/APE code: ``47.11F`` or ``4711F`` (any case, spaces ignored), stored as ``47.11F``.
- Phone numbers are stored in E.164 (``parcours.people.phones``).
- An archived company takes no new contact or history entry until it is unarchived.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

from parcours.audit.services import record_event, snapshot
from parcours.organisations.models import Membership
from parcours.people.phones import normalise_phone

from .models import Company, CompanyEvent, CompanyEventKind, CompanySize, Contact, Sector

#: What a company form may set (``school``, ``created_by`` and ``archived_at`` never come from
#: input).
COMPANY_FIELDS = (
    "name",
    "siret",
    "naf_code",
    "sector",
    "size",
    "address",
    "postcode",
    "commune",
    "phone",
    "email",
    "website",
    "notes",
)
#: Fields whose values may go into the audit event (codes, not free text, names or
#: identifiers: a sole trader's SIRET names a person).
COMPANY_CODE_FIELDS = ("naf_code", "sector", "size")
CONTACT_FIELDS = (
    "last_name",
    "first_name",
    "job_title",
    "email",
    "phone",
    "is_tutor",
    "is_hr",
    "is_signatory",
)
CONTACT_ROLE_FIELDS = ("is_tutor", "is_hr", "is_signatory")
MAX_SUMMARY = 4000
NAF_PATTERN = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")
POSTCODE_PATTERN = re.compile(r"^\d{5}$")
SIRET_CONSTRAINT = "company_siret_unique_per_school"


# ------------------------------------------------------------------------------ checks


def normalise_siret(raw: str) -> str:
    """``'732 829 320 00074'`` → ``'73282932000074'`` (spaces, dots and dashes removed)."""
    return re.sub(r"[\s.\-]", "", raw or "")


def check_siret(raw: str) -> str:
    """The SIRET without spaces, or ``''``; raises ``ValidationError`` with a French message."""
    value = normalise_siret(raw)
    if not value:
        return ""
    try:  # InvalidLength is a kind of InvalidFormat: it is caught first
        return stdnum_siret.validate(value)
    except InvalidLength as error:
        raise ValidationError(
            _("Un SIRET compte 14 chiffres (%(n)d saisis).") % {"n": len(value)}
        ) from error
    except (InvalidChecksum, InvalidComponent) as error:
        raise ValidationError(
            _(
                "Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas "
                "(vérifiez les 14 chiffres, par exemple sur un extrait Kbis)."
            )
        ) from error
    except InvalidFormat as error:
        raise ValidationError(
            _("Un SIRET ne contient que des chiffres (14 chiffres, les espaces sont ignorés).")
        ) from error


def normalise_naf(raw: str) -> str:
    """``'4711f'`` or ``'47.11 F'`` → ``'47.11F'``; ``''`` stays empty; raises in French."""
    value = re.sub(r"\s", "", raw or "").upper()
    if not value:
        return ""
    match = NAF_PATTERN.match(value)
    if match is None:
        raise ValidationError(
            _(
                "Le code NAF/APE s'écrit avec quatre chiffres et une lettre, "
                "par exemple 47.11F (ou 4711F)."
            )
        )
    return f"{match[1]}.{match[2]}{match[3]}"


def _clean_company_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The fields, normalised, and the French messages by field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(fields)
    for name in ("name", "address", "postcode", "commune", "website", "email", "notes"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = [_("Indiquez la raison sociale de l'entreprise.")]
    if "sector" in cleaned and cleaned["sector"] not in Sector.values:
        errors["sector"] = [_("Choisissez un secteur dans la liste.")]
    if "size" in cleaned:
        cleaned["size"] = cleaned["size"] or ""
        if cleaned["size"] and cleaned["size"] not in CompanySize.values:
            errors["size"] = [_("Choisissez un effectif dans la liste.")]
    for name, check in (("siret", check_siret), ("naf_code", normalise_naf)):
        if name in cleaned:
            try:
                cleaned[name] = check(cleaned[name])
            except ValidationError as error:
                errors[name] = error.messages
    if cleaned.get("postcode") and not POSTCODE_PATTERN.match(cleaned["postcode"]):
        errors["postcode"] = [_("Le code postal compte 5 chiffres.")]
    if "phone" in cleaned:
        try:
            cleaned["phone"] = normalise_phone(cleaned["phone"])
        except ValidationError as error:
            errors["phone"] = error.messages
    return cleaned, errors


def _duplicate_siret_message(existing: Company) -> str:
    if existing.is_archived:
        return _(
            "Ce SIRET est déjà celui de l'entreprise « %(name)s » (archivée) : "
            "désarchivez-la plutôt que d'en créer une autre."
        ) % {"name": existing.name}
    return _("Ce SIRET est déjà celui de l'entreprise « %(name)s ».") % {"name": existing.name}


def _check_siret_free(membership: Membership, siret: str, exclude: int | None) -> None:
    if not siret:
        return
    existing = (
        Company.objects.filter(school=membership.school_id, siret=siret).exclude(pk=exclude).first()
    )
    if existing is not None:
        raise ValidationError({"siret": [_duplicate_siret_message(existing)]})


def _full_clean(instance, exclude: list[str] | None = None) -> None:
    """Model validation (lengths, e-mail and URL formats) with the messages by field."""
    instance.full_clean(exclude=exclude, validate_constraints=False)


def _save_company(membership: Membership, company: Company) -> None:
    """Save, turning the database's duplicate-SIRET refusal (two writes at once) into the same
    French message."""
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError as error:
        existing = Company.objects.filter(school=membership.school_id, siret=company.siret).first()
        if existing is None:
            raise
        raise ValidationError({"siret": [_duplicate_siret_message(existing)]}) from error


def _check_company_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown company fields: {sorted(unknown)}")


def _changes(before: dict[str, Any], after: dict[str, Any], code_fields: tuple) -> dict:
    """``{"fields": [...changed names], "values": {code field: [old, new]}}``."""
    changed = sorted(name for name in after if before.get(name) != after[name])
    values = {name: [before.get(name), after[name]] for name in changed if name in code_fields}
    result: dict[str, Any] = {"fields": changed}
    if values:
        result["values"] = values
    return result


def _check_school(membership: Membership, obj) -> None:
    if obj.school_id != membership.school_id:
        raise ValueError("The record belongs to another school")


def _refuse_if_archived(company: Company) -> None:
    if company.is_archived:
        raise ValidationError(
            _("L'entreprise « %(name)s » est archivée : désarchivez-la d'abord.")
            % {"name": company.name}
        )


# ------------------------------------------------------------------------------ companies


def create_company(
    *, membership: Membership, ip_address: str | None = None, **fields: Any
) -> Company:
    """Create a partner company of the membership's school from ``COMPANY_FIELDS``."""
    _check_company_fields(fields)
    fields.setdefault("name", "")
    fields.setdefault("sector", "")
    cleaned, errors = _clean_company_fields(fields)
    if errors:
        raise ValidationError(errors)
    company = Company(school=membership.school, created_by=membership.user, **cleaned)
    _full_clean(company, exclude=["school", "created_by"])
    with transaction.atomic():
        _check_siret_free(membership, company.siret, exclude=None)
        _save_company(membership, company)
        record_event(
            actor=membership.user,
            school=membership.school,
            action="company.create",
            target=company,
            changes=_changes({}, snapshot(company, list(COMPANY_FIELDS)), COMPANY_CODE_FIELDS),
            ip_address=ip_address,
        )
    return company


def update_company(
    *,
    membership: Membership,
    company: Company,
    ip_address: str | None = None,
    **fields: Any,
) -> Company:
    """Change the given ``COMPANY_FIELDS`` of ``company``."""
    _check_school(membership, company)
    _check_company_fields(fields)
    cleaned, errors = _clean_company_fields(fields)
    if errors:
        raise ValidationError(errors)
    names = list(COMPANY_FIELDS)
    before = snapshot(company, names)
    for name, value in cleaned.items():
        setattr(company, name, value)
    try:
        _full_clean(company, exclude=["school", "created_by"])
        with transaction.atomic():
            _check_siret_free(membership, company.siret, exclude=company.pk)
            changes = _changes(before, snapshot(company, names), COMPANY_CODE_FIELDS)
            if not changes["fields"]:
                return company
            _save_company(membership, company)
            record_event(
                actor=membership.user,
                school=membership.school,
                action="company.update",
                target=company,
                changes=changes,
                ip_address=ip_address,
            )
    except ValidationError:
        for name, value in before.items():  # the caller's object is left as it was
            setattr(company, name, value)
        raise
    return company


def archive_company(
    *, membership: Membership, company: Company, ip_address: str | None = None
) -> Company:
    """Archive a company: it leaves the list (its history, internships and hires stay)."""
    _check_school(membership, company)
    if company.is_archived:
        raise ValidationError(_("Cette entreprise est déjà archivée."))
    with transaction.atomic():
        company.archived_at = timezone.now()
        company.save(update_fields=["archived_at"])
        record_event(
            actor=membership.user,
            school=membership.school,
            action="company.archive",
            target=company,
            ip_address=ip_address,
        )
    return company


def unarchive_company(
    *, membership: Membership, company: Company, ip_address: str | None = None
) -> Company:
    _check_school(membership, company)
    if not company.is_archived:
        raise ValidationError(_("Cette entreprise n'est pas archivée."))
    with transaction.atomic():
        company.archived_at = None
        company.save(update_fields=["archived_at"])
        record_event(
            actor=membership.user,
            school=membership.school,
            action="company.unarchive",
            target=company,
            ip_address=ip_address,
        )
    return company


# ------------------------------------------------------------------------------ contacts


def _clean_contact_fields(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown contact fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = dict(fields)
    for name in ("last_name", "first_name", "job_title", "email"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "last_name" in cleaned and not cleaned["last_name"]:
        errors["last_name"] = [_("Indiquez le nom du contact.")]
    if "first_name" in cleaned and not cleaned["first_name"]:
        errors["first_name"] = [_("Indiquez le prénom du contact.")]
    for name in CONTACT_ROLE_FIELDS:
        if name in cleaned:
            cleaned[name] = bool(cleaned[name])
    if "phone" in cleaned:
        try:
            cleaned["phone"] = normalise_phone(cleaned["phone"])
        except ValidationError as error:
            errors["phone"] = error.messages
    return cleaned, errors


def add_contact(
    *,
    membership: Membership,
    company: Company,
    ip_address: str | None = None,
    **fields: Any,
) -> Contact:
    """Add a person of ``company`` (``CONTACT_FIELDS``; a contact may have no role yet)."""
    _check_school(membership, company)
    _refuse_if_archived(company)
    fields.setdefault("last_name", "")
    fields.setdefault("first_name", "")
    cleaned, errors = _clean_contact_fields(fields)
    if errors:
        raise ValidationError(errors)
    contact = Contact(school=membership.school, company=company, **cleaned)
    _full_clean(contact, exclude=["school", "company"])
    with transaction.atomic():
        contact.save()
        record_event(
            actor=membership.user,
            school=membership.school,
            action="contact.create",
            target=contact,
            changes={
                "company": company.pk,
                **{name: getattr(contact, name) for name in CONTACT_ROLE_FIELDS},
            },
            ip_address=ip_address,
        )
    return contact


def update_contact(
    *,
    membership: Membership,
    contact: Contact,
    ip_address: str | None = None,
    **fields: Any,
) -> Contact:
    _check_school(membership, contact)
    cleaned, errors = _clean_contact_fields(fields)
    if errors:
        raise ValidationError(errors)
    names = list(CONTACT_FIELDS)
    before = snapshot(contact, names)
    for name, value in cleaned.items():
        setattr(contact, name, value)
    try:
        _full_clean(contact, exclude=["school", "company"])
    except ValidationError:
        for name, value in before.items():
            setattr(contact, name, value)
        raise
    changes = _changes(before, snapshot(contact, names), CONTACT_ROLE_FIELDS)
    if not changes["fields"]:
        return contact
    with transaction.atomic():
        contact.save()
        record_event(
            actor=membership.user,
            school=membership.school,
            action="contact.update",
            target=contact,
            changes=changes,
            ip_address=ip_address,
        )
    return contact


def set_contact_active(
    *,
    membership: Membership,
    contact: Contact,
    active: bool,
    ip_address: str | None = None,
) -> Contact:
    """Deactivate a contact who left the company (kept for the history and the internships
    they tutored, no longer offered for new ones), or reactivate them."""
    _check_school(membership, contact)
    if contact.active == active:
        raise ValidationError(
            _("Ce contact est déjà actif.") if active else _("Ce contact est déjà désactivé.")
        )
    if active:
        _refuse_if_archived(contact.company)
    with transaction.atomic():
        contact.active = active
        contact.save(update_fields=["active"])
        record_event(
            actor=membership.user,
            school=membership.school,
            action="contact.reactivate" if active else "contact.deactivate",
            target=contact,
            ip_address=ip_address,
        )
    return contact


# ------------------------------------------------------------------------------ history


def record_company_event(
    *,
    membership: Membership,
    company: Company,
    kind: str,
    happened_on: datetime.date,
    contact: Contact | None = None,
    summary: str = "",
    ip_address: str | None = None,
) -> CompanyEvent:
    """Add an entry to the relationship history (visit, call, job offer, hire, event…)."""
    _check_school(membership, company)
    _refuse_if_archived(company)
    errors: dict[str, list[str]] = {}
    if kind not in CompanyEventKind.values:
        errors["kind"] = [_("Choisissez le type d'échange dans la liste.")]
    if happened_on is None:
        errors["happened_on"] = [_("Indiquez la date.")]
    elif happened_on > timezone.localdate():
        errors["happened_on"] = [
            _("L'historique porte sur ce qui a eu lieu : la date ne peut pas être future.")
        ]
    if contact is not None and (
        contact.company_id != company.pk or contact.school_id != membership.school_id
    ):
        errors["contact"] = [_("Ce contact ne travaille pas dans cette entreprise.")]
    summary = (summary or "").strip()
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = [
            _("Le compte rendu est limité à %(n)d caractères.") % {"n": MAX_SUMMARY}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = CompanyEvent.objects.create(
            school=membership.school,
            company=company,
            kind=kind,
            happened_on=happened_on,
            contact=contact,
            summary=summary,
            recorded_by=membership.user,
        )
        record_event(
            actor=membership.user,
            school=membership.school,
            action="company_event.create",
            target=event,
            changes={
                "company": company.pk,
                "kind": kind,
                "happened_on": happened_on.isoformat(),
                "contact": contact.pk if contact else None,
            },
            ip_address=ip_address,
        )
    return event


def delete_company_event(
    *, membership: Membership, event: CompanyEvent, ip_address: str | None = None
) -> None:
    """Delete a history entry recorded by mistake (the audit keeps its kind, date and company)."""
    _check_school(membership, event)
    with transaction.atomic():
        record_event(
            actor=membership.user,
            school=membership.school,
            action="company_event.delete",
            target=event,
            changes={
                "company": event.company_id,
                "kind": event.kind,
                "happened_on": event.happened_on.isoformat(),
            },
            ip_address=ip_address,
        )
        event.delete()
