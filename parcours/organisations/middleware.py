"""Sets ``request.membership``: the membership the request acts under.

On a URL with a ``school_slug`` it is the user's active membership in that school (or None,
and the view answers 404). Elsewhere it is the membership chosen last (kept in the session),
else the user's first active one. ``request.memberships`` lists all active ones (the header's
school switcher).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .models import Membership

SESSION_KEY = "parcours_membership_id"


def active_memberships(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    return list(
        Membership.objects.active_on(today)
        .filter(user=user)
        .select_related("school", "network", "partner")
        .order_by("school__name", "role")
    )


class CurrentMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = SimpleLazyObject(lambda: active_memberships(request.user))
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The REST API sets the membership from the request's token, never from the session.
        if request.path_info.startswith("/api/"):
            return None
        if not request.user.is_authenticated:
            return None
        memberships = request.memberships
        slug = view_kwargs.get("school_slug")
        if slug is not None:
            request.membership = next(
                (m for m in memberships if m.school_id and m.school.slug == slug), None
            )
            # Written only when it changes: an unchanged session is not saved on every request
            # (parcours/accounts/sessions.py).
            if (
                request.membership is not None
                and request.session.get(SESSION_KEY) != request.membership.pk
            ):
                request.session[SESSION_KEY] = request.membership.pk
            return None
        wanted = request.session.get(SESSION_KEY)
        request.membership = next((m for m in memberships if m.pk == wanted), None) or next(
            iter(memberships), None
        )
        return None
