"""URL access table of the account pages and the director's staff actions (tests/url_tables.py).

The walk's clients are logged in through ``tests.utils.login_client``: the staff roles (and the
outsider, a referent) have an authenticator app and a verified session; partners and the network
have none (the second factor is optional for them).
"""

from parcours.organisations.access import Perm

URL_PERMS = {
    "organisations:staff_deactivate": Perm.MANAGE_STAFF,
    "organisations:staff_reactivate": Perm.MANAGE_STAFF,
}

PK_OBJECTS = {
    "organisations:staff_deactivate": "active_member",
    "organisations:staff_reactivate": "former_member",
}

# ``token`` is already mapped (to a registration's token, tests/intake): as a reset token it is
# simply invalid, which is what the walk needs.
KWARG_OBJECTS = {"uidb64": ("reset_link", "uidb64")}

_WITH_APP = ("director", "intake", "referent", "company_relations", "outsider")

OPEN_URLS = {
    "accounts:account": {"anonymous": 302, "*": 200},
    # Verified sessions are sent on (to the page asked for, or home).
    "accounts:two_factor_verify": {"*": 302},
    # Enrolment: the users who have an app are sent to their account page; the others may enrol.
    "accounts:two_factor_setup": {"anonymous": 302, **dict.fromkeys(_WITH_APP, 302), "*": 200},
    # Backup codes: a confirmation page for users with an app; the others are sent to the account.
    "accounts:backup_codes": {**dict.fromkeys(_WITH_APP, 200), "*": 302},
    # Mandatory for the staff roles (403: it cannot be switched off); nothing to switch
    # off for the others (sent to the account page).
    "accounts:two_factor_disable": {**dict.fromkeys(_WITH_APP, 403), "*": 302},
    "accounts:logout_everywhere": {"anonymous": 302, "*": 200},
    "accounts:password_change": {"anonymous": 302, "*": 200},
    "accounts:password_change_done": {"anonymous": 302, "*": 200},
    "accounts:password_reset": {"*": 200},
    "accounts:password_reset_done": {"*": 200},
    "accounts:password_reset_confirm": {"*": 404},  # an invalid link: the page says so
    "accounts:password_reset_complete": {"*": 200},
}
