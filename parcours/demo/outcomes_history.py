"""The demo's exits, follow-ups and headline definitions for E2C Puy-de-Dôme.

Runs after the companies history, on every exited enrolment of the flagship school:

- an exit on the day the enrolment ended, with a realistic destination: the hire the
  companies history recorded after the last internship (its contract mapped to the exit
  typology, the company as employer), an abandonment with its reason for most of those who
  left within the first months (some were excluded, moved away, fell ill, had a baby or just
  went looking for work), and for the others qualifying and non-qualifying training at real
  training bodies (AFPA, GRETA Auvergne, CFA), fixed-term and temporary jobs of every length —
  some of exactly 1 and 2 months, which the 2018 school definition does not count ("more than
  2 months") —, CDI, subsidised contracts, work-study, civic service, job search;
- the successes are decided by construction, year by year, under the school's 2018
  definition (``defaults.PUY_DE_DOME_2018``): among the people counted in a year (one exit per
  person, the latest), the number of successes is chosen so that the rate is exactly the
  target once rounded — **56 % in 2018**, the seed article's figure, and a plausible 50–62 %
  the other years —, then the successful destinations go to that many people (the hires that
  meet the definition among them). The plan is checked with ``rules.success_rate`` before
  anything is written;
- the follow-ups at 3, 6 and 12 months of every exit whose wave has fallen due: mostly
  recorded within three weeks by the referent (people tend to stay where they are or to move
  up: a CDD becomes a CDI, a job search becomes a job; some 15 % cannot be reached), a few
  left undone, the ones due lately still to do;
- the school's headline definition: the 2018 school definition, for every year from 2018.

Deterministic (``random.Random(2026)``), written in a few ``executemany`` statements (``COPY``
on PostgreSQL), no audit events, rows dated as they happened.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from parcours.companies.models import Company, ContractType, Hire
from parcours.organisations.models import Membership, Role, School
from parcours.outcomes import defaults
from parcours.outcomes.destinations import (
    LENGTH_REQUIRED,
    WITH_ORGANISATION,
    Destination,
    DropoutReason,
)
from parcours.outcomes.models import (
    Exit,
    ExitFollowUp,
    FollowUpStatus,
    FollowUpWave,
    HeadlineDefinition,
    OutcomeDefinition,
    follow_up_due_on,
)
from parcours.outcomes.rules import (
    DefinitionSpec,
    ExitFacts,
    is_successful,
    latest_per_person,
    success_rate,
    whole_percentage,
)
from parcours.pathways.models import Enrolment, EnrolmentStatus
from parcours.people.models import Gender

from .companies_history import _db_moment, _insert, _insert_rows
from .competency_history import _db_date

SEED = 2026
#: The seed article's figure: 56 % successful exits in 2018 under the school's definition.
TARGET_2018 = 56
#: The other years: a rate drawn in this range (whole percents).
OTHER_YEARS = (50, 62)
#: The school adopted its 2018 definition as its headline from this year on.
HEADLINE_FROM = 2018
#: A stay shorter than this is a dropout (``intake_history._stay_end``: 30–95 days against
#: 150–210 for those who go to the end).
DROPOUT_DAYS = 120
#: Follow-ups due for longer than this are mostly recorded; the later ones are still to do.
RECORDING_DELAY = datetime.timedelta(days=21)
#: Share of the older follow-ups nobody recorded (they stay on the to-do list).
UNDONE_SHARE = 0.03
#: Chance that a person cannot be reached (higher when the previous wave failed too).
UNREACHABLE_SHARE = 0.12
UNREACHABLE_AGAIN = 0.45

D = Destination

#: Hires (companies) → exit destinations.
FROM_CONTRACT: dict[str, str] = {
    ContractType.CDI.value: D.CDI.value,
    ContractType.CDD.value: D.CDD.value,
    ContractType.INTERIM.value: D.INTERIM.value,
    ContractType.SEASONAL.value: D.SEASONAL.value,
    ContractType.SUBSIDISED.value: D.SUBSIDISED.value,
    ContractType.APPRENTICESHIP.value: D.APPRENTICESHIP.value,
    ContractType.PROFESSIONALISATION.value: D.PROFESSIONALISATION.value,
}

# ---------------------------------------------------------------------------- reference data

#: Training bodies of the area (public and consular bodies, no private company).
QUALIFYING = (
    ("AFPA Clermont-Ferrand", "Titre professionnel Préparateur·rice de commandes en entrepôt"),
    ("AFPA Clermont-Ferrand", "Titre professionnel Agent·e de propreté et d'hygiène"),
    ("AFPA Clermont-Ferrand", "Titre professionnel Agent·e de restauration"),
    ("GRETA Auvergne — Clermont-Ferrand", "CAP Équipier·ère polyvalent·e du commerce"),
    ("GRETA Auvergne — Clermont-Ferrand", "Titre professionnel Assistant·e de vie aux familles"),
    ("GRETA Auvergne — Thiers", "CAP Cuisine"),
    ("CFA du bâtiment du Puy-de-Dôme", "CAP Maçon"),
    ("CFA de la Chambre de métiers du Puy-de-Dôme", "CAP Boulanger"),
    ("CFA de la Chambre de métiers du Puy-de-Dôme", "CAP Esthétique"),
    ("Institut de formation d'aides-soignants de Clermont-Ferrand", "Diplôme d'aide-soignant·e"),
)
TRAINING = (
    ("GRETA Auvergne — Clermont-Ferrand", "Remise à niveau en français et en mathématiques"),
    ("AFPA Clermont-Ferrand", "Prépa compétences"),
    ("AFTRAL Clermont-Ferrand", "CACES R489 catégories 1, 3 et 5"),
    ("GRETA Auvergne — Issoire", "Préparation aux métiers de l'aide à domicile"),
    ("Croix-Rouge française — Clermont-Ferrand", "PSC1 et préparation au concours d'entrée"),
)
CIVIC_SERVICE = (
    "Unis-Cité Auvergne",
    "Ligue de l'enseignement du Puy-de-Dôme",
    "Croix-Rouge française — délégation du Puy-de-Dôme",
    "Secours populaire français — fédération du Puy-de-Dôme",
)
#: Temporary-work agencies (invented names, as the partner companies').
AGENCIES = (
    "Arverne Intérim",
    "Dômes Travail Temporaire",
    "Volcans Emploi Intérim",
    "Limagne Intérim Services",
)
#: Employers that are not partners of the school (invented names).
OTHER_EMPLOYERS = (
    "Boulangerie du Fournil des Dômes",
    "Supérette Les Salins",
    "Restaurant Le Sablon",
    "Garage des Puys",
    "Nettoyage Auvergne Pro",
    "Transports Fayolle et fils",
    "Camping Les Cratères",
    "EHPAD Les Tilleuls",
)
MOVED_TO = ("Lyon", "Paris", "Saint-Étienne", "Montluçon", "Vichy", "Limoges", "Toulouse")

#: (destination, weight, months range or None) for those who succeed, by construction.
SUCCESSES: tuple[tuple[str, int, tuple[int, int] | None], ...] = (
    (D.CDD.value, 22, (3, 12)),
    (D.INTERIM.value, 9, (3, 6)),
    (D.CDI.value, 10, None),
    (D.SUBSIDISED.value, 7, (6, 12)),
    (D.SEASONAL.value, 3, (3, 5)),
    (D.APPRENTICESHIP.value, 8, None),
    (D.PROFESSIONALISATION.value, 3, None),
    (D.BUSINESS.value, 1, None),
    (D.QUALIFYING_TRAINING.value, 22, (6, 12)),
    (D.TRAINING.value, 13, (1, 4)),
)
#: ... and for those who do not (the short contracts sit right at the boundary).
FAILURES: tuple[tuple[str, int, tuple[int, int] | None], ...] = (
    (D.JOB_SEARCH.value, 40, None),
    (D.CDD.value, 9, (2, 2)),
    (D.CDD.value, 5, (1, 1)),
    (D.INTERIM.value, 6, (1, 1)),
    (D.INTERIM.value, 5, (2, 2)),
    (D.SEASONAL.value, 3, (2, 2)),
    (D.CIVIC_SERVICE.value, 7, None),
    (D.MOVED.value, 6, None),
    (D.HEALTH.value, 5, None),
    (D.MATERNITY.value, 3, None),
    (D.OTHER.value, 2, None),
)
#: Those who left within the first months.
DROPOUTS: tuple[tuple[str, int], ...] = (
    (D.DROPOUT.value, 68),
    (D.EXCLUDED.value, 7),
    (D.MOVED.value, 7),
    (D.HEALTH.value, 6),
    (D.MATERNITY.value, 4),
    (D.JOB_SEARCH.value, 8),
)
DROPOUT_REASONS: tuple[tuple[str, int], ...] = (
    (DropoutReason.MOTIVATION.value, 34),
    (DropoutReason.PERSONAL.value, 26),
    (DropoutReason.MONEY.value, 10),
    (DropoutReason.MOBILITY.value, 14),
    (DropoutReason.JOB_FOUND.value, 11),
    (DropoutReason.OTHER.value, 5),
)
COMMENTS: dict[str, tuple[str, ...]] = {
    D.EXCLUDED.value: (
        "Exclusion prononcée après plusieurs absences injustifiées et un rappel au règlement.",
        "Exclusion à la suite d'un comportement violent envers un autre stagiaire.",
    ),
    D.HEALTH.value: ("Arrêt de parcours pour raisons de santé, reprise à envisager.",),
    D.MATERNITY.value: ("Congé maternité, contact gardé pour un retour éventuel.",),
    D.OTHER.value: ("Incarcération.", "Départ à l'étranger dans la famille."),
    D.JOB_SEARCH.value: ("Inscription à France Travail, accompagnement par la Mission Locale.",),
}

#: Where people are at a follow-up, from where they were: while the contract or training
#: runs (``ONGOING``), and once it is over or for those with no positive destination.
ONGOING: dict[str, tuple[tuple[str, int], ...]] = {
    D.CDI.value: ((D.CDI.value, 88), (D.CDD.value, 4), (D.JOB_SEARCH.value, 8)),
    D.CDD.value: ((D.CDD.value, 78), (D.CDI.value, 17), (D.JOB_SEARCH.value, 5)),
    D.INTERIM.value: (
        (D.INTERIM.value, 68),
        (D.CDD.value, 15),
        (D.CDI.value, 10),
        (D.JOB_SEARCH.value, 7),
    ),
    D.SEASONAL.value: ((D.SEASONAL.value, 85), (D.CDD.value, 8), (D.JOB_SEARCH.value, 7)),
    D.SUBSIDISED.value: ((D.SUBSIDISED.value, 88), (D.CDI.value, 4), (D.JOB_SEARCH.value, 8)),
    D.APPRENTICESHIP.value: (
        (D.APPRENTICESHIP.value, 88),
        (D.CDI.value, 4),
        (D.JOB_SEARCH.value, 8),
    ),
    D.PROFESSIONALISATION.value: (
        (D.PROFESSIONALISATION.value, 88),
        (D.CDI.value, 6),
        (D.JOB_SEARCH.value, 6),
    ),
    D.BUSINESS.value: ((D.BUSINESS.value, 85), (D.JOB_SEARCH.value, 15)),
    D.QUALIFYING_TRAINING.value: ((D.QUALIFYING_TRAINING.value, 92), (D.JOB_SEARCH.value, 8)),
    D.TRAINING.value: ((D.TRAINING.value, 85), (D.JOB_SEARCH.value, 15)),
    D.CIVIC_SERVICE.value: ((D.CIVIC_SERVICE.value, 90), (D.JOB_SEARCH.value, 10)),
    D.HEALTH.value: ((D.HEALTH.value, 45), (D.JOB_SEARCH.value, 45), (D.TRAINING.value, 10)),
    D.MATERNITY.value: ((D.MATERNITY.value, 60), (D.JOB_SEARCH.value, 35), (D.CDD.value, 5)),
}
#: Once a contract or training is over, and for a job search.
AFTERWARDS: tuple[tuple[str, int], ...] = (
    (D.CDI.value, 18),
    (D.CDD.value, 28),
    (D.INTERIM.value, 15),
    (D.JOB_SEARCH.value, 17),
    (D.QUALIFYING_TRAINING.value, 6),
    (D.APPRENTICESHIP.value, 4),
    (D.SUBSIDISED.value, 2),
)
#: Those with no positive destination (and those who moved away, unknown to the school).
SEARCHING: tuple[tuple[str, int], ...] = (
    (D.JOB_SEARCH.value, 40),
    (D.CDD.value, 18),
    (D.INTERIM.value, 15),
    (D.TRAINING.value, 8),
    (D.QUALIFYING_TRAINING.value, 7),
    (D.CDI.value, 4),
    (D.CIVIC_SERVICE.value, 2),
    (D.SUBSIDISED.value, 2),
)
#: Lengths of a new contract or training found after the exit.
NEW_LENGTH: dict[str, tuple[int, int]] = {
    D.CDD.value: (2, 12),
    D.INTERIM.value: (1, 6),
    D.SEASONAL.value: (2, 5),
    D.SUBSIDISED.value: (6, 12),
    D.QUALIFYING_TRAINING.value: (6, 12),
    D.TRAINING.value: (1, 4),
}
#: How long a civic service or a work-study contract runs (no length on the exit).
IMPLIED_MONTHS = {D.CIVIC_SERVICE.value: 8, D.APPRENTICESHIP.value: 24}


# ---------------------------------------------------------------------------- the plan


@dataclass
class _Exit:
    enrolment: Enrolment
    destination: str = ""
    months: int | None = None
    days: int = 0
    organisation: str = ""
    hire: Hire | None = None
    dropout_reason: str = ""
    comment: str = ""
    pk: int = 0
    follow_ups: list[tuple] = field(default_factory=list)

    def facts(self, destination: str | None = None) -> ExitFacts:
        return ExitFacts(
            person_id=self.enrolment.person_id,
            exit_date=self.enrolment.ended_on,
            destination=self.destination if destination is None else destination,
            months=self.months,
            days=self.days,
            enrolment_id=self.enrolment.pk,
        )


def _pick(rng: random.Random, weighted) -> tuple:
    return rng.choices(weighted, weights=[w[1] for w in weighted])[0]


def ensure_default_definitions() -> None:
    """The shipped definitions, as migration 0002 loads them: a database flushed since
    (browser tests run on ``transactional_db``) no longer has them."""
    for data in defaults.DEFAULT_DEFINITIONS:
        if not OutcomeDefinition.objects.filter(code=data["code"]).exists():
            OutcomeDefinition.objects.create(**data, version=1, is_current=True)


def school_definition() -> OutcomeDefinition:
    """The current version of the school's 2018 definition (shipped with the network's)."""
    ensure_default_definitions()
    return OutcomeDefinition.objects.get(code=defaults.PUY_DE_DOME_2018, is_current=True)


class _Employers:
    def __init__(self, rng: random.Random, school: School) -> None:
        self.rng = rng
        rows = Company.objects.filter(school=school).order_by("name").values_list("name", "sector")
        self.partners = [name for name, _sector in rows]
        self.public = [name for name, sector in rows if sector in ("public", "nonprofit")]

    def employer(self, destination: str) -> str:
        rng = self.rng
        if destination == D.INTERIM.value:
            return rng.choice(AGENCIES)
        if destination == D.SUBSIDISED.value and self.public:
            return rng.choice(self.public)
        if destination == D.BUSINESS.value:
            return "Micro-entreprise (auto-entrepreneur·e)"
        if self.partners and rng.random() < 0.6:
            return rng.choice(self.partners)
        return rng.choice(OTHER_EMPLOYERS)


def _fill(
    rng: random.Random,
    plan: _Exit,
    destination: str,
    months: tuple[int, int] | None,
    employers: _Employers,
) -> None:
    """Give ``plan`` a destination of the typology with its length and organisation."""
    plan.destination = destination
    plan.months, plan.days = None, 0
    if destination in LENGTH_REQUIRED:
        low, high = months or NEW_LENGTH[destination]
        plan.months = rng.randint(low, high)
        # Some contracts run a few weeks past a whole month ("2 months and 10 days").
        if destination in (D.CDD.value, D.INTERIM.value) and low > 2 and rng.random() < 0.25:
            plan.months, plan.days = rng.choice([2, plan.months]), rng.randint(5, 25)
    if destination == D.QUALIFYING_TRAINING.value:
        plan.organisation, plan.comment = rng.choice(QUALIFYING)
    elif destination == D.TRAINING.value:
        plan.organisation, plan.comment = rng.choice(TRAINING)
    elif destination == D.CIVIC_SERVICE.value:
        plan.organisation = rng.choice(CIVIC_SERVICE)
    elif destination in WITH_ORGANISATION:
        plan.organisation = employers.employer(destination)
    if destination == D.MOVED.value:
        plan.comment = f"Départ pour {rng.choice(MOVED_TO)}."
    elif destination in COMMENTS and rng.random() < 0.5:
        plan.comment = rng.choice(COMMENTS[destination])


def _draw(
    rng: random.Random,
    plan: _Exit,
    success: bool,
    spec: DefinitionSpec,
    employers: _Employers,
    woman: bool,
) -> None:
    """A destination that is a success under ``spec`` or not, as asked."""
    table = SUCCESSES if success else FAILURES
    for _ in range(50):
        destination, _weight, months = _pick(rng, table)
        if destination == D.MATERNITY.value and not woman:
            continue
        _fill(rng, plan, destination, months, employers)
        if is_successful(plan.facts(), spec) == success:
            return
    raise RuntimeError(f"demo exits: no {'successful' if success else 'other'} destination")


def _successes(count: int, target: int) -> int:
    """The number of successes among ``count`` people nearest ``target`` percent whose
    percentage, rounded as on screen, is ``target`` (when there is one: not for a handful)."""
    if count == 0:
        return 0
    ideal = target * count / 100
    for k in sorted(range(count + 1), key=lambda k: (abs(k - ideal), k)):
        if whole_percentage(k, count) == target:
            return k
    return int(ideal + 0.5)


def plan_exits(
    rng: random.Random,
    enrolments: list[Enrolment],
    hires: dict[int, Hire],
    women: set[int],
    spec: DefinitionSpec,
    employers: _Employers,
) -> list[_Exit]:
    """One exit per exited enrolment, the successes decided year by year (see the module)."""
    plans = [_Exit(enrolment=e) for e in enrolments]
    by_year: dict[int, list[_Exit]] = defaultdict(list)
    for plan in plans:
        by_year[plan.enrolment.ended_on.year].append(plan)

    for year in sorted(by_year):
        in_year = by_year[year]
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        counted_ids = {
            f.enrolment_id
            for f in latest_per_person([p.facts("autre") for p in in_year], start, end)
        }
        fixed_successes, free = 0, []
        for plan in in_year:
            enrolment = plan.enrolment
            woman = enrolment.person_id in women
            hire = hires.get(enrolment.pk)
            if hire is not None:
                plan.hire = hire
                plan.destination = FROM_CONTRACT[hire.contract_type]
                plan.months = hire.months
                plan.organisation = hire.company.name
                plan.comment = f"Embauche après le stage : {hire.job_title}."
                if enrolment.pk in counted_ids and is_successful(plan.facts(), spec):
                    fixed_successes += 1
            elif (enrolment.ended_on - enrolment.entry_date).days < DROPOUT_DAYS:
                choices = [d for d in DROPOUTS if woman or d[0] != D.MATERNITY.value]
                destination = _pick(rng, choices)[0]
                _fill(rng, plan, destination, None, employers)
                if destination == D.DROPOUT.value:
                    plan.dropout_reason = _pick(rng, DROPOUT_REASONS)[0]
                    plan.comment = ""
            elif enrolment.pk in counted_ids:
                free.append(plan)
            else:  # an earlier exit of someone counted with a later one
                _draw(rng, plan, rng.random() < 0.5, spec, employers, woman)
        target = TARGET_2018 if year == 2018 else rng.randint(*OTHER_YEARS)
        wanted = _successes(len(counted_ids), target)
        needed = wanted - fixed_successes
        if not 0 <= needed <= len(free):
            if year == 2018:
                raise RuntimeError(
                    f"demo exits: {wanted} successes wanted in 2018, {fixed_successes} hires "
                    f"and {len(free)} other exits to choose from"
                )
            needed = min(max(needed, 0), len(free))
        winners = {id(p) for p in rng.sample(free, needed)}
        for plan in free:
            woman = plan.enrolment.person_id in women
            _draw(rng, plan, id(plan) in winners, spec, employers, woman)
    return plans


def check_plan(plans: list[_Exit], spec: DefinitionSpec) -> None:
    """The 2018 figure holds before anything is written."""
    start, end = datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)
    rate = success_rate([p.facts() for p in plans], spec, start, end)
    if rate.rounded != TARGET_2018:
        raise RuntimeError(f"demo exits: {rate.rate} % in 2018, {TARGET_2018} % expected")


def _next_situation(
    rng: random.Random, last: str, months: int | None, elapsed: int
) -> tuple[str, bool]:
    """Where someone who was in ``last`` (for ``months``) is ``elapsed`` months after the
    exit, and whether it is the same contract or training going on."""
    length = months if months is not None else IMPLIED_MONTHS.get(last)
    over = length is not None and length < elapsed
    if last in ONGOING and not over:
        situation = _pick(rng, ONGOING[last])[0]
        return situation, situation == last
    if last in ONGOING:
        return _pick(rng, AFTERWARDS)[0], False
    return _pick(rng, SEARCHING)[0], False


def plan_follow_ups(
    rng: random.Random, plans: list[_Exit], employers: _Employers, today: datetime.date
) -> None:
    """The follow-ups of every wave fallen due (see the module)."""
    for plan in plans:
        last, months, organisation = plan.destination, plan.months, plan.organisation
        unreachable_before = False
        for wave in FollowUpWave.values:
            due_on = follow_up_due_on(plan.enrolment.ended_on, wave)
            if due_on > today:
                break
            recent = today - due_on < RECORDING_DELAY
            if recent or rng.random() < UNDONE_SHARE:
                plan.follow_ups.append((wave, due_on, FollowUpStatus.DUE.value, None))
                continue
            contacted = due_on + datetime.timedelta(days=rng.randint(0, 20))
            while contacted.weekday() >= 5:
                contacted += datetime.timedelta(days=1)
            contacted = min(contacted, today)
            share = UNREACHABLE_AGAIN if unreachable_before else UNREACHABLE_SHARE
            if rng.random() < share:
                unreachable_before = True
                plan.follow_ups.append(
                    (wave, due_on, FollowUpStatus.UNREACHABLE.value, (contacted, None))
                )
                continue
            unreachable_before = False
            situation, same = _next_situation(rng, last, months, wave)
            found = _Exit(enrolment=plan.enrolment)
            if same:
                found.destination, found.months, found.organisation = (
                    situation,
                    months,
                    organisation,
                )
            else:
                _fill(rng, found, situation, None, employers)
                found.comment = ""
            plan.follow_ups.append((wave, due_on, FollowUpStatus.REACHED.value, (contacted, found)))
            last, months, organisation = found.destination, found.months, found.organisation


# ---------------------------------------------------------------------------- the build


def build_outcomes_history(school: School, today: datetime.date | None = None) -> dict[str, int]:
    """Write ``school``'s exits, their follow-ups and its headline definitions (see the
    module)."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    definition = school_definition()
    spec = definition.spec
    enrolments = list(
        Enrolment.objects.filter(school=school, status=EnrolmentStatus.EXITED)
        .select_related("referent")
        .order_by("entry_date", "pk")
    )
    hires: dict[int, Hire] = {}
    for hire in (
        Hire.objects.filter(school=school).select_related("company").order_by("start_date", "pk")
    ):
        hires.setdefault(hire.enrolment_id, hire)
    women = set(
        Enrolment.objects.filter(school=school, person__gender=Gender.FEMALE).values_list(
            "person_id", flat=True
        )
    )
    director = Membership.objects.filter(school=school, role=Role.DIRECTOR).earliest(
        "active_from", "pk"
    )
    employers = _Employers(rng, school)

    plans = plan_exits(rng, enrolments, hires, women, spec, employers)
    check_plan(plans, spec)
    plan_follow_ups(rng, plans, employers, today)

    def author(plan: _Exit) -> int:
        referent = plan.enrolment.referent
        return referent.user_id if referent else director.user_id

    school_id = school.pk
    exit_pks = _insert_rows(
        Exit,
        school,
        (
            "school",
            "enrolment",
            "exit_date",
            "destination",
            "months",
            "days",
            "organisation",
            "hire",
            "dropout_reason",
            "comment",
            "recorded_by",
            "recorded_at",
        ),
        [
            (
                school_id,
                p.enrolment.pk,
                _db_date(p.enrolment.ended_on),
                p.destination,
                p.months,
                p.days,
                p.organisation,
                p.hire.pk if p.hire else None,
                p.dropout_reason,
                p.comment,
                author(p),
                _db_moment(p.enrolment.ended_on + datetime.timedelta(days=rng.randint(0, 3)), 17),
            )
            for p in plans
        ],
    )
    follow_up_rows = []
    for plan, pk in zip(plans, exit_pks, strict=True):
        plan.pk = pk
        for wave, due_on, status, done in plan.follow_ups:
            created = _db_moment(due_on, 6)
            notified = _db_moment(due_on, 7) if due_on < today else None
            contacted_on, found, recorded_at, recorded_by = None, None, None, None
            if done is not None:
                contacted_on, found = done
                recorded_at = _db_moment(contacted_on, rng.randint(9, 17), rng.choice([0, 30]))
                recorded_by = author(plan)
            follow_up_rows.append(
                (
                    school_id,
                    pk,
                    wave,
                    _db_date(due_on),
                    status,
                    created,
                    notified,
                    _db_date(contacted_on) if found is not None else None,
                    found.destination if found else "",
                    found.months if found else None,
                    found.days if found else 0,
                    found.organisation if found else "",
                    "",
                    recorded_by,
                    recorded_at,
                )
            )
    _insert(
        ExitFollowUp,
        (
            "school",
            "exit",
            "wave",
            "due_on",
            "status",
            "created_at",
            "notified_at",
            "contacted_on",
            "situation",
            "months",
            "days",
            "organisation",
            "comment",
            "recorded_by",
            "recorded_at",
        ),
        follow_up_rows,
    )
    headlines = [
        (school_id, year, definition.pk, director.user_id, _db_moment(_headline_day(year), 10))
        for year in range(HEADLINE_FROM, today.year + 1)
    ]
    _insert(
        HeadlineDefinition, ("school", "year", "definition", "chosen_by", "chosen_at"), headlines
    )
    statuses = Counter(row[4] for row in follow_up_rows)
    return {
        "exits": len(plans),
        "follow_ups": len(follow_up_rows),
        "follow_ups_due": statuses[FollowUpStatus.DUE.value],
        "headlines": len(headlines),
    }


def _headline_day(year: int) -> datetime.date:
    """The director chose the 2018 definition when it was adopted, then each January."""
    if year == HEADLINE_FROM:
        return datetime.date(2018, 3, 12)
    return datetime.date(year, 1, 15)


def delete_outcomes_history(school_ids: list[int]) -> None:
    """Remove the follow-ups, exits, headline choices and own definitions of the given schools
    (before their enrolments, the hires the exits point to, and their members)."""
    for model in (ExitFollowUp, Exit, HeadlineDefinition):
        rows = model.objects.filter(school_id__in=school_ids)
        rows._raw_delete(rows.db)
    OutcomeDefinition.objects.filter(school_id__in=school_ids).delete()
