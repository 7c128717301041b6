"""Reading back the product's exports in tests: XLSX cells, CSV rows, query counts."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext


def body(response) -> bytes:
    """The downloaded file (read once: a streaming response cannot be read twice)."""
    if not hasattr(response, "_export_body"):
        response._export_body = b"".join(response.streaming_content)
    return response._export_body


def xlsx_rows(response) -> list[tuple]:
    """Every row of the workbook's sheet, header first (empty cells read back as None)."""
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    return list(workbook.active.iter_rows(values_only=True))


def xlsx_sheet(response):
    return openpyxl.load_workbook(io.BytesIO(body(response))).active


def csv_rows(response) -> list[list[str]]:
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for French Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def all_text(response) -> str:
    """Every cell of an XLSX export as one string (for "never carries X" assertions)."""
    return "\n".join(str(cell) for row in xlsx_rows(response) for cell in row if cell is not None)


def midnight(day: datetime.date) -> datetime.datetime:
    """How openpyxl reads a date cell back."""
    return datetime.datetime(day.year, day.month, day.day)


def queries_for(client, url: str) -> int:
    """The number of queries a download runs, its body read to the end."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        body(response)
    return len(queries)
