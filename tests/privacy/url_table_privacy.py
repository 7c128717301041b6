"""URL access table of the "Protection des données" screens (director only)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "privacy:home": Perm.MANAGE_PRIVACY,
    "privacy:retention": Perm.MANAGE_PRIVACY,
    "privacy:hold_place": Perm.MANAGE_PRIVACY,
    "privacy:hold_lift": Perm.MANAGE_PRIVACY,
    "privacy:home_export": Perm.MANAGE_PRIVACY,
    "privacy:holds_export": Perm.MANAGE_PRIVACY,
    "privacy:runs_export": Perm.MANAGE_PRIVACY,
}

PK_OBJECTS = {
    "privacy:hold_place": "privacy_person",
    "privacy:hold_lift": "legal_hold",
}
