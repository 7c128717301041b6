"""Shared fixtures: a small world with two schools and one member of every role."""

from __future__ import annotations

import copy
import datetime
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from parcours.organisations.models import (
    FundingAgreement,
    Membership,
    Partner,
    Role,
    Room,
    School,
    Site,
)

from .accounts.world import build_accounts_world
from .api.world import build_api_world
from .companies.world import build_companies_world
from .competencies.world import build_competencies_world
from .factories import (
    FundingAgreementFactory,
    MembershipFactory,
    NetworkFactory,
    PartnerFactory,
    RoomFactory,
    SchoolFactory,
    SiteFactory,
    UserFactory,
)
from .imports.world import build_imports_world
from .intake.world import build_intake_world
from .outcomes.world import build_outcomes_world
from .pathways.world import build_pathways_world
from .people.world import build_people_world
from .privacy.world import build_privacy_world
from .schedule.world import build_schedule_world
from .utils import login_client


@dataclass
class World:
    school: School
    site: Site
    room: Room
    prescriber_partner: Partner
    funder_partner: Partner
    funding: FundingAgreement
    members: dict[str, Membership] = field(default_factory=dict)
    other_school: School | None = None
    other_site: Site | None = None
    other_room: Room | None = None
    other_partner: Partner | None = None
    other_funding: FundingAgreement | None = None
    outsider: Membership | None = None
    #: Objects of ``school`` by key, and the same kinds of objects of ``other_school``: the URL
    #: walk in test_url_access.py builds URLs from them (see ``PK_OBJECTS`` tables).
    objects: dict[str, Any] = field(default_factory=dict)
    others: dict[str, Any] = field(default_factory=dict)

    def client_for(self, who: str) -> Client:
        """A logged-in client for a role of ``school``, ``"outsider"`` or ``"anonymous"``."""
        client = Client()
        if who == "anonymous":
            return client
        membership = self.outsider if who == "outsider" else self.members[who]
        return login_client(client, membership.user)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with empty rate-limit counters (the cache): the public pages' limits
    count per address, and every test client comes from the same one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db, request) -> World:
    if not WORLD_COPY_SECONDS or _transactional(request):
        return _build_world()
    return _world_from_copy()


def _build_world() -> World:
    network = NetworkFactory()
    school = SchoolFactory(network=network, slug="e2c-alpha", name="E2C Alpha")
    site = SiteFactory(school=school, name="Site Alpha", surface_m2=450)
    room = RoomFactory(site=site, name="Salle Alpha")
    RoomFactory(site=site, name="Salle Informatique Alpha", computer_room=True)
    prescriber = PartnerFactory(school=school, name="Mission Locale Alpha")
    funder = PartnerFactory(school=school, funder=True, name="Métropole Alpha")
    funding = FundingAgreementFactory(school=school, funder=funder)
    world = World(
        school=school,
        site=site,
        room=room,
        prescriber_partner=prescriber,
        funder_partner=funder,
        funding=funding,
    )
    for role in Role:
        user = UserFactory(email=f"{role.value}@alpha.example.org", last_name=f"Alpha{role.value}")
        kwargs = {"user": user, "role": role.value, "school": school, "network": network}
        if role == Role.NETWORK:
            kwargs["school"] = None
        if role == Role.PRESCRIBER:
            kwargs["partner"] = prescriber
        if role == Role.FUNDER:
            kwargs["partner"] = funder
        world.members[role.value] = MembershipFactory(**kwargs)

    other = SchoolFactory(network=network, slug="e2c-beta", name="E2C Beta")
    world.other_school = other
    world.other_site = SiteFactory(school=other, name="Site Beta")
    world.other_room = RoomFactory(site=world.other_site, name="Salle Beta")
    world.other_partner = PartnerFactory(school=other, name="Mission Locale Beta")
    world.other_funding = FundingAgreementFactory(school=other)
    world.outsider = MembershipFactory(
        user=UserFactory(email="referent@beta.example.org", last_name="Betareferent"),
        school=other,
        role=Role.REFERENT,
    )
    world.objects.update(
        site=site, room=room, prescriber_partner=prescriber, funding=funding, funder_partner=funder
    )
    world.others.update(
        site=world.other_site,
        room=world.other_room,
        prescriber_partner=world.other_partner,
        funding=world.other_funding,
        funder_partner=world.other_funding.funder,
    )
    build_intake_world(world)
    build_pathways_world(world)
    build_competencies_world(world)
    build_schedule_world(world)
    build_companies_world(world)
    build_outcomes_world(world)
    build_accounts_world(world)
    build_privacy_world(world)
    build_people_world(world)
    build_imports_world(world)
    build_api_world(world)
    return world


@pytest.fixture(autouse=True)
def _session_written_every_request(settings):
    """Sessions are written on every request, as Django does (production: at most once a
    minute when unchanged, parcours/accounts/sessions.py, tested in tests/accounts): a page's
    query count then does not depend on whether its first visit stored something in the
    session."""
    settings.PARCOURS_SESSION_REFRESH_SECONDS = 0


# ------------------------------------------------------------------ the world's copy (opt-in)
#: ``PARCOURS_TEST_WORLD_COPY=<seconds>`` (0, the default: off): the first ``world`` of a test
#: worker is built as above and its rows (every row the build added, in every table) and
#: objects kept; the next tests get the same rows inserted back as they were (primary keys,
#: timestamps) and a deep copy of the objects, instead of a new build — until the copy is
#: that many seconds old, the day changes, or a transactional test has flushed the database.
WORLD_COPY_SECONDS = float(os.environ.get("PARCOURS_TEST_WORLD_COPY", "0"))


@dataclass
class _WorldCopy:
    world: World
    rows: list[tuple[type, list]]
    files: dict[str, bytes]  # the uploaded files, by path under MEDIA_ROOT
    baseline: tuple
    taken: float
    day: datetime.date


_copy: _WorldCopy | None = None


def _models() -> list[type]:
    from django.apps import apps

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _baseline() -> tuple:
    """What the world's rows point to outside themselves: the content types' ids."""
    from django.contrib.contenttypes.models import ContentType

    return tuple(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"))


def _world_from_copy() -> World:
    global _copy
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    baseline = _baseline()
    fresh = (
        _copy is not None
        and time.monotonic() - _copy.taken < WORLD_COPY_SECONDS
        and _copy.day == timezone.localdate()
        and _copy.baseline == baseline
    )
    if not fresh:
        before = {m: set(m._base_manager.values_list("pk", flat=True)) for m in _models()}
        world = _build_world()
        rows = []
        for model in _models():
            added = [o for o in model._base_manager.all() if o.pk not in before[model]]
            if added:
                rows.append((model, added))
        media = Path(settings.MEDIA_ROOT)
        files = {
            str(path.relative_to(media)): path.read_bytes()
            for path in (media.rglob("*") if media.exists() else ())
            if path.is_file()
        }
        _copy = _WorldCopy(
            copy.deepcopy(world), rows, files, baseline, time.monotonic(), timezone.localdate()
        )
        return world
    for name, content in _copy.files.items():  # into this test's own MEDIA_ROOT
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    with transaction.atomic():  # the foreign keys are deferred: checked once all are in
        for model, objects in _copy.rows:
            fields = model._meta.local_concrete_fields
            size = connection.ops.bulk_batch_size(fields, objects) or len(objects)
            for start in range(0, len(objects), size):
                batch = objects[start : start + size]
                model._base_manager._insert(batch, fields=fields, raw=True)
    return copy.deepcopy(_copy.world)


@pytest.fixture(autouse=True)
def _no_world_copy_across_a_flush(request):
    """A transactional test empties the database afterwards: the copy's rows would point to
    content types and reference rows that no longer exist."""
    global _copy
    yield
    if _transactional(request):
        _copy = None


def _transactional(request) -> bool:
    """A transactional test (or a live server's) commits: it gets a world built as usual."""
    marker = request.node.get_closest_marker("django_db")
    return "transactional_db" in request.fixturenames or bool(
        marker is not None and marker.kwargs.get("transaction")
    )
