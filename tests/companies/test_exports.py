"""XLSX/CSV exports of the company screens: the company list, the relationship history, the
internships and the overdue tutor reviews. Each export has the list's columns and every row the
list's filters keep (all pages), is refused in French on a bad format or bad filters (nothing
exported, no audit event), is audited with its row count, and runs a constant number of
queries whatever the number of rows."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from parcours.audit.labels import action_label
from parcours.companies.models import CompanyEvent, Internship, TutorLink

from ..export_checks import events, midnight, query_count, url, xlsx_rows, xlsx_sheet
from ..export_checks import member_name as _name
from ..factories import EnrolmentFactory, MembershipFactory, PersonFactory
from ..utils import page_text
from . import company_helpers as make
from .internship_helpers import sign_all
from .review_helpers import new_internship, recent_internship

pytestmark = pytest.mark.django_db


def _url(world, name: str, **params) -> str:
    return url(f"companies:{name}", slug=world.school.slug, **params)


# ------------------------------------------------------------------------------ companies

COMPANY_HEADERS = [
    "Entreprise",
    "Archivée",
    "Secteur",
    "Effectif",
    "Commune",
    "SIRET",
    "Stages",
    "Embauches",
    "Dernier échange",
]


def test_company_export_has_the_list_columns_and_rows(world):
    archived = make.company(world, name="Ancienne SARL", archived_at=timezone.now())
    make.company(world, name="Boulangerie Riom", sector="retail", commune="Riom")
    response = world.client_for("company_relations").get(_url(world, "companies_export"))
    assert (
        f'filename="entreprises-e2c-alpha-{timezone.localdate().isoformat()}.xlsx"'
        in (response["Content-Disposition"])
    )
    rows = xlsx_rows(response)
    assert list(rows[0]) == COMPANY_HEADERS
    # Active companies only by default, sorted by name; never the other school's.
    assert rows[1:] == [
        ("Boulangerie Riom", "Non", "Commerce et vente", None, "Riom", None, 0, 0, None),
        ("Logistique Arverne e2c-alpha", "Non", "Transport, logistique", "50 à 249 salariés",
         "Clermont-Ferrand", "73282932000074", 1, 1, datetime.datetime(2024, 3, 15)),
    ]  # fmt: skip
    # Numbers are numbers, the last exchange a date cell shown dd/mm/yyyy.
    sheet = xlsx_sheet(
        world.client_for("director").get(_url(world, "companies_export", q="Arverne"))
    )
    assert sheet.cell(row=2, column=7).data_type == "n"
    assert sheet.cell(row=2, column=9).is_date
    assert sheet.cell(row=2, column=9).number_format == "DD/MM/YYYY"
    # The list's filters follow through.
    client = world.client_for("director")
    rows = xlsx_rows(client.get(_url(world, "companies_export", secteur="retail")))
    assert [row[0] for row in rows[1:]] == ["Boulangerie Riom"]
    rows = xlsx_rows(client.get(_url(world, "companies_export", archivees="toutes", stages="sans")))
    assert [row[:2] for row in rows[1:]] == [(archived.name, "Oui"), ("Boulangerie Riom", "Non")]


def test_company_export_has_every_page(world):
    for i in range(55):
        make.company(world, name=f"Nombreuse {i:02d}")
    rows = xlsx_rows(
        world.client_for("director").get(_url(world, "companies_export", q="Nombreuse"))
    )
    assert len(rows) == 56
    assert events("export.companies")[-1].changes["rows"] == 55


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("company_relations", 200),
        ("referent", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_company_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "companies_export"))
    assert response.status_code == status
    assert len(events("export.companies")) == (1 if status == 200 else 0)


def test_company_export_is_audited_with_its_filters(world):
    client = world.client_for("company_relations")
    client.get(_url(world, "companies_export", q="Arverne", secteur="logistics", format="csv"))
    (event,) = events("export.companies")
    assert event.actor == world.members["company_relations"].user
    assert event.school == world.school
    assert event.changes == {
        "rows": 1,
        "format": "csv",
        "filters": {"archived": "actives", "search": True, "secteur": "logistics"},
    }
    assert "Arverne" not in json.dumps(event.changes)
    assert action_label("export.companies") == "Exports — export des entreprises partenaires"


def test_company_export_refuses_a_bad_format_or_bad_filters(world):
    client = world.client_for("director")
    response = client.get(_url(world, "companies_export", format="pdf"))
    assert response.status_code == 400
    assert "Format d'export inconnu : choisissez XLSX ou CSV." in page_text(response)
    assert "Logistique Arverne" in page_text(response)  # the list, re-rendered
    response = client.get(_url(world, "companies_export", secteur="pluton"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Secteur inconnu." in text and "rien n'a été exporté" in text
    assert events("export.companies") == []


def test_company_list_shows_the_export_buttons_with_its_filters(world):
    response = world.client_for("director").get(_url(world, "companies", secteur="retail"))
    content = response.content.decode()
    assert _url(world, "companies_export") + "?secteur=retail&amp;format=xlsx" in content


def test_company_export_neutralises_formulas_once(world):
    make.company(world, name='=HYPERLINK("http://example.org")', commune="+33")
    rows = xlsx_rows(
        world.client_for("director").get(_url(world, "companies_export", q="HYPERLINK"))
    )
    assert rows[1][0] == '\'=HYPERLINK("http://example.org")'
    assert rows[1][4] == "'+33"


def test_company_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "companies_export")
    for _ in range(3):
        make.full_company(world, rows=1)
    few = query_count(client, url)
    for _ in range(20):
        make.full_company(world, rows=2)
    assert query_count(client, url) == few
    assert events("export.companies")[-1].changes["rows"] == 24


# ------------------------------------------------------------------------------ history

EVENT_HEADERS = ["Date", "Entreprise", "Type", "Contact", "Compte rendu", "Noté par"]


def test_history_export_has_the_list_columns_and_every_summary_whole(world):
    company = world.objects["company"]
    long_summary = " ".join(f"mot{i}" for i in range(60))  # the page cuts at 30 words
    make.history(world, company, day=datetime.date(2024, 5, 2), summary=long_summary)
    response = world.client_for("referent").get(_url(world, "company_events_export"))
    rows = xlsx_rows(response)
    assert list(rows[0]) == EVENT_HEADERS
    author = _name(world.members["company_relations"])
    assert rows[1:] == [
        (datetime.datetime(2024, 5, 2), company.name, "Appel", None, long_summary, author),
        (datetime.datetime(2024, 3, 15), company.name, "Visite", "Marc Tuteur",
         "Visite de l'entrepôt, deux places de stage possibles.", author),
    ]  # fmt: skip
    rows = xlsx_rows(
        world.client_for("director").get(_url(world, "company_events_export", type="visit"))
    )
    assert [row[2] for row in rows[1:]] == ["Visite"]
    rows = xlsx_rows(
        world.client_for("director").get(_url(world, "company_events_export", du="2024-04-01"))
    )
    assert [row[0] for row in rows[1:]] == [datetime.datetime(2024, 5, 2)]


def test_history_export_of_one_company(world):
    other = make.company(world, name="Autre SAS")
    make.history(world, other, kind="email")
    client = world.client_for("director")
    rows = xlsx_rows(client.get(_url(world, "company_events_export", entreprise=other.pk)))
    assert [row[1] for row in rows[1:]] == ["Autre SAS"]
    (event,) = events("export.company_events")
    assert event.changes["filters"] == {"entreprise": other.pk}
    assert event.changes["rows"] == 1
    # Another school's company is refused as on the page: nothing exported.
    foreign = world.others["company"].pk
    response = client.get(_url(world, "company_events_export", entreprise=foreign))
    assert response.status_code == 400
    assert "Cette entreprise n'est pas une entreprise de l'école." in page_text(response)
    assert len(events("export.company_events")) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("intake", 200), ("company_relations", 200), ("prescriber", 403), ("outsider", 404)],
)
def test_history_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "company_events_export"))
    assert response.status_code == status
    assert len(events("export.company_events")) == (1 if status == 200 else 0)


def test_history_export_refuses_a_bad_format_or_bad_dates(world):
    client = world.client_for("director")
    response = client.get(_url(world, "company_events_export", format="ods"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    response = client.get(_url(world, "company_events_export", du="2024-05-01", au="2024-01-01"))
    assert response.status_code == 400
    text = page_text(response)
    assert "La date de fin doit suivre la date de début." in text
    assert "rien n'a été exporté" in text
    assert events("export.company_events") == []


def test_history_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "company_events_export")
    company = world.objects["company"]
    few = query_count(client, url)
    for i in range(20):
        tutor = make.contact(world, company)
        make.history(world, make.company(world), contact=tutor, summary=f"Échange {i}")
    assert query_count(client, url) == few
    assert events("export.company_events")[-1].changes["rows"] == 21
    assert CompanyEvent.objects.filter(school=world.school).count() == 21


# ------------------------------------------------------------------------------ internships

INTERNSHIP_HEADERS = [
    "Nom",
    "Prénom",
    "Type",
    "Entreprise",
    "Début",
    "Fin",
    "Référent·e",
    "Statut",
    "Convention complète",
    "Bilan attendu",
]


def _internship(world, company, start, *, signed=True, **fields) -> Internship:
    person = PersonFactory(school=world.school, last_name=fields.pop("last_name", "Stagiaire"))
    enrolment = EnrolmentFactory(
        school=world.school, person=person, site=world.site, referent=world.members["referent"]
    )
    made = make.internship(world, company, enrolment=enrolment, start=start, **fields)
    if signed:
        sign_all(made)
    return made


def test_internship_export_has_the_list_columns_and_rows(world):
    company = make.company(world, name="Boulangerie Riom")
    today = timezone.localdate()
    coming = _internship(
        world, company, today + datetime.timedelta(days=7), last_name="Avenir", signed=False
    )
    cancelled = _internship(
        world,
        company,
        datetime.date(2024, 6, 3),
        last_name="Annule",
        cancelled_at=timezone.now(),
        cancel_reason="company",
    )
    rows = xlsx_rows(world.client_for("company_relations").get(_url(world, "internships_export")))
    assert list(rows[0]) == INTERNSHIP_HEADERS
    # The world's internship: signed by all (an adult trainee), reviewed.
    referent = _name(world.members["referent"])
    assert rows[1:] == [
        ("Avenir", coming.enrolment.person.first_name, "Stage E2C", "Boulangerie Riom",
         midnight(coming.start_date), midnight(coming.end_date), referent, "à venir", "Non",
         "Non"),
        ("Annule", cancelled.enrolment.person.first_name, "Stage E2C", "Boulangerie Riom",
         datetime.datetime(2024, 6, 3), datetime.datetime(2024, 6, 14), referent, "annulé", None,
         None),
        ("Stagiairee2c-alpha", "Léa", "Stage E2C", "Logistique Arverne e2c-alpha",
         datetime.datetime(2024, 4, 8), datetime.datetime(2024, 4, 19), referent, "terminé",
         "Oui", "Non"),
    ]  # fmt: skip
    # The filters follow through.
    client = world.client_for("director")
    rows = xlsx_rows(client.get(_url(world, "internships_export", statut="annules")))
    assert [row[0] for row in rows[1:]] == ["Annule"]
    rows = xlsx_rows(client.get(_url(world, "internships_export", convention_incomplete="on")))
    assert [row[0] for row in rows[1:]] == ["Avenir"]


def test_internship_export_says_when_a_review_is_expected(world):
    done = _internship(world, world.objects["company"], datetime.date(2024, 9, 2), last_name="Fini")
    rows = xlsx_rows(
        world.client_for("director").get(_url(world, "internships_export", bilan_attendu="on"))
    )
    assert rows[1:] == [
        ("Fini", done.enrolment.person.first_name, "Stage E2C", "Logistique Arverne e2c-alpha",
         datetime.datetime(2024, 9, 2), datetime.datetime(2024, 9, 13),
         _name(world.members["referent"]), "terminé", "Oui", "Oui"),
    ]  # fmt: skip
    (event,) = events("export.internships")
    assert event.changes["filters"] == {"bilan_attendu": True}
    assert event.changes["rows"] == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("company_relations", 200), ("funder", 403), ("outsider", 404)],
)
def test_internship_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "internships_export"))
    assert response.status_code == status
    assert len(events("export.internships")) == (1 if status == 200 else 0)


def test_internship_export_refuses_a_bad_format_or_bad_filters(world):
    client = world.client_for("director")
    response = client.get(_url(world, "internships_export", format="docx"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    response = client.get(_url(world, "internships_export", entreprise=world.others["company"].pk))
    assert response.status_code == 400
    text = page_text(response)
    assert "Cette entreprise n'est pas une entreprise de l'école." in text
    assert "rien n'a été exporté" in text
    assert events("export.internships") == []


def test_internship_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "internships_export")
    colleague = MembershipFactory(school=world.school, role="referent")
    company = make.company(world)
    for i in range(3):
        _internship(world, company, datetime.date(2024, 1, 8) + datetime.timedelta(weeks=i))
    few = query_count(client, url)
    for _ in range(20):
        made = _internship(world, make.company(world), datetime.date(2023, 1, 9))
        made.enrolment.referent = colleague
        made.enrolment.save()
    assert query_count(client, url) == few
    assert events("export.internships")[-1].changes["rows"] == 24


# ------------------------------------------------------------------------------ overdue reviews

OVERDUE_HEADERS = [
    "Nom",
    "Prénom",
    "Entreprise",
    "Tuteur·rice",
    "Fin du stage",
    "Jours de retard",
    "Lien du bilan",
    "Lien envoyé à",
    "Lien envoyé le",
    "Lien valable jusqu'au",
    "Lien révoqué le",
    "Relances",
]


def _link(internship, *, sent: datetime.datetime, revoked=None, reminders=0) -> TutorLink:
    return TutorLink.objects.create(
        school=internship.school,
        internship=internship,
        token_hash=f"{internship.pk:064d}",
        sent_to="tuteur@example.org",
        created_at=sent,
        expires_at=sent + datetime.timedelta(days=30),
        revoked_at=revoked,
        reminders_sent=reminders,
    )


def test_overdue_export_has_the_list_columns_and_rows(world):
    today = timezone.localdate()
    never = recent_internship(world)  # ended 10 days ago, no link
    sent_internship = new_internship(
        world, start=today - datetime.timedelta(days=40), end=today - datetime.timedelta(days=30)
    )
    sent = timezone.now() - datetime.timedelta(days=5)
    _link(sent_internship, sent=sent, reminders=2)
    response = world.client_for("company_relations").get(_url(world, "reviews_overdue_export"))
    rows = xlsx_rows(response)
    assert list(rows[0]) == OVERDUE_HEADERS
    person = world.objects["enrolment"].person
    company = world.objects["company"].name
    sent_day = timezone.localtime(sent).date()
    assert rows[1:] == [
        (person.last_name, person.first_name, company, "Marc Tuteur",
         midnight(sent_internship.end_date), 30, "envoyé", "tuteur@example.org",
         midnight(sent_day), midnight(sent_day + datetime.timedelta(days=30)), None, 2),
        (person.last_name, person.first_name, company, "Marc Tuteur", midnight(never.end_date),
         10, "jamais envoyé", None, None, None, None, None),
    ]  # fmt: skip
    (event,) = events("export.reviews_overdue")
    assert event.changes == {"rows": 2, "format": "xlsx", "filters": {}}


def test_overdue_export_says_a_revoked_link(world):
    internship = recent_internship(world)
    sent = timezone.now() - datetime.timedelta(days=8)
    revoked = timezone.now() - datetime.timedelta(days=1)
    _link(internship, sent=sent, revoked=revoked)
    rows = xlsx_rows(world.client_for("director").get(_url(world, "reviews_overdue_export")))
    assert rows[1][6] == "révoqué"
    assert rows[1][10] == midnight(timezone.localtime(revoked).date())


@pytest.mark.parametrize(
    ("who", "status"),
    [("referent", 200), ("intake", 200), ("prescriber", 403), ("outsider", 404)],
)
def test_overdue_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "reviews_overdue_export"))
    assert response.status_code == status
    assert len(events("export.reviews_overdue")) == (1 if status == 200 else 0)


def test_overdue_export_refuses_a_bad_format(world):
    recent_internship(world)
    response = world.client_for("director").get(_url(world, "reviews_overdue_export", format="x"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Format d'export inconnu" in text
    assert "Bilans de stage en retard" in text
    assert events("export.reviews_overdue") == []


def test_overdue_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "reviews_overdue_export")
    today = timezone.localdate()

    def overdue(n: int) -> None:
        for i in range(n):
            company = make.company(world)
            made = make.internship(world, company, start=today - datetime.timedelta(days=30 + i))
            _link(made, sent=timezone.now() - datetime.timedelta(days=3))

    overdue(3)
    few = query_count(client, url)
    overdue(20)
    assert query_count(client, url) == few
    assert events("export.reviews_overdue")[-1].changes["rows"] == 23
