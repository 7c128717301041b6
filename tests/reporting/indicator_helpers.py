"""Hand-built schools, enrolments and exits for the tests of ``reporting.indicators`` and
``reporting.network``: each test builds exactly the rows it counts, in a school of its own
(the ``world``'s schools have enrolments and exits of their own)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from parcours.organisations.models import Role, School, Site
from parcours.outcomes.models import Exit
from parcours.pathways.models import (
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentStatus,
    FundingLine,
)
from parcours.people.models import Person
from parcours.reporting.periods import Period

from ..factories import (
    EnrolmentFactory,
    EntrySituationFactory,
    MembershipFactory,
    NetworkFactory,
    PersonFactory,
    ReferralFactory,
    SchoolFactory,
    SiteFactory,
)

YEAR = 2019
PERIOD = Period.year(YEAR)
START, END = PERIOD.start, PERIOD.end
DAY = datetime.timedelta(days=1)
BIRTH = datetime.date(2000, 5, 17)  # 18 in 2018, 19 in 2019

#: Absent from a stay: no referral at all (an enrolment typed in without one).
NO_REFERRAL = object()
#: A referral without prescriber (a spontaneous application).
SPONTANEOUS = object()


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def new_school(*, network=None, slug: str | None = None, **fields) -> School:
    """A school of its own, opened long ago, with one site of 300 m² and no room."""
    kwargs = {"network": network or NetworkFactory()}
    if slug:
        kwargs["slug"] = slug
    return SchoolFactory(**kwargs, **fields)


def new_site(school: School, **fields) -> Site:
    return SiteFactory(school=school, **fields)


def person(school: School, *, birth: datetime.date = BIRTH, gender: str = "M") -> Person:
    return PersonFactory(school=school, birth_date=birth, gender=gender)


def stay(
    school: School,
    *,
    entry: datetime.date,
    ended: datetime.date | None = None,
    who: Person | None = None,
    site: Site | None = None,
    birth: datetime.date = BIRTH,
    gender: str = "M",
    qpv: str = "",
    diploma: str = "3",
    rqth: str = "no",
    prescriber=NO_REFERRAL,
    lines: Iterable[str] = (),
    situation: bool = True,
) -> Enrolment:
    """An enrolment from ``entry`` (to ``ended``, else still active) with its entry situation.

    ``prescriber``: a Partner (a referral by it), ``SPONTANEOUS`` (a referral without
    prescriber) or ``NO_REFERRAL``. ``lines``: funding line codes.
    """
    who = who or person(school, birth=birth, gender=gender)
    site = site or school.sites.order_by("pk").first() or new_site(school)
    referral = None
    if prescriber is SPONTANEOUS:
        referral = ReferralFactory(school=school, person=who, spontaneous=True)
    elif prescriber is not NO_REFERRAL:
        referral = ReferralFactory(school=school, person=who, prescriber=prescriber)
    enrolment = EnrolmentFactory(
        school=school,
        person=who,
        site=site,
        referral=referral,
        entry_date=entry,
        planned_end_date=entry + datetime.timedelta(days=240),
        status=EnrolmentStatus.EXITED if ended else EnrolmentStatus.ACTIVE,
        ended_on=ended,
    )
    if situation:
        EntrySituationFactory(enrolment=enrolment, qpv_code=qpv, diploma_level=diploma, rqth=rqth)
    for code in lines:
        EnrolmentFundingLine.objects.create(
            school=school, enrolment=enrolment, funding_line=FundingLine.objects.get(code=code)
        )
    return enrolment


def exited(
    school: School,
    exit_date: datetime.date,
    destination: str = "cdi",
    months: int | None = None,
    *,
    who: Person | None = None,
    entry: datetime.date | None = None,
    site: Site | None = None,
) -> Exit:
    """A stay that ended on ``exit_date`` with its exit record."""
    enrolment = stay(
        school,
        entry=entry or exit_date - datetime.timedelta(days=120),
        ended=exit_date,
        who=who,
        site=site,
    )
    return Exit.objects.create(
        school=school,
        enrolment=enrolment,
        exit_date=exit_date,
        destination=destination,
        months=months,
        dropout_reason="motivation" if destination == "abandon" else "",
    )


def member(school: School, role: str = Role.REFERENT, **fields):
    """A membership of ``school`` (partner roles get a partner of their kind)."""
    from ..factories import PartnerFactory

    if role == Role.PRESCRIBER:
        fields.setdefault("partner", PartnerFactory(school=school))
    if role == Role.FUNDER:
        fields.setdefault("partner", PartnerFactory(school=school, funder=True))
    if role == Role.NETWORK:
        return MembershipFactory(school=None, network=school.network, role=role, **fields)
    return MembershipFactory(school=school, role=role, **fields)
