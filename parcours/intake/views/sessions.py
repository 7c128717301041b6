"""Information sessions, staff side: list, create and edit, registrations, attendance.

Reading needs ``VIEW_CANDIDATES``; every write needs ``MANAGE_INTAKE`` and goes through
``intake.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.people.phones import display_phone

from .. import selectors, services
from ..forms.sessions import AttendanceForm, InfoSessionForm, RegisterReferralForm
from ..models import InfoSession, RegistrationStatus


def _url(request: HttpRequest, name: str, *args) -> str:
    return reverse(name, args=[request.membership.school.slug, *args])


def _posted(request: HttpRequest):
    """The POST data of a POST request (even empty), else None: the form stays unbound."""
    return request.POST if request.method == "POST" else None


def _refused(form, error: ValidationError) -> None:
    """A service refused the write: show its French message(s) above the form."""
    form.add_error(None, error.messages)


def _day(session: InfoSession) -> str:
    return timezone.localtime(session.starts_at).strftime("%d/%m/%Y")


def render_session_list(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    sessions = selectors.sessions_upcoming_first(request.membership)
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/sessions/list.html",
        {"page": page, "now": timezone.now(), "export_error": export_error},
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_CANDIDATES)
def session_list(request: HttpRequest) -> HttpResponse:
    return render_session_list(request)


def _edit(request: HttpRequest, session: InfoSession | None) -> HttpResponse:
    membership = request.membership
    form = InfoSessionForm(_posted(request), membership=membership, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_info_session(
                membership=membership,
                session=session,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            if session is None:
                message = _("L'information collective du %(day)s est programmée.")
            elif saved.cancelled:
                message = _("L'information collective du %(day)s est annulée.")
            else:
                message = _("L'information collective du %(day)s a été mise à jour.")
            messages.success(request, message % {"day": _day(saved)})
            return redirect(_url(request, "intake:session", saved.pk))
    if session is None:
        title, back_url = _("Nouvelle information collective"), _url(request, "intake:sessions")
    else:
        title = _("Modifier l'information collective du %(day)s") % {"day": _day(session)}
        back_url = _url(request, "intake:session", session.pk)
    return render(
        request,
        "intake/sessions/form.html",
        {"form": form, "title": title, "back_url": back_url, "info_session": session},
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_INTAKE)
def session_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@school_view(Perm.MANAGE_INTAKE)
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, selectors.get_session(request.membership, pk))


@school_view(Perm.VIEW_CANDIDATES)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The session and its registrations; the intake officer registers a candidate here."""
    return render_session_page(request, selectors.get_session(request.membership, pk))


def render_session_page(
    request: HttpRequest, session: InfoSession, *, export_error: str = ""
) -> HttpResponse:
    """The session's page (and its registration form on POST); with ``export_error`` (a
    refused export of its registrations), that message and a 400 — and the page is only read:
    a POST to the export URL registers nobody."""
    membership = request.membership
    can_manage = has_perm(membership, Perm.MANAGE_INTAKE)
    posting = request.method == "POST" and not export_error
    if posting and not can_manage:
        raise PermissionDenied(_("Votre rôle ne permet pas d'inscrire une personne."))
    now = timezone.now()
    is_open = not session.cancelled and session.starts_at > now
    form = None
    if can_manage:
        form = RegisterReferralForm(
            request.POST if posting else None,
            referrals=selectors.referrals_to_register(membership, session),
        )
        if posting and form.is_valid():
            try:
                registration = services.register_referral(
                    membership=membership,
                    session=session,
                    referral=form.cleaned_data["referral"],
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                if registration.status == RegistrationStatus.WAITLIST:
                    message = _("%(name)s est inscrit·e sur liste d'attente.")
                else:
                    message = _("%(name)s est inscrit·e.")
                messages.success(request, message % {"name": registration})
                return redirect(_url(request, "intake:session", session.pk))
    rows, waiting = [], 0
    for registration in session.registrations.all():
        position = None
        if registration.status == RegistrationStatus.WAITLIST:
            waiting += 1
            position = waiting
        rows.append(
            {
                "registration": registration,
                "phone": display_phone(registration.phone),
                "position": position,
            }
        )
    return render(
        request,
        "intake/sessions/detail.html",
        {
            "info_session": session,
            "rows": rows,
            "form": form,
            "is_open": is_open,
            "started": session.starts_at <= now,
            "can_manage": can_manage,
            "export_error": export_error,
        },
        status=400 if posting or export_error else 200,
    )


@school_view(Perm.MANAGE_INTAKE)
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who came, in one screen: one checkbox per confirmed registration."""
    membership = request.membership
    session = selectors.get_session(membership, pk)
    registrations = [
        r for r in session.registrations.all() if r.status == RegistrationStatus.CONFIRMED
    ]
    form = AttendanceForm(_posted(request), registrations=registrations)
    if request.method == "POST" and form.is_valid():
        try:
            present = services.mark_attendance(
                membership=membership,
                session=session,
                present_ids=form.cleaned_data["present"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(
                request,
                _("Présences enregistrées : %(present)d présent·es sur %(total)d inscrit·es.")
                % {"present": present, "total": len(registrations)},
            )
            return redirect(_url(request, "intake:session", session.pk))
    return render(
        request,
        "intake/sessions/attendance.html",
        {
            "info_session": session,
            "form": form,
            "started": session.starts_at <= timezone.now(),
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_INTAKE)
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST cancels and gives the place to the waiting list."""
    registration = selectors.get_registration(request.membership, pk)
    session_url = _url(request, "intake:session", registration.session_id)
    error = ""
    if request.method == "POST":
        if registration.status == RegistrationStatus.CANCELLED:
            error = _("Cette inscription est déjà annulée.")
        else:
            services.cancel_registration(
                membership=request.membership,
                registration=registration,
                ip_address=client_ip(request),
            )
            messages.success(
                request, _("L'inscription de %(name)s est annulée.") % {"name": registration}
            )
            return redirect(session_url)
    return render(
        request,
        "intake/sessions/registration_cancel.html",
        {
            "registration": registration,
            "info_session": registration.session,
            "already_cancelled": registration.status == RegistrationStatus.CANCELLED,
            "error": error,
            "back_url": session_url,
        },
        status=400 if error else 200,
    )


urlpatterns = [
    path("informations-collectives/", session_list, name="sessions"),
    path("informations-collectives/nouvelle/", session_create, name="session_create"),
    path("informations-collectives/<int:pk>/", session_detail, name="session"),
    path("informations-collectives/<int:pk>/modifier/", session_edit, name="session_edit"),
    path(
        "informations-collectives/<int:pk>/presences/",
        session_attendance,
        name="session_attendance",
    ),
    path(
        "informations-collectives/inscriptions/<int:pk>/annuler/",
        registration_cancel,
        name="registration_cancel",
    ),
]
