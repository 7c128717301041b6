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


# ------------------------------------------------------------------------ people and intake

from parcours.intake.models import (  # noqa: E402
    Channel,
    Decision,
    InfoSession,
    Interview,
    Outcome,
    Referral,
    Registration,
    Stage,
)
from parcours.pathways.models import Enrolment, EntrySituation  # noqa: E402
from parcours.people.models import Person  # noqa: E402


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    school = factory.SubFactory(SchoolFactory)
    last_name = factory.Sequence(lambda n: f"Jeune{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = datetime.date(2000, 5, 17)
    gender = "F"
    email = factory.Sequence(lambda n: f"jeune{n}@example.net")
    phone = ""


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    school = factory.SubFactory(SchoolFactory)
    person = factory.SubFactory(PersonFactory, school=factory.SelfAttribute("..school"))
    prescriber = factory.SubFactory(PartnerFactory, school=factory.SelfAttribute("..school"))
    channel = Channel.ONLINE
    received_on = datetime.date(2024, 1, 10)
    reason = "Souhaite construire un projet professionnel."
    left_school_on = datetime.date(2019, 6, 30)
    job_seeker_status = "registered"

    class Params:
        spontaneous = factory.Trait(prescriber=None, channel=Channel.SPONTANEOUS)


class InfoSessionFactory(DjangoModelFactory):
    class Meta:
        model = InfoSession

    school = factory.SubFactory(SchoolFactory)
    site = factory.SubFactory(SiteFactory, school=factory.SelfAttribute("..school"))
    starts_at = factory.LazyFunction(
        lambda: (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + datetime.timedelta(hours=2))
    capacity = 12


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(InfoSessionFactory)
    school = factory.SelfAttribute("session.school")
    first_name = "Inès"
    last_name = factory.Sequence(lambda n: f"Inscrite{n}")
    email = factory.Sequence(lambda n: f"inscrite{n}@example.net")


class InterviewFactory(DjangoModelFactory):
    class Meta:
        model = Interview

    referral = factory.SubFactory(ReferralFactory)
    school = factory.SelfAttribute("referral.school")
    held_at = datetime.datetime(2024, 1, 20, 9, 30, tzinfo=datetime.UTC)
    notes = "Motivation solide, projet dans la logistique."


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = Decision

    referral = factory.SubFactory(ReferralFactory)
    school = factory.SelfAttribute("referral.school")
    outcome = Outcome.ADMITTED
    decided_on = datetime.date(2024, 1, 25)
    decided_by = factory.SubFactory(UserFactory)
    planned_entry_date = datetime.date(2024, 2, 5)
    site = factory.SubFactory(SiteFactory, school=factory.SelfAttribute("..school"))


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    school = factory.SubFactory(SchoolFactory)
    person = factory.SubFactory(PersonFactory, school=factory.SelfAttribute("..school"))
    site = factory.SubFactory(SiteFactory, school=factory.SelfAttribute("..school"))
    entry_date = datetime.date(2024, 2, 5)
    planned_end_date = factory.LazyAttribute(lambda e: e.entry_date + datetime.timedelta(days=182))


class EntrySituationFactory(DjangoModelFactory):
    class Meta:
        model = EntrySituation

    enrolment = factory.SubFactory(EnrolmentFactory)
    school = factory.SelfAttribute("enrolment.school")
    gender = factory.SelfAttribute("enrolment.person.gender")
    birth_date = factory.SelfAttribute("enrolment.person.birth_date")
    postcode = "63000"
    commune = "Clermont-Ferrand"
    diploma_level = "none"
    job_seeker_status = "registered"
    rqth = "no"
    receives_rsa = "no"
    jobless_household = "no"
    single_parent = "no"
    homeless = "no"
    foreign_origin = "declined"


__all__ = ["Stage"]
