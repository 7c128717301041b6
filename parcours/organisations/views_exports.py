"""XLSX/CSV exports of the organisation lists: staff, partners, funding agreements.

Each export reads through the same selector as its list (so a funder exports only its own
agreements), writes exactly the list's columns for every row (no page limit) and is audited
(``export.<thing>``, with the row count). A bad ``?format=`` re-renders the list with a French
message and exports nothing. None of these lists has filters.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.pathways import exports

from . import selectors
from .access import Perm, school_view
from .models import FundingAgreement, Membership, Partner
from .views import render_funding_list, render_partner_list, render_staff_list

CHUNK = 500


# ----------------------------------------------------------------------------------- staff

#: The staff list's columns (the name split in two).
STAFF_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Rôle"),
    gettext_lazy("Fonction"),
    gettext_lazy("Depuis le"),
)


def _staff_row(member: Membership) -> tuple:
    return (
        member.user.last_name,
        member.user.first_name,
        member.get_role_display(),
        member.job_title,
        member.active_from,
    )


@school_view(Perm.VIEW_STAFF)
def staff_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_staff_list(request, export_error=exports.UNKNOWN_FORMAT)
    staff = selectors.staff_for(request.membership)
    return exports.download(
        request,
        fmt=fmt,
        headers=STAFF_HEADERS,
        rows=(_staff_row(m) for m in staff.iterator(chunk_size=CHUNK)),
        stem="equipe",
        sheet_title=_("Équipe"),
        action="export.staff",
    )


# -------------------------------------------------------------------------------- partners

PARTNER_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Type de prescripteur"),
    gettext_lazy("Type de financeur"),
    gettext_lazy("Commune"),
)


def _partner_row(partner: Partner) -> tuple:
    return (
        partner.name,
        partner.get_prescriber_type_display() if partner.is_prescriber else "",
        partner.get_funder_type_display() if partner.is_funder else "",
        partner.commune,
    )


@school_view(Perm.VIEW_PARTNERS)
def partner_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_partner_list(request, export_error=exports.UNKNOWN_FORMAT)
    partners = selectors.partners_for(request.membership)
    return exports.download(
        request,
        fmt=fmt,
        headers=PARTNER_HEADERS,
        rows=(_partner_row(p) for p in partners.iterator(chunk_size=CHUNK)),
        stem="partenaires",
        sheet_title=_("Partenaires"),
        action="export.partners",
    )


# --------------------------------------------------------------------------------- funding

#: The funding list's columns; never the free-text "other targets" (a funder exports too).
FUNDING_HEADERS = (
    gettext_lazy("Année"),
    gettext_lazy("Financeur"),
    gettext_lazy("Objet"),
    gettext_lazy("Montant (€)"),
    gettext_lazy("Objectif (stagiaires)"),
)


def _funding_row(agreement: FundingAgreement) -> tuple:
    return (
        agreement.year,
        agreement.funder.name,
        agreement.purpose,
        agreement.amount_eur,
        agreement.target_trainees,
    )


@school_view(Perm.VIEW_FUNDING)
def funding_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return render_funding_list(request, export_error=exports.UNKNOWN_FORMAT)
    # funding_for: all of the school's agreements for the direction, its own for a funder.
    agreements = selectors.funding_for(request.membership)
    return exports.download(
        request,
        fmt=fmt,
        headers=FUNDING_HEADERS,
        rows=(_funding_row(a) for a in agreements.iterator(chunk_size=CHUNK)),
        stem="financements",
        sheet_title=_("Financements"),
        action="export.funding",
    )
