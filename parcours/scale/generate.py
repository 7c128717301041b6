"""The scale-data generator: ``parcours bench generate --scale school|network``.

Fills a **fresh, migrated** database (``guards.refuse_unless_fresh``: no school, no account;
drop and recreate the database, ``parcours migrate``, then generate) with realistic,
consistent data at the sizes of issue 12:

- ``school``: one school (``school_slug(1)``), two sites, ten years up to today, 4 groups of 24
  places — about 2,100 enrolments and 450,000 half-day attendance marks;
- ``network``: 57 schools, 160 sites, five years, 6 groups of 24 places a school — about
  85,000 enrolments and 18 million marks, with assessments, internships, exits and
  follow-ups in proportion;
- ``tiny`` (tests): one school, one site, one year, one group of 8 places.

The model of a school: each site runs permanent **groups** of 24 places (about 20 present:
E2C schools take trainees in and out all year). Each place is a chain of stays: a person is
referred by a prescriber (``Referral`` admitted, with interview and decision), enters
(``Enrolment`` with its ``EntrySituation``, phases, funding lines, a referent), follows the
group's sessions (one each half-day of a school day, ``SessionSeries`` per weekday, a room of
the site, a referent as trainer) with a mark every half-day, goes on internships (marks
``company``), is assessed on the school's framework, and leaves (``Exit``, follow-ups at
3/6/12 months when due); after a gap, the next person takes the place. Stays still running
today are active.

How it is fast: rows are written with ids chosen here (no reading back), by COPY on
PostgreSQL (``executemany`` on SQLite); sessions, session trainees and marks — most of the
volume — are computed by ``INSERT … SELECT`` from small helper tables (``scale_*``, temporary)
on both databases. On PostgreSQL, foreign keys are not checked row by row during the load
(``session_replication_role = replica``: the rows are consistent by construction and
:func:`sanity` checks them), the big tables' secondary indexes and unique/exclusion
constraints are dropped and recreated exactly afterwards, and ``ANALYZE`` runs at the end.

Every staff account's password is ``BENCH_PASSWORD`` (hashed once) and each has a confirmed
TOTP device whose key is :func:`parcours.scale.totp_key` of its e-mail.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from parcours.companies.models import Company, Contact, Internship, TutorReview
from parcours.competencies.models import Assessment, Competency, Evidence, SchoolFramework
from parcours.intake.eligibility import add_months
from parcours.intake.models import Decision, Interview, Referral
from parcours.organisations.models import (
    FundingAgreement,
    Membership,
    Network,
    Partner,
    Role,
    Room,
    School,
    Site,
)
from parcours.outcomes.destinations import LENGTH_REQUIRED, WITH_ORGANISATION
from parcours.outcomes.models import Exit, ExitFollowUp
from parcours.pathways.models import (
    DEFAULT_PHASES,
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentPhase,
    EntrySituation,
    FundingLine,
    PhaseDefinition,
)
from parcours.people.models import Person
from parcours.scale.guards import refuse_unless_fresh
from parcours.schedule.models import (
    DEFAULT_WORKSHOP_TYPES,
    AttendanceMark,
    ClosedMonth,
    Session,
    SessionSeries,
    SessionTrainee,
    WorkshopType,
    local_moment,
)

from . import BENCH_PASSWORD, NETWORK_SLUG, extra_staff_email, network_email, school_slug, totp_key
from .writer import DroppedIndexes, Writer, is_postgres

SCALES = ("tiny", "school", "network")
GROUP_PLACES = 24
#: Exit destinations and how often they happen (weights), with a length in months when one is
#: needed: the generator's mix and the import benchmark's (bench/import_enrolments.py).
EXITS: list[tuple[str, int, tuple[int, int] | None]] = [
    ("cdi", 8, None),
    ("cdd", 14, (1, 12)),
    ("interim", 8, (1, 6)),
    ("contrat_aide", 4, (6, 24)),
    ("alternance", 8, None),
    ("creation", 1, None),
    ("formation_qualifiante", 14, (3, 18)),
    ("formation", 6, (1, 6)),
    ("service_civique", 3, (6, 10)),
    ("recherche_emploi", 14, None),
    ("demenagement", 4, None),
    ("sante", 3, None),
    ("abandon", 9, None),
    ("exclusion", 2, None),
    ("autre", 2, None),
]
EARLY_EXITS = [
    ("abandon", 60),
    ("exclusion", 8),
    ("demenagement", 12),
    ("sante", 10),
    ("autre", 10),
]
PRESCRIBERS = [  # (type, weight, name pattern); None: spontaneous application
    ("mission_locale", 55, "Mission Locale de {town}"),
    ("france_travail", 18, "France Travail {town}"),
    ("plie", 8, "PLIE de {town}"),
    ("cap_emploi", 3, "Cap emploi {dept}"),
    ("departement", 5, "Département {dept} — action sociale"),
    ("other", 4, "Association Rebond {town}"),
    (None, 7, ""),
]
FUNDERS = [
    ("region", "Région {region}", Decimal("420000")),
    ("state", "Préfecture {dept} — État", Decimal("180000")),
    ("europe", "FSE+ {region}", Decimal("150000")),
    ("local_authority", "Métropole de {town}", Decimal("90000")),
    ("private", "Fondation Avenir {town}", Decimal("20000")),
]
SECTORS = ["retail", "hospitality", "building", "industry", "logistics", "care", "services",
           "cleaning", "agriculture", "public", "nonprofit"]  # fmt: skip
JOBS = [("Employé·e de libre-service", "D1507"), ("Commis de cuisine", "G1602"),
        ("Aide maçon", "F1703"), ("Agent·e logistique", "N1103"), ("Aide-soignant·e", "J1501"),
        ("Agent·e d'entretien", "K2204"), ("Vendeur·se", "D1214"), ("Jardinier·e", "A1203"),
        ("Agent·e administratif·ve", "M1602"),
        ("Opérateur·rice de production", "H2102")]  # fmt: skip
REASONS = ["illness", "appointment", "family", "transport", "hearing", "other"]
NOTES = ["Bonne implication en atelier.", "Progrès nets depuis le positionnement.",
         "Travail autonome sur la séance.", "A aidé un autre stagiaire.",
         "Observation en situation de stage."]  # fmt: skip


@dataclass(frozen=True)
class Spec:
    schools: int
    sites: int
    years: int
    groups_per_school: int
    places: int = GROUP_PLACES


SPECS = {
    "tiny": Spec(schools=1, sites=1, years=1, groups_per_school=1, places=8),
    "school": Spec(schools=1, sites=2, years=10, groups_per_school=4),
    "network": Spec(schools=57, sites=160, years=5, groups_per_school=6),
}


# ----------------------------------------------------------------------------- calendar


def _easter(year: int) -> datetime.date:
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _closed(day: datetime.date) -> bool:
    """Weekends, French public holidays, and the school's closures (25/12–1/1, 1–15/08)."""
    if day.weekday() >= 5:
        return True
    if (day.month, day.day) in {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11)}:
        return True
    if (day.month == 12 and day.day >= 24) or (day.month == 8 and day.day <= 15):
        return True
    easter = _easter(day.year)
    return day in {easter + datetime.timedelta(days=n) for n in (1, 39, 50)}


@dataclass
class Calendar:
    start: datetime.date
    today: datetime.date
    horizon: datetime.date
    days: list[datetime.date] = field(default_factory=list)

    def __post_init__(self) -> None:
        day = self.start
        while day <= self.horizon:
            if not _closed(day):
                self.days.append(day)
            day += datetime.timedelta(days=1)
        self.open = set(self.days)

    def next_open(self, day: datetime.date) -> datetime.date:
        while day not in self.open and day <= self.horizon:
            day += datetime.timedelta(days=1)
        return day

    def previous_open(self, day: datetime.date, floor: datetime.date) -> datetime.date:
        while day not in self.open and day > floor:
            day -= datetime.timedelta(days=1)
        return day


# ----------------------------------------------------------------------------- helpers


def _db(value: Any) -> Any:
    """A value for a helper table, as the backend stores it."""
    if is_postgres() or value is None:
        return value
    ops = connection.ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat()
    return value


HELPERS = {
    "scale_day": "day date, weekday integer, ord integer, am_start timestamptz, "
    "am_end timestamptz, pm_start timestamptz, pm_end timestamptz, created_at timestamptz",
    "scale_half": "n integer, half varchar(2), start_time time, end_time time",
    "scale_group": "id integer, school_id integer, site_id integer, room_id integer, "
    "trainer_id integer, created_by integer, first_day date, last_day date",
    "scale_series": "series_id integer, group_id integer, weekday integer",
    "scale_workshop": "school_id integer, idx integer, workshop_type_id integer",
    "scale_member": "enrolment_id integer, group_id integer, school_id integer, first_day date, "
    "last_day date, rate integer, recorder_id integer",
    "scale_away": "enrolment_id integer, school_id integer, first_day date, last_day date, "
    "recorder_id integer",
}


def _create_helpers() -> None:
    with connection.cursor() as cursor:
        for name, columns in HELPERS.items():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
        cursor.execute("CREATE INDEX scale_day_day ON scale_day (day)")
        cursor.execute("CREATE INDEX scale_member_enrolment ON scale_member (enrolment_id)")
        cursor.execute("CREATE INDEX scale_away_enrolment ON scale_away (enrolment_id)")
        cursor.execute("CREATE INDEX scale_member_group ON scale_member (group_id)")
        cursor.execute("CREATE INDEX scale_series_id ON scale_series (series_id)")


def _fill_helper(name: str, rows: list[tuple]) -> None:
    if not rows:
        return
    columns = [c.split()[0] for c in HELPERS[name].split(", ")]
    raw = connection.connection
    if is_postgres():
        copy_sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            [tuple(_db(v) for v in row) for row in rows],
        )


@dataclass
class Names:
    female: list[str]
    male: list[str]
    last: list[str]
    towns: list[str]

    @classmethod
    def make(cls, seed: int) -> Names:
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        return cls(
            female=sorted({fake.first_name_female() for _ in range(400)}),
            male=sorted({fake.first_name_male() for _ in range(400)}),
            last=sorted({fake.last_name() for _ in range(900)}),
            towns=sorted({fake.city() for _ in range(400)}),
        )


@dataclass
class Staff:
    director: tuple[int, int]  # (membership id, user id)
    intake: tuple[int, int]
    referents: list[tuple[int, int]]
    company: tuple[int, int]


# ----------------------------------------------------------------------------- generator


class Generator:
    def __init__(self, scale: str, seed: int, progress: Callable[[str], Any]) -> None:
        self.spec = SPECS[scale]
        self.scale = scale
        self.rng = random.Random(seed)
        self.progress = progress
        self.w = Writer()
        self.names = Names.make(seed)
        today = timezone.localdate()
        start = today.replace(year=today.year - self.spec.years, day=1)
        self.cal = Calendar(start, today, today + datetime.timedelta(days=28))
        self.password = make_password(BENCH_PASSWORD)
        self.lines = dict(FundingLine.objects.values_list("code", "pk"))
        from parcours.demo.competency_history import default_framework

        self.framework = default_framework()
        self.competencies = list(
            Competency.objects.filter(framework=self.framework)
            .order_by("position", "pk")
            .values_list("pk", flat=True)
        )
        self.top = self.framework.levels.order_by("-value").values_list("value", flat=True)[0]
        self._moments: dict[tuple[datetime.date, int], datetime.datetime] = {}

    def at(self, day: datetime.date, hour: int = 10) -> datetime.datetime:
        key = (day, hour)
        moment = self._moments.get(key)
        if moment is None:
            moment = self._moments[key] = local_moment(day, datetime.time(hour))
        return moment

    # -- users -----------------------------------------------------------------------

    def user(self, email: str, rows: list[dict], devices: list[dict], *, device: bool = True):
        rng, names = self.rng, self.names
        pk = self.w.new_id(get_user_model())
        female = rng.random() < 0.6
        rows.append(
            {
                "id": pk,
                "email": email,
                "password": self.password,
                "first_name": rng.choice(names.female if female else names.male),
                "last_name": rng.choice(names.last),
                "date_joined": self.at(self.cal.start - datetime.timedelta(days=60)),
            }
        )
        if device:
            devices.append(
                {
                    "id": self.w.new_id(TOTPDevice),
                    "user_id": pk,
                    "name": "Application d'authentification",
                    "confirmed": True,
                    "key": totp_key(email),
                }
            )
        return pk

    # -- the whole run ---------------------------------------------------------------

    def run(self) -> None:
        spec, w, cal = self.spec, self.w, self.cal
        network_id = w.new_id(Network)
        w.write(Network, [{"id": network_id, "name": "Réseau E2C (bench)", "slug": NETWORK_SLUG}])
        users: list[dict] = []
        devices: list[dict] = []
        network_user = self.user(network_email(), users, devices, device=False)
        w.write(get_user_model(), users)
        w.write(
            Membership,
            [
                {
                    "id": w.new_id(Membership),
                    "user_id": network_user,
                    "network_id": network_id,
                    "role": Role.NETWORK,
                    "job_title": "Chargée d'études du réseau",
                    "active_from": cal.start - datetime.timedelta(days=30),
                }
            ],
        )
        sites_per_school = [spec.sites // spec.schools] * spec.schools
        for i in range(spec.sites % spec.schools):
            sites_per_school[i] += 1
        _create_helpers()
        day_rows = []
        for ord_, day in enumerate(cal.days):
            day_rows.append(
                (
                    day,
                    day.weekday(),
                    ord_,
                    local_moment(day, datetime.time(9)),
                    local_moment(day, datetime.time(12, 30)),
                    local_moment(day, datetime.time(13, 30)),
                    local_moment(day, datetime.time(17)),
                    self.at(day - datetime.timedelta(days=7)),
                )
            )
        _fill_helper("scale_day", day_rows)
        _fill_helper(
            "scale_half",
            [
                (0, "am", datetime.time(9), datetime.time(12, 30)),
                (1, "pm", datetime.time(13, 30), datetime.time(17)),
            ],
        )
        started = time.monotonic()
        for number in range(1, spec.schools + 1):
            self.school(number, network_id, sites_per_school[number - 1])
            if number == 1 or number % 10 == 0 or number == spec.schools:
                self.progress(
                    f"  école {number}/{spec.schools} ({time.monotonic() - started:.0f} s)"
                )

    # -- one school --------------------------------------------------------------------

    def school(self, number: int, network_id: int, site_count: int) -> None:
        w, rng, cal, names, spec = self.w, self.rng, self.cal, self.names, self.spec
        slug = school_slug(number)
        school_id = w.new_id(School)
        town = names.towns[number % len(names.towns)]
        dept = f"{(number * 7) % 95 + 1:02d}"
        w.write(
            School,
            [
                {
                    "id": school_id,
                    "network_id": network_id,
                    "slug": slug,
                    "name": f"E2C Bench {number:02d} — {town}",
                    "legal_carrier": f"Association E2C {town}",
                    "label_valid_from": cal.start,
                    "label_valid_until": add_months(cal.today, 36),
                    "opened_on": cal.start - datetime.timedelta(days=365),
                    "pathway_months": 6,
                    "max_pathway_months": 9,
                    "retention_years": 2,
                }
            ],
        )
        # Sites and rooms: one room a group, plus a computer room and a meeting room a site.
        sites, rooms = [], []
        group_sites = [i % site_count for i in range(spec.groups_per_school)]
        group_rooms: list[tuple[int, int]] = []
        communes = [(f"{dept}{100 + 10 * i:03d}", names.towns[(number * 5 + i) % len(names.towns)])
                    for i in range(site_count)]  # fmt: skip
        site_ids = []
        for index in range(site_count):
            site_id = w.new_id(Site)
            site_ids.append(site_id)
            postcode, commune = communes[index]
            sites.append(
                {
                    "id": site_id,
                    "school_id": school_id,
                    "name": f"Site de {commune}" if index else f"Site principal — {commune}",
                    "address": f"{rng.randint(1, 120)} rue de la République",
                    "postcode": postcode,
                    "commune": commune,
                    "surface_m2": rng.randint(400, 1400),
                    "opened_on": cal.start - datetime.timedelta(days=365),
                }
            )
            for kind, name, computers in (
                ("computer", "Salle informatique", 12),
                ("meeting", "Bureau d'entretien", 0),
            ):
                rooms.append(
                    {
                        "id": w.new_id(Room),
                        "school_id": school_id,
                        "site_id": site_id,
                        "name": name,
                        "kind": kind,
                        "capacity": 14 if computers else 4,
                        "computers": computers,
                        "step_free": True,
                    }
                )
        for group, site_index in enumerate(group_sites):
            room_id = w.new_id(Room)
            group_rooms.append((site_ids[site_index], room_id))
            rooms.append(
                {
                    "id": room_id,
                    "school_id": school_id,
                    "site_id": site_ids[site_index],
                    "name": f"Salle {chr(65 + group)}",
                    "kind": "multipurpose",
                    "capacity": 24,
                    "computers": 0,
                    "step_free": group % 2 == 0,
                }
            )
        w.write(Site, sites)
        w.write(Room, rooms)

        # Staff: direction, intake, 3–6 referents, company relations; 2FA devices.
        users: list[dict] = []
        devices: list[dict] = []
        memberships: list[dict] = []
        active_from = cal.start - datetime.timedelta(days=30)

        def member(role: str, email: str, title: str) -> tuple[int, int]:
            user_id = self.user(email, users, devices)
            pk = w.new_id(Membership)
            memberships.append(
                {
                    "id": pk,
                    "user_id": user_id,
                    "network_id": network_id,
                    "school_id": school_id,
                    "role": role,
                    "job_title": title,
                    "active_from": active_from,
                }
            )
            return pk, user_id

        referent_count = 6 if spec.schools == 1 else rng.randint(3, 6)
        staff = Staff(
            director=member(Role.DIRECTOR, extra_staff_email("director", slug, 1), "Direction"),
            intake=member(Role.INTAKE, extra_staff_email("intake", slug, 1), "Chargé·e d'accueil"),
            referents=[
                member(
                    Role.REFERENT,
                    extra_staff_email("referent", slug, n),
                    "Formateur·rice référent·e",
                )
                for n in range(1, referent_count + 1)
            ],
            company=member(
                Role.COMPANY_RELATIONS,
                extra_staff_email("company_relations", slug, 1),
                "Chargé·e de relations entreprises",
            ),
        )
        w.write(get_user_model(), users)
        w.write(TOTPDevice, devices)
        w.write(Membership, memberships)

        # Partners: every prescriber type, and funders with a yearly agreement each.
        partners, agreements = [], []
        prescribers: dict[str, int] = {}
        region = f"Région {dept}"
        for kind, _weight, pattern in PRESCRIBERS:
            if kind is None:
                continue
            pk = w.new_id(Partner)
            prescribers[kind] = pk
            partners.append(
                {
                    "id": pk,
                    "school_id": school_id,
                    "name": pattern.format(town=town, dept=dept),
                    "is_prescriber": True,
                    "prescriber_type": kind,
                    "commune": town,
                    "email": f"contact@{kind.replace('_', '-')}.bench.example.org",
                }
            )
        for kind, pattern, amount in FUNDERS:
            pk = w.new_id(Partner)
            partners.append(
                {
                    "id": pk,
                    "school_id": school_id,
                    "name": pattern.format(town=town, dept=dept, region=region),
                    "is_funder": True,
                    "funder_type": kind,
                    "commune": town,
                }
            )
            for year in range(cal.start.year, cal.today.year + 1):
                agreements.append(
                    {
                        "id": w.new_id(FundingAgreement),
                        "school_id": school_id,
                        "funder_id": pk,
                        "year": year,
                        "amount_eur": amount + Decimal(rng.randint(-20, 20) * 1000),
                        "purpose": "Fonctionnement de l'école",
                        "target_trainees": spec.groups_per_school * spec.places * 2,
                    }
                )
        w.write(Partner, partners)
        w.write(FundingAgreement, agreements)

        # Reference data of the school.
        phases = [w.new_id(PhaseDefinition) for _ in DEFAULT_PHASES]
        w.write(
            PhaseDefinition,
            [
                {"id": pk, "school_id": school_id, "position": i + 1, "name": name, "active": True}
                for i, (pk, name) in enumerate(zip(phases, DEFAULT_PHASES, strict=True))
            ],
        )
        workshops = []
        group_workshops = []
        for position, (name, computers) in enumerate(DEFAULT_WORKSHOP_TYPES):
            pk = w.new_id(WorkshopType)
            workshops.append(
                {
                    "id": pk,
                    "school_id": school_id,
                    "name": name,
                    "needs_computers": computers,
                    "active": True,
                    "position": position,
                }
            )
            if not computers and name != "Entretien individuel":
                group_workshops.append(pk)
        w.write(WorkshopType, workshops)
        _fill_helper(
            "scale_workshop", [(school_id, i, pk) for i, pk in enumerate(group_workshops[:5])]
        )
        w.write(
            SchoolFramework,
            [
                {
                    "id": w.new_id(SchoolFramework),
                    "school_id": school_id,
                    "framework_id": self.framework.pk,
                }
            ],
        )
        director_user = staff.director[1]
        closed = []
        month = cal.start.replace(day=1)
        this_month = cal.today.replace(day=1)
        while month < this_month:
            following = add_months(month, 1)
            closed.append(
                {
                    "id": w.new_id(ClosedMonth),
                    "school_id": school_id,
                    "month": month,
                    "closed_at": self.at(following + datetime.timedelta(days=4), 11),
                    "closed_by_id": director_user,
                }
            )
            month = following
        w.write(ClosedMonth, closed)

        companies = self.companies(school_id, staff, town, dept)
        self.trainees(school_id, slug, staff, group_rooms, prescribers, phases, companies, communes)

    # -- companies ---------------------------------------------------------------------

    def companies(self, school_id: int, staff: Staff, town: str, dept: str) -> list[tuple]:
        w, rng, names, cal = self.w, self.rng, self.names, self.cal
        count = max(12, self.spec.groups_per_school * self.spec.places * 2)
        companies, contacts, result = [], [], []
        for index in range(count):
            pk = w.new_id(Company)
            name = f"{rng.choice(names.last)} {rng.choice(['SARL', 'SAS', 'et fils', 'Services', 'Distribution', 'Bâtiment'])}"  # noqa: E501
            companies.append(
                {
                    "id": pk,
                    "school_id": school_id,
                    "name": name,
                    "siret": f"{school_id:04d}{index:010d}",
                    "sector": SECTORS[index % len(SECTORS)],
                    "size": rng.choice(["micro", "small", "medium", "large"]),
                    "address": f"{rng.randint(1, 200)} avenue {rng.choice(names.last)}",
                    "postcode": f"{dept}000",
                    "commune": town,
                    "phone": f"04 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",  # noqa: E501
                    "email": f"contact{index}@entreprise{school_id}.bench.example.org",
                    "created_by_id": staff.company[1],
                    "created_at": self.at(cal.start + datetime.timedelta(days=rng.randint(0, 300))),
                }
            )
            tutor = w.new_id(Contact)
            contact_ids = [tutor]
            contacts.append(
                {
                    "id": tutor,
                    "school_id": school_id,
                    "company_id": pk,
                    "last_name": rng.choice(names.last),
                    "first_name": rng.choice(names.female + names.male),
                    "job_title": "Responsable d'équipe",
                    "email": f"tuteur{index}@entreprise{school_id}.bench.example.org",
                    "is_tutor": True,
                    "is_signatory": True,
                    "active": True,
                }
            )
            for extra in range(rng.randint(0, 2)):
                cid = w.new_id(Contact)
                contact_ids.append(cid)
                contacts.append(
                    {
                        "id": cid,
                        "school_id": school_id,
                        "company_id": pk,
                        "last_name": rng.choice(names.last),
                        "first_name": rng.choice(names.female + names.male),
                        "job_title": "Ressources humaines" if extra == 0 else "Chef·fe d'atelier",
                        "is_hr": extra == 0,
                        "is_tutor": extra == 1,
                        "active": True,
                    }
                )
            result.append((pk, name, contact_ids))
        w.write(Company, companies)
        w.write(Contact, contacts)
        return result

    # -- trainees --------------------------------------------------------------------

    def trainees(
        self,
        school_id: int,
        slug: str,
        staff: Staff,
        group_rooms: list[tuple[int, int]],
        prescribers: dict[str, int],
        phases: list[int],
        companies: list[tuple],
        communes: list[tuple[str, str]],
    ) -> None:
        w, rng, cal, names, spec = self.w, self.rng, self.cal, self.names, self.spec
        day = datetime.timedelta(days=1)
        rows: dict[type, list[dict]] = {
            m: []
            for m in (
                Person,
                Referral,
                Interview,
                Decision,
                Enrolment,
                EntrySituation,
                EnrolmentPhase,
                EnrolmentFundingLine,
                Internship,
                TutorReview,
                Exit,
                ExitFollowUp,
                Assessment,
                Evidence,
            )
        }
        groups, series, members, aways = [], [], [], []
        intake_member, intake_user = staff.intake
        prescriber_kinds = [k for k, _w, _p in PRESCRIBERS]
        prescriber_weights = [wt for _k, wt, _p in PRESCRIBERS]
        exit_weights = [wt for _c, wt, _r in EXITS]
        pmsmp_partners = [
            prescribers[k] for k in ("mission_locale", "france_travail", "cap_emploi")
        ]

        def person(entry: datetime.date, site_index: int) -> tuple[int, dict]:
            female = rng.random() < 0.44
            age_days = int(rng.triangular(16 * 365.25 + 20, 26 * 365.25 - 20, 19.5 * 365.25))
            birth = entry - datetime.timedelta(days=age_days)
            pk = w.new_id(Person)
            postcode, commune = communes[site_index]
            row = {
                "id": pk,
                "school_id": school_id,
                "last_name": rng.choice(names.last),
                "first_name": rng.choice(names.female if female else names.male),
                "birth_date": birth,
                "gender": "F" if female else "M",
                "email": f"stagiaire{pk}@bench.example.org" if rng.random() < 0.8 else "",
                "phone": f"+336{rng.randint(10000000, 99999999)}" if rng.random() < 0.9 else "",
                "address": f"{rng.randint(1, 150)} rue {rng.choice(names.last)}",
                "postcode": postcode,
                "commune": commune,
                "needs_step_free": rng.random() < 0.02,
                "created_at": self.at(entry - datetime.timedelta(days=40)),
            }
            rows[Person].append(row)
            return pk, row

        def referral(person_id: int, received: datetime.date, kind: str | None, qpv: str) -> int:
            pk = w.new_id(Referral)
            rows[Referral].append(
                {
                    "id": pk,
                    "school_id": school_id,
                    "person_id": person_id,
                    "prescriber_id": prescribers[kind] if kind else None,
                    "channel": "spontaneous"
                    if kind is None
                    else rng.choice(["online", "mail", "phone"]),
                    "received_on": received,
                    "job_seeker_status": rng.choice(["registered", "not_registered", "inactive"]),
                    "qpv_code": qpv,
                    "stage": "referred",
                    "created_by_id": intake_user,
                    "created_at": self.at(received, 9),
                    "updated_at": self.at(received, 9),
                }
            )
            return pk

        for group in range(spec.groups_per_school):
            site_id, room_id = group_rooms[group]
            group_id = w.new_id(SessionSeries)  # the group's number: its first series' id
            trainer_member, trainer_user = staff.referents[group % len(staff.referents)]
            series_ids = [group_id] + [w.new_id(SessionSeries) for _ in range(4)]
            groups.append(
                (group_id, school_id, site_id, room_id, trainer_member, trainer_user,
                 cal.days[0], cal.horizon)
            )  # fmt: skip
            for weekday, sid in enumerate(series_ids):
                first = cal.next_open(
                    cal.start + datetime.timedelta(days=(weekday - cal.start.weekday()) % 7)
                )
                series.append((sid, group_id, weekday))
                rows.setdefault(SessionSeries, []).append(
                    {
                        "id": sid,
                        "school_id": school_id,
                        "weekday": weekday,
                        "first_day": first,
                        "last_day": cal.horizon,
                        "created_by_id": trainer_user,
                        "created_at": self.at(cal.start - datetime.timedelta(days=7)),
                    }
                )
            for _place in range(spec.places):
                t = cal.start + datetime.timedelta(days=rng.randint(0, 150))
                while True:
                    entry = cal.next_open(t)
                    if entry >= cal.today:
                        break
                    self.stay(
                        rows, members, aways, school_id, site_id, group_id, staff, entry,
                        person, referral, prescriber_kinds, prescriber_weights, exit_weights,
                        phases, companies, pmsmp_partners, intake_member, intake_user,
                    )  # fmt: skip
                    last = rows[Enrolment][-1]
                    if last["ended_on"] is None:
                        break
                    t = last["ended_on"] + day * rng.randint(2, 14)

        # A few candidacies that did not lead to an entry, and the current pipeline.
        extra = len(rows[Enrolment]) // 5
        for n in range(extra):
            received = cal.start + datetime.timedelta(
                days=rng.randint(0, (cal.today - cal.start).days - 1)
            )
            person_id, _row = person(received + datetime.timedelta(days=30), n % len(communes))
            kind = rng.choices(prescriber_kinds, prescriber_weights)[0]
            pk = referral(person_id, received, kind, "")
            ref = rows[Referral][-1]
            recent = (cal.today - received).days < 45
            if recent:
                ref["stage"] = rng.choice(["referred", "info_session", "interview"])
            else:
                outcome = rng.choice(["refused", "withdrawn", "withdrawn", "postponed"])
                ref["stage"] = "decision"
                ref["outcome"] = outcome
                decided = min(received + day * rng.randint(10, 30), cal.today)
                rows[Decision].append(
                    {
                        "id": w.new_id(Decision),
                        "school_id": school_id,
                        "referral_id": pk,
                        "outcome": outcome,
                        "decided_on": decided,
                        "decided_by_id": intake_user,
                        "reason": "Décision de la commission",
                        "created_at": self.at(decided, 15),
                    }
                )

        for model in (Person, Referral, Interview, Decision):
            w.write(model, rows.pop(model))
        w.write(SessionSeries, rows.pop(SessionSeries, []))
        for model, model_rows in rows.items():
            w.write(model, model_rows)
        _fill_helper(
            "scale_group", [(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]) for g in groups]
        )
        _fill_helper("scale_series", series)
        _fill_helper("scale_member", members)
        _fill_helper("scale_away", aways)

    # -- one stay -----------------------------------------------------------------------

    def stay(
        self, rows, members, aways, school_id, site_id, group_id, staff, entry, person,
        referral, prescriber_kinds, prescriber_weights, exit_weights, phases, companies,
        pmsmp_partners, intake_member, intake_user,
    ) -> None:  # fmt: skip
        w, rng, cal = self.w, self.rng, self.cal
        day = datetime.timedelta(days=1)
        r = rng.random()
        if r < 0.18:
            length = rng.randint(20, 90)
        elif r < 0.85:
            length = rng.randint(130, 210)
        else:
            length = rng.randint(210, 265)
        end = cal.previous_open(entry + day * length, entry)
        planned_end = add_months(entry, 6) - day
        active = end >= cal.today
        site_index = 0
        person_id, prow = person(entry, site_index)  # the school's main commune
        kind = rng.choices(prescriber_kinds, prescriber_weights)[0]
        qpv = f"QN0{rng.randint(10, 95)}{rng.randint(100, 999)}M" if rng.random() < 0.28 else ""
        received = entry - day * rng.randint(15, 60)
        referral_id = referral(person_id, received, kind, qpv)
        ref = rows[Referral][-1]
        ref["stage"], ref["outcome"] = "entered", "admitted"
        ref["updated_at"] = self.at(entry, 9)
        decided = entry - day * rng.randint(2, 10)
        interviewed = decided - day * rng.randint(1, 5)
        if interviewed < received:
            interviewed = received
        if decided < received:
            decided = received
        rows[Interview].append(
            {
                "id": w.new_id(Interview),
                "school_id": school_id,
                "referral_id": referral_id,
                "held_at": self.at(interviewed, 14),
                "interviewer_id": intake_member,
                "created_by_id": intake_user,
                "created_at": self.at(interviewed, 15),
            }
        )
        rows[Decision].append(
            {
                "id": w.new_id(Decision),
                "school_id": school_id,
                "referral_id": referral_id,
                "outcome": "admitted",
                "decided_on": decided,
                "decided_by_id": intake_user,
                "planned_entry_date": entry,
                "site_id": site_id,
                "created_at": self.at(decided, 16),
            }
        )
        enrolment_id = w.new_id(Enrolment)
        referent_member, referent_user = rng.choice(staff.referents)
        rows[Enrolment].append(
            {
                "id": enrolment_id,
                "school_id": school_id,
                "person_id": person_id,
                "site_id": site_id,
                "referent_id": referent_member,
                "referral_id": referral_id,
                "entry_date": entry,
                "planned_end_date": planned_end,
                "status": "active" if active else "exited",
                "ended_on": None if active else end,
                "created_at": self.at(entry, 9),
            }
        )
        diploma = rng.choices(["none", "3", "4", "5+"], [55, 30, 13, 2])[0]

        def answer(p: float) -> str:
            if rng.random() < p:
                return "yes"
            return "declined" if rng.random() < 0.05 else "no"

        rows[EntrySituation].append(
            {
                "id": w.new_id(EntrySituation),
                "school_id": school_id,
                "enrolment_id": enrolment_id,
                "gender": prow["gender"],
                "birth_date": prow["birth_date"],
                "address": prow["address"],
                "postcode": prow["postcode"],
                "commune": prow["commune"],
                "qpv_code": qpv,
                "qpv_checked_on": entry if qpv else None,
                "diploma_level": diploma,
                "left_school_on": entry - day * rng.randint(365, 2500),
                "job_seeker_status": ref["job_seeker_status"],
                "rqth": answer(0.06),
                "receives_rsa": answer(0.08),
                "driving_licence": rng.random() < 0.15,
                "jobless_household": answer(0.3),
                "single_parent": answer(0.07),
                "homeless": answer(0.04),
                "foreign_origin": answer(0.2),
                "recorded_at": self.at(entry, 11),
            }
        )
        lines = ["region"]
        if kind == "plie":
            lines.append("plie")
        if qpv:
            lines.append("politique_ville")
        if rng.random() < 0.3:
            lines.append("fse_plus")
        for code in lines:
            if code in self.lines:
                rows[EnrolmentFundingLine].append(
                    {
                        "id": w.new_id(EnrolmentFundingLine),
                        "school_id": school_id,
                        "enrolment_id": enrolment_id,
                        "funding_line_id": self.lines[code],
                    }
                )
        # Phases at 0, 15 %, 45 % and 80 % of the stay.
        stay_days = (
            max(1, (min(end, cal.today) - entry).days) if active else max(1, (end - entry).days)
        )
        full = max(stay_days, (planned_end - entry).days) if active else stay_days
        starts = [entry + day * int(full * f) for f in (0, 0.15, 0.45, 0.8)]
        limit = cal.today if active else end
        starts = [s for s in starts if s <= limit]
        for i, started in enumerate(starts):
            last = i == len(starts) - 1
            ended = (
                None if (last and active) else (end if last else max(started, starts[i + 1] - day))
            )
            rows[EnrolmentPhase].append(
                {
                    "id": w.new_id(EnrolmentPhase),
                    "school_id": school_id,
                    "enrolment_id": enrolment_id,
                    "phase_id": phases[i],
                    "started_on": started,
                    "ended_on": ended,
                    "moved_by_id": referent_user,
                    "created_at": self.at(started, 12),
                }
            )
        # Sessions: the group's, from entry to the end (for an active stay: the planned end,
        # at least the timetable's horizon when overdue). Marks: up to yesterday.
        last_day = end if not active else (planned_end if planned_end >= cal.today else cal.horizon)
        last_day = min(last_day, cal.horizon)
        rate = int(rng.choice([25, 40, 60, 80, 120, 180, 260]))
        members.append((enrolment_id, group_id, school_id, entry, last_day, rate, referent_user))
        # Internships: 0–2 within the stay, each 2–4 weeks.
        company_user = staff.company[1]
        cursor = entry + day * rng.randint(25, 45)
        horizon = last_day
        n = 0
        while n < 2 and cursor + day * 20 < horizon - day * 5:
            span = rng.randint(10, 25)
            start, stop = cursor, min(cursor + day * span, horizon - day * 5)
            company_id, _name, contact_ids = rng.choice(companies)
            job, rome = rng.choice(JOBS)
            pmsmp = rng.random() < 0.25
            cancelled = rng.random() < 0.05
            internship_id = w.new_id(Internship)
            created = start - day * 10
            rows[Internship].append(
                {
                    "id": internship_id,
                    "school_id": school_id,
                    "enrolment_id": enrolment_id,
                    "kind": "pmsmp" if pmsmp else "internship",
                    "company_id": company_id,
                    "tutor_id": contact_ids[-1] if len(contact_ids) == 3 else contact_ids[0],
                    "signatory_id": contact_ids[0],
                    "prescriber_id": rng.choice(pmsmp_partners) if pmsmp else None,
                    "job_title": job,
                    "rome_code": rome,
                    "start_date": start,
                    "end_date": stop,
                    "weekly_hours": Decimal("35.0"),
                    "schedule": "Du lundi au vendredi, 9 h – 12 h et 14 h – 18 h",
                    "tasks": f"Découverte du métier : {job.lower()}.",
                    "created_by_id": company_user,
                    "created_at": self.at(created),
                    "cancelled_at": self.at(start - day * 2) if cancelled else None,
                    "cancel_reason": "company" if cancelled else "",
                }
            )
            if not cancelled:
                aways.append((enrolment_id, school_id, start, stop, referent_user))
                if stop < cal.today - day * 5 and rng.random() < 0.5:
                    rows[TutorReview].append(
                        {
                            "id": w.new_id(TutorReview),
                            "school_id": school_id,
                            "internship_id": internship_id,
                            "punctuality": rng.choice([2, 3, 3, 4]),
                            "attitude": rng.choice([2, 3, 4, 4]),
                            "tasks_mastered": "Mise en rayon, accueil des clients.",
                            "would_hire": rng.choice(["yes", "maybe", "no"]),
                            "reviewer_name": "Tuteur·rice de l'entreprise",
                            "source": "call",
                            "recorded_by_id": company_user,
                            "submitted_at": self.at(stop + day * 3, 15),
                        }
                    )
            cursor = stop + day * rng.randint(30, 60)
            n += 1
        # Competencies: positioning on all at entry, then about three assessments a month.
        levels: dict[int, int] = {}
        assessed = min(end, cal.today - day)
        first = min(entry + day * rng.randint(2, 8), assessed)
        for competency in self.competencies:
            level = rng.choice([1, 1, 2])
            levels[competency] = level
            self.assessment(rows, school_id, enrolment_id, competency, "positioning", level,
                            first, referent_member, referent_user, "positioning")  # fmt: skip
        moment = first + day * 20
        while moment <= assessed:
            for competency in rng.sample(self.competencies, 3):
                level = min(self.top, levels[competency] + (rng.random() < 0.4))
                levels[competency] = level
                self.assessment(rows, school_id, enrolment_id, competency, "assessment", level,
                                moment, referent_member, referent_user,
                                rng.choice(["workshop", "workshop", "project", "internship",
                                            "school_life"]))  # fmt: skip
            moment += day * rng.randint(20, 40)
        if active:
            return
        # Exit and follow-ups.
        if length < 90:
            code = rng.choices([c for c, _ in EARLY_EXITS], [wt for _, wt in EARLY_EXITS])[0]
            months_range = None
        else:
            code, _wt, months_range = rng.choices(EXITS, exit_weights)[0]
        if code == "alternance":
            code = rng.choice(["apprentissage", "professionnalisation"])
        months = None
        if code in LENGTH_REQUIRED or months_range:
            lo, hi = months_range or (1, 12)
            months = rng.randint(lo, hi)
        exit_id = w.new_id(Exit)
        rows[Exit].append(
            {
                "id": exit_id,
                "school_id": school_id,
                "enrolment_id": enrolment_id,
                "exit_date": end,
                "destination": code,
                "months": months,
                "days": 0,
                "organisation": rng.choice(companies)[1] if code in WITH_ORGANISATION else "",
                "dropout_reason": rng.choice(["motivation", "personnel", "financier", "mobilite"])
                if code == "abandon"
                else "",
                "recorded_by_id": referent_user,
                "recorded_at": self.at(end, 17),
            }
        )
        for wave in (3, 6, 12):
            due = add_months(end, wave)
            if due > cal.today:
                break
            r = rng.random()
            status = "reached" if r < 0.6 else ("unreachable" if r < 0.8 else "due")
            if due > cal.today - day * 30:
                status = "due"
            contacted = due + day * rng.randint(0, 20) if status == "reached" else None
            if contacted and contacted > cal.today:
                contacted = cal.today
            situation = rng.choices(EXITS, exit_weights)[0][0] if status == "reached" else ""
            if situation == "alternance":
                situation = "apprentissage"
            if situation == "abandon":
                situation = "recherche_emploi"
            rows[ExitFollowUp].append(
                {
                    "id": w.new_id(ExitFollowUp),
                    "school_id": school_id,
                    "exit_id": exit_id,
                    "wave": wave,
                    "due_on": due,
                    "status": status,
                    "created_at": self.at(due, 6),
                    "contacted_on": contacted,
                    "situation": situation,
                    "months": rng.randint(1, 12) if situation in LENGTH_REQUIRED else None,
                    "recorded_by_id": referent_user if status != "due" else None,
                    "recorded_at": self.at(contacted or due, 16) if status != "due" else None,
                }
            )

    def assessment(self, rows, school_id, enrolment_id, competency, kind, level, day,
                   assessor, recorder, context) -> None:  # fmt: skip
        pk = self.w.new_id(Assessment)
        recorded = self.at(day, 16)
        rows[Assessment].append(
            {
                "id": pk,
                "school_id": school_id,
                "enrolment_id": enrolment_id,
                "competency_id": competency,
                "kind": kind,
                "level": level,
                "assessed_on": day,
                "assessor_id": assessor,
                "context": context,
                "recorded_by_id": recorder,
                "recorded_at": recorded,
            }
        )
        if kind != "positioning" and self.rng.random() < 0.2:
            rows[Evidence].append(
                {
                    "id": self.w.new_id(Evidence),
                    "school_id": school_id,
                    "assessment_id": pk,
                    "kind": "note",
                    "note": self.rng.choice(NOTES),
                    "created_at": recorded,
                }
            )

    def level_spans(self) -> None:
        """The stored levels of the assessments written above (``competencies.LevelSpan``),
        computed by the application's own code (``competencies.stored_levels``, hence
        ``competencies.levels``) a group of enrolments at a time, written by COPY."""
        from parcours.competencies.models import LevelSpan
        from parcours.competencies.stored_levels import computed

        w = self.w
        started = time.monotonic()
        enrolments = Enrolment.objects.order_by().values_list("pk", flat=True)
        with DroppedIndexes(LevelSpan):
            for _group, spans in computed(enrolments, Assessment.objects.all(), chunk=2000):
                w.write(LevelSpan, [{"id": w.new_id(LevelSpan), **span} for span in spans])
        n = w.counts.get(LevelSpan._meta.db_table, 0)
        self.progress(f"  niveaux enregistrés : {n} ({time.monotonic() - started:.0f} s)")

    # -- the big tables, in SQL ----------------------------------------------------------

    def timetable(self) -> None:
        w, today = self.w, _db(self.cal.today)
        analyse = is_postgres()
        if analyse:
            for name in HELPERS:
                w.execute(f"ANALYZE {name}")
        started = time.monotonic()
        with DroppedIndexes(Session):
            n = w.execute(
                "INSERT INTO schedule_session (school_id, site_id, room_id, workshop_type_id, "
                "title, day, start_time, end_time, starts_at, ends_at, trainer_id, "
                "needs_computers, series_id, created_by_id, created_at) "
                "SELECT g.school_id, g.site_id, g.room_id, wk.workshop_type_id, '', d.day, "
                "h.start_time, h.end_time, "
                "CASE WHEN h.n = 0 THEN d.am_start ELSE d.pm_start END, "
                "CASE WHEN h.n = 0 THEN d.am_end ELSE d.pm_end END, "
                "g.trainer_id, FALSE, ss.series_id, g.created_by, d.created_at "
                "FROM scale_group g "
                "JOIN scale_day d ON d.day BETWEEN g.first_day AND g.last_day "
                "JOIN scale_series ss ON ss.group_id = g.id AND ss.weekday = d.weekday "
                "CROSS JOIN scale_half h "
                "JOIN scale_workshop wk ON wk.school_id = g.school_id "
                "AND wk.idx = (d.ord * 2 + h.n + g.id) % 5 "
                "ORDER BY d.day, g.id, h.n"
            )
        w.counts["schedule_session"] = n
        self.progress(f"  séances : {n} ({time.monotonic() - started:.0f} s)")
        if analyse:
            w.execute("ANALYZE schedule_session")
        started = time.monotonic()
        # PostgreSQL hashes the sessions and probes them from each member's school days;
        # SQLite (nested loops only) walks the sessions and the members of their group.
        source = (
            "FROM scale_member m "
            "JOIN scale_day d ON d.day BETWEEN m.first_day AND m.last_day "
            "JOIN scale_series ss ON ss.group_id = m.group_id AND ss.weekday = d.weekday "
            "JOIN schedule_session s ON s.series_id = ss.series_id AND s.day = d.day "
            if analyse
            else "FROM schedule_session s "
            "JOIN scale_series ss ON ss.series_id = s.series_id "
            "JOIN scale_member m ON m.group_id = ss.group_id "
            "AND s.day BETWEEN m.first_day AND m.last_day "
        )
        with DroppedIndexes(SessionTrainee):
            n = w.execute(
                "".join(
                    (
                        "INSERT INTO schedule_sessiontrainee (school_id, session_id, enrolment_id) "
                        "SELECT m.school_id, s.id, m.enrolment_id ",
                        source,
                        "WHERE NOT EXISTS (SELECT 1 FROM scale_away a WHERE a.enrolment_id = "
                        "m.enrolment_id AND s.day BETWEEN a.first_day AND a.last_day)",
                    )
                )
            )
        w.counts["schedule_sessiontrainee"] = n
        self.progress(f"  participants : {n} ({time.monotonic() - started:.0f} s)")
        if analyse:
            w.execute("ANALYZE schedule_sessiontrainee")
        reason = (
            "CASE x.h %% 6 "
            + " ".join(f"WHEN {i} THEN '{code}'" for i, code in enumerate(REASONS))
            + " END"
        )
        started = time.monotonic()
        with DroppedIndexes(AttendanceMark):
            n = w.execute(
                "INSERT INTO schedule_attendancemark (school_id, enrolment_id, day, half, "
                "status, reason, session_id, recorded_by_id, recorded_at, updated_at) "
                "SELECT x.school_id, x.enrolment_id, x.day, x.half, "
                "CASE WHEN x.h < x.rate * 45 / 100 THEN 'unexcused' "
                "WHEN x.h < x.rate THEN 'excused' WHEN x.h < x.rate + 40 THEN 'late' "
                "WHEN x.h < x.rate + 46 THEN 'holiday' ELSE 'present' END, "
                "CASE WHEN x.h >= x.rate * 45 / 100 AND x.h < x.rate THEN REASON "
                "ELSE '' END, x.session_id, x.recorder_id, x.ends_at, x.ends_at "
                "FROM (SELECT st.school_id, st.enrolment_id, s.day, s.id AS session_id, "
                "CASE WHEN s.start_time < '12:45:00' THEN 'am' ELSE 'pm' END AS half, "
                "m.rate, m.recorder_id, s.ends_at, "
                "((st.enrolment_id %% 1009) * 7919 + (s.id %% 1013) * 104729 "
                ") %% 1000 AS h "
                "FROM schedule_sessiontrainee st "
                "JOIN schedule_session s ON s.id = st.session_id "
                "JOIN scale_member m ON m.enrolment_id = st.enrolment_id "
                "WHERE s.day < %s) x".replace("REASON", reason),
                [today],
            )
            n += w.execute(
                "INSERT INTO schedule_attendancemark (school_id, enrolment_id, day, half, "
                "status, reason, session_id, recorded_by_id, recorded_at, updated_at) "
                "SELECT a.school_id, a.enrolment_id, d.day, h.half, 'company', '', NULL, "
                "a.recorder_id, d.pm_end, d.pm_end "
                "FROM scale_away a JOIN scale_day d ON d.day BETWEEN a.first_day AND a.last_day "
                "CROSS JOIN scale_half h WHERE d.day < %s",
                [today],
            )
        w.counts["schedule_attendancemark"] = n
        self.progress(f"  émargements : {n} ({time.monotonic() - started:.0f} s)")


# ----------------------------------------------------------------------------- report


def database_size() -> int:
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    # The file's size (page count × page size: also right for an in-memory test database).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_size")
        return pages * int(cursor.fetchone()[0])


COUNTED = [
    "organisations_school", "organisations_site", "organisations_room", "accounts_user",
    "organisations_membership", "organisations_partner", "organisations_fundingagreement",
    "people_person", "intake_referral", "intake_interview", "intake_decision",
    "pathways_enrolment", "pathways_entrysituation", "pathways_enrolmentphase",
    "pathways_enrolmentfundingline", "schedule_sessionseries", "schedule_session",
    "schedule_sessiontrainee", "schedule_attendancemark", "schedule_closedmonth",
    "companies_company", "companies_contact", "companies_internship", "companies_tutorreview",
    "competencies_assessment", "competencies_evidence", "competencies_levelspan", "outcomes_exit",
    "outcomes_exitfollowup",
]  # fmt: skip


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in COUNTED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 — names above
            counts[table] = int(cursor.fetchone()[0])
    return counts


def sanity() -> dict[str, Any]:
    """Checks the generated data: marks inside their stay, group sizes, exits, key figures."""
    from parcours.reporting.indicators import key_figures
    from parcours.reporting.periods import Period

    checks: dict[str, Any] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM schedule_attendancemark a "
            "JOIN pathways_enrolment e ON e.id = a.enrolment_id "
            "WHERE a.day < e.entry_date OR (e.ended_on IS NOT NULL AND a.day > e.ended_on)"
        )
        checks["marks_outside_stay"] = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT COUNT(*) FROM pathways_enrolment e LEFT JOIN outcomes_exit x "
            "ON x.enrolment_id = e.id WHERE e.status = 'exited' AND x.id IS NULL"
        )
        checks["exited_without_exit"] = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT COUNT(*) FROM schedule_attendancemark a LEFT JOIN schedule_session s "
            "ON s.id = a.session_id WHERE a.session_id IS NOT NULL AND s.id IS NULL"
        )
        checks["marks_without_session"] = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT AVG(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM schedule_sessiontrainee "
            "GROUP BY session_id) t"
        )
        avg, top = cursor.fetchone()
        checks["trainees_per_session"] = {"mean": round(float(avg or 0), 1), "max": top}
    school = School.objects.order_by("pk").first()
    if school is not None:
        year = timezone.localdate().year - 1
        figures = key_figures(school, Period.year(year))
        checks["key_figures"] = {
            "school": school.slug,
            "year": year,
            "trainees": figures.trainees,
            "women_pct": figures.women.pct,
            "staff": figures.staff,
            "sites": figures.sites,
        }
    checks["ok"] = (
        checks["marks_outside_stay"] == 0
        and checks["exited_without_exit"] == 0
        and checks["marks_without_session"] == 0
    )
    return checks


def generate(scale: str, *, seed: int = 12, progress: Callable[[str], Any] = print) -> dict:
    """Generate ``scale`` (``school``, ``network`` or ``tiny``) into the default database and
    return the report: seconds, row counts per table, database size, sanity checks."""
    if scale not in SCALES:
        raise ValueError(f"Échelle inconnue : {scale} (school, network ou tiny).")
    refuse_unless_fresh()
    started = time.monotonic()
    progress(f"Génération « {scale} » (graine {seed}) sur {connection.vendor}…")
    generator = Generator(scale, seed, progress)
    pg = is_postgres()
    if pg:
        generator.w.execute("SET session_replication_role = replica")
        generator.w.execute("SET maintenance_work_mem = '256MB'")
        generator.w.execute("SET work_mem = '64MB'")
    try:
        # SQLite: one transaction (autocommit would commit every row of an executemany);
        # PostgreSQL: one transaction a statement (no huge deferred-trigger queue).
        with contextlib.nullcontext() if pg else transaction.atomic():
            generator.run()
            python_seconds = time.monotonic() - started
            progress(f"  lignes écrites depuis Python ({python_seconds:.0f} s)")
            generator.timetable()
            generator.level_spans()
            generator.w.reset_sequences()
    finally:
        if pg:
            for setting in ("session_replication_role", "maintenance_work_mem", "work_mem"):
                generator.w.execute(f"RESET {setting}")
        with connection.cursor() as cursor:
            for name in HELPERS:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
    load_seconds = time.monotonic() - started
    generator.w.execute("ANALYZE")
    seconds = time.monotonic() - started
    progress(f"  ANALYZE terminé ({seconds:.0f} s)")
    report = {
        "scale": scale,
        "seed": seed,
        "vendor": connection.vendor,
        "today": timezone.localdate().isoformat(),
        "seconds": round(seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "rows": row_counts(),
        "database_bytes": database_size(),
        "sanity": sanity(),
    }
    from .extras import add_extras

    report["extras"] = add_extras(seed=seed, progress=progress)
    report["seconds"] = round(time.monotonic() - started, 1)
    report["database_bytes"] = database_size()
    report["database_mb"] = round(report["database_bytes"] / 1e6, 1)
    report["sanity"]["ok"] = report["sanity"]["ok"] and report["extras"]["sanity"]["ok"]
    return report
