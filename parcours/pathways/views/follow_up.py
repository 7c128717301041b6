"""Follow-up of an enrolment: meetings, social support actions, sharing restricted sections.

Reading needs ``VIEW_TRAINEES``, writing ``MANAGE_PATHWAY``. Restricted content (confidential
meeting summaries, health support actions) is shown only when
``visibility.can_read_restricted`` allows it, and every such read is audited through
``services.record_restricted_read``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view

from .. import selectors, selectors_follow_up, services, services_sharing, visibility
from ..forms.follow_up import MeetingForm, ShareForm, SupportActionForm
from ..models import Enrolment


def school_url(request: HttpRequest, name: str, *args) -> str:
    return reverse(name, args=[request.membership.school.slug, *args])


def trainee_url(request: HttpRequest, enrolment: Enrolment) -> str | None:
    """The trainee page (written by the trainee screens), when it exists."""
    try:
        return school_url(request, "pathways:trainee", enrolment.pk)
    except NoReverseMatch:
        return None


def posted(request: HttpRequest):
    """The POST data of a POST request (even empty), else None: the form stays unbound."""
    return request.POST if request.method == "POST" else None


def refused(form, error: ValidationError) -> None:
    """A service refused the write: its French message(s) go above the form."""
    form.add_error(None, error.messages)


def base_context(request: HttpRequest, enrolment: Enrolment) -> dict:
    return {
        "enrolment": enrolment,
        "person": enrolment.person,
        "trainee_url": trainee_url(request, enrolment),
        "can_manage": has_perm(request.membership, Perm.MANAGE_PATHWAY),
    }


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


# ------------------------------------------------------------------------------ meetings


@school_view(Perm.MANAGE_PATHWAY)
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    form = MeetingForm(posted(request), enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.record_meeting(
                membership=membership,
                enrolment=enrolment,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(
                request,
                _("L'entretien du %(day)s est enregistré.")
                % {"day": meeting.held_on.strftime("%d/%m/%Y")},
            )
            return redirect(school_url(request, "pathways:meeting", enrolment.pk, meeting.pk))
    context = base_context(request, enrolment)
    context.update(
        form=form,
        title=_("Nouvel entretien"),
        back_url=context["trainee_url"] or school_url(request, "pathways:support", enrolment.pk),
        submit_label=_("Enregistrer l'entretien"),
    )
    return render(request, "pathways/follow_up/form.html", context, status=_status(request))


@school_view(Perm.VIEW_TRAINEES)
def meeting_detail(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    meeting = selectors_follow_up.get_meeting(membership, enrolment, meeting_pk)
    may_read = visibility.can_read_restricted(membership, enrolment)
    summary_hidden = meeting.confidential and not may_read
    if meeting.confidential and may_read:
        services.record_restricted_read(
            membership=membership,
            enrolment=enrolment,
            section="meeting",
            target=meeting,
            ip_address=client_ip(request),
        )
    context = base_context(request, enrolment)
    context.update(meeting=meeting, summary_hidden=summary_hidden)
    return render(request, "pathways/follow_up/meeting.html", context)


# ------------------------------------------------------------------------ social support


@school_view(Perm.VIEW_SUPPORT)
def support_list(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = selectors.get_enrolment(membership, pk)
    overview = selectors_follow_up.support_overview(membership, enrolment)
    if overview["restricted_shown"]:
        services.record_restricted_read(
            membership=membership,
            enrolment=enrolment,
            section="support",
            ip_address=client_ip(request),
        )
    context = base_context(request, enrolment)
    context.update(overview)
    return render(request, "pathways/follow_up/support.html", context)


def _support_edit(request: HttpRequest, enrolment: Enrolment, action) -> HttpResponse:
    membership = request.membership
    may_read = visibility.can_read_restricted(membership, enrolment)
    form = SupportActionForm(
        posted(request), enrolment=enrolment, may_read_restricted=may_read, action=action
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_support_action(
                membership=membership,
                enrolment=enrolment,
                action=action,
                ip_address=client_ip(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            refused(form, error)
        else:
            message = (
                _("L'action d'accompagnement « %(domain)s » est enregistrée.")
                if action is None
                else _("L'action d'accompagnement « %(domain)s » est mise à jour.")
            )
            messages.success(request, message % {"domain": saved.get_domain_display()})
            return redirect(school_url(request, "pathways:support", enrolment.pk))
    if action is not None and action.is_restricted and request.method == "GET":
        # The form shows health content: that is a read of the restricted section.
        services.record_restricted_read(
            membership=membership,
            enrolment=enrolment,
            section="support",
            target=action,
            ip_address=client_ip(request),
        )
    context = base_context(request, enrolment)
    context.update(
        form=form,
        title=(
            _("Nouvelle action d'accompagnement")
            if action is None
            else _("Modifier l'action d'accompagnement")
        ),
        back_url=school_url(request, "pathways:support", enrolment.pk),
        submit_label=_("Enregistrer l'action"),
        section_label=_("Accompagnement"),
        section_url=school_url(request, "pathways:support", enrolment.pk),
    )
    return render(request, "pathways/follow_up/form.html", context, status=_status(request))


@school_view(Perm.MANAGE_PATHWAY)
def support_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.get_enrolment(request.membership, pk)
    return _support_edit(request, enrolment, None)


@school_view(Perm.MANAGE_PATHWAY)
def support_edit(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    enrolment = selectors.get_enrolment(request.membership, pk)
    action = selectors_follow_up.get_support_action(request.membership, enrolment, action_pk)
    return _support_edit(request, enrolment, action)


# ------------------------------------------------------------------ restricted sharing


def _sharing_enrolment(request: HttpRequest, pk: int) -> Enrolment:
    """The enrolment, if the current member may share its restricted sections (else 403)."""
    enrolment = selectors.get_enrolment(request.membership, pk)
    if not visibility.can_share_restricted(request.membership, enrolment):
        raise PermissionDenied(
            _("Seuls le référent du parcours et la direction gèrent l'accès à ces informations.")
        )
    return enrolment


@school_view(Perm.MANAGE_PATHWAY)
def share(request: HttpRequest, pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = _sharing_enrolment(request, pk)
    form = ShareForm(
        posted(request), candidates=selectors_follow_up.share_candidates(membership, enrolment)
    )
    if request.method == "POST" and form.is_valid():
        colleague = form.cleaned_data["membership"]
        try:
            services.share_restricted(
                membership=membership,
                enrolment=enrolment,
                with_membership=colleague,
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            refused(form, error)
        else:
            messages.success(
                request,
                _("%(name)s peut désormais lire les informations restreintes de ce parcours.")
                % {"name": colleague.user.get_full_name()},
            )
            return redirect(school_url(request, "pathways:share", enrolment.pk))
    context = base_context(request, enrolment)
    context.update(selectors_follow_up.restricted_access(membership, enrolment))
    context["form"] = form
    return render(request, "pathways/follow_up/share.html", context, status=_status(request))


@school_view(Perm.MANAGE_PATHWAY)
def share_revoke(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    membership = request.membership
    enrolment = _sharing_enrolment(request, pk)
    restricted_share = selectors_follow_up.get_share(membership, enrolment, share_pk)
    back_url = school_url(request, "pathways:share", enrolment.pk)
    error = None
    if request.method == "POST":
        try:
            services_sharing.revoke_share(
                membership=membership, share=restricted_share, ip_address=client_ip(request)
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("%(name)s n'a plus accès aux informations restreintes de ce parcours.")
                % {"name": restricted_share.membership.user.get_full_name()},
            )
            return redirect(back_url)
    context = base_context(request, enrolment)
    context.update(share=restricted_share, back_url=back_url, error=error)
    return render(request, "pathways/follow_up/share_revoke.html", context, status=_status(request))


urlpatterns = [
    path(
        "stagiaires/<int:pk>/entretiens/nouveau/",
        meeting_create,
        name="meeting_create",
    ),
    path(
        "stagiaires/<int:pk>/entretiens/<int:meeting_pk>/",
        meeting_detail,
        name="meeting",
    ),
    path("stagiaires/<int:pk>/accompagnement/", support_list, name="support"),
    path("stagiaires/<int:pk>/accompagnement/nouveau/", support_create, name="support_create"),
    path(
        "stagiaires/<int:pk>/accompagnement/<int:action_pk>/modifier/",
        support_edit,
        name="support_edit",
    ),
    path("stagiaires/<int:pk>/partage/", share, name="share"),
    path(
        "stagiaires/<int:pk>/partage/<int:share_pk>/retirer/",
        share_revoke,
        name="share_revoke",
    ),
]
