"""Every write of positionings, assessments, evidence and certifications.

Functions take keyword-only arguments, run in one transaction, write one audit event each and
raise ``ValidationError`` with a French message when the write is refused: nothing is written
then (no row, no document, no stored file).

Assessment and Evidence rows are appended, never changed: a correction is a new row naming
the row it corrects (``correct_assessment``); the current level is derived from the rows
(``levels.py``), and stored for the reports (``LevelSpan``): ``Assessment.save`` rewrites the
stored levels of its enrolment in the same transaction as each row (``stored_levels``).

Dates: an assessment may not precede the entry into the pathway, nor be in the future. It may
be recorded for a pathway that has ended, as long as it is dated on or before the exit day: the
Attestation de Compétences Acquises is issued at exit, so the last assessments are often
entered a few days after the trainee has left.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.audit.services import diff_fields, record_event, snapshot
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership
from parcours.pathways import services as pathway_services
from parcours.pathways.models import DocumentKind, Enrolment

from . import selectors, stored_levels
from .models import (
    Assessment,
    AssessmentContext,
    AssessmentKind,
    Certification,
    CertificationKind,
    CertificationStatus,
    Competency,
    Evidence,
    EvidenceKind,
    Framework,
    FrameworkStatus,
)

MAX_REASON = 300
MAX_URL = 500
#: Contexts of an assessment made during the pathway (the positioning has its own).
ASSESSMENT_CONTEXTS = [c for c in AssessmentContext.values if c != AssessmentContext.POSITIONING]


def _today() -> datetime.date:
    return timezone.localdate()


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "d/m/Y")


# ------------------------------------------------------------------------------ checks


def _check_school(membership: Membership, enrolment: Enrolment) -> None:
    if enrolment.school_id != membership.school_id:
        raise ValidationError(_("Parcours inconnu."))


def _check_assessor(membership: Membership, assessor: Membership | None) -> Membership:
    if assessor is None:
        return membership
    if assessor.school_id != membership.school_id or not has_perm(assessor, Perm.ASSESS):
        raise ValidationError(
            _("L'évaluateur·rice doit être un membre de l'école autorisé à évaluer.")
        )
    return assessor


def _framework(enrolment: Enrolment) -> Framework:
    framework = selectors.enrolment_framework(enrolment)
    if framework is None:
        raise ValidationError(
            _("Aucun référentiel de compétences n'est choisi pour l'école : choisissez-en un.")
        )
    if framework.status == FrameworkStatus.DRAFT:
        raise ValidationError(
            _("Le référentiel « %(name)s » est un brouillon : publiez-le avant d'évaluer.")
            % {"name": framework}
        )
    return framework


def _check_level(framework: Framework, level: Any, values: list[int] | None = None) -> int:
    if values is None:
        values = list(framework.levels.order_by("value").values_list("value", flat=True))
    low, high = (values[0], values[-1]) if values else (1, 1)
    message = _("Le niveau doit être compris entre %(low)d et %(high)d.") % {
        "low": low,
        "high": high,
    }
    try:
        level = int(level)
    except (TypeError, ValueError) as error:
        raise ValidationError(message) from error
    if level not in values:
        raise ValidationError(message)
    return level


def _check_competency(framework: Framework, competency: Competency) -> None:
    if competency.framework_id != framework.pk:
        raise ValidationError(
            _(
                "La compétence « %(code)s » n'appartient pas au référentiel de ce parcours "
                "(%(framework)s)."
            )
            % {"code": competency.code, "framework": framework}
        )


def _check_date(enrolment: Enrolment, day: datetime.date | None) -> datetime.date:
    if not isinstance(day, datetime.date):
        raise ValidationError(_("Indiquez la date de l'évaluation."))
    if day < enrolment.entry_date:
        raise ValidationError(
            _("La date de l'évaluation ne peut pas précéder l'entrée en parcours (%(day)s).")
            % {"day": _day(enrolment.entry_date)}
        )
    if day > _today():
        raise ValidationError(_("La date de l'évaluation ne peut pas être dans le futur."))
    if enrolment.ended_on and day > enrolment.ended_on:
        raise ValidationError(
            _("La date de l'évaluation ne peut pas suivre la sortie du parcours (%(day)s).")
            % {"day": _day(enrolment.ended_on)}
        )
    return day


def _check_context(context: str, allowed: list[str]) -> str:
    if context not in allowed:
        raise ValidationError(_("Choisissez le contexte de l'évaluation dans la liste."))
    return context


def _clean_evidence(note: str, url: str, uploaded) -> tuple[str, str]:
    """Validate the evidence before anything is written; return the cleaned note and url."""
    note = (note or "").strip()
    url = (url or "").strip()
    if url:
        if len(url) > MAX_URL:
            raise ValidationError(_("Le lien est trop long (500 caractères au plus)."))
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as error:
            raise ValidationError(
                _("Le lien doit être une adresse web commençant par http:// ou https://.")
            ) from error
    if uploaded is not None:
        pathway_services.check_upload(uploaded)
    return note, url


def _latest_correction(assessment: Assessment) -> Assessment:
    """The newest row of the correction chain starting at ``assessment``."""
    row = assessment
    while (nxt := Assessment.objects.filter(corrects=row).first()) is not None:
        row = nxt
    return row


# ------------------------------------------------------------------------------ evidence


def _write_evidence(
    *,
    membership: Membership,
    assessment: Assessment,
    note: str,
    url: str,
    uploaded,
    ip_address: str | None,
) -> list[Evidence]:
    """Evidence rows of ``assessment`` (already validated by ``_clean_evidence``).

    The file goes through ``pathways.services.upload_document`` (a pathway document of kind
    "evidence") in the same transaction; its stored file is registered so that
    ``_removing_files_on_error`` deletes it if the write fails afterwards.
    """
    school = assessment.school
    rows = []
    if note:
        rows.append(
            Evidence(school=school, assessment=assessment, kind=EvidenceKind.NOTE, note=note)
        )
    if url:
        rows.append(Evidence(school=school, assessment=assessment, kind=EvidenceKind.LINK, url=url))
    if uploaded is not None:
        document = pathway_services.upload_document(
            membership=membership,
            enrolment=assessment.enrolment,
            uploaded=uploaded,
            kind=DocumentKind.EVIDENCE,
            title=_("Preuve %(code)s — évaluation du %(day)s")
            % {"code": assessment.competency.code, "day": _day(assessment.assessed_on)},
            document_date=assessment.assessed_on,
            ip_address=ip_address,
        )
        stored = _stored_files.get()
        if stored is not None:
            stored.append(document.file)
        rows.append(
            Evidence(
                school=school, assessment=assessment, kind=EvidenceKind.FILE, document=document
            )
        )
    for row in rows:
        row.save()
    return rows


#: Files stored by the write in progress (see ``_removing_files_on_error``).
_stored_files: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "competencies_stored_files", default=None
)


def _removing_files_on_error(func):
    """Around an atomic write that may store files: if it raises, the transaction removes the
    rows and this removes the files, so a refused write leaves no orphan file behind."""

    @functools.wraps(func)
    def wrapper(**kwargs):
        stored: list = []
        token = _stored_files.set(stored)
        try:
            return func(**kwargs)
        except BaseException:
            for field_file in stored:
                field_file.storage.delete(field_file.name)
            raise
        finally:
            _stored_files.reset(token)

    return wrapper


# ------------------------------------------------------------------------------ positioning


@transaction.atomic
def record_positioning(
    *,
    membership: Membership,
    enrolment: Enrolment,
    levels: Mapping[int, int],
    assessed_on: datetime.date,
    ip_address: str | None = None,
) -> list[Assessment]:
    """The entry positioning: one row per competency of the enrolment's framework, all at once.

    Refused when the enrolment already has a positioning (record a correction instead).
    """
    _check_school(membership, enrolment)
    if selectors.has_positioning(enrolment):
        raise ValidationError(
            _(
                "Le positionnement d'entrée est déjà enregistré : pour changer un niveau, "
                "corrigez la ligne concernée."
            )
        )
    framework = _framework(enrolment)
    assessed_on = _check_date(enrolment, assessed_on)
    competencies = list(framework.competencies.order_by("position", "code"))
    known = {c.pk for c in competencies}
    try:
        given = {int(key) for key in levels}
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Compétence inconnue dans le positionnement.")) from error
    if given - known:
        raise ValidationError(
            _("Une des compétences indiquées n'appartient pas au référentiel de ce parcours.")
        )
    missing = [c.code for c in competencies if c.pk not in given]
    if missing:
        raise ValidationError(
            _("Indiquez un niveau pour chaque compétence (manquant : %(codes)s).")
            % {"codes": ", ".join(missing)}
        )
    by_id = {int(key): value for key, value in levels.items()}
    scale = list(framework.levels.order_by("value").values_list("value", flat=True))
    rows = [
        Assessment(
            school=enrolment.school,
            enrolment=enrolment,
            competency=competency,
            kind=AssessmentKind.POSITIONING,
            level=_check_level(framework, by_id[competency.pk], scale),
            assessed_on=assessed_on,
            assessor=membership,
            context=AssessmentContext.POSITIONING,
            recorded_by=membership.user,
        )
        for competency in competencies
    ]
    with stored_levels.deferred():  # one refresh of the stored levels for all the rows
        for row in rows:
            row.save()
    record_event(
        actor=membership.user,
        action="competencies.positioning",
        target=enrolment,
        school=enrolment.school,
        changes={
            "framework": framework.pk,
            "assessed_on": assessed_on.isoformat(),
            "levels": {row.competency.code: row.level for row in rows},
        },
        ip_address=ip_address,
    )
    return rows


# ------------------------------------------------------------------------------ assessments


@_removing_files_on_error
@transaction.atomic
def record_assessment(
    *,
    membership: Membership,
    enrolment: Enrolment,
    competency: Competency,
    level: int,
    assessed_on: datetime.date,
    context: str,
    note: str = "",
    url: str = "",
    uploaded=None,
    assessor: Membership | None = None,
    ip_address: str | None = None,
) -> Assessment:
    """One assessment during the pathway, with its evidence (note, link, file)."""
    _check_school(membership, enrolment)
    assessor = _check_assessor(membership, assessor)
    framework = _framework(enrolment)
    _check_competency(framework, competency)
    level = _check_level(framework, level)
    assessed_on = _check_date(enrolment, assessed_on)
    context = _check_context(context, ASSESSMENT_CONTEXTS)
    note, url = _clean_evidence(note, url, uploaded)
    assessment = Assessment(
        school=enrolment.school,
        enrolment=enrolment,
        competency=competency,
        kind=AssessmentKind.ASSESSMENT,
        level=level,
        assessed_on=assessed_on,
        assessor=assessor,
        context=context,
        recorded_by=membership.user,
    )
    assessment.save()
    evidence = _write_evidence(
        membership=membership,
        assessment=assessment,
        note=note,
        url=url,
        uploaded=uploaded,
        ip_address=ip_address,
    )
    record_event(
        actor=membership.user,
        action="competencies.assessment",
        target=assessment,
        school=enrolment.school,
        changes={
            "enrolment": enrolment.pk,
            "competency": competency.code,
            "level": level,
            "assessed_on": assessed_on.isoformat(),
            "context": context,
            "evidence": [row.kind for row in evidence],
        },
        ip_address=ip_address,
    )
    return assessment


@_removing_files_on_error
@transaction.atomic
def correct_assessment(
    *,
    membership: Membership,
    assessment: Assessment,
    level: int,
    reason: str,
    assessed_on: datetime.date | None = None,
    context: str | None = None,
    note: str = "",
    url: str = "",
    uploaded=None,
    ip_address: str | None = None,
) -> Assessment:
    """A new row that takes the place of ``assessment`` (which stays, marked as corrected)."""
    enrolment = assessment.enrolment
    _check_school(membership, enrolment)
    # Lock the corrected row: two simultaneous corrections of it cannot both pass.
    old = Assessment.objects.select_for_update().select_related("competency").get(pk=assessment.pk)
    newest = _latest_correction(old)
    if newest.pk != old.pk:
        raise ValidationError(
            _(
                "Cette évaluation a déjà été corrigée : corrigez la plus récente "
                "(niveau %(level)d du %(day)s)."
            )
            % {"level": newest.level, "day": _day(newest.assessed_on)}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez le motif de la correction."))
    if len(reason) > MAX_REASON:
        raise ValidationError(_("Le motif est trop long (300 caractères au plus)."))
    framework = old.competency.framework
    level = _check_level(framework, level)
    assessed_on = _check_date(enrolment, assessed_on or old.assessed_on)
    if old.kind == AssessmentKind.POSITIONING:
        context = AssessmentContext.POSITIONING
    else:
        context = _check_context(context or old.context, ASSESSMENT_CONTEXTS)
    note, url = _clean_evidence(note, url, uploaded)
    if (level, assessed_on, context) == (old.level, old.assessed_on, old.context) and not (
        note or url or uploaded
    ):
        raise ValidationError(
            _("La correction ne change ni le niveau, ni la date, ni le contexte.")
        )
    correction = Assessment(
        school=enrolment.school,
        enrolment=enrolment,
        competency=old.competency,
        kind=old.kind,
        level=level,
        assessed_on=assessed_on,
        assessor=membership,
        context=context,
        corrects=old,
        correction_reason=reason,
        recorded_by=membership.user,
    )
    correction.save()
    evidence = _write_evidence(
        membership=membership,
        assessment=correction,
        note=note,
        url=url,
        uploaded=uploaded,
        ip_address=ip_address,
    )
    record_event(
        actor=membership.user,
        action="competencies.correction",
        target=correction,
        school=enrolment.school,
        changes={
            "corrects": old.pk,
            "enrolment": enrolment.pk,
            "competency": old.competency.code,
            "level": [old.level, level],
            "assessed_on": [old.assessed_on.isoformat(), assessed_on.isoformat()],
            "context": [old.context, context],
            "evidence": [row.kind for row in evidence],
        },
        ip_address=ip_address,
    )
    return correction


@_removing_files_on_error
@transaction.atomic
def add_evidence(
    *,
    membership: Membership,
    assessment: Assessment,
    note: str = "",
    url: str = "",
    uploaded=None,
    ip_address: str | None = None,
) -> list[Evidence]:
    """Append evidence (a note, a link and/or a file) to an assessment that still counts."""
    _check_school(membership, assessment.enrolment)
    if Assessment.objects.filter(corrects=assessment).exists():
        raise ValidationError(
            _("Cette évaluation a été corrigée : ajoutez la preuve à sa correction.")
        )
    note, url = _clean_evidence(note, url, uploaded)
    if not (note or url or uploaded):
        raise ValidationError(_("Ajoutez une observation, un lien ou un fichier."))
    evidence = _write_evidence(
        membership=membership,
        assessment=assessment,
        note=note,
        url=url,
        uploaded=uploaded,
        ip_address=ip_address,
    )
    record_event(
        actor=membership.user,
        action="competencies.evidence",
        target=assessment,
        school=assessment.school,
        changes={"evidence": [row.kind for row in evidence]},
        ip_address=ip_address,
    )
    return evidence


# ------------------------------------------------------------------------------ certifications

CERTIFICATION_FIELDS = ["kind", "label", "status", "on_date", "result"]


def _check_certification(certification: Certification, enrolment: Enrolment) -> None:
    if certification.kind not in CertificationKind.values:
        raise ValidationError(_("Choisissez la certification dans la liste."))
    if certification.status not in CertificationStatus.values:
        raise ValidationError(_("Choisissez le résultat dans la liste."))
    certification.label = (certification.label or "").strip()
    certification.result = (certification.result or "").strip()
    if certification.kind == CertificationKind.OTHER and not certification.label:
        raise ValidationError(_("Précisez le nom de la certification."))
    if len(certification.label) > 200 or len(certification.result) > 200:
        raise ValidationError(_("La précision et le résultat font 200 caractères au plus."))
    day = certification.on_date
    if not isinstance(day, datetime.date):
        raise ValidationError(_("Indiquez la date."))
    if day < enrolment.entry_date:
        raise ValidationError(
            _("La date ne peut pas précéder l'entrée en parcours (%(day)s).")
            % {"day": _day(enrolment.entry_date)}
        )
    # A certification being prepared may carry the planned exam day; a result cannot be in
    # the future. A result may come after the exit (exam results are published later).
    if certification.status != CertificationStatus.PREPARING and day > _today():
        raise ValidationError(_("La date d'un résultat ne peut pas être dans le futur."))


@transaction.atomic
def record_certification(
    *,
    membership: Membership,
    enrolment: Enrolment,
    kind: str,
    on_date: datetime.date,
    status: str = CertificationStatus.PREPARING,
    label: str = "",
    result: str = "",
    ip_address: str | None = None,
) -> Certification:
    _check_school(membership, enrolment)
    certification = Certification(
        school=enrolment.school,
        enrolment=enrolment,
        kind=kind,
        label=label,
        status=status,
        on_date=on_date,
        result=result,
        recorded_by=membership.user,
    )
    _check_certification(certification, enrolment)
    certification.save()
    record_event(
        actor=membership.user,
        action="competencies.certification_create",
        target=certification,
        school=enrolment.school,
        changes={
            "enrolment": enrolment.pk,
            "kind": certification.kind,
            "status": certification.status,
            "on_date": certification.on_date.isoformat(),
        },
        ip_address=ip_address,
    )
    return certification


@transaction.atomic
def update_certification(
    *,
    membership: Membership,
    certification: Certification,
    status: str,
    on_date: datetime.date,
    result: str = "",
    kind: str | None = None,
    label: str | None = None,
    ip_address: str | None = None,
) -> Certification:
    """Change a certification's result, date (and kind or label); the audit event holds the
    changed fields (free text only as "changed")."""
    enrolment = certification.enrolment
    _check_school(membership, enrolment)
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    before = snapshot(certification, CERTIFICATION_FIELDS)
    certification.status = status
    certification.on_date = on_date
    certification.result = result
    if kind is not None:
        certification.kind = kind
    if label is not None:
        certification.label = label
    _check_certification(certification, enrolment)
    changes = diff_fields(certification, before, CERTIFICATION_FIELDS)
    if not changes:
        return certification
    certification.save()
    for free_text in ("label", "result"):
        if free_text in changes:
            changes[free_text] = "modifié"
    record_event(
        actor=membership.user,
        action="competencies.certification_update",
        target=certification,
        school=enrolment.school,
        changes=changes,
        ip_address=ip_address,
    )
    return certification
