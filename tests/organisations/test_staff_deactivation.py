"""A director deactivates a member at once (and reactivates them) from the staff page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.organisations.models import Membership

from ..factories import MembershipFactory, UserFactory
from ..utils import login_client, page_text

pytestmark = pytest.mark.django_db


def _url(world, name, pk):
    return reverse(f"organisations:{name}", args=[world.school.slug, pk])


def test_staff_page_offers_deactivation_to_the_director_only(world):
    intake = world.members["intake"]
    director_page = page_text(world.client_for("director").get(f"/e/{world.school.slug}/equipe/"))
    assert _url(world, "staff_deactivate", intake.pk) in director_page
    own = _url(world, "staff_deactivate", world.members["director"].pk)
    assert own not in director_page  # not oneself
    assert "Comptes désactivés" in director_page
    referent_page = page_text(world.client_for("referent").get(f"/e/{world.school.slug}/equipe/"))
    assert "Désactiver" not in referent_page and "Comptes désactivés" not in referent_page


@pytest.mark.parametrize(
    ("who", "status"), [("director", 200), ("referent", 403), ("outsider", 404)]
)
def test_deactivation_page_access(world, who, status):
    member = world.members["intake"]
    client = world.client_for(who)
    assert client.get(_url(world, "staff_deactivate", member.pk)).status_code == status
    response = client.post(_url(world, "staff_deactivate", member.pk))
    assert response.status_code == (302 if who == "director" else status)
    member.refresh_from_db()
    assert (member.active_until is not None) is (who == "director")


def test_another_schools_member_is_404(world):
    client = world.client_for("director")
    response = client.post(_url(world, "staff_deactivate", world.outsider.pk))
    assert response.status_code == 404
    world.outsider.refresh_from_db()
    assert world.outsider.active_until is None


def test_deactivation_ends_access_and_the_open_session_at_once(world):
    member = world.members["intake"]
    victim = world.client_for("intake")
    assert victim.get(f"/e/{world.school.slug}/").status_code == 200
    director = world.client_for("director")
    confirm = director.get(_url(world, "staff_deactivate", member.pk))
    assert "ses sessions ouvertes sont fermées" in page_text(confirm).replace("toutes ", "")
    response = director.post(_url(world, "staff_deactivate", member.pk), follow=True)
    assert "est désactivé·e" in page_text(response)
    member.refresh_from_db()
    today = timezone.localdate()
    assert member.active_until == today - datetime.timedelta(days=1)
    assert not Membership.objects.active_on(today).filter(pk=member.pk).exists()
    member.user.refresh_from_db()
    assert not member.user.is_active  # no other membership
    # The open session is refused on its next request.
    response = victim.get(f"/e/{world.school.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action="membership.deactivate")
    assert event.school == world.school and event.object_id == str(member.pk)
    assert event.actor == world.members["director"].user
    assert event.changes["account_active"] is False
    # Listed among the deactivated accounts, with a way back.
    page = page_text(director.get(f"/e/{world.school.slug}/equipe/"))
    assert _url(world, "staff_reactivate", member.pk) in page


def test_a_member_of_another_school_keeps_their_account(world):
    member = world.members["referent"]
    MembershipFactory(user=member.user, school=world.other_school, role="referent")
    world.client_for("director").post(_url(world, "staff_deactivate", member.pk))
    member.user.refresh_from_db()
    assert member.user.is_active
    assert login_client(Client(), member.user).get(f"/e/{world.school.slug}/").status_code == 404


def test_a_membership_that_started_today_is_ended_too(world):
    member = MembershipFactory(school=world.school, role="intake", active_from=timezone.localdate())
    world.client_for("director").post(_url(world, "staff_deactivate", member.pk))
    member.refresh_from_db()
    assert member.active_until == member.active_from < timezone.localdate()


def test_the_director_cannot_deactivate_themself(world):
    director = world.members["director"]
    client = world.client_for("director")
    response = client.post(_url(world, "staff_deactivate", director.pk))
    assert response.status_code == 400
    assert "Vous ne pouvez pas désactiver votre propre compte." in page_text(response)
    director.refresh_from_db()
    assert director.active_until is None
    assert not AuditEvent.objects.filter(action="membership.deactivate").exists()
    assert client.get(f"/e/{world.school.slug}/").status_code == 200


def test_reactivation(world):
    former = world.objects["former_member"]
    client = world.client_for("director")
    assert "Réactiver" in page_text(client.get(_url(world, "staff_reactivate", former.pk)))
    assert (
        world.client_for("referent").post(_url(world, "staff_reactivate", former.pk)).status_code
        == 403
    )
    assert (
        client.post(_url(world, "staff_reactivate", world.others["former_member"].pk)).status_code
        == 404
    )
    response = client.post(_url(world, "staff_reactivate", former.pk))
    assert response.status_code == 302
    former.refresh_from_db()
    former.user.refresh_from_db()
    assert former.active_until is None and former.user.is_active
    assert AuditEvent.objects.filter(action="membership.reactivate").count() == 1
    # An active member cannot be "reactivated".
    assert client.get(_url(world, "staff_reactivate", former.pk)).status_code == 404


def test_an_administration_account_is_never_closed_nor_opened_by_a_director(world):
    from parcours.organisations import services_staff

    director = world.members["director"]
    admin_member = MembershipFactory(
        user=UserFactory(email="admin-tech@alpha.example.org", is_staff=True),
        school=world.school,
        role="intake",
    )
    services_staff.deactivate_member(membership=director, member=admin_member)
    admin_member.user.refresh_from_db()
    assert admin_member.user.is_active  # the membership ends, the admin account stays
    admin_member.user.is_active = False
    admin_member.user.save(update_fields=["is_active"])
    services_staff.reactivate_member(membership=director, member=admin_member)
    admin_member.user.refresh_from_db()
    assert not admin_member.user.is_active  # switched off by the administration: stays off
