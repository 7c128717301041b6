"""Writes of sessions: create (one or a weekly series), change, cancel, and their trainees.

Booking rules, each refused with a French ``ValidationError`` (nothing written then):

- the session ends after it starts, between 07:00 and 20:00;
- the room belongs to the site, both to the school, and the room is open on that day;
- the room is free: no other session with ``starts_at < new.ends_at and ends_at >
  new.starts_at`` (half-open: 9–12 and 12–15 do not overlap);
- the trainer (a referent or the director of the school) is not in another session then;
- a session that needs computers goes in a computer room;
- no more trainees than the room's capacity; a trainee who needs step-free access only in a
  step-free room; a trainee is not in two sessions at once; their pathway covers the day.

Every check runs inside ``transaction.atomic()`` after locking the room's row (and the
trainer's): two bookings of the same room wait for each other. On PostgreSQL the exclusion
constraint ``session_room_no_overlap`` is the last word: its ``IntegrityError`` (two bookings
at the same moment that the lock did not serialise) becomes the same kind of French message.
On SQLite every transaction is IMMEDIATE (one writer at a time), so check-then-insert is safe.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parcours.audit.services import record_event
from parcours.organisations.models import Membership, Role, Room, Site
from parcours.pathways.models import Enrolment

from .models import (
    Session,
    SessionCancelReason,
    SessionSeries,
    SessionTrainee,
    WorkshopType,
    local_moment,
)

DAY_OPENS = datetime.time(7, 0)
DAY_CLOSES = datetime.time(20, 0)
MAX_OCCURRENCES = 53
TRAINER_ROLES = (Role.REFERENT, Role.DIRECTOR)
EXCLUSION_CONSTRAINT = "session_room_no_overlap"
WEEKDAYS = [
    gettext_lazy("lundi"),
    gettext_lazy("mardi"),
    gettext_lazy("mercredi"),
    gettext_lazy("jeudi"),
    gettext_lazy("vendredi"),
    gettext_lazy("samedi"),
    gettext_lazy("dimanche"),
]


# ------------------------------------------------------------------------------ helpers


def _fmt_day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _fmt_time(at: datetime.time) -> str:
    return at.strftime("%H:%M")


def _overlapping(queryset, starts_at: datetime.datetime, ends_at: datetime.datetime):
    return queryset.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


def _lock_room(room: Room) -> Room:
    """The room's row, locked until the end of the transaction (a no-op on SQLite, whose
    IMMEDIATE transactions already hold the database's write lock)."""
    return Room.objects.select_for_update(of=("self",)).order_by().get(pk=room.pk)


def _lock_trainer(trainer: Membership) -> None:
    list(
        Membership.objects.select_for_update(of=("self",))
        .filter(pk=trainer.pk)
        .order_by()
        .values_list("pk")
    )


def _check_school(membership: Membership, *, site: Site, room: Room, workshop_type, trainer):
    school_id = membership.school_id
    if site.school_id != school_id:
        raise ValidationError(_("Site inconnu."))
    if room.school_id != school_id or room.site_id != site.pk:
        raise ValidationError(
            _("La salle « %(room)s » n'est pas une salle du site « %(site)s ».")
            % {"room": room.name, "site": site.name}
        )
    if workshop_type.school_id != school_id:
        raise ValidationError(_("Atelier inconnu."))
    if trainer.school_id != school_id or trainer.role not in TRAINER_ROLES:
        raise ValidationError(
            _("Le formateur ou la formatrice doit être un·e référent·e ou la direction de l'école.")
        )


def _check_times(start_time: datetime.time, end_time: datetime.time) -> None:
    if start_time is None or end_time is None:
        raise ValidationError(_("Indiquez l'heure de début et l'heure de fin."))
    if end_time <= start_time:
        raise ValidationError(_("La séance doit finir après son début."))
    if start_time < DAY_OPENS or end_time > DAY_CLOSES:
        raise ValidationError(
            _("Les séances ont lieu entre %(opens)s et %(closes)s.")
            % {"opens": _fmt_time(DAY_OPENS), "closes": _fmt_time(DAY_CLOSES)}
        )


def _check_room_fits(room: Room, needs_computers: bool) -> None:
    if needs_computers and not room.is_computer_room:
        raise ValidationError(
            _(
                "Cette séance nécessite des ordinateurs : choisissez une salle informatique "
                "(« %(room)s » n'en est pas une)."
            )
            % {"room": room.name}
        )


def _slot_problems(
    *,
    day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    room: Room,
    trainer: Membership,
    enrolments: Sequence[Enrolment],
    exclude: int | None = None,
) -> list[str]:
    """What prevents this slot (day, times) in ``room`` with ``trainer`` and ``enrolments``:
    French messages, empty when it is fine."""
    problems = []
    prefix = _("Le %(day)s, ") % {"day": _fmt_day(day)}
    if (room.opened_on and day < room.opened_on) or (room.closed_on and day > room.closed_on):
        problems.append(
            prefix + _("la salle « %(room)s » n'est pas ouverte.") % {"room": room.name}
        )
    starts_at, ends_at = local_moment(day, start_time), local_moment(day, end_time)
    others = Session.objects.exclude(pk=exclude) if exclude else Session.objects.all()
    others = others.select_related("workshop_type")
    for other in _overlapping(others.filter(room=room), starts_at, ends_at):
        problems.append(
            prefix
            + _("la salle « %(room)s » est déjà occupée de %(start)s à %(end)s (%(title)s).")
            % {
                "room": room.name,
                "start": _fmt_time(other.start_time),
                "end": _fmt_time(other.end_time),
                "title": other.display_title,
            }
        )
    for other in _overlapping(others.filter(trainer=trainer), starts_at, ends_at):
        problems.append(
            prefix
            + _("%(trainer)s anime déjà une séance de %(start)s à %(end)s (%(title)s).")
            % {
                "trainer": trainer.user.get_full_name() or trainer.user.email,
                "start": _fmt_time(other.start_time),
                "end": _fmt_time(other.end_time),
                "title": other.display_title,
            }
        )
    if len(enrolments) > room.capacity:
        problems.append(_capacity_message(room, len(enrolments)))
    problems.extend(
        _trainee_problems(
            day=day,
            starts_at=starts_at,
            ends_at=ends_at,
            room=room,
            enrolments=enrolments,
            exclude=exclude,
        )
    )
    return problems


def _capacity_message(room: Room, count: int) -> str:
    return _(
        "La salle « %(room)s » accueille au plus %(capacity)d personnes (%(count)d choisies)."
    ) % {"room": room.name, "capacity": room.capacity, "count": count}


def _trainee_problems(
    *,
    day: datetime.date,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room,
    enrolments: Sequence[Enrolment],
    exclude: int | None,
) -> list[str]:
    """Step-free rooms, pathway dates and other sessions of each trainee."""
    problems = []
    prefix = _("Le %(day)s, ") % {"day": _fmt_day(day)}
    for enrolment in enrolments:
        name = enrolment.person.full_name
        if enrolment.person.needs_step_free and not room.step_free:
            problems.append(
                prefix
                + _("%(name)s a besoin d'une salle de plain-pied, ce que « %(room)s » n'est pas.")
                % {"name": name, "room": room.name}
            )
        if day < enrolment.entry_date or (enrolment.ended_on and day > enrolment.ended_on):
            problems.append(
                prefix + _("%(name)s n'est pas en parcours ce jour-là.") % {"name": name}
            )
    if enrolments:
        places = SessionTrainee.objects.filter(
            enrolment__in=[e.pk for e in enrolments],
            session__starts_at__lt=ends_at,
            session__ends_at__gt=starts_at,
        ).select_related("session__workshop_type", "enrolment__person")
        if exclude:
            places = places.exclude(session_id=exclude)
        for place in places:
            other = place.session
            problems.append(
                prefix
                + _("%(name)s est déjà inscrit·e à une séance de %(start)s à %(end)s (%(title)s).")
                % {
                    "name": place.enrolment.person.full_name,
                    "start": _fmt_time(other.start_time),
                    "end": _fmt_time(other.end_time),
                    "title": other.display_title,
                }
            )
    return problems


def _check_enrolments(membership: Membership, enrolments: Iterable[Enrolment]) -> list[Enrolment]:
    unique: dict[int, Enrolment] = {}
    for enrolment in enrolments:
        if enrolment.school_id != membership.school_id:
            raise ValidationError(_("Stagiaire inconnu·e."))
        unique[enrolment.pk] = enrolment
    return list(Enrolment.objects.filter(pk__in=unique).select_related("person").order_by("pk"))


def _insert(session: Session) -> Session:
    """Save ``session`` in a savepoint: PostgreSQL's exclusion constraint refusing it (another
    booking committed meanwhile) becomes a French ``ValidationError``."""
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as error:
        if EXCLUSION_CONSTRAINT in str(error):
            raise ValidationError(
                _(
                    "La salle « %(room)s » vient d'être réservée par quelqu'un d'autre pour ce "
                    "créneau (le %(day)s de %(start)s à %(end)s). Choisissez un autre créneau "
                    "ou une autre salle."
                )
                % {
                    "room": session.room.name,
                    "day": _fmt_day(session.day),
                    "start": _fmt_time(session.start_time),
                    "end": _fmt_time(session.end_time),
                }
            ) from error
        raise
    return session


def _add_places(session: Session, enrolments: Sequence[Enrolment]) -> None:
    SessionTrainee.objects.bulk_create(
        SessionTrainee(school_id=session.school_id, session=session, enrolment=enrolment)
        for enrolment in enrolments
    )


def _session_changes(session: Session) -> dict:
    return {
        "day": session.day.isoformat(),
        "start_time": _fmt_time(session.start_time),
        "end_time": _fmt_time(session.end_time),
        "site": session.site_id,
        "room": session.room_id,
        "workshop_type": session.workshop_type_id,
        "trainer": session.trainer_id,
        "needs_computers": session.needs_computers,
    }


def _prepare(
    membership: Membership,
    *,
    site: Site,
    room: Room,
    workshop_type: WorkshopType,
    start_time: datetime.time,
    end_time: datetime.time,
    trainer: Membership,
    trainees: Iterable[Enrolment],
    needs_computers: bool | None,
    title: str,
) -> tuple[Room, bool, list[Enrolment], str]:
    """Checks that do not depend on the day; locks the room and the trainer."""
    _check_school(membership, site=site, room=room, workshop_type=workshop_type, trainer=trainer)
    if not workshop_type.active:
        raise ValidationError(
            _("L'atelier « %(name)s » n'est plus en usage.") % {"name": workshop_type.name}
        )
    _check_times(start_time, end_time)
    if needs_computers is None:
        needs_computers = workshop_type.needs_computers
    title = " ".join((title or "").split())
    if len(title) > Session._meta.get_field("title").max_length:
        raise ValidationError(_("L'intitulé est limité à 200 caractères."))
    room = _lock_room(room)
    _lock_trainer(trainer)
    _check_room_fits(room, needs_computers)
    return room, needs_computers, _check_enrolments(membership, trainees), title


# ------------------------------------------------------------------------------ sessions


def _book(
    membership: Membership,
    days: list[datetime.date],
    make_series: Callable[[], SessionSeries] | None = None,
    **booking,
) -> tuple[list[Session], list[Enrolment]]:
    """Check every rule for every day in ``days`` (all problems at once), then insert one
    session per day (in a series made by ``make_series`` when given) with its trainees.
    ``booking`` holds the keyword arguments of ``_prepare``."""
    room, needs_computers, enrolments, title = _prepare(membership, **booking)
    problems = [
        problem
        for day in days
        for problem in _slot_problems(
            day=day,
            start_time=booking["start_time"],
            end_time=booking["end_time"],
            room=room,
            trainer=booking["trainer"],
            enrolments=enrolments,
        )
    ]
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    series = make_series() if make_series else None
    sessions = []
    for day in days:
        session = _insert(
            Session(
                school_id=membership.school_id,
                site=booking["site"],
                room=room,
                workshop_type=booking["workshop_type"],
                title=title,
                day=day,
                start_time=booking["start_time"],
                end_time=booking["end_time"],
                trainer=booking["trainer"],
                needs_computers=needs_computers,
                series=series,
                created_by=membership.user,
            )
        )
        _add_places(session, enrolments)
        sessions.append(session)
    return sessions, enrolments


@transaction.atomic
def create_session(
    *,
    membership: Membership,
    site: Site,
    room: Room,
    workshop_type: WorkshopType,
    day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    trainer: Membership,
    trainees: Iterable[Enrolment] = (),
    title: str = "",
    needs_computers: bool | None = None,
    ip_address: str | None = None,
) -> Session:
    """Book ``room`` on ``day`` from ``start_time`` to ``end_time`` (see the module's rules)."""
    (session,), enrolments = _book(
        membership,
        [day],
        site=site,
        room=room,
        workshop_type=workshop_type,
        start_time=start_time,
        end_time=end_time,
        trainer=trainer,
        trainees=trainees,
        needs_computers=needs_computers,
        title=title,
    )
    record_event(
        actor=membership.user,
        action="session.create",
        target=session,
        school=membership.school,
        changes={**_session_changes(session), "trainees": len(enrolments)},
        ip_address=ip_address,
    )
    return session


def occurrence_days(
    weekday: int, first_day: datetime.date, last_day: datetime.date
) -> list[datetime.date]:
    """Every ``weekday`` (0 = Monday) from ``first_day`` to ``last_day``, both included."""
    day = first_day + datetime.timedelta(days=(weekday - first_day.weekday()) % 7)
    days = []
    while day <= last_day:
        days.append(day)
        day += datetime.timedelta(days=7)
    return days


@transaction.atomic
def create_recurring_sessions(
    *,
    membership: Membership,
    weekday: int,
    first_day: datetime.date,
    last_day: datetime.date,
    site: Site,
    room: Room,
    workshop_type: WorkshopType,
    start_time: datetime.time,
    end_time: datetime.time,
    trainer: Membership,
    trainees: Iterable[Enrolment] = (),
    title: str = "",
    needs_computers: bool | None = None,
    ip_address: str | None = None,
) -> list[Session]:
    """One session every ``weekday`` from ``first_day`` to ``last_day`` (a ``SessionSeries``).

    All or nothing: if one occurrence breaks a rule, no session is created and the message
    names every date that does."""
    if weekday not in range(7):
        raise ValidationError(_("Jour de la semaine inconnu."))
    if first_day is None or last_day is None or last_day < first_day:
        raise ValidationError(_("La date de fin de la répétition doit suivre la première date."))
    days = occurrence_days(weekday, first_day, last_day)
    if not days:
        raise ValidationError(
            _("Aucun %(weekday)s entre le %(first)s et le %(last)s.")
            % {
                "weekday": WEEKDAYS[weekday],
                "first": _fmt_day(first_day),
                "last": _fmt_day(last_day),
            }
        )
    if len(days) > MAX_OCCURRENCES:
        raise ValidationError(
            _("Une série compte au plus %(max)d séances (%(count)d demandées).")
            % {"max": MAX_OCCURRENCES, "count": len(days)}
        )
    sessions, enrolments = _book(
        membership,
        days,
        lambda: SessionSeries.objects.create(
            school_id=membership.school_id,
            weekday=weekday,
            first_day=first_day,
            last_day=last_day,
            created_by=membership.user,
        ),
        site=site,
        room=room,
        workshop_type=workshop_type,
        start_time=start_time,
        end_time=end_time,
        trainer=trainer,
        trainees=trainees,
        needs_computers=needs_computers,
        title=title,
    )
    series = sessions[0].series
    record_event(
        actor=membership.user,
        action="session.create_series",
        target=series,
        school=membership.school,
        changes={
            **_session_changes(sessions[0]),
            "day": None,
            "weekday": weekday,
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "sessions": [s.pk for s in sessions],
            "trainees": len(enrolments),
        },
        ip_address=ip_address,
    )
    return sessions


def _check_own(membership: Membership, session: Session) -> None:
    if session.school_id != membership.school_id:
        raise ValidationError(_("Séance inconnue."))


@transaction.atomic
def update_session(
    *,
    membership: Membership,
    session: Session,
    site: Site,
    room: Room,
    workshop_type: WorkshopType,
    day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    trainer: Membership,
    title: str = "",
    needs_computers: bool | None = None,
    ip_address: str | None = None,
) -> Session:
    """Change a session: the same rules as a new one (it does not conflict with itself), its
    trainees included. A session with attendance marks keeps its day and times."""
    _check_own(membership, session)
    session = Session.objects.select_for_update().get(pk=session.pk)
    _check_school(membership, site=site, room=room, workshop_type=workshop_type, trainer=trainer)
    if not workshop_type.active and workshop_type.pk != session.workshop_type_id:
        raise ValidationError(
            _("L'atelier « %(name)s » n'est plus en usage.") % {"name": workshop_type.name}
        )
    _check_times(start_time, end_time)
    if needs_computers is None:
        needs_computers = workshop_type.needs_computers
    title = " ".join((title or "").split())
    if len(title) > Session._meta.get_field("title").max_length:
        raise ValidationError(_("L'intitulé est limité à 200 caractères."))
    moved = (day, start_time, end_time) != (session.day, session.start_time, session.end_time)
    if moved and session.marks.exists():
        raise ValidationError(
            _(
                "Les présences de cette séance ont déjà été saisies : sa date et ses horaires "
                "ne peuvent plus changer."
            )
        )
    room = _lock_room(room)
    _lock_trainer(trainer)
    _check_room_fits(room, needs_computers)
    enrolments = list(session.trainees.select_related("person").order_by("pk"))
    problems = _slot_problems(
        day=day,
        start_time=start_time,
        end_time=end_time,
        room=room,
        trainer=trainer,
        enrolments=enrolments,
        exclude=session.pk,
    )
    if problems:
        raise ValidationError(problems)
    before = _session_changes(session)
    session.site, session.room, session.workshop_type = site, room, workshop_type
    session.day, session.start_time, session.end_time = day, start_time, end_time
    session.trainer, session.title, session.needs_computers = trainer, title, needs_computers
    _insert(session)
    after = _session_changes(session)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changes:
        record_event(
            actor=membership.user,
            action="session.update",
            target=session,
            school=membership.school,
            changes=changes,
            ip_address=ip_address,
        )
    return session


@transaction.atomic
def cancel_session(
    *, membership: Membership, session: Session, reason: str, ip_address: str | None = None
) -> None:
    """Delete a session (with its list of trainees). One whose attendance has been marked
    cannot be cancelled: its marks are the record of what happened. ``reason`` is a
    ``SessionCancelReason`` code, kept in the audit event."""
    _check_own(membership, session)
    if reason not in SessionCancelReason.values:
        raise ValidationError(_("Indiquez le motif de l'annulation."))
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.marks.exists():
        raise ValidationError(
            _(
                "Les présences de cette séance ont déjà été saisies : elle ne peut plus être "
                "annulée."
            )
        )
    record_event(
        actor=membership.user,
        action="session.cancel",
        target=session,
        school=membership.school,
        changes={
            **_session_changes(session),
            "trainees": session.participants.count(),
            "series": session.series_id,
            "reason": reason,
        },
        ip_address=ip_address,
    )
    session.delete()


# ------------------------------------------------------------------------------ trainees


def _save_trainees(
    membership: Membership,
    session: Session,
    enrolments: list[Enrolment],
    ip_address: str | None,
) -> Session:
    _check_own(membership, session)
    session = (
        Session.objects.select_for_update()
        .select_related("room", "trainer__user")
        .get(pk=session.pk)
    )
    room = _lock_room(session.room)
    current = set(session.participants.values_list("enrolment_id", flat=True))
    wanted = {e.pk for e in enrolments}
    added = [e for e in enrolments if e.pk not in current]
    removed = current - wanted
    if not added and not removed:
        return session
    # The whole new list must fit the room; the added trainees are checked for the rest.
    problems = []
    if len(wanted) > room.capacity:
        problems.append(_capacity_message(room, len(wanted)))
    problems.extend(
        _trainee_problems(
            day=session.day,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            room=room,
            enrolments=added,
            exclude=session.pk,
        )
    )
    if problems:
        raise ValidationError(problems)
    if removed:
        SessionTrainee.objects.filter(session=session, enrolment_id__in=removed).delete()
    _add_places(session, added)
    record_event(
        actor=membership.user,
        action="session.trainees",
        target=session,
        school=membership.school,
        changes={"added": sorted(e.pk for e in added), "removed": sorted(removed)},
        ip_address=ip_address,
    )
    return session


@transaction.atomic
def set_trainees(
    *,
    membership: Membership,
    session: Session,
    enrolments: Iterable[Enrolment],
    ip_address: str | None = None,
) -> Session:
    """Make ``enrolments`` the session's trainees (adds and removes)."""
    return _save_trainees(
        membership, session, _check_enrolments(membership, enrolments), ip_address
    )


@transaction.atomic
def add_trainees(
    *,
    membership: Membership,
    session: Session,
    enrolments: Iterable[Enrolment],
    ip_address: str | None = None,
) -> Session:
    enrolments = _check_enrolments(membership, enrolments)
    if not enrolments:
        raise ValidationError(_("Choisissez au moins un·e stagiaire à ajouter."))
    current = list(
        Enrolment.objects.filter(session_places__session=session).select_related("person")
    )
    merged = {e.pk: e for e in [*current, *enrolments]}
    return _save_trainees(membership, session, list(merged.values()), ip_address)


@transaction.atomic
def remove_trainees(
    *,
    membership: Membership,
    session: Session,
    enrolments: Iterable[Enrolment],
    ip_address: str | None = None,
) -> Session:
    enrolments = _check_enrolments(membership, enrolments)
    if not enrolments:
        raise ValidationError(_("Choisissez au moins un·e stagiaire à retirer."))
    gone = {e.pk for e in enrolments}
    current = list(
        Enrolment.objects.filter(session_places__session=session)
        .exclude(pk__in=gone)
        .select_related("person")
    )
    return _save_trainees(membership, session, current, ip_address)


def trainee_count_message(count: int) -> str:
    return ngettext("%(n)d stagiaire", "%(n)d stagiaires", count) % {"n": count}
