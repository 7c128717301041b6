"""« Accès à l'API »: a user's API tokens (create, shown once; revoke), and the director's page
of the school's tokens (``Perm.MANAGE_STAFF``: revoke any member's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from parcours.organisations.access import Perm, school_view

from . import selectors, services
from .forms import TokenCreateForm


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens, and the form creating one (its secret is shown on the answer, once)."""
    memberships = list(request.memberships)
    form = TokenCreateForm(request.POST or None, memberships=memberships, user=request.user)
    created, status = None, 200
    if request.method == "POST" and memberships:
        if form.is_valid():
            try:
                created = services.create_token(
                    actor=request.user,
                    membership=form.cleaned_data["membership"],
                    name=form.cleaned_data["name"],
                    lifetime_days=form.cleaned_data["lifetime_days"],
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                form = TokenCreateForm(memberships=memberships, user=request.user)
        else:
            status = 400
    return render(
        request,
        "api/tokens.html",
        {
            "form": form if memberships else None,
            "created": created,
            "tokens": list(selectors.tokens_of_user(request.user)),
        },
        status=status,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_own_token(request.user, pk)
    if request.method == "POST":
        services.revoke_token(actor=request.user, token=token)
        messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
        return redirect("api_tokens:tokens")
    return render(
        request,
        "api/token_revoke.html",
        {"token": token, "back_url": reverse("api_tokens:tokens")},
    )


@school_view(Perm.MANAGE_STAFF)
@never_cache
def school_tokens(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "api/school_tokens.html",
        {"tokens": list(selectors.tokens_of_school(request.membership))},
    )


@school_view(Perm.MANAGE_STAFF)
@never_cache
@require_http_methods(["GET", "POST"])
def school_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_school_token(request.membership, pk)
    back = reverse("api_school_tokens:tokens", args=[request.membership.school.slug])
    if request.method == "POST":
        services.revoke_token(actor=request.user, token=token)
        messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
        return redirect(back)
    return render(request, "api/token_revoke.html", {"token": token, "back_url": back})


account_urlpatterns = (
    [
        path("", tokens, name="tokens"),
        path("<int:pk>/revoquer/", token_revoke, name="token_revoke"),
    ],
    "api_tokens",
)

school_urlpatterns = (
    [
        path("api/jetons/", school_tokens, name="tokens"),
        path("api/jetons/<int:pk>/revoquer/", school_token_revoke, name="token_revoke"),
    ],
    "api_school_tokens",
)
