"""URL access table of the project-level URLs (see tests/url_tables.py)."""

from parcours.organisations.access import Perm

URL_PERMS = {"network_home": Perm.VIEW_NETWORK}

#: ``"*"`` is every other user; anonymous users of a permission-checked URL go to the login page.
OPEN_URLS = {
    "home": {"anonymous": 302, "*": 302},  # redirects to the user's school (or the network)
    "healthz": {"*": 200},
    "favicon": {"*": 302},
    "accounts:login": {"anonymous": 200, "*": 302},  # logged-in users are sent home
    "accounts:logout": {"*": 405},  # POST only
}
