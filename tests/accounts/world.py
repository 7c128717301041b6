"""Objects of the account and staff screens in the test world, for both schools."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from ..factories import MembershipFactory, UserFactory


def _former_member(school, email: str):
    """A member who left in 2000 (their account is deactivated): the reactivation page."""
    return MembershipFactory(
        user=UserFactory(email=email, last_name="Ancienmembre", is_active=False),
        school=school,
        role="intake",
        active_from=datetime.date(2000, 1, 1),
        active_until=datetime.date(2000, 6, 30),
    )


def build_accounts_world(world) -> None:
    world.objects["active_member"] = world.members["intake"]
    world.others["active_member"] = world.outsider
    world.objects["former_member"] = _former_member(world.school, "ancien-membre@alpha.example.org")
    world.others["former_member"] = _former_member(
        world.other_school, "ancien-membre@beta.example.org"
    )
    # A password reset link that is not valid (the page then says so).
    link = SimpleNamespace(uidb64="MTIzNDU", token="lien-expire")
    world.objects["reset_link"] = world.others["reset_link"] = link
