"""XLSX/CSV exports of the intake lists: candidacies, information sessions, one session's
registrations, and the prescriber's « Mes orientations ».

Each export reads through the same selector and filter form as its page, writes the page's
columns for every matching row (no page limit) and is audited (``export.<thing>``, with the row
count and the filters as codes and ids). A bad ``?format=`` or refused filters re-render the
page with a French message and export nothing.

The prescriber's export carries exactly what « Mes orientations » shows: the person's name,
the dates and the status in plain words — never notes, reasons, decisions' content or anything
internal to the school.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.organisations.access import Perm, school_view
from parcours.pathways import exports
from parcours.people.phones import display_phone

from .. import selectors
from ..models import InfoSession, Referral, Registration, RegistrationStatus
from .prescriber import my_referrals_for, referral_status, render_my_referrals
from .referrals import referral_list_state, render_referral_list
from .sessions import render_session_list, render_session_page

CHUNK = 500


def _local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(value).date() if value else None


def _hour(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.hour}h{local.minute:02d}"


# ------------------------------------------------------------------------------ candidacies

REFERRAL_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Date de naissance"),
    gettext_lazy("Prescripteur"),
    gettext_lazy("Reçue le"),
    gettext_lazy("Étape"),
    gettext_lazy("Décision"),
)


def _referral_row(referral: Referral) -> tuple:
    return (
        referral.person.last_name,
        referral.person.first_name,
        referral.person.birth_date,
        referral.prescriber.name if referral.prescriber else _("Candidature spontanée"),
        referral.received_on,
        referral.get_stage_display(),
        referral.get_outcome_display() if referral.outcome else "",
    )


@school_view(Perm.VIEW_CANDIDATES)
def referral_export(request: HttpRequest) -> HttpResponse:
    """The candidacies list (its search and filters, every page)."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_referral_list(request, export_error=exports.UNKNOWN_FORMAT)
    filters, referrals = referral_list_state(request)
    if filters.is_bound and not filters.is_valid():
        return render_referral_list(request, export_error=exports.BAD_FILTERS)
    return exports.download(
        request,
        fmt=fmt,
        headers=REFERRAL_HEADERS,
        rows=(_referral_row(r) for r in referrals.iterator(chunk_size=CHUNK)),
        stem="candidatures",
        sheet_title=_("Candidatures"),
        action="export.referrals",
        filters=filters.audit_filters(),
    )


# ------------------------------------------------------------------- information sessions

SESSION_HEADERS = (
    gettext_lazy("Date"),
    gettext_lazy("Début"),
    gettext_lazy("Fin"),
    gettext_lazy("Site"),
    gettext_lazy("Salle"),
    gettext_lazy("Places"),
    gettext_lazy("Inscrit·es"),
    gettext_lazy("Liste d'attente"),
    gettext_lazy("Présent·es"),
    gettext_lazy("État"),
)


def _session_state(session: InfoSession, now: datetime.datetime) -> str:
    """The list's « État » column, in the same order of precedence."""
    if session.cancelled:
        return _("Annulée")
    if session.ends_at <= now:
        return _("Passée")
    if session.starts_at <= now:
        return _("En cours")
    if session.confirmed >= session.capacity:
        return _("Complète")
    return _("À venir")


def _session_row(session: InfoSession, now: datetime.datetime) -> tuple:
    return (
        _local_date(session.starts_at),
        _hour(session.starts_at),
        _hour(session.ends_at),
        session.site.name,
        session.room.name if session.room else "",
        session.capacity,
        session.confirmed,
        session.waiting,
        # Attendance means nothing before the session starts (the list shows « — »).
        session.attended_count if session.starts_at <= now else None,
        _session_state(session, now),
    )


@school_view(Perm.VIEW_CANDIDATES)
def session_list_export(request: HttpRequest) -> HttpResponse:
    """Every information session of the school, in the list's order (no names)."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_session_list(request, export_error=exports.UNKNOWN_FORMAT)
    now = timezone.now()
    sessions = selectors.sessions_upcoming_first(request.membership, now)
    return exports.download(
        request,
        fmt=fmt,
        headers=SESSION_HEADERS,
        rows=(_session_row(s, now) for s in sessions.iterator(chunk_size=CHUNK)),
        stem="informations-collectives",
        sheet_title=_("Informations collectives"),
        action="export.info_sessions",
    )


REGISTRATION_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("E-mail"),
    gettext_lazy("Téléphone"),
    gettext_lazy("Orienté·e par"),
    gettext_lazy("Candidature reçue le"),
    gettext_lazy("Statut"),
    gettext_lazy("Inscription en ligne"),
    gettext_lazy("Présence"),
    gettext_lazy("Inscrit·e le"),
)


def _registration_rows(registrations: Iterable[Registration], started: bool):
    waiting = 0
    for registration in registrations:
        status = str(registration.get_status_display())
        if registration.status == RegistrationStatus.WAITLIST:
            waiting += 1
            status = _("Liste d'attente, position %(n)d") % {"n": waiting}
        if not started or registration.attended is None:
            attended = ""
        else:
            attended = _("Présent·e") if registration.attended else _("Absent·e")
        referral = registration.referral
        yield (
            registration.last_name,
            registration.first_name,
            registration.email,
            display_phone(registration.phone),
            registration.prescriber_name,
            referral.received_on if referral else None,
            status,
            registration.from_public_agenda,
            attended,
            _local_date(registration.created_at),
        )


@school_view(Perm.MANAGE_INTAKE)
def session_registrations_export(request: HttpRequest, pk: int) -> HttpResponse:
    """One session's registrations, as its page lists them (contact details included: the
    intake team calls them). Stricter than the page: ``MANAGE_INTAKE``, because it takes the
    candidates' contact details away in bulk — the team that runs sessions needs it, a referent
    who reads the page does not."""
    session = selectors.get_session(request.membership, pk)
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_session_page(request, session, export_error=exports.UNKNOWN_FORMAT)
    started = session.starts_at <= timezone.now()
    day = _local_date(session.starts_at)
    return exports.download(
        request,
        fmt=fmt,
        headers=REGISTRATION_HEADERS,
        # Prefetched by get_session (with each registration's referral and person).
        rows=_registration_rows(session.registrations.all(), started),
        stem=f"inscriptions-{day.isoformat()}",
        sheet_title=_("Inscriptions"),
        action="export.session_registrations",
        filters={"session": session.pk},
    )


# ------------------------------------------------------------- the prescriber's referrals

#: « Mes orientations »: exactly the page's columns (the name split in two).
MY_REFERRAL_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Reçue le"),
    gettext_lazy("Statut"),
    gettext_lazy("Mise à jour le"),
)


def _my_referral_row(referral: Referral) -> tuple:
    return (
        referral.person.last_name,
        referral.person.first_name,
        referral.received_on,
        referral_status(referral),
        _local_date(referral.updated_at),
    )


@school_view(Perm.REFER)
def my_referrals_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_my_referrals(request, export_error=exports.UNKNOWN_FORMAT)
    referrals = my_referrals_for(request.membership)
    return exports.download(
        request,
        fmt=fmt,
        headers=MY_REFERRAL_HEADERS,
        rows=(_my_referral_row(r) for r in referrals.iterator(chunk_size=CHUNK)),
        stem="mes-orientations",
        sheet_title=_("Mes orientations"),
        action="export.my_referrals",
    )


urlpatterns = [
    path("candidatures/liste/export/", referral_export, name="referrals_export"),
    path("informations-collectives/export/", session_list_export, name="sessions_export"),
    path(
        "informations-collectives/<int:pk>/export/",
        session_registrations_export,
        name="session_export",
    ),
    path("orientations/export/", my_referrals_export, name="my_referrals_export"),
]
