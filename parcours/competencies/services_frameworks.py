"""Writes on competency frameworks: import, new version, draft editing, publication, choice.

Rules kept here:
- only a *draft* of the school's own frameworks can be changed; a published (or retired)
  version is read-only forever, so assessments made under it keep their meaning — a change
  goes into a new version (``new_version``), whose competencies are new rows;
- a draft is published only when it is complete (``interchange.validate_framework_data``);
- the school positions its new trainees on a published version it chooses
  (``choose_school_framework``); trainees already positioned keep theirs.
Every write is one transaction with one audit event; refused input writes nothing.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership, School

from . import models as competency_models
from .interchange import MAX_CODE, framework_to_data, validate_framework_data
from .loading import create_framework_rows
from .models import (
    Area,
    Assessment,
    Attestation,
    Competency,
    Framework,
    FrameworkStatus,
    LevelDescriptor,
    SchoolFramework,
)
from .selectors_frameworks import next_version_number

MODELS = SimpleNamespace(
    **{
        name: getattr(competency_models, name)
        for name in ("Framework", "ScaleLevel", "Area", "Competency", "LevelDescriptor")
    }
)


def read_only_message() -> str:
    return _(
        "Cette version est publiée : elle ne peut plus être modifiée. Créez une nouvelle version."
    )


def _check_own(membership: Membership, framework: Framework) -> None:
    if framework.school_id != membership.school_id:
        raise ValidationError(
            _("Ce référentiel est commun à toutes les écoles : créez-en une nouvelle version.")
        )


def _check_draft(membership: Membership, framework: Framework) -> None:
    """Refuse unless ``framework`` is a draft of the school, as stored now (the row is locked
    until the end of the transaction, so a concurrent publication waits)."""
    _check_own(membership, framework)
    status = (
        Framework.objects.select_for_update()
        .filter(pk=framework.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != FrameworkStatus.DRAFT:
        raise ValidationError(read_only_message())


def _lock_school(school: School) -> None:
    """Serialise version numbering within a school (a no-op on SQLite)."""
    School.objects.select_for_update().filter(pk=school.pk).first()


def _event(membership, action, target, ip_address, **changes) -> None:
    record_event(
        actor=membership.user,
        action=f"competencies.{action}",
        target=target,
        school=membership.school,
        changes=changes,
        ip_address=ip_address,
    )


# ------------------------------------------------------------------------------ versions


@transaction.atomic
def import_framework(*, membership: Membership, data: Any, ip_address=None) -> Framework:
    """Create a draft of the school from interchange ``data`` (all of it, or nothing).

    Its family is the data's; its version the next free number of that family in the school.
    """
    errors = validate_framework_data(data)
    if errors:
        raise ValidationError(errors)
    school = membership.school
    _lock_school(school)
    version = next_version_number(school, data["family"])
    framework = create_framework_rows(
        data, models=MODELS, school=school, version=version, status=FrameworkStatus.DRAFT
    )
    _event(
        membership,
        "framework_imported",
        framework,
        ip_address,
        family=framework.family,
        version=version,
        competencies=len(data["competencies"]),
    )
    return framework


@transaction.atomic
def new_version(*, membership: Membership, framework: Framework, ip_address=None) -> Framework:
    """A draft copy of a published (or shared) version, numbered after the family's last one.

    The copy has its own areas and competencies: assessments made under ``framework`` keep
    pointing at its rows and never move.
    """
    if framework.school_id not in (None, membership.school_id):
        raise ValidationError(_("Ce référentiel n'est pas disponible dans votre école."))
    if framework.is_draft:
        raise ValidationError(
            _(
                "Ce brouillon peut être modifié directement : publiez-le avant d'en créer une "
                "nouvelle version."
            )
        )
    school = membership.school
    _lock_school(school)
    existing = Framework.objects.filter(
        school=school, family=framework.family, status=FrameworkStatus.DRAFT
    ).first()
    if existing is not None:
        raise ValidationError(
            _(
                "Un brouillon de ce référentiel existe déjà (version %(v)s) : modifiez-le, "
                "publiez-le ou supprimez-le avant d'en créer un autre."
            )
            % {"v": existing.version}
        )
    version = max(framework.version + 1, next_version_number(school, framework.family))
    draft = create_framework_rows(
        framework_to_data(framework),
        models=MODELS,
        school=school,
        family=framework.family,
        version=version,
        status=FrameworkStatus.DRAFT,
        based_on=framework,
    )
    _event(
        membership,
        "framework_version_created",
        draft,
        ip_address,
        based_on=framework.pk,
        version=version,
    )
    return draft


@transaction.atomic
def update_draft(
    *,
    membership: Membership,
    framework: Framework,
    name: str,
    description: str = "",
    scale: dict[int, tuple[str, str]] | None = None,
    ip_address=None,
) -> Framework:
    """Change a draft's name, description and the labels/descriptions of its scale levels.

    ``scale`` maps a level of the scale to ``(label, description)``.
    """
    _check_draft(membership, framework)
    name = name.strip()
    if not name:
        raise ValidationError(_("Le nom du référentiel est obligatoire."))
    levels = {level.value: level for level in framework.levels.all()}
    changed_levels = []
    for value, (label, level_description) in (scale or {}).items():
        level = levels.get(value)
        if level is None:
            raise ValidationError(_("Le niveau %(n)s ne figure pas dans l'échelle.") % {"n": value})
        if not label.strip():
            raise ValidationError(_("Le niveau %(n)s doit avoir un libellé.") % {"n": value})
        if (level.label, level.description) != (label.strip(), level_description.strip()):
            level.label, level.description = label.strip(), level_description.strip()
            level.save(update_fields=["label", "description"])
            changed_levels.append(value)
    description = description.strip()
    fields = [
        field
        for field, value in (("name", name), ("description", description))
        if getattr(framework, field) != value
    ]
    framework.name, framework.description = name, description
    framework.save(update_fields=["name", "description"])
    _event(
        membership, "framework_updated", framework, ip_address, fields=fields, levels=changed_levels
    )
    return framework


@transaction.atomic
def publish(*, membership: Membership, framework: Framework, ip_address=None) -> Framework:
    """Publish a complete draft: from now on it is read-only."""
    _check_draft(membership, framework)
    errors = validate_framework_data(framework_to_data(framework))
    if errors:
        raise ValidationError(errors)
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    _event(membership, "framework_published", framework, ip_address, version=framework.version)
    return framework


def _in_use(school: School, framework: Framework) -> bool:
    return SchoolFramework.objects.filter(school=school, framework=framework).exists()


@transaction.atomic
def retire(*, membership: Membership, framework: Framework, ip_address=None) -> Framework:
    """Retire a published version of the school: it stays readable, it is no longer offered."""
    _check_own(membership, framework)
    if framework.status != FrameworkStatus.PUBLISHED:
        raise ValidationError(_("Seule une version publiée peut être retirée."))
    if _in_use(membership.school, framework):
        raise ValidationError(
            _(
                "C'est le référentiel en usage dans l'école : choisissez-en un autre avant de "
                "retirer celui-ci."
            )
        )
    framework.status = FrameworkStatus.RETIRED
    framework.save(update_fields=["status"])
    _event(membership, "framework_retired", framework, ip_address, version=framework.version)
    return framework


@transaction.atomic
def delete_draft(*, membership: Membership, framework: Framework, ip_address=None) -> None:
    """Delete a draft (nothing can have been assessed under it)."""
    _check_draft(membership, framework)
    used = Assessment.objects.filter(competency__framework=framework).exists()
    if used or Attestation.objects.filter(framework=framework).exists():
        raise ValidationError(_("Ce brouillon a déjà servi : il ne peut pas être supprimé."))
    _event(membership, "framework_deleted", framework, ip_address, version=framework.version)
    framework.delete()


@transaction.atomic
def choose_school_framework(
    *, membership: Membership, framework: Framework, ip_address=None
) -> SchoolFramework:
    """Position the school's new trainees on ``framework`` (a published version it sees)."""
    if framework.school_id not in (None, membership.school_id):
        raise ValidationError(_("Ce référentiel n'est pas disponible dans votre école."))
    if framework.status != FrameworkStatus.PUBLISHED:
        raise ValidationError(
            _("Seule une version publiée peut être choisie : publiez d'abord ce brouillon.")
            if framework.is_draft
            else _("Cette version est retirée : elle ne peut plus être choisie.")
        )
    choice = SchoolFramework.objects.select_for_update().filter(school=membership.school).first()
    before = choice.framework_id if choice else None
    if choice is None:
        choice = SchoolFramework.objects.create(school=membership.school, framework=framework)
    else:
        choice.framework = framework
        choice.save(update_fields=["framework", "changed_at"])
    _event(membership, "framework_chosen", choice, ip_address, framework=[before, framework.pk])
    return choice


# ------------------------------------------------------------------------------ draft content


def _clean_code(code: str) -> str:
    code = code.strip()
    if not code:
        raise ValidationError(_("Le code est obligatoire."))
    if len(code) > MAX_CODE:
        raise ValidationError(_("Le code ne peut dépasser %(n)s caractères.") % {"n": MAX_CODE})
    return code


def _check_parent(area: Area | None, framework: Framework, parent: Area | None) -> None:
    if parent is None:
        return
    if parent.framework_id != framework.pk:
        raise ValidationError(_("Le domaine parent doit appartenir au même référentiel."))
    node = parent
    while node is not None:  # walking up from the new parent must not meet the area itself
        if area is not None and node.pk == area.pk:
            raise ValidationError(
                _(
                    "Le domaine « %(parent)s » est contenu dans « %(code)s » : il ne peut pas en "
                    "être le parent (cela formerait une boucle)."
                )
                % {"parent": parent.code, "code": area.code}
            )
        node = node.parent


@transaction.atomic
def add_area(
    *,
    membership: Membership,
    framework: Framework,
    code: str,
    title: str,
    parent: Area | None = None,
    ip_address=None,
) -> Area:
    _check_draft(membership, framework)
    code = _clean_code(code)
    if Area.objects.filter(framework=framework, code=code).exists():
        raise ValidationError(
            _("Le code de domaine « %(code)s » est déjà utilisé.") % {"code": code}
        )
    _check_parent(None, framework, parent)
    position = Area.objects.filter(framework=framework).count()
    area = Area.objects.create(
        framework=framework, code=code, title=title.strip(), parent=parent, position=position
    )
    _event(membership, "framework_area_added", area, ip_address, framework=framework.pk)
    return area


@transaction.atomic
def edit_area(
    *,
    membership: Membership,
    area: Area,
    code: str,
    title: str,
    parent: Area | None = None,
    ip_address=None,
) -> Area:
    framework = area.framework
    _check_draft(membership, framework)
    code = _clean_code(code)
    if Area.objects.filter(framework=framework, code=code).exclude(pk=area.pk).exists():
        raise ValidationError(
            _("Le code de domaine « %(code)s » est déjà utilisé.") % {"code": code}
        )
    _check_parent(area, framework, parent)
    area.code, area.title, area.parent = code, title.strip(), parent
    area.save(update_fields=["code", "title", "parent"])
    _event(membership, "framework_area_updated", area, ip_address, framework=framework.pk)
    return area


@transaction.atomic
def remove_area(*, membership: Membership, area: Area, ip_address=None) -> None:
    framework = area.framework
    _check_draft(membership, framework)
    if area.children.exists() or area.competencies.exists():
        raise ValidationError(
            _(
                "Ce domaine contient des sous-domaines ou des compétences : déplacez-les ou "
                "supprimez-les d'abord."
            )
        )
    _event(membership, "framework_area_removed", area, ip_address, framework=framework.pk)
    area.delete()


def _save_levels(competency: Competency, levels: dict[int, str]) -> list[int]:
    """Write the descriptors (an empty text removes one); return the levels changed."""
    scale = set(competency.framework.levels.values_list("value", flat=True))
    current = {d.value: d for d in competency.descriptors.all()}
    changed = []
    for value, text in levels.items():
        if value not in scale:
            raise ValidationError(_("Le niveau %(n)s ne figure pas dans l'échelle.") % {"n": value})
        text = (text or "").strip()
        descriptor = current.get(value)
        if not text:
            if descriptor is not None:
                descriptor.delete()
                changed.append(value)
        elif descriptor is None:
            LevelDescriptor.objects.create(competency=competency, value=value, description=text)
            changed.append(value)
        elif descriptor.description != text:
            descriptor.description = text
            descriptor.save(update_fields=["description"])
            changed.append(value)
    return changed


def _check_competency(framework: Framework, code: str, area: Area, exclude=None) -> str:
    code = _clean_code(code)
    if area.framework_id != framework.pk:
        raise ValidationError(_("Le domaine doit appartenir au même référentiel."))
    same = Competency.objects.filter(framework=framework, code=code)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise ValidationError(
            _("Le code « %(code)s » est déjà utilisé par une autre compétence de ce référentiel.")
            % {"code": code}
        )
    return code


@transaction.atomic
def add_competency(
    *,
    membership: Membership,
    framework: Framework,
    area: Area,
    code: str,
    title: str,
    description: str = "",
    levels: dict[int, str] | None = None,
    ip_address=None,
) -> Competency:
    _check_draft(membership, framework)
    code = _check_competency(framework, code, area)
    position = Competency.objects.filter(framework=framework).count()
    competency = Competency.objects.create(
        framework=framework,
        area=area,
        code=code,
        title=title.strip(),
        description=description.strip(),
        position=position,
    )
    _save_levels(competency, levels or {})
    _event(membership, "framework_competency_added", competency, ip_address, framework=framework.pk)
    return competency


@transaction.atomic
def edit_competency(
    *,
    membership: Membership,
    competency: Competency,
    area: Area,
    code: str,
    title: str,
    description: str = "",
    levels: dict[int, str] | None = None,
    ip_address=None,
) -> Competency:
    framework = competency.framework
    _check_draft(membership, framework)
    code = _check_competency(framework, code, area, exclude=competency)
    competency.area, competency.code = area, code
    competency.title, competency.description = title.strip(), description.strip()
    competency.save(update_fields=["area", "code", "title", "description"])
    changed = _save_levels(competency, levels or {})
    _event(
        membership,
        "framework_competency_updated",
        competency,
        ip_address,
        framework=framework.pk,
        levels=changed,
    )
    return competency


@transaction.atomic
def remove_competency(*, membership: Membership, competency: Competency, ip_address=None) -> None:
    framework = competency.framework
    _check_draft(membership, framework)
    if Assessment.objects.filter(competency=competency).exists():
        raise ValidationError(
            _("Cette compétence a déjà été évaluée : elle ne peut pas être retirée.")
        )
    _event(
        membership, "framework_competency_removed", competency, ip_address, framework=framework.pk
    )
    competency.delete()
