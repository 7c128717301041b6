"""Deterministic demo data: the network, its schools, sites, rooms, staff, partners, funding.

Everything comes from a fixed seed (``random.Random(2018)`` and Faker ``fr_FR`` seeded with
2018) and fixed dates, so every run builds the same data. The 2018 figures of the seed article
hold: 51 schools on 124 sites active in 2018, and E2C Puy-de-Dôme has 600 m² at Cours Sablon,
7 rooms of which 2 are computer rooms (all step-free) and 12 staff.

The data is planned in plain Python first (``plan_network``), then written with
``bulk_create``; the demo password is hashed once and the hash shared by every demo user.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from faker import Faker

from parcours.audit.models import AuditEvent
from parcours.intake.models import Referral
from parcours.organisations.models import (
    FunderType,
    FundingAgreement,
    Membership,
    Network,
    Partner,
    PrescriberType,
    Role,
    Room,
    RoomKind,
    School,
    Site,
)
from parcours.outcomes.models import Exit, ExitFollowUp, FollowUpStatus
from parcours.outcomes.rules import whole_percentage
from parcours.pathways.models import Enrolment, EnrolmentStatus
from parcours.reporting.indicators import key_figures
from parcours.reporting.network import network_figures
from parcours.reporting.periods import Period

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, FLAGSHIP_SLUG, OTHER_SCHOOL_SLUG, DemoAccount
from .api_history import build_api
from .audit_history import build_audit_sample
from .companies_history import build_companies_history, delete_companies_history
from .competency_history import (
    build_competency_history,
    delete_competency_history,
    issue_demo_attestations,
)
from .imports_history import build_imports, delete_imports
from .intake_history import HISTORY_END as INTAKE_HISTORY_END
from .intake_history import HISTORY_START as INTAKE_HISTORY_START
from .intake_history import build_intake_history, delete_intake
from .outcomes_history import build_outcomes_history, delete_outcomes_history
from .pathway_history import build_pathway_history, delete_pathway_history
from .privacy_history import build_privacy_history, delete_privacy_history
from .rights_history import build_rights_history, delete_rights_history
from .schedule_history import build_schedule_history, delete_schedule_history

SEED = 2018
NETWORK_NAME = "Réseau E2C France"
NETWORK_SLUG = "reseau-e2c-france"
#: Every demo user's email ends with this; ``reset_demo`` deletes exactly these users.
DEMO_EMAIL_SUFFIX = ".demo"
ADMIN_EMAIL = "admin@parcours.demo"

YEAR_2018_START = datetime.date(2018, 1, 1)
YEAR_2018_END = datetime.date(2018, 12, 31)
#: The network's published figures for 2018 (seed article, "En chiffres").
SCHOOLS_ACTIVE_2018 = 51
SITES_ACTIVE_2018 = 124
#: Funding agreements run from the first year of the métropole's partnership to this year.
FIRST_FUNDING_YEAR = 2014
LAST_FUNDING_YEAR = 2026
#: The day the Cours Sablon extension was inaugurated (seed article, Tuesday 4 December 2018).
EXTENSION_OPENED_ON = datetime.date(2018, 12, 4)
#: A fixed "joined" timestamp for every demo user (determinism).
DATE_JOINED = datetime.datetime(2016, 1, 1, 9, 0, tzinfo=datetime.UTC)

# --------------------------------------------------------------------------------------------
# Reference data: French départements with real communes and postcodes.
# One line per département: code | name | regional funder | communes ("label=commune postcode"
# or "commune postcode", the first one is the main site).
# --------------------------------------------------------------------------------------------

_DEPARTEMENTS_TEXT = """
02|Aisne|Région Hauts-de-France|Saint-Quentin 02100; Laon 02000; Soissons 02200; Château-Thierry 02400
03|Allier|Région Auvergne-Rhône-Alpes|Moulins 03000; Montluçon 03100; Vichy 03200; Yzeure 03400
06|Alpes-Maritimes|Région Provence-Alpes-Côte d'Azur|Nice 06000; Cannes 06400; Grasse 06130; Antibes 06600
08|Ardennes|Région Grand Est|Charleville-Mézières 08000; Sedan 08200; Rethel 08300; Revin 08500
11|Aude|Région Occitanie|Carcassonne 11000; Narbonne 11100; Castelnaudary 11400; Limoux 11300
13|Bouches-du-Rhône|Région Provence-Alpes-Côte d'Azur|Marseille 15e=Marseille 13015; Marseille 13e=Marseille 13013; Aix-en-Provence 13090; Arles 13200
14|Calvados|Région Normandie|Caen 14000; Lisieux 14100; Bayeux 14400; Hérouville-Saint-Clair 14200
16|Charente|Région Nouvelle-Aquitaine|Angoulême 16000; Cognac 16100; Soyaux 16800; La Couronne 16400
17|Charente-Maritime|Région Nouvelle-Aquitaine|La Rochelle 17000; Rochefort 17300; Saintes 17100; Royan 17200
21|Côte-d'Or|Région Bourgogne-Franche-Comté|Dijon 21000; Chenôve 21300; Beaune 21200; Montbard 21500
25|Doubs|Région Bourgogne-Franche-Comté|Besançon 25000; Montbéliard 25200; Pontarlier 25300; Audincourt 25400
26|Drôme|Région Auvergne-Rhône-Alpes|Valence 26000; Montélimar 26200; Romans-sur-Isère 26100; Pierrelatte 26700
29|Finistère|Région Bretagne|Brest 29200; Quimper 29000; Morlaix 29600; Quimperlé 29300
30|Gard|Région Occitanie|Nîmes 30000; Alès 30100; Bagnols-sur-Cèze 30200; Beaucaire 30300
31|Haute-Garonne|Région Occitanie|Toulouse 31000; Colomiers 31770; Muret 31600; Saint-Gaudens 31800
33|Gironde|Région Nouvelle-Aquitaine|Bordeaux 33000; Mérignac 33700; Lormont 33310; Libourne 33500
34|Hérault|Région Occitanie|Montpellier 34000; Béziers 34500; Sète 34200; Lunel 34400
35|Ille-et-Vilaine|Région Bretagne|Rennes 35000; Saint-Malo 35400; Fougères 35300; Vitré 35500
37|Indre-et-Loire|Région Centre-Val de Loire|Tours 37000; Joué-lès-Tours 37300; Amboise 37400; Chinon 37500
38|Isère|Région Auvergne-Rhône-Alpes|Grenoble 38000; Échirolles 38130; Vienne 38200; Bourgoin-Jallieu 38300
42|Loire|Région Auvergne-Rhône-Alpes|Saint-Étienne 42000; Roanne 42300; Saint-Chamond 42400; Firminy 42700
44|Loire-Atlantique|Région Pays de la Loire|Nantes 44000; Saint-Nazaire 44600; Rezé 44400; Châteaubriant 44110
45|Loiret|Région Centre-Val de Loire|Orléans 45000; Montargis 45200; Gien 45500; Pithiviers 45300
49|Maine-et-Loire|Région Pays de la Loire|Angers 49000; Cholet 49300; Saumur 49400; Segré-en-Anjou Bleu 49500
50|Manche|Région Normandie|Cherbourg-en-Cotentin 50100; Saint-Lô 50000; Granville 50400; Coutances 50200
51|Marne|Région Grand Est|Reims 51100; Châlons-en-Champagne 51000; Épernay 51200; Vitry-le-François 51300
54|Meurthe-et-Moselle|Région Grand Est|Nancy 54000; Lunéville 54300; Longwy 54400; Toul 54200
56|Morbihan|Région Bretagne|Lorient 56100; Vannes 56000; Pontivy 56300; Auray 56400
57|Moselle|Région Grand Est|Metz 57000; Thionville 57100; Forbach 57600; Sarreguemines 57200
59|Nord|Région Hauts-de-France|Lille 59000; Roubaix 59100; Dunkerque 59140; Valenciennes 59300
60|Oise|Région Hauts-de-France|Beauvais 60000; Creil 60100; Compiègne 60200; Noyon 60400
62|Pas-de-Calais|Région Hauts-de-France|Arras 62000; Lens 62300; Calais 62100; Boulogne-sur-Mer 62200
63|Puy-de-Dôme|Région Auvergne-Rhône-Alpes|Clermont-Ferrand 63000; Riom 63200; Issoire 63500; Thiers 63300
64|Pyrénées-Atlantiques|Région Nouvelle-Aquitaine|Pau 64000; Bayonne 64100; Oloron-Sainte-Marie 64400; Orthez 64300
67|Bas-Rhin|Région Grand Est|Strasbourg 67000; Haguenau 67500; Sélestat 67600; Saverne 67700
68|Haut-Rhin|Région Grand Est|Mulhouse 68100; Colmar 68000; Saint-Louis 68300; Guebwiller 68500
69|Rhône|Région Auvergne-Rhône-Alpes|Lyon 7e=Lyon 69007; Vénissieux 69200; Villeurbanne 69100; Vaulx-en-Velin 69120
71|Saône-et-Loire|Région Bourgogne-Franche-Comté|Chalon-sur-Saône 71100; Mâcon 71000; Le Creusot 71200; Montceau-les-Mines 71300
73|Savoie|Région Auvergne-Rhône-Alpes|Chambéry 73000; Aix-les-Bains 73100; Albertville 73200; Saint-Jean-de-Maurienne 73300
74|Haute-Savoie|Région Auvergne-Rhône-Alpes|Annecy 74000; Annemasse 74100; Thonon-les-Bains 74200; Cluses 74300
75|Paris|Région Île-de-France|Paris 19e=Paris 75019; Paris 13e=Paris 75013; Paris 20e=Paris 75020; Paris 18e=Paris 75018
76|Seine-Maritime|Région Normandie|Rouen 76000; Le Havre 76600; Dieppe 76200; Elbeuf 76500
77|Seine-et-Marne|Région Île-de-France|Melun 77000; Meaux 77100; Chelles 77500; Torcy 77200
78|Yvelines|Région Île-de-France|Mantes-la-Jolie 78200; Versailles 78000; Trappes 78190; Les Mureaux 78130
80|Somme|Région Hauts-de-France|Amiens 80000; Abbeville 80100; Albert 80300; Péronne 80200
81|Tarn|Région Occitanie|Albi 81000; Castres 81100; Gaillac 81600; Carmaux 81400
83|Var|Région Provence-Alpes-Côte d'Azur|Toulon 83000; La Seyne-sur-Mer 83500; Draguignan 83300; Fréjus 83600
84|Vaucluse|Région Provence-Alpes-Côte d'Azur|Avignon 84000; Carpentras 84200; Cavaillon 84300; Orange 84100
87|Haute-Vienne|Région Nouvelle-Aquitaine|Limoges 87000; Saint-Junien 87200; Panazol 87350; Bellac 87300
91|Essonne|Région Île-de-France|Évry-Courcouronnes 91000; Corbeil-Essonnes 91100; Massy 91300; Grigny 91350
92|Hauts-de-Seine|Région Île-de-France|Nanterre 92000; Gennevilliers 92230; Colombes 92700; Bagneux 92220
93|Seine-Saint-Denis|Région Île-de-France|Bobigny 93000; Saint-Denis 93200; Aubervilliers 93300; Clichy-sous-Bois 93390
94|Val-de-Marne|Région Île-de-France|Créteil 94000; Champigny-sur-Marne 94500; Ivry-sur-Seine 94200; Vitry-sur-Seine 94400
95|Val-d'Oise|Région Île-de-France|Cergy 95000; Sarcelles 95200; Argenteuil 95100; Garges-lès-Gonesse 95140
971|Guadeloupe|Région Guadeloupe|Les Abymes 97139; Pointe-à-Pitre 97110; Basse-Terre 97100; Le Moule 97160
972|Martinique|Collectivité territoriale de Martinique|Fort-de-France 97200; Le Lamentin 97232; Le Robert 97231; Sainte-Marie 97230
974|La Réunion|Région Réunion|Saint-Denis 97400; Saint-Pierre 97410; Le Port 97420; Saint-Benoît 97470
"""  # noqa: E501 — a data table reads better with one département per line

#: Schools of the network opened after 2018 (so not in the 2018 figures), by département.
LATER_OPENINGS: dict[str, datetime.date] = {
    "16": datetime.date(2019, 9, 2),
    "50": datetime.date(2020, 1, 6),
    "81": datetime.date(2021, 3, 1),
    "87": datetime.date(2021, 9, 6),
    "11": datetime.date(2022, 9, 5),
    "49": datetime.date(2023, 1, 9),
}


@dataclass(frozen=True)
class Commune:
    label: str  # how the site is named ("Paris 19e", "Moulins")
    name: str  # the commune itself ("Paris", "Moulins")
    postcode: str


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    regional_funder: str
    communes: tuple[Commune, ...]

    @property
    def slug(self) -> str:
        return f"e2c-{self.code.lower()}"


def _parse_departements(text: str) -> tuple[Departement, ...]:
    result = []
    for line in text.strip().splitlines():
        code, name, regional_funder, communes_text = line.split("|")
        communes = []
        for item in communes_text.split(";"):
            label, _, place = item.strip().rpartition("=")
            commune, postcode = place.rsplit(" ", 1)
            communes.append(Commune(label=label or commune, name=commune, postcode=postcode))
        result.append(Departement(code, name, regional_funder, tuple(communes)))
    return tuple(result)


DEPARTEMENTS: tuple[Departement, ...] = _parse_departements(_DEPARTEMENTS_TEXT)

# --------------------------------------------------------------------------------------------
# The flagship school: E2C Puy-de-Dôme (seed article).
# --------------------------------------------------------------------------------------------

FLAGSHIP_NAME = "E2C Puy-de-Dôme"
FLAGSHIP_CARRIER = "Groupe ESC Clermont"
FLAGSHIP_OPENED_ON = datetime.date(2011, 9, 1)
FLAGSHIP_LABEL = (datetime.date(2016, 7, 1), datetime.date(2028, 6, 30))
FLAGSHIP_SITE_NAME = "Cours Sablon"
FLAGSHIP_SITE_SURFACE_M2 = 600
ORIGINAL_ROOMS_OPENED_ON = datetime.date(2014, 9, 1)


@dataclass(frozen=True)
class RoomPlan:
    name: str
    kind: str
    capacity: int
    computers: int
    step_free: bool
    opened_on: datetime.date | None
    closed_on: datetime.date | None = None


#: Cours Sablon: 3 rooms before the extension, 7 after, 2 of them computer rooms, all step-free.
FLAGSHIP_ROOMS: tuple[RoomPlan, ...] = (
    RoomPlan("Salle Puy de Dôme", RoomKind.MULTIPURPOSE, 20, 0, True, ORIGINAL_ROOMS_OPENED_ON),
    RoomPlan("Salle Volvic", RoomKind.COMPUTER, 12, 12, True, ORIGINAL_ROOMS_OPENED_ON),
    RoomPlan("Salle Gergovie", RoomKind.MEETING, 8, 0, True, ORIGINAL_ROOMS_OPENED_ON),
    RoomPlan("Salle Sancy", RoomKind.WORKSHOP, 16, 0, True, EXTENSION_OPENED_ON),
    RoomPlan("Salle Pariou", RoomKind.COMPUTER, 14, 14, True, EXTENSION_OPENED_ON),
    RoomPlan("Salle Chaîne des Puys", RoomKind.WORKSHOP, 15, 0, True, EXTENSION_OPENED_ON),
    RoomPlan("Salle Vulcania", RoomKind.MEETING, 10, 0, True, EXTENSION_OPENED_ON),
)


@dataclass(frozen=True)
class StaffPlan:
    first_name: str
    last_name: str
    role: str
    job_title: str
    active_from: datetime.date
    email: str = ""


#: The flagship's staff besides the four staff demo accounts (12 staff in all: 1 director,
#: 2 intake, 7 referents, 2 company relations).
FLAGSHIP_STAFF: tuple[StaffPlan, ...] = (
    StaffPlan("Amandine", "Perrin", Role.INTAKE, "Chargée d'accueil", datetime.date(2015, 3, 2)),
    StaffPlan(
        "Laurent",
        "Chassaing",
        Role.REFERENT,
        "Coordinateur pédagogique",
        datetime.date(2012, 1, 2),
    ),
    StaffPlan(
        "Élodie",
        "Brugière",
        Role.REFERENT,
        "Formatrice référente — savoirs de base",
        datetime.date(2013, 9, 2),
    ),
    StaffPlan(
        "Mehdi",
        "Haddad",
        Role.REFERENT,
        "Formateur référent — numérique",
        datetime.date(2014, 9, 1),
    ),
    StaffPlan("Camille", "Vidal", Role.REFERENT, "Formatrice référente", datetime.date(2015, 1, 5)),
    StaffPlan(
        "Nicolas",
        "Fournier",
        Role.REFERENT,
        "Formateur référent — remobilisation",
        datetime.date(2016, 9, 1),
    ),
    StaffPlan(
        "Aurélie",
        "Tixier",
        Role.REFERENT,
        "Formatrice référente — accompagnement social",
        datetime.date(2017, 2, 1),
    ),
    StaffPlan(
        "Fabien",
        "Coudert",
        Role.COMPANY_RELATIONS,
        "Chargé de relations entreprises",
        datetime.date(2014, 4, 1),
    ),
)


@dataclass(frozen=True)
class PartnerPlan:
    name: str
    prescriber_type: str = ""
    funder_type: str = ""
    address: str = ""
    postcode: str = ""
    commune: str = ""


FLAGSHIP_PARTNERS: tuple[PartnerPlan, ...] = (
    PartnerPlan(
        "Clermont Auvergne Métropole",
        funder_type=FunderType.LOCAL_AUTHORITY,
        address="64-66 avenue de l'Union Soviétique",
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
    PartnerPlan(
        "PLIE de Clermont Auvergne Métropole",
        prescriber_type=PrescriberType.PLIE,
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
    PartnerPlan(
        "Mission Locale Clermont Métropole et Volcans",
        prescriber_type=PrescriberType.MISSION_LOCALE,
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
    PartnerPlan(
        "France Travail Clermont-Ferrand Gare",
        prescriber_type=PrescriberType.FRANCE_TRAVAIL,
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
    PartnerPlan(
        "Cap emploi 63",
        prescriber_type=PrescriberType.CAP_EMPLOI,
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
    PartnerPlan(
        "Conseil départemental du Puy-de-Dôme",
        prescriber_type=PrescriberType.DEPARTEMENT,
        funder_type=FunderType.DEPARTEMENT,
        address="24 rue Saint-Esprit",
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
    PartnerPlan(
        "Région Auvergne-Rhône-Alpes",
        funder_type=FunderType.REGION,
        address="1 esplanade François Mitterrand",
        postcode="69002",
        commune="Lyon",
    ),
    PartnerPlan(
        "État — Préfecture du Puy-de-Dôme",
        funder_type=FunderType.STATE,
        address="18 boulevard Desaix",
        postcode="63000",
        commune="Clermont-Ferrand",
    ),
)

POLITIQUE_DE_LA_VILLE = "Politique de la ville"
#: Clermont Auvergne Métropole, politique de la ville, by year (50,000 € in 2018: seed article).
METROPOLE_FUNDING_EUR: dict[int, int] = {
    2014: 30_000,
    2015: 35_000,
    2016: 40_000,
    2017: 45_000,
    2018: 50_000,
    2019: 50_000,
    2020: 52_000,
    2021: 52_000,
    2022: 55_000,
    2023: 55_000,
    2024: 55_000,
    2025: 50_000,
    2026: 50_000,
}


# --------------------------------------------------------------------------------------------
# The plan: plain data, no database.
# --------------------------------------------------------------------------------------------


@dataclass
class SitePlan:
    name: str
    address: str
    commune: str
    postcode: str
    surface_m2: int
    opened_on: datetime.date
    closed_on: datetime.date | None = None
    rooms: list[RoomPlan] = field(default_factory=list)


@dataclass
class SchoolPlan:
    departement: Departement
    slug: str
    name: str
    legal_carrier: str
    opened_on: datetime.date
    label_valid_from: datetime.date | None
    label_valid_until: datetime.date | None
    sites: list[SitePlan] = field(default_factory=list)
    staff: list[StaffPlan] = field(default_factory=list)
    partners: list[PartnerPlan] = field(default_factory=list)


def is_active_in_2018(opened_on: datetime.date | None, closed_on: datetime.date | None) -> bool:
    """Whether an opened/closed period meets the year 2018."""
    return (opened_on is None or opened_on <= YEAR_2018_END) and (
        closed_on is None or closed_on >= YEAR_2018_START
    )


def _of(place: str) -> str:
    """French "de <place>" with elision and contraction ("d'Arles", "du Havre", "des Abymes")."""
    if place.startswith("Le "):
        return f"du {place[3:]}"
    if place.startswith("Les "):
        return f"des {place[4:]}"
    if place[0] in "AEIOUYÉÈÂ":
        return f"d'{place}"
    return f"de {place}"


def _site_name(label: str) -> str:
    return f"Site {_of(label)}"


def _random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _four_year_label(start: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A network label: four years from ``start`` (the first of a month)."""
    end = start.replace(year=start.year + 4) - datetime.timedelta(days=1)
    return start, end


def _ascii_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(ascii_text.lower().replace("'", " ").split())


_CARRIERS = (
    "Association E2C {name}",
    "Association E2C {name}",
    "Association E2C {name}",
    "CCI {name}",
    "GIP Formation et insertion {name}",
    "Association pour la formation et l'insertion {name}",
)

_ROOM_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("Salle informatique", RoomKind.COMPUTER),
    ("Atelier", RoomKind.WORKSHOP),
    ("Salle d'entretien", RoomKind.MEETING),
    ("Salle de formation", RoomKind.WORKSHOP),
    ("Espace ressources", RoomKind.MULTIPURPOSE),
)


def _plan_rooms(rng: random.Random, site: SitePlan, count: int) -> list[RoomPlan]:
    templates = [("Salle polyvalente", RoomKind.MULTIPURPOSE), *rng.sample(_ROOM_TEMPLATES, 4)]
    rooms = []
    for name, kind in templates[:count]:
        computers = rng.randint(8, 14) if kind == RoomKind.COMPUTER else 0
        if kind == RoomKind.MEETING:
            capacity = rng.randint(4, 8)
        elif kind == RoomKind.COMPUTER:
            capacity = computers + rng.randint(0, 2)
        else:
            capacity = rng.randint(10, 20)
        rooms.append(
            RoomPlan(
                name=name,
                kind=kind,
                capacity=capacity,
                computers=computers,
                step_free=rng.random() < 0.7,
                opened_on=site.opened_on,
                closed_on=site.closed_on,
            )
        )
    return rooms


def _plan_staff(rng: random.Random, fake: Faker, school: SchoolPlan) -> list[StaffPlan]:
    titles = {
        Role.DIRECTOR: ("Directrice", "Directeur"),
        Role.INTAKE: ("Chargée d'accueil", "Chargé d'accueil"),
        Role.REFERENT: ("Formatrice référente", "Formateur référent"),
        Role.COMPANY_RELATIONS: (
            "Chargée de relations entreprises",
            "Chargé de relations entreprises",
        ),
    }
    roles = [Role.DIRECTOR, Role.INTAKE]
    roles += [Role.REFERENT] * rng.randint(2, 4)
    roles += [Role.COMPANY_RELATIONS]
    earliest = max(school.opened_on, datetime.date(2008, 1, 1))
    latest = max(earliest, datetime.date(2017, 12, 31))
    staff = []
    for role in roles:
        female = rng.random() < 0.55
        first_name = fake.first_name_female() if female else fake.first_name_male()
        staff.append(
            StaffPlan(
                first_name=first_name,
                last_name=fake.last_name(),
                role=role,
                job_title=titles[role][0 if female else 1],
                active_from=_random_date(rng, earliest, latest)
                if school.opened_on <= YEAR_2018_END
                else school.opened_on,
            )
        )
    return staff


def _plan_school(rng: random.Random, dept: Departement) -> SchoolPlan:
    if dept.slug == FLAGSHIP_SLUG:
        label_from, label_until = FLAGSHIP_LABEL
        return SchoolPlan(
            departement=dept,
            slug=dept.slug,
            name=FLAGSHIP_NAME,
            legal_carrier=FLAGSHIP_CARRIER,
            opened_on=FLAGSHIP_OPENED_ON,
            label_valid_from=label_from,
            label_valid_until=label_until,
        )
    if dept.code in LATER_OPENINGS:
        opened_on = LATER_OPENINGS[dept.code]
        label = _four_year_label(datetime.date(opened_on.year + 2, 6, 1))
    elif dept.code == "13":
        # The first E2C, in Marseille.
        opened_on = datetime.date(1997, 2, 3)
        label = _four_year_label(datetime.date(2016, 1, 1))
    else:
        opened_on = datetime.date(rng.randint(2002, 2017), rng.choice((1, 3, 9, 10)), 1)
        opened_on += datetime.timedelta(days=rng.randint(0, 20))
        # A school is labelled after at least a year of activity; labels last four years.
        first_label_year = max(opened_on.year + 1, rng.randint(2015, 2018))
        label = _four_year_label(datetime.date(first_label_year, rng.choice((1, 4, 7, 10)), 1))
    return SchoolPlan(
        departement=dept,
        slug=dept.slug,
        name=f"E2C {dept.name}",
        legal_carrier=rng.choice(_CARRIERS).format(name=dept.name),
        opened_on=opened_on,
        label_valid_from=label[0],
        label_valid_until=label[1],
    )


def _new_site(
    rng: random.Random,
    fake: Faker,
    commune: Commune,
    opened_on: datetime.date,
    closed_on: datetime.date | None = None,
) -> SitePlan:
    return SitePlan(
        name=_site_name(commune.label),
        address=fake.street_address(),
        commune=commune.name,
        postcode=commune.postcode,
        surface_m2=rng.randrange(250, 900, 10),
        opened_on=opened_on,
        closed_on=closed_on,
    )


def plan_network(rng: random.Random, fake: Faker) -> list[SchoolPlan]:
    """The schools with their sites, rooms and staff (no database access)."""
    schools = [_plan_school(rng, dept) for dept in DEPARTEMENTS]
    active = [s for s in schools if s.opened_on <= YEAR_2018_END]
    later = [s for s in schools if s.opened_on > YEAR_2018_END]
    if len(active) != SCHOOLS_ACTIVE_2018:
        raise RuntimeError(f"{len(active)} schools active in 2018, {SCHOOLS_ACTIVE_2018} expected")

    # Sites active in 2018: one per school, the rest spread over the schools (not the
    # flagship, whose only site is Cours Sablon), at most one per commune of the table.
    site_counts = {s.slug: 1 for s in active}
    spreadable = [s for s in active if s.slug != FLAGSHIP_SLUG]
    for _ in range(SITES_ACTIVE_2018 - len(active)):
        school = rng.choice(
            [s for s in spreadable if site_counts[s.slug] < len(s.departement.communes)]
        )
        site_counts[school.slug] += 1

    for school in active:
        communes = school.departement.communes
        if school.slug == FLAGSHIP_SLUG:
            school.sites.append(
                SitePlan(
                    name=FLAGSHIP_SITE_NAME,
                    address="9 cours Sablon",
                    commune="Clermont-Ferrand",
                    postcode="63000",
                    surface_m2=FLAGSHIP_SITE_SURFACE_M2,
                    opened_on=FLAGSHIP_OPENED_ON,
                    rooms=list(FLAGSHIP_ROOMS),
                )
            )
            continue
        school.sites.append(_new_site(rng, fake, communes[0], school.opened_on))
        for commune in communes[1 : site_counts[school.slug]]:
            opened_on = _random_date(rng, school.opened_on, datetime.date(2018, 9, 30))
            school.sites.append(_new_site(rng, fake, commune, opened_on))

    # Realism that must not change the 2018 figures: two sites closed before 2018, two closed
    # after 2018 (still active in 2018), three opened after 2018 in existing schools.
    def with_spare_commune(candidates: list[SchoolPlan]) -> list[SchoolPlan]:
        return [s for s in candidates if len(s.sites) < len(s.departement.communes)]

    multi_site = [s for s in spreadable if len(s.sites) >= 3]
    for school in rng.sample(multi_site, 2):
        school.sites[-1].closed_on = _random_date(
            rng, datetime.date(2020, 1, 1), datetime.date(2023, 7, 31)
        )
    old_schools = [s for s in spreadable if s.opened_on.year <= 2010]
    for school in rng.sample(with_spare_commune(old_schools), 2):
        commune = school.departement.communes[len(school.sites)]
        opened_on = _random_date(rng, school.opened_on, datetime.date(2012, 12, 31))
        closed_on = _random_date(rng, datetime.date(2015, 6, 30), datetime.date(2017, 8, 31))
        school.sites.append(_new_site(rng, fake, commune, opened_on, closed_on))
    for school in rng.sample(with_spare_commune(spreadable), 3):
        commune = school.departement.communes[len(school.sites)]
        opened_on = _random_date(rng, datetime.date(2019, 1, 7), datetime.date(2024, 9, 30))
        school.sites.append(_new_site(rng, fake, commune, opened_on))
    for school in later:
        school.sites.append(_new_site(rng, fake, school.departement.communes[0], school.opened_on))
        if rng.random() < 0.5:
            opened_on = _random_date(rng, school.opened_on, datetime.date(2025, 9, 1))
            school.sites.append(_new_site(rng, fake, school.departement.communes[1], opened_on))

    sites_2018 = sum(
        is_active_in_2018(site.opened_on, site.closed_on) for s in schools for site in s.sites
    )
    if sites_2018 != SITES_ACTIVE_2018:
        raise RuntimeError(f"{sites_2018} sites active in 2018, {SITES_ACTIVE_2018} expected")

    # Rooms, staff and partners of the other schools.
    for school in schools:
        if school.slug == FLAGSHIP_SLUG:
            school.staff = list(FLAGSHIP_STAFF)
            school.partners = list(FLAGSHIP_PARTNERS)
            continue
        for index, site in enumerate(school.sites):
            if site.closed_on and site.closed_on < YEAR_2018_START:
                continue
            count = rng.randint(2, 4)
            if school.slug == OTHER_SCHOOL_SLUG and index == 0:
                count = 4
            site.rooms = _plan_rooms(rng, site, count)
        school.staff = _plan_staff(rng, fake, school)
        main = school.departement.communes[0]
        school.partners = [
            PartnerPlan(
                f"Mission Locale {_of(main.label)}",
                prescriber_type=PrescriberType.MISSION_LOCALE,
                postcode=main.postcode,
                commune=main.name,
            ),
            PartnerPlan(
                f"France Travail {main.label}",
                prescriber_type=PrescriberType.FRANCE_TRAVAIL,
                postcode=main.postcode,
                commune=main.name,
            ),
            PartnerPlan(school.departement.regional_funder, funder_type=FunderType.REGION),
        ]
    return schools


# --------------------------------------------------------------------------------------------
# Writing to the database.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    network: str
    schools: int
    schools_active_2018: int
    sites: int
    sites_active_2018: int
    rooms: int
    partners: int
    funding_agreements: int
    users: int
    memberships: int
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS
    admin_email: str = ADMIN_EMAIL
    password: str = DEMO_PASSWORD


def demo_is_loaded() -> bool:
    return Network.objects.filter(slug=NETWORK_SLUG).exists()


def demo_summary() -> DemoSummary | None:
    """Counts of the demo data in the database, or ``None`` when the demo is not loaded."""
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    if network is None:
        return None
    schools = School.objects.filter(network=network)
    sites = Site.objects.filter(school__network=network)
    # The 2018 counts are the network report's (``reporting.network``): never counted here.
    figures_2018 = network_figures(network, Period.year(2018))
    return DemoSummary(
        network=network.name,
        schools=schools.count(),
        schools_active_2018=figures_2018.schools,
        sites=sites.count(),
        sites_active_2018=figures_2018.sites,
        rooms=Room.objects.filter(school__network=network).count(),
        partners=Partner.objects.filter(school__network=network).count(),
        funding_agreements=FundingAgreement.objects.filter(school__network=network).count(),
        users=get_user_model().objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).count(),
        memberships=Membership.objects.filter(network=network).count(),
    )


@dataclass(frozen=True)
class FlagshipLines:
    """The demo summary's lines about E2C Puy-de-Dôme: its 2018 figures come from
    ``reporting.indicators.key_figures``, the one place that computes them."""

    intake: str
    outcomes: str | None
    key_figures: str


def _euros(amount: Decimal) -> str:
    whole = int(amount.to_integral_value())
    text = f"{whole:,}".replace(",", " ")
    return f"{text} €" if whole == amount else f"{amount:,.2f}".replace(",", " ") + " €"


def flagship_lines() -> FlagshipLines | None:
    """The flagship's intake, outcomes and key figures lines, or ``None`` without the demo."""
    school = School.objects.filter(slug=FLAGSHIP_SLUG).first()
    if school is None:
        return None
    figures = key_figures(school, Period.year(2018))
    referrals = Referral.objects.filter(
        school=school,
        received_on__gte=INTAKE_HISTORY_START.replace(day=1),
        received_on__lte=INTAKE_HISTORY_END,
    ).count()
    active = Enrolment.objects.filter(school=school, status=EnrolmentStatus.ACTIVE).count()
    intake = (
        f"{school.name} : {referrals} candidatures 2017–2019, {figures.trainees} stagiaires "
        f"présents en 2018 (dont {figures.plie} PLIE), {active} parcours en cours."
    )
    headline = figures.headline
    outcomes = None
    if headline is not None and headline.rate.rate is not None:
        follow_ups = Counter(
            ExitFollowUp.objects.filter(school=school).values_list("status", flat=True)
        )
        outcomes = (
            f"{school.name} : {headline.rate.rounded} % de sorties réussies en 2018 "
            f"({headline.rate.successful} sur {headline.rate.counted}, "
            f"« {headline.definition.name} »), "
            f"{Exit.objects.filter(school=school).count()} sorties, "
            f"{sum(follow_ups.values())} suivis après la sortie dont "
            f"{follow_ups[FollowUpStatus.DUE.value]} à faire."
        )
    parts = [f"{figures.trainees} stagiaires"]
    if figures.trainees:
        under_26 = whole_percentage(figures.under_26.count, figures.trainees)
        parts.append(f"{under_26} % de moins de 26 ans")
    parts.append(f"{figures.plie} PLIE")
    if headline is not None and headline.rate.rounded is not None:
        parts.append(f"{headline.rate.rounded} % de sorties réussies")
    parts += [
        f"{figures.staff} salariés",
        f"{figures.rooms} salles dont {figures.computer_rooms} informatiques",
        f"{figures.surface_m2} m²",
    ]
    text = f"{school.name} en 2018 : {', '.join(parts)}"
    if figures.funding:
        funding = " ; ".join(
            f"{row.funder}, {_euros(row.amount_eur)} ({row.purpose}, partenaire depuis "
            f"{row.partner_since})"
            for row in figures.funding
        )
        text += f". Financements 2018 : {funding}"
    return FlagshipLines(intake=intake, outcomes=outcomes, key_figures=text + ".")


@transaction.atomic
def reset_demo() -> None:
    """Delete the demo network with everything in it, and every demo user (``*.demo``)."""
    user_model = get_user_model()
    demo_users = user_model.objects.filter(email__iendswith=DEMO_EMAIL_SUFFIX)
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    schools = School.objects.filter(network=network) if network else School.objects.none()

    # Audit events are append-only: their queryset refuses delete() and they PROTECT the
    # school and the actor. The demo builder writes only a recent sample of the journal
    # (audit_history.py); using the demo (logging in, browser tests) writes more. Resetting
    # the demo is the one place allowed to remove them, with a raw delete that bypasses the
    # append-only guard. Never do this anywhere else.
    events = AuditEvent.objects.filter(Q(school__in=schools) | Q(actor__in=demo_users))
    events._raw_delete(events.db)

    if network is not None:
        school_ids = list(schools.values_list("pk", flat=True))
        delete_imports(school_ids)  # before the users
        delete_privacy_history(school_ids)  # before the people and the users
        delete_rights_history(school_ids)  # before the people and the users
        delete_outcomes_history(school_ids)  # before the hires, enrolments and memberships
        delete_companies_history(school_ids)  # before the enrolments, people and partners
        delete_schedule_history(school_ids)  # before the enrolments, rooms and memberships
        delete_competency_history(school_ids)  # before the enrolments and documents
        delete_pathway_history(school_ids)  # before enrolments
        delete_intake(schools)  # before the memberships, sites and partners it refers to
        Membership.objects.filter(Q(network=network) | Q(school__in=schools)).delete()
        FundingAgreement.objects.filter(school__in=schools).delete()
        Room.objects.filter(school__in=schools).delete()
        Site.objects.filter(school__in=schools).delete()
        Partner.objects.filter(school__in=schools).delete()
        schools.delete()
        network.delete()
    demo_users.delete()


def _email(first_name: str, last_name: str, domain: str, taken: set[str]) -> str:
    base = f"{_ascii_slug(first_name)}.{_ascii_slug(last_name)}"
    email, n = f"{base}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{domain}"
    taken.add(email)
    return email


def _funding_rows(
    rng: random.Random, plans: list[SchoolPlan], partners: dict[tuple[str, str], Partner]
) -> list[FundingAgreement]:
    rows: list[FundingAgreement] = []
    years = range(FIRST_FUNDING_YEAR, LAST_FUNDING_YEAR + 1)

    def add(
        plan: SchoolPlan, funder: str, year: int, amount: int, purpose: str, **extra: object
    ) -> None:
        rows.append(
            FundingAgreement(
                school_id=partners[(plan.slug, funder)].school_id,
                funder=partners[(plan.slug, funder)],
                year=year,
                amount_eur=Decimal(amount),
                purpose=purpose,
                **extra,
            )
        )

    for plan in plans:
        if plan.slug == FLAGSHIP_SLUG:
            for year in years:
                add(
                    plan,
                    "Clermont Auvergne Métropole",
                    year,
                    METROPOLE_FUNDING_EUR[year],
                    POLITIQUE_DE_LA_VILLE,
                    target_trainees=30 if year >= 2018 else 20,
                    targets=(
                        "Accueil de jeunes et de femmes de plus de 25 ans résidant en quartier "
                        "prioritaire, orientés notamment par le PLIE."
                    ),
                )
                add(
                    plan,
                    "Région Auvergne-Rhône-Alpes",
                    year,
                    rng.randrange(420_000, 620_000, 5_000),
                    "Formation des stagiaires",
                    target_trainees=210 if year == 2018 else rng.randint(170, 230),
                )
                add(
                    plan,
                    "État — Préfecture du Puy-de-Dôme",
                    year,
                    rng.randrange(150_000, 230_000, 5_000),
                    "Fonctionnement de l'E2C",
                )
                if year >= 2016:
                    add(
                        plan,
                        "Conseil départemental du Puy-de-Dôme",
                        year,
                        rng.randrange(20_000, 40_000, 1_000),
                        "Accompagnement des bénéficiaires du RSA",
                        target_trainees=rng.randint(10, 20),
                    )
            continue
        for year in range(max(FIRST_FUNDING_YEAR, plan.opened_on.year), LAST_FUNDING_YEAR + 1):
            add(
                plan,
                plan.departement.regional_funder,
                year,
                rng.randrange(180_000, 650_000, 5_000),
                "Formation des stagiaires",
                target_trainees=rng.randint(60, 250),
            )
    return rows


@transaction.atomic
def build_demo() -> DemoSummary:
    """Delete any previous demo data and build it again, the same on every run."""
    reset_demo()
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    plans = plan_network(rng, fake)

    network = Network.objects.create(name=NETWORK_NAME, slug=NETWORK_SLUG)
    School.objects.bulk_create(
        School(
            network=network,
            slug=p.slug,
            name=p.name,
            legal_carrier=p.legal_carrier,
            label_valid_from=p.label_valid_from,
            label_valid_until=p.label_valid_until,
            opened_on=p.opened_on,
        )
        for p in plans
    )
    schools = {s.slug: s for s in School.objects.filter(network=network)}

    Site.objects.bulk_create(
        Site(
            school=schools[p.slug],
            name=sp.name,
            address=sp.address,
            postcode=sp.postcode,
            commune=sp.commune,
            surface_m2=sp.surface_m2,
            opened_on=sp.opened_on,
            closed_on=sp.closed_on,
        )
        for p in plans
        for sp in p.sites
    )
    sites = {(s.school_id, s.name): s for s in Site.objects.filter(school__network=network)}
    Room.objects.bulk_create(
        Room(
            school=schools[p.slug],
            site=sites[(schools[p.slug].pk, sp.name)],
            name=r.name,
            kind=r.kind,
            capacity=r.capacity,
            computers=r.computers,
            step_free=r.step_free,
            opened_on=r.opened_on,
            closed_on=r.closed_on,
        )
        for p in plans
        for sp in p.sites
        for r in sp.rooms
    )

    Partner.objects.bulk_create(
        Partner(
            school=schools[p.slug],
            name=pp.name,
            is_prescriber=bool(pp.prescriber_type),
            prescriber_type=pp.prescriber_type,
            is_funder=bool(pp.funder_type),
            funder_type=pp.funder_type,
            address=pp.address,
            postcode=pp.postcode,
            commune=pp.commune,
        )
        for p in plans
        for pp in p.partners
    )
    slug_by_id = {s.pk: slug for slug, s in schools.items()}
    partners = {
        (slug_by_id[pa.school_id], pa.name): pa
        for pa in Partner.objects.filter(school__network=network)
    }
    FundingAgreement.objects.bulk_create(_funding_rows(rng, plans, partners))

    # Users: the demo password is hashed once (with the configured hasher) and shared.
    password_hash = make_password(DEMO_PASSWORD)
    user_model = get_user_model()
    taken = {account.email for account in DEMO_ACCOUNTS}
    users = [
        user_model(
            email=account.email,
            first_name=account.first_name,
            last_name=account.last_name,
            password=password_hash,
            date_joined=DATE_JOINED,
        )
        for account in DEMO_ACCOUNTS
    ]
    staff_rows: list[tuple[str, StaffPlan]] = []
    for p in plans:
        for staff in p.staff:
            email = _email(staff.first_name, staff.last_name, f"{p.slug}.demo", taken)
            staff_rows.append((p.slug, staff))
            users.append(
                user_model(
                    email=email,
                    first_name=staff.first_name,
                    last_name=staff.last_name,
                    password=password_hash,
                    date_joined=DATE_JOINED,
                )
            )
    users.append(
        user_model(
            email=ADMIN_EMAIL,
            first_name="Admin",
            last_name="Parcours",
            password=password_hash,
            is_staff=True,
            is_superuser=True,
            date_joined=DATE_JOINED,
        )
    )
    user_model.objects.bulk_create(users)
    by_email = user_model.objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).in_bulk(
        field_name="email"
    )

    memberships = []
    for account in DEMO_ACCOUNTS:
        school = schools[account.school_slug] if account.school_slug else None
        partner = (
            partners[(account.school_slug, account.partner_name)] if account.partner_name else None
        )
        memberships.append(
            Membership(
                user=by_email[account.email],
                network=network,
                school=school,
                role=account.role,
                partner=partner,
                job_title=account.job_title,
                active_from=datetime.date(2016, 1, 1),
            )
        )
    staff_emails = [u.email for u in users[len(DEMO_ACCOUNTS) : -1]]
    for email, (slug, staff) in zip(staff_emails, staff_rows, strict=True):
        memberships.append(
            Membership(
                user=by_email[email],
                network=network,
                school=schools[slug],
                role=staff.role,
                job_title=staff.job_title,
                active_from=staff.active_from,
            )
        )
    Membership.objects.bulk_create(memberships)
    build_intake_history(schools[FLAGSHIP_SLUG])
    build_pathway_history(schools[FLAGSHIP_SLUG])
    build_competency_history(schools[FLAGSHIP_SLUG])
    build_schedule_history(schools[FLAGSHIP_SLUG])
    build_companies_history(schools[FLAGSHIP_SLUG])
    build_outcomes_history(schools[FLAGSHIP_SLUG])
    build_rights_history(schools[FLAGSHIP_SLUG])
    flagship_director = Membership.objects.filter(
        school=schools[FLAGSHIP_SLUG], role=Role.DIRECTOR
    ).earliest("active_from", "pk")
    issue_demo_attestations(schools[FLAGSHIP_SLUG], flagship_director)
    build_privacy_history(schools[FLAGSHIP_SLUG], flagship_director)
    build_imports(schools[FLAGSHIP_SLUG], flagship_director)
    build_api(schools[FLAGSHIP_SLUG])
    # Last, so that nothing the builder does afterwards adds to the director's journal.
    build_audit_sample(schools[FLAGSHIP_SLUG])

    summary = demo_summary()
    if summary is None:  # pragma: no cover — the network was created above
        raise RuntimeError("demo network missing after build")
    return summary
