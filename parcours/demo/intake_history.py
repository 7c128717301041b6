"""E2C Puy-de-Dôme's intake history 2017–2019, and a small pipeline around today (demo data).

Referrals from the Mission Locale, France Travail, the PLIE, Cap emploi, the département and
spontaneous applications go through an information session (every other Tuesday at Cours
Sablon), an interview and a decision; the admitted enter about two weeks later and leave five
to seven months after (some drop out sooner). The figures the next issues compute from these
records are built in, and checked before anything is written:

- exactly 210 distinct people have an enrolment overlapping 2018 (``PRESENT_2018``),
- 30 of them came through the PLIE (``PLIE_2018``): 28 women over 25 living in a QPV (the
  school's special public) and 2 young people,
- 179 were under 26 when they entered (``UNDER_26_2018``): the 31 others are the 28 PLIE
  women and 3 people admitted by the director's override,
- minors never exceed 25 % of the trainees present on any day.

Everything is planned in plain Python from fixed seeds (``random.Random`` and Faker ``fr_FR``),
then written with ``bulk_create`` (no audit events: nobody did these things). The history uses
fixed dates; the current pipeline is placed relative to today, so it moves with the calendar
but is otherwise the same on every run.
"""

from __future__ import annotations

import datetime
import random
import secrets
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone
from faker import Faker

from parcours.intake import eligibility
from parcours.intake.models import (
    Channel,
    Decision,
    EligibilityRules,
    InfoSession,
    Interview,
    Outcome,
    Referral,
    Registration,
    RegistrationStatus,
    SpecialPublic,
    Stage,
)
from parcours.organisations.models import Membership, Partner, PrescriberType, Role, Room, School
from parcours.pathways.models import (
    CEJ,
    FSE_PLUS,
    PLIE,
    POLITIQUE_VILLE,
    REGION,
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentStatus,
    EntrySituation,
    FundingLine,
)
from parcours.people.models import Person, age_on, years_before

SEED = 2018
PARIS = ZoneInfo("Europe/Paris")

HISTORY_FIRST_SESSION = datetime.date(2017, 1, 3)  # a Tuesday
HISTORY_LAST_SESSION = datetime.date(2019, 12, 31)  # a Tuesday, 78 fortnights later
HISTORY_START = datetime.date(2017, 1, 2)
HISTORY_END = datetime.date(2019, 12, 31)
YEAR_2018 = (datetime.date(2018, 1, 1), datetime.date(2018, 12, 31))
#: The figures of the seed article that later issues compute from these records.
PRESENT_2018 = 210
PLIE_2018 = 30
UNDER_26_2018 = 179
MINORS_MAX_SHARE = 25.0
#: The planner keeps minors under this share of the trainees present, to stay clear of 25 %.
MINORS_PLANNING_SHARE = 20.0

SESSION_CAPACITY = 15
SESSION_ROOM = "Salle Puy de Dôme"
SESSION_SITE = "Cours Sablon"
SESSION_NOTE = "Se munir d'une pièce d'identité et, si possible, d'un CV."
RULES_VALID_FROM = datetime.date(2014, 1, 1)
SPECIAL_PUBLIC_LABEL = "Femmes de plus de 25 ans habitant un QPV, orientées par le PLIE"

PRESCRIBERS = {
    "ml": "Mission Locale Clermont Métropole et Volcans",
    "ft": "France Travail Clermont-Ferrand Gare",
    "plie": "PLIE de Clermont Auvergne Métropole",
    "cap": "Cap emploi 63",
    "dep": "Conseil départemental du Puy-de-Dôme",
}
PRESCRIBER_ACCOUNT = "prescripteur@e2c-63.demo"
MAIN_REFERENT_ACCOUNT = "referent@e2c-63.demo"
DIRECTOR_ACCOUNT = "direction@e2c-63.demo"

#: The funding lines shipped by ``pathways/migrations/0003_funding_lines`` (recreated here if a
#: test flushed the table).
FUNDING_LINES = {
    PLIE: ("PLIE", "Plan local pour l'insertion et l'emploi", True),
    CEJ: ("CEJ", "Contrat d'engagement jeune", True),
    POLITIQUE_VILLE: ("Politique de la ville", "Habitant·e d'un quartier prioritaire (QPV)", False),
    FSE_PLUS: ("FSE+", "Fonds social européen plus", False),
    REGION: ("Région", "Financement régional de la formation", False),
}


@dataclass(frozen=True)
class Place:
    commune: str
    postcode: str
    weight: int


@dataclass(frozen=True)
class Qpv:
    code: str
    quartier: str
    commune: str
    postcode: str


PLACES = (
    Place("Clermont-Ferrand", "63000", 34),
    Place("Clermont-Ferrand", "63100", 24),
    Place("Cournon-d'Auvergne", "63800", 8),
    Place("Riom", "63200", 7),
    Place("Aubière", "63170", 5),
    Place("Chamalières", "63400", 5),
    Place("Beaumont", "63110", 4),
    Place("Gerzat", "63360", 4),
    Place("Lempdes", "63370", 3),
    Place("Thiers", "63300", 3),
    Place("Issoire", "63500", 3),
)

#: Quartiers prioritaires (codes invented for the demo, in the national format).
QPVS = (
    Qpv("QN06301M", "Croix-de-Neyrat", "Clermont-Ferrand", "63100"),
    Qpv("QN06302M", "Les Vergnes", "Clermont-Ferrand", "63100"),
    Qpv("QN06303M", "La Gauthière", "Clermont-Ferrand", "63100"),
    Qpv("QN06304M", "Champratel", "Clermont-Ferrand", "63100"),
    Qpv("QN06305M", "Saint-Jacques", "Clermont-Ferrand", "63000"),
    Qpv("QN06306M", "Fontaine-du-Bac", "Clermont-Ferrand", "63000"),
    Qpv("QN06307M", "Les Toulaits", "Cournon-d'Auvergne", "63800"),
    Qpv("QN06308M", "Les Moulins", "Riom", "63200"),
)

REASONS = {
    "ml": (
        "Jeune suivi·e par la Mission Locale, sans qualification, souhaite construire un "
        "projet professionnel.",
        "Décrochage scolaire, besoin de remobilisation et de découverte des métiers.",
        "Projet flou, intéressé·e par l'alternance entre formation et stages en entreprise.",
        "Sort d'une garantie jeunes sans solution : besoin d'un cadre et de stages.",
        "Souhaite reprendre une formation après une période d'inactivité.",
    ),
    "ft": (
        "Demandeur d'emploi inscrit, sans diplôme, en recherche d'un premier emploi stable.",
        "Inscrit·e depuis plus d'un an, souhaite valider un projet avant une formation.",
        "Plusieurs missions d'intérim courtes : besoin de construire un projet durable.",
    ),
    "plie": (
        "Participante du PLIE, mère isolée, souhaite reprendre une activité professionnelle.",
        "Longue période d'inactivité, projet de reprise d'emploi dans les services à la personne.",
        "Accompagnée par le PLIE depuis six mois : besoin de remise à niveau et de stages.",
        "Parcours PLIE : projet dans la logistique ou la grande distribution à confirmer.",
    ),
    "cap": (
        "Reconnaissance de travailleur handicapé : projet compatible à construire avec des "
        "stages adaptés.",
    ),
    "dep": (
        "Accompagnement social par le Département : projet d'insertion à construire.",
        "Suivi·e par l'aide sociale à l'enfance, sortie de dispositif : besoin d'un parcours.",
    ),
    "": (
        "Candidature spontanée après la visite de l'école avec un ami stagiaire.",
        "A découvert l'école sur les réseaux sociaux, souhaite trouver sa voie.",
        "Candidature spontanée : veut reprendre confiance et trouver un métier.",
    ),
}
RETURN_REASON = "Retour à l'E2C après un premier parcours interrompu en 2017."

INTERVIEW_NOTES = (
    "Motivé·e, projet dans la logistique. Besoin de travailler les savoirs de base.",
    "Intéressé·e par la restauration. Mobilité : dépend des transports en commun.",
    "Projet vente ou commerce. Bonne expression orale, à l'aise en groupe.",
    "Souhaite découvrir le bâtiment. Quelques freins de santé à suivre.",
    "Projet dans l'aide à la personne. Solution de garde à confirmer pour l'entrée.",
    "Pas de projet précis, curieux·se. Bonne motivation pour les stages en entreprise.",
    "Projet mécanique automobile. Permis de conduire en préparation.",
    "Attiré·e par les espaces verts. Besoin d'un accompagnement sur le logement.",
    "Projet dans la coiffure ou l'esthétique, à confronter au terrain par un stage.",
    "Souhaite travailler dans l'industrie. Horaires décalés acceptés.",
)
REFUSAL_REASONS = {
    "age": "Âge hors des critères (plus de 25 ans) et hors public spécifique du PLIE.",
    "school": "Sortie du système scolaire depuis moins de 12 mois : orientation vers la "
    "Mission de lutte contre le décrochage scolaire.",
    "other": (
        "Projet de formation qualifiante déjà engagé : orientation vers un organisme de formation.",
        "Besoin prioritaire d'un accompagnement santé avant un parcours à temps plein.",
        "Maîtrise du français insuffisante pour le parcours : orientation vers un atelier "
        "sociolinguistique.",
        "Ne souhaite pas de stages en entreprise : le parcours ne correspond pas à sa demande.",
    ),
}
POSTPONE_REASONS = (
    "Solution de garde à trouver avant l'entrée.",
    "Déménagement en cours : entrée reportée.",
    "Contrat saisonnier en cours : entrée reportée à la fin du contrat.",
    "Démarches de santé à terminer avant l'entrée.",
)
WITHDRAWAL_REASONS = (
    "A trouvé un emploi saisonnier.",
    "Entrée en formation qualifiante.",
    "Déménagement hors du département.",
    "Ne donne plus de nouvelles.",
)
ABSENT_REASON = "Absent·e à l'information collective, sans nouvelles ensuite."
AFTER_POSTPONE_REASON = "Sans nouvelles après le report."
OVERRIDE_REASONS = (
    "26 ans depuis peu : projet très avancé et place financée par la Région, admission "
    "exceptionnelle décidée par la direction.",
    "Orienté par France Travail à 26 ans : parcours interrompu en Mission Locale faute de "
    "place, la direction admet par dérogation.",
    "Jeune majeur·e suivi·e par l'aide sociale à l'enfance jusqu'à 25 ans : continuité du "
    "parcours, admission par dérogation.",
)

#: Age at entry of a young candidate (16–25), in per cent: about 14 % of minors.
YOUNG_AGES = {16: 4, 17: 10, 18: 16, 19: 16, 20: 14, 21: 11, 22: 9, 23: 8, 24: 7, 25: 5}


# --------------------------------------------------------------------------------------------
# The plan: plain data, no database.
# --------------------------------------------------------------------------------------------


@dataclass
class PersonPlan:
    first_name: str
    last_name: str
    gender: str
    birth_date: datetime.date
    email: str
    phone: str
    address: str
    postcode: str
    commune: str
    qpv: Qpv | None
    left_school_on: datetime.date


@dataclass
class SessionPlan:
    starts_at: datetime.datetime
    capacity: int = SESSION_CAPACITY
    chains: list[ChainPlan] = field(default_factory=list)
    public: list[dict] = field(default_factory=list)

    @property
    def day(self) -> datetime.date:
        return self.starts_at.date()

    @property
    def free(self) -> int:
        return self.capacity - len(self.chains) - len(self.public)


@dataclass
class DecisionPlan:
    outcome: str
    decided_on: datetime.date
    reason: str = ""
    planned_entry_date: datetime.date | None = None
    override_reason: str = ""


@dataclass
class EnrolmentPlan:
    entry_date: datetime.date
    ended_on: datetime.date | None
    referent: Membership
    funding_lines: tuple[str, ...]
    situation: dict


@dataclass
class ChainPlan:
    """One referral and everything that followed it."""

    person: PersonPlan
    prescriber: str  # a key of PRESCRIBERS, "" for a spontaneous application
    received_on: datetime.date
    reason: str
    job_seeker_status: str
    kind: str = "young"  # young, plie_woman, plie_young, override, refused_age, refused_school
    channel: str = Channel.MAIL
    adviser: bool = False
    funding_line: str = ""
    session: SessionPlan | None = None
    attended: bool | None = None
    interview_at: datetime.datetime | None = None
    interviewer: Membership | None = None
    notes: str = ""
    decisions: list[DecisionPlan] = field(default_factory=list)
    enrolment: EnrolmentPlan | None = None
    group: str = ""  # A, B, C, D (history enrolments), "current", or ""
    eligibility: list[dict] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return self.decisions[-1].outcome if self.decisions else ""

    @property
    def stage(self) -> str:
        if self.enrolment is not None:
            return Stage.ENTERED
        if self.decisions:
            return Stage.DECISION
        if self.interview_at is not None:
            return Stage.INTERVIEW
        if self.session is not None:
            return Stage.INFO_SESSION
        return Stage.REFERRED


@dataclass
class Staff:
    """The memberships the history needs, read from the database."""

    school: School
    intake: list[Membership]
    referents: list[Membership]
    director: Membership
    prescriber_account: Membership
    main_referent: Membership

    def referents_on(self, day: datetime.date) -> list[Membership]:
        return [m for m in self.referents if m.active_from <= day]


def _ascii(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def _weekday_on_or_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _workdays_after(day: datetime.date, count: int) -> datetime.date:
    """``count`` working days (Monday to Friday) after ``day``."""
    while count:
        day += datetime.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def _monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def _random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def birth_date_for_age(rng: random.Random, on: datetime.date, age: int) -> datetime.date:
    """A birth date making the person exactly ``age`` years old on ``on``."""
    latest = years_before(on, age)
    earliest = years_before(on, age + 1) + datetime.timedelta(days=1)
    while True:
        birth = _random_day(rng, earliest, latest)
        if age_on(birth, on) == age:
            return birth


def _years_after(day: datetime.date, years: int) -> datetime.date:
    return years_before(day, -years)


#: The school's rules as the planner checks them; the same values are stored as version 1.
RULES = eligibility.Rules(
    min_age=16,
    max_age=25,
    min_months_out_of_school=12,
    require_not_in_employment_or_training=True,
    special_publics=(
        eligibility.SpecialPublicRule(
            label=SPECIAL_PUBLIC_LABEL,
            gender="F",
            min_age=26,
            requires_qpv=True,
            prescriber_type=PrescriberType.PLIE,
        ),
    ),
)

PRESCRIBER_TYPES = {
    "ml": PrescriberType.MISSION_LOCALE,
    "ft": PrescriberType.FRANCE_TRAVAIL,
    "plie": PrescriberType.PLIE,
    "cap": PrescriberType.CAP_EMPLOI,
    "dep": PrescriberType.DEPARTEMENT,
    "": "",
}


def candidate(chain: ChainPlan) -> eligibility.Candidate:
    return eligibility.Candidate(
        birth_date=chain.person.birth_date,
        gender=chain.person.gender,
        left_school_on=chain.person.left_school_on,
        in_employment_or_training=False,
        lives_in_qpv=chain.person.qpv is not None,
        prescriber_type=PRESCRIBER_TYPES[chain.prescriber],
    )


class PresenceBook:
    """Trainees and minors present each day, to keep minors under a share of those present.

    The stays (entry and exit days) are all known before anyone is drawn; a young person is
    drawn as a minor only if minors then stay under ``limit`` on every day of their stay.
    """

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.present: Counter[int] = Counter()
        self.minors: Counter[int] = Counter()

    @staticmethod
    def _days(entry: datetime.date, end: datetime.date | None) -> range:
        last = end or entry + datetime.timedelta(days=210)
        return range(entry.toordinal(), last.toordinal() + 1)

    def expect(self, entry: datetime.date, end: datetime.date | None) -> None:
        for day in self._days(entry, end):
            self.present[day] += 1

    def minor_fits(self, entry: datetime.date, end: datetime.date | None) -> bool:
        return all(
            100 * (self.minors[day] + 1) <= self.limit * self.present[day]
            for day in self._days(entry, end)
        )

    def add(self, entry: datetime.date, end: datetime.date | None, birth: datetime.date) -> None:
        adult_on = _years_after(birth, 18).toordinal()
        for day in self._days(entry, end):
            self.minors[day] += day < adult_on


class Planner:
    """Plans people, referrals, sessions and enrolments from one random stream."""

    def __init__(self, rng: random.Random, fake: Faker, staff: Staff, phone_base: int) -> None:
        self.rng, self.fake, self.staff = rng, fake, staff
        self.next_phone = phone_base
        self.emails: set[str] = set()
        self.sessions: list[SessionPlan] = []
        self.chains: list[ChainPlan] = []
        self.overrides = 0
        self.presence = PresenceBook(MINORS_PLANNING_SHARE)

    # ------------------------------------------------------------------------------ people

    def phone(self) -> str:
        # 04 65 71 xx xx: numbers the ARCEP reserves for works of fiction.
        number = f"+3346571{self.next_phone % 10000:04d}"
        self.next_phone += 1
        return number

    def person(
        self,
        *,
        age: int,
        on: datetime.date,
        gender: str | None = None,
        qpv: bool | None = None,
        recently_left_school: bool = False,
    ) -> PersonPlan:
        """A person ``age`` years old on ``on``, out of school for 13 months at least (or for
        4 to 11 months when ``recently_left_school``)."""
        rng, fake = self.rng, self.fake
        gender = gender or ("F" if rng.random() < 0.35 else "M")
        first_name = fake.first_name_female() if gender == "F" else fake.first_name_male()
        last_name = fake.last_name()
        birth = birth_date_for_age(rng, on, age)
        where = None
        if rng.random() < 0.22 if qpv is None else qpv:
            where = rng.choice(QPVS)
            commune, postcode = where.commune, where.postcode
            address = f"{fake.street_address()} (quartier {where.quartier})"
        else:
            place = rng.choices(PLACES, weights=[p.weight for p in PLACES])[0]
            commune, postcode, address = place.commune, place.postcode, fake.street_address()
        email = ""
        if rng.random() < 0.75:
            base = f"{_ascii(first_name)}.{_ascii(last_name)}"
            email, n = f"{base}@example.org", 1
            while email in self.emails:
                n += 1
                email = f"{base}{n}@example.org"
            self.emails.add(email)
        phone = self.phone() if not email or rng.random() < 0.9 else ""
        if recently_left_school:
            left = _random_day(rng, eligibility.add_months(on, -11), eligibility.add_months(on, -4))
        else:
            left = self.left_school(birth, on)
        return PersonPlan(
            first_name=first_name,
            last_name=last_name,
            gender=gender,
            birth_date=birth,
            email=email,
            phone=phone,
            address=address,
            postcode=postcode,
            commune=commune,
            qpv=where,
            left_school_on=left,
        )

    def left_school(self, birth: datetime.date, on: datetime.date) -> datetime.date:
        """A plausible day of leaving school, at 15 to 20, at least 13 months before ``on``."""
        latest = eligibility.add_months(on, -13)
        earliest = min(_years_after(birth, 15), latest)
        upper = min(_years_after(birth, 20), latest)
        if self.rng.random() < 0.6:  # most leave at the end of a school year
            ends = [
                datetime.date(year, 7, 5)
                for year in range(earliest.year, upper.year + 1)
                if earliest <= datetime.date(year, 7, 5) <= upper
            ]
            if ends:
                return self.rng.choice(ends)
        return _random_day(self.rng, earliest, upper)

    def young_age(self, *, adult: bool = False) -> int:
        ages = [age for age in YOUNG_AGES if age >= 18 or not adult]
        return self.rng.choices(ages, weights=[YOUNG_AGES[a] for a in ages])[0]

    def entry_age(
        self, entry: datetime.date, end: datetime.date | None, *, adult: bool = False
    ) -> int:
        """A young person's age at entry; a minor only while minors stay under the limit."""
        age = self.young_age(adult=adult)
        if age < 18 and not self.presence.minor_fits(entry, end):
            age = self.young_age(adult=True)
        return age

    # ---------------------------------------------------------------------------- sessions

    def add_sessions(self, first: datetime.date, last: datetime.date) -> None:
        day = first
        while day <= last:
            self.sessions.append(SessionPlan(starts_at=_at(day, 9, 30)))
            day += datetime.timedelta(days=14)

    def session_for_entry(self, entry: datetime.date, after: datetime.date) -> SessionPlan:
        """A session with a free seat for someone entering on ``entry``: ideally 17 to 31 days
        before (interview a week later, entry two weeks after the decision), else up to 8
        weeks before (the admitted then wait longer for their entry); never sooner than two
        weeks after ``after``."""
        ideal, earlier = [], []
        for session in reversed(self.sessions):
            gap = (entry - session.day).days
            if 17 <= gap <= 31:
                ideal.append(session)
            elif 31 < gap <= 59:
                earlier.append(session)
        for session in ideal + earlier:
            if session.free > 0 and (session.day - after).days >= 14:
                return session
        raise RuntimeError(f"demo: no information session with a free seat before {entry}")

    def session_after(
        self, day: datetime.date, latest: datetime.date, min_days: int = 14, max_days: int = 42
    ) -> SessionPlan | None:
        """The first session with a free seat 2 to 6 weeks after ``day``, not after ``latest``."""
        for session in self.sessions:
            gap = (session.day - day).days
            if gap > max_days or session.day > latest:
                return None
            if gap >= min_days and session.free > 0:
                return session
        return None

    # ------------------------------------------------------------------------------ chains

    def job_seeker_status(self, prescriber: str) -> str:
        if prescriber in ("ft", "cap"):
            return "registered"
        if prescriber == "plie":
            return self.rng.choices(["registered", "not_registered"], weights=[8, 2])[0]
        return self.rng.choices(["registered", "not_registered", "inactive"], [45, 35, 20])[0]

    def new_chain(
        self,
        *,
        person: PersonPlan,
        prescriber: str,
        received_on: datetime.date,
        kind: str,
        advised: bool,
        reason: str = "",
        cej: bool = False,
    ) -> ChainPlan:
        rng = self.rng
        adviser = advised and prescriber == "ml"
        if not prescriber:
            channel = Channel.SPONTANEOUS
        elif adviser:
            channel = Channel.ONLINE
        else:
            channel = rng.choices([Channel.MAIL, Channel.PHONE], weights=[6, 4])[0]
        funding_line = PLIE if prescriber == "plie" else ""
        if cej and prescriber == "ml" and kind == "young":
            funding_line = CEJ
        chain = ChainPlan(
            person=person,
            prescriber=prescriber,
            received_on=received_on,
            reason=reason or rng.choice(REASONS[prescriber]),
            job_seeker_status=self.job_seeker_status(prescriber),
            kind=kind,
            channel=channel,
            adviser=adviser,
            funding_line=funding_line,
        )
        self.chains.append(chain)
        return chain

    def register(self, chain: ChainPlan, session: SessionPlan, attended: bool | None) -> None:
        chain.session, chain.attended = session, attended
        session.chains.append(chain)

    def interview(self, chain: ChainPlan, day: datetime.date) -> None:
        chain.interview_at = _at(day, self.rng.choice((9, 10, 11, 14, 15, 16)))
        chain.interviewer = self.rng.choice(self.staff.intake)
        chain.notes = self.rng.choice(INTERVIEW_NOTES)

    def admitted_chain(
        self,
        *,
        person: PersonPlan,
        kind: str,
        entry: datetime.date,
        ended_on: datetime.date | None,
        prescriber: str,
        advised_from: datetime.date,
        group: str,
        after: datetime.date,
        reason: str = "",
        referent: Membership | None = None,
        cej: bool = False,
        enter: bool = True,
    ) -> ChainPlan:
        """A referral admitted for an entry on ``entry``, planned backwards from that day:
        referral, information session 2–3 weeks later, interview about a week after, decision,
        entry about two weeks after the decision. Every day is after ``after``."""
        rng = self.rng
        session = self.session_for_entry(entry, after)
        interview_day = _weekday_on_or_before(
            session.day + datetime.timedelta(days=rng.randint(5, 9))
        )
        decided_on = _workdays_after(interview_day, rng.randint(1, 3))
        received_on = _weekday_on_or_before(
            session.day - datetime.timedelta(days=rng.randint(14, 21))
        )
        received_on = max(received_on, after)
        chain = self.new_chain(
            person=person,
            prescriber=prescriber,
            received_on=received_on,
            kind=kind,
            advised=received_on >= advised_from,
            reason=reason,
            cej=cej,
        )
        chain.group = group
        self.register(chain, session, True)
        self.interview(chain, interview_day)
        override = ""
        if kind == "override":
            override = OVERRIDE_REASONS[self.overrides % len(OVERRIDE_REASONS)]
            self.overrides += 1
        chain.decisions.append(
            DecisionPlan(
                outcome=Outcome.ADMITTED,
                decided_on=decided_on,
                planned_entry_date=entry,
                override_reason=override,
            )
        )
        chain.eligibility = eligibility.check(RULES, candidate(chain), entry).as_json()
        if enter:
            chain.enrolment = EnrolmentPlan(
                entry_date=entry,
                ended_on=ended_on,
                referent=referent or rng.choice(self.staff.referents_on(entry)),
                funding_lines=self.funding_lines(chain),
                situation=self.situation(chain, entry, decided_on),
            )
            self.presence.add(entry, ended_on, person.birth_date)
        return chain

    def funding_lines(self, chain: ChainPlan) -> tuple[str, ...]:
        lines = {REGION}
        if chain.funding_line:
            lines.add(chain.funding_line)
        if chain.person.qpv:
            lines.add(POLITIQUE_VILLE)
        if self.rng.random() < 0.5:
            lines.add(FSE_PLUS)
        return tuple(sorted(lines))

    def situation(self, chain: ChainPlan, entry: datetime.date, checked_on: datetime.date):
        rng, person = self.rng, chain.person
        older = chain.kind == "plie_woman"
        if older:
            diploma = rng.choices(["none", "3", "4", "5+"], weights=[40, 35, 20, 5])[0]
        else:
            diploma = rng.choices(["none", "3", "4"], weights=[55, 35, 10])[0]

        def answer(yes: float, declined: float) -> str:
            draw = rng.random()
            return "yes" if draw < yes else "declined" if draw < yes + declined else "no"

        return {
            "gender": person.gender,
            "birth_date": person.birth_date,
            "address": person.address,
            "postcode": person.postcode,
            "commune": person.commune,
            "qpv_code": person.qpv.code if person.qpv else "",
            "qpv_checked_on": checked_on if person.qpv else None,
            "diploma_level": diploma,
            "left_school_on": person.left_school_on,
            "job_seeker_status": chain.job_seeker_status,
            "rqth": "yes" if chain.prescriber == "cap" else answer(0.035, 0.02),
            # The RSA is open from 25: about 8 % of those 25 and over receive it.
            "receives_rsa": answer(0.08, 0.0) if age_on(person.birth_date, entry) >= 25 else "no",
            "driving_licence": rng.random() < (0.35 if older else 0.13),
            "jobless_household": answer(0.35, 0.1),
            "single_parent": answer(0.35 if older else 0.04, 0.05),
            "homeless": answer(0.05, 0.03),
            "foreign_origin": answer(0.2, 0.15),
        }

    def closed_chain(
        self,
        *,
        outcome: str,
        received_on: datetime.date,
        advised: bool,
        latest_decision: datetime.date,
    ) -> ChainPlan | None:
        """A referral that ends without an entry: refused, postponed then withdrawn, withdrawn
        (half of the withdrawn never came to the information session)."""
        rng = self.rng
        session = self.session_after(received_on, latest_decision - datetime.timedelta(days=10))
        if session is None:
            return None
        interview_day = _weekday_on_or_before(
            session.day + datetime.timedelta(days=rng.randint(5, 9))
        )
        decided_on = interview_day + datetime.timedelta(days=rng.randint(1, 4))
        decided_on = _weekday_on_or_before(decided_on)
        if decided_on <= interview_day:
            decided_on = interview_day + datetime.timedelta(days=3)
        if decided_on > latest_decision:
            return None
        refusal = ""
        if outcome == Outcome.REFUSED:
            refusal = rng.choices(["age", "school", "other"], weights=[2, 2, 6])[0]
        prescriber = rng.choices(
            ["ml", "ft", "plie", "", "cap", "dep"], weights=[50, 15, 17, 12, 3, 3]
        )[0]
        kind = "young"
        if refusal == "age":
            kind, prescriber = "refused_age", rng.choice(["ml", "ft", ""])
            person = self.person(age=rng.randint(26, 29), on=decided_on, qpv=False)
        elif refusal == "school":
            kind = "refused_school"
            person = self.person(age=rng.randint(16, 18), on=decided_on, recently_left_school=True)
        elif prescriber == "plie" and rng.random() < 0.85:
            kind = "plie_woman"
            person = self.person(age=rng.randint(26, 42), on=decided_on, gender="F", qpv=True)
        else:
            person = self.person(age=self.young_age(), on=decided_on)
        chain = self.new_chain(
            person=person,
            prescriber=prescriber,
            received_on=received_on,
            kind=kind,
            advised=advised,
        )
        absent = outcome == Outcome.WITHDRAWN and rng.random() < 0.5
        self.register(chain, session, not absent)
        if absent:
            withdrawn_on = _weekday_on_or_before(
                session.day + datetime.timedelta(days=rng.randint(7, 14))
            )
            withdrawn_on = min(withdrawn_on, latest_decision)
            chain.decisions.append(DecisionPlan(Outcome.WITHDRAWN, withdrawn_on, ABSENT_REASON))
            return chain
        self.interview(chain, interview_day)
        if outcome == Outcome.REFUSED:
            reason = (
                rng.choice(REFUSAL_REASONS["other"])
                if refusal == "other"
                else REFUSAL_REASONS[refusal]
            )
            chain.decisions.append(DecisionPlan(Outcome.REFUSED, decided_on, reason))
        elif outcome == Outcome.POSTPONED:
            chain.decisions.append(
                DecisionPlan(Outcome.POSTPONED, decided_on, rng.choice(POSTPONE_REASONS))
            )
            later = decided_on + datetime.timedelta(days=rng.randint(60, 90))
            if later <= latest_decision:
                chain.decisions.append(
                    DecisionPlan(
                        Outcome.WITHDRAWN, _weekday_on_or_before(later), AFTER_POSTPONE_REASON
                    )
                )
        else:
            chain.decisions.append(
                DecisionPlan(Outcome.WITHDRAWN, decided_on, rng.choice(WITHDRAWAL_REASONS))
            )
        return chain

    def fill_public(self, now: datetime.datetime, most: int = 4) -> None:
        """Registrations from the public agenda that never became candidates: they fill up to
        four free seats per session; about 45 % of them come."""
        rng, fake = self.rng, self.fake
        for session in self.sessions:
            for _ in range(min(rng.randint(1, most), session.free)):
                female = rng.random() < 0.5
                first = fake.first_name_female() if female else fake.first_name_male()
                last = fake.last_name()
                phone = self.phone() if rng.random() < 0.6 else ""
                email = ""
                if not phone or rng.random() < 0.7:
                    email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.net"
                session.public.append(
                    {
                        "first_name": first,
                        "last_name": last,
                        "email": email,
                        "phone": phone,
                        "prescriber_name": rng.choice(
                            ["", "", "", PRESCRIBERS["ml"], PRESCRIBERS["ft"]]
                        ),
                        "attended": (rng.random() < 0.45) if session.starts_at < now else None,
                    }
                )


# --------------------------------------------------------------------------------------------
# The history 2017–2019.
# --------------------------------------------------------------------------------------------

#: The demo prescriber account follows the Mission Locale's referrals from this day on.
ADVISED_FROM = datetime.date(2019, 1, 1)
#: Prescribers of the young people admitted (the PLIE comes through its own kinds).
YOUNG_PRESCRIBERS = {"ml": 65, "ft": 18, "": 11, "cap": 3, "dep": 3}


@dataclass(frozen=True)
class Slot:
    """One planned stay of the history, before the person is drawn."""

    group: str
    entry: datetime.date
    ended_on: datetime.date
    kind: str = "young"


def _stay_end(rng: random.Random, entry: datetime.date, dropout: bool) -> datetime.date:
    """Most stay 5 to 7 months; those who drop out leave after 1 to 3 months."""
    days = rng.randint(30, 95) if dropout else rng.randint(150, 210)
    return _weekday_on_or_before(entry + datetime.timedelta(days=days))


def _slots(
    rng: random.Random,
    group: str,
    count: int,
    window: tuple[datetime.date, datetime.date],
    *,
    dropout: bool,
    end_between: tuple[datetime.date | None, datetime.date | None] = (None, None),
) -> list[Slot]:
    """``count`` stays entering on Mondays in ``window``; the exit is kept between the bounds
    (the end of 2017 for the 2017 stays, 2018 for the stays started in 2017 that go on)."""
    low, high = end_between
    slots = []
    for _ in range(count):
        entry = _monday_on_or_after(_random_day(rng, *window))
        ended_on = _stay_end(rng, entry, dropout)
        if high and ended_on > high:
            ended_on = _weekday_on_or_before(high - datetime.timedelta(days=rng.randint(0, 12)))
        if low and ended_on < low:
            ended_on = _weekday_on_or_before(low + datetime.timedelta(days=rng.randint(2, 25)))
        slots.append(Slot(group, entry, ended_on))
    return slots


def _with_kinds(rng: random.Random, slots: list[Slot], kinds: dict[str, int]) -> list[Slot]:
    """Give ``kinds`` (e.g. 28 PLIE women) to random slots; the others are young people."""
    labels = [kind for kind, n in kinds.items() for _ in range(n)]
    labels += ["young"] * (len(slots) - len(labels))
    rng.shuffle(labels)
    return [Slot(s.group, s.entry, s.ended_on, k) for s, k in zip(slots, labels, strict=True)]


def plan_history(rng: random.Random, fake: Faker, staff: Staff) -> Planner:
    planner = Planner(rng, fake, staff, phone_base=0)
    planner.add_sessions(HISTORY_FIRST_SESSION, HISTORY_LAST_SESSION)
    d = datetime.date
    in_2017 = (None, d(2017, 12, 22))
    in_2018 = (d(2018, 1, 8), d(2018, 12, 21))

    # A: stays entirely in 2017. B: entries of late 2017 that end in 2018. C: entries of 2018
    # (about 60 end in 2019). D: entries of 2019. 3 people of A come back in C.
    group_a = _slots(
        rng, "A", 75, (d(2017, 2, 20), d(2017, 7, 10)), dropout=False, end_between=in_2017
    )
    group_a += _slots(
        rng, "A", 42, (d(2017, 3, 6), d(2017, 9, 25)), dropout=True, end_between=in_2017
    )
    group_b = _slots(
        rng, "B", 52, (d(2017, 8, 7), d(2017, 12, 11)), dropout=False, end_between=in_2018
    )
    group_b += _slots(
        rng, "B", 8, (d(2017, 11, 6), d(2017, 12, 11)), dropout=True, end_between=in_2018
    )
    group_c = _slots(rng, "C", 130, (d(2018, 2, 5), d(2018, 12, 10)), dropout=False)
    group_c += _slots(rng, "C", 17, (d(2018, 1, 15), d(2018, 11, 12)), dropout=True)
    group_d = _slots(rng, "D", 160, (d(2019, 1, 7), d(2019, 12, 9)), dropout=False)
    group_d += _slots(rng, "D", 30, (d(2019, 1, 7), d(2019, 11, 11)), dropout=True)
    first_stays = _slots(rng, "A", 3, (d(2017, 3, 6), d(2017, 4, 24)), dropout=True)
    returns = _slots(rng, "C", 3, (d(2018, 3, 5), d(2018, 6, 25)), dropout=False)

    slots = [
        *_with_kinds(rng, group_a, {"plie_woman": 14, "plie_young": 3}),
        *_with_kinds(rng, group_b, {"plie_woman": 8, "plie_young": 1, "override": 1}),
        *_with_kinds(rng, group_c, {"plie_woman": 20, "plie_young": 1, "override": 2}),
        *_with_kinds(rng, group_d, {"plie_woman": 22, "plie_young": 5}),
    ]
    slots.sort(key=lambda slot: (slot.entry, slot.group))
    for slot in [*slots, *first_stays, *returns]:
        planner.presence.expect(slot.entry, slot.ended_on)
    for slot in slots:
        planner_history_chain(planner, slot)
    for first, back in zip(first_stays, returns, strict=True):
        person = planner.person(age=rng.randint(19, 22), on=first.entry)
        prescriber = rng.choice(["ml", "ft"])
        for slot, after, reason in (
            (first, HISTORY_START, ""),
            (back, first.ended_on, RETURN_REASON),
        ):
            planner.admitted_chain(
                person=person,
                kind="young",
                entry=slot.entry,
                ended_on=slot.ended_on,
                prescriber=prescriber,
                advised_from=ADVISED_FROM,
                group=slot.group,
                after=after,
                reason=reason,
            )

    # Referrals that end without an entry: 10 % refused, 5 % postponed, 15 % withdrawn.
    total = round(len(planner.chains) / 0.70)
    outcomes = (
        [Outcome.REFUSED] * round(total * 0.10)
        + [Outcome.POSTPONED] * round(total * 0.05)
        + [Outcome.WITHDRAWN] * round(total * 0.15)
    )
    rng.shuffle(outcomes)
    for outcome in outcomes:
        # A postponement is followed by a withdrawal two or three months later, in 2019.
        latest = d(2019, 7, 31) if outcome == Outcome.POSTPONED else d(2019, 9, 30)
        received_on = _weekday_on_or_before(_random_day(rng, HISTORY_START, latest))
        planner.closed_chain(
            outcome=outcome,
            received_on=received_on,
            advised=received_on.year >= 2019,
            latest_decision=HISTORY_END,
        )
    planner.fill_public(_at(HISTORY_END, 23))
    return planner


def planner_history_chain(planner: Planner, slot: Slot) -> ChainPlan:
    rng = planner.rng
    if slot.kind == "plie_woman":
        person = planner.person(age=rng.randint(26, 44), on=slot.entry, gender="F", qpv=True)
        prescriber = "plie"
    elif slot.kind == "plie_young":
        person = planner.person(age=planner.entry_age(slot.entry, slot.ended_on), on=slot.entry)
        prescriber = "plie"
    elif slot.kind == "override":
        person = planner.person(age=rng.choice((26, 26, 27)), on=slot.entry)
        prescriber = rng.choice(["ml", "ft"])
    else:
        person = planner.person(age=planner.entry_age(slot.entry, slot.ended_on), on=slot.entry)
        keys = list(YOUNG_PRESCRIBERS)
        prescriber = rng.choices(keys, weights=[YOUNG_PRESCRIBERS[k] for k in keys])[0]
    return planner.admitted_chain(
        person=person,
        kind=slot.kind,
        entry=slot.entry,
        ended_on=slot.ended_on,
        prescriber=prescriber,
        advised_from=ADVISED_FROM,
        group=slot.group,
        after=HISTORY_START,
    )


# --------------------------------------------------------------------------------------------
# The current pipeline, around today.
# --------------------------------------------------------------------------------------------

CURRENT_TRAINEES = 40
MAIN_REFERENT_CASELOAD = 8


def plan_current(
    rng: random.Random, fake: Faker, staff: Staff, today: datetime.date, now: datetime.datetime
) -> Planner:
    """Sessions every other Tuesday around today (the next ones on the public agenda), about
    40 trainees who entered in the last 5 months and about 15 open candidacies."""
    planner = Planner(rng, fake, staff, phone_base=5000)
    last_tuesday = today - datetime.timedelta(days=(today.weekday() - 1) % 7)
    # From 28 weeks back (the current trainees' sessions) to 8 weeks ahead.
    planner.add_sessions(
        last_tuesday - datetime.timedelta(weeks=28), last_tuesday + datetime.timedelta(weeks=8)
    )
    after = today - datetime.timedelta(days=230)
    day, week = datetime.timedelta(days=1), datetime.timedelta(days=7)

    # Trainees: entries on Mondays over the last 5 months, 8 of them followed by the demo
    # referent account.
    others = [m for m in staff.referents if m.pk != staff.main_referent.pk]
    referents = [staff.main_referent] * MAIN_REFERENT_CASELOAD
    referents += [others[i % len(others)] for i in range(CURRENT_TRAINEES - len(referents))]
    rng.shuffle(referents)
    kinds = ["plie_woman"] * 4 + ["plie_young"] + ["young"] * (CURRENT_TRAINEES - 5)
    rng.shuffle(kinds)
    entries = sorted(
        _monday_of(today - datetime.timedelta(days=rng.randint(3, 140)))
        for _ in range(CURRENT_TRAINEES)
    )
    for entry in entries:
        planner.presence.expect(entry, today)
    for entry, kind, referent in zip(entries, kinds, referents, strict=True):
        if kind == "plie_woman":
            person = planner.person(age=rng.randint(26, 40), on=entry, gender="F", qpv=True)
            prescriber = "plie"
        else:
            person = planner.person(age=planner.entry_age(entry, today), on=entry)
            prescriber = "plie" if kind == "plie_young" else _young_prescriber(rng)
        planner.admitted_chain(
            person=person,
            kind=kind,
            entry=entry,
            ended_on=None,
            prescriber=prescriber,
            advised_from=after,
            group="current",
            after=after,
            referent=referent,
            cej=rng.random() < 0.4,
        )

    # Open candidacies received in the last 6 weeks, at every stage.
    past = [s for s in planner.sessions if s.starts_at < now]
    upcoming = [s for s in planner.sessions if s.starts_at >= now]

    def young(on: datetime.date) -> tuple[PersonPlan, str]:
        return planner.person(age=planner.young_age(adult=True), on=on), _young_prescriber(rng)

    for _ in range(4):  # referred
        received_on = _weekday_on_or_before(today - datetime.timedelta(days=rng.randint(1, 10)))
        person, prescriber = young(today)
        planner.new_chain(
            person=person,
            prescriber=prescriber,
            received_on=received_on,
            kind="young",
            advised=True,
        )
    for index in range(4):  # information session: registered for the next one, or came
        session = upcoming[0] if index < 2 else past[-1]
        received_on = _weekday_on_or_before(
            max(session.day - datetime.timedelta(days=rng.randint(10, 20)), today - 6 * week)
        )
        received_on = min(received_on, today)
        person, prescriber = young(today)
        chain = planner.new_chain(
            person=person,
            prescriber=prescriber,
            received_on=received_on,
            kind="young",
            advised=True,
        )
        planner.register(chain, session, None if session.starts_at >= now else True)
    # Interviews held, decisions taken: sessions 1 to 4 weeks ago.
    recent = [s for s in past if week <= today - s.day <= 4 * week]
    for outcome in ["interview"] * 3 + [Outcome.ADMITTED] * 3 + [Outcome.POSTPONED]:
        session = rng.choice(recent)
        received_on = _weekday_on_or_before(
            max(session.day - datetime.timedelta(days=rng.randint(10, 20)), today - 6 * week)
        )
        interview_day = _weekday_on_or_before(
            min(session.day + datetime.timedelta(days=rng.randint(3, 6)), today - 2 * day)
        )
        decided_on = min(interview_day + datetime.timedelta(days=rng.randint(1, 3)), today)
        # Aged on a day after any planned entry, so that the admitted are still 25 at most.
        person, prescriber = young(today + 3 * week)
        chain = planner.new_chain(
            person=person,
            prescriber=prescriber,
            received_on=received_on,
            kind="young",
            advised=True,
        )
        planner.register(chain, session, True)
        planner.interview(chain, interview_day)
        if outcome == Outcome.ADMITTED:
            entry = _monday_on_or_after(today + datetime.timedelta(days=rng.randint(1, 14)))
            chain.decisions.append(
                DecisionPlan(Outcome.ADMITTED, decided_on, planned_entry_date=entry)
            )
            chain.eligibility = eligibility.check(RULES, candidate(chain), entry).as_json()
        elif outcome == Outcome.POSTPONED:
            chain.decisions.append(
                DecisionPlan(Outcome.POSTPONED, decided_on, rng.choice(POSTPONE_REASONS))
            )
    # A few closed in the same weeks.
    for outcome in [Outcome.REFUSED, Outcome.REFUSED, Outcome.WITHDRAWN, Outcome.WITHDRAWN]:
        received_on = _weekday_on_or_before(today - datetime.timedelta(days=rng.randint(35, 42)))
        planner.closed_chain(
            outcome=outcome, received_on=received_on, advised=True, latest_decision=today
        )
    planner.fill_public(now, most=5)
    return planner


def _young_prescriber(rng: random.Random) -> str:
    keys = list(YOUNG_PRESCRIBERS)
    return rng.choices(keys, weights=[YOUNG_PRESCRIBERS[k] for k in keys])[0]


# --------------------------------------------------------------------------------------------
# Checks on the plan (before anything is written).
# --------------------------------------------------------------------------------------------


def _stays(chains: list[ChainPlan]) -> list[tuple[ChainPlan, EnrolmentPlan]]:
    return [(c, c.enrolment) for c in chains if c.enrolment is not None]


def figures_2018(chains: list[ChainPlan]) -> dict[str, int]:
    """The 2018 figures computed from the plan (the tests compute them from the database)."""
    start, end = YEAR_2018
    latest: dict[int, tuple[ChainPlan, EnrolmentPlan]] = {}
    plie: set[int] = set()
    for chain, stay in _stays(chains):
        if stay.entry_date <= end and (stay.ended_on is None or stay.ended_on >= start):
            key = id(chain.person)
            if key not in latest or latest[key][1].entry_date < stay.entry_date:
                latest[key] = (chain, stay)
            if PLIE in stay.funding_lines:
                plie.add(key)
    under_26 = sum(
        age_on(chain.person.birth_date, stay.entry_date) < 26 for chain, stay in latest.values()
    )
    return {"present": len(latest), "plie": len(plie), "under_26": under_26}


def max_minor_share(
    stays: list[tuple[datetime.date, datetime.date | None, datetime.date]],
    until: datetime.date,
    since: datetime.date | None = None,
) -> tuple[float, datetime.date | None]:
    """The highest share (%) of minors among trainees present on one day, and that day.

    ``stays`` are (entry, exit or None, birth date); a trainee counts as a minor on the days
    they are under 18. One sweep over the days, whatever the number of stays.
    """
    if not stays:
        return 0.0, None
    one_day = datetime.timedelta(days=1)
    present: Counter[datetime.date] = Counter()
    minors: Counter[datetime.date] = Counter()
    for entry, end, birth in stays:
        leave = (end or until) + one_day
        present[entry] += 1
        present[leave] -= 1
        adult_on = _years_after(birth, 18)
        if adult_on > entry:
            minors[entry] += 1
            minors[min(adult_on, leave)] -= 1
    worst, worst_day = 0.0, None
    day = min(entry for entry, _end, _birth in stays)
    n_present = n_minors = 0
    while day <= until:
        n_present += present[day]
        n_minors += minors[day]
        counted = since is None or day >= since
        if counted and n_present and 100.0 * n_minors / n_present > worst:
            worst, worst_day = 100.0 * n_minors / n_present, day
        day += one_day
    return worst, worst_day


def check_plan(history: Planner, current: Planner, today: datetime.date) -> None:
    """Refuse to write a plan that breaks the figures or the school's rules."""
    figures = figures_2018(history.chains)
    expected = {"present": PRESENT_2018, "plie": PLIE_2018, "under_26": UNDER_26_2018}
    if figures != expected:
        raise RuntimeError(f"demo: 2018 figures {figures}, expected {expected}")
    for planner in (history, current):
        for chain in planner.chains:
            days = [chain.received_on]
            if chain.session:
                days.append(chain.session.day)
            if chain.interview_at:
                days.append(chain.interview_at.date())
            days += [d.decided_on for d in chain.decisions]
            if chain.enrolment:
                days.append(chain.enrolment.entry_date)
                if chain.enrolment.ended_on:
                    days.append(chain.enrolment.ended_on)
            if days != sorted(days) or len(set(days)) != len(days):
                raise RuntimeError(f"demo: dates out of order {days}")
            for decision in chain.decisions:
                # Admitted: eligible on the entry day, or admitted by the director's override.
                eligible = all(result["passed"] for result in chain.eligibility)
                if decision.outcome == Outcome.ADMITTED and (
                    not chain.eligibility or eligible == bool(decision.override_reason)
                ):
                    raise RuntimeError(f"demo: eligibility of {chain.person}")
    # The history on every day; the current pipeline over the last two months (the years
    # between are not in the demo).
    for planner, since, until in (
        (history, None, datetime.date(2020, 8, 31)),
        (current, today - datetime.timedelta(days=60), today),
    ):
        stays = [(s.entry_date, s.ended_on, c.person.birth_date) for c, s in _stays(planner.chains)]
        share, day = max_minor_share(stays, until, since)
        if share > MINORS_MAX_SHARE:
            raise RuntimeError(f"demo: {share:.0f} % of minors present on {day}")
    for planner in (history, current):
        for session in planner.sessions:
            if session.free < 0:
                raise RuntimeError(f"demo: session of {session.day} over capacity")


# --------------------------------------------------------------------------------------------
# Writing to the database.
# --------------------------------------------------------------------------------------------


def load_staff(school: School) -> Staff:
    memberships = list(
        Membership.objects.filter(school=school).select_related("user").order_by("user__email")
    )
    by_email = {m.user.email: m for m in memberships}
    return Staff(
        school=school,
        intake=[m for m in memberships if m.role == Role.INTAKE],
        referents=[m for m in memberships if m.role == Role.REFERENT],
        director=by_email[DIRECTOR_ACCOUNT],
        prescriber_account=by_email[PRESCRIBER_ACCOUNT],
        main_referent=by_email[MAIN_REFERENT_ACCOUNT],
    )


def funding_lines() -> dict[str, FundingLine]:
    """The funding lines by code (created if a test flushed the migration's rows)."""
    lines = FundingLine.objects.in_bulk(field_name="code")
    for code, (name, description, referral_choice) in FUNDING_LINES.items():
        if code not in lines:
            lines[code] = FundingLine.objects.create(
                code=code, name=name, description=description, referral_choice=referral_choice
            )
    return lines


def build_intake_history(school: School, today: datetime.date | None = None) -> None:
    """Plan, check and write the history and the current pipeline of ``school`` (e2c-63)."""
    today = today or timezone.localdate()
    now = timezone.now()
    staff = load_staff(school)
    history_fake = Faker("fr_FR")
    history_fake.seed_instance(SEED + 1)
    history = plan_history(random.Random(SEED + 1), history_fake, staff)
    current_fake = Faker("fr_FR")
    current_fake.seed_instance(SEED + 2)
    current = plan_current(random.Random(SEED + 2), current_fake, staff, today, now)
    check_plan(history, current, today)
    write(staff, history.sessions + current.sessions, history.chains + current.chains)


def write(staff: Staff, sessions: list[SessionPlan], chains: list[ChainPlan]) -> None:
    school = staff.school
    lines = funding_lines()
    rules = EligibilityRules.objects.create(
        school=school,
        version=1,
        valid_from=RULES_VALID_FROM,
        min_age=RULES.min_age,
        max_age=RULES.max_age,
        min_months_out_of_school=RULES.min_months_out_of_school,
        require_not_in_employment_or_training=RULES.require_not_in_employment_or_training,
        note="Critères du réseau, avec le public spécifique orienté par le PLIE.",
        created_by=staff.director.user,
    )
    SpecialPublic.objects.bulk_create(
        SpecialPublic(
            school=school,
            rules=rules,
            label=public.label,
            gender=public.gender,
            min_age=public.min_age,
            max_age=public.max_age,
            requires_qpv=public.requires_qpv,
            prescriber_type=public.prescriber_type,
        )
        for public in RULES.special_publics
    )
    room = Room.objects.select_related("site").get(
        school=school, site__name=SESSION_SITE, name=SESSION_ROOM
    )
    site = room.site
    partners = {
        partner.name: partner
        for partner in Partner.objects.filter(school=school, name__in=PRESCRIBERS.values())
    }
    prescriber_of = {key: partners[name] for key, name in PRESCRIBERS.items()}
    intake_user = staff.intake[0].user

    plans = list({id(chain.person): chain.person for chain in chains}.values())
    people = Person.objects.bulk_create(
        Person(
            school=school,
            last_name=p.last_name,
            first_name=p.first_name,
            birth_date=p.birth_date,
            gender=p.gender,
            email=p.email,
            phone=p.phone,
            address=p.address,
            postcode=p.postcode,
            commune=p.commune,
        )
        for p in plans
    )
    person_of = {id(plan): person for plan, person in zip(plans, people, strict=True)}

    info_sessions = InfoSession.objects.bulk_create(
        InfoSession(
            school=school,
            site=site,
            room=room,
            starts_at=s.starts_at,
            ends_at=s.starts_at + datetime.timedelta(hours=2),
            capacity=s.capacity,
            public_note=SESSION_NOTE,
            created_by=intake_user,
        )
        for s in sessions
    )
    session_of = {id(plan): obj for plan, obj in zip(sessions, info_sessions, strict=True)}

    referrals = Referral.objects.bulk_create(
        Referral(
            school=school,
            person=person_of[id(c.person)],
            prescriber=prescriber_of.get(c.prescriber),
            adviser=staff.prescriber_account if c.adviser else None,
            channel=c.channel,
            received_on=c.received_on,
            reason=c.reason,
            funding_line=lines[c.funding_line] if c.funding_line else None,
            job_seeker_status=c.job_seeker_status,
            left_school_on=c.person.left_school_on,
            in_employment_or_training=False,
            qpv_code=c.person.qpv.code if c.person.qpv else "",
            stage=c.stage,
            outcome=c.outcome,
            created_by=staff.prescriber_account.user if c.adviser else intake_user,
        )
        for c in chains
    )
    pairs = list(zip(chains, referrals, strict=True))

    registrations = [
        Registration(
            school=school,
            session=session_of[id(c.session)],
            first_name=c.person.first_name,
            last_name=c.person.last_name,
            email=c.person.email,
            phone=c.person.phone,
            prescriber_name=PRESCRIBERS.get(c.prescriber, ""),
            referral=referral,
            status=RegistrationStatus.CONFIRMED,
            attended=c.attended,
            token=secrets.token_urlsafe(32),
        )
        for c, referral in pairs
        if c.session is not None
    ]
    registrations += [
        Registration(
            school=school,
            session=session_of[id(s)],
            status=RegistrationStatus.CONFIRMED,
            from_public_agenda=True,
            token=secrets.token_urlsafe(32),
            **public,
        )
        for s in sessions
        for public in s.public
    ]
    Registration.objects.bulk_create(registrations)

    Interview.objects.bulk_create(
        Interview(
            school=school,
            referral=referral,
            held_at=c.interview_at,
            interviewer=c.interviewer,
            notes=c.notes,
            created_by=c.interviewer.user,
        )
        for c, referral in pairs
        if c.interview_at is not None and c.interviewer is not None
    )
    Decision.objects.bulk_create(
        Decision(
            school=school,
            referral=referral,
            outcome=d.outcome,
            decided_on=d.decided_on,
            decided_by=(
                staff.director.user
                if d.override_reason
                else (c.interviewer.user if c.interviewer else intake_user)
            ),
            planned_entry_date=d.planned_entry_date,
            site=site if d.outcome == Outcome.ADMITTED else None,
            reason=d.reason,
            rules=rules if d.outcome == Outcome.ADMITTED else None,
            eligibility=c.eligibility if d.outcome == Outcome.ADMITTED else [],
            override_reason=d.override_reason,
        )
        for c, referral in pairs
        for d in c.decisions
    )

    entered = [(c, referral) for c, referral in pairs if c.enrolment is not None]
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            school=school,
            person=referral.person,
            site=site,
            referent=c.enrolment.referent,
            referral=referral,
            entry_date=c.enrolment.entry_date,
            planned_end_date=eligibility.add_months(c.enrolment.entry_date, school.pathway_months),
            status=EnrolmentStatus.EXITED if c.enrolment.ended_on else EnrolmentStatus.ACTIVE,
            ended_on=c.enrolment.ended_on,
        )
        for c, referral in entered
    )
    EntrySituation.objects.bulk_create(
        EntrySituation(school=school, enrolment=enrolment, **c.enrolment.situation)
        for (c, _referral), enrolment in zip(entered, enrolments, strict=True)
    )
    EnrolmentFundingLine.objects.bulk_create(
        EnrolmentFundingLine(school=school, enrolment=enrolment, funding_line=lines[code])
        for (c, _referral), enrolment in zip(entered, enrolments, strict=True)
        for code in c.enrolment.funding_lines
    )


def delete_intake(schools) -> None:
    """Delete the intake records of ``schools``, children first (the foreign keys PROTECT)."""
    for model in (
        Registration,
        Decision,
        Interview,
        EntrySituation,
        EnrolmentFundingLine,
        Enrolment,
        Referral,
        InfoSession,
        SpecialPublic,
        EligibilityRules,
        Person,
    ):
        model.objects.filter(school__in=schools).delete()
