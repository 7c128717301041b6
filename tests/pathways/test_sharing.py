"""Sharing an enrolment's restricted sections with a colleague, and withdrawing it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.pathways import services_sharing
from parcours.pathways.models import RestrictedShare

from ..factories import EnrolmentFactory
from ..test_url_access import WHO as EVERYONE
from ..test_url_access import _kwargs, expected_status, project_urls
from ..utils import page_text
from .follow_up_helpers import client_as, counts, member, url
from .url_table_follow_up import URL_PERMS

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------- the access list


@pytest.mark.parametrize("who", ["referent", "director"])
def test_the_referent_and_the_direction_see_who_has_access(world, who):
    share = world.objects["share"]
    response = client_as(world, who).get(url(world, "share"))
    assert response.status_code == 200
    text = page_text(response)
    assert world.members["referent"].user.get_full_name() in text
    assert "Référent·e du parcours" in text
    assert world.members["director"].user.get_full_name() in text
    assert share.membership.user.get_full_name() in text
    assert url(world, "share_revoke", share.pk) in text
    # Colleagues to share with: referents and intake staff, never company relations.
    options = response.context["form"].fields["membership"].queryset
    assert set(options) == {world.members["intake"]}
    assert "SECRET" not in text


@pytest.mark.parametrize(
    "who", ["colleague", "other_referent", "intake", "intake_shared", "company_relations"]
)
def test_only_the_referent_and_the_direction_manage_sharing(world, who):
    client = client_as(world, who)
    before = counts()
    assert client.get(url(world, "share")).status_code == 403
    target = world.members["intake"].pk
    assert client.post(url(world, "share"), {"membership": target}).status_code == 403
    share = world.objects["share"]
    assert client.get(url(world, "share_revoke", share.pk)).status_code == 403
    assert client.post(url(world, "share_revoke", share.pk)).status_code == 403
    assert counts() == before


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_get_403(world, who):
    assert client_as(world, who).get(url(world, "share")).status_code == 403


def test_outsider_and_other_school_get_404(world):
    assert client_as(world, "outsider").get(url(world, "share")).status_code == 404
    client = client_as(world, "director")
    assert client.get(url(world, "share", other=True)).status_code == 404
    foreign = world.others["share"]
    assert client.get(url(world, "share_revoke", foreign.pk)).status_code == 404
    before = counts()
    assert client.post(url(world, "share_revoke", foreign.pk)).status_code == 404
    assert counts() == before


# ------------------------------------------------------------------------------- share


def test_share_with_another_referent_lets_them_read_health_content(world):
    colleague = member(world, "other_referent")
    reader = client_as(world, "other_referent")
    assert "SECRET-SANTE" not in page_text(reader.get(url(world, "support")))
    client = client_as(world, "referent")
    response = client.post(url(world, "share"), {"membership": colleague.pk})
    assert response.status_code == 302
    assert response["Location"] == url(world, "share")
    assert RestrictedShare.objects.filter(
        enrolment=world.objects["enrolment"], membership=colleague
    ).exists()
    event = AuditEvent.objects.get(action="restricted.share")
    assert event.changes == {"with": colleague.pk}
    assert "peut désormais lire" in page_text(client.get(response["Location"]))
    assert "SECRET-SANTE" in page_text(reader.get(url(world, "support")))


def test_share_with_intake(world):
    reader = client_as(world, "intake")
    assert "SECRET-CONFIDENTIEL" not in page_text(
        reader.get(url(world, "meeting", world.objects["confidential_meeting"].pk))
    )
    response = client_as(world, "director").post(
        url(world, "share"), {"membership": world.members["intake"].pk}
    )
    assert response.status_code == 302
    assert "SECRET-CONFIDENTIEL" in page_text(
        reader.get(url(world, "meeting", world.objects["confidential_meeting"].pk))
    )


def test_company_relations_read_nothing_even_with_a_share(world):
    client = client_as(world, "company_relations_shared")
    assert "SECRET-SANTE" not in page_text(client.get(url(world, "support")))
    assert "SECRET-DOC-SANTE" not in page_text(client.get(url(world, "documents")))
    meeting = world.objects["confidential_meeting"]
    assert "SECRET-CONFIDENTIEL" not in page_text(client.get(url(world, "meeting", meeting.pk)))
    health = world.objects["health_document"]
    assert client.get(url(world, "document_download", health.pk)).status_code == 404


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("company_relations", "Choisissez une personne de la liste."),
        ("outsider", "Choisissez une personne de la liste."),
        ("referent", "Choisissez une personne de la liste."),  # the enrolment's own referent
        ("colleague", "Choisissez une personne de la liste."),  # already shared
        ("nobody", "Choisissez la personne avec qui partager."),
    ],
)
def test_refused_shares_give_a_french_message_and_write_nothing(world, who, message):
    if who == "nobody":
        data = {}
    elif who == "outsider":
        data = {"membership": world.outsider.pk}
    else:
        data = {"membership": member(world, who).pk}
    before = counts()
    response = client_as(world, "referent").post(url(world, "share"), data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


def test_bogus_membership_id_is_refused(world):
    before = counts()
    response = client_as(world, "referent").post(url(world, "share"), {"membership": "abc"})
    assert response.status_code == 400
    assert "Choisissez une personne de la liste." in page_text(response)
    assert counts() == before


# ------------------------------------------------------------------------------ revoke


@pytest.mark.parametrize("who", ["referent", "director"])
def test_revoke_a_share(world, who):
    share = world.objects["share"]
    colleague = share.membership
    client = client_as(world, who)
    page = client.get(url(world, "share_revoke", share.pk))
    assert page.status_code == 200
    assert colleague.user.get_full_name() in page_text(page)
    assert RestrictedShare.objects.filter(pk=share.pk).exists()  # GET only asks
    response = client.post(url(world, "share_revoke", share.pk))
    assert response.status_code == 302
    assert response["Location"] == url(world, "share")
    assert not RestrictedShare.objects.filter(pk=share.pk).exists()
    event = AuditEvent.objects.get(action="restricted.unshare")
    assert event.changes == {"with": colleague.pk}
    assert event.actor == member(world, who).user
    assert "n'a plus accès" in page_text(client.get(response["Location"]))
    # The colleague reads nothing restricted any more.
    reader = client_as(world, "colleague")
    health = world.objects["health_document"]
    assert reader.get(url(world, "document_download", health.pk)).status_code == 404
    assert "SECRET-SANTE" not in page_text(reader.get(url(world, "support")))


def test_revoking_twice_is_a_404(world):
    share = world.objects["share"]
    client = client_as(world, "referent")
    assert client.post(url(world, "share_revoke", share.pk)).status_code == 302
    assert client.post(url(world, "share_revoke", share.pk)).status_code == 404


def test_share_of_another_enrolment_is_404(world):
    other = EnrolmentFactory(
        school=world.school, site=world.site, referent=world.members["referent"]
    )
    share = world.objects["share"]
    revoke = reverse("pathways:share_revoke", args=[world.school.slug, other.pk, share.pk])
    assert client_as(world, "referent").post(revoke).status_code == 404
    assert RestrictedShare.objects.filter(pk=share.pk).exists()


def test_the_revoke_service_refuses_who_may_not_share(world):
    share = world.objects["share"]
    before = counts()
    with pytest.raises(ValidationError, match="Seuls le référent et la direction"):
        services_sharing.revoke_share(membership=member(world, "other_referent"), share=share)
    with pytest.raises(ValidationError, match="Partage inconnu"):
        services_sharing.revoke_share(membership=world.outsider, share=share)
    assert counts() == before


def test_the_revoke_service_refuses_a_share_already_gone(world):
    share = world.objects["share"]
    services_sharing.revoke_share(membership=world.members["director"], share=share)
    with pytest.raises(ValidationError, match="déjà été retiré"):
        services_sharing.revoke_share(membership=world.members["director"], share=share)
    assert AuditEvent.objects.filter(action="restricted.unshare").count() == 1


# ----------------------------------------------------------- every follow-up URL, every role


@pytest.mark.parametrize("who", EVERYONE)
def test_every_follow_up_url_for_every_role(world, who):
    """The project-wide URL walk (tests/test_url_access.py), on this area's URLs only."""
    client = world.client_for(who)
    patterns = [p for p in project_urls() if p.name in URL_PERMS]
    assert {p.name for p in patterns} == set(URL_PERMS)
    for pattern in patterns:
        target = reverse(pattern.name, kwargs=_kwargs(pattern.name, pattern, world))
        expected = expected_status(pattern.name, pattern.callback, who)
        assert client.get(target).status_code == expected, f"{who} GET {target}"
        if who in ("director", "referent"):
            other = reverse(pattern.name, kwargs=_kwargs(pattern.name, pattern, world, other=True))
            assert client.get(other).status_code == 404, f"{who} GET {other}"
