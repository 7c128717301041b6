"""The export views' shared calls in ``parcours.pathways.exports``: ``requested_format`` and
``download`` (file name, file, audit event). Each view's own tests cover its rows."""

from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext_lazy

from parcours.pathways import exports

from ..export_checks import csv_rows, events, xlsx_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, exports.Format.XLSX),
        ({"format": "csv"}, exports.Format.CSV),
        ({"format": " XLSX "}, exports.Format.XLSX),
        ({"format": "pdf"}, None),
    ],
)
def test_requested_format(query, expected):
    assert exports.requested_format(RequestFactory().get("/", query)) == expected


def _request(world, address: str = "10.1.2.3"):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.membership = world.members["director"]
    return request


def test_download_names_writes_and_audits_the_file(world):
    response = exports.download(
        _request(world),
        fmt=exports.Format.CSV,
        headers=[gettext_lazy("Nom"), gettext_lazy("Entrée")],
        rows=[("=1+1", datetime.date(2026, 11, 27)), ("Dupont", None)],
        stem="essai",
        sheet_title="Essai",
        action="export.trainees",
        filters={"site": 3},
        day=datetime.date(2026, 11, 27),
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="essai-e2c-alpha-2026-11-27.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    assert csv_rows(response) == [["Nom", "Entrée"], ["'=1+1", "27/11/2026"], ["Dupont", ""]]
    [event] = events("export.trainees")
    assert event.actor == world.members["director"].user
    assert event.school == world.school
    assert event.changes == {"rows": 2, "format": "csv", "filters": {"site": 3}}
    assert event.ip_address == "10.1.2.3"


def test_download_puts_the_detail_after_the_school_and_defaults_to_today(world):
    response = exports.download(
        _request(world),
        fmt=exports.Format.XLSX,
        headers=["Mois"],
        rows=[("Mars",)],
        stem="assiduite",
        detail="2024-03",
        sheet_title="Assiduité",
        action="export.attendance_rates",
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="assiduite-e2c-alpha-2024-03-{today}.xlsx"'
    )
    assert xlsx_rows(response) == [("Mois",), ("Mars",)]
    assert events("export.attendance_rates")[-1].changes["filters"] == {}
