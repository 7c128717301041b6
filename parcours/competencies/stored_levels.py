"""The stored levels (``LevelSpan``): a pre-aggregate of the assessment rows (issue 12).

``levels.level_spans`` computes them; this module stores them and keeps them right:

- :func:`refresh` rewrites one enrolment's spans from its rows. ``Assessment.save`` calls it in
  the same transaction as every row it appends (a positioning, an assessment, a correction,
  however written), so the stored levels never lag behind the rows. A write of several rows
  (the positioning) can defer it to the end with :func:`deferred`.
- :func:`recompute` compares every stored span with the rows' and repairs the differences
  (``parcours competencies recompute-levels``); run twice, the second run changes nothing.
- :func:`differing` finds, in one pass that neither writes nor locks, the enrolments whose
  stored spans differ from their rows; :func:`check_and_repair` (``parcours daily``) then
  recomputes those under lock.
- :func:`computed` yields the spans of groups of enrolments, for the recompute and the
  scale-data generator (which writes them by COPY).
- ``Assessment.objects`` refuses the bulk writes that skip ``Assessment.save``
  (``models.AssessmentQuerySet``); the named paths that write rows in bulk are here and
  recompute the levels of the enrolments they touch in the same transaction:
  :func:`bulk_create_and_recompute`, :func:`delete_and_recompute`.

The readers (``reporting.competencies.school_progress``) take the span that holds on a day:
``valid_from <= day`` and (``valid_until`` empty or ``day < valid_until``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from . import levels
from .models import Assessment, LevelSpan

logger = logging.getLogger(__name__)

#: The columns of a span that say what it is (everything but its id).
SPAN_FIELDS = (
    "school_id",
    "enrolment_id",
    "competency_id",
    "valid_from",
    "valid_until",
    "entry_level",
    "entry_on",
    "current_level",
    "first_assessment_pk",
)

ROW_FIELDS = (
    "id",
    "enrolment_id",
    "competency_id",
    "kind",
    "level",
    "assessed_on",
    "corrects_id",
    "school_id",
)

#: Enrolments per group read and written at once by the recompute.
CHUNK = 500


@dataclass(slots=True)
class Row:
    """An assessment row as the derivation reads it (attributes only, no model instance)."""

    pk: int
    enrolment_id: int
    competency_id: int
    kind: str
    level: int
    assessed_on: datetime.date
    corrects_id: int | None
    school_id: int


def rows_of(assessments: models.QuerySet) -> list[Row]:
    return [Row(*values) for values in assessments.values_list(*ROW_FIELDS)]


def spans_of(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """The spans (``SPAN_FIELDS`` → value) of the rows of one or several enrolments."""
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row.enrolment_id, []).append(row)
    spans: list[dict[str, Any]] = []
    for enrolment_id, enrolment_rows in grouped.items():
        first: dict[int, Row] = {}
        for row in enrolment_rows:
            known = first.get(row.competency_id)
            if known is None or row.pk < known.pk:
                first[row.competency_id] = row
        for span in levels.level_spans(enrolment_rows):
            first_row = first[span.competency_id]
            spans.append(
                {
                    "school_id": first_row.school_id,
                    "enrolment_id": enrolment_id,
                    "competency_id": span.competency_id,
                    "valid_from": span.valid_from,
                    "valid_until": span.valid_until,
                    "entry_level": span.entry_level,
                    "entry_on": span.entry_on,
                    "current_level": span.current_level,
                    "first_assessment_pk": first_row.pk,
                }
            )
    return spans


def _key(span: dict[str, Any]) -> tuple:
    return tuple(span[name] for name in SPAN_FIELDS)


def _replace(
    spans: models.QuerySet,
    wanted: list[dict[str, Any]],
    enrolment_pks: set[int],
    *,
    write: bool = True,
) -> tuple[int, int]:
    """Make the stored ``spans`` of ``enrolment_pks`` the ``wanted`` ones; (created, deleted).
    With ``write=False``, only count what would be created and deleted."""
    stored = {}
    for pk, *values in spans.values_list("pk", *SPAN_FIELDS):
        if values[1] in enrolment_pks:
            stored[tuple(values)] = pk
    wanted_keys = {_key(span) for span in wanted}
    stale = [pk for key, pk in stored.items() if key not in wanted_keys]
    missing = [span for span in wanted if _key(span) not in stored]
    if not write:
        return len(missing), len(stale)
    model = spans.model
    for start in range(0, len(stale), CHUNK):
        model._base_manager.using(spans.db).filter(pk__in=stale[start : start + CHUNK]).delete()
    if missing:
        model._base_manager.using(spans.db).bulk_create(
            [model(**span) for span in missing], batch_size=CHUNK
        )
    return len(missing), len(stale)


# ------------------------------------------------------------------------------ after a write

_deferred: contextvars.ContextVar[set[tuple[int, str | None]] | None] = contextvars.ContextVar(
    "competencies_deferred_levels", default=None
)


def refresh(enrolment_id: int, *, using: str | None = None) -> None:
    """Rewrite the stored levels of one enrolment from its rows (in the caller's transaction).

    The enrolment's row is locked first (``FOR NO KEY UPDATE``: it does not wait for the row
    inserts' foreign key checks), so two transactions appending rows to the same enrolment
    refresh one after the other, the second one reading the first one's rows.
    """
    pending = _deferred.get()
    if pending is not None:
        pending.add((enrolment_id, using))
        return
    _refresh(enrolment_id, using)


def _refresh(enrolment_id: int, using: str | None) -> None:
    from parcours.pathways.models import Enrolment

    with transaction.atomic(using=using):
        list(
            Enrolment.objects.using(using)
            .select_for_update(no_key=True)
            .filter(pk=enrolment_id)
            .values_list("pk", flat=True)
        )
        rows = rows_of(Assessment.objects.using(using).filter(enrolment_id=enrolment_id))
        _replace(
            LevelSpan.objects.using(using).filter(enrolment_id=enrolment_id),
            spans_of(rows),
            {enrolment_id},
        )


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Refresh the enrolments written inside the block once, at its end (a positioning writes
    a row per competency: one refresh instead of one per row). Use it inside the write's
    transaction; if the block raises, nothing is refreshed (the transaction rolls back)."""
    if _deferred.get() is not None:  # already deferred by an outer block
        yield
        return
    pending: set[tuple[int, str | None]] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    for enrolment_id, using in sorted(pending, key=lambda item: item[0]):
        _refresh(enrolment_id, using)


# ------------------------------------------------------------------------------ recompute


def group_spans(group: list[int], assessments: models.QuerySet) -> list[dict[str, Any]]:
    """The spans of the enrolments ``group`` (sorted pks) from the rows of ``assessments``
    (a queryset of ``Assessment``, or of the historical model in a migration)."""
    members = set(group)
    rows = rows_of(assessments.filter(enrolment_id__gte=group[0], enrolment_id__lte=group[-1]))
    return spans_of(row for row in rows if row.enrolment_id in members)


def computed(
    enrolment_pks: Iterable[int], assessments: models.QuerySet, *, chunk: int = CHUNK
) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
    """``(enrolment pks, their spans)`` for groups of ``chunk`` enrolments."""
    pks = sorted(set(enrolment_pks))
    for start in range(0, len(pks), chunk):
        group = pks[start : start + chunk]
        yield group, group_spans(group, assessments)


@dataclass(frozen=True)
class Recomputed:
    enrolments: int
    spans: int  # spans the rows give
    created: int  # spans that were missing or wrong
    deleted: int  # stored spans that were wrong or had no rows any more

    @property
    def repaired(self) -> bool:
        return bool(self.created or self.deleted)


def recompute(
    *,
    enrolments: models.QuerySet | None = None,
    dry_run: bool = False,
    chunk: int = CHUNK,
    progress: Callable[[str], Any] | None = None,
) -> Recomputed:
    """Recompute the stored levels of ``enrolments`` (all by default) from their rows and
    repair the differences; ``dry_run`` counts them without writing.

    One transaction per group of ``chunk`` enrolments: the group's enrolments are locked
    before their rows are read, so a row appended meanwhile waits and refreshes after.
    """
    from parcours.pathways.models import Enrolment

    if enrolments is None:
        enrolments = Enrolment.objects.all()
    pks = list(enrolments.order_by("pk").values_list("pk", flat=True))
    spans = created = deleted = 0
    for start in range(0, len(pks), chunk):
        group = pks[start : start + chunk]
        with transaction.atomic():
            list(
                Enrolment.objects.select_for_update(no_key=True)
                .filter(pk__in=group)
                .values_list("pk", flat=True)
            )
            wanted = group_spans(group, Assessment.objects.all())
            made, gone = _replace(
                LevelSpan.objects.filter(enrolment_id__gte=group[0], enrolment_id__lte=group[-1]),
                wanted,
                set(group),
                write=not dry_run,
            )
        spans += len(wanted)
        created += made
        deleted += gone
        if progress is not None and (start // chunk) % 20 == 19:
            progress(f"  {start + len(group)}/{len(pks)} parcours")
    return Recomputed(enrolments=len(pks), spans=spans, created=created, deleted=deleted)


# ------------------------------------------------------------------------------ bulk writes


def bulk_create_and_recompute(
    assessments: list[Assessment], *, batch_size: int | None = None
) -> list[Assessment]:
    """Append ``assessments`` in bulk (``bulk_create``, without ``Assessment.save``) and
    recompute the stored levels of their enrolments, in one transaction."""
    with transaction.atomic():
        created = (
            Assessment.objects.all().unguarded().bulk_create(assessments, batch_size=batch_size)
        )
        enrolment_pks = {row.enrolment_id for row in created}
        if enrolment_pks:
            _recompute_pks(sorted(enrolment_pks))
    return created


def delete_and_recompute(assessments: models.QuerySet) -> int:
    """Delete the rows of ``assessments`` (a queryset of ``Assessment``) and recompute the
    stored levels of their enrolments, in one transaction; the number of rows deleted.

    Assessments are append-only for the application: only resetting data that is not a
    school's own (the demo) deletes them. Corrections among the rows are unlinked first, so
    the rows go in one statement; rows outside ``assessments`` that correct one of them are
    refused by the database (``corrects`` is protected).
    """
    with transaction.atomic(using=assessments.db):
        plain = assessments.unguarded()
        enrolment_pks = sorted(set(plain.values_list("enrolment_id", flat=True)))
        plain.exclude(corrects=None).update(corrects=None)
        count = plain._raw_delete(plain.db)
        if enrolment_pks:
            _recompute_pks(enrolment_pks)
    return count


def _recompute_pks(enrolment_pks: list[int]) -> Recomputed:
    from parcours.pathways.models import Enrolment

    result = Recomputed(enrolments=0, spans=0, created=0, deleted=0)
    for start in range(0, len(enrolment_pks), CHUNK):
        group = enrolment_pks[start : start + CHUNK]
        done = recompute(enrolments=Enrolment.objects.filter(pk__in=group))
        result = Recomputed(
            enrolments=result.enrolments + done.enrolments,
            spans=result.spans + done.spans,
            created=result.created + done.created,
            deleted=result.deleted + done.deleted,
        )
    return result


# ------------------------------------------------------------------------------ daily check


def differing(*, enrolments: models.QuerySet | None = None, chunk: int = CHUNK) -> list[int]:
    """The enrolments (pks, in order) whose stored spans differ from the spans their rows give:
    the comparison of ``recompute(dry_run=True)`` in one pass, without writing nor locking.

    Without locks, a row appended while a group is read can make its enrolment look
    different; :func:`check_and_repair` recomputes the ones found under lock, so such an
    enrolment is only recomputed for nothing.
    """
    from parcours.pathways.models import Enrolment

    if enrolments is None:
        enrolments = Enrolment.objects.all()
    pks = list(enrolments.order_by("pk").values_list("pk", flat=True))
    found: list[int] = []
    for start in range(0, len(pks), chunk):
        group = pks[start : start + chunk]
        members = set(group)
        wanted: dict[int, set[tuple]] = {}
        for span in group_spans(group, Assessment.objects.all()):
            wanted.setdefault(span["enrolment_id"], set()).add(_key(span))
        stored: dict[int, set[tuple]] = {}
        rows = LevelSpan.objects.filter(
            enrolment_id__gte=group[0], enrolment_id__lte=group[-1]
        ).values_list(*SPAN_FIELDS)
        for values in rows:
            if values[1] in members:
                stored.setdefault(values[1], set()).add(tuple(values))
        found += [pk for pk in group if wanted.get(pk, set()) != stored.get(pk, set())]
    return found


@dataclass(frozen=True)
class Checked:
    enrolments: int  # enrolments compared
    differing: int  # enrolments whose stored spans differed
    repaired: Recomputed | None  # the recompute of those, if any


def check_and_repair(*, enrolments: models.QuerySet | None = None) -> Checked:
    """Compare the stored levels with the rows (:func:`differing`, one pass, no writes) and
    recompute under lock the enrolments that differ; a warning in the log when the recompute
    changed spans (not when a save running during the pass had already put them right)."""
    from parcours.pathways.models import Enrolment

    if enrolments is None:
        enrolments = Enrolment.objects.all()
    compared = enrolments.count()
    found = differing(enrolments=enrolments)
    if not found:
        return Checked(enrolments=compared, differing=0, repaired=None)
    repaired = _recompute_pks(found)
    if not repaired.repaired:
        # Under lock the spans were right: the pass read an assessment being saved meanwhile
        # (its rows and its spans in two statements), whose transaction then refreshed them.
        return Checked(enrolments=compared, differing=0, repaired=None)
    logger.warning(
        "Niveaux enregistrés : %d parcours différaient de leurs évaluations, recalculés "
        "(%d périodes ajoutées, %d retirées). Des évaluations ont été écrites hors de "
        "l'application : cherchez par où.",
        len(found),
        repaired.created,
        repaired.deleted,
    )
    return Checked(enrolments=compared, differing=len(found), repaired=repaired)


def daily_check() -> int:
    """``parcours daily``: every enrolment's stored levels compared with its rows, those that
    differ recomputed; the number of enrolments recomputed (normally 0)."""
    return check_and_repair().differing
