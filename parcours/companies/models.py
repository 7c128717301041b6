"""Companies and internships: the school's partner companies and their contacts, the
relationship history, internships and PMSMP with their agreements and signatures, the
tutors' reviews and the hires that follow an internship.

- ``Company``: a partner company of a school (SIRET checked with python-stdnum, unique per
  school when given). ``Contact``: a person in it, who can be tutor, HR and/or legal signatory.
  ``CompanyEvent``: the relationship history (visits, calls, job offers, hires, events).
- ``Internship``: a period in a company for an enrolment — an E2C internship or a PMSMP (which
  needs a prescriber and lasts at most one month). Its days are the trainee's "in company"
  attendance. ``InternshipGoal``: a goal linked to a competency of the trainee's framework.
- ``AgreementSignature``: who signed the agreement (convention de stage) and when: the school,
  the trainee, the legal guardian of a minor, the company's signatory (and a second one when
  the internship names two). An internship cannot start before every signature is recorded.
- ``TutorReview`` (bilan de stage) with ``ReviewCompetency`` rows (a competency observed at a
  level; each can become an assessment). ``TutorLink``: the tutor's private, expiring,
  single-purpose link to fill the review without an account (only a hash of its token is
  stored).
- ``Hire``: a contract that follows an internship (type and length); it feeds the exit.

Every row carries ``school`` (the tenant key). Writes go through the services, which audit.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Moins de 10 salariés")
    SMALL = "small", _("10 à 49 salariés")
    MEDIUM = "medium", _("50 à 249 salariés")
    LARGE = "large", _("250 salariés et plus")


class Sector(models.TextChoices):
    """Broad sectors, as the company-relations officers speak of them."""

    RETAIL = "retail", _("Commerce et vente")
    HOSPITALITY = "hospitality", _("Hôtellerie, restauration")
    BUILDING = "building", _("Bâtiment, travaux publics")
    INDUSTRY = "industry", _("Industrie")
    LOGISTICS = "logistics", _("Transport, logistique")
    CARE = "care", _("Santé, aide à la personne")
    SERVICES = "services", _("Services aux entreprises")
    CLEANING = "cleaning", _("Propreté")
    AGRICULTURE = "agriculture", _("Agriculture, espaces verts")
    PUBLIC = "public", _("Administration, collectivités")
    NONPROFIT = "nonprofit", _("Associations, économie sociale")
    OTHER = "other", _("Autre")


class Company(models.Model):
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="companies"
    )
    name = models.CharField(_("raison sociale"), max_length=200)
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        help_text=_("14 chiffres, sans espaces ; laissez vide s'il n'est pas encore connu."),
    )
    naf_code = models.CharField(
        _("code NAF/APE"), max_length=6, blank=True, help_text=_("Par exemple 47.11F.")
    )
    sector = models.CharField(_("secteur"), max_length=20, choices=Sector.choices)
    size = models.CharField(_("effectif"), max_length=10, choices=CompanySize.choices, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("entreprise")
        verbose_name_plural = _("entreprises")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "siret"],
                condition=~Q(siret=""),
                name="company_siret_unique_per_school",
            ),
        ]
        indexes = [models.Index(fields=["school", "name"], name="company_school_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Contact(models.Model):
    """A person in a company. One person can be tutor, HR and legal signatory at once."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="contacts")
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    job_title = models.CharField(_("fonction"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    is_tutor = models.BooleanField(_("tuteur·rice"), default=False)
    is_hr = models.BooleanField(_("ressources humaines"), default=False)
    is_signatory = models.BooleanField(
        _("signataire"), default=False, help_text=_("Peut signer les conventions de stage.")
    )
    active = models.BooleanField(_("actif·ve"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "pk"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def roles_display(self) -> str:
        roles = []
        if self.is_tutor:
            roles.append(str(_("tuteur·rice")))
        if self.is_hr:
            roles.append(str(_("RH")))
        if self.is_signatory:
            roles.append(str(_("signataire")))
        return ", ".join(roles)


class CompanyEventKind(models.TextChoices):
    VISIT = "visit", _("Visite")
    CALL = "call", _("Appel")
    EMAIL = "email", _("Courriel")
    JOB_OFFER = "job_offer", _("Offre d'emploi reçue")
    HIRE = "hire", _("Embauche")
    EVENT = "event", _("Événement (forum, job dating…)")
    OTHER = "other", _("Autre")


class CompanyEvent(models.Model):
    """One entry of the relationship history with a company."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("type"), max_length=12, choices=CompanyEventKind.choices)
    happened_on = models.DateField(_("date"))
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    summary = models.TextField(_("compte rendu"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("échange avec une entreprise")
        verbose_name_plural = _("historique de la relation")
        ordering = ["-happened_on", "-pk"]
        indexes = [
            models.Index(fields=["company", "-happened_on"], name="company_event_company_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.happened_on:%d/%m/%Y}"


class InternshipKind(models.TextChoices):
    INTERNSHIP = "internship", _("Stage E2C")
    PMSMP = "pmsmp", _("PMSMP (période de mise en situation en milieu professionnel)")


class CancelReason(models.TextChoices):
    COMPANY = "company", _("Annulé par l'entreprise")
    TRAINEE = "trainee", _("Annulé par le ou la stagiaire")
    SCHOOL = "school", _("Annulé par l'école")
    ERROR = "error", _("Saisi par erreur")


class Internship(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.PROTECT, related_name="internships"
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=InternshipKind.choices, default=InternshipKind.INTERNSHIP
    )
    company = models.ForeignKey(
        Company, verbose_name=_("entreprise"), on_delete=models.PROTECT, related_name="internships"
    )
    tutor = models.ForeignKey(
        Contact, verbose_name=_("tuteur·rice"), on_delete=models.PROTECT, related_name="tutored"
    )
    signatory = models.ForeignKey(
        Contact,
        verbose_name=_("signataire de l'entreprise"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    second_signatory = models.ForeignKey(
        Contact,
        verbose_name=_("second·e signataire de l'entreprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    prescriber = models.ForeignKey(
        "organisations.Partner",
        verbose_name=_("prescripteur (PMSMP)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    job_title = models.CharField(_("poste occupé"), max_length=150)
    rome_code = models.CharField(
        _("code ROME"), max_length=5, blank=True, help_text=_("Par exemple N1103.")
    )
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    weekly_hours = models.DecimalField(_("heures par semaine"), max_digits=4, decimal_places=1)
    schedule = models.CharField(
        _("horaires"),
        max_length=255,
        blank=True,
        help_text=_("Par exemple : du lundi au vendredi, 9 h – 12 h et 14 h – 17 h."),
    )
    tasks = models.TextField(_("activités confiées"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("motif d'annulation"), max_length=10, choices=CancelReason.choices, blank=True
    )
    agreement_scan = models.ForeignKey(
        "pathways.Document",
        verbose_name=_("convention signée (scan)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="internship_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekly_hours__gt=0) & Q(weekly_hours__lte=48),
                name="internship_weekly_hours_range",
            ),
            models.CheckConstraint(
                condition=~Q(kind="pmsmp") | Q(prescriber__isnull=False),
                name="internship_pmsmp_has_prescriber",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancel_reason="")
                | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="internship_cancel_reason_iff_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["enrolment", "start_date"], name="internship_enrolment_idx"),
            models.Index(fields=["school", "end_date"], name="internship_school_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.company}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def status(self, today: datetime.date | None = None) -> str:
        """``cancelled``, ``planned``, ``ongoing`` or ``finished`` on ``today``."""
        today = today or timezone.localdate()
        if self.is_cancelled:
            return "cancelled"
        if today < self.start_date:
            return "planned"
        if today <= self.end_date:
            return "ongoing"
        return "finished"


class InternshipGoal(models.Model):
    """A goal of the internship, linked to one of the trainee's competencies."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="goals")
    competency = models.ForeignKey(
        "competencies.Competency",
        verbose_name=_("compétence"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("objectif"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("objectif de stage")
        verbose_name_plural = _("objectifs de stage")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["internship", "competency"], name="internship_goal_unique_competency"
            ),
        ]

    def __str__(self) -> str:
        return self.description or str(self.competency)


class SignatoryRole(models.TextChoices):
    SCHOOL = "school", _("L'école")
    TRAINEE = "trainee", _("Le ou la stagiaire")
    GUARDIAN = "guardian", _("Le ou la représentant·e légal·e")
    COMPANY = "company", _("Signataire de l'entreprise")
    COMPANY_SECOND = "company_2", _("Second·e signataire de l'entreprise")


class AgreementSignature(models.Model):
    """One signature of an internship's agreement: who signed, as what, and when."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("en qualité de"), max_length=10, choices=SignatoryRole.choices)
    signer_name = models.CharField(_("nom du ou de la signataire"), max_length=200)
    signed_on = models.DateField(_("signée le"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signature de convention")
        verbose_name_plural = _("signatures de convention")
        ordering = ["internship", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["internship", "role"], name="agreement_signature_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.signed_on:%d/%m/%Y}"


class Rating(models.IntegerChoices):
    POOR = 1, _("Insuffisant")
    FAIR = 2, _("À améliorer")
    GOOD = 3, _("Satisfaisant")
    EXCELLENT = 4, _("Très satisfaisant")


class WouldHire(models.TextChoices):
    YES = "yes", _("Oui")
    MAYBE = "maybe", _("Peut-être")
    NO = "no", _("Non")


class ReviewSource(models.TextChoices):
    TUTOR_LINK = "tutor_link", _("Saisi par le ou la tuteur·rice (lien privé)")
    CALL = "call", _("Saisi par l'école lors d'un échange avec le ou la tuteur·rice")


class TutorReview(models.Model):
    """The tutor's review at the end of an internship (bilan de stage)."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    internship = models.OneToOneField(Internship, on_delete=models.PROTECT, related_name="review")
    punctuality = models.PositiveSmallIntegerField(_("ponctualité"), choices=Rating.choices)
    attitude = models.PositiveSmallIntegerField(
        _("savoir-être (attitude, relations)"), choices=Rating.choices
    )
    tasks_mastered = models.TextField(_("tâches maîtrisées"))
    would_hire = models.CharField(
        _("embaucheriez-vous ce ou cette stagiaire ?"), max_length=5, choices=WouldHire.choices
    )
    comments = models.TextField(_("commentaires"), blank=True)
    reviewer_name = models.CharField(_("rempli par"), max_length=200)
    source = models.CharField(_("saisie"), max_length=10, choices=ReviewSource.choices)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("bilan de stage")
        verbose_name_plural = _("bilans de stage")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="tutor_link") | Q(recorded_by__isnull=False),
                name="tutor_review_call_has_recorder",
            ),
        ]

    def __str__(self) -> str:
        return f"Bilan de stage — {self.internship}"


class ReviewCompetency(models.Model):
    """A competency the tutor observed, at a level of the trainee's framework scale; the
    referent can turn it into an assessment whose evidence is the review."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey(TutorReview, on_delete=models.CASCADE, related_name="competencies")
    competency = models.ForeignKey(
        "competencies.Competency", on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("niveau observé"))
    assessment = models.OneToOneField(
        "competencies.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tutor_observation",
    )

    class Meta:
        verbose_name = _("compétence observée")
        verbose_name_plural = _("compétences observées")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "competency"], name="review_competency_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} — niveau {self.level}"


class TutorLink(models.Model):
    """A private link sent to the tutor to fill the review: works for this internship's review
    only, until it expires, is revoked or the review is submitted. Only the SHA-256 of the
    token is stored; the token itself is in the e-mail."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    internship = models.ForeignKey(Internship, on_delete=models.CASCADE, related_name="tutor_links")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField(_("envoyé à"))
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("relances envoyées"), default=0)
    last_reminder_at = models.DateTimeField(_("dernière relance"), null=True, blank=True)

    class Meta:
        verbose_name = _("lien tuteur·rice")
        verbose_name_plural = _("liens tuteur·rice")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Lien tuteur·rice — {self.internship}"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class ContractType(models.TextChoices):
    """Contracts that follow an internship; the exit (issue 8) maps them to destinations."""

    CDI = "cdi", _("CDI")
    CDD = "cdd", _("CDD")
    INTERIM = "interim", _("Intérim")
    SEASONAL = "seasonal", _("Contrat saisonnier")
    SUBSIDISED = "subsidised", _("Contrat aidé")
    APPRENTICESHIP = "apprentice", _("Contrat d'apprentissage")
    PROFESSIONALISATION = "pro", _("Contrat de professionnalisation")


#: Contract types that have a length in months (the others are open-ended or run to a
#: qualification).
CONTRACTS_WITH_LENGTH = {
    ContractType.CDD,
    ContractType.INTERIM,
    ContractType.SEASONAL,
    ContractType.SUBSIDISED,
}


class Hire(models.Model):
    """A contract offered to the trainee after an internship (or directly by a company)."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.PROTECT, related_name="hires"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("entreprise"), on_delete=models.PROTECT, related_name="hires"
    )
    internship = models.ForeignKey(
        Internship,
        verbose_name=_("stage d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hires",
    )
    contract_type = models.CharField(
        _("type de contrat"), max_length=10, choices=ContractType.choices
    )
    months = models.PositiveSmallIntegerField(_("durée (mois)"), null=True, blank=True)
    job_title = models.CharField(_("poste"), max_length=150)
    start_date = models.DateField(_("date d'embauche"))
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("embauche")
        verbose_name_plural = _("embauches")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_type__in=["cdd", "interim", "seasonal", "subsidised"])
                & Q(months__isnull=False)
                & Q(months__gt=0)
                | ~Q(contract_type__in=["cdd", "interim", "seasonal", "subsidised"])
                & Q(months__isnull=True),
                name="hire_months_iff_fixed_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_contract_type_display()} — {self.company}"
