"""Schedule: workshops and their sessions in rooms, half-day attendance, closed months,
calendar feeds.

- ``WorkshopType``: the school's kinds of workshop (French, maths, digital…), data per school
  with defaults (``DEFAULT_WORKSHOP_TYPES``).
- ``Session``: one workshop session on a day, in a room of a site, with a trainer and trainees
  (``SessionTrainee``). ``starts_at``/``ends_at`` are the same moments as ``day`` +
  ``start_time``/``end_time`` in Europe/Paris, stored to let PostgreSQL refuse two sessions
  in the same room at once (an exclusion constraint, migration 0002); on SQLite the service
  checks inside an IMMEDIATE transaction (one writer at a time). Sessions created together as
  "every Monday 9:00–12:00 until …" share a ``SessionSeries``.
- ``AttendanceMark``: one trainee, one day, one half-day (morning or afternoon), one status.
- ``ClosedMonth``: a month closed by the director; its marks can no longer change.
- ``CalendarFeed``: a private, revocable iCalendar URL of a trainer's or a trainee's sessions.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: A school day: 9:00–12:30 and 13:30–17:00, 3.5 hours each half-day, 35 hours a week.
HALF_DAY_HOURS = Decimal("3.5")
#: A session that starts before this time takes place (at least partly) in the morning; one
#: that ends after it, in the afternoon.
MIDDAY = datetime.time(12, 45)


def local_moment(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """``day`` at ``at``, Paris time, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, at))


DEFAULT_WORKSHOP_TYPES = [
    # (name, needs computers)
    ("Français et communication", False),
    ("Mathématiques et raisonnement", False),
    ("Numérique", True),
    ("Projet professionnel", False),
    ("Recherche d'emploi", True),
    ("Sport et santé", False),
    ("Citoyenneté", False),
    ("Entretien individuel", False),
]


class WorkshopType(models.Model):
    school = models.ForeignKey(
        "organisations.School", on_delete=models.PROTECT, related_name="workshop_types"
    )
    name = models.CharField(_("nom"), max_length=120)
    needs_computers = models.BooleanField(
        _("nécessite des ordinateurs"),
        default=False,
        help_text=_("Les séances de cet atelier ont lieu en salle informatique."),
    )
    active = models.BooleanField(_("actif"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("type d'atelier")
        verbose_name_plural = _("types d'atelier")
        ordering = ["school", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="workshop_type_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SessionSeries(models.Model):
    """Sessions created in one action: every ``weekday`` from ``first_day`` to ``last_day``."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("jour de la semaine"))  # 0 = Monday
    first_day = models.DateField(_("à partir du"))
    last_day = models.DateField(_("jusqu'au"))
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("série de séances")
        verbose_name_plural = _("séries de séances")

    def __str__(self) -> str:
        return f"{self.first_day:%d/%m/%Y} – {self.last_day:%d/%m/%Y}"


class Session(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        "organisations.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(
        "organisations.Room",
        verbose_name=_("salle"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    workshop_type = models.ForeignKey(
        WorkshopType, verbose_name=_("atelier"), on_delete=models.PROTECT, related_name="sessions"
    )
    title = models.CharField(_("intitulé"), max_length=200, blank=True)
    day = models.DateField(_("date"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    starts_at = models.DateTimeField(editable=False)
    ends_at = models.DateTimeField(editable=False)
    trainer = models.ForeignKey(
        "organisations.Membership",
        verbose_name=_("formateur·rice"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    needs_computers = models.BooleanField(_("nécessite des ordinateurs"), default=False)
    series = models.ForeignKey(
        SessionSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    trainees = models.ManyToManyField(
        "pathways.Enrolment", through="SessionTrainee", related_name="sessions", blank=True
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["day", "start_time", "room"]
        indexes = [
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["trainer", "starts_at"]),
            models.Index(fields=["school", "day"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_moments_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.workshop_type} — {self.day:%d/%m/%Y} {self.start_time:%H:%M}"

    def save(self, *args, **kwargs):
        self.starts_at = local_moment(self.day, self.start_time)
        self.ends_at = local_moment(self.day, self.end_time)
        super().save(*args, **kwargs)

    @property
    def display_title(self) -> str:
        return self.title or self.workshop_type.name

    @property
    def halves(self) -> list[str]:
        """The half-days the session covers (``am``, ``pm`` or both)."""
        halves = []
        if self.start_time < MIDDAY:
            halves.append(Half.AM)
        if self.end_time > MIDDAY:
            halves.append(Half.PM)
        return halves


class SessionTrainee(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.CASCADE, related_name="session_places"
    )

    class Meta:
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="session_trainee_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} : {self.enrolment_id}"


# ------------------------------------------------------------------------------ attendance


class Half(models.TextChoices):
    AM = "am", _("Matin")
    PM = "pm", _("Après-midi")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Présent·e")
    LATE = "late", _("En retard")
    EXCUSED = "excused", _("Absence justifiée")
    UNEXCUSED = "unexcused", _("Absence injustifiée")
    COMPANY = "company", _("En entreprise")
    HOLIDAY = "holiday", _("Congé")


class SessionCancelReason(models.TextChoices):
    """Why a session was taken off the timetable (a code: the audit trail keeps no free text)."""

    TRAINER_ABSENT = "trainer_absent", _("Formateur·rice absent·e")
    ROOM_UNAVAILABLE = "room_unavailable", _("Salle indisponible")
    TOO_FEW_TRAINEES = "too_few", _("Trop peu de stagiaires")
    CLOSURE = "closure", _("Fermeture de l'école, jour férié")
    RESCHEDULED = "rescheduled", _("Séance déplacée à une autre date")
    MISTAKE = "mistake", _("Saisie par erreur")
    OTHER = "other", _("Autre motif")


class AbsenceReason(models.TextChoices):
    ILLNESS = "illness", _("Maladie")
    APPOINTMENT = "appointment", _("Rendez-vous (santé, administratif, emploi)")
    FAMILY = "family", _("Raison familiale")
    TRANSPORT = "transport", _("Problème de transport")
    HEARING = "hearing", _("Convocation (justice, administration)")
    OTHER = "other", _("Autre motif")


class AttendanceMark(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(
        "pathways.Enrolment", on_delete=models.PROTECT, related_name="attendance_marks"
    )
    day = models.DateField(_("jour"))
    half = models.CharField(_("demi-journée"), max_length=2, choices=Half.choices)
    status = models.CharField(_("présence"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(
        _("motif d'absence"), max_length=12, choices=AbsenceReason.choices, blank=True
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="marks"
    )
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        ordering = ["day", "half"]
        indexes = [models.Index(fields=["school", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "day", "half"], name="attendance_one_mark_per_half_day"
            ),
            models.CheckConstraint(
                condition=Q(status="excused", reason__gt="")
                | (~Q(status="excused") & Q(reason="")),
                name="attendance_reason_only_for_excused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.half} : {self.status}"


class ClosedMonth(models.Model):
    """A month whose attendance is final (the statements were sent). Reopening deletes the row
    (audited with its reason)."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("mois"), help_text=_("Le premier jour du mois."))
    closed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("mois clos")
        verbose_name_plural = _("mois clos")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="closed_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="closed_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar URL: a trainer's sessions (``membership``) or a trainee's
    (``enrolment``). Revoking it sets ``revoked_at``; a new feed gets a new token."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        "organisations.Membership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    enrolment = models.ForeignKey(
        "pathways.Enrolment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement calendrier")
        verbose_name_plural = _("abonnements calendrier")
        constraints = [
            models.CheckConstraint(
                condition=Q(membership__isnull=False, enrolment__isnull=True)
                | Q(membership__isnull=True, enrolment__isnull=False),
                name="calendar_feed_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
