"""Exits, their follow-ups at 3, 6 and 12 months, and the outcome definitions (versioned data).

- :class:`Exit` — one per exited enrolment: date, destination (see ``destinations``), length,
  employer or training body, comment. The enrolment's ``status``/``ended_on`` say it is over;
  the exit says where the trainee went. Written only by ``services_exits``.
- :class:`ExitFollowUp` — the to-do item of one wave (3, 6 or 12 months after the exit),
  created by ``parcours daily`` when it falls due, then the situation found (a destination,
  or unreachable).
- :class:`OutcomeDefinition` — one *version* of a definition of a successful exit: rules and
  exclusions as JSON (``rules.DefinitionSpec``), a validity period. A definition is a
  ``code``; editing it writes the next version and leaves the earlier ones untouched. Network
  definitions have no school (the admin edits them); a school may add its own.
- :class:`HeadlineDefinition` — the definition a school chose as its headline for a year.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.intake.eligibility import add_months

from .destinations import Destination, DropoutReason
from .rules import DefinitionSpec


class Exit(models.Model):
    school = models.ForeignKey(
        "organisations.School", verbose_name=_("école"), on_delete=models.PROTECT, related_name="+"
    )
    enrolment = models.OneToOneField(
        "pathways.Enrolment",
        verbose_name=_("parcours"),
        on_delete=models.PROTECT,
        related_name="exit",
    )
    exit_date = models.DateField(_("date de sortie"))
    destination = models.CharField(_("destination"), max_length=24, choices=Destination.choices)
    months = models.PositiveSmallIntegerField(_("durée (mois)"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(
        _("et jours"), default=0, help_text=_("Au-delà des mois entiers (0 à 30).")
    )
    organisation = models.CharField(
        _("employeur ou organisme de formation"), max_length=200, blank=True
    )
    hire = models.ForeignKey(
        "companies.Hire",
        verbose_name=_("embauche d'origine"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dropout_reason = models.CharField(
        _("motif d'abandon"), max_length=20, choices=DropoutReason.choices, blank=True
    )
    comment = models.TextField(_("commentaire"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)
    corrected_at = models.DateTimeField(_("corrigée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("sortie")
        verbose_name_plural = _("sorties")
        ordering = ["-exit_date", "-pk"]
        indexes = [models.Index(fields=["school", "exit_date"], name="exit_school_date_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(days__lte=30), name="exit_days_below_a_month"),
            models.CheckConstraint(
                condition=~Q(destination="abandon") | ~Q(dropout_reason=""),
                name="exit_dropout_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_destination_display()} — {self.exit_date:%d/%m/%Y}"


class FollowUpWave(models.IntegerChoices):
    THREE = 3, _("à 3 mois")
    SIX = 6, _("à 6 mois")
    TWELVE = 12, _("à 12 mois")


def follow_up_due_on(exit_date: datetime.date, wave: int) -> datetime.date:
    """The day a follow-up wave falls due: ``wave`` calendar months after the exit (clamped to
    the month's end: 31/08 + 6 months → 28/02 or 29/02)."""
    return add_months(exit_date, wave)


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("À faire")
    REACHED = "reached", _("Situation connue")
    UNREACHABLE = "unreachable", _("Injoignable")


class ExitFollowUp(models.Model):
    school = models.ForeignKey(
        "organisations.School", verbose_name=_("école"), on_delete=models.PROTECT, related_name="+"
    )
    exit = models.ForeignKey(
        Exit, verbose_name=_("sortie"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    wave = models.PositiveSmallIntegerField(_("échéance"), choices=FollowUpWave.choices)
    due_on = models.DateField(_("à faire à partir du"))
    status = models.CharField(
        _("état"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    notified_at = models.DateTimeField(_("signalé au référent le"), null=True, blank=True)
    # The situation found (status reached); unreachable keeps them empty.
    contacted_on = models.DateField(_("date du contact"), null=True, blank=True)
    situation = models.CharField(
        _("situation"), max_length=24, choices=Destination.choices, blank=True
    )
    months = models.PositiveSmallIntegerField(_("durée (mois)"), null=True, blank=True)
    days = models.PositiveSmallIntegerField(_("et jours"), default=0)
    organisation = models.CharField(
        _("employeur ou organisme de formation"), max_length=200, blank=True
    )
    comment = models.TextField(_("commentaire"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("suivi après la sortie")
        verbose_name_plural = _("suivis après la sortie")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["school", "status", "due_on"], name="followup_school_due_idx")
        ]
        constraints = [
            models.UniqueConstraint(fields=["exit", "wave"], name="followup_one_per_wave"),
            models.CheckConstraint(
                condition=Q(status="reached") & ~Q(situation="")
                | ~Q(status="reached") & Q(situation=""),
                name="followup_situation_iff_reached",
            ),
            models.CheckConstraint(condition=Q(days__lte=30), name="followup_days_below_a_month"),
        ]

    def __str__(self) -> str:
        return f"Suivi {self.get_wave_display()} — {self.due_on:%d/%m/%Y}"


class OutcomeDefinition(models.Model):
    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcome_definitions",
        help_text=_("Vide : définition du réseau, proposée à toutes les écoles."),
    )
    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("nom"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    rules = models.JSONField(_("règles"), default=list)
    excluded = models.JSONField(_("exclues du dénominateur"), default=list)
    valid_from = models.DateField(_("valable à partir du"))
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    is_current = models.BooleanField(_("version en vigueur"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("définition de sortie réussie")
        verbose_name_plural = _("définitions de sortie réussie")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="outcome_definition_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="outcome_definition_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="outcome_definition_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def spec(self) -> DefinitionSpec:
        return DefinitionSpec.from_json(self.rules, self.excluded)

    def is_valid_during(self, start: datetime.date, end: datetime.date) -> bool:
        return self.valid_from <= end and (self.valid_until is None or self.valid_until >= start)


class HeadlineDefinition(models.Model):
    """The school's headline definition for one calendar year."""

    school = models.ForeignKey(
        "organisations.School", verbose_name=_("école"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("année"))
    definition = models.ForeignKey(
        OutcomeDefinition,
        verbose_name=_("définition"),
        on_delete=models.PROTECT,
        related_name="headlines",
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(_("choisie le"), auto_now=True)

    class Meta:
        verbose_name = _("définition retenue pour l'année")
        verbose_name_plural = _("définitions retenues par année")
        ordering = ["school", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="headline_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.definition}"
