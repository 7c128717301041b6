"""One pagination for every list of the API, and the date filter.

An endpoint takes ``paging: Query[PageParams]`` (``?page=2&page_size=100``; 50 by default, at
most 200) and returns ``paginate(request, queryset, paging, transform)`` declared as
``response=Page[ItemOut]``::

    {"count": 120, "page": 2, "page_size": 50, "next": "https://…?page=3",
     "previous": "https://…?page=1", "results": [...]}

A page past the end answers an empty ``results`` (not an error). Dates filter with
``filters: Query[DateRange]`` (``?date_from=2026-01-01&date_to=2026-06-30``, both included).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field, model_validator

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Numéro de page, à partir de 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Éléments par page ({DEFAULT_PAGE_SIZE} par défaut, {MAX_PAGE_SIZE} au plus).",
    )


class Page(Schema, Generic[T]):
    count: int = Field(description="Nombre total d'éléments (toutes pages).")
    page: int
    page_size: int
    next: str | None = Field(description="Adresse de la page suivante, ou null.")
    previous: str | None = Field(description="Adresse de la page précédente, ou null.")
    results: list[T]


class DateRange(Schema):
    date_from: datetime.date | None = Field(
        None, description="Depuis cette date incluse (AAAA-MM-JJ)."
    )
    date_to: datetime.date | None = Field(
        None, description="Jusqu'à cette date incluse (AAAA-MM-JJ)."
    )

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from doit être antérieure ou égale à date_to.")
        return self

    def apply(self, queryset: QuerySet, field: str) -> QuerySet:
        """Filter ``queryset`` on the date (or datetime, by its local date) ``field``."""
        model_field = queryset.model._meta.get_field(field.split("__")[0])
        lookup = f"{field}__date" if model_field.get_internal_type() == "DateTimeField" else field
        if self.date_from:
            queryset = queryset.filter(**{f"{lookup}__gte": self.date_from})
        if self.date_to:
            queryset = queryset.filter(**{f"{lookup}__lte": self.date_to})
        return queryset


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    items: QuerySet | Sequence[Any],
    params: PageParams,
    transform: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """One page of ``items`` (ordered!) as the ``Page`` shape; ``transform`` maps each row."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (params.page - 1) * params.page_size
    rows = list(items[start : start + params.page_size]) if start < count else []
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "next": _page_url(request, params.page + 1) if start + params.page_size < count else None,
        "previous": _page_url(request, params.page - 1) if params.page > 1 else None,
        "results": [transform(row) for row in rows] if transform else rows,
    }
