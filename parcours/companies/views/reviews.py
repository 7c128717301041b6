"""Tutor review views (staff): send or revoke the tutor's private link, enter the review from a
call, correct it, turn an observed competency into an assessment, and the overdue reviews
(and their XLSX/CSV export: every row, audited).

Thin views: every write goes through ``services_reviews``; a refusal re-renders the page with
the French message(s) and status 400 (nothing written). Writing needs ``RECORD_REVIEWS``;
turning an observation into an assessment needs ``ASSESS``; the overdue list needs
``VIEW_TRAINEES``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.audit.services import client_ip
from parcours.organisations.access import Perm, has_perm, school_view
from parcours.pathways import exports

from .. import selectors_reviews as selectors
from .. import services_reviews as services
from ..forms.reviews import ReviewForm, SendLinkForm
from ..models import Internship, TutorLink

#: Rows read per database round trip by the export (each chunk prefetches its links).
EXPORT_CHUNK = 500


def _base_url(request: HttpRequest) -> str:
    """Where the links sent by e-mail point: this server, as the request reached it."""
    return request.build_absolute_uri("/").rstrip("/")


def _context(request: HttpRequest, internship: Internship, **extra) -> dict:
    return {
        "internship": internship,
        "person": internship.enrolment.person,
        "internship_url": services.internship_page_path(internship),
        "status": internship.status(),
        **extra,
    }


def _blocked_reason(internship: Internship, *, has_review: bool) -> str:
    if internship.is_cancelled:
        return str(services.CANCELLED)
    if has_review:
        return str(services.REVIEW_EXISTS)
    if timezone.localdate() < internship.start_date:
        return str(services.NOT_STARTED)
    return ""


@school_view(Perm.RECORD_REVIEWS)
def review_send_link(request: HttpRequest, internship_pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, internship_pk)
    review = selectors.review_of(internship)
    current = selectors.usable_link(internship)
    if request.method == "POST":
        form = SendLinkForm(request.POST)
        if form.is_valid():
            try:
                link = services.send_tutor_link(
                    membership=membership,
                    internship=internship,
                    email=form.cleaned_data["email"],
                    request_base_url=_base_url(request),
                    ip_address=client_ip(request),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Le lien du bilan de stage a été envoyé à %(email)s.")
                    % {"email": link.sent_to},
                )
                return redirect(services.internship_page_path(internship))
    else:
        form = SendLinkForm(initial={"email": internship.tutor.email})
    return render(
        request,
        "companies/reviews/send_link.html",
        _context(
            request,
            internship,
            form=form,
            current_link=current,
            blocked=_blocked_reason(internship, has_review=review is not None),
        ),
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.RECORD_REVIEWS)
def review_revoke_link(request: HttpRequest, internship_pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, internship_pk)
    current = selectors.usable_link(internship)
    error = ""
    if request.method == "POST":
        try:
            services.revoke_tutor_links(
                membership=membership, internship=internship, ip_address=client_ip(request)
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, _("Le lien du ou de la tuteur·rice est révoqué."))
            return redirect(services.internship_page_path(internship))
    return render(
        request,
        "companies/reviews/revoke_link.html",
        _context(request, internship, current_link=current, error=error),
        status=400 if error else 200,
    )


def _review_form_page(
    request: HttpRequest, internship: Internship, form: ReviewForm, **extra
) -> HttpResponse:
    return render(
        request,
        "companies/reviews/review_form.html",
        _context(request, internship, form=form, **extra),
        status=400 if request.method == "POST" else 200,
    )


@school_view(Perm.RECORD_REVIEWS)
def review_call(request: HttpRequest, internship_pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, internship_pk)
    review = selectors.review_of(internship)
    blocked = _blocked_reason(internship, has_review=review is not None)
    competencies = selectors.review_competencies(internship)
    if request.method == "POST" and not blocked:
        form = ReviewForm(request.POST, competencies=competencies)
        if form.is_valid():
            try:
                services.record_review_from_call(
                    membership=membership,
                    internship=internship,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Le bilan de stage est enregistré."))
                return redirect(services.internship_page_path(internship))
    else:
        form = ReviewForm(
            request.POST if request.method == "POST" else None,
            competencies=competencies,
            initial={"reviewer_name": internship.tutor.full_name},
        )
        if blocked and request.method == "POST":
            form.is_valid()
            form.add_error(None, blocked)
    return _review_form_page(
        request,
        internship,
        form,
        blocked=blocked,
        title=_("Saisir le bilan de stage (échange avec le ou la tuteur·rice)"),
        submit_label=_("Enregistrer le bilan"),
    )


@school_view(Perm.RECORD_REVIEWS)
def review_edit(request: HttpRequest, internship_pk: int) -> HttpResponse:
    membership = request.membership
    internship = selectors.get_internship(membership, internship_pk)
    review = selectors.review_of(internship)
    if review is None:
        raise Http404(_("Ce stage n'a pas encore de bilan."))
    competencies = selectors.review_competencies(internship)
    if request.method == "POST":
        form = ReviewForm(request.POST, competencies=competencies)
        if form.is_valid():
            try:
                services.update_review(
                    membership=membership,
                    review=review,
                    ip_address=client_ip(request),
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Le bilan de stage est modifié."))
                return redirect(services.internship_page_path(internship))
    else:
        form = ReviewForm(competencies=competencies, initial=ReviewForm.initial_from(review))
    return _review_form_page(
        request,
        internship,
        form,
        blocked="",
        review=review,
        title=_("Modifier le bilan de stage"),
        submit_label=_("Enregistrer"),
    )


@school_view(Perm.ASSESS)
def review_to_assessment(request: HttpRequest, observation_pk: int) -> HttpResponse:
    membership = request.membership
    observation = selectors.get_observation(membership, observation_pk)
    review = observation.review
    internship = review.internship
    error = ""
    if request.method == "POST":
        try:
            services.review_to_assessment(
                membership=membership,
                observation=observation,
                request_base_url=_base_url(request),
                ip_address=client_ip(request),
            )
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("L'évaluation « %(competency)s » est enregistrée, avec le bilan pour preuve.")
                % {"competency": observation.competency.code},
            )
            return redirect(services.internship_page_path(internship))
    return render(
        request,
        "companies/reviews/to_assessment.html",
        _context(
            request,
            internship,
            observation=observation,
            review=review,
            review_day=timezone.localtime(review.submitted_at).date(),
            error=error,
        ),
        status=400 if error else 200,
    )


def _overdue_row_facts(internship: Internship, today, now) -> Internship:
    """The latest link, its state and the days late, as a row of the list shows them."""
    links = list(internship.tutor_links.all())
    internship.last_link = links[0] if links else None
    internship.link_state = selectors.link_state(internship.last_link, now)
    internship.days_late = (today - internship.end_date).days
    return internship


def _render_overdue(request: HttpRequest, *, export_error: str = "") -> HttpResponse:
    membership = request.membership
    today = timezone.localdate()
    now = timezone.now()
    page = Paginator(
        selectors.overdue_reviews(membership, today), settings.PARCOURS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for internship in page.object_list:
        _overdue_row_facts(internship, today, now)
        internship.page_url = services.internship_page_path(internship)
    return render(
        request,
        "companies/reviews/overdue.html",
        {
            "page": page,
            "may_record": has_perm(membership, Perm.RECORD_REVIEWS),
            "overdue_after": selectors.OVERDUE_AFTER_DAYS,
            "export_error": export_error,
        },
        status=400 if export_error else 200,
    )


@school_view(Perm.VIEW_TRAINEES)
def reviews_overdue(request: HttpRequest) -> HttpResponse:
    return _render_overdue(request)


#: The list's columns: the trainee's name in two, the days late and the link's state as
#: their own columns, the link's dates as date cells.
OVERDUE_EXPORT_HEADERS = (
    gettext_lazy("Nom"),
    gettext_lazy("Prénom"),
    gettext_lazy("Entreprise"),
    gettext_lazy("Tuteur·rice"),
    gettext_lazy("Fin du stage"),
    gettext_lazy("Jours de retard"),
    gettext_lazy("Lien du bilan"),
    gettext_lazy("Lien envoyé à"),
    gettext_lazy("Lien envoyé le"),
    gettext_lazy("Lien valable jusqu'au"),
    gettext_lazy("Lien révoqué le"),
    gettext_lazy("Relances"),
)
LINK_STATE_LABELS = {
    "none": gettext_lazy("jamais envoyé"),
    "usable": gettext_lazy("envoyé"),
    "used": gettext_lazy("utilisé"),
    "revoked": gettext_lazy("révoqué"),
    "expired": gettext_lazy("expiré"),
}


def _local_day(moment):
    return timezone.localtime(moment).date() if moment is not None else None


def _overdue_row(internship: Internship, today, now) -> tuple:
    _overdue_row_facts(internship, today, now)
    person = internship.enrolment.person
    link: TutorLink | None = internship.last_link
    return (
        person.last_name,
        person.first_name,
        internship.company.name,
        internship.tutor.full_name,
        internship.end_date,
        internship.days_late,
        str(LINK_STATE_LABELS[internship.link_state]),
        link.sent_to if link else "",
        _local_day(link.created_at) if link else None,
        _local_day(link.expires_at) if link else None,
        _local_day(link.revoked_at) if link else None,
        link.reminders_sent if link else None,
    )


@school_view(Perm.VIEW_TRAINEES)
def reviews_overdue_export(request: HttpRequest) -> HttpResponse:
    fmt = exports.requested_format(request)
    if fmt is None:
        return _render_overdue(request, export_error=exports.UNKNOWN_FORMAT)
    today = timezone.localdate()
    now = timezone.now()
    internships = selectors.overdue_reviews(request.membership, today)
    return exports.download(
        request,
        fmt=fmt,
        headers=OVERDUE_EXPORT_HEADERS,
        rows=(
            _overdue_row(internship, today, now)
            for internship in internships.iterator(chunk_size=EXPORT_CHUNK)
        ),
        stem="bilans-en-retard",
        sheet_title=_("Bilans en retard"),
        action="export.reviews_overdue",
        filters={},
        day=today,
    )


_REVIEW = "stages/<int:internship_pk>/bilan/"

urlpatterns = [
    path(f"{_REVIEW}lien/", review_send_link, name="review_send_link"),
    path(f"{_REVIEW}lien/revoquer/", review_revoke_link, name="review_revoke_link"),
    path(f"{_REVIEW}saisir/", review_call, name="review_call"),
    path(f"{_REVIEW}modifier/", review_edit, name="review_edit"),
    path(
        "bilans/observations/<int:observation_pk>/evaluation/",
        review_to_assessment,
        name="review_to_assessment",
    ),
    path("bilans-en-retard/", reviews_overdue, name="reviews_overdue"),
    path("bilans-en-retard/export/", reviews_overdue_export, name="reviews_overdue_export"),
]
