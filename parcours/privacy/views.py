"""The director's "Protection des données" page: retention, people due, legal holds, runs."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.organisations.access import Perm, school_view
from parcours.pathways import exports

from . import selectors, services
from .forms import HoldForm, RetentionForm

app_name = "privacy"


def _home_url(request: HttpRequest) -> str:
    return reverse("privacy:home", args=[request.membership.school.slug])


def _render_home(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    today = timezone.localdate()
    due = selectors.school_due(membership, today)
    page = Paginator(due, 50).get_page(request.GET.get("page"))
    context = {
        "today": today,
        "cutoff": selectors.retention_cutoff(membership.school, today),
        "page": page,
        "holds": list(selectors.active_holds(membership)[:200]),
        "runs": list(selectors.runs(membership)[:20]),
        "form": RetentionForm(initial={"retention_years": membership.school.retention_years}),
        "export_error": export_error,
    }
    return render(request, "privacy/home.html", context, status=400 if export_error else 200)


@school_view(Perm.MANAGE_PRIVACY)
def home(request: HttpRequest) -> HttpResponse:
    return _render_home(request)


@school_view(Perm.MANAGE_PRIVACY)
def retention(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = RetentionForm(
        request.POST if request.method == "POST" else None,
        initial={"retention_years": membership.school.retention_years},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_retention(
                membership=membership, years=form.cleaned_data["retention_years"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("La durée de conservation est enregistrée."))
            return redirect(_home_url(request))
    return render(
        request,
        "privacy/retention.html",
        {"form": form, "back_url": _home_url(request)},
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_PRIVACY)
def hold_place(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form (the confirmation); POST: place the hold."""
    membership = request.membership
    person = selectors.get_person(membership, pk)
    form = HoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.place_hold(
                membership=membership, person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("La conservation pour motif légal est posée."))
            return redirect(_home_url(request))
    context = {
        "form": form,
        "person": person,
        "holds": list(selectors.person_holds(membership, person)),
        "back_url": _home_url(request),
    }
    return render(
        request,
        "privacy/hold_place.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.MANAGE_PRIVACY)
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: lift the hold."""
    membership = request.membership
    hold = selectors.get_active_hold(membership, pk)
    if request.method == "POST":
        try:
            services.lift_hold(membership=membership, hold=hold)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("La conservation pour motif légal est levée."))
        return redirect(_home_url(request))
    return render(request, "privacy/hold_lift.html", {"hold": hold, "back_url": _home_url(request)})


# ------------------------------------------------------------------------------ exports
# The page's three lists, each in full (the page shows 50 people a page, the latest 200 holds
# and 20 runs). Director only, as the page.

DUE_HEADERS = (gettext_lazy("Nom"), gettext_lazy("Prénom"), gettext_lazy("Dernier contact"))
HOLD_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Motif"),
    gettext_lazy("Posée le"),
    gettext_lazy("Par"),
)
RUN_HEADERS = (
    gettext_lazy("Date"),
    gettext_lazy("Durée appliquée (ans)"),
    gettext_lazy("Anonymisées"),
    gettext_lazy("Reportées (motif légal)"),
    gettext_lazy("Inscriptions sans candidature anonymisées"),
    gettext_lazy("Erreurs"),
)


@school_view(Perm.MANAGE_PRIVACY)
def due_export(request: HttpRequest) -> HttpResponse:
    """The people to anonymise at the next run, oldest contact first."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_home(request, export_error=exports.UNKNOWN_FORMAT)
    membership = request.membership

    def rows():
        due = selectors.school_due(membership, timezone.localdate())
        for person in due.iterator(chunk_size=500):
            yield (person.last_name, person.first_name, person.last_contact)

    return exports.download(
        request,
        fmt=fmt,
        headers=DUE_HEADERS,
        rows=rows(),
        stem="a-anonymiser",
        sheet_title=_("À anonymiser"),
        action="export.retention_due",
    )


@school_view(Perm.MANAGE_PRIVACY)
def holds_export(request: HttpRequest) -> HttpResponse:
    """The legal holds in force, latest first, with their reason (as the page shows them)."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_home(request, export_error=exports.UNKNOWN_FORMAT)
    membership = request.membership

    def rows():
        for hold in selectors.active_holds(membership).iterator(chunk_size=500):
            by = hold.placed_by
            yield (
                hold.person.last_name,
                hold.person.first_name,
                hold.reason,
                timezone.localdate(hold.placed_at),
                by.get_full_name() or by.email,
            )

    return exports.download(
        request,
        fmt=fmt,
        headers=HOLD_HEADERS,
        rows=rows(),
        stem="conservations-legales",
        sheet_title=_("Conservations légales"),
        action="export.legal_holds",
    )


@school_view(Perm.MANAGE_PRIVACY)
def runs_export(request: HttpRequest) -> HttpResponse:
    """Every run of the anonymisation for the school, latest first (counts only)."""
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_home(request, export_error=exports.UNKNOWN_FORMAT)
    membership = request.membership

    def rows():
        for run in selectors.runs(membership).iterator(chunk_size=500):
            yield (
                run.started_at,
                run.retention_years,
                run.anonymised,
                run.skipped_held,
                run.registrations,
                run.errors,
            )

    return exports.download(
        request,
        fmt=fmt,
        headers=RUN_HEADERS,
        rows=rows(),
        stem="anonymisations",
        sheet_title=_("Anonymisations"),
        action="export.retention_runs",
    )


urlpatterns = [
    path("donnees-personnelles/", home, name="home"),
    path("donnees-personnelles/export/", due_export, name="home_export"),
    path(
        "donnees-personnelles/conservations-legales/export/",
        holds_export,
        name="holds_export",
    ),
    path("donnees-personnelles/passages/export/", runs_export, name="runs_export"),
    path("donnees-personnelles/conservation/", retention, name="retention"),
    path(
        "donnees-personnelles/personnes/<int:pk>/conservation-legale/",
        hold_place,
        name="hold_place",
    ),
    path(
        "donnees-personnelles/conservations-legales/<int:pk>/lever/",
        hold_lift,
        name="hold_lift",
    ),
]
