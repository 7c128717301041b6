"""The prescriber's own view: the referrals they follow (status and dates only) and the form to
refer someone. Never the school's notes, the reasons of decisions, nor anyone else's referrals."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from parcours.organisations.access import Perm, school_view

from .. import selectors
from ..forms.referrals import ReferralSubmitForm
from ..models import Outcome, Referral, Stage
from .referrals import PAGE_SIZE, submit_referral


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def referral_status(referral: Referral) -> str:
    """The status in plain French, from the fields annotated by ``selectors.with_status``."""
    entered_on = getattr(referral, "entered_on", None)
    planned = getattr(referral, "last_planned_entry", None)
    if referral.stage == Stage.ENTERED:
        if entered_on:
            return _("Entré·e à l'école le %(day)s") % {"day": _day(entered_on)}
        return _("Entré·e à l'école")
    if referral.outcome == Outcome.ADMITTED:
        if planned:
            return _("Admis·e — entrée prévue le %(day)s") % {"day": _day(planned)}
        return _("Admis·e")
    if referral.outcome:
        return str(referral.get_outcome_display())
    return {
        Stage.REFERRED: _("Orientation reçue"),
        Stage.INFO_SESSION: _("Invité·e à une information collective"),
        Stage.INTERVIEW: _("Entretien réalisé"),
        Stage.DECISION: _("Décision prise"),
    }.get(referral.stage, str(referral.get_stage_display()))


def my_referrals_for(membership) -> QuerySet[Referral]:
    """The referrals a prescriber follows, with what their status needs (list and export)."""
    return selectors.with_status(selectors.referrals_for(membership))


def render_my_referrals(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    referrals = my_referrals_for(request.membership)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(referral, referral_status(referral)) for referral in page.object_list]
    return render(
        request,
        "intake/prescriber/my_referrals.html",
        {"page": page, "rows": rows, "export_error": export_error},
        status=400 if export_error else 200,
    )


@school_view(Perm.REFER)
def my_referrals(request: HttpRequest) -> HttpResponse:
    return render_my_referrals(request)


@school_view(Perm.REFER)
def my_referral(request: HttpRequest, pk: int) -> HttpResponse:
    # The scope of selectors.get_referral (the prescriber's own referrals), with the status:
    # another adviser's or another organisation's referral is a 404.
    referral = get_object_or_404(my_referrals_for(request.membership), pk=pk)
    return render(
        request,
        "intake/prescriber/my_referral.html",
        {"referral": referral, "status": referral_status(referral)},
    )


@school_view(Perm.REFER)
def referral_submit(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = ReferralSubmitForm(request.POST or None, membership=membership)
    return submit_referral(
        request,
        form,
        staff=False,
        template="intake/prescriber/referral_form.html",
        context={"back_url": reverse("intake:my_referrals", args=[membership.school.slug])},
        success_message=_("Votre orientation de %(person)s a été transmise à l'école."),
        success_url=lambda referral: reverse(
            "intake:my_referral", args=[membership.school.slug, referral.pk]
        ),
    )


urlpatterns = [
    path("orientations/", my_referrals, name="my_referrals"),
    path("orientations/nouvelle/", referral_submit, name="referral_submit"),
    path("orientations/<int:pk>/", my_referral, name="my_referral"),
]
