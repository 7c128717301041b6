"""The demo's import history: one finished import whose counts are the school's 2019 entries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.demo.imports_history import FILENAME, build_imports, delete_imports
from parcours.imports.models import ImportJob, ImportStatus
from parcours.pathways.models import Enrolment

pytestmark = pytest.mark.django_db


def test_the_demo_records_one_finished_import(world):
    Enrolment.objects.filter(school=world.school).update(entry_date=datetime.date(2019, 9, 2))
    entries = Enrolment.objects.filter(school=world.school).count()
    assert entries
    before = ImportJob.objects.count()
    job = build_imports(world.school, world.members["director"])
    assert ImportJob.objects.count() == before + 1
    assert job.status == ImportStatus.DONE and not job.file
    assert job.report["rows"] == job.report["enrolments_created"] == entries
    assert job.created_at.year == 2020
    page = world.client_for("director").get(reverse("imports:home", args=[world.school.slug]))
    assert FILENAME in page.content.decode()
    delete_imports([world.school.pk])
    assert not ImportJob.objects.filter(school=world.school).exists()
