"""The authorisation proof: every URL of the project, every role, GET and POST.

Driven by the URL resolver and the access tables (``tests/**/url_table*.py``, see
tests/test_url_access.py), so a new URL is covered as soon as it is listed there:

- no member of school A reaches school B's objects (every object-taking URL, every role, every
  kwarg in turn, GET and POST with a plausible form payload): 404 (403 when the role lacks the
  permission anyway), and nothing written;
- no role POSTs successfully where it lacks the permission: 403/404 (login page for anonymous
  users), nothing written;
- those payloads do write when the allowed role sends them (so the refusals above mean
  something);
- no prescriber reaches a referral they do not follow (``intake.selectors.referrals_for``: a
  prescriber sees the referrals whose ``adviser`` they are — not those of a colleague of the same
  organisation, nor those of another organisation);
- no company-relations member, no intake member without a share and no referent of another
  trainee reads restricted content (health, confidential meetings, health documents);
- funder and network accounts read no personal data (names, birth dates, e-mails, phones).

Every check of "nothing written" goes through ``probe.WriteDetector`` (any INSERT, UPDATE or
DELETE of a row outside the session table).
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from parcours.organisations.models import Role

from ..factories import (
    MembershipFactory,
    PartnerFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)
from ..test_url_access import ALL_ROLES, URL_PERMS, WHO, expected_status, project_urls
from .markers import ALL_MARKERS, HEALTH_MARKERS, SECOND_MARKERS, leaks, personal_values
from .probe import (
    WriteDetector,
    body_text,
    object_keys,
    object_spec,
    plausible_payload,
    same_kind,
    url_for,
)

pytestmark = pytest.mark.django_db

SCHOOL_ROLES = [role for role in ALL_ROLES]  # the network account included: it has no school


def _payload(forms, name: str) -> dict:
    found = forms.get(name)
    return plausible_payload(found[0].form) if found else {"champ": "valeur"}


def _foreign_choices(world, pattern) -> list[dict]:
    """All kwargs of the other school, then each kwarg alone of the other school."""
    keys = object_keys(pattern)
    others = {key: world.others[object_spec(pattern.name, key)[0]] for key in keys}
    choices = [others]
    if len(keys) > 1:
        choices += [{key: others[key]} for key in keys]
    return choices


def _variants(world, pattern) -> list[dict | None]:
    """The default objects, then each kwarg replaced by every other object of its kind in the
    world (the health action beside the mobility one, the second enrolment…)."""
    variants: list[dict | None] = [None]
    keys = object_keys(pattern)
    defaults = {key: world.objects[object_spec(pattern.name, key)[0]] for key in keys}
    for key in keys:
        for candidate in same_kind(world, pattern, key, world.objects):
            if candidate.pk == defaults[key].pk:
                continue
            variants.append({key: candidate})  # mismatched with the other kwargs: a 404
            # … and with the objects it belongs to (the second enrolment of its document).
            consistent = {key: candidate}
            for other in keys:
                for field in candidate._meta.concrete_fields:
                    if other != key and field.related_model is type(defaults[other]):
                        consistent[other] = getattr(candidate, field.name)
            if len(consistent) > 1:
                variants.append(consistent)
    return variants


def _request(client, method: str, url: str, payload: dict | None = None):
    with WriteDetector() as writes:
        response = client.post(url, payload or {}) if method == "POST" else client.get(url)
    return response, writes


# ------------------------------------------------------------------- another school's objects


@pytest.mark.parametrize("who", SCHOOL_ROLES)
def test_other_schools_objects_are_404_get_and_post(secure_world, forms, who):
    world = secure_world
    client = world.client_for(who)
    checked = 0
    for pattern in project_urls():
        if not object_keys(pattern):
            continue
        own = expected_status(pattern.name, pattern.callback, who)
        expected = 403 if own == 403 else 404
        payload = _payload(forms, pattern.name)
        for choice in _foreign_choices(world, pattern):
            url = url_for(world, pattern, choice)
            for method in ("GET", "POST"):
                response, writes = _request(client, method, url, payload)
                allowed = {expected, 405} if method == "POST" else {expected}
                assert response.status_code in allowed, f"{who} {method} {url} ({pattern.name})"
                assert not writes.rows, f"{who} {method} {url} wrote {writes.tables()}"
                checked += 1
    print(f"{who}: {checked} requests with another school's objects")
    assert checked > 150


# ---------------------------------------------------------------- POST without the permission


@pytest.mark.parametrize("who", WHO)
def test_post_without_the_permission_is_refused(secure_world, forms, who):
    world = secure_world
    client = world.client_for(who)
    checked = 0
    for pattern in project_urls():
        if pattern.name not in URL_PERMS:
            continue  # open URLs (public pages, login): fuzzed in test_fuzz_forms.py
        expected = expected_status(pattern.name, pattern.callback, who)
        if expected == 200:
            continue
        url = url_for(world, pattern)
        response, writes = _request(client, "POST", url, _payload(forms, pattern.name))
        assert response.status_code in {expected, 405}, f"{who} POST {url} ({pattern.name})"
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login"))
        assert not writes.rows, f"{who} POST {url} wrote {writes.tables()}"
        checked += 1
    print(f"{who}: {checked} refused POSTs")
    if who != "director":
        assert checked > 10


def test_the_payloads_write_when_the_role_may(secure_world, forms):
    """The payloads of the refused POSTs above are not empty shells: sent by a role that may,
    to its own school's URL, most of them do write (undone at once by a savepoint)."""
    world = secure_world
    writing, silent = [], []
    by_name = {pattern.name: pattern for pattern in project_urls()}
    for target, found in sorted(forms.items()):
        pattern = by_name[target]
        who = found[0].who
        if who in ("anonymous", "outsider"):
            continue
        client = world.client_for(who)
        with transaction.atomic():
            url = url_for(world, pattern)
            response, writes = _request(client, "POST", url, plausible_payload(found[0].form))
            transaction.set_rollback(True)
        assert response.status_code < 500, f"{who} POST {url}: {response.status_code}"
        (writing if writes.rows else silent).append(f"{target} {who} {response.status_code}")
    print(f"{len(writing)} of {len(writing) + len(silent)} forms write with a plausible payload")
    print("silent:", ", ".join(silent))
    assert len(writing) >= 40


# --------------------------------------------------------------------------------- prescribers


@pytest.fixture
def prescribers(world):
    """Three prescribers of school A, each following one referral: the world's one, a colleague
    of the same organisation and a counsellor of another organisation."""
    school = world.school
    other_org = PartnerFactory(school=school, name="PLIE Alpha")
    accounts = {"prescriber": world.members["prescriber"]}
    for key, partner, email in (
        ("colleague", world.prescriber_partner, "collegue-ml@alpha.example.org"),
        ("other_org", other_org, "plie@alpha.example.org"),
    ):
        accounts[key] = MembershipFactory(
            school=school,
            role=Role.PRESCRIBER,
            partner=partner,
            user=UserFactory(email=email, last_name=f"Prescripteur{key}"),
        )
    referrals = {"prescriber": world.objects["referral"]}
    for key in ("colleague", "other_org"):
        membership = accounts[key]
        referrals[key] = ReferralFactory(
            school=school,
            person=PersonFactory(school=school, last_name=f"Oriente{key}"),
            prescriber=membership.partner,
            adviser=membership,
        )
    return accounts, referrals


def _client(membership):
    """A client logged in as ``membership``'s user, as ``World.client_for`` logs in."""
    from django.test import Client

    from ..utils import login_client

    return login_client(Client(), membership.user)


def test_no_prescriber_reaches_a_referral_not_theirs(world, prescribers):
    accounts, referrals = prescribers
    referral_urls = [
        pattern
        for pattern in project_urls()
        if any(
            (spec := object_spec(pattern.name, key)) and spec[0] == "referral"
            for key in object_keys(pattern)
        )
    ]
    assert "intake:my_referral" in {pattern.name for pattern in referral_urls}
    checked = 0
    for who, membership in accounts.items():
        client = _client(membership)
        own = referrals[who]
        # Their own referral is shown (the proof below is not a 404 for everything).
        mine = client.get(reverse("intake:my_referral", args=[world.school.slug, own.pk]))
        assert mine.status_code == 200 and own.person.last_name in mine.content.decode()
        listing = client.get(reverse("intake:my_referrals", args=[world.school.slug])).content
        for whose, referral in referrals.items():
            if whose == who:
                continue
            assert referral.person.last_name not in listing.decode(), f"{who} lists {whose}'s"
            for pattern in referral_urls:
                keys = {
                    k: referral
                    for k in object_keys(pattern)
                    if object_spec(pattern.name, k)[0] == "referral"
                }
                url = url_for(world, pattern, keys)
                expected = 403 if pattern.name not in _refer_urls() else 404
                for method in ("GET", "POST"):
                    response, writes = _request(client, method, url, {"champ": "x"})
                    assert response.status_code in {expected, 405} - (
                        {405} if method == "GET" else set()
                    ), f"{who} {method} {url} ({whose}'s referral)"
                    assert not writes.rows
                    body = body_text(response)
                    assert referral.person.last_name not in body
                    checked += 1
    print(f"{checked} requests of prescribers on referrals not theirs")
    assert checked >= 6 * len(referral_urls)


def _refer_urls() -> set[str]:
    from parcours.organisations.access import Perm

    return {name for name, perm in URL_PERMS.items() if perm == Perm.REFER}


# ------------------------------------------------------------------------ restricted content


def _walk_bodies(world, client, who):
    """GET every URL (each object variant) as ``who``; yields (url, status, searchable text)."""
    for pattern in project_urls():
        if expected_status(pattern.name, pattern.callback, who) not in (200, 302, 400):
            continue
        for choice in _variants(world, pattern):
            url = url_for(world, pattern, choice)
            response = client.get(url)
            assert response.status_code < 500, f"{who} GET {url}: {response.status_code}"
            yield url, response.status_code, body_text(response)


def _found_markers(world, client, who, markers) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    count = 0
    for url, _status, text in _walk_bodies(world, client, who):
        count += 1
        for marker in markers:
            if marker in text:
                found.setdefault(marker, []).append(url)
    print(f"{who}: {count} pages read")
    return found


def test_the_markers_are_visible_to_the_direction(secure_world):
    """The markers below are not misspelt: the direction finds every one of them."""
    found = _found_markers(
        secure_world, secure_world.client_for("director"), "director", ALL_MARKERS
    )
    assert set(found) == set(ALL_MARKERS), f"missing: {set(ALL_MARKERS) - set(found)}"


@pytest.mark.parametrize(
    ("who", "markers"),
    [
        ("company_relations", ALL_MARKERS),
        ("intake", ALL_MARKERS),  # no share with the intake member in the world
        ("referent", SECOND_MARKERS),  # not the referent of the second enrolment
        ("referent2", HEALTH_MARKERS),  # not the referent of the first enrolment
    ],
)
def test_no_restricted_content_without_the_right(secure_world, who, markers):
    world = secure_world
    membership = world.members_extra.get(who) or world.members[who]
    client = _client(membership)
    walker = "referent" if who == "referent2" else who
    found = _found_markers(world, client, walker, markers)
    assert not found, f"{who} reads restricted content: {found}"


# ---------------------------------------------------------------------- funder and network


def test_personal_values_are_visible_to_the_direction(secure_world):
    """Every category of personal value is found by the direction somewhere (the detector
    knows the formats the pages use)."""
    director = secure_world.members["director"]
    values = personal_values(except_users={director.user_id})
    seen: set[str] = set()
    for _url, _status, text in _walk_bodies(secure_world, _client(director), "director"):
        seen.update(found.split(":")[0] for found in leaks(text, values))
    assert seen == set(values), f"never seen: {set(values) - seen}"


@pytest.mark.parametrize("who", ["funder", "network"])
def test_funder_and_network_read_no_personal_data(secure_world, who):
    membership = secure_world.members[who]
    values = personal_values(except_users={membership.user_id})
    client = _client(membership)
    pages = 0
    for url, status, text in _walk_bodies(secure_world, client, who):
        pages += status == 200
        found = leaks(text, values) + [marker for marker in ALL_MARKERS if marker in text]
        assert not found, f"{who} GET {url} shows {found}"
    print(f"{who}: {pages} pages read (200)")
    assert pages >= 3
