"""Every read of a restricted section, and every document download, is audited with the
client address: the trainee page with health content, the health support actions, a
confidential meeting's notes, the documents list with a health document, each download."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent

ADDRESS = "198.51.100.23"


def _get(world, who, name, *args):
    client = world.client_for(who)
    return client.get(reverse(name, args=["e2c-alpha", *args]), REMOTE_ADDR=ADDRESS)


def _only_event(world, who, action):
    event = AuditEvent.objects.get(action=action)
    assert event.actor == world.members[who].user
    assert event.school == world.school
    assert event.ip_address == ADDRESS
    assert event.object_id
    return event


@pytest.mark.parametrize(
    ("name", "extra", "action"),
    [
        ("pathways:trainee", (), "restricted.read.trainee_page"),
        ("pathways:support", (), "restricted.read.support"),
        ("pathways:documents", (), "restricted.read.documents"),
    ],
)
def test_restricted_sections_are_audited_for_the_referent(world, name, extra, action):
    enrolment = world.objects["enrolment"]
    assert _get(world, "referent", name, enrolment.pk, *extra).status_code == 200
    event = _only_event(world, "referent", action)
    assert event.changes["enrolment"] == enrolment.pk


def test_confidential_meeting_notes_are_audited(world):
    enrolment = world.objects["enrolment"]
    meeting = world.objects["confidential_meeting"]
    response = _get(world, "director", "pathways:meeting", enrolment.pk, meeting.pk)
    assert response.status_code == 200
    event = _only_event(world, "director", "restricted.read.meeting")
    assert event.object_id == str(meeting.pk)


def test_every_document_download_is_audited_health_as_a_restricted_read(world):
    enrolment = world.objects["enrolment"]
    document = world.objects["document"]
    health = world.objects["health_document"]
    response = _get(world, "referent", "pathways:document_download", enrolment.pk, document.pk)
    assert response.status_code == 200
    assert _only_event(world, "referent", "document.download").object_id == str(document.pk)
    response = _get(world, "referent", "pathways:document_download", enrolment.pk, health.pk)
    assert response.status_code == 200
    event = _only_event(world, "referent", "restricted.read.document")
    assert event.object_id == str(health.pk)


def test_who_may_not_read_restricted_content_leaves_no_restricted_read(world):
    enrolment = world.objects["enrolment"]
    assert _get(world, "intake", "pathways:trainee", enrolment.pk).status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="restricted.read").exists()
