"""Intake: information sessions, referrals (candidacies), interviews, decisions, eligibility."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.organisations.models import PrescriberType

# --------------------------------------------------------------------------- eligibility rules


class EligibilityRules(models.Model):
    """A school's admission rules, versioned: a new version applies from ``valid_from``."""

    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="eligibility_rules",
    )
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("applicable à partir du"))
    min_age = models.PositiveSmallIntegerField(
        _("âge minimum"), default=16, validators=[MinValueValidator(14), MaxValueValidator(99)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("âge maximum (inclus)"),
        default=25,
        validators=[MinValueValidator(14), MaxValueValidator(99)],
        help_text=_("25 : le dernier jour éligible est la veille des 26 ans."),
    )
    min_months_out_of_school = models.PositiveSmallIntegerField(
        _("sortie du système scolaire depuis au moins (mois)"), default=12
    )
    require_not_in_employment_or_training = models.BooleanField(
        _("ni en emploi ni en formation"), default=True
    )
    note = models.CharField(_("commentaire"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("règles d'éligibilité")
        verbose_name_plural = _("règles d'éligibilité")
        ordering = ["school", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "version"], name="eligibility_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_age__gte=models.F("min_age")), name="eligibility_age_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} — v{self.version} ({self.valid_from:%d/%m/%Y})"


class SpecialPublic(models.Model):
    """A public admitted outside the age range, e.g. women over 25 living in a QPV via the PLIE.

    Matching a special public replaces the age rule only; the other rules still apply.
    """

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    rules = models.ForeignKey(
        EligibilityRules, on_delete=models.CASCADE, related_name="special_publics"
    )
    label = models.CharField(_("intitulé"), max_length=200)
    gender = models.CharField(
        _("sexe"), max_length=1, blank=True, choices=[("F", _("Femme")), ("M", _("Homme"))]
    )
    min_age = models.PositiveSmallIntegerField(_("âge minimum"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("âge maximum (inclus)"), null=True, blank=True)
    requires_qpv = models.BooleanField(_("habite un QPV"), default=False)
    prescriber_type = models.CharField(
        _("orienté·e par"), max_length=20, blank=True, choices=PrescriberType.choices
    )

    class Meta:
        verbose_name = _("public spécifique")
        verbose_name_plural = _("publics spécifiques")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


# -------------------------------------------------------------------------- info sessions


class InfoSession(models.Model):
    """An information collective: a group presentation of the school before the interview."""

    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="info_sessions",
    )
    site = models.ForeignKey(
        "organisations.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(
        "organisations.Room",
        verbose_name=_("salle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    public_note = models.CharField(
        _("information publique"),
        max_length=300,
        blank=True,
        help_text=_("Affichée sur l'agenda public (ex. « Se munir d'une pièce d'identité »)."),
    )
    cancelled = models.BooleanField(_("annulée"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("information collective")
        verbose_name_plural = _("informations collectives")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["school", "starts_at"], name="infosession_school_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="infosession_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="infosession_capacity_min"),
        ]

    def __str__(self) -> str:
        return f"Information collective du {self.starts_at:%d/%m/%Y}"


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Inscrit·e")
    WAITLIST = "waitlist", _("Liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class Registration(models.Model):
    """A place at an information session; public registrations hold only name and contact."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(InfoSession, on_delete=models.CASCADE, related_name="registrations")
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    prescriber_name = models.CharField(_("structure qui vous oriente"), max_length=200, blank=True)
    referral = models.ForeignKey(
        "Referral",
        verbose_name=_("candidature"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
    )
    attended = models.BooleanField(_("présent·e"), null=True, blank=True)
    from_public_agenda = models.BooleanField(_("inscription en ligne"), default=False)
    token = models.CharField(max_length=43, unique=True, editable=False)
    created_at = models.DateTimeField(_("inscrit·e le"), auto_now_add=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="registration_has_contact"
            ),
            models.UniqueConstraint(
                fields=["session", "referral"],
                condition=Q(referral__isnull=False),
                name="registration_once_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)


# ------------------------------------------------------------------------------ referrals


class Channel(models.TextChoices):
    ONLINE = "online", _("Saisie en ligne par le prescripteur")
    PHONE = "phone", _("Téléphone")
    MAIL = "mail", _("Courrier ou courriel")
    SPONTANEOUS = "spontaneous", _("Candidature spontanée")
    AGENDA = "agenda", _("Inscription à une information collective")


class Stage(models.TextChoices):
    REFERRED = "referred", _("Orienté·e")
    INFO_SESSION = "info_session", _("Information collective")
    INTERVIEW = "interview", _("Entretien")
    DECISION = "decision", _("Décision")
    ENTERED = "entered", _("Entré·e")


class Outcome(models.TextChoices):
    ADMITTED = "admitted", _("Admis·e")
    REFUSED = "refused", _("Refusé·e")
    POSTPONED = "postponed", _("Reporté·e")
    WITHDRAWN = "withdrawn", _("Désistement")


class Referral(models.Model):
    """A candidacy: a person referred to the school (or applying alone), until entry."""

    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    prescriber = models.ForeignKey(
        "organisations.Partner",
        verbose_name=_("prescripteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text=_("Vide pour une candidature spontanée."),
    )
    adviser = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("conseiller·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_made",
        help_text=_("Le compte prescripteur qui suit cette orientation."),
    )
    channel = models.CharField(_("canal"), max_length=12, choices=Channel.choices)
    received_on = models.DateField(_("reçue le"))
    reason = models.TextField(_("motif de l'orientation"), max_length=2000, blank=True)
    funding_line = models.ForeignKey(
        "pathways.FundingLine",
        verbose_name=_("dispositif"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"referral_choice": True},
    )
    job_seeker_status = models.CharField(
        _("situation"),
        max_length=20,
        blank=True,
        choices=[
            ("registered", _("Demandeur d'emploi inscrit à France Travail")),
            ("not_registered", _("Demandeur d'emploi non inscrit")),
            ("inactive", _("Inactif (ni en emploi, ni en recherche)")),
        ],
    )
    left_school_on = models.DateField(_("sortie du système scolaire le"), null=True, blank=True)
    in_employment_or_training = models.BooleanField(
        _("actuellement en emploi ou en formation"), default=False
    )
    qpv_code = models.CharField(
        _("code QPV"), max_length=10, blank=True, help_text=_("Vide si hors quartier prioritaire.")
    )
    stage = models.CharField(
        _("étape"), max_length=12, choices=Stage.choices, default=Stage.REFERRED
    )
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["school", "stage"], name="referral_school_stage_idx"),
            models.Index(fields=["school", "received_on"], name="referral_school_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.received_on:%d/%m/%Y}"

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.ENTERED or self.outcome in (Outcome.REFUSED, Outcome.WITHDRAWN)


class Interview(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="interviews")
    held_at = models.DateTimeField(_("date de l'entretien"))
    interviewer = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("mené par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(
        _("notes d'entretien"),
        max_length=5000,
        blank=True,
        help_text=_("Réservées à l'équipe de l'école : jamais transmises au prescripteur."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entretien d'admission")
        verbose_name_plural = _("entretiens d'admission")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"Entretien du {self.held_at:%d/%m/%Y}"


class Decision(models.Model):
    """One decision on a referral; the latest one is the referral's ``outcome``."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices)
    decided_on = models.DateField(_("date de la décision"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    planned_entry_date = models.DateField(_("date d'entrée prévue"), null=True, blank=True)
    site = models.ForeignKey(
        "organisations.Site",
        verbose_name=_("site d'entrée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("motif"), max_length=2000, blank=True)
    rules = models.ForeignKey(
        EligibilityRules, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    eligibility = models.JSONField(_("contrôle d'éligibilité"), default=list, blank=True)
    override_reason = models.TextField(_("motif de la dérogation"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("décision d'admission")
        verbose_name_plural = _("décisions d'admission")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="admitted")
                | (Q(planned_entry_date__isnull=False) & Q(site__isnull=False)),
                name="decision_admitted_has_entry_and_site",
            ),
            models.CheckConstraint(
                condition=Q(planned_entry_date__isnull=True)
                | Q(planned_entry_date__gte=models.F("decided_on")),
                name="decision_entry_not_before_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} le {self.decided_on:%d/%m/%Y}"
