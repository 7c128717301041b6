"""The demo's competencies for E2C Puy-de-Dôme: positionings, assessments, certifications.

Runs after the pathway history, on every enrolment of the flagship school (the 2017–2019
history and the current trainees). The school positions its trainees on the shared default
framework (« transversal-e2c » v1). For each enrolment:

- a positioning on every competency in the first week (levels mostly 1–2, some 3: lower in
  writing, online procedures and the professional project, higher in teamwork and
  organisation), by the enrolment's referent;
- then one to three assessments per competency spread over the pathway (never before the
  entry, never after the exit nor today), usually one level up each time, each with an
  observation and sometimes a link; about 1 % of the rows are corrected by a later row;
- certifications for a realistic share of the trainees (PIX, CléA, SST, code de la route).

Deterministic (``random.Random(2023)``), written in a few ``executemany`` statements (see
``_insert``), no audit events, rows dated as they happened; their stored levels
(``LevelSpan``) are then computed by ``competencies.stored_levels.recompute``, as the
assessment writes would have. The Attestations de Compétences
Acquises of the exited trainees are issued by ``issue_demo_attestations`` through the
attestation service.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import random
from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone

from parcours.competencies import stored_levels
from parcours.competencies.loading import create_framework_rows, default_framework_data
from parcours.competencies.models import (
    Assessment,
    AssessmentContext,
    AssessmentKind,
    Attestation,
    AttestationCounter,
    Certification,
    CertificationKind,
    CertificationStatus,
    Competency,
    Evidence,
    EvidenceKind,
    Framework,
    FrameworkStatus,
    LevelSpan,
    SchoolFramework,
)
from parcours.competencies.selectors import school_framework
from parcours.organisations.models import Membership, Role, School
from parcours.pathways.models import Enrolment, EnrolmentStatus, ReferentChange

SEED = 2023
DEFAULT_FAMILY = "transversal-e2c"
DEFAULT_VERSION = 1
CORRECTION_REASON = "Erreur de saisie : niveau corrigé"
CORRECTION_SHARE = 0.01
POSITIONING = AssessmentKind.POSITIONING.value
POSITIONING_CONTEXT = AssessmentContext.POSITIONING.value
ASSESSMENT = AssessmentKind.ASSESSMENT.value

#: Entry level weights (levels 1, 2, 3) by competency; the others use ``DEFAULT_ENTRY``.
DEFAULT_ENTRY = (35, 50, 15)
ENTRY_WEIGHTS: dict[str, tuple[int, int, int]] = {
    "FR2": (40, 45, 15),
    "FR3": (55, 38, 7),
    "NUM1": (40, 45, 15),
    "DIG2": (55, 38, 7),
    "PROJ1": (60, 35, 5),
    "PROJ2": (55, 38, 7),
    "CIT1": (45, 45, 10),
    "FR1": (25, 50, 25),
    "DIG1": (20, 50, 30),
    "EQ1": (20, 50, 30),
    "ORG1": (20, 52, 28),
    "ORG2": (25, 50, 25),
}

#: Where each area is observed: (context, weight).
CONTEXTS: dict[str, list[tuple[str, int]]] = {
    "FR": [("workshop", 6), ("project", 2), ("school_life", 1), ("internship", 1)],
    "NUM": [("workshop", 7), ("project", 2), ("internship", 1)],
    "DIG": [("workshop", 7), ("project", 2), ("school_life", 1)],
    "EQ": [("project", 4), ("school_life", 3), ("internship", 3), ("workshop", 2)],
    "ORG": [("internship", 4), ("school_life", 3), ("project", 2), ("workshop", 1)],
    "PRO": [("internship", 7), ("school_life", 2), ("workshop", 1)],
    "PROJ": [("workshop", 4), ("internship", 3), ("project", 3)],
    "CIT": [("school_life", 5), ("workshop", 3), ("project", 2)],
}

#: Observations by area (assessments outside internships).
NOTES: dict[str, list[str]] = {
    "FR": [
        "A présenté son projet devant le groupe avec aisance.",
        "Prend la parole en réunion de groupe et reformule les consignes.",
        "A lu et résumé un article de presse locale sans aide.",
        "A rédigé un courriel de demande de stage clair et poli.",
        "Remplit seul·e un formulaire administratif ; quelques erreurs d'orthographe.",
        "A rédigé le compte rendu de la visite d'entreprise.",
    ],
    "NUM": [
        "A calculé le budget d'une sortie de groupe, proportions justes.",
        "Convertit les unités de mesure lors de l'atelier cuisine.",
        "A établi son budget mensuel avec le formateur.",
        "Lit un plan de la ville et calcule un temps de trajet.",
        "Résout les problèmes de pourcentages de la fiche d'atelier.",
    ],
    "DIG": [
        "A créé son adresse e-mail et envoyé une pièce jointe.",
        "A complété son espace France Travail en autonomie.",
        "A mis en forme son CV sur traitement de texte.",
        "Prend un rendez-vous en ligne et l'ajoute à son agenda.",
        "A terminé le parcours de rentrée PIX en atelier numérique.",
        "A trouvé une offre d'emploi en ligne et y a répondu.",
    ],
    "EQ": [
        "Aide spontanément les autres stagiaires pendant l'atelier.",
        "A tenu son rôle dans le projet collectif jusqu'à la restitution.",
        "Écoute les avis du groupe et propose des compromis.",
        "A co-animé la présentation du projet solidaire.",
    ],
    "ORG": [
        "Assiduité complète sur la période, retards en nette baisse.",
        "Prévient en cas d'absence et rattrape le travail manqué.",
        "Tient son agenda à jour et respecte les rendez-vous.",
        "A mené seul·e ses démarches de recherche de stage.",
        "A terminé le chantier du projet dans les délais fixés.",
    ],
    "PRO": [
        "Respecte les horaires et la tenue demandée.",
        "Adapte son langage aux interlocuteurs de l'entreprise.",
        "A appliqué le règlement intérieur sans rappel.",
    ],
    "PROJ": [
        "A réalisé deux enquêtes métier et en a présenté la synthèse.",
        "A confronté son projet à la réalité du métier pendant le stage.",
        "Projet validé en entretien tripartite avec la Mission Locale.",
        "A envoyé cinq candidatures ciblées et obtenu un entretien.",
        "A préparé un entretien d'embauche en simulation filmée.",
    ],
    "CIT": [
        "A participé au conseil de vie de l'école comme délégué·e.",
        "A ouvert ses droits à la complémentaire santé avec l'aide du groupe.",
        "S'est engagé·e dans l'action de bénévolat avec la banque alimentaire.",
        "Connaît ses droits et devoirs de stagiaire de la formation professionnelle.",
    ],
}
INTERNSHIP_NOTES = [
    "Stage chez un logisticien : respect des consignes de sécurité souligné par le tuteur.",
    "Stage en restauration collective : ponctualité irréprochable selon la tutrice.",
    "Stage en grande surface : bon contact avec la clientèle, à l'aise à la caisse.",
    "Stage en EHPAD : écoute et patience relevées dans le bilan de stage.",
    "Stage dans une entreprise de propreté : travail soigné, autonomie progressive.",
    "Stage en garage : suit les procédures, demande de l'aide à bon escient.",
    "Bilan de stage avec le tuteur : objectifs atteints, proposition d'embauche évoquée.",
]
POSITIONING_NOTES = {
    "FR": "Test de positionnement en français : lecture et écriture d'un message simple.",
    "NUM": "Test de positionnement en mathématiques : calculs du quotidien.",
    "DIG": "Positionnement numérique en salle informatique (parcours PIX de rentrée).",
    "PROJ": "Entretien d'entrée : premières pistes de métiers évoquées.",
}
CORRECTION_NOTE = "Niveau ressaisi après relecture de l'observation avec le ou la stagiaire."
LINKS = {
    "DIG": ["https://pix.fr/", "https://app.pix.fr/"],
    "PROJ": ["https://candidat.francetravail.fr/metierscope/"],
    "FR": ["https://www.clea.fr/"],
    "NUM": ["https://www.clea.fr/"],
}
LINK_SHARE = 0.12

#: (kind, share of the trainees who took it, earliest week in the pathway).
CERTIFICATIONS = [
    (CertificationKind.PIX, 0.40, 6),
    (CertificationKind.CLEA, 0.20, 10),
    (CertificationKind.SST, 0.15, 4),
    (CertificationKind.ETG, 0.10, 6),
]


@dataclass(frozen=True)
class _Assessors:
    """Who assessed an enrolment on a given day (its referent, or the one before a change)."""

    current: Membership
    previous: Membership | None = None
    changed_on: datetime.date | None = None

    def on(self, day: datetime.date) -> Membership:
        if self.previous is not None and self.changed_on and day < self.changed_on:
            return self.previous
        return self.current


def _at(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


@dataclass(slots=True)
class _Row:
    """An assessment row as planned; ``pk`` is known once it is written."""

    enrolment_id: int
    competency_id: int
    kind: str
    level: int
    assessed_on: datetime.date
    context: str
    assessor: Membership
    recorded_at: object  # database form, from ``_db_stamp``
    corrects: _Row | None = None
    correction_reason: str = ""
    pk: int | None = None


def _insert(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples into ``model``'s table with one ``executemany``.

    The demo writes some 40 000 competency rows; through ``bulk_create`` the ORM's per-value
    preparation cost about 4 s on SQLite, more than the rest of the demo. Values must already be
    in database form (see ``_db_date``/``_db_stamp``); the table's constraints still apply.
    """
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(model._meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


@functools.cache
def _db_date(day: datetime.date) -> object:
    return connection.ops.adapt_datefield_value(day)


@functools.cache
def _db_stamp(day: datetime.date, hour: int = 16) -> object:
    """A moment of ``day`` in the school's time zone, in database form (cached: tens of
    thousands of rows share a few thousand days; cleared at the start of every build)."""
    return connection.ops.adapt_datetimefield_value(_at(day, hour))


def default_framework() -> Framework:
    """The shipped default framework, published and shared.

    A migration ships it; a database flushed since (browser tests run on ``transactional_db``)
    no longer has it, so it is created again from the same data, as the migration does.
    """
    framework = Framework.objects.filter(
        school__isnull=True, family=DEFAULT_FAMILY, version=DEFAULT_VERSION
    ).first()
    if framework is None:
        from parcours.competencies import models as competency_models

        framework = create_framework_rows(
            default_framework_data(),
            models=competency_models,
            status=FrameworkStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    if framework.status != FrameworkStatus.PUBLISHED:  # pragma: no cover — never edited
        raise RuntimeError(f"the default framework {framework} is not published")
    return framework


def _assessors(school: School, enrolments: list[Enrolment]) -> dict[int, _Assessors]:
    referents = list(
        Membership.objects.filter(school=school, role=Role.REFERENT)
        .select_related("user")
        .order_by("pk")
    )
    by_pk = {m.pk: m for m in referents}
    changes = {
        c.enrolment_id: c
        for c in ReferentChange.objects.filter(school=school).order_by("changed_at", "pk")
    }
    result = {}
    for enrolment in enrolments:
        current = by_pk.get(enrolment.referent_id) or referents[enrolment.pk % len(referents)]
        change = changes.get(enrolment.pk)
        if change is not None and change.previous_id in by_pk:
            result[enrolment.pk] = _Assessors(
                current, by_pk[change.previous_id], timezone.localdate(change.changed_at)
            )
        else:
            result[enrolment.pk] = _Assessors(current)
    return result


def _next_level(rng: random.Random, level: int, top: int) -> int:
    roll = rng.random()
    step = -1 if roll < 0.04 else 0 if roll < 0.45 else 1
    return min(max(level + step, 1), top)


def _assessment_days(
    rng: random.Random, start: datetime.date, end: datetime.date, count: int
) -> list[datetime.date]:
    """``count`` days from ``start`` to ``end``, one in each slice of the period, in order."""
    length = (end - start).days
    days = []
    for index in range(count):
        low = start + datetime.timedelta(days=length * index // count)
        high = start + datetime.timedelta(days=length * (index + 1) // count)
        days.append(_day_between(rng, low, high))
    return days


def build_competency_history(school: School, today: datetime.date | None = None) -> dict[str, int]:
    """Write the positionings, assessments, evidence and certifications of ``school``."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    _db_date.cache_clear()
    _db_stamp.cache_clear()
    framework = default_framework()
    SchoolFramework.objects.update_or_create(school=school, defaults={"framework": framework})
    top = framework.levels.order_by("-value").values_list("value", flat=True).first() or 4
    competencies = list(
        Competency.objects.filter(framework=framework)
        .select_related("area")
        .order_by("area__position", "position", "code")
    )
    enrolments = list(Enrolment.objects.filter(school=school).order_by("entry_date", "pk"))
    assessors = _assessors(school, enrolments)

    def row(enrolment: Enrolment, competency, kind, level, day, context) -> _Row:
        assessor = assessors[enrolment.pk].on(day)
        return _Row(
            enrolment.pk, competency.pk, kind, level, day, context, assessor, _db_stamp(day)
        )

    rows: list[_Row] = []
    notes: list[tuple[_Row, str, str]] = []  # (row, note, url)
    certifications: list[tuple] = []
    for enrolment in enrolments:
        who = assessors[enrolment.pk]
        end = min(enrolment.ended_on or today, today)
        if enrolment.entry_date > end:  # not started yet: nothing to assess
            continue
        positioned_on = min(enrolment.entry_date + datetime.timedelta(days=rng.randint(0, 4)), end)
        days_in = (end - positioned_on).days
        ability = rng.choice([-1, 0, 0, 0, 1])  # some trainees are stronger than others
        for competency in competencies:
            area = competency.area.code
            weights = list(ENTRY_WEIGHTS.get(competency.code, DEFAULT_ENTRY))
            if ability < 0:
                weights = [weights[0] + weights[2] // 2, weights[1], weights[2] // 2]
            elif ability > 0:
                weights = [weights[0] // 2, weights[1], weights[2] + weights[0] // 2]
            level = rng.choices((1, 2, 3), weights=weights)[0]
            positioning = row(
                enrolment, competency, POSITIONING, level, positioned_on, POSITIONING_CONTEXT
            )
            rows.append(positioning)
            if area in POSITIONING_NOTES and rng.random() < 0.1:
                notes.append((positioning, POSITIONING_NOTES[area], ""))
            # One to three assessments, more for longer stays, after a first fortnight.
            count = (
                1
                if days_in < 60
                else rng.choice((1, 2, 2))
                if days_in < 140
                else rng.choice((1, 2, 2, 3))
            )
            start = min(positioned_on + datetime.timedelta(days=14), end)
            contexts, context_weights = zip(*CONTEXTS[area], strict=True)
            for day in _assessment_days(rng, start, end, count):
                level = _next_level(rng, level, top)
                context = rng.choices(contexts, weights=context_weights)[0]
                assessment = row(enrolment, competency, ASSESSMENT, level, day, context)
                rows.append(assessment)
                pool = INTERNSHIP_NOTES if context == "internship" else NOTES[area]
                url = ""
                if area in LINKS and rng.random() < LINK_SHARE:
                    url = rng.choice(LINKS[area])
                notes.append((assessment, rng.choice(pool), url))
        certifications += _certifications(rng, enrolment, positioned_on, end, who)

    _write_assessments(school, rows)
    # About 1 % of the rows are corrected by a later row (the level was mistyped): same day,
    # same context, recorded a few days later.
    corrections = []
    for original in rng.sample(rows, k=round(len(rows) * CORRECTION_SHARE)):
        level = original.level + 1 if original.level < top else original.level - 1
        if original.level > 1 and rng.random() < 0.5:
            level = original.level - 1
        recorded_on = min(original.assessed_on + datetime.timedelta(days=rng.randint(1, 6)), today)
        correction = dataclasses.replace(
            original,
            level=level,
            recorded_at=_db_stamp(recorded_on, 9),
            corrects=original,
            correction_reason=CORRECTION_REASON,
            pk=None,
        )
        corrections.append(correction)
        notes.append((correction, CORRECTION_NOTE, ""))
    _write_assessments(school, corrections)
    # The rows went around Assessment.save: compute their stored levels (LevelSpan) at once.
    stored_levels.recompute(enrolments=Enrolment.objects.filter(school=school))

    evidence = []
    for assessment, note, url in notes:
        recorded_at = assessment.recorded_at
        evidence.append((school.pk, assessment.pk, EvidenceKind.NOTE.value, note, "", recorded_at))
        if url:
            evidence.append(
                (school.pk, assessment.pk, EvidenceKind.LINK.value, "", url, recorded_at)
            )
    _insert(Evidence, ("school", "assessment", "kind", "note", "url", "created_at"), evidence)
    _insert(
        Certification,
        (
            "school",
            "enrolment",
            "kind",
            "label",
            "status",
            "on_date",
            "result",
            "recorded_by",
            "created_at",
            "updated_at",
        ),
        [(school.pk, *certification) for certification in certifications],
    )
    return {
        "positionings": sum(r.kind == POSITIONING for r in rows),
        "assessments": sum(r.kind == ASSESSMENT for r in rows),
        "corrections": len(corrections),
        "evidence": len(evidence),
        "certifications": len(certifications),
    }


def _write_assessments(school: School, rows: list[_Row]) -> None:
    """Insert ``rows`` (in order) and set their ``pk``."""
    last = Assessment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert(
        Assessment,
        (
            "school",
            "enrolment",
            "competency",
            "kind",
            "level",
            "assessed_on",
            "assessor",
            "context",
            "corrects",
            "correction_reason",
            "recorded_by",
            "recorded_at",
        ),
        [
            (
                school.pk,
                r.enrolment_id,
                r.competency_id,
                r.kind,
                r.level,
                _db_date(r.assessed_on),
                r.assessor.pk,
                r.context,
                r.corrects.pk if r.corrects else None,
                r.correction_reason,
                r.assessor.user_id,
                r.recorded_at,
            )
            for r in rows
        ],
    )
    # The rows were inserted in order by one connection, so their ids follow that order.
    pks = list(
        Assessment.objects.filter(school=school, pk__gt=last)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(pks) != len(rows):  # pragma: no cover — a concurrent writer during the build
        raise RuntimeError("demo assessments: unexpected rows in the table")
    for r, pk in zip(rows, pks, strict=True):
        r.pk = pk


def _certifications(
    rng: random.Random,
    enrolment: Enrolment,
    start: datetime.date,
    end: datetime.date,
    who: _Assessors,
) -> list[tuple]:
    """Certification rows (without the school) as ``_insert`` takes them."""
    result = []
    exited = enrolment.status == EnrolmentStatus.EXITED
    for kind, share, weeks in CERTIFICATIONS:
        earliest = start + datetime.timedelta(weeks=weeks)
        if earliest > end or rng.random() >= share:
            continue
        day = _day_between(rng, earliest, end)
        status, result_text = CertificationStatus.OBTAINED, ""
        roll = rng.random()
        if kind == CertificationKind.PIX:
            result_text = f"{rng.randrange(120, 420, 4)} pix"
        elif kind == CertificationKind.CLEA:
            if roll < 0.45:
                status = CertificationStatus.PARTIAL
                result_text = f"{rng.randint(3, 6)} domaines sur 7"
            else:
                result_text = "7 domaines sur 7"
        elif kind == CertificationKind.SST:
            if roll < 0.08:
                status = CertificationStatus.FAILED
            else:
                result_text = "Certificat SST valable 24 mois"
        elif kind == CertificationKind.ETG:
            if roll < 0.35:
                status, result_text = CertificationStatus.FAILED, f"{rng.randint(26, 34)}/40"
            else:
                result_text = f"{rng.randint(35, 40)}/40"
        if not exited and rng.random() < 0.25:  # a current trainee still preparing it
            status, result_text = CertificationStatus.PREPARING, ""
        recorded_at = _db_stamp(day, 17)
        result.append(
            (
                enrolment.pk,
                kind.value,
                "",
                status.value,
                _db_date(day),
                result_text,
                who.on(day).user_id,
                recorded_at,
                recorded_at,
            )
        )
    return result


def issue_demo_attestations(school: School, director_membership: Membership) -> int:
    """Issue the ACA of every exited enrolment of ``school`` that ended while the school held
    the label, dated on its exit day (in exit order, so the numbers follow the dates)."""
    from parcours.competencies.services_attestations import record_past_attestation

    exited = Enrolment.objects.filter(
        school=school, status=EnrolmentStatus.EXITED, ended_on__isnull=False
    ).order_by("ended_on", "pk")
    issued = 0
    for enrolment in exited:
        if not school.label_valid_on(enrolment.ended_on):
            continue
        record_past_attestation(
            membership=director_membership, enrolment=enrolment, issued_on=enrolment.ended_on
        )
        issued += 1
    return issued


def delete_competency_history(school_ids: list[int]) -> None:
    """Remove the competency rows of the given schools (before their enrolments).

    Assessments, evidence and attestations are append-only for the application; resetting the
    demo is the one place that deletes them, through querysets (the model guards are on
    ``save``/``delete`` of single rows; ``Assessment.objects`` refuses bulk deletes, so the
    assessments go through ``stored_levels.delete_and_recompute``, which also removes their
    stored levels). Links between rows of the same table (a correction, a replaced
    attestation) are cut first so the rows can go in one statement.
    """
    attestations = Attestation.objects.filter(school_id__in=school_ids)
    attestations.exclude(replaced_by=None).update(replaced_by=None)
    attestations.delete()
    AttestationCounter.objects.filter(school_id__in=school_ids).delete()
    Certification.objects.filter(school_id__in=school_ids).delete()
    Evidence.objects.filter(school_id__in=school_ids).delete()
    # Nothing refers to them any more once the evidence is gone: one statement instead of
    # the deletion collector loading every row, then their enrolments' levels recomputed.
    stored_levels.delete_and_recompute(Assessment.objects.filter(school_id__in=school_ids))
    LevelSpan.objects.filter(school_id__in=school_ids).delete()  # none left: the rows went
    SchoolFramework.objects.filter(school_id__in=school_ids).delete()


def summary_line() -> str | None:
    """A line about the flagship's competencies for the demo summary."""
    from .accounts import FLAGSHIP_SLUG

    school = School.objects.filter(slug=FLAGSHIP_SLUG).first()
    if school is None:
        return None
    framework = school_framework(school)
    rows = Assessment.objects.filter(school=school, corrects__isnull=True)
    return (
        f"{school.name} : référentiel « {framework} », "
        f"{rows.filter(kind=AssessmentKind.POSITIONING).count()} positionnements, "
        f"{rows.filter(kind=AssessmentKind.ASSESSMENT).count()} évaluations, "
        f"{Certification.objects.filter(school=school).count()} certifications, "
        f"{Attestation.objects.filter(school=school).count()} attestations."
    )
