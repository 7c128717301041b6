"""Follow-ups after the exit: the to-do list "Suivis après la sortie" and the small form that
records what a follow-up found.

Reading needs ``VIEW_TRAINEES`` (the list names trainees); recording needs ``RECORD_EXITS`` and
goes through ``services_follow_ups.record_follow_up``: a refusal re-renders the form with the
French messages beside their fields and status 400 (nothing written).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view

from .. import selectors_follow_ups as selectors
from .. import services_follow_ups as services
from ..forms.follow_ups import FollowUpFilterForm, FollowUpRecordForm
from ..models import FollowUpStatus


@school_view(Perm.VIEW_TRAINEES)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = FollowUpFilterForm(request.GET or None, membership=membership)
    follow_ups = form.apply(selectors.follow_ups_for(membership))
    page = Paginator(follow_ups, settings.PARCOURS_PAGE_SIZE).get_page(request.GET.get("page"))
    overdue_before = selectors.overdue_before(timezone.localdate())
    rows = list(page.object_list)
    for follow_up in rows:
        follow_up.is_overdue = (
            follow_up.status == FollowUpStatus.DUE and follow_up.due_on < overdue_before
        )
    return render(
        request,
        "outcomes/follow_ups/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtering": form.is_filtering,
            "may_record": has_perm(membership, Perm.RECORD_EXITS),
            "overdue_days": selectors.OVERDUE_AFTER_DAYS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@school_view(Perm.RECORD_EXITS)
def follow_up_record(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    follow_up = selectors.get_follow_up(membership, pk)
    if request.method == "POST":
        form = FollowUpRecordForm(request.POST)
        if form.is_valid():
            try:
                services.record_follow_up(
                    membership,
                    follow_up,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Le suivi %(wave)s de %(name)s est enregistré.")
                    % {
                        "wave": follow_up.get_wave_display(),
                        "name": follow_up.exit.enrolment.person.full_name,
                    },
                )
                return redirect(reverse("outcomes:follow_ups", args=[membership.school.slug]))
    else:
        form = FollowUpRecordForm(initial=FollowUpRecordForm.initial_from(follow_up))
    exit_ = follow_up.exit
    return render(
        request,
        "outcomes/follow_ups/record.html",
        {
            "follow_up": follow_up,
            "exit": exit_,
            "enrolment": exit_.enrolment,
            "person": exit_.enrolment.person,
            "other_waves": selectors.other_waves(follow_up),
            "is_correction": follow_up.status != FollowUpStatus.DUE,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("suivis-apres-sortie/", follow_up_list, name="follow_ups"),
    path("suivis-apres-sortie/<int:pk>/saisir/", follow_up_record, name="follow_up_record"),
]
