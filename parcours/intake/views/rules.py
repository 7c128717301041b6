"""The school's eligibility rules: versions (read by the intake team) and a new version (the
direction). A new version never changes the previous ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, school_view

from .. import selectors, services
from ..forms.rules import RulesForm, SpecialPublicFormSet

PAGE_SIZE = 50


def _current(membership):
    """The version in force today (as ``services.rules_in_force`` chooses it), or None."""
    return (
        selectors.rules_versions(membership)
        .filter(valid_from__lte=timezone.localdate())
        .order_by("-valid_from", "-version")
        .first()
    )


@school_view(Perm.VIEW_CANDIDATES)
def rules_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    page = Paginator(selectors.rules_versions(membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "intake/rules/rules_list.html",
        {
            "current": _current(membership),
            "page": page,
            "defaults": services.DEFAULT_RULES,
            "today": timezone.localdate(),
        },
    )


@school_view(Perm.MANAGE_ELIGIBILITY_RULES)
def rules_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    current = _current(membership)
    latest = selectors.rules_versions(membership).first()
    if current is not None:
        initial = {
            "min_age": current.min_age,
            "max_age": current.max_age,
            "min_months_out_of_school": current.min_months_out_of_school,
            "require_not_in_employment_or_training": (
                current.require_not_in_employment_or_training
            ),
        }
        publics = [
            {
                "label": public.label,
                "gender": public.gender,
                "min_age": public.min_age,
                "max_age": public.max_age,
                "requires_qpv": public.requires_qpv,
                "prescriber_type": public.prescriber_type,
            }
            for public in current.special_publics.all()
        ]
    else:
        initial, publics = dict(services.DEFAULT_RULES), []
    initial["valid_from"] = timezone.localdate()
    data = request.POST or None
    form = RulesForm(data, initial=initial, earliest=latest.valid_from if latest else None)
    formset = SpecialPublicFormSet(data, initial=publics, prefix="publics")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        special_publics = [p for p in (f.public() for f in formset.forms) if p is not None]
        try:
            rules = services.save_rules_version(
                membership=membership,
                special_publics=special_publics,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "La version %(version)d des règles d'éligibilité est enregistrée ; elle "
                    "s'applique aux entrées prévues à partir du %(day)s."
                )
                % {"version": rules.version, "day": rules.valid_from.strftime("%d/%m/%Y")},
            )
            return redirect(reverse("intake:rules", args=[membership.school.slug]))
    return render(
        request,
        "intake/rules/rules_form.html",
        {
            "form": form,
            "formset": formset,
            "back_url": reverse("intake:rules", args=[membership.school.slug]),
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("parametres/eligibilite/", rules_list, name="rules"),
    path("parametres/eligibilite/nouvelle-version/", rules_create, name="rules_create"),
]
