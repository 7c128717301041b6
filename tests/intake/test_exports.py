"""XLSX/CSV exports of the intake lists: candidacies (with the list's filters), information
sessions, one session's registrations, and the prescriber's « Mes orientations » (status and
dates only: never notes, reasons or anything internal to the school)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.intake import selectors
from parcours.intake.models import Outcome, RegistrationStatus, Stage
from parcours.pathways import exports

from ..export_checks import (
    all_text,
    csv_rows,
    events,
    midnight,
    query_count,
    url,
    xlsx_rows,
    xlsx_sheet,
)
from ..factories import (
    DecisionFactory,
    InfoSessionFactory,
    InterviewFactory,
    MembershipFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)
from ..utils import page_text
from .referral_data import fresh_referral

pytestmark = pytest.mark.django_db

SLUG = "e2c-alpha"
NOTES = "NOTE-INTERNE-ENTRETIEN"
REASON = "MOTIF-ORIENTATION-INTERNE"
DECISION_REASON = "MOTIF-DECISION-INTERNE"
OVERRIDE = "DEROGATION-INTERNE"


def _url(name: str, *args, **params) -> str:
    return url(f"intake:{name}", *args, slug=SLUG, **params)


def _hour(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.hour}h{local.minute:02d}"


# ------------------------------------------------------------------------------ candidacies

REFERRAL_HEADERS = [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Prescripteur",
    "Reçue le",
    "Étape",
    "Décision",
]


@pytest.fixture
def candidacies(world):
    spontaneous = fresh_referral(
        world,
        person=PersonFactory(
            school=world.school,
            last_name="Spontanée",
            first_name="Lina",
            birth_date=datetime.date(2005, 3, 4),
        ),
        prescriber=None,
        adviser=None,
        received_on=datetime.date(2024, 3, 1),
        reason=REASON,
    )
    refused = fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="Refusé", first_name="Noé"),
        received_on=datetime.date(2023, 11, 2),
        stage=Stage.DECISION,
        outcome=Outcome.REFUSED,
    )
    return {"spontaneous": spontaneous, "refused": refused}


def test_referral_export_has_the_list_columns_and_rows(world, candidacies):
    response = world.client_for("intake").get(_url("referrals_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[exports.Format.XLSX]
    assert "candidatures-e2c-alpha-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == REFERRAL_HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Spontanée"] == (
        "Spontanée", "Lina", datetime.datetime(2005, 3, 4), "Candidature spontanée",
        datetime.datetime(2024, 3, 1), "Orienté·e", None,
    )  # fmt: skip
    assert by_name["Candidate2c-alpha"] == (
        "Candidate2c-alpha", "Yanis", datetime.datetime(2000, 5, 17), "Mission Locale Alpha",
        datetime.datetime(2024, 1, 10), "Décision", "Admis·e",
    )  # fmt: skip
    assert by_name["Refusé"][5:] == ("Décision", "Refusé·e")
    # Every candidacy of the school, in the list's order (latest received first).
    expected = [r.person.last_name for r in selectors.referrals_for(world.members["intake"])]
    assert [row[0] for row in rows[1:]] == expected
    assert "Candidate2c-beta" not in expected
    # Never the reason of the referral, nor interview notes.
    text = all_text(response)
    assert REASON not in text
    assert "Motivation solide" not in text  # the world's interview notes
    assert events("export.referrals")[-1].changes == {
        "rows": len(expected),
        "format": "xlsx",
        "filters": {},
    }


def test_referral_export_dates_are_date_cells(world, candidacies):
    sheet = xlsx_sheet(world.client_for("intake").get(_url("referrals_export", q="Spontanée")))
    for column in (3, 5):
        cell = sheet.cell(row=2, column=column)
        assert cell.is_date and cell.number_format == "DD/MM/YYYY"


def test_referral_export_follows_the_list_filters(world, candidacies):
    client = world.client_for("director")
    rows = csv_rows(client.get(_url("referrals_export", format="csv", prescriber="spontaneous")))
    assert rows[0] == REFERRAL_HEADERS
    assert [row[0] for row in rows[1:]] == ["Spontanée"]
    assert rows[1][2] == "04/03/2005"
    rows = csv_rows(client.get(_url("referrals_export", format="csv", outcome="refused")))
    assert [row[0] for row in rows[1:]] == ["Refusé"]
    rows = csv_rows(client.get(_url("referrals_export", format="csv", q="lina")))
    assert [row[0] for row in rows[1:]] == ["Spontanée"]
    prescriber = world.prescriber_partner.pk
    rows = csv_rows(
        client.get(_url("referrals_export", format="csv", stage="decision", prescriber=prescriber))
    )
    assert sorted(row[0] for row in rows[1:]) == ["Candidate2c-alpha", "Refusé"]
    assert events("export.referrals")[-1].changes["filters"] == {
        "stage": "decision",
        "prescriber": prescriber,
    }
    client.get(_url("referrals_export", q="lina", outcome="none"))
    assert events("export.referrals")[-1].changes["filters"] == {
        "outcome": "none",
        "search": True,
    }


def test_referral_export_has_every_page(world):
    for i in range(55):
        fresh_referral(world, person=PersonFactory(school=world.school, last_name=f"Lot{i:03d}"))
    rows = xlsx_rows(world.client_for("director").get(_url("referrals_export", q="Lot")))
    assert len(rows) == 1 + 55
    assert events("export.referrals")[-1].changes["rows"] == 55


def test_referral_export_refuses_bad_filters_and_writes_nothing(world, candidacies):
    response = world.client_for("director").get(_url("referrals_export", stage="nimporte"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Corrigez les filtres avant d'exporter : rien n'a été exporté." in page_text(response)
    assert events("export.referrals") == []


def test_referral_export_refuses_an_unknown_format(world):
    response = world.client_for("director").get(_url("referrals_export", format="ods"))
    assert response.status_code == 400
    assert "Format d'export inconnu : choisissez XLSX ou CSV." in page_text(response)
    assert events("export.referrals") == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("intake", 200),
        ("referent", 200),
        ("company_relations", 403),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_referral_export_access(world, who, status):
    assert world.client_for(who).get(_url("referrals_export")).status_code == status
    assert len(events("export.referrals")) == (1 if status == 200 else 0)


def test_referral_export_query_count_is_constant(world):
    client = world.client_for("director")
    for _ in range(3):
        fresh_referral(world)
    few = query_count(client, _url("referrals_export"))
    for _ in range(20):
        fresh_referral(world, adviser=None)
    assert query_count(client, _url("referrals_export")) == few


def test_formulas_in_names_are_neutralised(world):
    fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="=1+2", first_name="@SOMME(A1)"),
    )
    client = world.client_for("director")
    for rows in (
        xlsx_rows(client.get(_url("referrals_export", q="=1+2"))),
        csv_rows(client.get(_url("referrals_export", format="csv", q="=1+2"))),
    ):
        assert rows[1][0] == "'=1+2"
        assert rows[1][1] == "'@SOMME(A1)"


def test_list_and_board_link_to_the_export(world):
    client = world.client_for("intake")
    text = client.get(_url("referrals", stage="decision")).content.decode()
    export = _url("referrals_export")
    assert f'href="{export}?stage=decision&amp;format=xlsx"' in text
    assert f'href="{export}?stage=decision&amp;format=csv"' in text
    board = client.get(_url("board")).content.decode()
    assert f'href="{export}?format=xlsx"' in board


# -------------------------------------------------------------------- information sessions

SESSION_HEADERS = [
    "Date",
    "Début",
    "Fin",
    "Site",
    "Salle",
    "Places",
    "Inscrit·es",
    "Liste d'attente",
    "Présent·es",
    "État",
]


def test_session_list_export_has_counts_and_states(world):
    upcoming, past = world.objects["info_session"], world.objects["past_info_session"]
    past.registrations.update(attended=True)
    cancelled = InfoSessionFactory(school=world.school, site=world.site, room=world.room)
    cancelled.cancelled = True
    cancelled.save()
    full = InfoSessionFactory(
        school=world.school,
        site=world.site,
        capacity=1,
        starts_at=upcoming.starts_at + datetime.timedelta(days=1),
        ends_at=upcoming.ends_at + datetime.timedelta(days=1),
    )
    RegistrationFactory(session=full, school=world.school)
    RegistrationFactory(session=full, school=world.school, status=RegistrationStatus.WAITLIST)
    response = world.client_for("referent").get(_url("sessions_export"))
    assert response.status_code == 200
    assert "informations-collectives-e2c-alpha-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == SESSION_HEADERS

    def day(session):
        return midnight(timezone.localtime(session.starts_at).date())

    def times(session):
        return (_hour(session.starts_at), _hour(session.ends_at))

    assert rows[1:] == [
        (day(upcoming), *times(upcoming), "Site Alpha", None, 12, 1, 0, None, "À venir"),
        (day(cancelled), *times(cancelled), "Site Alpha", "Salle Alpha", 12, 0, 0, None,
         "Annulée"),
        (day(full), *times(full), "Site Alpha", None, 1, 1, 1, None, "Complète"),
        (datetime.datetime(2024, 1, 15), "9h00", "11h00", "Site Alpha", None, 12, 1, 0, 1,
         "Passée"),
    ]  # fmt: skip
    assert events("export.info_sessions")[-1].changes["rows"] == 4


@pytest.mark.parametrize(
    ("who", "status"),
    [("intake", 200), ("referent", 200), ("company_relations", 403), ("outsider", 404)],
)
def test_session_list_export_access(world, who, status):
    assert world.client_for(who).get(_url("sessions_export")).status_code == status
    assert len(events("export.info_sessions")) == (1 if status == 200 else 0)


def test_session_list_export_refuses_an_unknown_format(world):
    response = world.client_for("intake").get(_url("sessions_export", format="docx"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    assert "Informations collectives" in page_text(response)
    assert events("export.info_sessions") == []


def test_session_list_export_query_count_is_constant(world):
    client = world.client_for("intake")
    few = query_count(client, _url("sessions_export"))
    for i in range(20):
        session = InfoSessionFactory(
            school=world.school,
            site=world.site,
            room=world.room if i % 2 else None,
            starts_at=timezone.now() + datetime.timedelta(days=30 + i),
            ends_at=timezone.now() + datetime.timedelta(days=30 + i, hours=2),
        )
        RegistrationFactory(session=session, school=world.school)
    assert query_count(client, _url("sessions_export")) == few


# ------------------------------------------------------------------ one session's registrations

REGISTRATION_HEADERS = [
    "Nom",
    "Prénom",
    "E-mail",
    "Téléphone",
    "Orienté·e par",
    "Candidature reçue le",
    "Statut",
    "Inscription en ligne",
    "Présence",
    "Inscrit·e le",
]


@pytest.fixture
def full_session(world):
    session = InfoSessionFactory(school=world.school, site=world.site, capacity=1)
    referral = world.objects["referral"]
    RegistrationFactory(
        session=session,
        school=world.school,
        last_name="Première",
        first_name="Ana",
        email="",
        phone="+33612345678",
        referral=referral,
    )
    for name in ("Attente1", "Attente2"):
        RegistrationFactory(
            session=session,
            school=world.school,
            last_name=name,
            status=RegistrationStatus.WAITLIST,
            from_public_agenda=True,
            prescriber_name="Mission Locale du coin",
        )
    RegistrationFactory(
        session=session, school=world.school, last_name="Annulée", status="cancelled"
    )
    return session


def test_registrations_export_lists_the_session_page_rows(world, full_session):
    response = world.client_for("intake").get(_url("session_export", full_session.pk))
    assert response.status_code == 200
    day = timezone.localtime(full_session.starts_at).date().isoformat()
    assert f"inscriptions-{day}-e2c-alpha-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == REGISTRATION_HEADERS
    created = midnight(timezone.localdate())
    assert rows[1] == (
        "Première", "Ana", None, "06 12 34 56 78", None, datetime.datetime(2024, 1, 10),
        "Inscrit·e", "Non", None, created,
    )  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["Première", "Attente1", "Attente2", "Annulée"]
    assert [row[6] for row in rows[1:]] == [
        "Inscrit·e",
        "Liste d'attente, position 1",
        "Liste d'attente, position 2",
        "Annulée",
    ]
    assert rows[2][2].startswith("inscrite") and rows[2][4] == "Mission Locale du coin"
    assert rows[2][7] == "Oui"
    event = events("export.session_registrations")[-1]
    assert event.changes == {
        "rows": 4,
        "format": "xlsx",
        "filters": {"session": full_session.pk},
    }


def test_registrations_export_shows_attendance_once_the_session_started(world):
    past = world.objects["past_info_session"]
    past.registrations.update(attended=False)
    rows = csv_rows(world.client_for("director").get(_url("session_export", past.pk, format="csv")))
    assert rows[0] == REGISTRATION_HEADERS
    assert rows[1][8] == "Absent·e"
    assert rows[1][5] == "10/01/2024"  # the candidacy's date


@pytest.mark.parametrize(
    ("who", "status"),
    # Stricter than the page (VIEW_CANDIDATES): contact details in bulk, intake team only.
    [("intake", 200), ("director", 200), ("referent", 403), ("prescriber", 403), ("outsider", 404)],
)
def test_registrations_export_access(world, who, status):
    session = world.objects["info_session"]
    assert world.client_for(who).get(_url("session_export", session.pk)).status_code == status
    assert len(events("export.session_registrations")) == (1 if status == 200 else 0)


def test_registrations_export_of_another_schools_session_is_404(world):
    other = world.others["info_session"]
    response = world.client_for("intake").get(_url("session_export", other.pk))
    assert response.status_code == 404
    assert events("export.session_registrations") == []


def test_registrations_export_refuses_an_unknown_format(world, full_session):
    response = world.client_for("intake").get(_url("session_export", full_session.pk, format="x"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Format d'export inconnu" in text and "PREMIÈRE Ana" in text  # the session's page
    assert events("export.session_registrations") == []


def test_session_page_links_to_its_export_for_the_intake_team_only(world, full_session):
    export = _url("session_export", full_session.pk)
    page = _url("session", full_session.pk)
    assert f'href="{export}?format=xlsx"' in world.client_for("intake").get(page).content.decode()
    assert export not in world.client_for("referent").get(page).content.decode()


def test_registrations_export_query_count_is_constant(world):
    session = InfoSessionFactory(school=world.school, site=world.site, capacity=50)
    client = world.client_for("intake")
    url = _url("session_export", session.pk)
    for _ in range(3):
        RegistrationFactory(session=session, school=world.school, referral=fresh_referral(world))
    few = query_count(client, url)
    for _ in range(20):
        RegistrationFactory(session=session, school=world.school, referral=fresh_referral(world))
    assert query_count(client, url) == few


# ------------------------------------------------------------------ the prescriber's export

MY_HEADERS = ["Nom", "Prénom", "Reçue le", "Statut", "Mise à jour le"]


@pytest.fixture
def followed(world):
    """The world's referral (admitted) carries internal notes everywhere; another referral of the
    same prescriber is only received; a colleague's referral is not the prescriber's."""
    referral = world.objects["referral"]
    referral.reason = REASON
    referral.save()
    InterviewFactory(
        referral=referral,
        school=world.school,
        notes=NOTES,
        interviewer=world.members["intake"],
        created_by=world.members["intake"].user,
    )
    DecisionFactory(
        referral=referral,
        school=world.school,
        site=world.site,
        reason=DECISION_REASON,
        override_reason=OVERRIDE,
        decided_on=datetime.date(2024, 2, 1),
        planned_entry_date=datetime.date(2024, 3, 4),
    )
    received = fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="Reçue", first_name="Maëlle"),
        received_on=datetime.date(2024, 5, 6),
        reason=REASON,
    )
    colleague = MembershipFactory(
        user=UserFactory(email="collegue@ml.example.org"),
        school=world.school,
        role="prescriber",
        partner=world.prescriber_partner,
    )
    fresh_referral(
        world,
        person=PersonFactory(school=world.school, last_name="Collègue"),
        adviser=colleague,
    )
    return {"admitted": referral, "received": received}


def test_prescriber_export_carries_exactly_the_page(world, followed):
    client = world.client_for("prescriber")
    response = client.get(_url("my_referrals_export"))
    assert response.status_code == 200
    assert "mes-orientations-e2c-alpha-" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    assert list(rows[0]) == MY_HEADERS
    today = midnight(timezone.localdate())
    assert rows[1:] == [
        ("Reçue", "Maëlle", datetime.datetime(2024, 5, 6), "Orientation reçue", today),
        ("Candidate2c-alpha", "Yanis", datetime.datetime(2024, 1, 10),
         "Admis·e — entrée prévue le 04/03/2024", today),
    ]  # fmt: skip
    # The page shows the same statuses.
    page = page_text(client.get(_url("my_referrals")))
    assert "Admis·e — entrée prévue le 04/03/2024" in page and "Orientation reçue" in page
    assert events("export.my_referrals")[-1].changes["rows"] == 2


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_prescriber_export_never_carries_notes_reasons_or_internal_fields(world, followed, fmt):
    response = world.client_for("prescriber").get(_url("my_referrals_export", format=fmt))
    if fmt == "csv":
        text = "\n".join(";".join(row) for row in csv_rows(response))
    else:
        text = all_text(response)
    for secret in (NOTES, REASON, DECISION_REASON, OVERRIDE, "Motivation solide"):
        assert secret not in text
    # Nor the school's internal data: birth date, contact, stage names, site, staff, others.
    person = followed["admitted"].person
    assert person.email not in text
    assert "17/05/2000" not in text and "2000-05-17" not in text
    assert "Site Alpha" not in text
    assert world.members["intake"].user.last_name not in text
    assert "Collègue" not in text
    assert "Décision" not in text  # the stage's name (the status says « Admis·e »)


@pytest.mark.parametrize(
    ("who", "status"),
    [("prescriber", 200), ("director", 403), ("intake", 403), ("funder", 403), ("outsider", 404)],
)
def test_prescriber_export_access(world, who, status):
    assert world.client_for(who).get(_url("my_referrals_export")).status_code == status
    assert len(events("export.my_referrals")) == (1 if status == 200 else 0)


def test_prescriber_export_refuses_an_unknown_format(world):
    response = world.client_for("prescriber").get(_url("my_referrals_export", format="pdf"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Format d'export inconnu" in text and "Mes orientations" in text
    assert events("export.my_referrals") == []


def test_prescriber_export_query_count_is_constant(world):
    client = world.client_for("prescriber")
    few = query_count(client, _url("my_referrals_export"))
    for _ in range(20):
        referral = fresh_referral(world)
        DecisionFactory(referral=referral, school=world.school, site=world.site)
    assert query_count(client, _url("my_referrals_export")) == few


def test_a_post_to_the_registrations_export_registers_nobody(world):
    session = world.objects["info_session"]
    referral = fresh_referral(world)
    before = session.registrations.count()
    response = world.client_for("intake").post(
        _url("session_export", session.pk, format="bad"), {"referral": referral.pk}
    )
    assert response.status_code == 400
    assert session.registrations.count() == before
    assert not AuditEvent.objects.filter(action__startswith="registration.").exists()
