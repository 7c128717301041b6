"""The subject access export: every holding of the inventory, restricted sections included,
one query per holding, audited downloads (format only)."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.pathways.models import Meeting
from parcours.people.subject_access import build_export
from parcours.privacy.inventory import HOLDINGS

from .rich_person import complete_holdings, mark_free_text

pytestmark = pytest.mark.django_db


def _url(world, name: str, person) -> str:
    return reverse(f"people:{name}", args=[world.school.slug, person.pk])


def _download_json(world, person) -> dict:
    response = world.client_for("director").get(_url(world, "export_json", person))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert (
        response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    )
    return json.loads(response.content)


def test_every_holding_has_rows_and_every_marker_is_exported(world):
    complete_holdings(world)
    person = world.objects["trainee_person"]
    markers = mark_free_text(person)
    data = _download_json(world, person)
    sections = {section["model"]: section for section in data["sections"]}
    assert set(sections) == {h.model for h in HOLDINGS}
    # The person built here has rows in every holding: a holding the exporter forgot fails.
    empty = [h.model for h in HOLDINGS if sections[h.model]["count"] == 0]
    assert empty == []
    for holding in HOLDINGS:
        assert sections[holding.model]["count"] == holding.queryset_for(person.pk).count()
        assert sections[holding.model]["title"] == holding.label
    body = json.dumps(data, ensure_ascii=False)
    missing = {m: where for m, where in markers.items() if m not in body}
    assert missing == {}
    # French field names, foreign keys as label + id, files by name and size
    person_row = sections["people.Person"]["rows"][0]
    labels = {f["label"] for f in person_row["fields"]}
    assert {"nom", "prénom", "date de naissance"} <= labels
    meeting_fields = {f["name"]: f for f in sections["pathways.Meeting"]["rows"][0]["fields"]}
    enrolment = meeting_fields["enrolment"]["value"]
    assert enrolment["id"] == world.objects["enrolment"].pk and enrolment["label"]
    document = next(
        f["value"]
        for f in sections["pathways.Document"]["rows"][0]["fields"]
        if f["name"] == "file"
    )
    assert document["name"] and document["size"] > 0
    # no secret token (private links) in the export
    # Every token-like field of every holding, listed in the inventory or not.
    secret_names = {
        h.model: {
            f.name
            for f in h.model_class._meta.concrete_fields
            if f.name in h.tokens or any(w in f.name for w in ("token", "hash", "secret"))
        }
        for h in HOLDINGS
    }
    tokens = [
        getattr(row, name)
        for h in HOLDINGS
        for name in secret_names[h.model]
        for row in h.queryset_for(person.pk)
    ]
    assert len([t for t in tokens if t]) >= 3  # registration, calendar feed, tutor link…
    assert not any(str(t) in body for t in tokens if t)


def test_restricted_sections_and_reads_are_in_the_export(world):
    person = world.objects["trainee_person"]
    enrolment = world.objects["enrolment"]
    # the referent reads the trainee page with its restricted content: audited
    world.client_for("referent").get(
        reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    )
    data = _download_json(world, person)
    body = json.dumps(data, ensure_ascii=False)
    assert "SECRET-SANTE" in body and "SECRET-CONFIDENTIEL" in body
    assert any(read["section"] == "trainee_page" for read in data["restricted_reads"])


def test_downloads_are_audited_without_personal_data(world):
    person = world.objects["trainee_person"]
    client = world.client_for("director")
    client.get(_url(world, "export_json", person))
    client.get(_url(world, "export_pdf", person))
    events = list(AuditEvent.objects.filter(action="subject_access.export").order_by("pk"))
    assert [e.changes for e in events] == [{"format": "json"}, {"format": "pdf"}]
    for event in events:
        assert event.object_id == str(person.pk)
        assert person.last_name not in event.object_repr


def test_pdf_is_readable(world):
    person = world.objects["trainee_person"]
    response = world.client_for("director").get(_url(world, "export_pdf", person))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert person.full_name in text
    assert "Entretiens de suivi" in text and "Point d'étape" in text
    assert "Document généré le" in text


@pytest.mark.parametrize("who", ["referent", "intake", "funder", "prescriber"])
def test_export_needs_manage_privacy(world, who):
    person = world.objects["trainee_person"]
    assert world.client_for(who).get(_url(world, "export_json", person)).status_code == 403
    assert not AuditEvent.objects.filter(action="subject_access.export").exists()


def test_one_query_per_holding(world):
    person = world.objects["trainee_person"]
    enrolment = world.objects["enrolment"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_export(person, generated_by="test")
        return len(queries)

    few = count()
    for day in range(1, 8):
        Meeting.objects.create(
            school=world.school,
            enrolment=enrolment,
            held_on=enrolment.entry_date.replace(day=day + 6),
            kind="follow_up",
            summary="Encore un entretien.",
            author=world.members["referent"].user,
        )
    assert count() == few
    assert few <= len(HOLDINGS) + 2


def test_exports_are_rate_limited(world, monkeypatch):
    from django.core.cache import cache

    from parcours.people import views_rights

    cache.clear()
    monkeypatch.setattr(views_rights, "EXPORT_LIMIT", 2)
    person = world.objects["trainee_person"]
    client = world.client_for("director")
    assert client.get(_url(world, "export_json", person)).status_code == 200
    assert client.get(_url(world, "export_json", person)).status_code == 200
    response = client.get(_url(world, "export_pdf", person))
    assert response.status_code == 429
    assert "Trop d'exports de données personnelles" in response.content.decode()
    assert AuditEvent.objects.filter(action="subject_access.export").count() == 2
    refused = AuditEvent.objects.get(action="subject_access.rate_limited")
    assert refused.changes == {"format": "pdf"}
    cache.clear()
