"""URL access table of the pipeline board (see tests/url_tables.py)."""

from parcours.organisations.access import Perm

URL_PERMS = {"intake:board": Perm.VIEW_CANDIDATES}
