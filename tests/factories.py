"""factory-boy factories for the whole test suite."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from parcours.accounts.models import User
from parcours.organisations.models import (
    FundingAgreement,
    Membership,
    Network,
    Partner,
    PrescriberType,
    Room,
    RoomKind,
    School,
    Site,
)

TEST_PASSWORD = "mot-de-passe-de-test-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Sequence(lambda n: f"Nomtest{n}")
    password = factory.django.Password(TEST_PASSWORD)


class NetworkFactory(DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    name = "Réseau de test"
    slug = "reseau-test"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    network = factory.SubFactory(NetworkFactory)
    slug = factory.Sequence(lambda n: f"e2c-test-{n}")
    name = factory.Sequence(lambda n: f"E2C Test {n}")
    legal_carrier = "Association de test"
    label_valid_from = datetime.date(2016, 1, 1)
    label_valid_until = datetime.date(2030, 12, 31)
    opened_on = datetime.date(2010, 9, 1)


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Site {n}")
    address = "1 rue de la République"
    postcode = "63000"
    commune = "Clermont-Ferrand"
    surface_m2 = 300


class RoomFactory(DjangoModelFactory):
    class Meta:
        model = Room

    site = factory.SubFactory(SiteFactory)
    school = factory.SelfAttribute("site.school")
    name = factory.Sequence(lambda n: f"Salle {n}")
    kind = RoomKind.WORKSHOP
    capacity = 12
    computers = 0
    step_free = True

    class Params:
        computer_room = factory.Trait(kind=RoomKind.COMPUTER, computers=12)


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Mission Locale {n}")
    is_prescriber = True
    prescriber_type = PrescriberType.MISSION_LOCALE

    class Params:
        funder = factory.Trait(
            name=factory.Sequence(lambda n: f"Métropole {n}"),
            is_prescriber=False,
            prescriber_type="",
            is_funder=True,
            funder_type="local_authority",
        )


class FundingAgreementFactory(DjangoModelFactory):
    class Meta:
        model = FundingAgreement

    school = factory.SubFactory(SchoolFactory)
    funder = factory.SubFactory(
        PartnerFactory, funder=True, school=factory.SelfAttribute("..school")
    )
    year = 2018
    amount_eur = 50000
    purpose = "Politique de la ville"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    network = factory.LazyAttribute(lambda m: m.school.network if m.school else NetworkFactory())
    role = "referent"
    active_from = datetime.date(2015, 1, 1)
