"""The enrolment (parcours): one stay of a person at a school, and the situation at entry.

A person may have several enrolments over time (a return after leaving).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FundingLine(models.Model):
    """A scheme an enrolment comes under (PLIE, politique de la ville, FSE+…): reference data."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(_("description"), max_length=255, blank=True)
    referral_choice = models.BooleanField(
        _("proposé aux prescripteurs"),
        default=False,
        help_text=_("Peut être indiqué par un prescripteur au moment de l'orientation."),
    )
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("dispositif de financement")
        verbose_name_plural = _("dispositifs de financement")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Codes of the funding lines shipped by the migration (see 0002_funding_lines).
PLIE = "plie"
CEJ = "cej"
POLITIQUE_VILLE = "politique_ville"
FSE_PLUS = "fse_plus"
REGION = "region"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("En parcours")
    EXITED = "exited", _("Sorti·e")


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def overlapping(self, start: datetime.date, end: datetime.date):
        """Enrolments whose stay [entry_date, ended_on] meets the period [start, end]."""
        return self.filter(
            Q(entry_date__lte=end), Q(ended_on__isnull=True) | Q(ended_on__gte=start)
        )

    def present_on(self, day: datetime.date):
        return self.overlapping(day, day)


class Enrolment(models.Model):
    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    site = models.ForeignKey(
        "organisations.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    referent = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("référent·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
    )
    referral = models.OneToOneField(
        "intake.Referral",
        verbose_name=_("candidature"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolment",
    )
    entry_date = models.DateField(_("date d'entrée"))
    planned_end_date = models.DateField(_("fin prévue"))
    status = models.CharField(
        _("statut"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    ended_on = models.DateField(
        _("date de sortie"),
        null=True,
        blank=True,
        help_text=_("Renseignée à la sortie (jour de fin du parcours)."),
    )
    funding_lines = models.ManyToManyField(
        FundingLine,
        verbose_name=_("dispositifs"),
        through="EnrolmentFundingLine",
        related_name="enrolments",
        blank=True,
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["-entry_date"]
        indexes = [
            models.Index(fields=["school", "entry_date"], name="enrolment_school_entry_idx"),
            models.Index(fields=["school", "ended_on"], name="enrolment_school_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gte=models.F("entry_date")),
                name="enrolment_planned_end_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("entry_date")),
                name="enrolment_end_after_entry",
            ),
            models.CheckConstraint(
                condition=(Q(status="exited") & Q(ended_on__isnull=False))
                | (Q(status="active") & Q(ended_on__isnull=True)),
                name="enrolment_status_matches_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.entry_date:%d/%m/%Y}"


class EnrolmentFundingLine(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE)
    funding_line = models.ForeignKey(FundingLine, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("dispositif du parcours")
        verbose_name_plural = _("dispositifs du parcours")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "funding_line"], name="enrolment_funding_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} — {self.funding_line_id}"


class DiplomaLevel(models.TextChoices):
    NONE = "none", _("Aucun diplôme (infra niveau 3)")
    LEVEL_3 = "3", _("CAP, BEP (niveau 3)")
    LEVEL_4 = "4", _("Baccalauréat (niveau 4)")
    HIGHER = "5+", _("Supérieur au baccalauréat (niveau 5 et plus)")


class JobSeekerStatus(models.TextChoices):
    REGISTERED = "registered", _("Demandeur d'emploi inscrit à France Travail")
    NOT_REGISTERED = "not_registered", _("Demandeur d'emploi non inscrit")
    INACTIVE = "inactive", _("Inactif (ni en emploi, ni en recherche)")


class Answer(models.TextChoices):
    """A yes/no item where the person may decline to answer (FSE+ sensitive items)."""

    YES = "yes", _("Oui")
    NO = "no", _("Non")
    DECLINED = "declined", _("Ne souhaite pas répondre")


class EntrySituation(models.Model):
    """The person's situation at entry: what funders ask about, frozen on the entry day."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="entry_situation"
    )
    gender = models.CharField(
        _("sexe"), max_length=1, choices=[("F", _("Femme")), ("M", _("Homme"))]
    )
    birth_date = models.DateField(_("date de naissance"))
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=120)
    qpv_code = models.CharField(
        _("code QPV"),
        max_length=10,
        blank=True,
        help_text=_("Code du quartier prioritaire (ex. QN06301M), vide hors QPV."),
    )
    qpv_checked_on = models.DateField(_("statut QPV vérifié le"), null=True, blank=True)
    diploma_level = models.CharField(
        _("plus haut diplôme"), max_length=4, choices=DiplomaLevel.choices
    )
    left_school_on = models.DateField(_("sortie du système scolaire le"), null=True, blank=True)
    job_seeker_status = models.CharField(
        _("situation"), max_length=20, choices=JobSeekerStatus.choices
    )
    rqth = models.CharField(
        _("RQTH (reconnaissance de handicap)"), max_length=10, choices=Answer.choices
    )
    receives_rsa = models.CharField(_("bénéficiaire du RSA"), max_length=10, choices=Answer.choices)
    driving_licence = models.BooleanField(_("permis de conduire"), default=False)
    # FSE+ participant items: "ne souhaite pas répondre" is an allowed answer.
    jobless_household = models.CharField(
        _("ménage sans emploi"), max_length=10, choices=Answer.choices
    )
    single_parent = models.CharField(
        _("parent isolé avec enfant(s) à charge"), max_length=10, choices=Answer.choices
    )
    homeless = models.CharField(
        _("sans domicile ou exclu du logement"), max_length=10, choices=Answer.choices
    )
    foreign_origin = models.CharField(
        _("personne d'origine étrangère"), max_length=10, choices=Answer.choices
    )
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("situation à l'entrée")
        verbose_name_plural = _("situations à l'entrée")

    def __str__(self) -> str:
        return f"{self.enrolment}"

    @property
    def lives_in_qpv(self) -> bool:
        return bool(self.qpv_code)
