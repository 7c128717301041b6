"""Writes of the school's pathway settings: its phase list and its pathway lengths.

Like ``services``: keyword-only arguments, one transaction and one audit event each, a
``ValidationError`` with a French message when the write is refused (nothing written then).
The phase list is data: phases are renamed, reordered or put out of use, never deleted (the
history of enrolments points at them).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.audit.services import record_event
from parcours.organisations.models import Membership, School

from .models import EnrolmentPhase, PhaseDefinition
from .services import ensure_phases

NAME_MAX_LENGTH = PhaseDefinition._meta.get_field("name").max_length
PLANNED_RANGE = (1, 36)
MAX_RANGE = (1, 48)
UP, DOWN = "up", "down"


def _locked_phases(school: School) -> list[PhaseDefinition]:
    """The school's phases in order, locked for the transaction (defaults created if none)."""
    ensure_phases(school)
    return list(
        PhaseDefinition.objects.select_for_update().filter(school=school).order_by("position")
    )


def _check_phase(membership: Membership, phase: PhaseDefinition) -> None:
    if phase.school_id != membership.school_id:
        raise ValidationError(_("Phase inconnue."))


def _clean_name(name: str, phases: list[PhaseDefinition], exclude: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Indiquez l'intitulé de la phase."))
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("L'intitulé est limité à %(max)d caractères.") % {"max": NAME_MAX_LENGTH}
        )
    if any(p.name.casefold() == name.casefold() and p.pk != exclude for p in phases):
        raise ValidationError(_("L'école a déjà une phase « %(name)s ».") % {"name": name})
    return name


@transaction.atomic
def add_phase(
    *, membership: Membership, name: str, ip_address: str | None = None
) -> PhaseDefinition:
    """Add a phase at the end of the school's list."""
    school = membership.school
    phases = _locked_phases(school)
    name = _clean_name(name, phases)
    last = PhaseDefinition.objects.filter(school=school).aggregate(m=Max("position"))["m"] or 0
    phase = PhaseDefinition.objects.create(school=school, position=last + 1, name=name)
    record_event(
        actor=membership.user,
        action="phase.create",
        target=phase,
        school=school,
        changes={"name": name, "position": phase.position},
        ip_address=ip_address,
    )
    return phase


@transaction.atomic
def rename_phase(
    *, membership: Membership, phase: PhaseDefinition, name: str, ip_address: str | None = None
) -> PhaseDefinition:
    _check_phase(membership, phase)
    phases = _locked_phases(membership.school)
    name = _clean_name(name, phases, exclude=phase.pk)
    phase = next(p for p in phases if p.pk == phase.pk)
    if name == phase.name:
        return phase
    old = phase.name
    phase.name = name
    phase.save(update_fields=["name"])
    record_event(
        actor=membership.user,
        action="phase.rename",
        target=phase,
        school=phase.school,
        changes={"name": [old, name]},
        ip_address=ip_address,
    )
    return phase


@transaction.atomic
def move_phase_position(
    *,
    membership: Membership,
    phase: PhaseDefinition,
    direction: str,
    ip_address: str | None = None,
) -> PhaseDefinition:
    """Swap ``phase`` with the phase just before (``up``) or after (``down``) it."""
    _check_phase(membership, phase)
    if direction not in (UP, DOWN):
        raise ValidationError(_("Déplacement inconnu."))
    phases = _locked_phases(membership.school)
    index = next(i for i, p in enumerate(phases) if p.pk == phase.pk)
    other_index = index - 1 if direction == UP else index + 1
    if not 0 <= other_index < len(phases):
        raise ValidationError(
            _("Cette phase est déjà la première.")
            if direction == UP
            else _("Cette phase est déjà la dernière.")
        )
    phase, other = phases[index], phases[other_index]
    old, new = phase.position, other.position
    # Positions are unique per school: park the phase beyond the end, then swap.
    phase.position = max(p.position for p in phases) + 1
    phase.save(update_fields=["position"])
    other.position = old
    other.save(update_fields=["position"])
    phase.position = new
    phase.save(update_fields=["position"])
    record_event(
        actor=membership.user,
        action="phase.move",
        target=phase,
        school=phase.school,
        changes={"position": [old, new], "swapped_with": other.pk},
        ip_address=ip_address,
    )
    return phase


@transaction.atomic
def set_phase_active(
    *,
    membership: Membership,
    phase: PhaseDefinition,
    active: bool,
    ip_address: str | None = None,
) -> PhaseDefinition:
    """Put a phase out of use (not while a trainee is in it) or back in use."""
    _check_phase(membership, phase)
    phases = _locked_phases(membership.school)
    phase = next(p for p in phases if p.pk == phase.pk)
    if phase.active == active:
        return phase
    if not active:
        in_use = EnrolmentPhase.objects.filter(phase=phase, ended_on__isnull=True).count()
        if in_use:
            raise ValidationError(
                ngettext(
                    "La phase « %(name)s » ne peut pas être désactivée : %(n)d stagiaire y est "
                    "actuellement. Faites-le d'abord changer de phase.",
                    "La phase « %(name)s » ne peut pas être désactivée : %(n)d stagiaires y sont "
                    "actuellement. Faites-les d'abord changer de phase.",
                    in_use,
                )
                % {"name": phase.name, "n": in_use}
            )
        if not any(p.active for p in phases if p.pk != phase.pk):
            raise ValidationError(_("Au moins une phase doit rester en usage."))
    phase.active = active
    phase.save(update_fields=["active"])
    record_event(
        actor=membership.user,
        action="phase.activate" if active else "phase.deactivate",
        target=phase,
        school=phase.school,
        changes={"active": [not active, active]},
        ip_address=ip_address,
    )
    return phase


@transaction.atomic
def save_pathway_lengths(
    *,
    membership: Membership,
    pathway_months: int,
    max_pathway_months: int,
    ip_address: str | None = None,
) -> School:
    """The planned and maximum pathway lengths of the school, in months."""
    low, high = PLANNED_RANGE
    if not low <= pathway_months <= high:
        raise ValidationError(
            _("La durée prévue doit être comprise entre %(low)d et %(high)d mois.")
            % {"low": low, "high": high}
        )
    low, high = MAX_RANGE
    if not low <= max_pathway_months <= high:
        raise ValidationError(
            _("La durée maximale doit être comprise entre %(low)d et %(high)d mois.")
            % {"low": low, "high": high}
        )
    if max_pathway_months < pathway_months:
        raise ValidationError(
            _(
                "La durée maximale (%(max)d mois) ne peut pas être inférieure à la durée "
                "prévue (%(planned)d mois)."
            )
            % {"max": max_pathway_months, "planned": pathway_months}
        )
    school = School.objects.select_for_update().get(pk=membership.school_id)
    changes = {}
    if school.pathway_months != pathway_months:
        changes["pathway_months"] = [school.pathway_months, pathway_months]
    if school.max_pathway_months != max_pathway_months:
        changes["max_pathway_months"] = [school.max_pathway_months, max_pathway_months]
    if not changes:
        return school
    school.pathway_months = pathway_months
    school.max_pathway_months = max_pathway_months
    school.save(update_fields=["pathway_months", "max_pathway_months"])
    record_event(
        actor=membership.user,
        action="school.pathway_lengths",
        target=school,
        school=school,
        changes=changes,
        ip_address=ip_address,
    )
    # Keep the membership's copy of the school current for the rest of the request.
    membership.school.pathway_months = pathway_months
    membership.school.max_pathway_months = max_pathway_months
    return school
