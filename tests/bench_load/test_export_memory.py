"""The XLSX memory measurement on a small dataset: sane figures, and the trail left as it was."""

from __future__ import annotations

import export_memory
import pytest
from openpyxl import load_workbook

from parcours.audit.models import AuditEvent


def _sane(result: dict, rows: int) -> None:
    assert result["rows"] >= rows
    assert result["bytes"] > 1000
    assert result["seconds"] >= 0
    assert result["cpu_seconds"] >= 0
    assert 10 < result["peak_rss_mb"] < 2000
    assert result["rss_before_mb"] is None or result["rss_before_mb"] <= result["peak_rss_mb"]
    assert result["met"] is (result["peak_rss_mb"] <= 500)
    assert result["target_peak_mb"] == 500


@pytest.mark.django_db  # closing the download sends request_finished (connections checked)
def test_writer_measurement():
    result = export_memory.measure_writer(300)
    _sane(result, 300)
    assert result["rows"] == 300


@pytest.mark.django_db
def test_audit_trail_measurement_rolls_its_rows_back(world):
    before = AuditEvent.objects.count()
    result = export_memory.measure_audit_trail(250)
    _sane(result, 250)
    assert world.school.slug in result["export"]
    assert AuditEvent.objects.count() == before  # rolled back, the export's own event too


@pytest.mark.django_db
def test_filled_trail_is_what_the_export_reads(world, tmp_path):
    """The rows added look like real events and come out of the export one per line."""
    from django.db import transaction
    from django.urls import reverse

    from tests.utils import login_client

    director = world.members["director"]
    with transaction.atomic():
        before = AuditEvent.objects.filter(school=world.school).count()
        export_memory.fill_trail(director, 120)
        assert AuditEvent.objects.filter(school=world.school).count() == before + 120
        client = login_client(world.client_for("anonymous"), director.user)
        response = client.get(reverse("audit:trail_export", args=[world.school.slug]))
        path = tmp_path / "trail.xlsx"
        path.write_bytes(b"".join(response.streaming_content))
        sheet = load_workbook(path, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 1 + before + 120
        assert rows[0][0] == "Date"
        assert sum(1 for row in rows if row[3] == "phase.move") >= 20
        transaction.set_rollback(True)


def test_table():
    row = {
        "export": "writer",
        "rows": 100000,
        "seconds": 12.0,
        "cpu_seconds": 11.0,
        "bytes": 4_900_000,
        "rss_before_mb": 74.0,
        "peak_rss_mb": 87.0,
        "peak_growth_mb": 13.0,
        "met": True,
    }
    table = export_memory.format_table(
        {"rows": 100000, "target_peak_mb": 500.0, "exports": {"writer": row}}
    )
    assert "XLSX export of 100000 rows: peak memory ≤ 500 MB" in table
    assert "87 MB" in table
    assert "MET" in table
