"""The network, its schools, their sites and rooms, staff memberships, partners and funding.

Every row that belongs to a school carries a ``school`` foreign key: the tenant key.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _active_on(prefix: str, day: datetime.date) -> Q:
    """Q for rows whose ``<prefix>opened_on``/``closed_on`` period contains ``day``."""
    return (Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": day})) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": day})
    )


class DatedQuerySet(models.QuerySet):
    """Rows with an ``opened_on``/``closed_on`` period."""

    def active_on(self, day: datetime.date):
        return self.filter(_active_on("", day))

    def active_during(self, start: datetime.date, end: datetime.date):
        return self.filter(
            (Q(opened_on__isnull=True) | Q(opened_on__lte=end))
            & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        )


class Network(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)

    class Meta:
        verbose_name = _("réseau")
        verbose_name_plural = _("réseaux")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    network = models.ForeignKey(
        Network, verbose_name=_("réseau"), on_delete=models.PROTECT, related_name="schools"
    )
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=200)
    legal_carrier = models.CharField(_("structure porteuse"), max_length=200, blank=True)
    label_valid_from = models.DateField(_("label valide du"), null=True, blank=True)
    label_valid_until = models.DateField(_("label valide jusqu'au"), null=True, blank=True)
    opened_on = models.DateField(_("ouverte le"), null=True, blank=True)
    closed_on = models.DateField(_("fermée le"), null=True, blank=True)
    pathway_months = models.PositiveSmallIntegerField(
        _("durée prévue d'un parcours (mois)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    max_pathway_months = models.PositiveSmallIntegerField(
        _("durée maximale d'un parcours (mois)"),
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(48)],
    )
    retention_years = models.PositiveSmallIntegerField(
        _("durée de conservation après le dernier contact (années)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "Passé ce délai après le dernier contact, les données d'une personne sont "
            "anonymisées par la tâche quotidienne."
        ),
    )

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("école")
        verbose_name_plural = _("écoles")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(label_valid_from__isnull=True)
                | Q(label_valid_until__isnull=True)
                | Q(label_valid_until__gte=models.F("label_valid_from")),
                name="school_label_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(opened_on__isnull=True)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="school_open_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def label_valid_on(self, day: datetime.date) -> bool:
        if self.label_valid_from is None or self.label_valid_until is None:
            return False
        return self.label_valid_from <= day <= self.label_valid_until


class Site(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("école"), on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=255)
    postcode = models.CharField(_("code postal"), max_length=5)
    commune = models.CharField(_("commune"), max_length=120)
    surface_m2 = models.PositiveIntegerField(_("surface (m²)"), validators=[MinValueValidator(1)])
    opened_on = models.DateField(_("ouvert le"), null=True, blank=True)
    closed_on = models.DateField(_("fermé le"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="site_name_unique_per_school"),
            models.CheckConstraint(condition=Q(surface_m2__gte=1), name="site_surface_positive"),
            models.CheckConstraint(
                condition=Q(opened_on__isnull=True)
                | Q(closed_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="site_open_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoomKind(models.TextChoices):
    WORKSHOP = "workshop", _("Salle d'atelier")
    COMPUTER = "computer", _("Salle informatique")
    MEETING = "meeting", _("Salle d'entretien")
    MULTIPURPOSE = "multipurpose", _("Salle polyvalente")


class Room(models.Model):
    school = models.ForeignKey(
        School, verbose_name=_("école"), on_delete=models.PROTECT, related_name="rooms"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(
        _("type de salle"), max_length=20, choices=RoomKind.choices, default=RoomKind.WORKSHOP
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacité (personnes)"), validators=[MinValueValidator(1)]
    )
    computers = models.PositiveSmallIntegerField(_("nombre d'ordinateurs"), default=0)
    step_free = models.BooleanField(
        _("accessible de plain-pied (PMR)"),
        default=False,
        help_text=_("Accessible aux personnes à mobilité réduite, sans marche."),
    )
    opened_on = models.DateField(_("ouverte le"), null=True, blank=True)
    closed_on = models.DateField(_("fermée le"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_name_unique_per_site"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
            models.CheckConstraint(
                condition=~Q(kind="computer") | Q(computers__gte=1),
                name="room_computer_room_has_computers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computer_room(self) -> bool:
        return self.kind == RoomKind.COMPUTER


class Role(models.TextChoices):
    DIRECTOR = "director", _("Direction")
    INTAKE = "intake", _("Chargé·e d'accueil")
    REFERENT = "referent", _("Formateur·rice référent·e")
    COMPANY_RELATIONS = "company_relations", _("Chargé·e de relations entreprises")
    PRESCRIBER = "prescriber", _("Conseiller·e prescripteur")
    FUNDER = "funder", _("Financeur")
    NETWORK = "network", _("Réseau national")


#: Roles held by the school's own employees (counted as "staff" in reports).
STAFF_ROLES = frozenset({Role.DIRECTOR, Role.INTAKE, Role.REFERENT, Role.COMPANY_RELATIONS})
#: Roles that belong to an outside organisation and need a partner.
PARTNER_ROLES = frozenset({Role.PRESCRIBER, Role.FUNDER})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active_on(self, day: datetime.date):
        return self.filter(
            Q(user__is_active=True),
            Q(active_from__lte=day),
            Q(active_until__isnull=True) | Q(active_until__gte=day),
        )

    def staff(self):
        return self.filter(role__in=STAFF_ROLES)


class Membership(models.Model):
    """A user's role in a school (or, for the ``network`` role, in the whole network)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    network = models.ForeignKey(
        Network, verbose_name=_("réseau"), on_delete=models.PROTECT, related_name="memberships"
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="memberships",
        null=True,
        blank=True,
        help_text=_("Vide pour un compte du réseau national."),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        "Partner",
        verbose_name=_("organisme partenaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text=_("Pour un prescripteur ou un financeur : l'organisme qu'il représente."),
    )
    job_title = models.CharField(_("fonction"), max_length=120, blank=True)
    active_from = models.DateField(_("actif du"))
    active_until = models.DateField(_("actif jusqu'au"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        ordering = ["school__name", "role", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="network") & Q(school__isnull=True))
                | (~Q(role="network") & Q(school__isnull=False)),
                name="membership_school_iff_not_network",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["prescriber", "funder"]) | Q(partner__isnull=False),
                name="membership_partner_roles_have_partner",
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="membership_period_ordered",
            ),
            # One role per person and school (and one network account per person and network).
            models.UniqueConstraint(
                fields=["user", "school"],
                condition=Q(school__isnull=False),
                name="membership_one_per_user_school",
            ),
            models.UniqueConstraint(
                fields=["user", "network"],
                condition=Q(school__isnull=True),
                name="membership_one_network_account_per_user",
            ),
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school_id else self.network.name
        return f"{self.user} — {self.get_role_display()} — {where}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def is_active_on(self, day: datetime.date) -> bool:
        return (
            self.user.is_active
            and self.active_from <= day
            and (self.active_until is None or self.active_until >= day)
        )


class PrescriberType(models.TextChoices):
    MISSION_LOCALE = "mission_locale", _("Mission Locale")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    PLIE = "plie", _("PLIE")
    CAP_EMPLOI = "cap_emploi", _("Cap emploi")
    DEPARTEMENT = "departement", _("Département (services sociaux)")
    OTHER = "other", _("Autre prescripteur")


class FunderType(models.TextChoices):
    REGION = "region", _("Région")
    STATE = "state", _("État")
    EUROPE = "europe", _("Union européenne (FSE+)")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité locale (métropole, commune…)")
    DEPARTEMENT = "departement", _("Département")
    PRIVATE = "private", _("Entreprise ou fondation")
    OTHER = "other", _("Autre financeur")


class Partner(models.Model):
    """An organisation outside the school: a prescriber, a funder, or both."""

    school = models.ForeignKey(
        School, verbose_name=_("école"), on_delete=models.PROTECT, related_name="partners"
    )
    name = models.CharField(_("nom"), max_length=200)
    is_prescriber = models.BooleanField(_("prescripteur"), default=False)
    prescriber_type = models.CharField(
        _("type de prescripteur"), max_length=20, choices=PrescriberType.choices, blank=True
    )
    is_funder = models.BooleanField(_("financeur"), default=False)
    funder_type = models.CharField(
        _("type de financeur"), max_length=20, choices=FunderType.choices, blank=True
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"], name="partner_name_unique_per_school"
            ),
            models.CheckConstraint(
                condition=Q(is_prescriber=True) | Q(is_funder=True),
                name="partner_is_prescriber_or_funder",
            ),
            models.CheckConstraint(
                condition=(Q(is_prescriber=True) & ~Q(prescriber_type=""))
                | (Q(is_prescriber=False) & Q(prescriber_type="")),
                name="partner_prescriber_type_iff_prescriber",
            ),
            models.CheckConstraint(
                condition=(Q(is_funder=True) & ~Q(funder_type=""))
                | (Q(is_funder=False) & Q(funder_type="")),
                name="partner_funder_type_iff_funder",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds_display(self) -> str:
        kinds = []
        if self.is_prescriber:
            kinds.append(str(self.get_prescriber_type_display()))
        if self.is_funder:
            kinds.append(str(self.get_funder_type_display()))
        return " · ".join(kinds)


class FundingAgreement(models.Model):
    school = models.ForeignKey(
        School,
        verbose_name=_("école"),
        on_delete=models.PROTECT,
        related_name="funding_agreements",
    )
    funder = models.ForeignKey(
        Partner,
        verbose_name=_("financeur"),
        on_delete=models.PROTECT,
        related_name="funding_agreements",
        limit_choices_to={"is_funder": True},
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(2000)])
    amount_eur = models.DecimalField(
        _("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    purpose = models.CharField(_("objet"), max_length=200)
    target_trainees = models.PositiveIntegerField(_("objectif (stagiaires)"), null=True, blank=True)
    targets = models.TextField(_("autres objectifs"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("convention de financement")
        verbose_name_plural = _("conventions de financement")
        ordering = ["-year", "funder__name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_eur__gte=0), name="funding_amount_positive"),
            models.UniqueConstraint(
                fields=["school", "funder", "year", "purpose"], name="funding_unique_purpose_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder} — {self.year} — {self.purpose}"
