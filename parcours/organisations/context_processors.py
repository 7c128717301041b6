from .access import ROLE_PERMS
from .navigation import navigation


def current_membership(request):
    membership = getattr(request, "membership", None)
    perms = ROLE_PERMS.get(membership.role, frozenset()) if membership else frozenset()
    return {
        "membership": membership,
        "school": membership.school if membership else None,
        "can": {str(p) for p in perms},
        "memberships": getattr(request, "memberships", []),
        "nav": navigation(membership, getattr(request, "resolver_match", None)),
    }
