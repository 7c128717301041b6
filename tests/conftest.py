"""Shared fixtures: a small world with two schools and one member of every role."""

from __future__ import annotations

from dataclasses import dataclass, field
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
def world(db) -> World:
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
