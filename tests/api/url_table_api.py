"""URL access table of the API token pages (tests/url_tables.py). The API itself (/api/v1/)
has its own walk with tokens: tests/api/test_permissions.py."""

from parcours.organisations.access import Perm

URL_PERMS = {
    "api_school_tokens:tokens": Perm.MANAGE_STAFF,
    "api_school_tokens:token_revoke": Perm.MANAGE_STAFF,
}

PK_OBJECTS = {
    "api_tokens:token_revoke": "api_token",  # the referent's own token
    "api_school_tokens:token_revoke": "api_token",
}

OPEN_URLS = {
    "api_tokens:tokens": {"anonymous": 302, "*": 200},
    # Only its owner reaches a token from « Mon compte »: anyone else, as if it did not exist.
    "api_tokens:token_revoke": {"anonymous": 302, "referent": 200, "*": 404},
}
