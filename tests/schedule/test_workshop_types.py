"""The school's workshop types: list, add, rename, in or out of use, computers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.schedule import services_settings
from parcours.schedule.models import DEFAULT_WORKSHOP_TYPES, WorkshopType

from ..utils import page_text

pytestmark = pytest.mark.django_db

URL = reverse("schedule:workshop_types", args=["e2c-alpha"])


def snapshot(world) -> tuple:
    return (
        list(WorkshopType.objects.order_by("pk").values_list("name", "active", "needs_computers")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("referent", 403), ("intake", 403), ("funder", 403), ("outsider", 404)],
)
def test_access(world, who, status):
    before = snapshot(world)
    response = world.client_for(who).get(URL)
    assert response.status_code == status
    if status == 200:
        text = page_text(response)
        assert all(name in text for name, _ in DEFAULT_WORKSHOP_TYPES)
    response = world.client_for(who).post(URL, {"action": "add", "add-name": "Théâtre"})
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert snapshot(world) == before


def test_settings_hub_links_here(world):
    response = world.client_for("director").get(
        reverse("organisations:settings", args=["e2c-alpha"])
    )
    assert URL in page_text(response)


def test_add_rename_deactivate_and_computers(world):
    client = world.client_for("director")
    response = client.post(
        URL, {"action": "add", "add-name": "  Bureautique ", "add-needs_computers": "on"}
    )
    assert response.status_code == 302
    added = WorkshopType.objects.get(school=world.school, name="Bureautique")
    assert added.needs_computers and added.active
    response = client.post(
        URL, {"action": "rename", "workshop_type": added.pk, "name": "Bureautique avancée"}
    )
    assert response.status_code == 302
    response = client.post(URL, {"action": "active", "workshop_type": added.pk, "active": "0"})
    assert response.status_code == 302
    response = client.post(
        URL, {"action": "computers", "workshop_type": added.pk, "needs_computers": "0"}
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.name, added.active, added.needs_computers) == (
        "Bureautique avancée",
        False,
        False,
    )
    actions = list(
        AuditEvent.objects.filter(object_id=str(added.pk), action__startswith="workshop_type.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "workshop_type.create",
        "workshop_type.rename",
        "workshop_type.active",
        "workshop_type.needs_computers",
    ]


def test_refusals(world):
    client = world.client_for("director")
    before = snapshot(world)
    response = client.post(URL, {"action": "add", "add-name": "numérique"})
    assert response.status_code == 400
    assert "L'école a déjà un atelier « numérique »." in page_text(response)
    response = client.post(URL, {"action": "add", "add-name": ""})
    assert response.status_code == 400
    assert "Indiquez le nom de l'atelier." in page_text(response)
    other_type = world.others["workshop_type"]
    response = client.post(URL, {"action": "rename", "workshop_type": other_type.pk, "name": "X"})
    assert response.status_code == 400
    assert "Cet atelier n'est pas un atelier de l'école." in page_text(response)
    response = client.post(URL, {"action": "explode"})
    assert response.status_code == 400
    assert snapshot(world) == before


def test_the_last_workshop_in_use_stays(world):
    director = world.members["director"]
    types = list(WorkshopType.objects.filter(school=world.school))
    for workshop_type in types[1:]:
        services_settings.set_workshop_type_active(
            membership=director, workshop_type=workshop_type, active=False
        )
    with pytest.raises(ValidationError, match="au moins un atelier en usage"):
        services_settings.set_workshop_type_active(
            membership=director, workshop_type=types[0], active=False
        )
    assert WorkshopType.objects.get(pk=types[0].pk).active


def test_an_inactive_workshop_is_not_offered_for_new_sessions(world):
    numerique = WorkshopType.objects.get(school=world.school, name="Numérique")
    services_settings.set_workshop_type_active(
        membership=world.members["director"], workshop_type=numerique, active=False
    )
    response = world.client_for("director").get(reverse("schedule:session_new", args=["e2c-alpha"]))
    assert "Numérique" not in page_text(response)
