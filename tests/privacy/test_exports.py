"""Exports of the "Protection des données" page's lists (director only): the people to
anonymise, the legal holds in force and the runs of the anonymisation — every row, the page's
columns, audited."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from parcours.privacy.models import LegalHold, RetentionRun
from tests.factories import PersonFactory, ReferralFactory

from ..export_checks import csv_rows, events, midnight, query_count, url, xlsx_rows, xlsx_sheet
from ..utils import page_text

pytestmark = pytest.mark.django_db

OLD = datetime.date(2019, 1, 10)
EXPORTS = {
    "privacy:home_export": "export.retention_due",
    "privacy:holds_export": "export.legal_holds",
    "privacy:runs_export": "export.retention_runs",
}


def due_people(world, count: int, *, day=OLD, prefix="Ancien") -> list:
    people = []
    for n in range(count):
        person = PersonFactory(school=world.school, last_name=f"{prefix}{n:02d}", first_name="Kim")
        ReferralFactory(school=world.school, person=person, received_on=day)
        people.append(person)
    return people


def test_due_export_lists_every_person_due_with_the_last_contact(world):
    client = world.client_for("director")
    already = xlsx_rows(client.get(url("privacy:home_export")))[1:]  # the world's own
    due_people(world, 2)
    due_people(world, 1, day=datetime.date(2018, 6, 1), prefix="Plusancien")
    recent = PersonFactory(school=world.school, last_name="Recent")
    ReferralFactory(school=world.school, person=recent, received_on=timezone.localdate())
    response = client.get(url("privacy:home_export"))
    assert 'filename="a-anonymiser-e2c-alpha-' in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert rows[0] == ("Nom", "Prénom", "Dernier contact")
    # Oldest contact first, as on the page; the recent contact is not due.
    assert sorted(rows[1:], key=lambda row: row[2]) == rows[1:]
    assert [row for row in rows[1:] if row not in already] == [
        ("Plusancien00", "Kim", datetime.datetime(2018, 6, 1)),
        ("Ancien00", "Kim", midnight(OLD)),
        ("Ancien01", "Kim", midnight(OLD)),
    ]
    assert xlsx_sheet(client.get(url("privacy:home_export"))).cell(row=2, column=3).is_date
    # The page counts the same people.
    count = len(rows) - 1
    assert f"{count} personnes à anonymiser" in page_text(client.get(url("privacy:home")))
    assert [event.changes["rows"] for event in events("export.retention_due")] == [
        count - 3,
        count,
        count,
    ]
    assert events("export.retention_due")[1].changes == {
        "rows": count,
        "format": "xlsx",
        "filters": {},
    }


def test_due_export_has_every_page(world):
    client = world.client_for("director")
    already = len(csv_rows(client.get(url("privacy:home_export", format="csv"))))
    due_people(world, 55)
    rows = csv_rows(client.get(url("privacy:home_export", format="csv")))
    assert len(rows) == already + 55
    assert ["Ancien00", "Kim", "10/01/2019"] in rows


def test_holds_export_mirrors_the_page(world):
    director = world.members["director"].user
    (person,) = due_people(world, 1)
    LegalHold.objects.create(
        school=world.school, person=person, reason="Contentieux prud'homal", placed_by=director
    )
    lifted = LegalHold.objects.create(
        school=world.school,
        person=due_people(world, 1, prefix="Leve")[0],
        reason="Motif levé",
        placed_by=director,
        lifted_by=director,
        lifted_at=timezone.now(),
    )
    client = world.client_for("director")
    rows = xlsx_rows(client.get(url("privacy:holds_export")))
    today = midnight(timezone.localdate())
    world_person = world.objects["privacy_person"]
    by = director.get_full_name()
    assert rows == [
        ("Nom", "Prénom", "Motif", "Posée le", "Par"),
        ("Ancien00", "Kim", "Contentieux prud'homal", today, by),
        (world_person.last_name, world_person.first_name, "Réquisition judiciaire", today, by),
    ]
    text = page_text(client.get(url("privacy:home")))
    assert "Contentieux prud'homal" in text and lifted.reason not in text
    # Another school's holds are not there (its reason is the world's: count them).
    assert sum(row[2] == "Réquisition judiciaire" for row in rows) == 1
    (event,) = events("export.legal_holds")
    assert event.changes["rows"] == 2
    assert "Contentieux" not in str(event.changes)


def test_runs_export(world):
    started = timezone.make_aware(datetime.datetime(2026, 1, 5, 2, 30))
    RetentionRun.objects.create(
        school=world.school,
        started_at=started,
        as_of=datetime.date(2026, 1, 5),
        retention_years=2,
        anonymised=7,
        skipped_held=1,
        registrations=3,
        errors=0,
    )
    RetentionRun.objects.create(
        school=world.other_school,
        started_at=started,
        as_of=datetime.date(2026, 1, 5),
        retention_years=4,
        anonymised=99,
    )
    rows = xlsx_rows(world.client_for("director").get(url("privacy:runs_export")))
    assert rows == [
        (
            "Date",
            "Durée appliquée (ans)",
            "Anonymisées",
            "Reportées (motif légal)",
            "Inscriptions sans candidature anonymisées",
            "Erreurs",
        ),
        (datetime.datetime(2026, 1, 5, 2, 30), 2, 7, 1, 3, 0),
    ]


@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_bad_format_is_refused_in_french(world, export):
    response = world.client_for("director").get(url(export, format="json"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert events(EXPORTS[export]) == []


@pytest.mark.parametrize("export", sorted(EXPORTS))
@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("referent", 403), ("intake", 403), ("funder", 403), ("outsider", 404)],
)
def test_access(world, export, who, status):
    assert world.client_for(who).get(url(export)).status_code == status
    assert len(events(EXPORTS[export])) == (1 if status == 200 else 0)


def test_query_count_does_not_grow(world):
    client = world.client_for("director")
    director = world.members["director"].user
    addresses = [url(export, format="csv") for export in sorted(EXPORTS)]

    def add(n, prefix):
        for person in due_people(world, n, prefix=prefix):
            LegalHold.objects.create(
                school=world.school, person=person, reason="Litige", placed_by=director
            )
        due_people(world, n, prefix=f"{prefix}libre")

    add(3, "Peu")
    few = [query_count(client, address) for address in addresses]
    add(20, "Beaucoup")
    assert len(xlsx_rows(client.get(url("privacy:holds_export")))) == 1 + 1 + 23
    assert [query_count(client, address) for address in addresses] == few


def test_the_page_has_the_export_buttons(world):
    due_people(world, 1)
    RetentionRun.objects.create(
        school=world.school, started_at=timezone.now(), as_of=OLD, retention_years=2
    )
    text = page_text(world.client_for("director").get(url("privacy:home")))
    for export in EXPORTS:
        assert f'href="{url(export)}?format=xlsx"' in text
