"""URL access table of the organisations app (see tests/url_tables.py)."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "organisations:home": Perm.VIEW_SCHOOL,
    "organisations:site": Perm.VIEW_SCHOOL,
    "organisations:room": Perm.VIEW_SCHOOL,
    "organisations:site_create": Perm.MANAGE_PREMISES,
    "organisations:site_edit": Perm.MANAGE_PREMISES,
    "organisations:room_create": Perm.MANAGE_PREMISES,
    "organisations:room_edit": Perm.MANAGE_PREMISES,
    "organisations:staff": Perm.VIEW_STAFF,
    "organisations:staff_export": Perm.VIEW_STAFF,
    "organisations:settings": Perm.MANAGE_PREMISES,
    "organisations:partners": Perm.VIEW_PARTNERS,
    "organisations:partners_export": Perm.VIEW_PARTNERS,
    "organisations:partner_create": Perm.MANAGE_PARTNERS,
    "organisations:partner_edit": Perm.MANAGE_PARTNERS,
    "organisations:funding": Perm.VIEW_FUNDING,
    "organisations:funding_export": Perm.VIEW_FUNDING,  # a funder: its own agreements only
    "organisations:funding_create": Perm.MANAGE_FUNDING,
    "organisations:funding_edit": Perm.MANAGE_FUNDING,
}

PK_OBJECTS = {
    "organisations:site": "site",
    "organisations:site_edit": "site",
    "organisations:room": "room",
    "organisations:room_edit": "room",
    "organisations:partner_edit": "prescriber_partner",
    "organisations:funding_edit": "funding",
}

KWARG_OBJECTS = {"site_pk": ("site", "pk")}
