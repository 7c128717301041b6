"""Walks EVERY URL pattern of the project with users of every role and checks the status.

Every URL must be listed in a ``url_table*.py`` module under ``tests/`` (one per area, see
``tests/url_tables.py``): in ``URL_PERMS`` with the permission its view must require (the view
declares it with ``@school_view(Perm.X)``, the test checks they agree), or in ``OPEN_URLS`` with
its expected status. The expected status for each role then follows from ``ROLE_PERMS``. URLs
whose ``pk`` names an object say which in ``PK_OBJECTS`` (a key of ``world.objects``). A new URL
that is not listed fails this test, so no screen escapes the access rules unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Role

from .url_tables import collect_tables

ALL_ROLES = [role.value for role in Role]
WHO = [*ALL_ROLES, "outsider", "anonymous"]

URL_PERMS, OPEN_URLS, PK_OBJECTS, KWARG_OBJECTS = collect_tables()


@dataclass(frozen=True)
class Url:
    name: str
    callback: object
    keys: tuple[str, ...]  # the URL's kwargs, from every level of include()


def _walk(patterns, prefix: str = "", keys: tuple[str, ...] = ()):
    for entry in patterns:
        here = keys + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.app_name == "admin":
                continue  # Django's admin has its own access rules (tested separately)
            if entry.app_name == "ninja":
                continue  # the REST API: its own walk with tokens (tests/api/test_permissions.py)
            yield from _walk(entry.url_patterns, namespace, here)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Url(f"{prefix}{entry.name}", entry.callback, here)


def project_urls() -> list[Url]:
    return sorted(_walk(get_resolver().url_patterns), key=lambda url: url.name)


def _kwargs(name: str, pattern: Url, world, *, other: bool = False) -> dict:
    """URL kwargs for ``name``; ``other=True`` takes the objects of the other school."""
    kwargs = {}
    objects = world.others if other else world.objects
    for key in pattern.keys:
        if key == "school_slug":
            kwargs[key] = world.school.slug
            continue
        spec = (PK_OBJECTS.get(name), "pk") if key == "pk" else KWARG_OBJECTS.get(key)
        object_key, attribute = spec or (None, None)
        assert object_key, f"{name}: say in PK_OBJECTS/KWARG_OBJECTS what '{key}' designates"
        kwargs[key] = getattr(objects[object_key], attribute)
    return kwargs


def expected_status(name: str, view, who: str) -> int:
    perm = getattr(view, "required_perm", None)
    if name in OPEN_URLS:
        assert perm is None, f"{name} is listed as open but its view requires {perm}"
        table = OPEN_URLS[name]
        return table.get(who, table["*"])
    assert name in URL_PERMS, f"URL '{name}': list it in URL_PERMS or OPEN_URLS"
    assert perm == URL_PERMS[name], f"{name} requires {perm}, expected {URL_PERMS[name]}"
    if who == "anonymous":
        return 302
    if perm == Perm.VIEW_NETWORK:  # network pages: no school in the URL
        return 200 if who == "network" else 403
    if who in ("outsider", "network"):
        return 404  # not a member of this school: as if it did not exist
    return 200 if has_perm(_Role(who), perm) else 403


class _Role:
    def __init__(self, role: str):
        self.role = role


def test_every_url_is_listed():
    names = [url.name for url in project_urls()]
    assert "organisations:home" in names
    for url in project_urls():
        assert url.name in URL_PERMS or url.name in OPEN_URLS, f"URL '{url.name}' is not listed"
        if url.name in URL_PERMS:
            assert getattr(url.callback, "required_perm", None) == URL_PERMS[url.name], url.name
    assert set(URL_PERMS) | set(OPEN_URLS) == set(names), "stale entries in the tables"


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO)
def test_every_url_for_every_role(world, who):
    client = world.client_for(who)
    # Names of school staff: must never reach funder, network or prescriber accounts.
    staff_names = [
        m.user.last_name
        for role, m in world.members.items()
        if role in ("director", "intake", "referent", "company_relations")
    ]
    checked = 0
    for pattern in project_urls():
        name = pattern.name
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        response = client.get(url)
        expected = expected_status(name, pattern.callback, who)
        assert response.status_code == expected, f"{who} GET {url} ({name})"
        if expected == 302 and who == "anonymous" and name not in OPEN_URLS:
            assert response["Location"].startswith(reverse("accounts:login"))
        text = response.get("Content-Type", "").startswith("text/")  # not a zipped XLSX
        if response.status_code == 200 and text and who in ("funder", "network", "prescriber"):
            content = response.content.decode()
            for last_name in staff_names:
                assert last_name not in content, f"{who} sees staff data on {url}"
        checked += 1
    assert checked == len(project_urls())


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["director", "referent", "funder"])
def test_objects_of_another_school_are_404(world, who):
    """A member of school A asking school A's URLs with school B's object ids gets 404."""
    client = world.client_for(who)
    for pattern in project_urls():
        name = pattern.name
        if not set(pattern.keys) - {"school_slug"}:
            continue
        url = reverse(name, kwargs=_kwargs(name, pattern, world, other=True))
        expected = 403 if expected_status(name, pattern.callback, who) == 403 else 404
        assert client.get(url).status_code == expected, f"{who} GET {url} ({name})"


@pytest.mark.django_db
def test_unknown_or_foreign_school_slug_is_404(world):
    client = world.client_for("director")
    assert client.get("/e/n-existe-pas/").status_code == 404
    assert client.get(f"/e/{world.other_school.slug}/").status_code == 404
    assert (
        client.get(f"/e/{world.other_school.slug}/sites/{world.other_site.pk}/").status_code == 404
    )
