"""The ``parcours demo`` command: the 2018 figures, the flagship school, accounts, determinism."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone
from faker import Faker

from parcours.audit.models import AuditEvent
from parcours.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from parcours.demo.builder import (
    ADMIN_EMAIL,
    NETWORK_SLUG,
    SEED,
    build_demo,
    is_active_in_2018,
    plan_network,
)
from parcours.organisations.models import (
    STAFF_ROLES,
    FunderType,
    FundingAgreement,
    Membership,
    Network,
    Partner,
    PrescriberType,
    Role,
    Room,
    RoomKind,
    School,
    Site,
)

from ..utils import login_client, password_works

START_2018 = datetime.date(2018, 1, 1)
END_2018 = datetime.date(2018, 12, 31)
ACTIVE_IN_2018 = Q(opened_on__lte=END_2018) & (
    Q(closed_on__isnull=True) | Q(closed_on__gte=START_2018)
)


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def fingerprint() -> list[tuple]:
    """Everything a person would notice in the demo, in a stable order."""
    return [
        *School.objects.order_by("slug").values_list(
            "slug", "name", "legal_carrier", "opened_on", "label_valid_from"
        ),
        *Site.objects.order_by("school__slug", "name").values_list(
            "school__slug", "name", "address", "commune", "surface_m2", "opened_on", "closed_on"
        ),
        *Room.objects.order_by("site__school__slug", "site__name", "name").values_list(
            "site__name", "name", "kind", "capacity", "computers", "step_free"
        ),
        *get_user_model().objects.order_by("email").values_list("email", "first_name", "last_name"),
        *Membership.objects.order_by("user__email").values_list(
            "user__email", "school__slug", "role", "job_title", "active_from"
        ),
        *Partner.objects.order_by("school__slug", "name").values_list(
            "school__slug", "name", "prescriber_type", "funder_type"
        ),
        *FundingAgreement.objects.order_by(
            "school__slug", "funder__name", "year", "purpose"
        ).values_list("school__slug", "funder__name", "year", "purpose", "amount_eur"),
    ]


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    return settings


@pytest.fixture
def demo(demo_built) -> str:
    """The output of the package's shared ``parcours demo --force`` (see conftest)."""
    return demo_built


def test_plan_has_the_2018_figures_without_a_database():
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    plans = plan_network(random.Random(SEED), fake)
    assert sum(is_active_in_2018(p.opened_on, None) for p in plans) == 51
    sites = [site for p in plans for site in p.sites]
    assert sum(is_active_in_2018(s.opened_on, s.closed_on) for s in sites) == 124


@pytest.mark.django_db
def test_network_has_51_schools_on_124_sites_in_2018(demo):
    network = Network.objects.get(slug=NETWORK_SLUG)
    assert network.name == "Réseau E2C France"
    schools = School.objects.filter(network=network)
    sites = Site.objects.filter(school__network=network)

    assert schools.filter(ACTIVE_IN_2018).count() == 51
    assert sites.filter(ACTIVE_IN_2018).count() == 124
    # The model's own helper agrees with the explicit filter.
    assert schools.active_during(START_2018, END_2018).count() == 51
    assert sites.active_during(START_2018, END_2018).count() == 124

    # Realism around the figures: schools opened since, sites closed before 2018.
    assert schools.filter(opened_on__gt=END_2018).count() == 6
    assert schools.count() == 57
    assert sites.filter(closed_on__lt=START_2018).count() >= 2
    # Every school has a site; slugs follow the département number.
    assert not schools.filter(sites__isnull=True).exists()
    assert schools.get(slug="e2c-93").name == "E2C Seine-Saint-Denis"
    assert schools.get(slug="e2c-03").name == "E2C Allier"
    assert "51 actives en 2018" in demo
    assert "124 sites actifs en 2018" in demo


@pytest.mark.django_db
def test_flagship_school_matches_the_seed_article(demo):
    today = timezone.localdate()
    school = School.objects.get(slug="e2c-63")
    assert school.name == "E2C Puy-de-Dôme"
    assert school.legal_carrier == "Groupe ESC Clermont"
    assert school.label_valid_on(END_2018)
    assert school.label_valid_on(today)

    site = Site.objects.get(school=school)
    assert site.name == "Cours Sablon"
    assert site.commune == "Clermont-Ferrand"
    assert site.postcode == "63000"
    assert "cours Sablon" in site.address
    assert site.surface_m2 == 600

    rooms = Room.objects.filter(site=site)
    assert rooms.count() == 7
    for day in (END_2018, today):
        assert rooms.active_on(day).count() == 7
        assert rooms.active_on(day).filter(kind=RoomKind.COMPUTER).count() == 2
    # Three rooms before the extension was inaugurated on 4 December 2018.
    assert rooms.active_on(datetime.date(2018, 12, 3)).count() == 3
    assert all(room.step_free for room in rooms)
    assert all(8 <= room.capacity <= 20 for room in rooms)
    assert all(room.computers >= 1 for room in rooms.filter(kind=RoomKind.COMPUTER))


@pytest.mark.django_db
def test_flagship_school_has_12_staff(demo):
    school = School.objects.get(slug="e2c-63")
    staff = Membership.objects.filter(school=school, role__in=STAFF_ROLES)
    for day in (END_2018, timezone.localdate()):
        active = staff.active_on(day)
        assert active.count() == 12
        roles = sorted(active.values_list("role", flat=True))
        assert roles.count(Role.DIRECTOR) == 1
        assert roles.count(Role.INTAKE) == 2
        assert roles.count(Role.REFERENT) == 7
        assert roles.count(Role.COMPANY_RELATIONS) == 2
    assert all(m.job_title for m in staff)
    assert all(m.active_from < START_2018 for m in staff)


@pytest.mark.django_db
def test_flagship_partners_and_funding(demo):
    school = School.objects.get(slug="e2c-63")
    partners = {p.name: p for p in Partner.objects.filter(school=school)}

    metropole = partners["Clermont Auvergne Métropole"]
    assert metropole.is_funder and metropole.funder_type == FunderType.LOCAL_AUTHORITY
    assert not metropole.is_prescriber
    expected_prescribers = {
        "PLIE de Clermont Auvergne Métropole": PrescriberType.PLIE,
        "Mission Locale Clermont Métropole et Volcans": PrescriberType.MISSION_LOCALE,
        "France Travail Clermont-Ferrand Gare": PrescriberType.FRANCE_TRAVAIL,
        "Cap emploi 63": PrescriberType.CAP_EMPLOI,
        "Conseil départemental du Puy-de-Dôme": PrescriberType.DEPARTEMENT,
    }
    for name, prescriber_type in expected_prescribers.items():
        assert partners[name].is_prescriber
        assert partners[name].prescriber_type == prescriber_type
    expected_funders = {
        "Région Auvergne-Rhône-Alpes": FunderType.REGION,
        "État — Préfecture du Puy-de-Dôme": FunderType.STATE,
        "Conseil départemental du Puy-de-Dôme": FunderType.DEPARTEMENT,
    }
    for name, funder_type in expected_funders.items():
        assert partners[name].is_funder and partners[name].funder_type == funder_type

    politique_de_la_ville = FundingAgreement.objects.filter(
        school=school, funder=metropole, purpose="Politique de la ville"
    )
    assert politique_de_la_ville.get(year=2018).amount_eur == Decimal("50000")
    assert set(politique_de_la_ville.values_list("year", flat=True)) == set(range(2014, 2027))
    region = FundingAgreement.objects.filter(funder=partners["Région Auvergne-Rhône-Alpes"])
    assert set(region.values_list("year", flat=True)) >= set(range(2014, 2027))


@pytest.mark.django_db
def test_other_demo_school_is_usable_for_access_tests(demo):
    school = School.objects.get(slug="e2c-03")
    assert school.opened_on <= END_2018
    members = Membership.objects.filter(school=school).active_on(timezone.localdate())
    assert members.filter(role=Role.DIRECTOR).exists()
    assert members.filter(role=Role.REFERENT, user__email="referent@e2c-03.demo").exists()
    site = Site.objects.get(school=school, name="Site de Moulins")
    assert site.commune == "Moulins"
    assert Room.objects.filter(site=site).active_on(timezone.localdate()).count() >= 3


@pytest.mark.django_db
def test_every_demo_account_can_log_in(demo, client):
    network = Network.objects.get(slug=NETWORK_SLUG)
    for account in DEMO_ACCOUNTS:
        assert password_works(account.email, DEMO_PASSWORD), account.email
        membership = Membership.objects.get(user__email=account.email)
        assert membership.role == account.role
        assert membership.network == network
        assert membership.job_title == account.job_title
        assert membership.active_from == datetime.date(2016, 1, 1)
        if account.school_slug is None:
            assert membership.school is None
        else:
            assert membership.school.slug == account.school_slug
        if account.partner_name:
            assert membership.partner.name == account.partner_name
            assert membership.partner.school == membership.school
    assert password_works(ADMIN_EMAIL, DEMO_PASSWORD)
    admin = get_user_model().objects.get(email=ADMIN_EMAIL)
    login_client(client, admin)  # the administration requires the second factor too
    assert admin.is_superuser and admin.is_staff
    assert client.get("/admin/").status_code == 200
    # Generated staff share the same password; no wrong password works.
    assert password_works("amandine.perrin@e2c-63.demo", DEMO_PASSWORD)
    assert not password_works("direction@e2c-63.demo", "wrong")


@pytest.mark.django_db
def test_output_lists_the_accounts_with_the_password(demo):
    for account in DEMO_ACCOUNTS:
        assert account.email in demo
    assert ADMIN_EMAIL in demo
    assert DEMO_PASSWORD in demo
    assert "E2C Puy-de-Dôme" in demo
    assert "E2C Allier" in demo


@pytest.mark.django_db
def test_writes_only_a_recent_sample_of_the_flagship_journal(demo):
    """History carries no event (it would be falsely dated); the director's journal shows
    the last two weeks: meetings, attendance, health reads, an export."""
    import datetime

    from django.utils import timezone

    events = list(AuditEvent.objects.select_related("school", "actor"))
    assert 30 <= len(events) <= 60
    assert {event.school.slug for event in events} == {"e2c-63"}
    assert all(
        event.actor.email.endswith("@e2c-63.demo") or event.actor.email.endswith(".demo")
        for event in events
    )
    assert all(event.ip_address.startswith("10.0.0.") for event in events)
    since = timezone.now() - datetime.timedelta(days=15)
    assert all(since <= event.created_at <= timezone.now() for event in events)
    actions = {event.action for event in events}
    # (``document.download`` too once the demo has documents.)
    assert actions == {
        "meeting.create",
        "attendance.mark_session",
        "restricted.read.trainee_page",
        "restricted.read.support",
        "export.trainees",
    }


@pytest.mark.django_db
def test_without_reset_a_second_run_creates_nothing(demo, debug_on):
    counts = {
        model: model.objects.count()
        for model in (School, Site, Room, Partner, FundingAgreement, Membership)
    }
    users = list(get_user_model().objects.order_by("pk").values_list("pk", "email"))

    output = run_demo()

    assert "déjà chargée" in output
    assert "direction@e2c-63.demo" in output
    assert {model: model.objects.count() for model in counts} == counts
    assert list(get_user_model().objects.order_by("pk").values_list("pk", "email")) == users


@pytest.mark.django_db
def test_reset_removes_audit_events_of_the_demo_and_keeps_other_data(demo, debug_on):
    school = School.objects.get(slug="e2c-63")
    director = get_user_model().objects.get(email="direction@e2c-63.demo")
    AuditEvent.objects.create(school=school, actor=director, action="login")
    AuditEvent.objects.create(school=None, actor=director, action="login")
    other_network = Network.objects.create(name="Autre réseau", slug="autre-reseau")
    other_school = School.objects.create(network=other_network, slug="autre", name="Autre")
    outsider = get_user_model().objects.create_user(
        email="someone@example.org", password="x", first_name="Ana", last_name="Lyse"
    )
    kept_event = AuditEvent.objects.create(school=other_school, actor=outsider, action="login")

    run_demo("--reset")

    # The rebuilt demo writes its journal sample again; the events above are gone.
    assert not AuditEvent.objects.filter(action="login").exclude(pk=kept_event.pk).exists()
    assert AuditEvent.objects.filter(pk=kept_event.pk).exists()
    assert School.objects.filter(pk=other_school.pk).exists()
    assert get_user_model().objects.filter(email="someone@example.org").exists()
    assert School.objects.filter(network__slug=NETWORK_SLUG).count() == 57


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    # (The package's shared build may or may not be in the database: nothing must change.)
    before = fingerprint()
    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        run_demo()
    with pytest.raises(CommandError, match="--force"):
        run_demo("--reset")
    assert fingerprint() == before


@pytest.mark.django_db
def test_force_runs_with_debug_off(demo, settings):
    # The shared build ran ``parcours demo --force`` with DEBUG off (tests/demo/conftest.py).
    assert settings.DEBUG is False
    assert "Démonstration chargée" in demo
    assert School.objects.filter(network__slug=NETWORK_SLUG).count() == 57


@pytest.mark.django_db
def test_reset_rebuilds_the_same_data_and_returns_a_summary(demo, debug_on):
    first = fingerprint()
    run_demo("--reset")
    assert fingerprint() == first
    assert School.objects.filter(ACTIVE_IN_2018).count() == 51
    # build_demo starts from scratch when called again (browser-test fixtures rely on it).
    summary = build_demo()
    assert summary.schools_active_2018 == 51
    assert summary.sites_active_2018 == 124
    assert summary.schools == 57
    assert summary.accounts == DEMO_ACCOUNTS
    assert fingerprint() == first
