"""Helpers to read exported spreadsheets back in tests (XLSX with openpyxl, CSV with csv)."""

from __future__ import annotations

import csv
import datetime
import io
from urllib.parse import urlencode

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.pathways import exports

XLSX = exports.CONTENT_TYPES[exports.Format.XLSX]


def url(name: str, slug: str = "e2c-alpha", **params) -> str:
    path = reverse(name, args=[slug])
    return f"{path}?{urlencode(params)}" if params else path


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def sheet(response):
    """The workbook's only sheet (the response must be an XLSX download)."""
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    return workbook.active


def xlsx_rows(response) -> list[tuple]:
    return list(sheet(response).iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def midnight(day: datetime.date) -> datetime.datetime:
    """How openpyxl reads a date cell back."""
    return datetime.datetime(day.year, day.month, day.day)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def query_count(client, address: str) -> int:
    """The queries of one export, the file written (the response streams a temporary file)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
        body(response)
    return len(queries)
