"""Fast writes for the generator: explicit ids, COPY on PostgreSQL, ``executemany`` on SQLite.

Rows are dicts keyed by attribute name (``school_id``…), completed with each field's default
and adapted as the fields do (:func:`parcours.imports.bulk._preparer`). The generator assigns
the primary keys itself (:meth:`Writer.new_id`), so related rows are written without reading
ids back; :meth:`Writer.reset_sequences` then moves PostgreSQL's sequences past them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from parcours.imports.bulk import _preparer

SQLITE_BATCH = 5000


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class Writer:
    """Writes rows of models, counting them, with ids it hands out."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}
        self.counts: dict[str, int] = {}
        self.now = timezone.now()

    def new_id(self, model: type[models.Model]) -> int:
        if model not in self._next:
            last = model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0
            self._next[model] = last + 1
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk

    def write(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        """Insert ``rows`` (each with its ``id``) into ``model``'s table."""
        meta = model._meta
        fields = list(meta.concrete_fields)
        preparers = [_preparer(field, self.now) for field in fields]
        ops = connection.ops
        table = ops.quote_name(meta.db_table)
        columns = ", ".join(ops.quote_name(field.column) for field in fields)
        written = 0
        connection.ensure_connection()
        raw = connection.connection
        if is_postgres():
            copy_sql = f"COPY {table} ({columns}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row([prepare(row) for prepare in preparers])
                    written += 1
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(fields))})"  # noqa: S608
            cursor = raw.cursor()
            batch: list[list[Any]] = []
            for row in rows:
                batch.append([prepare(row) for prepare in preparers])
                if len(batch) >= SQLITE_BATCH:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
            cursor.close()
        label = meta.db_table
        self.counts[label] = self.counts.get(label, 0) + written
        return written

    def execute(self, sql: str, params: list[Any] | None = None) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def reset_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the explicit ids (nothing to do on SQLite)."""
        if not is_postgres():
            return
        every = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
        statements = connection.ops.sequence_reset_sql(no_style(), every)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


class DroppedIndexes:
    """On PostgreSQL, drop a table's secondary indexes and unique/exclusion constraints while
    it is bulk-loaded, then recreate them exactly (from ``pg_get_indexdef`` /
    ``pg_get_constraintdef``). A no-op elsewhere."""

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.constraints: list[tuple[str, str]] = []
        self.indexes: list[tuple[str, str]] = []

    def __enter__(self) -> DroppedIndexes:
        if not is_postgres():
            return self
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'x')",
                [self.table],
            )
            self.constraints = list(cursor.fetchall())
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
                [self.table],
            )
            self.indexes = list(cursor.fetchall())
            qn = connection.ops.quote_name
            for name, _definition in self.constraints:
                cursor.execute(f"ALTER TABLE {qn(self.table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
        return self

    def __exit__(self, *exc: object) -> None:
        if not is_postgres():
            return
        try:
            self.recreate()
        except Exception as error:
            if exc[0] is None:
                raise
            # The load failed and its rows break an index: say which ones are missing rather
            # than hide the load's own error behind this one.
            names = ", ".join(name for name, _definition in self.indexes + self.constraints)
            print(
                f"ATTENTION : {self.table} reste sans {names} ({error}) : supprimez cette base.",
                file=sys.stderr,
            )

    def recreate(self) -> None:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.constraints:
                cursor.execute(
                    f"ALTER TABLE {qn(self.table)} ADD CONSTRAINT {qn(name)} {definition}"
                )
