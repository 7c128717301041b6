"""The ``extras`` stage of the scale-data generator: what staff pages read beyond the stays.

Added to a database the generator already filled (``generate()`` runs it at the end;
``parcours bench generate --stage extras`` runs it alone, and refuses when plans or meetings
exist): derived from the rows in place, so it is consistent with them —

- per enrolment an individual plan (version 1, by the referent ten days after entry) with
  1–2 target jobs, 2–4 goals due inside the stay and 2–4 agreed steps;
- a meeting every 2–3 weeks of the stay by the referent (tripartite at the first month,
  with the company during an internship, now and then with the family of a minor or
  disciplinary), French summaries from Faker ``fr_FR`` with the generator's seed;
- 1–4 support actions per enrolment across the domains, opened inside the stay, closed
  after they open (the ones still running have no end);
- weekly information sessions per site (Tuesday morning) with registrations: most referrals
  registered at the last session before they were received, plus online registrations
  without referral;
- hires for about two exits to employment in three that followed an internship, with its
  company;
- audit events as the services write them: referral.create, info_session.create,
  enrolment.create, enrolment.phase, plan.create, meeting.create, support_action.create,
  internship.create, exit.record, hire.create, a statements export by the director each
  month, and — in SQL — attendance.mark_session for each session marked and one
  competencies.assessment per assessment batch (enrolment, day, kind).

Rows are written with :class:`Writer` (COPY on PostgreSQL, ``executemany`` on SQLite) and
``INSERT … SELECT`` for the two biggest kinds of events.
"""

from __future__ import annotations

import base64
import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from parcours.audit.models import AuditEvent
from parcours.companies.models import Hire, Internship
from parcours.competencies.models import Assessment
from parcours.intake.models import InfoSession, Referral, Registration
from parcours.organisations.models import Membership, Role, Site
from parcours.outcomes.models import Exit
from parcours.pathways.models import (
    Enrolment,
    EnrolmentPhase,
    Meeting,
    Plan,
    PlanGoal,
    PlanStep,
    SupportAction,
    TargetJob,
)
from parcours.scale.guards import refuse_unless_generated
from parcours.schedule.models import Session, local_moment

from .writer import Writer, is_postgres

DAY = datetime.timedelta(days=1)

EXTRA_TABLES = [
    "pathways_plan",
    "pathways_targetjob",
    "pathways_plangoal",
    "pathways_planstep",
    "pathways_meeting",
    "pathways_supportaction",
    "intake_infosession",
    "intake_registration",
    "companies_hire",
    "audit_auditevent",
]

JOBS = [
    ("Employé·e de libre-service", "D1507"),
    ("Commis de cuisine", "G1602"),
    ("Aide maçon", "F1703"),
    ("Agent·e logistique", "N1103"),
    ("Aide-soignant·e", "J1501"),
    ("Agent·e d'entretien", "K2204"),
    ("Vendeur·se", "D1214"),
    ("Jardinier·e", "A1203"),
    ("Agent·e administratif·ve", "M1602"),
    ("Opérateur·rice de production", "H2102"),
]
GOALS = [
    "Obtenir le permis B",
    "Valider le projet professionnel par un stage",
    "Remettre à niveau les savoirs de base en français",
    "Consolider le calcul professionnel",
    "Rédiger un CV et une lettre de motivation",
    "Préparer un entretien d'embauche",
    "Obtenir le certificat Pix",
    "Trouver un contrat en alternance",
    "Stabiliser la situation de logement",
    "Ouvrir ses droits à la complémentaire santé",
    "Être ponctuel·le et assidu·e sur un mois",
    "Découvrir deux métiers en entreprise",
]
STEPS = [
    "Inscription à l'atelier CV",
    "Rendez-vous à la mission locale",
    "Recherche de stage auprès de trois entreprises",
    "Visite d'un centre de formation",
    "Inscription au code de la route",
    "Entretien avec la conseillère France Travail",
    "Participation au forum de l'alternance",
    "Enquête métier auprès d'un professionnel",
    "Dossier d'aide à la mobilité déposé",
    "Point d'étape avec le référent",
]
PARTNERS = {
    "health": ["CPAM", "Centre médico-psychologique", "PASS de l'hôpital", "Médecin traitant"],
    "mobility": ["Plateforme mobilité", "Auto-école sociale", "Garage solidaire"],
    "housing": ["Foyer de jeunes travailleurs", "CCAS", "Action Logement", "SIAO"],
    "childcare": ["Crèche municipale", "Relais petite enfance", "CAF"],
    "money": ["CAF", "Point conseil budget", "Banque de France", "Mission locale (CEJ)"],
    "administrative": ["Préfecture", "France Services", "CAF", "Mairie"],
    "justice": ["SPIP", "PJJ", "Point d'accès au droit"],
    "language": ["Centre social — atelier FLE", "GRETA"],
    "digital": ["Emmaüs Connect", "Médiathèque — atelier numérique"],
}
DOMAINS = [
    ("administrative", 22),
    ("mobility", 20),
    ("money", 15),
    ("housing", 12),
    ("health", 10),
    ("digital", 8),
    ("childcare", 5),
    ("language", 5),
    ("justice", 3),
]
ACTIONS_BY_DOMAIN = {
    "health": "Orientation vers un bilan de santé et aide à la prise de rendez-vous.",
    "mobility": "Montage d'un dossier d'aide au permis et recherche d'une solution de transport.",
    "housing": "Accompagnement de la demande de logement et lien avec le travailleur social.",
    "childcare": "Recherche d'un mode de garde compatible avec les horaires de l'école.",
    "money": "Point budget, ouverture des droits et dossier d'aide financière.",
    "administrative": "Renouvellement de pièces d'identité et démarches auprès de la CAF.",
    "justice": "Lien avec le conseiller d'insertion et de probation, aménagement des horaires.",
    "language": "Inscription à un atelier de français langue étrangère.",
    "digital": "Création d'une adresse e-mail et accès aux démarches en ligne.",
}
CONTRACTS = {
    "cdi": "cdi",
    "cdd": "cdd",
    "interim": "interim",
    "contrat_aide": "subsidised",
    "alternance": "apprentice",
}
FIXED_TERM = {"cdd", "interim", "seasonal", "subsidised"}


def already_there() -> bool:
    return Plan.objects.exists() or Meeting.objects.exists() or InfoSession.objects.exists()


def _token(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(256).to_bytes(32, "big")).decode()[:43]


def _ip(user_id: int) -> str:
    return f"10.{(user_id >> 16) & 255}.{(user_id >> 8) & 255}.{user_id & 255 or 1}"


def _repr(model: Any, pk: int) -> str:
    return f"{model._meta.verbose_name} n° {pk}"[:200]


class Extras:
    def __init__(self, seed: int, progress: Callable[[str], Any]) -> None:
        self.rng = random.Random(seed * 7919 + 12)
        self.progress = progress
        self.w = Writer()
        self.today = timezone.localdate()
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.sentences = [fake.sentence(nb_words=12) for _ in range(300)]
        self.paragraphs = [fake.paragraph(nb_sentences=3) for _ in range(200)]
        self.hours: dict[tuple[datetime.date, int, int], datetime.datetime] = {}

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        key = (day, hour, minute)
        moment = self.hours.get(key)
        if moment is None:
            moment = self.hours[key] = local_moment(day, datetime.time(hour, minute))
        return moment

    def event(self, *, school, actor, action, model, pk, when, changes=None) -> dict:
        return {
            "id": self.w.new_id(AuditEvent),
            "school_id": school,
            "actor_id": actor,
            "action": action,
            "object_type": model._meta.label_lower,
            "object_id": str(pk),
            "object_repr": _repr(model, pk),
            "changes": changes or {},
            "ip_address": _ip(actor) if actor else None,
            "created_at": when,
        }

    # ------------------------------------------------------------------------------ run

    def run(self) -> None:
        started = time.monotonic()
        staff: dict[int, dict[str, int]] = defaultdict(dict)
        users = dict(Membership.objects.values_list("pk", "user_id"))
        for school_id, role, user_id in Membership.objects.filter(school__isnull=False).values_list(
            "school_id", "role", "user_id"
        ):
            staff[school_id].setdefault(role, user_id)
        self.staff, self.users = staff, users
        self.info_sessions()
        self.progress(f"  informations collectives ({time.monotonic() - started:.0f} s)")
        self.stays()
        self.progress(f"  plans, entretiens, accompagnements ({time.monotonic() - started:.0f} s)")
        self.sql_events()
        self.progress(f"  événements d'audit en SQL ({time.monotonic() - started:.0f} s)")
        self.w.reset_sequences()

    # -- information sessions and registrations -------------------------------------------

    def info_sessions(self) -> None:
        w, rng = self.w, self.rng
        first = Referral.objects.order_by("received_on").values_list("received_on", flat=True)
        start = first.first() or self.today
        start -= datetime.timedelta(days=35)
        start += datetime.timedelta(days=(1 - start.weekday()) % 7)  # a Tuesday
        horizon = self.today + datetime.timedelta(days=28)
        sites: dict[int, list[int]] = defaultdict(list)
        for site_id, school_id in Site.objects.order_by("pk").values_list("pk", "school_id"):
            sites[school_id].append(site_id)
        enrolment_site = dict(Enrolment.objects.values_list("referral_id", "site_id"))
        sessions: list[dict] = []
        events: list[dict] = []
        by_site: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
        for school_id, site_ids in sites.items():
            intake = self.staff[school_id].get(Role.INTAKE)
            for site_id in site_ids:
                day = start
                while day <= horizon:
                    if not (day.month == 8 and day.day <= 20) and not (
                        day.month == 12 and day.day >= 22
                    ):
                        pk = w.new_id(InfoSession)
                        created = self.at(day - datetime.timedelta(days=21), 10)
                        sessions.append(
                            {
                                "id": pk,
                                "school_id": school_id,
                                "site_id": site_id,
                                "starts_at": self.at(day, 9, 30),
                                "ends_at": self.at(day, 11, 30),
                                "capacity": 15,
                                "public_note": "Se munir d'une pièce d'identité et d'un CV.",
                                "cancelled": rng.random() < 0.02,
                                "created_by_id": intake,
                                "created_at": created,
                            }
                        )
                        if not sessions[-1]["cancelled"]:
                            by_site[site_id].append((day, pk))
                        if intake:
                            events.append(
                                self.event(
                                    school=school_id,
                                    actor=intake,
                                    action="info_session.create",
                                    model=InfoSession,
                                    pk=pk,
                                    when=created,
                                    changes={
                                        "starts_at": sessions[-1]["starts_at"].isoformat(),
                                        "capacity": 15,
                                        "cancelled": False,
                                    },
                                )
                            )
                    day += datetime.timedelta(days=7)
        w.write(InfoSession, sessions)

        def registrations() -> Iterator[dict]:
            import bisect

            days = {site: [d for d, _ in rows] for site, rows in by_site.items()}
            taken: dict[int, int] = defaultdict(int)
            referrals = Referral.objects.order_by("pk").values_list(
                "pk",
                "school_id",
                "received_on",
                "person__first_name",
                "person__last_name",
                "person__email",
                "person__phone",
                "prescriber__name",
                "created_by_id",
            )
            for (
                pk,
                school,
                received,
                first,
                last,
                email,
                phone,
                prescriber,
                _creator,
            ) in list(referrals):
                if rng.random() >= 0.85:
                    continue
                site = enrolment_site.get(pk) or sites[school][0]
                rows = by_site.get(site)
                if not rows:
                    continue
                index = bisect.bisect_right(days[site], received) - 1
                if index < 0:
                    continue
                day, session = rows[index]
                taken[session] += 1
                yield {
                    "id": w.new_id(Registration),
                    "school_id": school,
                    "session_id": session,
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "phone": phone if (phone or email) else "0600000000",
                    "prescriber_name": prescriber or "",
                    "referral_id": pk,
                    "status": "confirmed",
                    "attended": True,
                    "from_public_agenda": False,
                    "token": _token(rng),
                    "created_at": self.at(day - datetime.timedelta(days=rng.randint(2, 12)), 11),
                }
            # Online registrations without referral: who did not come, who cancelled.
            for site, rows in by_site.items():
                school = site_school[site]
                for day, session in rows:
                    for n in range(rng.randint(0, 3)):
                        past = day < self.today
                        status = "cancelled" if n == 2 else "confirmed"
                        yield {
                            "id": w.new_id(Registration),
                            "school_id": school,
                            "session_id": session,
                            "first_name": rng.choice(FIRST),
                            "last_name": rng.choice(LAST),
                            "email": f"inscription{session}-{n}@bench.example.org",
                            "phone": "",
                            "status": status,
                            "attended": (rng.random() < 0.3) if past and n < 2 else None,
                            "from_public_agenda": True,
                            "token": _token(rng),
                            "created_at": self.at(day - datetime.timedelta(days=n + 3), 20),
                        }

        site_school = {site: school for school, ids in sites.items() for site in ids}
        fake = Faker("fr_FR")
        fake.seed_instance(rng.randint(0, 10**6))
        FIRST[:] = [fake.first_name() for _ in range(200)]
        LAST[:] = [fake.last_name() for _ in range(300)]
        w.write(Registration, list(registrations()))  # new_id queries: not during a COPY
        referral_events = []
        for pk, school, received, creator in Referral.objects.order_by("pk").values_list(
            "pk", "school_id", "received_on", "created_by_id"
        ):
            actor = creator or self.staff[school].get(Role.INTAKE)
            referral_events.append(
                self.event(
                    school=school,
                    actor=actor,
                    action="referral.create",
                    model=Referral,
                    pk=pk,
                    when=self.at(received, 11, 15),
                    changes={"channel": "prescriber"},
                )
            )
        w.write(AuditEvent, events)
        w.write(AuditEvent, referral_events)

    # -- per stay ------------------------------------------------------------------------

    def stays(self) -> None:
        w, rng, today = self.w, self.rng, self.today
        phases: dict[int, list[tuple[int, int, datetime.date, int | None]]] = defaultdict(list)
        for pk, enrolment, phase, started, moved in EnrolmentPhase.objects.order_by(
            "enrolment_id", "started_on", "pk"
        ).values_list("pk", "enrolment_id", "phase_id", "started_on", "moved_by_id"):
            phases[enrolment].append((pk, phase, started, moved))
        internships: dict[int, list[tuple]] = defaultdict(list)
        for row in (
            Internship.objects.filter(cancelled_at__isnull=True)
            .order_by("start_date", "pk")
            .values_list(
                "enrolment_id",
                "pk",
                "company_id",
                "job_title",
                "start_date",
                "end_date",
                "created_by_id",
            )
        ):
            internships[row[0]].append(row[1:])
        exits = {
            row[0]: row[1:]
            for row in Exit.objects.values_list(
                "enrolment_id", "pk", "exit_date", "destination", "months", "recorded_by_id"
            )
        }
        rows: dict[Any, list[dict]] = defaultdict(list)
        goal_weights = [("todo", 1), ("in_progress", 1), ("done", 2), ("dropped", 1)]
        count = 0
        enrolments = Enrolment.objects.order_by("pk").values_list(
            "pk",
            "school_id",
            "referent_id",
            "entry_date",
            "ended_on",
            "planned_end_date",
            "status",
            "referral_id",
            "age_at_entry",
        )
        for (
            pk,
            school,
            referent,
            entry,
            ended,
            planned,
            status,
            referral,
            age,
        ) in list(enrolments):
            staff = self.staff[school]
            author = self.users.get(referent) or staff.get(Role.DIRECTOR)
            intake = staff.get(Role.INTAKE) or author
            last = min(ended or today, today)
            events = rows[AuditEvent]
            events.append(
                self.event(
                    school=school,
                    actor=intake,
                    action="enrolment.create",
                    model=Enrolment,
                    pk=pk,
                    when=self.at(entry, 9, 10),
                    changes={"referral": referral, "entry_date": entry.isoformat()},
                )
            )
            previous = None
            for _phase_pk, phase, started, moved in phases.get(pk, []):
                if previous is not None and started <= today:
                    events.append(
                        self.event(
                            school=school,
                            actor=moved or author,
                            action="enrolment.phase",
                            model=Enrolment,
                            pk=pk,
                            when=self.at(started, 9, 40),
                            changes={
                                "from": previous,
                                "to": phase,
                                "on": started.isoformat(),
                                "backwards": False,
                            },
                        )
                    )
                previous = phase
            # The plan, ten days in.
            plan_day = max(entry, min(entry + 10 * DAY, last))
            plan_id = w.new_id(Plan)
            job = rng.randrange(len(JOBS))
            rows[Plan].append(
                {
                    "id": plan_id,
                    "school_id": school,
                    "enrolment_id": pk,
                    "version": 1,
                    "project": f"Projet : {JOBS[job][0].lower()}. {rng.choice(self.paragraphs)}",
                    "created_by_id": author,
                    "created_at": self.at(plan_day, 15),
                }
            )
            for offset in range(rng.randint(1, 2)):
                title, rome = JOBS[(job + offset * 3) % len(JOBS)]
                rows[TargetJob].append(
                    {
                        "id": w.new_id(TargetJob),
                        "plan_id": plan_id,
                        "title": title,
                        "rome_code": rome,
                    }
                )
            span = max((planned - plan_day).days, 14)
            for title in rng.sample(GOALS, rng.randint(2, 4)):
                due = plan_day + DAY * rng.randint(14, span)
                if status == "active":
                    state = (
                        ("done" if rng.random() < 0.6 else "in_progress")
                        if due < today
                        else (rng.choice(["todo", "in_progress"]))
                    )
                else:
                    state = rng.choices(*zip(*goal_weights, strict=True))[0]
                    if state in ("todo", "in_progress"):
                        state = "dropped"
                rows[PlanGoal].append(
                    {
                        "id": w.new_id(PlanGoal),
                        "plan_id": plan_id,
                        "title": title,
                        "due_on": due,
                        "status": state,
                    }
                )
            for description in rng.sample(STEPS, rng.randint(2, 4)):
                rows[PlanStep].append(
                    {
                        "id": w.new_id(PlanStep),
                        "plan_id": plan_id,
                        "description": description,
                        "agreed_on": plan_day + DAY * rng.randint(0, 20),
                    }
                )
            events.append(
                self.event(
                    school=school,
                    actor=author,
                    action="plan.create",
                    model=Enrolment,
                    pk=pk,
                    when=self.at(plan_day, 15, 5),
                    changes={"version": 1},
                )
            )
            # Meetings every 2–3 weeks.
            stay_internships = internships.get(pk, [])
            day = entry + DAY * rng.randint(5, 12)
            n = 0
            while day <= last:
                if day.weekday() >= 5:
                    day += DAY * (7 - day.weekday())
                    continue
                kind = "follow_up"
                participants = "Stagiaire, référent·e"
                in_internship = next((i for i in stay_internships if i[3] <= day <= i[4]), None)
                if n == 1:
                    kind, participants = "tripartite", "Stagiaire, référent·e, prescripteur"
                elif in_internship is not None:
                    kind, participants = "company", "Stagiaire, référent·e, tuteur·rice"
                elif age is not None and age < 18 and rng.random() < 0.2:
                    kind, participants = "family", "Stagiaire, référent·e, représentant légal"
                elif rng.random() < 0.02:
                    kind, participants = "disciplinary", "Stagiaire, référent·e, direction"
                meeting_id = w.new_id(Meeting)
                confidential = rng.random() < 0.05
                created = self.at(day, 17, 15)
                rows[Meeting].append(
                    {
                        "id": meeting_id,
                        "school_id": school,
                        "enrolment_id": pk,
                        "held_on": day,
                        "kind": kind,
                        "participants": participants,
                        "summary": rng.choice(self.paragraphs),
                        "confidential": confidential,
                        "next_steps": rng.choice(self.sentences),
                        "author_id": author,
                        "created_at": created,
                    }
                )
                events.append(
                    self.event(
                        school=school,
                        actor=author,
                        action="meeting.create",
                        model=Meeting,
                        pk=meeting_id,
                        when=created,
                        changes={"enrolment": pk, "confidential": confidential},
                    )
                )
                n += 1
                day += DAY * rng.randint(14, 21)
            # Support actions.
            length = max((last - entry).days, 1)
            for _ in range(rng.randint(1, 4)):
                domain = rng.choices(*zip(*DOMAINS, strict=True))[0]
                opened = entry + DAY * rng.randint(0, max(length - 1, 0))
                closed = opened + DAY * rng.randint(7, 90)
                if closed > last:
                    closed = None if status == "active" else last
                action_id = w.new_id(SupportAction)
                created = self.at(opened, 16, 30)
                rows[SupportAction].append(
                    {
                        "id": action_id,
                        "school_id": school,
                        "enrolment_id": pk,
                        "domain": domain,
                        "description": ACTIONS_BY_DOMAIN[domain],
                        "partner_organisation": rng.choice(PARTNERS[domain]),
                        "opened_on": opened,
                        "closed_on": closed,
                        "hours": Decimal(rng.randint(2, 40)) / 2,
                        "outcome": rng.choice(self.sentences) if closed else "",
                        "author_id": author,
                        "created_at": created,
                    }
                )
                events.append(
                    self.event(
                        school=school,
                        actor=author,
                        action="support_action.create",
                        model=SupportAction,
                        pk=action_id,
                        when=created,
                        changes={"domain": domain},
                    )
                )
            for internship, _company, _title, start, _end, creator in stay_internships:
                when = self.at(start - DAY * 7, 14)
                events.append(
                    self.event(
                        school=school,
                        actor=creator,
                        action="internship.create",
                        model=Internship,
                        pk=internship,
                        when=when,
                        changes={"enrolment": pk, "start_date": start.isoformat()},
                    )
                )
            # Exit, and the hire that followed an internship.
            exit_ = exits.get(pk)
            if exit_ is not None:
                exit_id, exit_date, destination, months, recorder = exit_
                hire_id = None
                contract = CONTRACTS.get(destination)
                if contract and stay_internships and rng.random() < 0.65:
                    internship, company, title, *_rest = stay_internships[-1]
                    hire_id = w.new_id(Hire)
                    fixed = contract in FIXED_TERM
                    relations = staff.get(Role.COMPANY_RELATIONS) or recorder
                    rows[Hire].append(
                        {
                            "id": hire_id,
                            "school_id": school,
                            "enrolment_id": pk,
                            "company_id": company,
                            "internship_id": internship,
                            "contract_type": contract,
                            "months": (months or rng.randint(1, 12)) if fixed else None,
                            "job_title": title,
                            "start_date": exit_date + DAY,
                            "recorded_by_id": relations,
                            "recorded_at": self.at(exit_date, 16),
                        }
                    )
                    events.append(
                        self.event(
                            school=school,
                            actor=relations,
                            action="hire.create",
                            model=Hire,
                            pk=hire_id,
                            when=self.at(exit_date, 16),
                            changes={"enrolment": pk, "contract_type": contract},
                        )
                    )
                events.append(
                    self.event(
                        school=school,
                        actor=recorder,
                        action="exit.record",
                        model=Exit,
                        pk=exit_id,
                        when=self.at(exit_date, 17, 5),
                        changes={
                            "enrolment": pk,
                            "exit_date": exit_date.isoformat(),
                            "destination": destination,
                            "months": months,
                            "hire": hire_id,
                        },
                    )
                )
            count += 1
            if count % 5000 == 0:
                self.flush(rows)
        self.flush(rows)
        # The director exports the monthly statements of each school.
        events = []
        for school, roles in self.staff.items():
            director = roles.get(Role.DIRECTOR)
            if not director:
                continue
            first = (
                Enrolment.objects.filter(school_id=school)
                .order_by("entry_date")
                .values_list("entry_date", flat=True)
                .first()
            )
            if first is None:
                continue
            month = first.replace(day=1)
            while month < today.replace(day=1):
                nxt = (month + DAY * 32).replace(day=1)
                events.append(
                    {
                        "id": w.new_id(AuditEvent),
                        "school_id": school,
                        "actor_id": director,
                        "action": "statement.export",
                        "object_type": "",
                        "object_id": "",
                        "object_repr": "",
                        "changes": {"month": month.strftime("%Y-%m")},
                        "ip_address": _ip(director),
                        "created_at": self.at(nxt + DAY * 2, 10),
                    }
                )
                month = nxt
        w.write(AuditEvent, events)

    def flush(self, rows: dict[Any, list[dict]]) -> None:
        for model in (
            Plan,
            TargetJob,
            PlanGoal,
            PlanStep,
            Meeting,
            SupportAction,
            Hire,
            AuditEvent,
        ):
            if rows.get(model):
                self.w.write(model, rows[model])
                rows[model] = []

    # -- the events of the big tables, in SQL ----------------------------------------------

    def sql_events(self) -> None:
        w = self.w
        pg = is_postgres()
        start = w.new_id(AuditEvent)  # ids after the ones written from Python
        session_repr = _repr(Session, 0)[:-1]
        assessment_repr = _repr(Assessment, 0)[:-1]
        concat = "||"
        if pg:
            changes = '(\'{"created": \' || x.n || \', "updated": 0, "corrections": 0}\')::jsonb'
            ip = "'10.' || ((u >> 16) & 255) || '.' || ((u >> 8) & 255) || '.' || (u & 255)"
            ip = f"({ip})::inet"
            number = "ROW_NUMBER() OVER (ORDER BY x.day, x.session_id)"
            when_s = "x.ends_at + interval '10 minutes'"
        else:
            changes = '\'{"created": \' || x.n || \', "updated": 0, "corrections": 0}\''
            ip = "'10.' || ((u >> 16) & 255) || '.' || ((u >> 8) & 255) || '.' || (u & 255)"
            number = "ROW_NUMBER() OVER (ORDER BY x.day, x.session_id)"
            when_s = "x.ends_at"
        ip_s = ip.replace("u", "x.actor")
        n = w.execute(
            "INSERT INTO audit_auditevent (id, school_id, actor_id, action, object_type, "  # noqa: S608
            "object_id, object_repr, changes, ip_address, created_at) "
            f"SELECT {start - 1} + {number}, x.school_id, x.actor, 'attendance.mark_session', "
            "'schedule.session', CAST(x.session_id AS varchar(20)), "
            f"'{session_repr}' {concat} x.session_id, {changes}, {ip_s}, {when_s} "
            "FROM (SELECT s.id AS session_id, s.school_id, s.day, s.ends_at, "
            "m.user_id AS actor, c.n FROM schedule_session s "
            "JOIN organisations_membership m ON m.id = s.trainer_id "
            "JOIN (SELECT session_id, COUNT(*) AS n FROM schedule_attendancemark "
            "WHERE session_id IS NOT NULL GROUP BY session_id) c ON c.session_id = s.id) x"
        )
        w.counts["audit_auditevent"] = w.counts.get("audit_auditevent", 0) + n
        start += n
        self.progress(f"  émargements tracés : {n}")
        if pg:
            changes = "('{\"kind\": \"' || x.kind || '\", \"count\": ' || x.n || '}')::jsonb"
            when_a = "x.recorded_at"
        else:
            changes = "'{\"kind\": \"' || x.kind || '\", \"count\": ' || x.n || '}'"
            when_a = "x.recorded_at"
        n = w.execute(
            "INSERT INTO audit_auditevent (id, school_id, actor_id, action, object_type, "  # noqa: S608
            "object_id, object_repr, changes, ip_address, created_at) "
            f"SELECT {start - 1} + ROW_NUMBER() OVER (ORDER BY x.first_id), x.school_id, "
            "x.actor, CASE WHEN x.kind = 'positioning' THEN 'competencies.positioning' "
            "ELSE 'competencies.assessment' END, 'competencies.assessment', "
            f"CAST(x.first_id AS varchar(20)), '{assessment_repr}' {concat} x.first_id, "
            f"{changes}, {ip_s}, {when_a} "
            "FROM (SELECT MIN(id) AS first_id, school_id, recorded_by_id AS actor, kind, "
            "MIN(recorded_at) AS recorded_at, COUNT(*) AS n FROM competencies_assessment "
            "GROUP BY enrolment_id, assessed_on, kind, school_id, recorded_by_id) x"
        )
        w.counts["audit_auditevent"] += n
        self.progress(f"  évaluations tracées : {n}")


FIRST: list[str] = []
LAST: list[str] = []


def extra_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in EXTRA_TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 — names above
            counts[table] = int(cursor.fetchone()[0])
    return counts


def extras_sanity() -> dict[str, int]:
    """Extras inside their stays, by the right people."""
    queries = {
        "meetings_outside_stay": "SELECT COUNT(*) FROM pathways_meeting m JOIN pathways_enrolment "
        "e ON e.id = m.enrolment_id WHERE m.held_on < e.entry_date OR (e.ended_on IS NOT NULL "
        "AND m.held_on > e.ended_on)",
        "support_outside_stay": "SELECT COUNT(*) FROM pathways_supportaction a JOIN "
        "pathways_enrolment e ON e.id = a.enrolment_id WHERE a.opened_on < e.entry_date OR "
        "(e.ended_on IS NOT NULL AND a.opened_on > e.ended_on) OR a.closed_on < a.opened_on",
        "enrolments_without_plan": "SELECT COUNT(*) FROM pathways_enrolment e WHERE NOT EXISTS "
        "(SELECT 1 FROM pathways_plan p WHERE p.enrolment_id = e.id)",
        "meetings_not_by_referent": "SELECT COUNT(*) FROM pathways_meeting m JOIN "
        "pathways_enrolment e ON e.id = m.enrolment_id JOIN organisations_membership r ON "
        "r.id = e.referent_id WHERE m.author_id <> r.user_id",
        "events_without_actor": "SELECT COUNT(*) FROM audit_auditevent WHERE actor_id IS NULL",
    }
    checks = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            checks[name] = int(cursor.fetchone()[0])
    return checks


def add_extras(*, seed: int = 12, progress: Callable[[str], Any] = print) -> dict:
    """Add the extras to the generated database in place; the report (seconds, counts)."""
    refuse_unless_generated()
    if already_there():
        raise ValueError(
            "Les compléments (plans, entretiens, informations collectives) existent déjà "
            "dans cette base : rien à ajouter."
        )
    started = time.monotonic()
    progress("Compléments : plans, entretiens, accompagnements, embauches, audit…")
    extras = Extras(seed, progress)
    pg = is_postgres()
    if pg:  # the rows are consistent by construction; sanity checks them after
        extras.w.execute("SET session_replication_role = replica")
    try:
        with transaction.atomic():  # all or nothing: a failed run leaves no extras
            extras.run()
    finally:
        if pg:
            extras.w.execute("RESET session_replication_role")
    if pg:
        for table in EXTRA_TABLES:
            extras.w.execute(f"ANALYZE {table}")
    seconds = time.monotonic() - started
    progress(f"  compléments écrits ({seconds:.0f} s)")
    checks = extras_sanity()
    checks["ok"] = all(v == 0 for v in checks.values())
    return {
        "seconds": round(seconds, 1),
        "rows": extra_counts(),
        "sanity": checks,
    }
