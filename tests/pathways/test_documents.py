"""Documents of an enrolment: list, upload (size and content checks), download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from parcours.audit.models import AuditEvent
from parcours.pathways import services
from parcours.pathways.forms.documents import DocumentForm, SizeLimitUploadHandler
from parcours.pathways.models import Document

from ..utils import login_client, page_text
from .follow_up_helpers import MAY_NOT_READ, MAY_READ, client_as, counts, member, url
from .world import PDF_BYTES

pytestmark = pytest.mark.django_db

SECRET = "SECRET-DOC-SANTE"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 512
TOO_BIG = "Le fichier dépasse la taille maximale de 10 Mo"


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def _upload(name: str = "attestation.pdf", content: bytes = PDF_BYTES, **changes) -> dict:
    data = {
        "kind": "certificate",
        "title": "Attestation de sécurité routière",
        "document_date": "2024-03-01",
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# -------------------------------------------------------------------------------- list


@pytest.mark.parametrize("who", MAY_READ)
def test_health_documents_are_listed_for_who_may_read_and_the_read_is_audited(world, who):
    response = client_as(world, who).get(url(world, "documents"))
    assert response.status_code == 200
    text = page_text(response)
    assert SECRET in text
    assert "CV de Léa" in text
    event = AuditEvent.objects.get(action="restricted.read.documents")
    assert event.actor == member(world, who).user


@pytest.mark.parametrize("who", MAY_NOT_READ)
def test_health_documents_are_absent_for_the_others(world, who):
    response = client_as(world, who).get(url(world, "documents"))
    assert response.status_code == 200
    text = page_text(response)
    assert SECRET not in text
    assert "Document de santé" not in text
    assert "CV de Léa" in text
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


def test_list_shows_type_title_date_uploader_and_size(world):
    document = world.objects["document"]
    text = page_text(client_as(world, "intake").get(url(world, "documents")))
    assert "CV" in text and "CV de Léa" in text
    assert world.members["referent"].user.get_full_name() in text
    assert f"{document.size} octets" in text
    assert url(world, "document_download", document.pk) in text


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_get_403_on_documents(world, who):
    assert client_as(world, who).get(url(world, "documents")).status_code == 403


def test_outsider_and_another_school_enrolment_get_404(world):
    assert client_as(world, "outsider").get(url(world, "documents")).status_code == 404
    response = client_as(world, "director").get(url(world, "documents", other=True))
    assert response.status_code == 404


def test_document_list_runs_a_constant_number_of_queries(world):
    client = client_as(world, "referent")
    client.get(url(world, "documents"))
    with CaptureQueriesContext(connection) as few:
        client.get(url(world, "documents"))
    for index in range(25):
        services.upload_document(
            membership=world.members["referent"],
            enrolment=world.objects["enrolment"],
            uploaded=SimpleUploadedFile(f"doc{index}.pdf", PDF_BYTES),
            kind=["cv", "health", "other"][index % 3],
            title=f"Document {index}",
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(world, "documents")).status_code == 200
    assert len(many) == len(few)


# ------------------------------------------------------------------------------ upload


@pytest.mark.parametrize("who", ["referent", "director"])
def test_upload_a_document(world, who):
    client = client_as(world, who)
    assert client.get(url(world, "document_upload")).status_code == 200
    files_before = _media_files()
    response = client.post(url(world, "document_upload"), _upload())
    assert response.status_code == 302
    assert response["Location"] == url(world, "documents")
    document = Document.objects.latest("id")
    assert document.enrolment == world.objects["enrolment"]
    assert document.original_name == "attestation.pdf"
    assert document.content_type == "application/pdf" and document.size == len(PDF_BYTES)
    assert document.uploaded_by == member(world, who).user
    assert len(_media_files() - files_before) == 1
    assert AuditEvent.objects.latest("id").action == "document.create"
    assert "est déposé" in page_text(client.get(response["Location"]))


def test_upload_a_png_without_title_takes_the_file_name(world):
    response = client_as(world, "referent").post(
        url(world, "document_upload"),
        _upload(name="photo.png", content=PNG_BYTES, title="", document_date="", kind="identity"),
    )
    assert response.status_code == 302
    document = Document.objects.latest("id")
    assert document.title == "photo.png" and document.content_type == "image/png"


@pytest.mark.parametrize("who", ["intake", "company_relations", "prescriber", "funder"])
def test_upload_is_403_without_manage_pathway(world, who):
    client = client_as(world, who)
    files_before, before = _media_files(), counts()
    assert client.get(url(world, "document_upload")).status_code == 403
    assert client.post(url(world, "document_upload"), _upload()).status_code == 403
    assert counts() == before and _media_files() == files_before


def test_upload_is_404_for_an_outsider_or_another_school_enrolment(world):
    before = counts()
    outsider = client_as(world, "outsider")
    assert outsider.post(url(world, "document_upload"), _upload()).status_code == 404
    response = client_as(world, "director").post(
        url(world, "document_upload", other=True), _upload()
    )
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        # An executable renamed "cv.pdf": refused by its content, not its name.
        (
            {"file": SimpleUploadedFile("cv.pdf", EXE_BYTES, "application/pdf")},
            "Le contenu du fichier ne correspond pas à son extension « .pdf ».",
        ),
        (
            {"file": SimpleUploadedFile("setup.exe", EXE_BYTES)},
            "Type de fichier refusé : seuls les PDF, JPEG, PNG, DOCX et ODT sont acceptés.",
        ),
        (
            {"file": SimpleUploadedFile("photo.jpg", PDF_BYTES)},
            "Le contenu du fichier ne correspond pas à son extension « .jpg ».",
        ),
        ({"file": SimpleUploadedFile("vide.pdf", b"")}, "Le fichier est vide."),
        ({"file": None}, "Choisissez le fichier à déposer."),
        ({"kind": None}, "Ce champ est obligatoire."),
        ({"kind": "malware"}, "Choisissez un type de document de la liste."),
        ({"title": "x" * 201}, "au plus 200 caractères"),
        ({"document_date": "2999-01-01"}, "La date du document ne peut pas être dans le futur."),
        ({"document_date": "hier"}, "Saisissez une date valide."),
    ],
)
def test_bad_upload_gives_a_french_message_and_writes_nothing(world, changes, message):
    client = client_as(world, "referent")
    files_before, before = _media_files(), counts()
    response = client.post(url(world, "document_upload"), _upload(**changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before
    assert _media_files() == files_before


def test_an_11_mb_upload_is_refused_in_french_and_writes_nothing(world):
    client = client_as(world, "referent")
    files_before, before = _media_files(), counts()
    big = PDF_BYTES + b"0" * (11 * 1024 * 1024)
    response = client.post(url(world, "document_upload"), _upload(name="gros.pdf", content=big))
    assert response.status_code == 400
    assert TOO_BIG in page_text(response)
    assert counts() == before
    assert _media_files() == files_before


def test_a_huge_upload_is_dropped_while_it_streams(world, monkeypatch):
    """A file over the limit is skipped by the upload handler as soon as it passes the limit,
    so a 200 MB upload never lands in memory or on disk: simulated with a 1 kB limit."""
    monkeypatch.setattr(services, "MAX_DOCUMENT_BYTES", 1024)
    client = client_as(world, "referent")
    before = counts()
    response = client.post(
        url(world, "document_upload"), _upload(content=PDF_BYTES + b"0" * 200_000)
    )
    assert response.status_code == 400
    assert "dépasse la taille maximale" in page_text(response)
    assert counts() == before
    # The form field stays on the page (the other fields keep their values).
    assert 'value="Attestation de sécurité routière"' in response.content.decode()


def test_the_upload_handler_skips_past_the_limit():
    request = RequestFactory().post("/")
    handler = SizeLimitUploadHandler(request, max_bytes=100)
    handler.new_file("file", "gros.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 60, 0) == b"x" * 60
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 60, 60)
    assert request.oversize_uploads == {"file"}


def test_the_form_checks_the_size_before_reading_the_content():
    """An oversized file is refused on its size alone (its bytes are never read)."""

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("content read")

    uploaded = Unreadable("gros.pdf", b"")
    uploaded.size = 200 * 1024 * 1024
    form = DocumentForm(
        {"kind": "cv", "title": "", "document_date": ""},
        {"file": uploaded},
        may_read_restricted=True,
    )
    assert not form.is_valid()
    assert TOO_BIG in form.errors["file"][0]


def test_health_document_type_is_neither_offered_nor_accepted_for_another_referent(world):
    client = client_as(world, "other_referent")
    assert 'value="health"' not in client.get(url(world, "document_upload")).content.decode()
    before = counts()
    response = client.post(url(world, "document_upload"), _upload(kind="health"))
    assert response.status_code == 400
    assert "Choisissez un type de document de la liste." in page_text(response)
    assert counts() == before


def test_health_document_upload_by_the_referent(world):
    client = client_as(world, "referent")
    assert 'value="health"' in client.get(url(world, "document_upload")).content.decode()
    assert client.post(url(world, "document_upload"), _upload(kind="health")).status_code == 302
    assert Document.objects.latest("id").kind == "health"


def test_upload_keeps_csrf_protection(world):
    client = Client(enforce_csrf_checks=True)
    login_client(client, world.members["referent"].user)
    before = counts()
    assert client.post(url(world, "document_upload"), _upload()).status_code == 403
    assert counts() == before
    page = client.get(url(world, "document_upload"))
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        url(world, "document_upload"), {**_upload(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


# ---------------------------------------------------------------------------- download


@pytest.mark.parametrize("who", ["referent", "director", "intake", "company_relations"])
def test_download_a_document(world, who):
    document = world.objects["document"]
    response = client_as(world, who).get(url(world, "document_download", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="cv.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="document.download")
    assert event.actor == member(world, who).user and event.object_id == str(document.pk)
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()


@pytest.mark.parametrize("who", MAY_READ)
def test_health_document_download_is_a_restricted_read(world, who):
    document = world.objects["health_document"]
    response = client_as(world, who).get(url(world, "document_download", document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    event = AuditEvent.objects.get(action="restricted.read.document")
    assert event.actor == member(world, who).user
    assert event.object_type == "pathways.document" and event.object_id == str(document.pk)


@pytest.mark.parametrize("who", MAY_NOT_READ)
def test_health_document_download_is_404_for_the_others(world, who):
    document = world.objects["health_document"]
    response = client_as(world, who).get(url(world, "document_download", document.pk))
    assert response.status_code == 404
    assert SECRET not in page_text(response)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_get_403_on_downloads(world, who):
    document = world.objects["document"]
    assert (
        client_as(world, who).get(url(world, "document_download", document.pk)).status_code == 403
    )


def test_download_of_another_school_document_or_by_an_outsider_is_404(world):
    foreign = world.others["document"]
    response = client_as(world, "director").get(url(world, "document_download", foreign.pk))
    assert response.status_code == 404
    mine = world.objects["document"]
    response = client_as(world, "outsider").get(url(world, "document_download", mine.pk))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="document.download").exists()


def test_missing_file_is_a_404_not_a_500(world):
    document = world.objects["document"]
    document.file.storage.delete(document.file.name)
    response = client_as(world, "referent").get(url(world, "document_download", document.pk))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="document.download").exists()
