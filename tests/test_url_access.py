"""Walks EVERY URL pattern of the project with users of every role and checks the status.

Every URL must be listed here: in ``URL_PERMS`` with the permission its view must require (the
view declares it with ``@school_view(Perm.X)``, the test checks they agree), or in ``OPEN_URLS``
with its expected status. The expected status for each role then follows from ``ROLE_PERMS``.
URLs whose ``pk`` names an object say which in ``PK_OBJECTS``. A new URL that is not listed
fails this test, so no screen escapes the access rules unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from parcours.organisations.access import Perm, has_perm
from parcours.organisations.models import Role

ALL_ROLES = [role.value for role in Role]
WHO = [*ALL_ROLES, "outsider", "anonymous"]

#: URLs that do not require a school permission: expected status for everybody.
#: ``"login"`` means: anonymous users are redirected to the login page.
OPEN_URLS: dict[str, dict[str, int]] = {
    "home": {"anonymous": 302, "*": 302},  # redirects to the user's school (or the network)
    "healthz": {"*": 200},
    "accounts:login": {"anonymous": 200, "*": 302},  # logged-in users are sent home
    "accounts:logout": {"*": 405},  # POST only
}

#: The permission each school or network URL requires.
URL_PERMS: dict[str, Perm] = {
    "organisations:home": Perm.VIEW_SCHOOL,
    "organisations:site": Perm.VIEW_SCHOOL,
    "organisations:room": Perm.VIEW_SCHOOL,
    "organisations:site_create": Perm.MANAGE_PREMISES,
    "organisations:site_edit": Perm.MANAGE_PREMISES,
    "organisations:room_create": Perm.MANAGE_PREMISES,
    "organisations:room_edit": Perm.MANAGE_PREMISES,
    "organisations:staff": Perm.VIEW_STAFF,
    "organisations:partners": Perm.VIEW_PARTNERS,
    "organisations:partner_create": Perm.MANAGE_PARTNERS,
    "organisations:partner_edit": Perm.MANAGE_PARTNERS,
    "organisations:funding": Perm.VIEW_FUNDING,
    "organisations:funding_create": Perm.MANAGE_FUNDING,
    "organisations:funding_edit": Perm.MANAGE_FUNDING,
    "network_home": Perm.VIEW_NETWORK,
}

#: For URLs with a ``pk``: which object of the world it designates.
PK_OBJECTS: dict[str, str] = {
    "organisations:site": "site",
    "organisations:site_edit": "site",
    "organisations:room": "room",
    "organisations:room_edit": "room",
    "organisations:partner_edit": "prescriber_partner",
    "organisations:funding_edit": "funding",
}
#: Other kwargs that name an object, whatever the URL.
KWARG_OBJECTS = {"site_pk": "site"}


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
            yield from _walk(entry.url_patterns, namespace, here)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Url(f"{prefix}{entry.name}", entry.callback, here)


def project_urls() -> list[Url]:
    return sorted(_walk(get_resolver().url_patterns), key=lambda url: url.name)


def _kwargs(name: str, pattern: Url, world, *, other: bool = False) -> dict:
    """URL kwargs for ``name``; ``other=True`` takes the objects of the other school."""
    kwargs = {}
    for key in pattern.keys:
        if key == "school_slug":
            kwargs[key] = world.school.slug
            continue
        attr = PK_OBJECTS.get(name) if key == "pk" else KWARG_OBJECTS.get(key)
        assert attr, f"{name}: say in PK_OBJECTS/KWARG_OBJECTS which object '{key}' designates"
        if other:
            attr = {
                "site": "other_site",
                "room": "other_room",
                "prescriber_partner": "other_partner",
                "funding": "other_funding",
            }[attr]
        kwargs[key] = getattr(world, attr).pk
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
    if name == "network_home":
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
        if response.status_code == 200 and who in ("funder", "network", "prescriber"):
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
