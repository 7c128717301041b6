"""The client address on every event written during a web request, none from the CLI."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from parcours.audit.context import get_client_address
from parcours.audit.middleware import ClientAddressMiddleware, request_address
from parcours.audit.models import AuditEvent
from parcours.audit.services import record_event
from parcours.companies import services_reviews
from tests.companies.review_helpers import at, new_internship

pytestmark = pytest.mark.django_db


def test_a_web_write_stores_the_client_address(world):
    """The site edit view passes no address itself: the middleware supplies it."""
    client = world.client_for("director")
    response = client.post(
        reverse("organisations:site_edit", args=["e2c-alpha", world.site.pk]),
        {
            "name": "Site Alpha",
            "address": "12 rue des Salins",
            "postcode": "63000",
            "commune": "Clermont-Ferrand",
            "surface_m2": "600",
        },
        REMOTE_ADDR="203.0.113.42",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="site.update")
    assert event.ip_address == "203.0.113.42"
    assert event.actor == world.members["director"].user


def test_a_meeting_recorded_on_the_web_stores_the_address(world):
    enrolment = world.objects["enrolment"]
    client = world.client_for("referent")
    response = client.post(
        reverse("pathways:meeting_create", args=["e2c-alpha", enrolment.pk]),
        {
            "held_on": (timezone.localdate() - datetime.timedelta(days=1)).strftime("%d/%m/%Y"),
            "kind": "follow_up",
            "summary": "Point d'étape.",
        },
        REMOTE_ADDR="2001:db8::7",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="meeting.create")
    assert event.ip_address == "2001:db8::7"


def test_an_explicit_address_wins_and_nothing_leaks_after_the_request(world):
    seen = []

    def view(request):
        seen.append(get_client_address())
        record_event(actor=None, action="x.explicit", school=world.school, ip_address="10.1.1.1")
        record_event(actor=None, action="x.implicit", school=world.school)
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9")
    ClientAddressMiddleware(view)(request)
    assert seen == ["198.51.100.9"]
    assert AuditEvent.objects.get(action="x.explicit").ip_address == "10.1.1.1"
    assert AuditEvent.objects.get(action="x.implicit").ip_address == "198.51.100.9"
    assert get_client_address() is None  # reset once the response is out


def test_an_invalid_remote_addr_is_left_out():
    assert request_address(RequestFactory().get("/", REMOTE_ADDR="not-an-ip")) is None
    assert request_address(RequestFactory().get("/", REMOTE_ADDR="")) is None
    assert request_address(RequestFactory().get("/", REMOTE_ADDR=" 10.0.0.3 ")) == "10.0.0.3"


def test_a_write_outside_a_request_stores_no_address(world):
    record_event(actor=None, action="x.cli", school=world.school)
    assert AuditEvent.objects.get(action="x.cli").ip_address is None


def test_parcours_daily_writes_events_without_address(world):
    end = timezone.localdate() - datetime.timedelta(days=8)
    internship = new_internship(world, start=end - datetime.timedelta(days=11), end=end)
    services_reviews.send_tutor_link(
        membership=world.members["company_relations"], internship=internship, now=at(end)
    )
    call_command("daily", stdout=io.StringIO())
    events = AuditEvent.objects.filter(action="companies.tutor_link_reminder")
    assert events.count() == 1
    assert events.get().ip_address is None


def _through(settings, remote: str, forwarded: str | None, trusted: list[str]):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from parcours.audit.middleware import TrustedProxyMiddleware

    settings.PARCOURS_TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    TrustedProxyMiddleware(view)(RequestFactory().get("/", **extra))
    return seen["address"]


def test_the_client_address_comes_from_a_trusted_proxy_only(settings):
    proxy = ["127.0.0.1"]
    # Behind the trusted proxy: the address it appended.
    assert _through(settings, "127.0.0.1", "203.0.113.5", proxy) == "203.0.113.5"
    # What the client wrote itself (further left) is never believed.
    assert _through(settings, "127.0.0.1", "10.9.9.9, 203.0.113.5", proxy) == "203.0.113.5"
    # Two trusted hops: the right-most untrusted one.
    two = ["127.0.0.1", "10.0.0.2"]
    assert _through(settings, "127.0.0.1", "198.51.100.7, 10.0.0.2", two) == "198.51.100.7"
    # A request that does not come from the proxy: its header is ignored.
    assert _through(settings, "198.51.100.8", "10.9.9.9", proxy) == "198.51.100.8"
    # No trusted proxy configured: the header is ignored.
    assert _through(settings, "127.0.0.1", "203.0.113.5", []) == "127.0.0.1"
    # A malformed right-most hop: nothing is believed.
    assert _through(settings, "127.0.0.1", "203.0.113.5, junk", proxy) == "127.0.0.1"
