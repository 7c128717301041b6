"""The stored levels (``LevelSpan``) agree with the rows after every kind of write, a refused
write leaves them as they were, the data migration fills them and the recompute command
repairs them (and, run again, changes nothing)."""

from __future__ import annotations

import datetime
import importlib
import io
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from parcours.competencies import services
from parcours.competencies.levels import derive_levels
from parcours.competencies.models import Assessment, LevelSpan
from parcours.competencies.selectors import assessment_rows
from parcours.competencies.stored_levels import SPAN_FIELDS, recompute, rows_of, spans_of
from parcours.pathways.models import Enrolment

from .test_assessments import competencies_of, new_enrolment

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def stored(enrolment) -> list[tuple]:
    return sorted(LevelSpan.objects.filter(enrolment=enrolment).values_list(*SPAN_FIELDS))


def expected(enrolment) -> list[tuple]:
    rows = rows_of(Assessment.objects.filter(enrolment=enrolment))
    return sorted(tuple(span[name] for name in SPAN_FIELDS) for span in spans_of(rows))


def assert_agree(enrolment) -> None:
    """The stored spans are the rows' and give ``derive_levels`` as of every day around the
    rows' days (the day before, the day, the day after each)."""
    assert stored(enrolment) == expected(enrolment)
    rows = assessment_rows(enrolment)
    spans = list(LevelSpan.objects.filter(enrolment=enrolment))
    days = {row.assessed_on + shift * DAY for row in rows for shift in (-1, 0, 1)}
    for day in sorted(days):
        held = {
            s.competency_id: (s.entry_level, s.entry_on, s.current_level)
            for s in spans
            if s.valid_from <= day and (s.valid_until is None or day < s.valid_until)
        }
        derived = {
            competency: (
                found.entry_level,
                found.entry.assessed_on if found.entry else None,
                found.current_level,
            )
            for competency, found in derive_levels(rows, as_of=day).items()
        }
        assert held == derived, day


def test_rows_written_through_the_model_are_stored(world):
    """The world's rows are written with ``Assessment.objects.create``, not the services."""
    enrolment = world.objects["enrolment"]
    assert_agree(enrolment)
    [before, after] = LevelSpan.objects.filter(enrolment=enrolment).order_by("valid_from")
    assert (before.entry_level, before.current_level, before.valid_until) == (
        1,
        1,
        after.valid_from,
    )
    assert (after.entry_level, after.current_level, after.valid_until) == (1, 2, None)


def test_every_kind_of_write_keeps_the_stored_levels(world):
    referent = world.members["referent"]
    enrolment = new_enrolment(world)
    entry = enrolment.entry_date
    competencies = competencies_of(world)
    first, second = competencies[0], competencies[1]
    rows = services.record_positioning(
        membership=referent,
        enrolment=enrolment,
        levels={c.pk: 1 for c in competencies},
        assessed_on=entry,
    )
    assert_agree(enrolment)
    assert LevelSpan.objects.filter(enrolment=enrolment).count() == len(competencies)

    def assess(competency, level, day):
        return services.record_assessment(
            membership=referent,
            enrolment=enrolment,
            competency=competency,
            level=level,
            assessed_on=day,
            context="workshop",
        )

    late = assess(first, 3, entry + 30 * DAY)
    assert_agree(enrolment)
    assess(first, 2, entry + 10 * DAY)  # an older day, entered later
    assess(second, 2, entry + 10 * DAY)
    assess(second, 4, entry + 10 * DAY)  # later the same day: the day's level
    assert_agree(enrolment)
    fixed = services.correct_assessment(
        membership=referent, assessment=late, level=4, reason="Niveau mal saisi"
    )
    assert_agree(enrolment)
    services.correct_assessment(  # a correction of the correction, on another day
        membership=referent,
        assessment=fixed,
        level=1,
        reason="Mauvaise compétence",
        assessed_on=entry + 5 * DAY,
    )
    assert_agree(enrolment)
    positioning = next(row for row in rows if row.competency_id == second.pk)
    services.correct_assessment(
        membership=referent, assessment=positioning, level=3, reason="Test mal lu"
    )
    assert_agree(enrolment)
    held = LevelSpan.objects.get(enrolment=enrolment, competency=second, valid_until=None)
    assert (held.entry_level, held.current_level) == (3, 4)
    # Another enrolment's stored levels are left alone.
    assert_agree(world.objects["enrolment"])


def test_a_refused_write_leaves_the_stored_levels(world):
    enrolment = world.objects["enrolment"]
    before = stored(enrolment)
    with pytest.raises(ValidationError, match=r"Indiquez le motif de la correction\."):
        services.correct_assessment(
            membership=world.members["referent"],
            assessment=world.objects["assessment"],
            level=4,
            reason=" ",
        )
    with pytest.raises(ValidationError, match=r"Le niveau doit être compris entre 1 et 4\."):
        services.record_assessment(
            membership=world.members["referent"],
            enrolment=enrolment,
            competency=world.objects["competency"],
            level=7,
            assessed_on=enrolment.entry_date,
            context="workshop",
        )
    assert stored(enrolment) == before


def test_a_positioning_refreshes_the_stored_levels_once(world):
    enrolment = new_enrolment(world)
    competencies = competencies_of(world)
    with CaptureQueriesContext(connection) as ctx:
        services.record_positioning(
            membership=world.members["referent"],
            enrolment=enrolment,
            levels={c.pk: 2 for c in competencies},
            assessed_on=enrolment.entry_date,
        )
    on_spans = [q["sql"] for q in ctx.captured_queries if "competencies_levelspan" in q["sql"]]
    assert len(on_spans) == 2  # read the enrolment's spans, insert the new ones
    assert len(competencies) > 5
    assert_agree(enrolment)


def test_rows_deleted_around_the_application_then_their_enrolment(world):
    """The application never deletes assessment rows (``Assessment.objects`` refuses bulk
    deletes; resetting the demo goes through ``stored_levels.delete_and_recompute``): rows
    deleted around it (a plain queryset, as raw SQL would) leave stale levels that the
    recompute drops; deleting their enrolments takes any stored level left with them."""
    enrolment = new_enrolment(world)
    competencies = competencies_of(world)
    services.record_positioning(
        membership=world.members["referent"],
        enrolment=enrolment,
        levels={c.pk: 2 for c in competencies},
        assessed_on=enrolment.entry_date,
    )
    models.QuerySet(Assessment).filter(enrolment=enrolment)._raw_delete(connection.alias)
    assert len(stored(enrolment)) == len(competencies)  # stale
    result = recompute(enrolments=Enrolment.objects.filter(pk=enrolment.pk))
    assert (result.created, result.deleted) == (0, len(competencies))
    assert stored(enrolment) == []
    assert_agree(world.objects["enrolment"])
    LevelSpan.objects.create(
        school=world.school,
        enrolment=enrolment,
        competency=competencies[0],
        valid_from=enrolment.entry_date,
        current_level=1,
        first_assessment_pk=1,
    )
    Enrolment.objects.filter(pk=enrolment.pk).delete()
    assert not LevelSpan.objects.filter(enrolment_id=enrolment.pk).exists()


FILL = "0006_fill_level_spans"


def _fill_with_the_migration() -> None:
    """Run the data migration's function with the historical models of its state (as
    ``migrate`` does on a fresh database), on the rows there."""
    migration = importlib.import_module(f"parcours.competencies.migrations.{FILL}")
    state = MigrationLoader(connection).project_state(("competencies", FILL))
    editor = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    migration.fill(state.apps, editor)


def test_the_data_migration_fills_the_stored_levels_of_the_live_derivation(world):
    """The migration carries a frozen copy of the derivation and reads historical models only
    (a later change to the live code cannot break it); on rows of every kind (positionings,
    corrections, corrections of corrections, rows of the same day, an older day entered
    later) it writes the spans the live derivation gives."""
    referent = world.members["referent"]
    enrolment = new_enrolment(world)
    entry = enrolment.entry_date
    competencies = competencies_of(world)
    rows = services.record_positioning(
        membership=referent,
        enrolment=enrolment,
        levels={c.pk: 1 + i % 3 for i, c in enumerate(competencies)},
        assessed_on=entry,
    )
    for day, level in ((30, 3), (10, 2), (10, 4)):
        late = services.record_assessment(
            membership=referent,
            enrolment=enrolment,
            competency=competencies[0],
            level=level,
            assessed_on=entry + day * DAY,
            context="workshop",
        )
    fixed = services.correct_assessment(
        membership=referent, assessment=late, level=1, reason="Niveau mal saisi"
    )
    services.correct_assessment(
        membership=referent, assessment=fixed, level=2, reason="Encore", assessed_on=entry
    )
    services.correct_assessment(
        membership=referent, assessment=rows[1], level=4, reason="Test mal lu"
    )
    enrolments = list(Enrolment.objects.filter(assessments__isnull=False).distinct())
    assert len(enrolments) == 3
    wanted = {e.pk: expected(e) for e in enrolments}  # the live derivation
    assert sum(map(len, wanted.values())) > len(competencies)
    LevelSpan.objects.all().delete()
    _fill_with_the_migration()
    assert {e.pk: stored(e) for e in enrolments} == wanted
    for enrolment in enrolments:
        assert_agree(enrolment)
    assert "à corriger : 0 à ajouter, 0 à retirer" in run("--dry-run")


def test_the_data_migration_imports_no_live_code():
    """Only Django's migrations module: the application's modules may change later."""
    source = Path(
        importlib.import_module(f"parcours.competencies.migrations.{FILL}").__file__
    ).read_text()
    imports = [
        line for line in source.splitlines() if line.lstrip().startswith(("import ", "from "))
    ]
    assert imports == ["from django.db import migrations"]


# ------------------------------------------------------------------------------ the command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("competencies", "recompute-levels", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _break(world) -> None:
    """One wrong span, one missing, one without rows (on an enrolment with none)."""
    enrolment = world.objects["enrolment"]
    spans = LevelSpan.objects.filter(enrolment=enrolment).order_by("valid_from")
    spans.filter(pk=spans[0].pk).update(current_level=4)
    spans.filter(pk=spans[1].pk).delete()
    LevelSpan.objects.create(
        school=world.school,
        enrolment=new_enrolment(world),
        competency=world.objects["competency"],
        valid_from=enrolment.entry_date,
        current_level=1,
        first_assessment_pk=1,
    )


def test_the_command_repairs_the_stored_levels_and_is_idempotent(world):
    _break(world)
    broken = sorted(LevelSpan.objects.values_list(*SPAN_FIELDS))
    with pytest.raises(CommandError, match=r"Des niveaux enregistrés diffèrent des évaluations\."):
        run("--dry-run")
    assert sorted(LevelSpan.objects.values_list(*SPAN_FIELDS)) == broken  # nothing written
    text = run()
    assert "corrigées : 2 ajoutées, 2 retirées" in text
    for enrolment in Enrolment.objects.all():
        assert_agree(enrolment)
    assert "corrigées : 0 ajoutées, 0 retirées" in run()
    assert "à corriger : 0 à ajouter, 0 à retirer" in run("--dry-run")


def test_the_command_for_one_school(world):
    other = world.others["enrolment"]
    LevelSpan.objects.filter(enrolment=other).update(current_level=4)
    wrong = stored(other)
    _break(world)
    assert "corrigées : 2 ajoutées, 2 retirées" in run("--school", world.school.slug)
    assert stored(other) == wrong  # another school's levels are not touched
    assert_agree(world.objects["enrolment"])


def test_an_unknown_school_is_refused(world):
    before = sorted(LevelSpan.objects.values_list("pk", *SPAN_FIELDS))
    with pytest.raises(CommandError, match=r"École inconnue : « nulle-part »\."):
        run("--school", "nulle-part")
    assert sorted(LevelSpan.objects.values_list("pk", *SPAN_FIELDS)) == before


# ------------------------------------------------------------------------------ two writers


# serialized_rollback: the flush after a transactional test would otherwise take away the rows
# the migrations seed (the default framework the world uses), as in the other such tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_on_one_enrolment_leave_the_levels_of_both_rows(world):
    """The second writer's refresh waits for the first one's transaction (the enrolment's row
    is locked), then reads its row: without the lock it would store levels without it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    enrolment = new_enrolment(world)
    competency = competencies_of(world)[0]
    referent = world.members["referent"]
    locked, failures = threading.Event(), []

    def write(kind, level, day, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                Assessment.objects.create(
                    school=world.school,
                    enrolment=enrolment,
                    competency=competency,
                    kind=kind,
                    level=level,
                    assessed_on=day,
                    assessor=referent,
                    context="positioning" if kind == "positioning" else "workshop",
                    recorded_by=referent.user,
                )
                if hold:
                    locked.set()
                    time.sleep(0.5)  # the other writer inserts and waits meanwhile
        except Exception as error:  # pragma: no cover — reported below
            failures.append(error)
        finally:
            connection.close()

    entry = enrolment.entry_date
    one = threading.Thread(target=write, args=("positioning", 1, entry), kwargs={"hold": True})
    one.start()
    assert locked.wait(10)
    two = threading.Thread(
        target=write, args=("assessment", 3, entry + 5 * DAY), kwargs={"hold": False}
    )
    two.start()
    one.join(10)
    two.join(10)
    assert failures == []
    assert_agree(enrolment)  # one span closed on the second row's day, not two open ones
    assert LevelSpan.objects.filter(enrolment=enrolment, valid_until=None).count() == 1
