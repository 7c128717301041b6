"""The import page, inline (``PARCOURS_IMPORT_IN_THREAD = False``): upload, check, report,
import, and the refusals (bad upload, bad file, one run at a time, late confirmation)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.imports import jobs
from parcours.imports.models import ImportJob, ImportStatus
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment
from parcours.people.models import Person

pytestmark = pytest.mark.django_db

HEADER = (
    "nom;prenom;date_naissance;sexe;email;telephone;code_postal;commune;code_qpv;"
    "niveau_diplome;prescripteur_type;prescripteur;plie;site;date_entree;date_sortie;"
    "sortie_type;sortie_duree_mois"
)
GOOD_ROWS = (
    "Importée;Léa;12/03/2001;F;lea.importee@example.org;;63000;Clermont-Ferrand;;3;"
    "mission_locale;Mission Locale Alpha;non;Site Alpha;05/09/2019;20/03/2020;cdi;",
    "Importé;Yanis;02/11/2000;M;;;63100;Clermont-Ferrand;;aucun;"
    "france_travail;Agence Nouvelle Importée;non;Site Alpha;07/10/2019;;;",
)
# The exit (row 2) is before the entry.
BAD_ROWS = (
    "Importée;Léa;12/03/2001;F;;;63000;Clermont-Ferrand;;3;"
    "mission_locale;Mission Locale Alpha;non;Site Alpha;05/09/2019;20/03/2019;cdi;",
)


def csv_file(rows, name="reprise.csv") -> SimpleUploadedFile:
    content = "\n".join((HEADER, *rows)).encode("utf-8") + b"\n"
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture(autouse=True)
def _inline(settings):
    settings.PARCOURS_IMPORT_IN_THREAD = False


def _home(world) -> str:
    return reverse("imports:home", args=[world.school.slug])


def _written(world) -> tuple[int, int, int]:
    school = world.school
    return (
        Person.objects.filter(school=school).count(),
        Enrolment.objects.filter(school=school).count(),
        Exit.objects.filter(enrolment__school=school).count(),
    )


def _media_files(settings) -> list:
    """The uploaded import files in storage (the world has other documents)."""
    root = settings.MEDIA_ROOT / "imports"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# ------------------------------------------------------------------------------ the full flow


def test_check_then_import_then_counts(world, settings):
    client = world.client_for("director")
    before = _written(world)

    response = client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[world.school.slug, job.pk])
    # Checked, nothing written, the file kept for the confirmation.
    assert job.status == ImportStatus.CHECKED
    assert job.original_name == "reprise.csv"
    assert job.created_by == world.members["director"].user
    assert job.report["rows"] == 2 and job.report["problem_count"] == 0
    assert job.report["people_created"] == 2
    assert job.report["enrolments_created"] == 2
    assert job.report["exits_created"] == 1
    assert job.report["prescribers_created"] == ["Agence Nouvelle Importée"]
    assert job.file and len(_media_files(settings)) == 1
    assert _written(world) == before
    assert AuditEvent.objects.filter(action="import_job.create", object_id=str(job.pk)).exists()

    page = client.get(response["Location"]).content.decode()
    assert "Le fichier est valide : 2 lignes vérifiées." in page
    assert "Importer ces 2 lignes" in page
    assert "Agence Nouvelle Importée" in page
    assert 'hx-trigger="every 1s"' not in page  # nothing to poll any more

    # The confirmation page (GET) then the import (POST).
    confirm = reverse("imports:job_import", args=[world.school.slug, job.pk])
    assert "Importer ces 2 lignes ?" in client.get(confirm).content.decode()
    response = client.post(confirm)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.finished_at is not None
    assert job.report["written"] is True
    assert not job.file and _media_files(settings) == []  # the file is gone
    assert _written(world) == (before[0] + 2, before[1] + 2, before[2] + 1)
    assert AuditEvent.objects.filter(action="import_job.confirm", object_id=str(job.pk)).exists()

    page = client.get(response["Location"]).content.decode()
    assert "Import terminé : 2 lignes importées." in page
    assert "Personnes créées" in page
    # The history lists it with its counts.
    home = client.get(_home(world)).content.decode()
    assert "importé" in home and "reprise.csv" in home

    # Re-importing the same file creates nothing twice.
    client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    again = ImportJob.objects.filter(school=world.school).latest("pk")
    assert again.status == ImportStatus.CHECKED
    assert again.report["people_matched"] == 2 and again.report["people_created"] == 0
    client.post(reverse("imports:job_import", args=[world.school.slug, again.pk]))
    assert _written(world) == (before[0] + 2, before[1] + 2, before[2] + 1)


def test_a_bad_file_shows_its_problems_and_writes_nothing(world, settings):
    client = world.client_for("director")
    before = _written(world)
    response = client.post(_home(world), {"file": csv_file(BAD_ROWS, "mauvais.csv")})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert job.status == ImportStatus.REFUSED
    assert job.report["problem_count"] >= 1
    problem = job.report["problems"][0]
    assert problem["row"] == 2 and problem["column"]
    assert _written(world) == before
    assert not job.file and _media_files(settings) == []

    page = client.get(response["Location"]).content.decode()
    assert "Le fichier est refusé" in page
    assert "Rien n'a été enregistré" in page
    assert f"<td>2</td><td><code>{problem['column']}</code></td>" in page
    assert "Importer ces" not in page
    # No confirmation is possible for a refused file.
    confirm = reverse("imports:job_import", args=[world.school.slug, job.pk])
    assert "Ce n'est pas possible" in client.get(confirm).content.decode()
    client.post(confirm)
    job.refresh_from_db()
    assert job.status == ImportStatus.REFUSED
    assert _written(world) == before


def test_many_problems_are_paginated(world):
    job = world.objects["import_job"]
    problems = [{"row": n, "column": "sexe", "message": f"Problème {n}"} for n in range(2, 252)]
    job.status = ImportStatus.REFUSED
    job.report = {"rows": 250, "problems": problems, "problem_count": 4000}
    job.save()
    client = world.client_for("director")
    url = reverse("imports:job", args=[world.school.slug, job.pk])
    page = client.get(url).content.decode()
    assert "Le fichier est refusé : 4000 problèmes." in page
    assert "Les 250 premiers problèmes sont listés." in page
    assert "Problème 101<" in page and "Problème 102<" not in page
    assert "Page 1 sur 3" in page
    assert "Problème 102<" in client.get(url, {"page": 2}).content.decode()


def test_the_service_failing_ends_the_job_with_a_french_message(world, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("Dupont Jean 12/03/2001")  # a message that must not reach the logs

    monkeypatch.setattr("parcours.imports.services.import_enrolments", broken)
    client = world.client_for("director")
    response = client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert job.status == ImportStatus.FAILED
    assert not job.file and _media_files(settings) == []
    page = client.get(response["Location"]).content.decode()
    assert "La vérification du fichier a échoué" in page


def test_a_busy_database_is_tried_again(world, monkeypatch):
    """SQLite says "database is locked" while another request writes: the run tries again (the
    import is one transaction); any other database error ends the job."""
    from django.db import OperationalError

    from parcours.imports import services

    real, calls = services.import_enrolments, []

    def busy_once(**kwargs):
        calls.append(kwargs["dry_run"])
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(services, "import_enrolments", busy_once)
    client = world.client_for("director")
    client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert calls == [True, True]
    assert job.status == ImportStatus.CHECKED

    def broken(**kwargs):
        raise OperationalError("no such table")

    monkeypatch.setattr(services, "import_enrolments", broken)
    client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert job.status == ImportStatus.FAILED


# ------------------------------------------------------------------------------ the upload


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("liste.txt", b"nom;prenom\n"),
            "Ce type de fichier n&#x27;est pas accepté",
        ),
        (SimpleUploadedFile("vide.csv", b""), "Le fichier est vide."),
        (None, "Choisissez le fichier à importer."),
    ],
)
def test_a_refused_upload_says_why_and_writes_nothing(world, settings, upload, message):
    client = world.client_for("director")
    jobs_before, events_before = ImportJob.objects.count(), AuditEvent.objects.count()
    response = client.post(_home(world), {"file": upload} if upload else {})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (ImportJob.objects.count(), AuditEvent.objects.count()) == (jobs_before, events_before)
    assert _media_files(settings) == []


def test_a_too_large_file_is_refused(world, settings, monkeypatch):
    monkeypatch.setattr("parcours.imports.forms.MAX_FILE_BYTES", 100)
    client = world.client_for("director")
    before = ImportJob.objects.count()
    response = client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    assert response.status_code == 400
    assert "Le fichier est trop volumineux (100\xa0octets au plus)." in response.content.decode()
    assert ImportJob.objects.count() == before and _media_files(settings) == []


def test_one_running_job_per_school(world, settings):
    running = ImportJob.objects.create(
        school=world.school, original_name="en-cours.csv", status=ImportStatus.IMPORTING
    )
    client = world.client_for("director")
    before = ImportJob.objects.count()
    response = client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    assert response.status_code == 400
    assert "Un import est déjà en cours pour l&#x27;école" in response.content.decode()
    assert ImportJob.objects.count() == before and _media_files(settings) == []
    # Another school is not held up.
    other = world.outsider
    assert other.school != running.school
    # An interrupted run does not block the school.
    ImportJob.objects.filter(pk=running.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert client.post(_home(world), {"file": csv_file(GOOD_ROWS)}).status_code == 302


def test_a_name_carrying_a_nir_is_not_kept(world):
    client = world.client_for("director")
    client.post(_home(world), {"file": csv_file(GOOD_ROWS, "1 85 05 78 006 084.csv")})
    assert ImportJob.objects.filter(school=world.school).latest("pk").original_name == "fichier.csv"


# ------------------------------------------------------------------------------ confirm, abandon


def test_a_check_older_than_a_day_cannot_be_imported(world):
    job = world.objects["import_job"]
    job.file.save("upload", SimpleUploadedFile("x.csv", b"x"), save=False)
    job.checked_at = timezone.now() - datetime.timedelta(hours=25)
    job.save()
    before = _written(world)
    client = world.client_for("director")
    url = reverse("imports:job_import", args=[world.school.slug, job.pk])
    response = client.post(url, follow=True)
    assert "la vérification date de plus de 24 heures" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert _written(world) == before
    assert not AuditEvent.objects.filter(action="import_job.confirm").exists()


def test_abandon_deletes_the_file(world, settings):
    client = world.client_for("director")
    client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert _media_files(settings)
    url = reverse("imports:job_abandon", args=[world.school.slug, job.pk])
    assert "Abandonner cet import ?" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "L&#x27;import est abandonné" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.ABANDONED and not job.file
    assert _media_files(settings) == []
    assert AuditEvent.objects.filter(action="import_job.abandon", object_id=str(job.pk)).exists()
    # Once abandoned, it cannot be imported nor abandoned again.
    client.post(reverse("imports:job_import", args=[world.school.slug, job.pk]))
    client.post(url)
    job.refresh_from_db()
    assert job.status == ImportStatus.ABANDONED
    assert AuditEvent.objects.filter(action="import_job.abandon").count() == 1


def test_an_interrupted_job_shows_so_and_can_be_restarted(world, settings):
    client = world.client_for("director")
    client.post(_home(world), {"file": csv_file(GOOD_ROWS)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    # The server stopped during the import: the job still says "import en cours".
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING,
        progress_done=1,
        progress_total=2,
        updated_at=timezone.now() - datetime.timedelta(minutes=20),
    )
    page = client.get(reverse("imports:job", args=[world.school.slug, job.pk])).content.decode()
    assert "interrompu" in page and "Relancer la vérification" in page
    assert 'hx-trigger="every 1s"' not in page
    assert "interrompu" in client.get(_home(world)).content.decode()

    client.post(reverse("imports:job_restart", args=[world.school.slug, job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED  # checked again from the start
    assert AuditEvent.objects.filter(action="import_job.restart", object_id=str(job.pk)).exists()
    # A job that is not interrupted cannot be restarted.
    url = reverse("imports:job_restart", args=[world.school.slug, job.pk])
    assert "Ce n'est pas possible" in client.get(url).content.decode()


# ------------------------------------------------------------------------------ progress


def test_the_progress_fragment_while_checking(world):
    job = world.objects["import_job"]
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.CHECKING, progress_done=400, progress_total=1000
    )
    client = world.client_for("director")
    url = reverse("imports:job_progress", args=[world.school.slug, job.pk])
    fragment = client.get(url).content.decode()
    assert '<progress class="import-progress" value="400" max="1000"' in fragment
    assert "40 % — 400 lignes sur 1000" in fragment
    assert f'hx-get="{url}" hx-trigger="every 1s" hx-swap="outerHTML"' in fragment
    assert "<html" not in fragment  # a fragment, not a page
    assert "style=" not in fragment and "<script" not in fragment

    # The import: the service counts two passes of the rows, reading then writing.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, progress_done=600, progress_total=2000
    )
    fragment = client.get(url).content.decode()
    assert "Import en cours" in fragment and "30 % — lecture et vérification" in fragment
    assert 'value="600" max="2000"' in fragment
    # Read: the service writes in its transaction. The bar has no value (indeterminate).
    ImportJob.objects.filter(pk=job.pk).update(progress_done=1000)
    fragment = client.get(url).content.decode()
    assert "Enregistrement… (2 lignes vérifiées)" in fragment
    assert '<progress class="import-progress" aria-labelledby' in fragment

    # Over: the fragment carries the report and stops the polling.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, report={**job.report, "written": True}
    )
    fragment = client.get(url).content.decode()
    assert "Import terminé" in fragment and "hx-trigger" not in fragment


def test_progress_is_saved_as_reported_but_not_inside_the_write_transaction(
    world, django_assert_num_queries
):
    """The service reports every 200 rows (tests/imports/test_import.py); the job saves each
    report, except those made inside the service's write transaction (nobody could see them)."""
    from django.db import transaction

    job = world.objects["import_job"]
    progress = jobs._Progress(job.pk)
    with django_assert_num_queries(3):
        for done in (0, 200, 250):
            progress(done, 500)
    with transaction.atomic(), django_assert_num_queries(0):
        progress(500, 500)
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total) == (250, 500)


# ------------------------------------------------------------------------------ the list


def test_the_list_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for n in range(30):
        ImportJob.objects.create(
            school=world.school,
            created_by=world.members["director"].user,
            original_name=f"fichier-{n}.csv",
            status=ImportStatus.DONE,
            report={"rows": 10, "people_created": 4, "enrolments_created": 10},
        )
    ImportJob.objects.create(school=world.other_school, original_name="beta-secret.csv")
    client = world.client_for("director")
    with django_assert_max_num_queries(12):
        response = client.get(_home(world))
    page = response.content.decode()
    assert "fichier-29.csv" in page and "beta-secret.csv" not in page


def test_empty_history(world):
    ImportJob.objects.filter(school=world.school).delete()
    page = world.client_for("director").get(_home(world)).content.decode()
    assert "Aucun import pour l'instant." in page
    assert "<code>date_naissance</code>" in page  # the column layout


def test_the_page_shows_the_writing_phase_whatever_the_row_count(world, monkeypatch):
    """250 rows (not a multiple of the service's 200-row step): when the service starts
    writing, the job's saved progress already says every row is read, so the page shows
    « Enregistrement… » (the review found it stuck at 40 %)."""
    import string

    from parcours.imports import services

    letters = string.ascii_uppercase
    rows = [
        f"Lot{letters[n // 26]}{letters[n % 26]};Léa;12/03/2001;F;;;63000;Clermont-Ferrand;;3;"
        "mission_locale;Mission Locale Alpha;non;Site Alpha;05/09/2019;;;"
        for n in range(250)
    ]
    client = world.client_for("director")
    client.post(_home(world), {"file": csv_file(rows)})
    job = ImportJob.objects.filter(school=world.school).latest("pk")
    assert job.status == ImportStatus.CHECKED, job.report

    seen = {}
    real_write = services._write

    def watching_write(**kwargs):
        seen["job"] = ImportJob.objects.get(pk=job.pk)  # what the polling page reads now
        return real_write(**kwargs)

    monkeypatch.setattr(services, "_write", watching_write)
    client.post(reverse("imports:job_import", args=[world.school.slug, job.pk]))
    during = seen["job"]
    assert (during.progress_done, during.progress_total) == (250, 500)
    assert during.saving
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
