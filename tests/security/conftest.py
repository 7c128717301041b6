"""Fixtures of the authorisation proof and the form fuzz (see probe.py and markers.py)."""

from __future__ import annotations

import pytest

from ..test_url_access import WHO, expected_status, project_urls
from .markers import secure_world  # noqa: F401 — a fixture
from .probe import FoundForm, discover_forms

#: URL names of the pages holding a form, per walker: found by a full walk once per session,
#: then each test reads only those pages of its own world (ids differ between worlds).
_PAGES_WITH_FORMS: dict[str, set[str]] = {}


#: Anonymous first: a public form (agenda, login) is then fuzzed as the public sends it.
PUBLIC_FIRST = ("anonymous", *(who for who in WHO if who != "anonymous"))


def form_catalogue(world, walkers=PUBLIC_FIRST) -> dict[str, list[FoundForm]]:
    patterns = project_urls()
    found: dict[str, list[FoundForm]] = {}
    for who in walkers:
        pages = _PAGES_WITH_FORMS.get(who)
        walked = patterns if pages is None else [p for p in patterns if p.name in pages]
        forms = discover_forms(world, world.client_for, [who], walked, expected_status)
        if pages is None:
            _PAGES_WITH_FORMS[who] = {f.page for found_forms in forms.values() for f in found_forms}
        for target, found_forms in forms.items():
            known = found.setdefault(target, [])
            known.extend(f for f in found_forms if all(k.form.names != f.form.names for k in known))
    return found


@pytest.fixture
def forms(secure_world) -> dict[str, list[FoundForm]]:  # noqa: F811
    """The forms of the world, by the URL name they post to: those the direction sees, and the
    prescriber's (the only role with forms the direction lacks); test_fuzz_forms.py finds
    every role's."""
    return form_catalogue(secure_world, walkers=("director", "prescriber"))
