"""Candidates (referrals) at the school: list, candidate page, recording a referral, interview,
decision with eligibility, and entry. Thin views: selector → form → service → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations import selectors as org_selectors
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.organisations.models import Role
from parcours.people.phones import display_phone
from parcours.people.selectors import duplicates_with_history, find_duplicates

from .. import selectors, services
from ..forms.referrals import (
    NEW_PERSON,
    DecisionForm,
    EligibilityDateForm,
    EntryForm,
    InterviewForm,
    ReferralCreateForm,
    ReferralFilterForm,
)
from ..models import Outcome, Referral, Stage

PAGE_SIZE = 50


def _school_url(request: HttpRequest, name: str, *args) -> str:
    return reverse(name, args=[request.membership.school.slug, *args])


def _status(request: HttpRequest) -> int:
    """The status of a re-rendered form: 400 when a POST was refused."""
    return 400 if request.method == "POST" else 200


# ------------------------------------------------------------------ duplicates and creation


def duplicates_of(membership, form) -> list:
    """People of the school who look like the one entered, with their history (staff only)."""
    return duplicates_with_history(membership=membership, **form.identity())


def submit_referral(
    request: HttpRequest,
    form,
    *,
    staff: bool,
    template: str,
    context: dict,
    success_message: str,
    success_url,
) -> HttpResponse:
    """Shared flow of both creation forms, with the duplicates step.

    A valid form whose person looks like people already known re-renders (status 200) with
    those people and a choice: one of them, or « il s'agit d'une autre personne ». The choice
    comes back in ``person_choice``; the referral is then created for the chosen person.
    """
    membership = request.membership
    duplicates: list = []
    status = _status(request)
    if request.method == "POST" and form.is_valid() and not staff:
        # A prescriber is never shown who the school already knows (that would disclose a
        # person's contact with the school). The referral is attached to the person with
        # exactly the same name and birth date, if any; staff can merge other look-alikes.
        identity = {**form.identity(), "email": "", "phone": ""}
        person = find_duplicates(school=membership.school, **identity).first()
        try:
            referral = services.create_referral(
                membership=membership,
                person=person,
                person_fields=None if person else form.person_fields(),
                ip_address=client_ip(request),
                **form.referral_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success_message % {"person": referral.person.full_name})
            return redirect(success_url(referral))
    elif request.method == "POST" and form.is_valid():
        duplicates = duplicates_of(membership, form)
        choice = form.cleaned_data["person_choice"]
        person, proceed = None, True
        if duplicates and choice != NEW_PERSON:
            person = next((p for p in duplicates if str(p.pk) == choice), None)
            if person is None:
                proceed = False
                if choice or request.POST.get("duplicates_shown"):
                    form.add_error(
                        None,
                        _(
                            "Choisissez l'une des personnes proposées, ou « il s'agit d'une "
                            "autre personne »."
                        ),
                    )
                else:
                    status = 200  # not refused: the page asks which person is meant
        if proceed:
            try:
                referral = services.create_referral(
                    membership=membership,
                    person=person,
                    person_fields=None if person else form.person_fields(),
                    ip_address=client_ip(request),
                    **form.referral_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, success_message % {"person": referral.person.full_name})
                return redirect(success_url(referral))
    return render(
        request,
        template,
        {**context, "form": form, "duplicates": duplicates, "new_person": NEW_PERSON},
        status=status,
    )


@school_view(Perm.MANAGE_INTAKE)
def referral_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = ReferralCreateForm(
        request.POST or None,
        membership=membership,
        partners=org_selectors.partners_for(membership).filter(is_prescriber=True),
        advisers=selectors.advisers_for(membership),
    )
    return submit_referral(
        request,
        form,
        staff=True,
        template="intake/referrals/referral_form.html",
        context={"back_url": _school_url(request, "intake:referrals")},
        success_message=_("La candidature de %(person)s est enregistrée."),
        success_url=lambda referral: _school_url(request, "intake:referral", referral.pk),
    )


# ------------------------------------------------------------------------ list and page


def referral_list_state(request: HttpRequest) -> tuple[ReferralFilterForm, QuerySet[Referral]]:
    """The list's filter form and the referrals it selects (the list and its export)."""
    membership = request.membership
    partners = list(org_selectors.partners_for(membership).filter(is_prescriber=True))
    filters = ReferralFilterForm(request.GET or None, partners=partners)
    return filters, filters.filter(selectors.referrals_for(membership))


def render_referral_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    filters, referrals = referral_list_state(request)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/referrals/referral_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": filters.is_bound,
            "export_error": export_error,
        },
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_CANDIDATES)
def referral_list(request: HttpRequest) -> HttpResponse:
    return render_referral_list(request)


def _entry_blocker(referral: Referral, decision) -> str:
    """Why the entry of ``referral`` cannot be recorded now ("" when it can)."""
    if referral.stage == Stage.ENTERED:
        return _("L'entrée de cette personne est déjà enregistrée.")
    if decision is None or decision.outcome != Outcome.ADMITTED:
        return _(
            "Seule une personne admise peut entrer : enregistrez d'abord une décision "
            "d'admission (avec la date d'entrée prévue et le site)."
        )
    return ""


@school_view(Perm.VIEW_CANDIDATES)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    referral = selectors.get_referral(membership, pk)
    history = selectors.referral_history(membership, referral)
    decision = history["decisions"][0] if history["decisions"] else None
    date_form = EligibilityDateForm(request.GET or None)
    if date_form.is_valid() and date_form.cleaned_data["date"]:
        check_on = date_form.cleaned_data["date"]
    elif decision and decision.outcome == Outcome.ADMITTED and decision.planned_entry_date:
        check_on = decision.planned_entry_date
    else:
        check_on = timezone.localdate()
    rules, check = services.check_referral(referral, check_on)
    try:
        enrolment = referral.enrolment
    except ObjectDoesNotExist:
        enrolment = None
    return render(
        request,
        "intake/referrals/referral_detail.html",
        {
            "referral": referral,
            "person": referral.person,
            "phone": display_phone(referral.person.phone),
            "age": referral.person.age_on(timezone.localdate()),
            "decision": decision,
            "rules": rules,
            "check": check,
            "date_form": date_form,
            "enrolment": enrolment,
            "can_enter": not _entry_blocker(referral, decision),
            **history,
        },
    )


# ----------------------------------------------------------------------------- interview


@school_view(Perm.MANAGE_INTAKE)
def interview_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    referral = selectors.get_referral(membership, pk)
    form = InterviewForm(
        request.POST or None,
        interviewers=org_selectors.staff_for(membership),
        initial={"held_on": timezone.localdate(), "interviewer": membership.pk},
    )
    context = {"referral": referral, "form": form, "closed": referral.is_closed}
    if referral.is_closed:
        return render(
            request, "intake/referrals/interview_form.html", context, status=_status(request)
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_interview(
                membership=membership,
                referral=referral,
                held_at=form.cleaned_data["held_at"],
                interviewer=form.cleaned_data["interviewer"],
                notes=form.cleaned_data["notes"].strip(),
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'entretien est enregistré."))
            return redirect(_school_url(request, "intake:referral", referral.pk))
    return render(request, "intake/referrals/interview_form.html", context, status=_status(request))


# ------------------------------------------------------------------------------ decision


@school_view(Perm.MANAGE_INTAKE)
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a decision. An admission first shows the eligibility check on the planned entry
    date and the minors warning; the confirmation button carries the date and site checked,
    so changing them checks again before anything is written."""
    membership = request.membership
    referral = selectors.get_referral(membership, pk)
    can_override = has_perm(membership, Perm.OVERRIDE_ELIGIBILITY)
    form = DecisionForm(
        request.POST or None,
        sites=org_selectors.sites_for(membership),
        can_override=can_override,
    )
    context = {
        "referral": referral,
        "form": form,
        "closed": referral.is_closed,
        "can_override": can_override,
    }
    template = "intake/referrals/decision_form.html"
    if referral.is_closed:
        return render(request, template, context, status=_status(request))
    status = _status(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        confirmed = True
        if data["outcome"] == Outcome.ADMITTED:
            planned = data["planned_entry_date"]
            rules, check = services.check_referral(referral, planned)
            context.update(
                rules=rules,
                check=check,
                minors_warning=services.minors_warning(
                    membership.school, planned, referral.person.birth_date
                ),
                confirm_key=form.confirm_key(),
            )
            confirmed = request.POST.get("confirm") == form.confirm_key()
            if not confirmed:
                context["preview"] = True
                status = 200
        if confirmed:
            try:
                decision = services.decide(
                    membership=membership,
                    referral=referral,
                    ip_address=client_ip(request),
                    **form.decide_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Décision enregistrée : %(outcome)s.")
                    % {"outcome": decision.get_outcome_display().lower()},
                )
                return redirect(_school_url(request, "intake:referral", referral.pk))
    return render(request, template, context, status=status)


# --------------------------------------------------------------------------------- entry


@school_view(Perm.MANAGE_INTAKE)
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    referral = selectors.get_referral(membership, pk)
    decision = selectors.latest_decision(referral)
    template = "intake/referrals/entry_form.html"
    blocker = _entry_blocker(referral, decision)
    if blocker:
        return render(
            request,
            template,
            {"referral": referral, "blocker": blocker},
            status=_status(request),
        )
    person = referral.person
    form = EntryForm(
        request.POST or None,
        sites=org_selectors.sites_for(membership),
        referents=org_selectors.staff_for(membership).filter(role=Role.REFERENT),
        initial={
            "entry_date": decision.planned_entry_date,
            "site": decision.site_id,
            "gender": person.gender,
            "birth_date": person.birth_date,
            "address": person.address,
            "postcode": person.postcode,
            "commune": person.commune,
            "qpv_code": referral.qpv_code,
            "left_school_on": referral.left_school_on,
            "job_seeker_status": referral.job_seeker_status,
        },
    )
    submitted = request.method == "POST" and form.is_valid()
    entry_date, birth_date = decision.planned_entry_date, person.birth_date
    if submitted:
        entry_date, birth_date = form.cleaned_data["entry_date"], form.cleaned_data["birth_date"]
    warning = services.minors_warning(membership.school, entry_date, birth_date)
    if submitted:
        try:
            enrolment = services.confirm_entry(
                membership=membership,
                referral=referral,
                entry_date=entry_date,
                site=form.cleaned_data["site"],
                referent=form.cleaned_data["referent"],
                funding_lines=form.cleaned_data["funding_lines"],
                situation=form.situation(),
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("L'entrée de %(person)s est enregistrée : son parcours commence le %(day)s.")
                % {"person": person.full_name, "day": enrolment.entry_date.strftime("%d/%m/%Y")},
            )
            if warning:
                messages.warning(request, warning)
            return redirect(_school_url(request, "intake:referral", referral.pk))
    return render(
        request,
        template,
        {
            "referral": referral,
            "decision": decision,
            "form": form,
            "minors_warning": warning,
        },
        status=_status(request),
    )


urlpatterns = [
    path("candidatures/nouvelle/", referral_create, name="referral_create"),
    path("candidatures/liste/", referral_list, name="referrals"),
    path("candidatures/<int:pk>/", referral_detail, name="referral"),
    path("candidatures/<int:pk>/entretien/", interview_create, name="interview_create"),
    path("candidatures/<int:pk>/decision/", decision_create, name="decision_create"),
    path("candidatures/<int:pk>/entree/", entry_create, name="entry_create"),
]
