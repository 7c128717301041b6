"""Who may do what: permissions per role, and the decorators every view goes through.

A view of school data is decorated with ``@school_view(Perm.X)``: the URL carries the school's
slug; the current user must hold an active membership in that school (otherwise 404, as if the
school did not exist) whose role grants ``Perm.X`` (otherwise 403). The membership is then
``request.membership`` and every read goes through a selector that takes it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Membership, Role


class Perm(StrEnum):
    VIEW_SCHOOL = "view_school"  # the school's home page, sites and rooms
    MANAGE_PREMISES = "manage_premises"  # create and edit sites and rooms
    VIEW_STAFF = "view_staff"  # the staff list (names and roles of employees)
    VIEW_PARTNERS = "view_partners"  # prescribers and funders of the school
    MANAGE_PARTNERS = "manage_partners"
    VIEW_FUNDING = "view_funding"  # funding agreements (a funder sees only its own)
    MANAGE_FUNDING = "manage_funding"
    VIEW_PERSONAL_DATA = "view_personal_data"  # any record about a person
    VIEW_NETWORK = "view_network"  # aggregated figures across the network's schools
    REFER = "refer"  # a prescriber submits referrals and follows their own
    VIEW_CANDIDATES = "view_candidates"  # the intake pipeline, candidates, info sessions
    MANAGE_INTAKE = "manage_intake"  # record referrals, sessions, interviews, decisions, entries
    OVERRIDE_ELIGIBILITY = "override_eligibility"  # admit despite a failing rule (with a reason)
    MANAGE_ELIGIBILITY_RULES = "manage_eligibility_rules"
    VIEW_TRAINEES = "view_trainees"  # trainee list and pages (restricted sections apart)
    MANAGE_PATHWAY = "manage_pathway"  # phases, plan, meetings, support actions, documents
    # Social support actions (housing, mobility, money… — health ones are restricted further):
    # not for company-relations staff, who deal with companies.
    VIEW_SUPPORT = "view_support"
    MANAGE_CASELOADS = "manage_caseloads"  # caseload sizes and (bulk) reassignment
    MANAGE_PHASES = "manage_phases"  # the school's phase list and pathway lengths
    ASSESS = "assess"  # positionings, assessments with evidence, certifications
    MANAGE_FRAMEWORKS = "manage_frameworks"  # competency frameworks: versions, import, choice
    ISSUE_ATTESTATION = "issue_attestation"  # the Attestation de Compétences Acquises
    VIEW_SCHEDULE = "view_schedule"  # timetables, rooms' occupancy, attendance and statements
    MANAGE_SCHEDULE = "manage_schedule"  # create, change and cancel sessions and their trainees
    MANAGE_WORKSHOP_TYPES = "manage_workshop_types"  # the school's list of workshops
    MARK_ATTENDANCE = "mark_attendance"  # émargement, and its corrections (with a reason)
    CLOSE_MONTH = "close_month"  # close and reopen a month; the school's statements export
    VIEW_COMPANIES = "view_companies"  # partner companies, contacts, history, internships
    MANAGE_COMPANIES = "manage_companies"  # create and edit companies, contacts, history
    MANAGE_INTERNSHIPS = "manage_internships"  # internships, agreements, signatures, hires
    RECORD_REVIEWS = "record_reviews"  # tutor reviews: send the private link, enter from a call
    # Exits: record, correct or undo an exit, and record the follow-ups after it.
    RECORD_EXITS = "record_exits"
    VIEW_OUTCOMES = "view_outcomes"  # success rates, destinations, follow-up waves (no names)
    MANAGE_OUTCOMES = "manage_outcomes"  # the school's own definitions, the headline per year
    VIEW_KEY_FIGURES = "view_key_figures"  # the school's key figures (aggregates, no names)
    # Funder reports (métropole, PLIE, FSE+, Région): they list participants, so direction only.
    EXPORT_FUNDER_REPORTS = "export_funder_reports"
    # Security and data protection (issue 10), direction only:
    MANAGE_STAFF = "manage_staff"  # deactivate a member at once, end their sessions
    VIEW_AUDIT_TRAIL = "view_audit_trail"  # the school's audit trail (read-only, filterable)
    # Retention settings and legal holds; subject access export; the person's requests and
    # the notices given to them.
    MANAGE_PRIVACY = "manage_privacy"
    # Import existing records (people, enrolments, exits) from a spreadsheet, direction only.
    IMPORT_RECORDS = "import_records"


_STAFF_COMMON = {
    Perm.VIEW_SCHOOL,
    Perm.VIEW_STAFF,
    Perm.VIEW_PARTNERS,
    Perm.VIEW_PERSONAL_DATA,
    Perm.VIEW_TRAINEES,
    Perm.VIEW_SCHEDULE,
    Perm.VIEW_COMPANIES,
    Perm.VIEW_OUTCOMES,
    Perm.VIEW_KEY_FIGURES,
}

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.DIRECTOR: frozenset(
        _STAFF_COMMON
        | {
            Perm.MANAGE_PREMISES,
            Perm.MANAGE_PARTNERS,
            Perm.VIEW_FUNDING,
            Perm.MANAGE_FUNDING,
            Perm.VIEW_CANDIDATES,
            Perm.MANAGE_INTAKE,
            Perm.OVERRIDE_ELIGIBILITY,
            Perm.MANAGE_ELIGIBILITY_RULES,
            Perm.MANAGE_PATHWAY,
            Perm.VIEW_SUPPORT,
            Perm.MANAGE_CASELOADS,
            Perm.MANAGE_PHASES,
            Perm.ASSESS,
            Perm.MANAGE_FRAMEWORKS,
            Perm.ISSUE_ATTESTATION,
            Perm.MANAGE_SCHEDULE,
            Perm.MANAGE_WORKSHOP_TYPES,
            Perm.MARK_ATTENDANCE,
            Perm.CLOSE_MONTH,
            Perm.MANAGE_COMPANIES,
            Perm.MANAGE_INTERNSHIPS,
            Perm.RECORD_REVIEWS,
            Perm.RECORD_EXITS,
            Perm.MANAGE_OUTCOMES,
            Perm.EXPORT_FUNDER_REPORTS,
            Perm.MANAGE_STAFF,
            Perm.VIEW_AUDIT_TRAIL,
            Perm.MANAGE_PRIVACY,
            Perm.IMPORT_RECORDS,
        }
    ),
    Role.INTAKE: frozenset(
        _STAFF_COMMON | {Perm.VIEW_CANDIDATES, Perm.MANAGE_INTAKE, Perm.VIEW_SUPPORT}
    ),
    Role.REFERENT: frozenset(
        _STAFF_COMMON
        | {
            Perm.VIEW_CANDIDATES,
            Perm.MANAGE_PATHWAY,
            Perm.VIEW_SUPPORT,
            Perm.ASSESS,
            Perm.MANAGE_SCHEDULE,
            Perm.MARK_ATTENDANCE,
            Perm.MANAGE_INTERNSHIPS,
            Perm.RECORD_REVIEWS,
            Perm.RECORD_EXITS,
        }
    ),
    Role.COMPANY_RELATIONS: frozenset(
        _STAFF_COMMON | {Perm.MANAGE_COMPANIES, Perm.MANAGE_INTERNSHIPS, Perm.RECORD_REVIEWS}
    ),
    # A prescriber sees the school's premises (they are public) and their own referrals' status.
    Role.PRESCRIBER: frozenset({Perm.VIEW_SCHOOL, Perm.REFER}),
    # Funders and the network never see personal data: only premises and aggregated figures
    # (a funder reads the school's key figures, with its own funding agreements only).
    Role.FUNDER: frozenset({Perm.VIEW_SCHOOL, Perm.VIEW_FUNDING, Perm.VIEW_KEY_FIGURES}),
    Role.NETWORK: frozenset({Perm.VIEW_NETWORK}),
}


def has_perm(membership: Membership | None, perm: Perm) -> bool:
    return membership is not None and perm in ROLE_PERMS.get(membership.role, frozenset())


def _login_required(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def school_view(perm: Perm) -> Callable:
    """Decorate a view whose URL has a ``school_slug``; see the module docstring."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, school_slug: str, *args, **kwargs) -> HttpResponse:
            if (response := _login_required(request)) is not None:
                return response
            membership = getattr(request, "membership", None)
            if membership is None or membership.school is None:
                raise Http404("Aucune école de ce nom parmi les vôtres.")
            if membership.school.slug != school_slug:  # the middleware sets it from the URL
                raise Http404("Aucune école de ce nom parmi les vôtres.")
            if not has_perm(membership, perm):
                raise PermissionDenied("Votre rôle ne permet pas d'accéder à cette page.")
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def network_view(view: Callable) -> Callable:
    """Decorate a view of the network's aggregated figures (network accounts only)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (response := _login_required(request)) is not None:
            return response
        membership = getattr(request, "membership", None)
        if not has_perm(membership, Perm.VIEW_NETWORK):
            raise PermissionDenied("Cette page est réservée aux comptes du réseau national.")
        return view(request, *args, **kwargs)

    wrapped.required_perm = Perm.VIEW_NETWORK  # type: ignore[attr-defined]
    return wrapped
