"""Scale data, the harness and the load test only ever run in a benchmark database
(``parcours.scale.guards``): a real school's database is refused and nothing is written."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from parcours.accounts.models import User
from parcours.intake.models import Referral
from parcours.organisations.models import Network, School
from parcours.pathways.models import Plan
from parcours.scale import NETWORK_SLUG
from parcours.scale.extras import add_extras
from parcours.scale.generate import generate
from parcours.scale.guards import NotABenchDatabase, refuse_unless_generated
from tests.factories import SchoolFactory, UserFactory


def _quiet(_line: str) -> None:
    pass


@pytest.mark.django_db
def test_generate_refuses_a_database_with_a_school():
    SchoolFactory(slug="e2c-reelle")
    with pytest.raises(NotABenchDatabase, match="base neuve"):
        generate("tiny", progress=_quiet)
    assert not Network.objects.filter(slug=NETWORK_SLUG).exists()
    assert School.objects.count() == 1
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_generate_refuses_a_database_with_an_account(settings):
    UserFactory(email="directrice@e2c.example.org")
    with pytest.raises(CommandError, match="base neuve"):
        call_command("bench", "generate", "--scale", "tiny", "--force")
    assert User.objects.count() == 1
    assert not Network.objects.filter(slug=NETWORK_SLUG).exists()


@pytest.mark.django_db
def test_extras_and_measures_refuse_a_database_without_the_generated_network():
    SchoolFactory(slug="e2c-reelle")
    with pytest.raises(NotABenchDatabase, match="Pas de réseau généré"):
        add_extras(progress=_quiet)
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_extras_and_measures_refuse_a_real_school_beside_the_generated_ones():
    generate("tiny", seed=3, progress=_quiet)
    refuse_unless_generated()  # only generated schools: accepted
    SchoolFactory(slug="e2c-reelle")
    plans = Plan.objects.count()
    with pytest.raises(NotABenchDatabase, match="pas des données de charge"):
        add_extras(progress=_quiet)
    assert Plan.objects.count() == plans
