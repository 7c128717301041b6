"""Reading the product's exports back in tests: the download, its XLSX cells or CSV rows, its
audit events and the queries it runs. Every export test uses these (one copy)."""

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

from .utils import page_text

XLSX = exports.CONTENT_TYPES[exports.Format.XLSX]


def url(name: str, *args, slug: str = "e2c-alpha", **params) -> str:
    """The URL ``name`` of the school ``slug`` (then ``args``), ``params`` as its query string."""
    path = reverse(name, args=[slug, *args])
    return f"{path}?{urlencode(params)}" if params else path


def body(response) -> bytes:
    """The downloaded file (kept on the response: a streaming response is read only once)."""
    if not hasattr(response, "_export_body"):
        response._export_body = b"".join(response.streaming_content)
    return response._export_body


def workbook(response):
    """The downloaded workbook (the response must be an XLSX download)."""
    assert response.status_code == 200, page_text(response)
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def xlsx_sheet(response, name: str | None = None):
    """The sheet ``name`` of the downloaded workbook (its active sheet by default)."""
    book = workbook(response)
    return book[name] if name else book.active


def xlsx_rows(response, sheet: str | None = None) -> list[tuple]:
    """Every row of a sheet, header first (empty cells read back as None)."""
    return list(xlsx_sheet(response, sheet).iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    """Every row of a CSV download, header first."""
    assert response.status_code == 200, page_text(response)
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for French Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def all_text(response) -> str:
    """Every cell of an XLSX export as one string (for "never carries X" assertions)."""
    return "\n".join(str(cell) for row in xlsx_rows(response) for cell in row if cell is not None)


def midnight(day: datetime.date) -> datetime.datetime:
    """How openpyxl reads a date cell back."""
    return datetime.datetime(day.year, day.month, day.day)


def events(action: str) -> list[AuditEvent]:
    """The audit events ``action``, oldest first."""
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def query_count(client, address: str) -> int:
    """The queries of one export, the file written (the response streams a temporary file)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
        body(response)
    return len(queries)


def member_name(membership) -> str:
    """How the lists and exports name a member: full name, or e-mail without one."""
    return membership.user.get_full_name() or membership.user.email
