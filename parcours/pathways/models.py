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
    # The age at entry, written by the anonymisation before the birth date is reduced to its
    # year; the figures read it through people.models.entry_age (null: computed).
    age_at_entry = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

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
    # The age at entry from this situation's birth date, kept by the anonymisation.
    age_at_entry = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("situation à l'entrée")
        verbose_name_plural = _("situations à l'entrée")

    def __str__(self) -> str:
        return f"{self.enrolment}"

    @property
    def lives_in_qpv(self) -> bool:
        return bool(self.qpv_code)


# ------------------------------------------------------------------------------- phases


class PhaseDefinition(models.Model):
    """One phase of the school's pathway, in order. The list is data, editable per school."""

    school = models.ForeignKey(
        "organisations.School",
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="phase_definitions",
    )
    position = models.PositiveSmallIntegerField(_("ordre"))
    name = models.CharField(_("intitulé"), max_length=120)
    active = models.BooleanField(_("en usage"), default=True)

    class Meta:
        verbose_name = _("phase du parcours")
        verbose_name_plural = _("phases du parcours")
        ordering = ["school", "position"]
        constraints = [
            models.UniqueConstraint(fields=["school", "position"], name="phase_position_unique"),
        ]

    def __str__(self) -> str:
        return self.name


#: The network's default phases, created for a school that has none.
DEFAULT_PHASES = (
    "Intégration et positionnement",
    "Construction du projet professionnel",
    "Alternance et confirmation du projet",
    "Préparation de la sortie",
)


class EnrolmentPhase(models.Model):
    """A period of an enrolment in one phase; the open one (no ``ended_on``) is the current."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="phases")
    phase = models.ForeignKey(
        PhaseDefinition, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("début"))
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)
    backwards_reason = models.CharField(_("motif du retour en arrière"), max_length=500, blank=True)
    moved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("étape de phase")
        verbose_name_plural = _("historique des phases")
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="enrolment_phase_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(ended_on__isnull=True),
                name="enrolment_one_current_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase} ({self.started_on:%d/%m/%Y})"

    def duration_days(self, today: datetime.date) -> int:
        return ((self.ended_on or today) - self.started_on).days


class ReferentChange(models.Model):
    """A change of referent (the timeline says who and when)."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="referent_changes"
    )
    previous = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    new = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("changement de référent")
        verbose_name_plural = _("changements de référent")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.previous_id} → {self.new_id}"


# --------------------------------------------------------------------- individual plan


class Plan(models.Model):
    """One version of the individual plan; a review creates the next version."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField(_("version"))
    project = models.TextField(_("projet professionnel"), max_length=4000, blank=True)
    review_note = models.CharField(_("motif de la révision"), max_length=500, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan individuel")
        verbose_name_plural = _("plans individuels")
        ordering = ["enrolment", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "version"], name="plan_version_unique")
        ]

    def __str__(self) -> str:
        return f"Plan v{self.version}"


class TargetJob(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="target_jobs")
    title = models.CharField(_("métier visé"), max_length=200)
    rome_code = models.CharField(
        _("code ROME"),
        max_length=5,
        blank=True,
        help_text=_("Une lettre et quatre chiffres, ex. N1103."),
    )

    class Meta:
        verbose_name = _("métier visé")
        verbose_name_plural = _("métiers visés")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class GoalStatus(models.TextChoices):
    TODO = "todo", _("À faire")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Atteint")
    DROPPED = "dropped", _("Abandonné")


class PlanGoal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("objectif"), max_length=300)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.TODO
    )

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class PlanStep(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(_("étape convenue"), max_length=300)
    agreed_on = models.DateField(_("convenue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("étape convenue")
        verbose_name_plural = _("étapes convenues")
        ordering = ["agreed_on", "id"]

    def __str__(self) -> str:
        return self.description


# ------------------------------------------------------------------------------ meetings


class MeetingKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Entretien individuel de suivi")
    TRIPARTITE = "tripartite", _("Entretien tripartite avec le prescripteur")
    COMPANY = "company", _("Entretien avec une entreprise")
    FAMILY = "family", _("Entretien avec la famille (mineur)")
    DISCIPLINARY = "disciplinary", _("Entretien disciplinaire")


class Meeting(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("type d'entretien"), max_length=14, choices=MeetingKind.choices)
    participants = models.CharField(_("participants"), max_length=300, blank=True)
    summary = models.TextField(_("compte rendu"), max_length=5000, blank=True)
    confidential = models.BooleanField(
        _("compte rendu confidentiel"),
        default=False,
        help_text=_(
            "Lisible seulement par le référent et la direction ; chaque lecture est tracée."
        ),
    )
    next_steps = models.TextField(_("suites à donner"), max_length=2000, blank=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entretien")
        verbose_name_plural = _("entretiens")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["enrolment", "-held_on"], name="meeting_enrolment_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.held_on:%d/%m/%Y}"


# ------------------------------------------------------------------------ social support


class SupportDomain(models.TextChoices):
    HEALTH = "health", _("Santé")
    MOBILITY = "mobility", _("Mobilité")
    HOUSING = "housing", _("Logement")
    CHILDCARE = "childcare", _("Garde d'enfants")
    MONEY = "money", _("Budget, ressources")
    ADMINISTRATIVE = "administrative", _("Démarches administratives")
    JUSTICE = "justice", _("Justice")
    LANGUAGE = "language", _("Langue française")
    DIGITAL = "digital", _("Numérique")


#: Domains whose content is restricted (GDPR art. 9 health data).
RESTRICTED_DOMAINS = frozenset({SupportDomain.HEALTH})


class SupportAction(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="support_actions"
    )
    domain = models.CharField(_("domaine"), max_length=16, choices=SupportDomain.choices)
    description = models.TextField(_("action menée"), max_length=3000)
    partner_organisation = models.CharField(_("partenaire mobilisé"), max_length=200, blank=True)
    opened_on = models.DateField(_("ouverte le"))
    closed_on = models.DateField(_("close le"), null=True, blank=True)
    hours = models.DecimalField(_("heures consacrées"), max_digits=6, decimal_places=2, default=0)
    outcome = models.TextField(_("résultat"), max_length=2000, blank=True)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action d'accompagnement")
        verbose_name_plural = _("actions d'accompagnement")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="support_action_period_ordered",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="support_action_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} — {self.opened_on:%d/%m/%Y}"

    @property
    def is_restricted(self) -> bool:
        return self.domain in RESTRICTED_DOMAINS


class RestrictedShare(models.Model):
    """The referent or director lets one more colleague read an enrolment's restricted sections."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="restricted_shares"
    )
    membership = models.ForeignKey(
        "organisations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partage des informations restreintes")
        verbose_name_plural = _("partages des informations restreintes")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "membership"], name="restricted_share_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} → {self.membership_id}"


# ----------------------------------------------------------------------------- documents


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Pièce d'identité")
    CV = "cv", _("CV")
    AGREEMENT = "agreement", _("Convention signée")
    CERTIFICATE = "certificate", _("Attestation, diplôme")
    EVIDENCE = "evidence", _("Preuve de compétence")
    HEALTH = "health", _("Document de santé")
    OTHER = "other", _("Autre document")


def document_path(instance: Document, filename: str) -> str:
    """Files are stored under a random name: the original name is kept in the database only."""
    import secrets

    return f"documents/{instance.school_id}/{secrets.token_hex(16)}"


class Document(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    document_date = models.DateField(_("date du document"), null=True, blank=True)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_restricted(self) -> bool:
        return self.kind == DocumentKind.HEALTH
