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
    # Set by the anonymisation (parcours.privacy): identity, contact and free text are gone,
    # the birth date is reduced to 1 January of its year.
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True, editable=False)
    # Kept by the anonymisation only when the monthly statements need it (the person attended
    # in the calendar year of their 18th birthday): paid half-days are split minor / adult.
    came_of_age_on = models.DateField(null=True, blank=True, editable=False)

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
        return full_name(self.first_name, self.last_name)

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def birth_year(self) -> int:
        return self.birth_date.year


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
        return full_name(self.first_name, self.last_name)


def full_name(first_name: str, last_name: str) -> str:
    """« Prénom Nom », as the pages name a person (also from rows read without the model)."""
    return f"{first_name} {last_name}"


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day`` (a person born on 29 February ages on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


ADULT_AGE = 18


def entry_age(
    birth_date: datetime.date | None, entry_date: datetime.date, frozen: int | None = None
) -> int | None:
    """Age at entry as the figures count it: the age kept at anonymisation (``frozen``) when
    there is one, else computed from the birth date (``None`` without a birth date)."""
    if frozen is not None:
        return frozen
    if birth_date is None:
        return None
    return age_on(birth_date, entry_date)


def is_minor_on(person: object, day: datetime.date) -> bool:
    """Whether ``person`` (an object with ``birth_date`` and, optionally, ``anonymised_at`` and
    ``came_of_age_on``) was under 18 on ``day``. For an anonymised person the birth date is
    only a year: the 18th birthday kept at anonymisation decides, else the year."""
    birth_date = getattr(person, "birth_date", None)
    if birth_date is None:
        return False
    if getattr(person, "anonymised_at", None) is not None:
        came_of_age = getattr(person, "came_of_age_on", None)
        if came_of_age is not None:
            return day < came_of_age
        return day.year < birth_date.year + ADULT_AGE
    return age_on(birth_date, day) < ADULT_AGE


def coming_of_age(birth_date: datetime.date) -> datetime.date:
    """The 18th birthday (born on 29 February: of age on 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        return datetime.date(birth_date.year + ADULT_AGE, 3, 1)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --------------------------------------------------------------------- the person's rights


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Accès")
    RECTIFICATION = "rectification", _("Rectification")
    OBJECTION = "objection", _("Opposition")
    ERASURE = "erasure", _("Effacement")
    LIMITATION = "limitation", _("Limitation")


class RequestChannel(models.TextChoices):
    LETTER = "letter", _("Courrier")
    EMAIL = "email", _("E-mail")
    IN_PERSON = "in_person", _("Sur place")
    PHONE = "phone", _("Téléphone")


class RequestOutcome(models.TextChoices):
    GRANTED = "granted", _("Accordée")
    PARTIAL = "partial", _("Partiellement accordée")
    REFUSED = "refused", _("Refusée")
    MOOT = "moot", _("Sans objet")


def one_month_after(day: datetime.date) -> datetime.date:
    """The same day a month later (GDPR art. 12(3)); the month's last day when it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class SubjectRequest(models.Model):
    """A request from the person about their data (GDPR art. 15–21), with its answer."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("demande"), max_length=20, choices=RequestKind.choices)
    received_on = models.DateField(_("reçue le"))
    channel = models.CharField(_("reçue par"), max_length=20, choices=RequestChannel.choices)
    details = models.TextField(
        _("précisions"),
        blank=True,
        max_length=2000,
        help_text=_("Ce que la personne demande, en quelques mots."),
    )
    due_on = models.DateField(_("réponse due le"))
    answered_on = models.DateField(_("répondue le"), null=True, blank=True)
    answer = models.TextField(_("réponse"), blank=True, max_length=4000)
    outcome = models.CharField(
        _("suite donnée"), max_length=20, choices=RequestOutcome.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("enregistrée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("demande de la personne")
        verbose_name_plural = _("demandes des personnes")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["school", "answered_on", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=models.F("received_on")),
                name="subject_request_answer_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.received_on:%d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        if self.received_on and not self.due_on:
            self.due_on = one_month_after(self.received_on)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.answered_on is None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_on < today


class NoticeRecipient(models.TextChoices):
    PERSON = "person", _("La personne")
    GUARDIAN = "guardian", _("Son représentant légal")


class NoticeMedium(models.TextChoices):
    HAND = "hand", _("Remise en main propre")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Courrier")


class PrivacyNotice(models.Model):
    """An information notice (GDPR art. 13) given to the person or to their legal guardian."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="notices"
    )
    given_to = models.CharField(
        _("remise à"), max_length=10, choices=NoticeRecipient.choices, default="person"
    )
    guardian = models.ForeignKey(
        LegalGuardian,
        verbose_name=_("représentant·e légal·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notices",
    )
    given_on = models.DateField(_("remise le"))
    medium = models.CharField(_("moyen"), max_length=10, choices=NoticeMedium.choices)
    version = models.CharField(
        _("version de la notice"),
        max_length=100,
        help_text=_("Par exemple « Notice d'information v2026-01 »."),
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("enregistrée par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice d'information remise")
        verbose_name_plural = _("notices d'information remises")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.version} ({self.given_on:%d/%m/%Y})"
