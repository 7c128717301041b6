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

from parcours.organisations.access import Perm, school_view

from . import selectors, services
from .forms import HoldForm, RetentionForm

app_name = "privacy"


def _home_url(request: HttpRequest) -> str:
    return reverse("privacy:home", args=[request.membership.school.slug])


@school_view(Perm.MANAGE_PRIVACY)
def home(request: HttpRequest) -> HttpResponse:
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
    }
    return render(request, "privacy/home.html", context)


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


urlpatterns = [
    path("donnees-personnelles/", home, name="home"),
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
