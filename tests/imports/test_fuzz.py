"""Whatever the cells hold, the import answers with a report (never an exception): the page
runs it in the background and must show its problems, not an error page."""

from __future__ import annotations

import datetime
import random

import pytest

from parcours.imports.columns import NAMES
from parcours.imports.services import import_enrolments

from .conftest import counts, csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db

ODD = [
    "", " ", "0", "-1", "1e400", "NaN", "31/12/9999", "00/00/0000", "1/1/1", "2021-13-45",
    "29/02/2023", "29/02/2024", "9" * 40, "é" * 300, "\u202e\u200b", "=1+1", "\"quoted\"",
    "oui", "non", "F", "M", "cdi", "spontane", "5+", "QN06301M", "06 12 34 56 78", "+33 6",
    "a@b", "x" * 5000, "Site Alpha", "06/09/2021", "18/03/2022", "1 85 05 78 006 084 36",
]  # fmt: skip


def _cells(rng: random.Random, xlsx: bool) -> dict:
    values = {}
    for name in NAMES:
        choice = rng.random()
        if choice < 0.5:
            values[name] = row()[name]
        elif xlsx and choice < 0.6:
            values[name] = rng.choice(
                [3.5, -2, 10**12, True, datetime.date(1899, 12, 31), datetime.datetime(2050, 1, 1)]
            )
        else:
            values[name] = rng.choice(ODD)
    return values


@pytest.mark.parametrize("xlsx", [False, True])
def test_random_cells_give_a_report(setup, xlsx):
    rng = random.Random(1111 + xlsx)
    rows = [_cells(rng, xlsx) for _ in range(300)]
    data = xlsx_bytes(rows) if xlsx else csv_bytes(rows)
    before = counts()
    report = import_enrolments(
        school=setup.school,
        actor=None,
        data=data,
        filename="fuzz.xlsx" if xlsx else "fuzz.csv",
    )
    assert not report.ok and not report.written
    assert counts() == before
    assert all(p.row is not None and 2 <= p.row <= 301 for p in report.problems)
    assert all(p.message for p in report.problems)


def test_random_bytes_inside_a_valid_file(setup):
    rng = random.Random(7)
    data = bytearray(csv_bytes([row() for _ in range(50)]))
    for _ in range(40):
        data[rng.randrange(len(data))] = rng.randrange(256)
    before = counts()
    report = import_enrolments(school=setup.school, actor=None, data=bytes(data), filename="a.csv")
    assert report.problems and not report.written
    assert counts() == before
