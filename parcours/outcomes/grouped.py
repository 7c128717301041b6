"""Counting a queryset's rows by group in the database, when Django cannot aggregate it as it is.

The reports count people by their *latest* exit or enrolment: rows kept by a window function
(``ROW_NUMBER() OVER (PARTITION BY person …) = 1``). Django filters on a window function by
wrapping the query in a subquery, but its ``.values(…).annotate(Count(…))`` would group the rows
before the window picks the latest. :func:`grouped_rows` groups the filtered rows instead: the
queryset (built with the ORM, filters and all) becomes the subquery of one ``GROUP BY``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def grouped_rows(
    queryset: QuerySet, keys: Sequence[str], sums: Sequence[str] = ()
) -> list[tuple[Any, ...]]:
    """One row per group of ``queryset``'s rows with the same ``keys``:
    ``(*keys, COUNT(*), *SUM(column) for column in sums)`` (one query).

    ``keys`` and ``sums`` are names the queryset selects as they are (fields of its model or
    its annotations, not lookups through a relation); ``sums`` are 0/1 columns (small
    integers: their sums come back as ints, never NULL, since every group has a row)."""
    columns = [*keys, *sums]
    try:
        query = queryset.values_list(*columns).order_by().query
        sql, params = query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # e.g. ``school__in=[]``: no row, no query (as Django does)
        return []
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    group = ", ".join(quote(name) for name in keys)
    counted = ", ".join(["COUNT(*)", *(f"SUM({quote(name)})" for name in sums)])
    grouped = f"SELECT {group}, {counted} FROM ({sql}) AS counted_rows GROUP BY {group}"  # noqa: S608 — names are the caller's constants, values stay parameters
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        return cursor.fetchall()
