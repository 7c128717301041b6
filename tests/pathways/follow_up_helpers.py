"""Helpers of the follow-up tests (meetings, support, documents, sharing)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.organisations.models import Membership
from parcours.pathways.models import Document, Meeting, RestrictedShare, SupportAction

from ..factories import MembershipFactory, UserFactory
from ..utils import login_client

#: Who reads the enrolment's restricted sections, and who does not (see ``member``).
MAY_READ = ["referent", "director", "colleague", "intake_shared"]
MAY_NOT_READ = ["other_referent", "intake", "company_relations", "company_relations_shared"]


def login(membership: Membership) -> Client:
    client = Client()
    login_client(client, membership.user)
    return client


def member(world, who: str) -> Membership:
    """A member of the world's school, by role or by situation towards the enrolment (the same
    one when asked again).

    ``colleague``: the referent the world already shared the restricted sections with;
    ``other_referent``: a referent of the school without any share; ``intake_shared`` and
    ``company_relations_shared``: those roles with a share row (the second one must still
    read nothing: company relations never do).
    """
    enrolment = world.objects["enrolment"]
    if who == "colleague":
        return world.objects["share"].membership
    if who == "other_referent":
        user = UserFactory(email="autre.referent@alpha.example.org", last_name="Autre")
        existing = Membership.objects.filter(user=user, school=world.school).first()
        return existing or MembershipFactory(school=world.school, role="referent", user=user)
    if who in ("intake_shared", "company_relations_shared"):
        membership = world.members[who.removesuffix("_shared")]
        RestrictedShare.objects.get_or_create(
            school=world.school,
            enrolment=enrolment,
            membership=membership,
            defaults={"granted_by": world.members["director"].user},
        )
        return membership
    return world.members[who]


def client_as(world, who: str) -> Client:
    if who in ("outsider", "anonymous"):
        return world.client_for(who)
    return login(member(world, who))


def url(world, name: str, *args, other: bool = False) -> str:
    school = world.school
    enrolment = (world.others if other else world.objects)["enrolment"]
    return reverse(f"pathways:{name}", args=[school.slug, enrolment.pk, *args])


def counts() -> dict[str, int]:
    """Rows that a refused write must leave as they were."""
    return {
        "meetings": Meeting.objects.count(),
        "actions": SupportAction.objects.count(),
        "documents": Document.objects.count(),
        "shares": RestrictedShare.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
