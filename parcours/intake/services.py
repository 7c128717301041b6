"""Every write of intake: one transaction and one audit event each.

Functions take keyword-only arguments and raise ``ValidationError`` (French messages) when the
write is refused; nothing is written then.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import record_event
from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Membership, Role, School, Site
from parcours.pathways.models import (
    POLITIQUE_VILLE,
    Enrolment,
    EnrolmentFundingLine,
    EntrySituation,
    FundingLine,
)
from parcours.pathways.services import start_first_phase
from parcours.people.models import Person, years_before

from . import eligibility
from .models import (
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

#: The network's default rules, used to create a school's first version.
DEFAULT_RULES: dict[str, Any] = {
    "min_age": 16,
    "max_age": 25,
    "min_months_out_of_school": 12,
    "require_not_in_employment_or_training": True,
}

_STAGE_ORDER = [Stage.REFERRED, Stage.INFO_SESSION, Stage.INTERVIEW, Stage.DECISION, Stage.ENTERED]


def _advance(referral: Referral, stage: str) -> None:
    """Move the referral forward to ``stage`` (never backwards)."""
    if _STAGE_ORDER.index(Stage(stage)) > _STAGE_ORDER.index(Stage(referral.stage)):
        referral.stage = stage


# ---------------------------------------------------------------------------------- rules


def rules_in_force(
    school: School, day: datetime.date, *, persist: bool = False
) -> EligibilityRules:
    """The school's rules applicable on ``day``.

    A school without rules gets the network's defaults: unsaved for a mere check (a page view
    writes nothing), saved as its version 1 with an audit event when ``persist`` is set (a
    decision refers to the version it applied).
    """
    rules = (
        EligibilityRules.objects.filter(school=school, valid_from__lte=day)
        .order_by("-valid_from", "-version")
        .prefetch_related("special_publics")
        .first()
    )
    if rules is None:
        rules = (
            EligibilityRules.objects.filter(school=school)
            .order_by("valid_from", "version")
            .prefetch_related("special_publics")
            .first()
        )
    if rules is None and not persist:
        return EligibilityRules(
            school=school, version=1, valid_from=datetime.date(2000, 1, 1), **DEFAULT_RULES
        )
    if rules is None:
        with transaction.atomic():
            rules, created = EligibilityRules.objects.get_or_create(
                school=school,
                version=1,
                defaults={"valid_from": datetime.date(2000, 1, 1), **DEFAULT_RULES},
            )
            if created:
                record_event(
                    actor=None,
                    action="eligibility_rules.default",
                    target=rules,
                    school=school,
                    changes={"version": 1, **DEFAULT_RULES},
                )
    return rules


@transaction.atomic
def save_rules_version(
    *,
    membership: Membership,
    valid_from: datetime.date,
    min_age: int,
    max_age: int,
    min_months_out_of_school: int,
    require_not_in_employment_or_training: bool,
    note: str = "",
    special_publics: Iterable[dict[str, Any]] = (),
    ip_address: str | None = None,
) -> EligibilityRules:
    """Create the next version of the school's rules; earlier versions are never changed."""
    school = membership.school
    if max_age < min_age:
        raise ValidationError(_("L'âge maximum doit être supérieur ou égal à l'âge minimum."))
    last = EligibilityRules.objects.filter(school=school).order_by("-version").first()
    rules = EligibilityRules(
        school=school,
        version=(last.version + 1) if last else 1,
        valid_from=valid_from,
        min_age=min_age,
        max_age=max_age,
        min_months_out_of_school=min_months_out_of_school,
        require_not_in_employment_or_training=require_not_in_employment_or_training,
        note=note,
        created_by=membership.user,
    )
    rules.full_clean()
    rules.save()
    for public in special_publics:
        SpecialPublic.objects.create(school=school, rules=rules, **public)
    record_event(
        actor=membership.user,
        action="eligibility_rules.create",
        target=rules,
        school=school,
        changes={"version": rules.version, "valid_from": valid_from.isoformat()},
        ip_address=ip_address,
    )
    return rules


def candidate_for(referral: Referral) -> eligibility.Candidate:
    return eligibility.Candidate(
        birth_date=referral.person.birth_date,
        gender=referral.person.gender,
        left_school_on=referral.left_school_on,
        in_employment_or_training=referral.in_employment_or_training,
        lives_in_qpv=bool(referral.qpv_code),
        prescriber_type=referral.prescriber.prescriber_type if referral.prescriber_id else "",
    )


def check_referral(
    referral: Referral, on: datetime.date, *, persist: bool = False
) -> tuple[EligibilityRules, Any]:
    rules = rules_in_force(referral.school, on, persist=persist)
    return rules, eligibility.check(
        eligibility.Rules.from_model(rules), candidate_for(referral), on
    )


def minors_warning(school: School, day: datetime.date, birth_date: datetime.date) -> str:
    """A French warning when minors would exceed 25 % of the trainees present on ``day``."""
    present = Enrolment.objects.filter(school=school).present_on(day)
    total = present.count()
    # Under 18 on ``day``: born after the same day 18 years earlier.
    minors = present.filter(person__birth_date__gt=years_before(day, 18)).count()
    is_minor = eligibility.age_on(birth_date, day) < 18
    share = eligibility.minors_share_after(total, minors, is_minor)
    if is_minor and share > eligibility.MINORS_WARNING_THRESHOLD:
        return _(
            "Attention : avec cette entrée, les mineurs représenteraient %(share).0f %% des "
            "stagiaires présents le %(day)s (seuil : 25 %%)."
        ) % {"share": share, "day": day.strftime("%d/%m/%Y")}
    return ""


# ------------------------------------------------------------------------------ referrals


@transaction.atomic
def create_referral(
    *,
    membership: Membership,
    person: Person | None = None,
    person_fields: dict[str, Any] | None = None,
    channel: str,
    received_on: datetime.date,
    prescriber=None,
    adviser: Membership | None = None,
    reason: str = "",
    funding_line: FundingLine | None = None,
    job_seeker_status: str = "",
    left_school_on: datetime.date | None = None,
    in_employment_or_training: bool = False,
    qpv_code: str = "",
    ip_address: str | None = None,
) -> Referral:
    """Record a referral, for an existing ``person`` or a new one built from ``person_fields``.

    A prescriber's referral is always theirs: organisation and adviser come from the membership.
    """
    school = membership.school
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError(_("La date de réception ne peut pas être dans le futur."))
    if membership.role == Role.PRESCRIBER:
        prescriber, adviser, channel = membership.partner, membership, Channel.ONLINE
    elif not has_perm(membership, Perm.MANAGE_INTAKE):
        raise ValidationError(_("Votre rôle ne permet pas d'enregistrer une orientation."))
    if prescriber is not None and (
        prescriber.school_id != school.id or not prescriber.is_prescriber
    ):
        raise ValidationError(_("Ce prescripteur n'est pas un partenaire de l'école."))
    if channel == Channel.SPONTANEOUS:
        prescriber, adviser = None, None
    elif prescriber is None:
        raise ValidationError(
            _("Indiquez le prescripteur, ou choisissez « candidature spontanée ».")
        )
    if adviser is not None and adviser.partner_id != getattr(prescriber, "id", None):
        raise ValidationError(_("Ce conseiller ne fait pas partie de ce prescripteur."))
    if funding_line is not None and not funding_line.referral_choice:
        raise ValidationError(_("Ce dispositif ne peut pas être indiqué à l'orientation."))
    if person is None:
        person = Person(school=school, **(person_fields or {}))
        if person.birth_date and person.birth_date > today:
            raise ValidationError(_("La date de naissance ne peut pas être dans le futur."))
        person.full_clean()
        person.save()
    elif person.school_id != school.id:
        raise ValidationError(_("Cette personne n'existe pas dans l'école."))
    if left_school_on and left_school_on > today:
        raise ValidationError(_("La date de sortie du système scolaire ne peut pas être future."))
    if left_school_on and left_school_on < person.birth_date:
        raise ValidationError(
            _("La date de sortie du système scolaire précède la date de naissance.")
        )
    referral = Referral(
        school=school,
        person=person,
        prescriber=prescriber,
        adviser=adviser,
        channel=channel,
        received_on=received_on,
        reason=reason,
        funding_line=funding_line,
        job_seeker_status=job_seeker_status,
        left_school_on=left_school_on,
        in_employment_or_training=in_employment_or_training,
        qpv_code=qpv_code.strip().upper(),
        created_by=membership.user,
    )
    referral.full_clean()
    referral.save()
    record_event(
        actor=membership.user,
        action="referral.create",
        target=referral,
        school=school,
        changes={"channel": channel, "prescriber": prescriber.pk if prescriber else None},
        ip_address=ip_address,
    )
    return referral


# -------------------------------------------------------------------------- info sessions


@transaction.atomic
def save_info_session(
    *,
    membership: Membership,
    session: InfoSession | None = None,
    site: Site,
    room=None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    public_note: str = "",
    cancelled: bool = False,
    ip_address: str | None = None,
) -> InfoSession:
    school = membership.school
    if site.school_id != school.id or (room is not None and room.site_id != site.id):
        raise ValidationError(_("La salle doit appartenir au site choisi."))
    if ends_at <= starts_at:
        raise ValidationError(_("La fin doit suivre le début."))
    if room is not None and capacity > room.capacity:
        raise ValidationError(
            _("La salle « %(room)s » ne compte que %(n)d places.")
            % {"room": room.name, "n": room.capacity}
        )
    creating = session is None
    session = session or InfoSession(school=school, created_by=membership.user)
    if creating and starts_at < timezone.now():
        raise ValidationError(
            _("Une information collective ne peut pas être programmée dans le passé.")
        )
    if not creating:
        taken = session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        if capacity < taken:
            raise ValidationError(
                _("%(n)d personnes sont déjà inscrites : la capacité ne peut pas être inférieure.")
                % {"n": taken}
            )
    for name, value in {
        "site": site,
        "room": room,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "public_note": public_note,
        "cancelled": cancelled,
    }.items():
        setattr(session, name, value)
    session.full_clean()
    session.save()
    if not creating:
        _promote_waitlist(session)
    record_event(
        actor=membership.user,
        action=f"info_session.{'create' if creating else 'update'}",
        target=session,
        school=school,
        changes={"starts_at": starts_at.isoformat(), "capacity": capacity, "cancelled": cancelled},
        ip_address=ip_address,
    )
    return session


def _lock_session(session: InfoSession) -> InfoSession:
    """Lock the session row (PostgreSQL) so two registrations cannot take the last seat."""
    return InfoSession.objects.select_for_update().get(pk=session.pk)


def _seat_status(session: InfoSession) -> str:
    taken = session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    return RegistrationStatus.CONFIRMED if taken < session.capacity else RegistrationStatus.WAITLIST


def _promote_waitlist(session: InfoSession) -> None:
    taken = session.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    free = session.capacity - taken
    if free > 0:
        waiting = session.registrations.filter(status=RegistrationStatus.WAITLIST).order_by(
            "created_at", "id"
        )[:free]
        Registration.objects.filter(pk__in=[r.pk for r in waiting]).update(
            status=RegistrationStatus.CONFIRMED
        )


def _check_open_for_registration(session: InfoSession) -> None:
    if session.cancelled:
        raise ValidationError(_("Cette information collective est annulée."))
    if session.starts_at <= timezone.now():
        raise ValidationError(_("Les inscriptions à cette information collective sont closes."))


@transaction.atomic
def register_public(
    *,
    session: InfoSession,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    prescriber_name: str = "",
) -> Registration:
    """A registration from the public agenda: confirmed, or on the waiting list when full."""
    session = _lock_session(session)
    _check_open_for_registration(session)
    if not email and not phone:
        raise ValidationError(
            _("Indiquez un téléphone ou une adresse e-mail pour être recontacté·e.")
        )
    active = session.registrations.exclude(status=RegistrationStatus.CANCELLED)
    if (email and active.filter(email__iexact=email).exists()) or (
        phone and active.filter(phone=phone).exists()
    ):
        raise ValidationError(_("Vous êtes déjà inscrit·e à cette information collective."))
    registration = Registration(
        school=session.school,
        session=session,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        phone=phone,
        prescriber_name=prescriber_name.strip(),
        from_public_agenda=True,
        status=_seat_status(session),
    )
    registration.full_clean()
    registration.save()
    record_event(
        actor=None,
        action="registration.public",
        target=registration,
        school=session.school,
        changes={"session": session.pk, "status": registration.status},
    )
    return registration


@transaction.atomic
def register_referral(
    *,
    membership: Membership,
    session: InfoSession,
    referral: Referral,
    ip_address: str | None = None,
) -> Registration:
    """The intake officer registers a candidate for a session."""
    if session.school_id != membership.school_id or referral.school_id != membership.school_id:
        raise ValidationError(_("Séance ou candidature inconnue."))
    session = _lock_session(session)
    _check_open_for_registration(session)
    if (
        session.registrations.filter(referral=referral)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError(_("Cette personne est déjà inscrite à cette séance."))
    person = referral.person
    registration = Registration.objects.create(
        school=session.school,
        session=session,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        prescriber_name=referral.prescriber.name if referral.prescriber_id else "",
        referral=referral,
        status=_seat_status(session),
    )
    _advance(referral, Stage.INFO_SESSION)
    referral.save(update_fields=["stage", "updated_at"])
    record_event(
        actor=membership.user,
        action="registration.create",
        target=registration,
        school=session.school,
        changes={"session": session.pk, "referral": referral.pk, "status": registration.status},
        ip_address=ip_address,
    )
    return registration


@transaction.atomic
def cancel_registration(
    *, membership: Membership | None, registration: Registration, ip_address: str | None = None
) -> Registration:
    """Cancel a place; the first person on the waiting list takes it."""
    session = _lock_session(registration.session)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(_("Cette inscription est déjà annulée."))
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status"])
    _promote_waitlist(session)
    record_event(
        actor=membership.user if membership else None,
        action="registration.cancel",
        target=registration,
        school=registration.school,
        ip_address=ip_address,
    )
    return registration


@transaction.atomic
def link_registration(
    *,
    membership: Membership,
    registration: Registration,
    referral: Referral,
    ip_address: str | None = None,
) -> Registration:
    """Attach a public registration to the candidate's referral (once the person is known)."""
    if registration.school_id != membership.school_id or referral.school_id != membership.school_id:
        raise ValidationError(_("Inscription ou candidature inconnue."))
    registration.referral = referral
    registration.save(update_fields=["referral"])
    _advance(referral, Stage.INFO_SESSION)
    referral.save(update_fields=["stage", "updated_at"])
    record_event(
        actor=membership.user,
        action="registration.link",
        target=registration,
        school=registration.school,
        changes={"referral": referral.pk},
        ip_address=ip_address,
    )
    return registration


@transaction.atomic
def mark_attendance(
    *,
    membership: Membership,
    session: InfoSession,
    present_ids: Iterable[int],
    ip_address: str | None = None,
) -> int:
    """Mark who came: registrations in ``present_ids`` attended, the other confirmed ones not.

    Returns the number of people present. One audit event for the whole list.
    """
    if session.school_id != membership.school_id:
        raise ValidationError(_("Séance inconnue."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("La présence se saisit une fois la séance commencée."))
    present = set(present_ids)
    # Only people holding a place are marked; the waiting list did not have a seat.
    registrations = list(session.registrations.filter(status=RegistrationStatus.CONFIRMED))
    known = {r.pk for r in registrations}
    if not present <= known:
        raise ValidationError(_("Une des personnes cochées n'est pas inscrite à cette séance."))
    for registration in registrations:
        registration.attended = registration.pk in present
    Registration.objects.bulk_update(registrations, ["attended"])
    record_event(
        actor=membership.user,
        action="info_session.attendance",
        target=session,
        school=session.school,
        changes={"present": len(present), "absent": len(registrations) - len(present)},
        ip_address=ip_address,
    )
    return len(present)


# ------------------------------------------------------------------- interview and decision


@transaction.atomic
def record_interview(
    *,
    membership: Membership,
    referral: Referral,
    held_at: datetime.datetime,
    interviewer: Membership,
    notes: str = "",
    ip_address: str | None = None,
) -> Interview:
    school = membership.school
    if referral.school_id != school.id or interviewer.school_id != school.id:
        raise ValidationError(_("Candidature ou intervieweur inconnu."))
    if not interviewer.is_staff_role:
        raise ValidationError(_("L'entretien est mené par un membre de l'équipe de l'école."))
    if held_at.date() < referral.received_on:
        raise ValidationError(_("L'entretien ne peut pas précéder la réception de l'orientation."))
    if referral.is_closed:
        raise ValidationError(_("Cette candidature est close."))
    interview = Interview(
        school=school,
        referral=referral,
        held_at=held_at,
        interviewer=interviewer,
        notes=notes,
        created_by=membership.user,
    )
    interview.full_clean()
    interview.save()
    _advance(referral, Stage.INTERVIEW)
    referral.save(update_fields=["stage", "updated_at"])
    record_event(
        actor=membership.user,
        action="interview.create",
        target=interview,
        school=school,
        changes={"referral": referral.pk},
        ip_address=ip_address,
    )
    return interview


@transaction.atomic
def decide(
    *,
    membership: Membership,
    referral: Referral,
    outcome: str,
    decided_on: datetime.date,
    planned_entry_date: datetime.date | None = None,
    site: Site | None = None,
    reason: str = "",
    override_reason: str = "",
    ip_address: str | None = None,
) -> Decision:
    """Take a decision. Admission checks eligibility on the planned entry date: a failing rule
    blocks it unless a director overrides it with a written reason."""
    school = membership.school
    if referral.school_id != school.id:
        raise ValidationError(_("Candidature inconnue."))
    if referral.is_closed:
        raise ValidationError(_("Cette candidature est close."))
    if decided_on > timezone.localdate():
        raise ValidationError(_("La date de décision ne peut pas être dans le futur."))
    if decided_on < referral.received_on:
        raise ValidationError(_("La décision ne peut pas précéder la réception de l'orientation."))
    rules, result = None, None
    if outcome == Outcome.ADMITTED:
        if planned_entry_date is None or site is None:
            raise ValidationError(_("Une admission indique la date d'entrée prévue et le site."))
        if site.school_id != school.id:
            raise ValidationError(_("Site inconnu."))
        if planned_entry_date < decided_on:
            raise ValidationError(_("L'entrée prévue ne peut pas précéder la décision."))
        rules, result = check_referral(referral, planned_entry_date, persist=True)
        if not result.eligible:
            if not override_reason.strip():
                raise ValidationError(
                    _(
                        "Critères d'éligibilité non remplis : %(rules)s. Seule la direction peut "
                        "admettre par dérogation, avec un motif écrit."
                    )
                    % {"rules": "; ".join(f.detail for f in result.failures)}
                )
            if not has_perm(membership, Perm.OVERRIDE_ELIGIBILITY):
                raise ValidationError(
                    _(
                        "Seule la direction peut admettre une personne qui ne remplit pas les "
                        "critères d'éligibilité."
                    )
                )
        elif override_reason.strip():
            override_reason = ""  # nothing to override
    else:
        planned_entry_date, site, override_reason = None, None, ""
        if outcome in (Outcome.REFUSED, Outcome.POSTPONED) and not reason.strip():
            raise ValidationError(_("Indiquez le motif de la décision."))
    decision = Decision(
        school=school,
        referral=referral,
        outcome=outcome,
        decided_on=decided_on,
        decided_by=membership.user,
        planned_entry_date=planned_entry_date,
        site=site,
        reason=reason,
        rules=rules,
        eligibility=result.as_json() if result else [],
        override_reason=override_reason.strip(),
    )
    decision.full_clean()
    decision.save()
    referral.outcome = outcome
    _advance(referral, Stage.DECISION)
    referral.save(update_fields=["stage", "outcome", "updated_at"])
    record_event(
        actor=membership.user,
        action="referral.decision",
        target=referral,
        school=school,
        changes={"outcome": outcome, "decision": decision.pk},
        ip_address=ip_address,
    )
    if decision.override_reason:
        record_event(
            actor=membership.user,
            action="referral.eligibility_override",
            target=referral,
            school=school,
            changes={
                "decision": decision.pk,
                "failed_rules": [f.code for f in result.failures] if result else [],
            },
            ip_address=ip_address,
        )
    transaction.on_commit(lambda: notify_prescriber_of_decision(decision))
    return decision


def notify_prescriber_of_decision(decision: Decision) -> None:
    """Email the prescriber's adviser the new status: never the notes or the reason."""
    referral = decision.referral
    adviser = referral.adviser
    if adviser is None or not adviser.user.email or not adviser.user.is_active:
        return
    subject = _("Parcours — %(school)s : décision pour votre orientation") % {
        "school": referral.school.name
    }
    lines = [
        _("Bonjour,"),
        "",
        _("La candidature de %(person)s, orientée le %(day)s, a reçu une décision : %(outcome)s.")
        % {
            "person": referral.person.full_name,
            "day": referral.received_on.strftime("%d/%m/%Y"),
            "outcome": decision.get_outcome_display().lower(),
        },
    ]
    if decision.outcome == Outcome.ADMITTED and decision.planned_entry_date:
        lines.append(
            _("Entrée prévue le %(day)s.")
            % {"day": decision.planned_entry_date.strftime("%d/%m/%Y")}
        )
    lines += ["", _("Le suivi de vos orientations est consultable dans Parcours."), ""]
    send_mail(
        subject,
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        [adviser.user.email],
        fail_silently=True,
    )


# ------------------------------------------------------------------------------- entry


@transaction.atomic
def confirm_entry(
    *,
    membership: Membership,
    referral: Referral,
    entry_date: datetime.date,
    site: Site,
    referent: Membership | None,
    funding_lines: Iterable[FundingLine] = (),
    situation: dict[str, Any],
    ip_address: str | None = None,
) -> Enrolment:
    """Create the enrolment (the parcours) and the situation at entry of an admitted candidate."""
    school = membership.school
    if referral.school_id != school.id or site.school_id != school.id:
        raise ValidationError(_("Candidature ou site inconnu."))
    if referral.stage == Stage.ENTERED:
        raise ValidationError(_("L'entrée de cette personne est déjà enregistrée."))
    decision = referral.decisions.order_by("-decided_on", "-id").first()
    if decision is None or decision.outcome != Outcome.ADMITTED:
        raise ValidationError(_("Seule une personne admise peut entrer."))
    if entry_date < decision.decided_on:
        raise ValidationError(_("L'entrée ne peut pas précéder la décision d'admission."))
    if referent is not None and (
        referent.school_id != school.id or referent.role not in (Role.REFERENT, Role.DIRECTOR)
    ):
        raise ValidationError(_("Le référent doit être un formateur référent de l'école."))
    person = referral.person
    if Enrolment.objects.filter(person=person, status="active").exists():
        raise ValidationError(_("Cette personne a déjà un parcours en cours."))
    enrolment = Enrolment(
        school=school,
        person=person,
        site=site,
        referent=referent,
        referral=referral,
        entry_date=entry_date,
        planned_end_date=eligibility.add_months(entry_date, school.pathway_months),
    )
    enrolment.full_clean()
    enrolment.save()
    start_first_phase(enrolment=enrolment, actor=membership.user)
    entry = EntrySituation(school=school, enrolment=enrolment, **situation)
    entry.full_clean(exclude=["enrolment"])
    entry.save()
    lines = {line.pk: line for line in funding_lines}
    if referral.funding_line_id:
        lines[referral.funding_line_id] = referral.funding_line
    if entry.qpv_code:
        city = FundingLine.objects.filter(code=POLITIQUE_VILLE).first()
        if city:
            lines[city.pk] = city
    EnrolmentFundingLine.objects.bulk_create(
        EnrolmentFundingLine(school=school, enrolment=enrolment, funding_line=line)
        for line in lines.values()
    )
    # The person's identity follows what was checked at entry.
    person.gender, person.birth_date = entry.gender, entry.birth_date
    person.address, person.postcode, person.commune = entry.address, entry.postcode, entry.commune
    person.save(update_fields=["gender", "birth_date", "address", "postcode", "commune"])
    referral.stage = Stage.ENTERED
    referral.save(update_fields=["stage", "updated_at"])
    record_event(
        actor=membership.user,
        action="enrolment.create",
        target=enrolment,
        school=school,
        changes={
            "referral": referral.pk,
            "entry_date": entry_date.isoformat(),
            "funding_lines": sorted(line.code for line in lines.values()),
        },
        ip_address=ip_address,
    )
    return enrolment
