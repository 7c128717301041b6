"""The tutor's review page, outside the staff area: /bilan-de-stage/<token>/ (no login).

The token is the key: it finds its own link, hence one internship, and the page shows only the
school, the trainee's first name and last-name initial, the company, the dates, the job title,
the goals and the form. An unknown, expired, used or revoked token gets the same neutral page
(404) with no data. Unknown tokens and submissions are rate-limited per client address.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from parcours.audit.services import client_ip
from parcours.intake import ratelimit

from .. import selectors_reviews as selectors
from .. import services_reviews as services
from ..forms.reviews import ReviewForm

RATE_LIMIT_SCOPE = "tutor-review"
#: Unknown tokens and submissions: at most 20 per 10 minutes per client address.
ATTEMPT_LIMIT = 20
ATTEMPT_WINDOW = 600


def _private(response: HttpResponse) -> HttpResponse:
    # "same-origin", not "no-referrer": the token in the address never goes to another site,
    # and the form's POST keeps its Origin header (with "no-referrer" browsers send
    # "Origin: null", which Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def _attempt_allowed(request: HttpRequest) -> bool:
    return ratelimit.allow(
        RATE_LIMIT_SCOPE, client_ip(request) or "", limit=ATTEMPT_LIMIT, window=ATTEMPT_WINDOW
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return _private(
        render(
            request,
            "companies/public/rate_limited.html",
            {"minutes": ATTEMPT_WINDOW // 60},
            status=429,
        )
    )


def _invalid(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "companies/public/invalid.html", status=404))


@require_http_methods(["GET", "HEAD", "POST"])
def review_form(request: HttpRequest, tutor_token: str) -> HttpResponse:
    link = selectors.usable_link_by_token(tutor_token)
    if (link is None or request.method == "POST") and not _attempt_allowed(request):
        return _too_many(request)
    if link is None:
        return _invalid(request)
    internship = link.internship
    competencies = selectors.review_competencies(internship)
    if request.method == "POST":
        form = ReviewForm(request.POST, competencies=competencies)
        if form.is_valid():
            try:
                services.submit_review_from_link(
                    token=tutor_token, ip_address=client_ip(request), **form.service_kwargs()
                )
            except ValidationError as error:
                if selectors.usable_link_by_token(tutor_token) is None:
                    return _invalid(request)
                form.add_error(None, error)
            else:
                return redirect(reverse("tutor_review:thanks"))
    else:
        form = ReviewForm(competencies=competencies)
    return _private(
        render(
            request,
            "companies/public/review_form.html",
            {"summary": selectors.public_summary(link), "form": form},
            # 200 even when the form is refused: Django logs 4xx responses with their path,
            # and this path holds a token that still works.
        )
    )


@require_GET
def review_thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "companies/public/thanks.html"))


urlpatterns = [
    path("merci/", review_thanks, name="thanks"),
    path("<str:tutor_token>/", review_form, name="form"),
]
