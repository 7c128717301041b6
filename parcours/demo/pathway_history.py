"""The demo's pathway follow-up for E2C Puy-de-Dôme: phases, plans, meetings, support actions.

Runs after the intake history, on every enrolment of the flagship school (the 2017–2019
history and the current trainees). Deterministic (``random.Random(2022)``), written with
``bulk_create``, no audit events. Health and mobility are the most frequent support domains,
as the seed article says ("notamment la santé, la mobilité").
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from parcours.intake.eligibility import add_months
from parcours.organisations.models import Membership, School
from parcours.pathways.models import (
    Enrolment,
    EnrolmentPhase,
    GoalStatus,
    Meeting,
    MeetingKind,
    Plan,
    PlanGoal,
    PlanStep,
    ReferentChange,
    SupportAction,
    TargetJob,
)
from parcours.pathways.services import ensure_phases
from parcours.people.models import age_on

SEED = 2022

TARGET_JOBS = [
    ("Préparateur / préparatrice de commandes", "N1103"),
    ("Commis de cuisine", "G1602"),
    ("Employé·e de libre-service", "D1507"),
    ("Agent·e de propreté", "K2204"),
    ("Aide-soignant·e", "J1501"),
    ("Électricien·ne du bâtiment", "F1602"),
    ("Mécanicien·ne automobile", "I1604"),
    ("Vendeur·se en alimentation", "D1106"),
    ("Assistant·e de vie aux familles", "K1302"),
    ("Opérateur·rice d'emballage", "H3302"),
    ("Serveur·se en restauration", "G1803"),
    ("Agent·e d'accueil", "M1601"),
]
GOALS = [
    "Obtenir le code de la route",
    "Réaliser un stage de découverte du métier",
    "Valider le niveau A2 en français écrit",
    "Passer la certification PIX",
    "Préparer le CléA",
    "Rédiger un CV et une lettre de motivation",
    "Réaliser deux enquêtes métier",
    "Trouver une entreprise pour le stage d'alternance",
    "Obtenir le SST (sauveteur secouriste du travail)",
]
STEPS = [
    "Atelier CV avec le formateur",
    "Visite d'entreprise avec le groupe",
    "Rendez-vous à la Mission Locale pour l'aide au permis",
    "Inscription à la session de code",
    "Recherche de stage accompagnée",
]
#: (domain, weight, what was done, partner)
SUPPORT = [
    (
        "health",
        24,
        "Orientation vers un bilan de santé et prise de rendez-vous",
        "CPAM du Puy-de-Dôme",
    ),
    ("mobility", 24, "Demande d'aide au financement du permis de conduire", "Mission Locale"),
    (
        "housing",
        11,
        "Accompagnement vers une demande de logement en résidence jeunes",
        "FJT de Clermont",
    ),
    ("money", 10, "Construction d'un budget et ouverture de droits", "CCAS de Clermont-Ferrand"),
    ("administrative", 11, "Renouvellement du titre de séjour et de la carte vitale", "Préfecture"),
    ("childcare", 5, "Recherche d'un mode de garde pendant les stages", "Relais petite enfance"),
    ("digital", 7, "Création d'une adresse e-mail et d'un espace France Travail", ""),
    ("language", 5, "Inscription à des ateliers sociolinguistiques", "Association Accueil FLE"),
    ("justice", 3, "Lien avec le SPIP pour l'aménagement des horaires", "SPIP 63"),
]
SUMMARIES = [
    "Point sur l'assiduité et les ateliers ; motivation en hausse.",
    "Retour sur le stage : bons retours du tuteur, ponctualité à travailler.",
    "Travail sur le projet : deux métiers retenus, enquêtes à mener.",
    "Bilan de phase : objectifs atteints, passage à l'alternance envisagé.",
    "Difficultés de transport évoquées ; piste d'aide au permis.",
]


def _at(day: datetime.date) -> datetime.datetime:
    """A working-hours moment on ``day`` in the school's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))


def _spread(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    days = max((end - start).days, 0)
    return start + datetime.timedelta(days=rng.randint(0, days))


def _phase_plan(entry: datetime.date, end: datetime.date, count: int) -> list[datetime.date]:
    """Start dates of the phases actually reached between ``entry`` and ``end``."""
    length = (end - entry).days
    shares = [0.0, 0.18, 0.45, 0.85][:count]
    starts = [entry + datetime.timedelta(days=int(length * share)) for share in shares]
    return [day for day in starts if day <= end]


def build_pathway_history(school: School) -> dict[str, int]:
    rng = random.Random(SEED)
    today = timezone.localdate()
    phases = ensure_phases(school)
    enrolments = list(
        Enrolment.objects.filter(school=school)
        .select_related("person", "referent__user")
        .order_by("entry_date", "pk")
    )
    directors = list(
        Membership.objects.filter(school=school, role="director").select_related("user")
    )
    referents = list(
        Membership.objects.filter(school=school, role="referent").select_related("user")
    )
    director_user = directors[0].user if directors else referents[0].user
    phase_rows, plan_rows, meeting_rows, action_rows, change_rows = [], [], [], [], []
    plan_children: list[tuple[Plan, list, list, list]] = []
    for enrolment in enrolments:
        end = enrolment.ended_on or today
        author = enrolment.referent.user if enrolment.referent else director_user
        months = (end - enrolment.entry_date).days / 30
        reached = 1 if months < 1.2 else 2 if months < 2.5 else 3 if months < 5 else 4
        starts = _phase_plan(enrolment.entry_date, end, reached)
        for index, start in enumerate(starts):
            closes = starts[index + 1] if index + 1 < len(starts) else enrolment.ended_on
            phase_rows.append(
                EnrolmentPhase(
                    school=school,
                    enrolment=enrolment,
                    phase=phases[index],
                    started_on=start,
                    ended_on=closes,
                    comment="" if index == 0 else "Bilan de phase réalisé en entretien.",
                    moved_by=author,
                )
            )
        # Plan: a first version three weeks in, a review at mid-pathway for longer stays.
        versions = 2 if months >= 3 else 1
        jobs = rng.sample(TARGET_JOBS, k=rng.choice([1, 1, 2]))
        for version in range(1, versions + 1):
            written_on = min(
                enrolment.entry_date + datetime.timedelta(days=21 if version == 1 else 90), end
            )
            plan = Plan(
                school=school,
                enrolment=enrolment,
                version=version,
                project=(
                    f"Accéder à un emploi de {jobs[0][0].lower()}"
                    + (" après une formation qualifiante." if rng.random() < 0.4 else ".")
                ),
                review_note="" if version == 1 else "Révision à mi-parcours après le stage.",
                created_by=author,
            )
            plan.demo_written_at = _at(written_on)
            plan_rows.append(plan)
            done_by = add_months(enrolment.entry_date, 2 * version)
            goals = [
                PlanGoal(
                    title=title,
                    due_on=_spread(rng, enrolment.entry_date, add_months(enrolment.entry_date, 6)),
                    status=(
                        GoalStatus.DONE
                        if version < versions or (enrolment.ended_on and rng.random() < 0.6)
                        else rng.choice([GoalStatus.TODO, GoalStatus.IN_PROGRESS])
                    ),
                )
                for title in rng.sample(GOALS, k=3)
            ]
            steps = [
                PlanStep(description=text, agreed_on=min(done_by, end))
                for text in rng.sample(STEPS, k=2)
            ]
            targets = [TargetJob(title=title, rome_code=code) for title, code in jobs]
            plan_children.append((plan, targets, goals, steps))
        # Meetings about every three weeks; the family is met for minors.
        day = enrolment.entry_date + datetime.timedelta(days=rng.randint(3, 10))
        minor = age_on(enrolment.person.birth_date, enrolment.entry_date) < 18
        while day <= end:
            roll = rng.random()
            kind = (
                MeetingKind.FAMILY
                if minor and roll < 0.15
                else MeetingKind.TRIPARTITE
                if roll < 0.25
                else MeetingKind.COMPANY
                if roll < 0.33
                else MeetingKind.DISCIPLINARY
                if roll < 0.36
                else MeetingKind.FOLLOW_UP
            )
            if kind == MeetingKind.FAMILY and age_on(enrolment.person.birth_date, day) >= 18:
                kind = MeetingKind.FOLLOW_UP
            confidential = rng.random() < 0.1
            meeting_rows.append(
                Meeting(
                    school=school,
                    enrolment=enrolment,
                    held_on=day,
                    kind=kind,
                    participants="Stagiaire, référent·e"
                    + (", conseiller·e Mission Locale" if kind == MeetingKind.TRIPARTITE else ""),
                    summary=(
                        "Situation personnelle évoquée ; relais proposé vers un partenaire."
                        if confidential
                        else rng.choice(SUMMARIES)
                    ),
                    confidential=confidential,
                    next_steps=rng.choice(["Prochain point dans trois semaines.", ""]),
                    author=author,
                )
            )
            day += datetime.timedelta(days=rng.randint(16, 28))
        # Support actions (peripheral barriers), one to four per trainee.
        domains = rng.choices(SUPPORT, weights=[w for _, w, _, _ in SUPPORT], k=rng.randint(1, 4))
        for domain, _weight, description, partner in domains:
            opened = _spread(rng, enrolment.entry_date, end)
            closed = None
            if enrolment.ended_on or rng.random() < 0.5:
                closed = min(opened + datetime.timedelta(days=rng.randint(7, 60)), end)
            action_rows.append(
                SupportAction(
                    school=school,
                    enrolment=enrolment,
                    domain=domain,
                    description=description + ".",
                    partner_organisation=partner,
                    opened_on=opened,
                    closed_on=closed,
                    hours=Decimal(rng.choice(["0.5", "1", "1.5", "2", "3", "4"])),
                    outcome=("Démarche aboutie." if closed and rng.random() < 0.7 else ""),
                    author=author,
                )
            )
    # A few referent changes among current trainees (a referent left for a while).
    # The demo referent account keeps the caseload the intake history gave it.
    others = [r for r in referents if r.user.email != "referent@e2c-63.demo"]
    other_ids = {r.pk for r in others}
    current = [e for e in enrolments if e.status == "active" and e.referent_id in other_ids]
    for enrolment in rng.sample(current, k=min(4, len(current))):
        new = rng.choice([r for r in others if r.pk != enrolment.referent_id])
        change_rows.append(
            ReferentChange(
                school=school,
                enrolment=enrolment,
                previous_id=enrolment.referent_id,
                new=new,
                changed_by=director_user,
            )
        )
        enrolment.referent = new
        change_rows[-1].demo_written_at = _at(
            max(enrolment.entry_date, today - datetime.timedelta(days=rng.randint(2, 20)))
        )
    Enrolment.objects.bulk_update([c.enrolment for c in change_rows], ["referent"])

    EnrolmentPhase.objects.bulk_create(phase_rows)
    Plan.objects.bulk_create(plan_rows)
    targets, goals, steps = [], [], []
    for plan, plan_targets, plan_goals, plan_steps in plan_children:
        for row in plan_targets + plan_goals + plan_steps:
            row.plan = plan
        targets += plan_targets
        goals += plan_goals
        steps += plan_steps
    TargetJob.objects.bulk_create(targets)
    PlanGoal.objects.bulk_create(goals)
    PlanStep.objects.bulk_create(steps)
    Meeting.objects.bulk_create(meeting_rows)
    SupportAction.objects.bulk_create(action_rows)
    ReferentChange.objects.bulk_create(change_rows)
    # ``auto_now_add`` stamps rows with the build time: date them as they happened instead.
    for plan in plan_rows:
        plan.created_at = plan.demo_written_at
    Plan.objects.bulk_update(plan_rows, ["created_at"], batch_size=500)
    for change in change_rows:
        change.changed_at = change.demo_written_at
    ReferentChange.objects.bulk_update(change_rows, ["changed_at"])
    for row in meeting_rows:
        row.created_at = _at(row.held_on)
    Meeting.objects.bulk_update(meeting_rows, ["created_at"], batch_size=500)
    for row in action_rows:
        row.created_at = _at(row.opened_on)
    SupportAction.objects.bulk_update(action_rows, ["created_at"], batch_size=500)
    return {
        "phases": len(phase_rows),
        "plans": len(plan_rows),
        "meetings": len(meeting_rows),
        "support_actions": len(action_rows),
    }


def delete_pathway_history(school_ids: list[int]) -> None:
    """Remove the follow-up rows of the given schools (before their enrolments)."""
    from parcours.pathways.models import Document, PhaseDefinition, RestrictedShare

    for model in (
        ReferentChange,
        RestrictedShare,
        Document,
        SupportAction,
        Meeting,
        EnrolmentPhase,
    ):
        model.objects.filter(school_id__in=school_ids).delete()
    for model in (TargetJob, PlanGoal, PlanStep):
        model.objects.filter(plan__school_id__in=school_ids).delete()
    Plan.objects.filter(school_id__in=school_ids).delete()
    PhaseDefinition.objects.filter(school_id__in=school_ids).delete()
