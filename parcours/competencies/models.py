"""Competencies: versioned frameworks, append-only assessments with evidence, attestations.

- A ``Framework`` row is one *version* of a framework (référentiel): its ``family`` groups the
  versions of the same framework, ``version`` numbers them. A draft can be edited; a published
  version is read-only forever, so assessments made under it keep their meaning. A framework
  with ``school = None`` is shipped by the project (the network's default) and readable by every
  school; a school's own frameworks carry its ``school``.
- A framework has a scale (``ScaleLevel``, 1..n, default 4) and a tree: ``Area`` (areas may
  have sub-areas) → ``Competency``, each competency with a descriptor per level
  (``LevelDescriptor``).
- ``Assessment`` rows are appended, never changed nor deleted: a positioning (at entry) or an
  assessment (during the pathway), with its ``Evidence`` rows. A correction is a new row that
  names the row it corrects. A competency's current level is derived from them
  (``levels.py``), never typed; ``LevelSpan`` stores the derived levels for the reports (a
  pre-aggregate rewritten with every row, recomputable: ``stored_levels.py``). The bulk
  writes of ``Assessment.objects`` are refused (``AssessmentQuerySet``): they would skip it.
- ``Attestation`` is the Attestation de Compétences Acquises: its content is frozen when it is
  issued; only its revocation can be recorded afterwards.
- ``Certification``: other certifications prepared or obtained during the pathway.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

DEFAULT_SCALE = [
    (1, "Découverte", "Commence à connaître la compétence ; agit avec une aide constante."),
    (2, "En progression", "Agit avec une aide ponctuelle dans des situations connues."),
    (3, "Maîtrisée", "Agit seul·e dans des situations connues, avec régularité."),
    (4, "Confirmée", "Agit seul·e et s'adapte à des situations nouvelles ; peut transmettre."),
]


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publiée")
    RETIRED = "retired", _("Retirée")


class Framework(models.Model):
    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frameworks",
        help_text=_("Vide : référentiel fourni par Parcours, commun à toutes les écoles."),
    )
    family = models.SlugField(
        _("identifiant du référentiel"),
        max_length=60,
        help_text=_("Commun à toutes les versions d'un même référentiel."),
    )
    name = models.CharField(_("nom"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("issue de la version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("référentiel de compétences")
        verbose_name_plural = _("référentiels de compétences")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "family", "version"],
                condition=Q(school__isnull=False),
                name="framework_version_unique",
            ),
            models.UniqueConstraint(
                fields=["family", "version"],
                condition=Q(school__isnull=True),
                name="shared_framework_version_unique",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="framework_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_draft(self) -> bool:
        return self.status == FrameworkStatus.DRAFT

    @property
    def is_shared(self) -> bool:
        return self.school_id is None


class ScaleLevel(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField(_("niveau"))
    label = models.CharField(_("libellé"), max_length=80)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("niveau de l'échelle")
        verbose_name_plural = _("niveaux de l'échelle")
        ordering = ["framework", "value"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "value"], name="scale_level_unique"),
            models.CheckConstraint(condition=Q(value__gte=1), name="scale_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.value} — {self.label}"


class Area(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="areas")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("domaine parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=200)
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("domaine de compétences")
        verbose_name_plural = _("domaines de compétences")
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="area_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Competency(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="competencies")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class LevelDescriptor(models.Model):
    """What a level of the scale looks like for one competency."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="descriptors")
    value = models.PositiveSmallIntegerField(_("niveau"))
    description = models.TextField(_("ce que l'on observe"))

    class Meta:
        verbose_name = _("descripteur de niveau")
        verbose_name_plural = _("descripteurs de niveau")
        ordering = ["competency", "value"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "value"], name="descriptor_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value} : {self.description[:60]}"


# ------------------------------------------------------------------------------ assessments


class AssessmentKind(models.TextChoices):
    POSITIONING = "positioning", _("Positionnement d'entrée")
    ASSESSMENT = "assessment", _("Évaluation")


class AssessmentContext(models.TextChoices):
    POSITIONING = "positioning", _("Positionnement")
    WORKSHOP = "workshop", _("Atelier")
    INTERNSHIP = "internship", _("Stage en entreprise")
    PROJECT = "project", _("Projet")
    SCHOOL_LIFE = "school_life", _("Vie à l'école")


class AppendOnly(models.Model):
    """Rows that are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(
                _("Cet enregistrement ne peut pas être modifié : ajoutez une correction.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Cet enregistrement ne peut pas être supprimé."))


class StoredLevelsBypassed(PermissionError):
    """A bulk write of assessment rows that would leave their stored levels stale."""


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    """Assessment rows in bulk: read freely, never written around the stored levels.

    ``Assessment.save`` appends a row and rewrites its enrolment's stored levels
    (``LevelSpan``); ``bulk_create``, ``bulk_update``, ``update`` and ``delete`` of a queryset
    skip it and would leave the levels stale without a word, so they are refused. The named
    paths that write rows in bulk recompute the levels of the enrolments they touch in the
    same transaction: ``stored_levels.bulk_create_and_recompute`` and
    ``stored_levels.delete_and_recompute`` (resetting the demo).
    """

    def _refuse(self, what: str) -> StoredLevelsBypassed:
        return StoredLevelsBypassed(
            f"Assessment.objects.{what}() is refused: it skips Assessment.save and would leave "
            "the stored levels (LevelSpan) stale. Append rows one by one with save(), or use "
            "competencies.stored_levels.bulk_create_and_recompute() / delete_and_recompute(), "
            "which recompute the enrolments' levels in the same transaction."
        )

    def bulk_create(self, *args, **kwargs):  # type: ignore[override]
        raise self._refuse("bulk_create")

    def bulk_update(self, *args, **kwargs):  # type: ignore[override]
        raise self._refuse("bulk_update")

    def update(self, **kwargs):  # type: ignore[override]
        raise self._refuse("update")

    def delete(self):  # type: ignore[override]
        raise self._refuse("delete")

    def _raw_delete(self, using):  # type: ignore[override]
        raise self._refuse("_raw_delete")

    def unguarded(self) -> models.QuerySet:
        """This queryset as a plain one, whose bulk writes go through: for
        ``stored_levels``' named paths only, which recompute the levels afterwards."""
        return models.QuerySet(self.model, query=self.query.chain(), using=self._db)


class Assessment(AppendOnly):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.PROTECT, related_name="assessments"
    )
    competency = models.ForeignKey(
        Competency, verbose_name=_("compétence"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        _("nature"),
        max_length=12,
        choices=AssessmentKind.choices,
        default=AssessmentKind.ASSESSMENT,
    )
    level = models.PositiveSmallIntegerField(_("niveau atteint"))
    assessed_on = models.DateField(_("date"))
    assessor = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("évaluateur·rice"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    context = models.CharField(_("contexte"), max_length=12, choices=AssessmentContext.choices)
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrige l'évaluation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    correction_reason = models.CharField(_("motif de la correction"), max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("évaluation de compétence")
        verbose_name_plural = _("évaluations de compétences")
        ordering = ["assessed_on", "id"]
        indexes = [models.Index(fields=["enrolment", "competency"])]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1), name="assessment_level_positive"),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""),
                name="assessment_correction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} : {self.level}"

    def save(self, *args, **kwargs):
        """Append the row and rewrite its enrolment's stored levels (``LevelSpan``), in one
        transaction: the pre-aggregate never lags behind the rows."""
        from .stored_levels import refresh

        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            refresh(self.enrolment_id, using=self._state.db)


class EvidenceKind(models.TextChoices):
    NOTE = "note", _("Observation")
    FILE = "file", _("Fichier")
    LINK = "link", _("Lien")


class Evidence(AppendOnly):
    """A proof attached to an assessment: a note, a file (a pathway document) or a link."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("type de preuve"), max_length=6, choices=EvidenceKind.choices)
    note = models.TextField(_("observation"), blank=True)
    url = models.URLField(_("lien"), max_length=500, blank=True)
    document = models.ForeignKey(
        "pathways.Document",
        verbose_name=_("fichier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("preuve")
        verbose_name_plural = _("preuves")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="note") & ~Q(note=""))
                | (Q(kind="link") & ~Q(url=""))
                | (Q(kind="file") & Q(document__isnull=False)),
                name="evidence_has_content",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def summary(self) -> str:
        if self.kind == EvidenceKind.NOTE:
            return self.note
        if self.kind == EvidenceKind.LINK:
            return self.url
        return self.document.title if self.document_id else ""


class LevelSpan(models.Model):
    """A pre-aggregate of the assessment rows: one enrolment's levels on one competency over a
    span of days, as ``levels.level_spans`` derives them (issue 12).

    Never typed: ``Assessment.save`` rewrites all the spans of its enrolment in the same
    transaction (``stored_levels.refresh``), and ``parcours competencies
    recompute-levels`` recomputes them all from the rows. The levels as of a day are the span
    that holds on that day (``valid_from <= day < valid_until``, ``valid_until`` empty for the
    levels that still hold).
    """

    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique constraint's first column
    )
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField(_("du"))
    valid_until = models.DateField(_("jusqu'au (exclu)"), null=True, blank=True)
    entry_level = models.PositiveSmallIntegerField(_("niveau à l'entrée"), null=True, blank=True)
    entry_on = models.DateField(_("positionné le"), null=True, blank=True)
    current_level = models.PositiveSmallIntegerField(_("niveau atteint"))
    #: The smallest id of the enrolment's rows on this competency (corrected ones included): an
    #: enrolment is assessed on the framework of its first row (``selectors.enrolment_framework``).
    first_assessment_pk = models.PositiveBigIntegerField(_("première évaluation"))

    class Meta:
        verbose_name = _("niveaux sur une période (pré-calcul)")
        verbose_name_plural = _("niveaux sur des périodes (pré-calcul)")
        ordering = ["enrolment", "competency", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "competency", "valid_from"], name="level_span_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="level_span_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_level} → {self.current_level} ({self.valid_from})"


# ------------------------------------------------------------------------------ attestations


class AttestationStatus(models.TextChoices):
    VALID = "valid", _("Valide")
    REVOKED = "revoked", _("Révoquée")


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


class Attestation(models.Model):
    """An issued Attestation de Compétences Acquises. Its content is frozen at issue time
    (``content``); afterwards only the revocation fields may change."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.PROTECT, related_name="attestations"
    )
    number = models.CharField(_("numéro"), max_length=80, unique=True)
    token = models.CharField(max_length=64, unique=True, default=new_verification_token)
    issued_on = models.DateField(_("délivrée le"))
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(_("contenu"), default=dict)
    status = models.CharField(
        _("statut"),
        max_length=8,
        choices=AttestationStatus.choices,
        default=AttestationStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(_("motif de la révocation"), max_length=300, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("remplacée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    #: The only fields a saved attestation may still change (its revocation).
    MUTABLE_FIELDS = ("status", "revoked_at", "revoked_by", "revocation_reason", "replaced_by")

    class Meta:
        verbose_name = _("attestation de compétences acquises")
        verbose_name_plural = _("attestations de compétences acquises")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="valid"),
                name="attestation_one_valid_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= set(self.MUTABLE_FIELDS):
                raise ValidationError(
                    _("Une attestation délivrée ne peut pas être modifiée : rééditez-la.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Une attestation délivrée ne peut pas être supprimée."))

    @property
    def is_valid(self) -> bool:
        return self.status == AttestationStatus.VALID


class AttestationCounter(models.Model):
    """The last number used per school and year, to number attestations without gaps."""

    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="attestation_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} : {self.last}"


# ------------------------------------------------------------------------------ certifications


class CertificationKind(models.TextChoices):
    CLEA = "clea", _("CléA")
    CLEA_NUMERIQUE = "clea_num", _("CléA numérique")
    PIX = "pix", _("Certification PIX")
    SST = "sst", _("Sauveteur secouriste du travail (SST)")
    ETG = "etg", _("Code de la route (ETG)")
    DRIVING = "driving", _("Permis de conduire B")
    CACES = "caces", _("CACES")
    OTHER = "other", _("Autre certification")


class CertificationStatus(models.TextChoices):
    PREPARING = "preparing", _("En préparation")
    OBTAINED = "obtained", _("Obtenue")
    PARTIAL = "partial", _("Obtenue en partie")
    FAILED = "failed", _("Non obtenue")


class Certification(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField(_("certification"), max_length=10, choices=CertificationKind.choices)
    label = models.CharField(
        _("précision"),
        max_length=200,
        blank=True,
        help_text=_("Obligatoire pour « Autre certification » (ex. : habilitation électrique)."),
    )
    status = models.CharField(
        _("résultat"),
        max_length=10,
        choices=CertificationStatus.choices,
        default=CertificationStatus.PREPARING,
    )
    on_date = models.DateField(
        _("date"), help_text=_("Date de l'épreuve, ou du début de la préparation.")
    )
    result = models.CharField(
        _("détail du résultat"),
        max_length=200,
        blank=True,
        help_text=_("Score, domaines validés… (ex. : PIX 312 pix, CléA 5 domaines sur 7)."),
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-on_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="other") | ~Q(label=""), name="certification_other_has_label"
            ),
        ]

    def __str__(self) -> str:
        return self.label if self.kind == CertificationKind.OTHER else self.get_kind_display()

    @property
    def title(self) -> str:
        if self.kind == CertificationKind.OTHER or not self.label:
            return str(self)
        return f"{self.get_kind_display()} — {self.label}"


class SchoolFramework(models.Model):
    """The framework version a school positions its new trainees on."""

    school = models.OneToOneField(
        "organisations.School", on_delete=models.CASCADE, related_name="competency_settings"
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("référentiel en usage"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("référentiel de l'école")
        verbose_name_plural = _("référentiels des écoles")

    def __str__(self) -> str:
        return str(self.framework)
