"""Access rules checked on the demo itself, as the issue's acceptance states them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import User
from parcours.demo.accounts import DEMO_PASSWORD
from parcours.organisations.models import Room, Site

from ..utils import login_client, page_text, password_works

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_db(demo_built):
    return demo_built


def _client(email: str) -> Client:
    client = Client()
    assert password_works(email, DEMO_PASSWORD)
    login_client(client, User.objects.get(email=email))
    return client


def test_referent_of_another_school_gets_404_on_e2c_63(demo_db):
    client = _client("referent@e2c-03.demo")
    site = Site.objects.get(school__slug="e2c-63", name="Cours Sablon")
    room = Room.objects.filter(site=site).first()
    for url in [
        reverse("organisations:home", args=["e2c-63"]),
        reverse("organisations:site", args=["e2c-63", site.pk]),
        reverse("organisations:room", args=["e2c-63", room.pk]),
        reverse("organisations:site", args=["e2c-03", site.pk]),  # own school, foreign site
        reverse("organisations:room", args=["e2c-03", room.pk]),
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("email", ["financeur@e2c-63.demo", "reseau@e2c.demo"])
def test_funder_and_network_see_no_personal_data(demo_db, email):
    client = _client(email)
    me = User.objects.get(email=email)
    others = User.objects.exclude(pk=me.pk).filter(email__endswith="e2c-63.demo")
    pages = [reverse("home"), reverse("network_home")]
    pages += [
        reverse(name, args=["e2c-63"])
        for name in ("organisations:home", "organisations:staff", "organisations:funding")
    ]
    seen = 0
    for url in pages:
        response = client.get(url, follow=True)
        if response.status_code != 200:
            continue
        seen += 1
        text = page_text(response)
        for user in others:
            assert user.get_full_name() not in text, f"{email} sees {user.email} on {url}"
            assert user.email not in text
    assert seen >= 2
