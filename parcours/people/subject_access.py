"""Subject access (GDPR art. 15): everything Parcours holds about one person.

The sections come from the inventory of personal data (``parcours.privacy.inventory``): one
section per holding, one query per holding (foreign keys joined), so a model added to the
inventory is exported without touching this module. Restricted sections (health support,
confidential meetings, documents) are included: the export is for the person themself.

Each row lists every concrete field with its French name and value: a choice by its label, a
foreign key as ``{"id", "label"}``, a file by name and size. Secret tokens (private links) are
left out — they are credentials, not information about the person. The export also lists the
reads of the person's restricted content recorded in the audit trail (who read what, when).
"""

from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.privacy.inventory import HOLDINGS, Holding

from .models import Person

FORMAT = "parcours.subject-access/1"


@dataclass
class Section:
    model: str
    title: str
    rows: list[dict[str, Any]]


class _NoQuery(Exception):
    pass


def _refuse_queries(execute, sql, params, many, context):
    raise _NoQuery


def _label(obj: models.Model, field: models.Field, unlabelled: set[str]) -> str:
    """A readable label of a related record, without any query: its ``__str__`` when that
    needs nothing beyond what was joined, else its kind and number.

    ``unlabelled`` holds the fields of the section whose ``__str__`` needed a query: their
    related records all have the same shape, so the next rows go to the fallback at once —
    the attempt (refused, but logged like any query) happens once per field, not per row."""
    if field.name not in unlabelled:
        try:
            with connection.execute_wrapper(_refuse_queries):
                if hasattr(obj, "get_full_name") and callable(obj.get_full_name):
                    return obj.get_full_name() or str(obj.pk)
                return str(obj)
        except _NoQuery:
            unlabelled.add(field.name)
    return f"{obj._meta.verbose_name} n° {obj.pk}"


def _value(row: models.Model, field: models.Field, unlabelled: set[str]) -> Any:
    if field.is_relation:
        related_id = getattr(row, field.attname)
        if related_id is None:
            return None
        return {"id": related_id, "label": _label(getattr(row, field.name), field, unlabelled)}
    value = getattr(row, field.attname)
    if isinstance(field, models.FileField):
        return _file(value)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _file(value) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        size = value.size
    except (OSError, ValueError):
        size = None
    return {"name": value.name.rsplit("/", 1)[-1], "size": size}


#: Secret fields (private links' tokens and their hashes): credentials, never exported, whether
#: or not the inventory lists them in ``tokens``.
SECRET_FIELD = re.compile(r"(^|_)(token|hash|key|secret)($|_)")


def _fields(holding: Holding) -> list[models.Field]:
    model = holding.model_class
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in holding.tokens and not SECRET_FIELD.search(f.name)
    ]


def _joins(fields: list[models.Field]) -> list[str]:
    """Foreign keys to join, two levels deep, so most labels need no query of their own."""
    joins = []
    for field in fields:
        if not field.is_relation or field.many_to_many:
            continue
        joins.append(field.name)
        for sub in field.related_model._meta.concrete_fields:
            if sub.is_relation and not sub.many_to_many:
                joins.append(f"{field.name}__{sub.name}")
    return joins


def _section(holding: Holding, person_id: int) -> Section:
    fields = _fields(holding)
    queryset = holding.queryset_for(person_id).select_related(*_joins(fields)).order_by("pk")
    rows, unlabelled = [], set()
    for row in queryset:
        rows.append(
            {
                "id": row.pk,
                "fields": [
                    {
                        "name": f.name,
                        "label": str(f.verbose_name),
                        "value": _value(row, f, unlabelled),
                    }
                    for f in fields
                ],
            }
        )
    return Section(model=holding.model, title=holding.label, rows=rows)


def restricted_reads(enrolment_ids: list[int]) -> list[dict[str, Any]]:
    """Reads of the person's restricted content recorded in the audit trail (one query)."""
    if not enrolment_ids:
        return []
    events = (
        AuditEvent.objects.filter(action__startswith="restricted.read.")
        .filter(
            Q(object_type="pathways.enrolment", object_id__in=[str(i) for i in enrolment_ids])
            | Q(changes__enrolment__in=enrolment_ids)
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return [
        {
            "at": timezone.localtime(event.created_at).isoformat(),
            "by": event.actor.get_full_name() if event.actor else "",
            "section": event.action.removeprefix("restricted.read."),
            "record": event.object_repr,
        }
        for event in events
    ]


def build_export(
    person: Person, *, generated_by: str, now: datetime.datetime | None = None
) -> dict:
    """The whole export as JSON-ready data (one query per holding, plus the audit reads)."""
    now = now or timezone.now()
    sections = [_section(holding, person.pk) for holding in HOLDINGS]
    enrolment_ids = [
        row["id"]
        for section in sections
        if section.model == "pathways.Enrolment"
        for row in section.rows
    ]
    return {
        "format": FORMAT,
        "generated_at": timezone.localtime(now).isoformat(),
        "generated_by": generated_by,
        "school": person.school.name,
        "person": {"id": person.pk, "name": person.full_name},
        "sections": [
            {"model": s.model, "title": s.title, "count": len(s.rows), "rows": s.rows}
            for s in sections
        ],
        "restricted_reads": restricted_reads(enrolment_ids),
    }


def display(value: Any) -> str:
    """A JSON value as the PDF shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dict):
        if "label" in value:
            return f"{value['label']} (n° {value['id']})"
        if "size" in value:
            size = value["size"]
            return f"{value['name']} ({size} octets)" if size is not None else value["name"]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, list | dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


#: Fields the PDF leaves out (they are in the JSON): the row's id and the school.
PDF_HIDDEN = {"id", "school"}
#: Up to this many fields, a section is one table with a column per field (compact for long
#: lists such as attendance); beyond, each record is a block of "field: value" lines.
PDF_MAX_COLUMNS = 8


def for_pdf(export: dict) -> list[dict]:
    """The sections with values ready to print (one table per section)."""
    sections = []
    for section in export["sections"]:
        rows = [
            [
                (f["label"], display(f["value"]))
                for f in row["fields"]
                if f["name"] not in PDF_HIDDEN
            ]
            for row in section["rows"]
        ]
        columns = [label for label, _value in rows[0]] if rows else []
        sections.append(
            {
                "title": section["title"],
                "count": section["count"],
                "columns": columns if len(columns) <= PDF_MAX_COLUMNS else None,
                "rows": rows,
            }
        )
    return sections


def reads_for_pdf(export: dict) -> list[dict]:
    return [
        {**read, "at": datetime.datetime.fromisoformat(read["at"]).strftime("%d/%m/%Y %H:%M")}
        for read in export["restricted_reads"]
    ]
