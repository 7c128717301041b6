"""The young person: identity and contact. What describes them at entry lives on the enrolment.

No NIR (social security number) is ever stored.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")


class Person(models.Model):
    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"))
    gender = models.CharField(_("sexe"), max_length=1, choices=Gender.choices)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("téléphone"), max_length=20, blank=True, help_text=_("Format international (+33…).")
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    needs_step_free = models.BooleanField(
        _("a besoin d'un accès de plain-pied"),
        default=False,
        help_text=_("Ses séances n'ont lieu que dans des salles accessibles de plain-pied."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(Lower("last_name"), "birth_date", name="person_name_birth_idx"),
            models.Index(fields=["school", "email"], name="person_school_email_idx"),
            models.Index(fields=["school", "phone"], name="person_school_phone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__gt=datetime.date(1900, 1, 1)),
                name="person_birth_date_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("Mère")
    FATHER = "father", _("Père")
    GUARDIAN = "guardian", _("Tuteur·rice légal·e")
    OTHER = "other", _("Autre représentant·e légal·e")


class LegalGuardian(models.Model):
    """The legal guardian of a minor: named on the internship agreement, which they sign."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardians")
    relation = models.CharField(_("lien"), max_length=10, choices=GuardianRelation.choices)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("représentant·e légal·e")
        verbose_name_plural = _("représentant·es légaux·ales")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day`` (a person born on 29 February ages on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
