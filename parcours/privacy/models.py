"""Retention: legal holds that postpone the anonymisation, and the log of the daily runs."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LegalHoldQuerySet(models.QuerySet["LegalHold"]):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """While a hold is active (not lifted), the person's data is never anonymised."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="legal_holds"
    )
    reason = models.CharField(_("motif"), max_length=300)
    placed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("posée le"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(_("levée le"), null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("conservation pour motif légal")
        verbose_name_plural = _("conservations pour motif légal")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(lifted_at__isnull=True),
                name="one_active_legal_hold_per_person",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_by__isnull=False),
                name="legal_hold_lifted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"conservation #{self.pk}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class RetentionRun(models.Model):
    """One school's part of one run of the daily anonymisation."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("début"))
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    as_of = models.DateField(_("date de référence"))
    retention_years = models.PositiveSmallIntegerField(_("durée de conservation (années)"))
    anonymised = models.PositiveIntegerField(_("personnes anonymisées"), default=0)
    skipped_held = models.PositiveIntegerField(_("reportées (conservation légale)"), default=0)
    errors = models.PositiveIntegerField(_("erreurs"), default=0)
    #: Registrations to information sessions that never became a candidacy, anonymised.
    registrations = models.PositiveIntegerField(_("inscriptions anonymisées"), default=0)

    class Meta:
        verbose_name = _("passage d'anonymisation")
        verbose_name_plural = _("passages d'anonymisation")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"passage #{self.pk}"
