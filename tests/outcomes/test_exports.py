"""XLSX/CSV exports of the outcome screens: the exits, the follow-ups after the exit, the rates
report (an XLSX of the page's tables, the same computation, numbers as numbers) and the
outcome definitions. Each: the list's columns and every row its filters keep, a refusal in
French on a bad format or bad filters (nothing exported, no audit event), an audit event with
the row count, constant queries whatever the number of rows."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from parcours.audit.labels import action_label
from parcours.outcomes.defaults import NETWORK_6_MONTHS, PUY_DE_DOME_2018
from parcours.outcomes.models import ExitFollowUp, FollowUpStatus, OutcomeDefinition
from parcours.outcomes.selectors_rates import rates_table

from ..export_checks import events, midnight, query_count, url, workbook, xlsx_rows
from ..export_checks import member_name as _name
from ..factories import SiteFactory
from ..utils import page_text
from .test_follow_ups import new_exit
from .test_rates import Y2019, follow_up, make_exit
from .test_rates import exits_2019 as exits_2019  # the fixture, used by name

pytestmark = pytest.mark.django_db

D = datetime.date


def _url(world, name: str, **params) -> str:
    return url(f"outcomes:{name}", slug=world.school.slug, **params)


# ------------------------------------------------------------------------------ exits

EXIT_HEADERS = [
    "Nom",
    "Prénom",
    "Date de sortie",
    "Destination",
    "Motif d'abandon",
    "Durée (mois)",
    "Durée (jours en plus)",
    "Employeur ou organisme",
    "Site",
    "Référent·e",
]


def test_exit_export_has_the_list_columns_and_rows(world):
    north = SiteFactory(school=world.school, name="Site Nord")
    dropout = new_exit(
        world,
        D(2023, 11, 6),
        destination="abandon",
        dropout_reason="motivation",
        months=None,
        organisation="",
        referent="director",
    )
    dropout.enrolment.site = north
    dropout.enrolment.save()
    new_exit(world, D(2024, 9, 2), months=2, days=15, organisation="Boulangerie Dôme")
    response = world.client_for("referent").get(_url(world, "exits_export"))
    assert (
        f'filename="sorties-e2c-alpha-{timezone.localdate().isoformat()}.xlsx"'
        in (response["Content-Disposition"])
    )
    rows = xlsx_rows(response)
    assert list(rows[0]) == EXIT_HEADERS
    referent, director = (
        _name(world.members["referent"]),
        _name(world.members["director"]),
    )
    # Newest first; never the other school's exits.
    assert rows[1:] == [
        ("Suivie", "Inès", datetime.datetime(2024, 9, 2), "CDD", None, 2, 15, "Boulangerie Dôme",
         "Site Alpha", referent),
        ("Sortante2c-alpha", "Noé", datetime.datetime(2024, 3, 29), "CDD", None, 4, 0,
         "Transports Dômes", "Site Alpha", referent),
        ("Suivie", "Inès", datetime.datetime(2023, 11, 6), "Abandon", "Perte de motivation", None,
         None, None, "Site Nord", director),
    ]  # fmt: skip
    sheet = workbook(world.client_for("director").get(_url(world, "exits_export"))).active
    assert sheet.cell(row=2, column=3).is_date
    assert sheet.cell(row=2, column=3).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=2, column=6).data_type == "n"
    # The filters follow through.
    client = world.client_for("director")
    rows = xlsx_rows(client.get(_url(world, "exits_export", annee=2023)))
    assert [row[3] for row in rows[1:]] == ["Abandon"]
    rows = xlsx_rows(client.get(_url(world, "exits_export", site=north.pk)))
    assert [row[8] for row in rows[1:]] == ["Site Nord"]
    rows = xlsx_rows(client.get(_url(world, "exits_export", groupe="emploi", du="2024-04-01")))
    assert [row[7] for row in rows[1:]] == ["Boulangerie Dôme"]


def test_exit_export_is_audited_with_its_period(world):
    client = world.client_for("director")
    client.get(_url(world, "exits_export", annee=2024, groupe="emploi", format="csv"))
    (event,) = events("export.exits")
    assert event.actor == world.members["director"].user
    assert event.changes == {
        "rows": 1,
        "format": "csv",
        "filters": {"start": "2024-01-01", "end": "2024-12-31", "group": "emploi"},
    }
    assert action_label("export.exits") == "Exports — export des sorties"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("company_relations", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_exit_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "exits_export"))
    assert response.status_code == status
    assert len(events("export.exits")) == (1 if status == 200 else 0)


def test_exit_export_refuses_a_bad_format_or_bad_filters(world):
    client = world.client_for("director")
    response = client.get(_url(world, "exits_export", format="pdf"))
    assert response.status_code == 400
    assert "Format d'export inconnu : choisissez XLSX ou CSV." in page_text(response)
    response = client.get(_url(world, "exits_export", groupe="pluton"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Groupe de destinations inconnu." in text and "rien n'a été exporté" in text
    response = client.get(_url(world, "exits_export", du="2024-12-31", au="2024-01-01"))
    assert response.status_code == 400
    assert "La date de fin précède la date de début." in page_text(response)
    assert events("export.exits") == []


def test_exit_export_neutralises_formulas_once(world):
    new_exit(world, D(2024, 10, 1), organisation="=1+1")
    rows = xlsx_rows(world.client_for("director").get(_url(world, "exits_export")))
    assert rows[1][7] == "'=1+1"


def test_exit_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "exits_export")
    for i in range(3):
        new_exit(world, D(2024, 1, 8) + datetime.timedelta(days=i))
    few = query_count(client, url)
    for i in range(20):
        new_exit(world, D(2023, 1, 9) + datetime.timedelta(days=i), referent="director")
    assert query_count(client, url) == few
    assert events("export.exits")[-1].changes["rows"] == 24


# ------------------------------------------------------------------------------ follow-ups

FOLLOW_UP_HEADERS = [
    "Nom",
    "Prénom",
    "Date de sortie",
    "Destination à la sortie",
    "Durée à la sortie (mois)",
    "Échéance",
    "À faire à partir du",
    "En retard",
    "Référent·e",
    "État",
    "Situation trouvée",
]


def _follow_up(world, exit_date: D, *, wave=3, referent="referent", **fields) -> ExitFollowUp:
    exit_ = new_exit(world, exit_date, referent=referent)
    return ExitFollowUp.objects.create(
        school=exit_.school,
        exit=exit_,
        wave=wave,
        due_on=exit_date + datetime.timedelta(days=92),
        **fields,
    )


def test_follow_up_export_has_the_list_columns_and_rows(world):
    today = timezone.localdate()
    recent = _follow_up(world, today - datetime.timedelta(days=95), referent="director")
    rows = xlsx_rows(world.client_for("director").get(_url(world, "follow_ups_export")))
    assert list(rows[0]) == FOLLOW_UP_HEADERS
    referent, director = (
        _name(world.members["referent"]),
        _name(world.members["director"]),
    )
    # Still to do, the oldest due first; a follow-up due for more than a month is late.
    assert rows[1:] == [
        ("Sortante2c-alpha", "Noé", datetime.datetime(2024, 3, 29), "CDD", 4, "à 3 mois",
         datetime.datetime(2024, 6, 29), "Oui", referent, "À faire", None),
        ("Suivie", "Inès", midnight(recent.exit.exit_date), "CDD", 4, "à 3 mois",
         midnight(recent.due_on), "Non", director, "À faire", None),
    ]  # fmt: skip
    (event,) = events("export.follow_ups")
    assert event.changes == {
        "rows": 2,
        "format": "xlsx",
        "filters": {"scope": "all", "status": "due"},
    }


def test_follow_up_export_follows_the_filters(world):
    reached = _follow_up(
        world,
        D(2024, 1, 15),
        wave=6,
        status=FollowUpStatus.REACHED,
        situation="cdi",
        contacted_on=D(2024, 7, 20),
        recorded_at=timezone.now(),
        comment="Commentaire libre sur la personne.",
    )
    client = world.client_for("director")
    rows = xlsx_rows(client.get(_url(world, "follow_ups_export", etat="reached")))
    assert rows[1:] == [
        ("Suivie", "Inès", datetime.datetime(2024, 1, 15), "CDD", 4, "à 6 mois",
         midnight(reached.due_on), "Non", _name(world.members["referent"]), "Situation connue",
         "CDI"),
    ]  # fmt: skip
    assert "Commentaire libre" not in str(rows)  # the list's columns only
    rows = xlsx_rows(client.get(_url(world, "follow_ups_export", etat="any", echeance=3)))
    assert [row[0] for row in rows[1:]] == ["Sortante2c-alpha"]
    assert events("export.follow_ups")[-1].changes["filters"] == {
        "scope": "all",
        "status": "any",
        "wave": 3,
    }


def test_follow_up_export_of_a_referent_is_their_caseload_unless_they_ask(world):
    _follow_up(world, D(2024, 2, 1), referent="director")
    client = world.client_for("referent")
    rows = xlsx_rows(client.get(_url(world, "follow_ups_export")))
    assert [row[0] for row in rows[1:]] == ["Sortante2c-alpha"]
    rows = xlsx_rows(client.get(_url(world, "follow_ups_export", qui="all")))
    assert [row[0] for row in rows[1:]] == ["Suivie", "Sortante2c-alpha"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("intake", 200), ("company_relations", 200), ("funder", 403), ("outsider", 404)],
)
def test_follow_up_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "follow_ups_export"))
    assert response.status_code == status
    assert len(events("export.follow_ups")) == (1 if status == 200 else 0)


def test_follow_up_export_refuses_a_bad_format_or_bad_filters(world):
    client = world.client_for("director")
    response = client.get(_url(world, "follow_ups_export", format="json"))
    assert response.status_code == 400
    assert "Format d'export inconnu" in page_text(response)
    response = client.get(_url(world, "follow_ups_export", echeance=7))
    assert response.status_code == 400
    text = page_text(response)
    assert "Échéance inconnue : 3, 6 ou 12 mois." in text and "rien n'a été exporté" in text
    assert events("export.follow_ups") == []


def test_follow_up_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "follow_ups_export")
    for i in range(2):
        _follow_up(world, D(2024, 1, 1) + datetime.timedelta(days=i))
    few = query_count(client, url)
    for i in range(20):
        _follow_up(
            world,
            D(2023, 1, 1) + datetime.timedelta(days=i),
            referent="director" if i else "referent",
        )
    assert query_count(client, url) == few
    assert events("export.follow_ups")[-1].changes["rows"] == 23


# ------------------------------------------------------------------------------ rates

RATES_SHEETS = ["Période", "Taux de sorties réussies", "Destinations", "Suivis après la sortie"]


@pytest.mark.usefixtures("exits_2019")
def test_rates_export_is_the_page_table_with_numbers_as_numbers(world):
    response = world.client_for("referent").get(_url(world, "rates_export", annee=2019))
    assert "resultats-sorties-e2c-alpha-20190101-20191231-" in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == RATES_SHEETS
    table = rates_table(world.school, *Y2019)  # what the page shows: the same function

    period = list(book["Période"].iter_rows(values_only=True))
    assert period == [
        ("Période", "Valeur"),
        ("Du", datetime.datetime(2019, 1, 1)),
        ("Au", datetime.datetime(2019, 12, 31)),
        ("Site", "Tous les sites"),
        ("Personnes sorties sur la période", 8),
        ("Définition retenue pour 2019", "Sortie positive — réseau (≥ 6 mois)"),
        ("Choisie par l'école", "Non"),
    ]

    rates = list(book["Taux de sorties réussies"].iter_rows(values_only=True))
    assert rates[0] == (
        "Définition",
        "Origine",
        "Version",
        "Définition retenue",
        "Compte comme réussie",
        "Sorties",
        "Exclues",
        "Retenues",
        "Réussies",
        "Taux (%)",
    )
    assert [row[5:] for row in rates[1:]] == [
        (
            line.rate.exits,
            line.rate.excluded,
            line.rate.counted,
            line.rate.successful,
            line.rate.rounded,
        )
        for line in table.definitions
    ]
    by_name = {row[0]: row for row in rates[1:]}
    puy = next(line for line in table.definitions if line.definition.code == PUY_DE_DOME_2018)
    assert by_name[puy.definition.name][1:4] == ("Réseau", 1, "Non")
    assert by_name[puy.definition.name][5:] == (8, 0, 8, 5, 63)  # as the page says « 63 % »
    assert rates[1][0] == "Sortie positive — réseau (≥ 6 mois)" and rates[1][3] == "Oui"
    sheet = book["Taux de sorties réussies"]
    assert all(sheet.cell(row=r, column=10).data_type == "n" for r in range(2, len(rates) + 1))

    destinations = list(book["Destinations"].iter_rows(values_only=True))
    assert destinations[0] == ("Groupe", "Destination", "Sorties", "Part (%)")
    groups = {row[0]: row for row in destinations[1:] if row[1] is None}
    assert groups["Emploi"][2:] == (5, 62.5)
    assert [g[2:] for g in groups.values()] == [
        (group.count, float(group.share)) for group in table.groups
    ]
    assert ("Emploi", "CDD", 4, None) in destinations
    assert not any(row[1] == "Abandon" for row in destinations)  # zero: not listed, as on the page

    waves = list(book["Suivis après la sortie"].iter_rows(values_only=True))
    assert waves == [
        ("Suivi", "Suivis faits", "Injoignables", "En emploi", "En formation",
         "En emploi ou formation (%)"),
        ("À la sortie", table.at_exit.recorded, None, table.at_exit.employment,
         table.at_exit.training, table.at_exit.rounded),
        ("À 3 mois", 3, 1, 1, 1, 67),
        ("À 6 mois", 1, 0, 1, 0, 100),
        ("À 12 mois", 0, 0, 0, 0, None),
    ]  # fmt: skip
    # Counts only: nobody's name.
    cells = [
        str(c)
        for name in RATES_SHEETS
        for row in book[name].iter_rows(values_only=True)
        for c in row
    ]
    assert not any("Confidentiel" in cell for cell in cells)


def test_rates_export_of_a_site_and_two_dates(world, request):
    site = request.getfixturevalue("exits_2019")["site"]
    client = world.client_for("director")
    response = client.get(
        _url(world, "rates_export", du="01/01/2019", au="31/12/2019", site=site.pk)
    )
    period = dict(list(workbook(response)["Période"].iter_rows(values_only=True))[1:])
    assert period["Site"] == "Site Bis" and period["Personnes sorties sur la période"] == 1
    (event,) = events("export.rates")
    assert event.changes["filters"] == {"start": "2019-01-01", "end": "2019-12-31", "site": site.pk}
    assert event.changes["format"] == "xlsx"
    # Every data row of the four sheets.
    book = workbook(client.get(_url(world, "rates_export", annee=2019, site=site.pk)))
    rows = sum(book[name].max_row - 1 for name in RATES_SHEETS)
    assert events("export.rates")[-1].changes["rows"] == rows


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("company_relations", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_rates_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "rates_export", annee=2024))
    assert response.status_code == status
    assert len(events("export.rates")) == (1 if status == 200 else 0)


def test_rates_export_refuses_a_bad_format_or_a_bad_period(world):
    client = world.client_for("director")
    response = client.get(_url(world, "rates_export", annee=2024, format="csv"))
    assert response.status_code == 400
    assert "Format d'export inconnu : ce rapport s'exporte en XLSX." in page_text(response)
    response = client.get(_url(world, "rates_export", annee=1999))
    assert response.status_code == 400
    text = page_text(response)
    assert "Choisissez une année entre 2000 et" in text
    assert "Corrigez la période avant d'exporter : rien n'a été exporté." in text
    assert events("export.rates") == []


def test_rates_page_shows_the_export_button_with_its_period(world):
    response = world.client_for("director").get(_url(world, "rates", annee=2019))
    assert _url(world, "rates_export") + "?annee=2019&amp;format=xlsx" in response.content.decode()


def test_rates_export_neutralises_formulas_once(world):
    OutcomeDefinition.objects.filter(pk=world.objects["definition"].pk).update(name="=CMD()")
    book = workbook(world.client_for("director").get(_url(world, "rates_export", annee=2024)))
    names = [row[0] for row in book["Taux de sorties réussies"].iter_rows(values_only=True)]
    assert "'=CMD()" in names


@pytest.mark.usefixtures("exits_2019")
def test_rates_export_queries_do_not_grow_with_the_rows(world):
    client = world.client_for("director")
    url = _url(world, "rates_export", annee=2019)
    few = query_count(client, url)
    for n in range(20):
        made = make_exit(world, ["cdi", "cdd", "formation"][n % 3], D(2019, 3, 1), 8)
        follow_up(made, 3, "cdi")
    assert query_count(client, url) == few


# ------------------------------------------------------------------------------ definitions

DEFINITION_HEADERS = [
    "Définition",
    "Origine",
    "Version",
    "Compte comme réussie",
    "Exclues du dénominateur",
    "Valable à partir du",
    "Valable jusqu'au",
    "Définition retenue pour",
]


def test_definition_export_has_the_list_columns_and_rows(world):
    response = world.client_for("company_relations").get(_url(world, "definitions_export"))
    rows = xlsx_rows(response)
    assert list(rows[0]) == DEFINITION_HEADERS
    network = [row for row in rows[1:] if row[1] == "Réseau"]
    school = [row for row in rows[1:] if row[1] == "École"]
    assert rows[1:] == network + school  # the network's first, as on the page
    assert (
        len(network)
        == OutcomeDefinition.objects.filter(school__isnull=True, is_current=True).count()
    )
    year = timezone.localdate().year
    assert school == [
        ("Emploi durable (école)", "École", 1, "CDI", None, datetime.datetime(2020, 1, 1), None,
         "2024"),
    ]  # fmt: skip
    six = OutcomeDefinition.objects.get(code=NETWORK_6_MONTHS, is_current=True)
    by_name = {row[0]: row for row in network}
    assert by_name[six.name][7] == f"{year} (par défaut)"
    assert "Déménagement" in by_name[six.name][4]
    assert all(row[2] >= 1 for row in network)  # versions as numbers
    (event,) = events("export.definitions")
    assert event.changes == {"rows": len(rows) - 1, "format": "xlsx", "filters": {}}


@pytest.mark.parametrize(
    ("who", "status"),
    [("referent", 200), ("intake", 200), ("funder", 403), ("outsider", 404)],
)
def test_definition_export_access(world, who, status):
    response = world.client_for(who).get(_url(world, "definitions_export"))
    assert response.status_code == status
    assert len(events("export.definitions")) == (1 if status == 200 else 0)


def test_definition_export_refuses_a_bad_format(world):
    response = world.client_for("director").get(_url(world, "definitions_export", format="odt"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Format d'export inconnu" in text and "Définitions du réseau" in text
    assert events("export.definitions") == []
