"""Pathway views: caseloads per referent, trainees with no referent, bulk reassignment.

The reassignment is one action (``services.reassign``): all the selected trainees change
referent, or none does; each change is audited and shown on the trainee's timeline.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view

from .. import exports, selectors, selectors_lists, services
from ..forms.caseloads import CaseloadFilterForm, ReassignForm

PER_PAGE = 100
UNASSIGNED_SHOWN = 20


def _render(request: HttpRequest, form: ReassignForm, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    filters = CaseloadFilterForm(request.GET, membership=membership)
    table = filters.apply(selectors_lists.active_enrolments(membership)).order_by(
        *selectors_lists.SORTS["nom"]
    )
    page = Paginator(table, PER_PAGE).get_page(request.GET.get("page"))
    unassigned = selectors_lists.unassigned(membership)
    return render(
        request,
        "pathways/caseloads/caseloads.html",
        {
            "caseloads": selectors.caseloads(membership),
            "unassigned_count": unassigned.count(),
            "unassigned": list(unassigned[:UNASSIGNED_SHOWN]),
            "filters": filters,
            "page": page,
            "form": form,
            "selected": form.selected_ids,
            "export_error": export_error,
        },
        status=400 if form.errors or filters.errors or export_error else 200,
    )


@school_view(Perm.MANAGE_CASELOADS)
def caseloads(request: HttpRequest) -> HttpResponse:
    return _render(request, ReassignForm(membership=request.membership))


@school_view(Perm.MANAGE_CASELOADS)
def reassign(request: HttpRequest) -> HttpResponse:
    """POST: reassign the ticked trainees. GET: a short page pointing to the caseloads page."""
    if request.method != "POST":
        return render(request, "pathways/caseloads/reassign.html")
    form = ReassignForm(request.POST, membership=request.membership)
    if form.is_valid():
        referent = form.cleaned_data["new_referent"]
        try:
            changed = services.reassign(
                membership=request.membership,
                enrolments=form.cleaned_data["enrolments"],
                referent=referent,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = (referent.user.get_full_name() or referent.user.email) if referent else ""
            if not changed:
                messages.info(
                    request, _("Aucun changement : ces stagiaires avaient déjà ce suivi.")
                )
            elif referent:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d stagiaire confié·e à %(name)s.",
                        "%(n)d stagiaires confié·es à %(name)s.",
                        changed,
                    )
                    % {"n": changed, "name": name},
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d stagiaire n'a plus de référent.",
                        "%(n)d stagiaires n'ont plus de référent.",
                        changed,
                    )
                    % {"n": changed},
                )
            url = reverse("pathways:caseloads", args=[request.membership.school.slug])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
    return _render(request, form)


#: The export's columns: the page's first table (active trainees per referent), then a row for
#: the trainees without a referent. The trainees themselves export from the trainee list.
EXPORT_HEADERS = (gettext_lazy("Référent·e"), gettext_lazy("Stagiaires en parcours"))


@school_view(Perm.MANAGE_CASELOADS)
def caseloads_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render(
            request,
            ReassignForm(membership=request.membership),
            export_error=exports.UNKNOWN_FORMAT,
        )
    membership = request.membership
    rows = [
        (row["membership"].user.get_full_name() or row["membership"].user.email, row["count"])
        for row in selectors.caseloads(membership)
    ]
    rows.append((_("Sans référent"), selectors_lists.unassigned(membership).count()))
    return exports.download(
        request,
        fmt=fmt,
        headers=EXPORT_HEADERS,
        rows=rows,
        stem="referents",
        sheet_title=_("Référents et suivis"),
        action="export.caseloads",
    )


urlpatterns = [
    path("stagiaires/referents/", caseloads, name="caseloads"),
    path("stagiaires/referents/export/", caseloads_export, name="caseloads_export"),
    path("stagiaires/reaffecter/", reassign, name="reassign"),
]
