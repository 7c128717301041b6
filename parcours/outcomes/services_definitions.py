"""Writes of outcome definitions and of the headline definition of a year.

A definition is a ``code``; each edit writes its next *version* (a new row, the previous one
loses ``is_current``) and never changes an earlier version. A school's direction
(``MANAGE_OUTCOMES``) creates and edits the school's own definitions; the network's are edited
by the admin (a superuser, in Django's admin, which calls this module too) and are read-only
for the schools. Each school chooses which definition is its headline for each year.

Every write runs in one transaction with one audit event; a refusal raises ``ValidationError``
with French messages and writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.accounts.models import User
from parcours.audit.services import record_event
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, School

from . import selectors
from .destinations import Destination
from .models import HeadlineDefinition, OutcomeDefinition

MIN_MONTHS, MAX_MONTHS = 1, 60
MAX_RULES = 4
FIRST_YEAR = 2000


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _label(code: str) -> str:
    return str(dict(Destination.choices).get(code, code))


# ------------------------------------------------------------------------------ validation


def clean_definition(
    *,
    name: str,
    rules: Any,
    excluded: Any,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rules and exclusions, checked and normalised as stored (``rules.Rule.to_json``).

    Raises ``ValidationError`` with every problem found, in French.
    """
    errors: list[str] = []
    known = set(Destination.values)
    if not (name or "").strip():
        errors.append(_("Donnez un nom à la définition."))
    if valid_from is None:
        errors.append(_("Indiquez à partir de quand la définition est valable."))
    elif valid_until is not None and valid_until < valid_from:
        errors.append(
            _("La fin de validité (%(end)s) doit suivre son début (%(start)s).")
            % {"end": _day(valid_until), "start": _day(valid_from)}
        )

    clean_rules: list[dict[str, Any]] = []
    if not isinstance(rules, list | tuple) or not all(isinstance(r, Mapping) for r in rules):
        errors.append(_("Les règles doivent être une liste de règles."))
        rules = []
    if not rules:
        errors.append(_("Une définition doit compter au moins une règle."))
    if len(rules) > MAX_RULES:
        errors.append(_("Une définition compte au plus %(n)d règles.") % {"n": MAX_RULES})
    for index, rule in enumerate(rules, start=1):
        destinations = rule.get("destinations") or []
        if isinstance(destinations, str) or not isinstance(destinations, Iterable):
            destinations = []
        destinations = sorted({str(d) for d in destinations})
        if not destinations:
            errors.append(_("Règle %(n)d : choisissez au moins une destination.") % {"n": index})
        unknown = [d for d in destinations if d not in known]
        if unknown:
            errors.append(
                _("Règle %(n)d : destination inconnue (%(codes)s).")
                % {"n": index, "codes": ", ".join(unknown)}
            )
        min_months = rule.get("min_months")
        if min_months in ("", None):
            min_months = None
        else:
            try:
                min_months = int(min_months)
            except (TypeError, ValueError, OverflowError):
                min_months = -1
            if not MIN_MONTHS <= min_months <= MAX_MONTHS:
                errors.append(
                    _("Règle %(n)d : la durée minimale doit être comprise entre 1 et 60 mois.")
                    % {"n": index}
                )
        strict = bool(rule.get("strict", False)) and min_months is not None
        clean_rules.append(
            {"destinations": destinations, "min_months": min_months, "strict": strict}
        )

    if not isinstance(excluded, list | tuple | set | frozenset):
        errors.append(_("Les destinations exclues doivent être une liste."))
        excluded = []
    clean_excluded = sorted({str(d) for d in excluded})
    unknown = [d for d in clean_excluded if d not in known]
    if unknown:
        errors.append(_("Destination exclue inconnue (%(codes)s).") % {"codes": ", ".join(unknown)})
    in_rules = {d for rule in clean_rules for d in rule["destinations"]}
    both = [d for d in clean_excluded if d in in_rules]
    if both:
        errors.append(
            _(
                "Une destination ne peut pas à la fois compter comme réussie et être exclue du "
                "dénominateur : %(labels)s."
            )
            % {"labels": ", ".join(_label(d) for d in both)}
        )
    if errors:
        raise ValidationError(errors)
    return clean_rules, clean_excluded


# ------------------------------------------------------------------------------ versions


def _actor(membership_or_user: Membership | User) -> tuple[User, School | None]:
    """The user writing and the school whose definitions they may write (None: the
    network's, for a superuser)."""
    if isinstance(membership_or_user, Membership):
        membership = membership_or_user
        if membership.school_id is None or not has_perm(membership, Perm.MANAGE_OUTCOMES):
            raise ValidationError(
                _("Seule la direction de l'école peut modifier les définitions de sortie.")
            )
        return membership.user, membership.school
    user = membership_or_user
    if not getattr(user, "is_superuser", False):
        raise ValidationError(
            _("Seul l'administrateur de Parcours peut modifier les définitions du réseau.")
        )
    return user, None


def _new_code(name: str, school: School | None) -> str:
    base = slugify(name)[:35].strip("-") or "definition"
    if school is not None:
        base = f"{base}-{school.slug[:20]}".strip("-")
    code, n = base, 1
    while OutcomeDefinition.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def save_definition_version(
    membership_or_user: Membership | User,
    *,
    code: OutcomeDefinition | str | None = None,
    name: str,
    description: str = "",
    rules: Any,
    excluded: Any = (),
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    based_on_version: int | None = None,
    ip_address: str | None = None,
) -> OutcomeDefinition:
    """Write a new definition (``code=None``) or the next version of ``code`` (a definition,
    any of its versions, or its code). Earlier versions are left as they are, but for losing
    ``is_current``.

    A membership writes its school's definitions (with ``MANAGE_OUTCOMES``); a superuser
    writes the network's. ``based_on_version``, when given, is the version the form showed:
    a newer one saved in between refuses the write rather than silently overwrite it.
    """
    user, school = _actor(membership_or_user)
    clean_rules, clean_excluded = clean_definition(
        name=name, rules=rules, excluded=excluded, valid_from=valid_from, valid_until=valid_until
    )
    previous = None
    if code is None:
        code = _new_code(name, school)
    else:
        code = code.code if isinstance(code, OutcomeDefinition) else code
        # Lock every version of the definition: two edits at once number one after the other.
        versions = list(
            OutcomeDefinition.objects.select_for_update().filter(code=code).order_by("-version")
        )
        if not versions:
            raise ValidationError(_("Cette définition n'existe pas."))
        previous = versions[0]
        if previous.school_id != (school.pk if school else None):
            if previous.school_id is None:
                raise ValidationError(
                    _(
                        "Les définitions du réseau ne se modifient que dans l'administration "
                        "de Parcours : créez une définition de votre école si besoin."
                    )
                )
            raise ValidationError(_("Cette définition n'est pas une définition de votre école."))
        if based_on_version is not None and previous.version != based_on_version:
            raise ValidationError(
                _(
                    "Cette définition a été modifiée entre-temps (version %(v)d) : rechargez "
                    "la page avant de la modifier."
                )
                % {"v": previous.version}
            )
        OutcomeDefinition.objects.filter(code=code, is_current=True).update(is_current=False)
    # Two definitions a school sees side by side never share a name.
    visible = OutcomeDefinition.objects.filter(is_current=True).exclude(code=code)
    visible = (
        visible.filter(school__isnull=True)
        if school is None
        else visible.filter(Q(school__isnull=True) | Q(school=school))
    )
    if visible.filter(name__iexact=name.strip()).exists():
        raise ValidationError(
            _("Une autre définition s'appelle déjà « %(name)s » : choisissez un autre nom.")
            % {"name": name.strip()}
        )
    definition = OutcomeDefinition(
        school=school,
        code=code,
        version=previous.version + 1 if previous else 1,
        name=name.strip(),
        description=(description or "").strip(),
        rules=clean_rules,
        excluded=clean_excluded,
        valid_from=valid_from,
        valid_until=valid_until,
        is_current=True,
        created_by=user,
    )
    # rules and exclusions are checked above (an empty exclusion list is fine).
    definition.full_clean(exclude=["rules", "excluded"], validate_constraints=False)
    definition.save()
    record_event(
        actor=user,
        action="outcome_definition.version" if previous else "outcome_definition.create",
        target=definition,
        school=school,
        changes={
            "code": code,
            "version": definition.version,
            "rules": clean_rules,
            "excluded": clean_excluded,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
        ip_address=ip_address,
    )
    return definition


# ------------------------------------------------------------------------------ headline


def headline_years(today: datetime.date | None = None) -> list[int]:
    """The years a headline may be chosen for: from 2000 to next year, latest first."""
    today = today or timezone.localdate()
    return list(range(today.year + 1, FIRST_YEAR - 1, -1))


@transaction.atomic
def choose_headline(
    membership: Membership,
    year: int,
    definition: OutcomeDefinition,
    *,
    ip_address: str | None = None,
) -> HeadlineDefinition:
    """Make ``definition`` (its version that applies to ``year``) the school's headline for
    ``year``,
    replacing an earlier choice for that year."""
    if membership.school_id is None or not has_perm(membership, Perm.MANAGE_OUTCOMES):
        raise ValidationError(
            _("Seule la direction de l'école peut choisir la définition retenue.")
        )
    if not isinstance(year, int) or year not in headline_years():
        raise ValidationError(
            _("Choisissez une année entre %(first)d et %(last)d.")
            % {"first": FIRST_YEAR, "last": headline_years()[0]}
        )
    if definition.school_id not in (None, membership.school_id):
        raise ValidationError(_("Cette définition n'est pas disponible dans votre école."))
    applicable = selectors.version_for_year(definition.code, year)
    if applicable is None:
        definition = (
            OutcomeDefinition.objects.filter(code=definition.code, is_current=True).first()
            or definition
        )
        raise ValidationError(
            _("La définition « %(name)s » n'est pas valable en %(year)d (%(validity)s).")
            % {"name": definition.name, "year": year, "validity": validity_text(definition)}
        )
    definition = applicable
    choice = (
        HeadlineDefinition.objects.select_for_update()
        .filter(school=membership.school, year=year)
        .first()
    )
    before = choice.definition_id if choice else None
    if choice is None:
        choice = HeadlineDefinition.objects.create(
            school=membership.school, year=year, definition=definition, chosen_by=membership.user
        )
    else:
        choice.definition = definition
        choice.chosen_by = membership.user
        choice.save(update_fields=["definition", "chosen_by", "chosen_at"])
    record_event(
        actor=membership.user,
        action="outcome_headline.choose",
        target=choice,
        school=membership.school,
        changes={"year": year, "definition": [before, definition.pk]},
        ip_address=ip_address,
    )
    return choice


def validity_text(definition: OutcomeDefinition) -> str:
    """« valable à partir du 01/01/2018 », « valable du 01/01/2015 au 31/12/2020 »."""
    if definition.valid_until is None:
        return _("valable à partir du %(start)s") % {"start": _day(definition.valid_from)}
    return _("valable du %(start)s au %(end)s") % {
        "start": _day(definition.valid_from),
        "end": _day(definition.valid_until),
    }
