"""Writes of the retention: the anonymisation (run by ``parcours daily``), legal holds and
the school's retention setting."""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.models import Membership, School
from parcours.pathways.models import Enrolment, EntrySituation
from parcours.people.models import Person, age_on, coming_of_age
from parcours.schedule.models import AttendanceMark

from . import selectors
from .inventory import HOLDINGS, Holding
from .models import LegalHold, RetentionRun

logger = logging.getLogger(__name__)

ANONYMOUS_LAST_NAME = "Anonyme"


def placeholder_first_name(person_id: int) -> str:
    return f"Personne n° {person_id}"


#: What an erased text reads once anonymised (empty texts stay empty). A marker rather than
#: nothing keeps the rows valid where a text is required (an evidence note, a correction's
#: reason) and tells the reader that something was there.
ERASED = "[effacé]"


def _blank(field: models.Field) -> Any:
    """The value of an erased field on the person's own row."""
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if field.null:
        return None
    raise TypeError(f"cannot blank {field.model._meta.label}.{field.name}")  # pragma: no cover


def _erased(field: models.Field) -> Any:
    """The expression an erased field is updated to on the other rows."""
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, models.EmailField):
        return ""
    if isinstance(field, models.CharField | models.TextField):
        return models.Case(
            models.When(**{field.name: ""}, then=models.Value("")),
            default=models.Value(ERASED),
            output_field=field,
        )
    if field.null:
        return None
    raise TypeError(f"cannot erase {field.model._meta.label}.{field.name}")  # pragma: no cover


def _new_token(field: models.Field) -> str:
    if field.has_default():
        return field.get_default()
    return secrets.token_urlsafe(32)[: field.max_length]


def _freeze_ages(person: Person) -> None:
    """Keep what the figures compute from the exact birth date before it is reduced to a
    year: the age at each entry (on the enrolment and on its entry situation) and, when the
    monthly statements need it, the 18th birthday."""
    for enrolment in Enrolment.objects.filter(person=person):
        enrolment.age_at_entry = age_on(person.birth_date, enrolment.entry_date)
        enrolment.save(update_fields=["age_at_entry"])
    for situation in EntrySituation.objects.filter(enrolment__person=person).select_related(
        "enrolment"
    ):
        situation.age_at_entry = age_on(situation.birth_date, situation.enrolment.entry_date)
        situation.save(update_fields=["age_at_entry"])
    adult = coming_of_age(person.birth_date)
    if AttendanceMark.objects.filter(enrolment__person=person, day__year=adult.year).exists():
        person.came_of_age_on = adult


def _erase_holding(
    holding: Holding, rows: models.QuerySet
) -> tuple[int, list[tuple[Storage, str]]]:
    """Apply one holding's rules to ``rows``; return the count and the files to delete."""
    model = holding.model_class
    if holding.delete_rows:
        count = rows.count()
        rows.delete()
        return count, []
    files: list[tuple[Storage, str]] = []
    for name in holding.files:
        storage = model._meta.get_field(name).storage
        files += [(storage, path) for path in rows.values_list(name, flat=True) if path]
    values: dict[str, Any] = {name: _erased(model._meta.get_field(name)) for name in holding.erase}
    values.update({name: ERASED for name in holding.marked})
    values.update({name: "" for name in holding.files})
    values.update(
        {
            name: models.functions.TruncYear(name, output_field=models.DateField())
            for name in holding.to_year
        }
    )
    count = rows.update(**values) if values else rows.count()
    for name in holding.tokens:
        field = model._meta.get_field(name)
        for pk in list(rows.values_list("pk", flat=True)):
            model._base_manager.filter(pk=pk).update(**{name: _new_token(field)})
    return count, files


def anonymise_person(
    *, person: Person, now: datetime.datetime | None = None, as_of: datetime.date | None = None
) -> bool:
    """Anonymise one person (one transaction). Returns False when there was nothing to do:
    already anonymised or under an active legal hold — or, with ``as_of`` (the daily run), no
    longer past retention on that day (re-checked under the lock: a new enrolment, meeting or
    request made since the run listed them)."""
    now = now or timezone.now()
    files: list[tuple[Storage, str]] = []
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.anonymised_at is not None:
            return False
        if LegalHold.objects.active().filter(person=person).exists():
            return False
        if as_of is not None and not (
            selectors.expired(person.school, as_of).filter(pk=person.pk).exists()
        ):
            return False
        _freeze_ages(person)
        counts: dict[str, int] = {}
        for holding in HOLDINGS:
            if holding.model == "people.Person":
                continue
            rows = holding.queryset_for(person.pk)
            count, found = _erase_holding(holding, rows)
            files += found
            if count:
                counts[holding.model] = count
        person.last_name = ANONYMOUS_LAST_NAME
        person.first_name = placeholder_first_name(person.pk)
        person_holding = next(h for h in HOLDINGS if h.model == "people.Person")
        for name in person_holding.erase:
            setattr(person, name, _blank(Person._meta.get_field(name)))
        for name in person_holding.to_year:
            setattr(person, name, getattr(person, name).replace(month=1, day=1))
        person.anonymised_at = now
        person.save()
        record_event(
            actor=None,
            action="person.anonymise",
            target=person,
            school=person.school,
            changes={"rows": counts, "files": len(files)},
        )
    # The files go once the rows no longer name them.
    for storage, path in files:
        try:
            storage.delete(path)
        except OSError:  # pragma: no cover - a missing file is already gone
            logger.warning("could not delete an anonymised document file (id-free path)")
    return True


def run_school(school: School, *, as_of: datetime.date | None = None) -> RetentionRun:
    """Anonymise every person of ``school`` past retention on ``as_of`` and log the run."""
    as_of = as_of or timezone.localdate()
    run = RetentionRun.objects.create(
        school=school,
        started_at=timezone.now(),
        as_of=as_of,
        retention_years=school.retention_years,
    )
    expired = selectors.expired(school, as_of)
    run.skipped_held = expired.filter(held=True).count()
    for person_id in list(expired.filter(held=False).values_list("pk", flat=True)):
        try:
            if anonymise_person(person=Person(pk=person_id), as_of=as_of):
                run.anonymised += 1
        except Exception:
            logger.exception("anonymisation failed for person id %s", person_id)
            run.errors += 1
    run.registrations = anonymise_unlinked_registrations(school, as_of=as_of)
    run.finished_at = timezone.now()
    run.save()
    return run


def anonymise_unlinked_registrations(school: School, *, as_of: datetime.date) -> int:
    """Anonymise the registrations to information sessions that never became a candidacy
    (public agenda, no referral: they belong to no person) once the session is past the
    school's retention — the same rules as a person's registrations. One event per school."""
    holding = next(h for h in HOLDINGS if h.model == "intake.Registration")
    cutoff = selectors.retention_cutoff(school, as_of)
    rows = (
        holding.model_class._base_manager.filter(
            school=school, referral__isnull=True, session__starts_at__date__lt=cutoff
        )
        .exclude(phone=ERASED)  # already anonymised
        .order_by("pk")
    )
    with transaction.atomic():
        # By id: once erased, the rows no longer match the filter (the tokens go after).
        ids = list(rows.select_for_update().values_list("pk", flat=True))
        count, _files = _erase_holding(
            holding, holding.model_class._base_manager.filter(pk__in=ids)
        )
        if count:
            record_event(
                actor=None,
                action="registration.anonymise",
                school=school,
                changes={"rows": count},
            )
    return count


def anonymise_expired(as_of: datetime.date | None = None) -> int:
    """The daily task: every school's run; returns how many people were anonymised."""
    total = 0
    for school in School.objects.order_by("pk"):
        total += run_school(school, as_of=as_of).anonymised
    return total


# ------------------------------------------------------------------------- settings, holds


def set_retention(*, membership: Membership, years: int) -> School:
    school = membership.school
    with transaction.atomic():
        school = School.objects.select_for_update().get(pk=school.pk)
        before = school.retention_years
        school.retention_years = years
        school.full_clean(validate_unique=False, validate_constraints=False)
        school.save(update_fields=["retention_years"])
        record_event(
            actor=membership.user,
            action="school.retention",
            target=school,
            school=school,
            changes={"retention_years": [before, years]},
        )
    return school


def place_hold(*, membership: Membership, person: Person, reason: str) -> LegalHold:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de la conservation.")})
    if person.school_id != membership.school_id:
        raise ValidationError(_("Cette personne n'est pas suivie par votre école."))
    if person.anonymised_at is not None:
        raise ValidationError(_("Les données de cette personne sont déjà anonymisées."))
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=person.pk)
        if LegalHold.objects.active().filter(person=person).exists():
            raise ValidationError(_("Une conservation est déjà en cours pour cette personne."))
        hold = LegalHold(
            school=membership.school, person=person, reason=reason, placed_by=membership.user
        )
        hold.full_clean(exclude=["school", "person", "placed_by"])
        hold.save()
        record_event(actor=membership.user, action="legal_hold.place", target=hold)
    return hold


def lift_hold(*, membership: Membership, hold: LegalHold) -> LegalHold:
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk, school=membership.school)
        if hold.lifted_at is not None:
            raise ValidationError(_("Cette conservation est déjà levée."))
        hold.lifted_at = timezone.now()
        hold.lifted_by = membership.user
        hold.save(update_fields=["lifted_at", "lifted_by"])
        record_event(actor=membership.user, action="legal_hold.lift", target=hold)
    return hold
