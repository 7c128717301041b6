"""The demo's partner companies and internships for E2C Puy-de-Dôme.

Runs after the schedule history, on every enrolment of the flagship school's Cours Sablon site:

- some 120 partner companies around Clermont-Ferrand: invented names (no real company's),
  sectors in the proportions an E2C meets (retail, hospitality, logistics, building, care,
  cleaning, industry, green spaces, public bodies, associations), sizes, NAF codes that fit,
  valid SIRETs (SIREN and SIRET Luhn keys), addresses in the agglomeration, one to three
  contacts each (tutors, HR, signatories — one person often several), and a relationship
  history from 2016 to today (visits, calls, e-mails, job offers, events, hires);
- an internship for exactly each period of ``schedule_history.demo_internship_periods`` (the
  days the attendance marks "in company"), in a company that hosts the trainee's target job
  (the plan's first target job; a second internship sometimes discovers another trade), with a
  tutor, a company signatory (sometimes two), the job and its ROME code, hours, schedule,
  tasks and goals linked to competencies of the default framework; a few are PMSMP, with the
  prescriber of the trainee's referral;
- every signature of the agreement recorded before the start (school, trainee, the legal
  guardian of a minor — ``LegalGuardian`` rows for every trainee who entered as a minor —,
  company); an internship starting in the coming days may still lack some;
- the tutor's review of a finished internship, mostly through the private link (the link row
  marked used), some entered from a call; the reviews of the internships that ended lately are
  not all in yet (the "overdue reviews"), none for an internship not finished;
- hires after the last internship of some exited trainees, in that internship's company, with
  a "hire" entry in the company's history.

Deterministic (``random.Random(2025)`` and Faker ``fr_FR`` seeded alike), written in a few
``executemany`` statements (``COPY`` on PostgreSQL, see ``schedule_history._insert``), no audit
events, rows dated as they happened.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import random
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from faker import Faker
from stdnum import luhn

from parcours.companies.models import (
    AgreementSignature,
    Company,
    CompanyEvent,
    CompanyEventKind,
    CompanySize,
    Contact,
    ContractType,
    Hire,
    Internship,
    InternshipGoal,
    InternshipKind,
    Rating,
    ReviewCompetency,
    ReviewSource,
    Sector,
    SignatoryRole,
    TutorLink,
    TutorReview,
    WouldHire,
)
from parcours.competencies.models import Competency
from parcours.organisations.models import Membership, Role, School, Site
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment, EnrolmentStatus, TargetJob
from parcours.people.models import GuardianRelation, LegalGuardian, PrivacyNotice, age_on
from parcours.schedule.models import AttendanceMark, AttendanceStatus, Half

from .competency_history import _db_date, default_framework
from .schedule_history import _insert, demo_internship_periods

SEED = 2025
SITE_NAME = "Cours Sablon"
#: The relationship history starts with the first visits of 2016.
HISTORY_START = datetime.date(2016, 1, 4)
#: A tutor link works for this long after it is sent.
LINK_DAYS = 30
#: Share of the internships that are PMSMP (among trainees referred by a prescriber).
PMSMP_SHARE = 0.07
#: Chance that an exited trainee whose last internship ended shortly before the exit was
#: hired by that company.
HIRE_SHARE = 0.25
#: How long before the exit the last internship may end for a hire to follow it.
HIRE_WINDOW = datetime.timedelta(days=45)

RETAIL, HOSPITALITY = Sector.RETAIL.value, Sector.HOSPITALITY.value
BUILDING, INDUSTRY = Sector.BUILDING.value, Sector.INDUSTRY.value
LOGISTICS, CARE = Sector.LOGISTICS.value, Sector.CARE.value
SERVICES, CLEANING = Sector.SERVICES.value, Sector.CLEANING.value
AGRICULTURE, PUBLIC = Sector.AGRICULTURE.value, Sector.PUBLIC.value
NONPROFIT = Sector.NONPROFIT.value
MICRO, SMALL = CompanySize.MICRO.value, CompanySize.SMALL.value
MEDIUM, LARGE = CompanySize.MEDIUM.value, CompanySize.LARGE.value


# ---------------------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Job:
    title: str
    tasks: tuple[str, ...]
    goals: tuple[tuple[str, str], ...]  # (competency code, goal), specific to the job


#: The jobs the internships are in, by ROME code: the plans' target jobs
#: (``pathway_history.TARGET_JOBS``) and a few discovered during a second internship.
JOBS: dict[str, Job] = {
    "N1103": Job(
        "Préparateur·rice de commandes",
        (
            "Préparer les commandes à l'aide du terminal de préparation",
            "Réceptionner et contrôler les marchandises",
            "Ranger les produits en réserve selon les emplacements",
            "Filmer et étiqueter les palettes",
            "Participer à l'inventaire",
        ),
        (
            ("NUM2", "Se repérer dans l'entrepôt et contrôler les quantités"),
            ("DIG1", "Utiliser le terminal de préparation"),
        ),
    ),
    "G1602": Job(
        "Commis de cuisine",
        (
            "Éplucher, laver et tailler les légumes",
            "Préparer les entrées et les desserts du jour",
            "Appliquer les règles d'hygiène (HACCP)",
            "Assurer la plonge et le rangement de la cuisine",
            "Réceptionner et ranger les livraisons",
        ),
        (("NUM2", "Peser et doser selon les fiches techniques"),),
    ),
    "D1507": Job(
        "Employé·e de libre-service",
        (
            "Mettre en rayon et faire le facing",
            "Contrôler les dates limites de consommation",
            "Étiqueter les prix et les promotions",
            "Renseigner et orienter les clients",
            "Tenir une caisse avec la responsable de secteur",
        ),
        (
            ("FR1", "Renseigner les clients avec politesse"),
            ("NUM1", "Contrôler les prix et rendre la monnaie"),
        ),
    ),
    "K2204": Job(
        "Agent·e de propreté",
        (
            "Nettoyer les bureaux, les sanitaires et les parties communes",
            "Utiliser l'autolaveuse et la monobrosse",
            "Respecter les dosages des produits et les consignes de sécurité",
            "Vider les corbeilles et trier les déchets",
            "Remplir la fiche de traçabilité des passages",
        ),
        (("FR2", "Lire les fiches produits et les consignes"),),
    ),
    "J1501": Job(
        "Aide-soignant·e (découverte du métier)",
        (
            "Aider aux soins d'hygiène et de confort avec l'équipe soignante",
            "Servir les repas et aider à leur prise",
            "Accompagner les résidents dans leurs déplacements",
            "Refaire les lits et entretenir les chambres",
            "Participer aux animations de l'après-midi",
        ),
        (
            ("FR1", "Communiquer avec bienveillance avec les résidents"),
            ("FR3", "Rendre compte par écrit sur le cahier de transmissions"),
        ),
    ),
    "F1602": Job(
        "Aide-électricien·ne",
        (
            "Préparer le chantier et le matériel",
            "Passer les gaines et tirer les câbles",
            "Poser les boîtiers, les prises et les interrupteurs",
            "Lire un plan électrique simple avec le chef de chantier",
            "Ranger et nettoyer le chantier en fin de journée",
        ),
        (("NUM2", "Lire un plan simple et prendre des mesures"),),
    ),
    "I1604": Job(
        "Aide-mécanicien·ne automobile",
        (
            "Réaliser les vidanges et changer les filtres",
            "Monter et équilibrer les pneumatiques",
            "Contrôler les niveaux et l'éclairage des véhicules",
            "Assister le mécanicien lors des réparations",
            "Nettoyer l'atelier et ranger l'outillage",
        ),
        (("FR2", "Lire un ordre de réparation"),),
    ),
    "D1106": Job(
        "Vendeur·se en alimentation",
        (
            "Mettre en place la vitrine et les produits",
            "Servir et conseiller les clients",
            "Encaisser les ventes",
            "Appliquer les règles d'hygiène et de traçabilité",
            "Préparer et emballer les commandes",
        ),
        (
            ("FR1", "Accueillir et conseiller les clients"),
            ("NUM1", "Peser, calculer les prix et rendre la monnaie"),
        ),
    ),
    "K1302": Job(
        "Assistant·e de vie aux familles",
        (
            "Accompagner la personne dans les actes de la vie quotidienne",
            "Aider à la préparation et à la prise des repas",
            "Entretenir le logement et le linge",
            "Accompagner aux courses et aux rendez-vous",
            "Rendre compte des interventions sur le cahier de liaison",
        ),
        (
            ("FR1", "Communiquer avec bienveillance avec les personnes accompagnées"),
            ("FR3", "Rendre compte par écrit sur le cahier de liaison"),
        ),
    ),
    "H3302": Job(
        "Opérateur·rice de conditionnement",
        (
            "Alimenter la ligne de conditionnement",
            "Contrôler visuellement la qualité des produits",
            "Emballer, étiqueter et palettiser",
            "Respecter les cadences et les consignes de sécurité",
            "Nettoyer le poste de travail en fin de poste",
        ),
        (("NUM1", "Compter et contrôler les colis"),),
    ),
    "G1803": Job(
        "Serveur·se en restauration",
        (
            "Mettre en place la salle et dresser les tables",
            "Accueillir et installer les clients",
            "Prendre les commandes et servir les plats",
            "Débarrasser et préparer la salle pour le service suivant",
            "Encaisser les additions",
        ),
        (("FR1", "Accueillir les clients et prendre les commandes"),),
    ),
    "M1601": Job(
        "Agent·e d'accueil",
        (
            "Accueillir le public sur place et au téléphone",
            "Renseigner et orienter les visiteurs",
            "Enregistrer les rendez-vous dans l'agenda",
            "Réceptionner et distribuer le courrier",
            "Tenir à jour le registre des visiteurs",
        ),
        (
            ("FR1", "Accueillir et orienter le public"),
            ("DIG1", "Utiliser l'agenda partagé et la messagerie"),
        ),
    ),
    # Trades discovered during a second internship.
    "A1203": Job(
        "Ouvrier·ère paysagiste",
        (
            "Tondre, débroussailler et ramasser les déchets verts",
            "Tailler les haies avec l'équipe",
            "Planter et pailler les massifs",
            "Entretenir le matériel après usage",
        ),
        (),
    ),
    "A1414": Job(
        "Ouvrier·ère maraîcher·ère",
        (
            "Semer, repiquer et désherber",
            "Récolter et conditionner les légumes",
            "Préparer les paniers pour la vente",
            "Arroser et entretenir les serres",
        ),
        (),
    ),
    "F1703": Job(
        "Aide-maçon·ne",
        (
            "Préparer le mortier et approvisionner le poste",
            "Monter des murs en parpaings avec le maçon",
            "Nettoyer et sécuriser le chantier",
        ),
        (),
    ),
    "F1606": Job(
        "Aide-peintre en bâtiment",
        (
            "Protéger les sols et le mobilier",
            "Préparer les supports (rebouchage, ponçage)",
            "Appliquer les sous-couches et les peintures",
        ),
        (),
    ),
    "F1603": Job(
        "Aide-plombier·ère chauffagiste",
        (
            "Préparer le matériel et les pièces",
            "Assister le plombier pour la pose des sanitaires",
            "Découvrir l'entretien des chaudières",
        ),
        (),
    ),
    "D1209": Job(
        "Vendeur·se en fleuristerie",
        (
            "Préparer des compositions simples",
            "Entretenir et arroser les plantes",
            "Accueillir et conseiller les clients",
        ),
        (),
    ),
    "N4105": Job(
        "Livreur·se (en binôme)",
        (
            "Charger le véhicule selon la tournée",
            "Livrer les colis et faire signer les bons",
            "Traiter les retours",
        ),
        (),
    ),
    "G1501": Job(
        "Employé·e d'étage",
        (
            "Faire les chambres selon les standards de l'hôtel",
            "Réapprovisionner les produits d'accueil",
            "Nettoyer les parties communes",
        ),
        (),
    ),
    "K2304": Job(
        "Agent·e de tri et de valorisation",
        (
            "Trier les objets collectés",
            "Nettoyer et tester les appareils",
            "Mettre en rayon à la boutique solidaire",
        ),
        (),
    ),
}
#: Goals any internship can have (competency code, goal).
COMMON_GOALS = (
    ("PRO1", "Respecter les horaires, la tenue et les consignes de sécurité"),
    ("EQ1", "S'intégrer dans l'équipe et demander de l'aide à bon escient"),
    ("ORG2", "Mener les tâches confiées jusqu'au bout, en autonomie"),
    ("ORG1", "Être ponctuel·le et prévenir en cas d'absence"),
)
PROJECT_GOAL = ("PROJ1", "Confirmer son projet professionnel dans le métier")
DISCOVERY_GOAL = ("PROJ1", "Découvrir le métier et vérifier son intérêt pour lui")
DISCOVERY_JOBS = ("A1203", "A1414", "F1703", "F1606", "F1603", "D1209", "N4105", "G1501", "K2304")


@dataclass(frozen=True)
class Kind:
    """A kind of company: its sector, NAF code, sizes (with weights) and the jobs it hosts."""

    sector: str
    naf: str
    sizes: tuple[str, ...]
    jobs: tuple[str, ...]
    zone: bool = False  # in an industrial or business park


KINDS: dict[str, Kind] = {
    "hyper": Kind(RETAIL, "47.11F", (LARGE,), ("D1507", "D1106", "N1103", "M1601")),
    "super": Kind(RETAIL, "47.11D", (MEDIUM, MEDIUM, SMALL), ("D1507", "D1106", "N1103")),
    "grocer": Kind(RETAIL, "47.11B", (MICRO, SMALL), ("D1507", "D1106")),
    "bakery": Kind(RETAIL, "10.71C", (MICRO, MICRO, SMALL), ("D1106",)),
    "butcher": Kind(RETAIL, "47.22Z", (MICRO,), ("D1106",)),
    "diy": Kind(RETAIL, "47.52B", (MEDIUM,), ("D1507", "N1103", "M1601"), zone=True),
    "garden_centre": Kind(RETAIL, "47.76Z", (SMALL,), ("D1507", "D1209")),
    "discount": Kind(RETAIL, "47.19B", (SMALL,), ("D1507", "N1103")),
    "clothes": Kind(RETAIL, "47.71Z", (SMALL, MICRO), ("D1507", "M1601")),
    "homeware": Kind(RETAIL, "47.59B", (MEDIUM, SMALL), ("D1507", "N1103"), zone=True),
    "car_dealer": Kind(RETAIL, "45.11Z", (SMALL, MEDIUM), ("I1604", "M1601"), zone=True),
    "florist": Kind(RETAIL, "47.76Z", (MICRO,), ("D1209",)),
    "restaurant": Kind(HOSPITALITY, "56.10A", (MICRO, SMALL), ("G1602", "G1803")),
    "fast_food": Kind(HOSPITALITY, "56.10C", (SMALL, MICRO), ("G1602", "G1803")),
    "catering": Kind(HOSPITALITY, "56.29A", (MEDIUM, SMALL), ("G1602", "K2204"), zone=True),
    "hotel": Kind(HOSPITALITY, "55.10Z", (SMALL, MEDIUM), ("M1601", "G1803", "G1501", "K2204")),
    "warehouse": Kind(LOGISTICS, "52.10B", (MEDIUM, LARGE, SMALL), ("N1103", "H3302"), zone=True),
    "cold_store": Kind(LOGISTICS, "52.10A", (MEDIUM,), ("N1103",), zone=True),
    "wholesale": Kind(LOGISTICS, "46.39B", (MEDIUM,), ("N1103", "H3302"), zone=True),
    "freight": Kind(LOGISTICS, "49.41A", (SMALL, MEDIUM), ("N1103", "N4105"), zone=True),
    "courier": Kind(LOGISTICS, "53.20Z", (SMALL,), ("N4105", "N1103")),
    "removals": Kind(LOGISTICS, "49.42Z", (SMALL,), ("N4105",)),
    "electrician": Kind(BUILDING, "43.21A", (MICRO, SMALL, SMALL), ("F1602",)),
    "builder": Kind(BUILDING, "41.20A", (SMALL, MEDIUM), ("F1602", "F1703"), zone=True),
    "mason": Kind(BUILDING, "43.99C", (SMALL, MICRO), ("F1703",)),
    "plumber": Kind(BUILDING, "43.22A", (MICRO, SMALL), ("F1603",)),
    "painter": Kind(BUILDING, "43.34Z", (SMALL,), ("F1606",)),
    "nursing_home": Kind(CARE, "87.10A", (MEDIUM, SMALL), ("J1501", "K1302", "K2204", "G1602")),
    "home_help": Kind(CARE, "88.10A", (SMALL, MEDIUM), ("K1302",)),
    "clinic": Kind(CARE, "86.10Z", (LARGE, MEDIUM), ("J1501", "K2204", "M1601")),
    "cleaning": Kind(CLEANING, "81.21Z", (SMALL, MEDIUM, MICRO), ("K2204",)),
    "industrial_cleaning": Kind(CLEANING, "81.22Z", (SMALL, MEDIUM), ("K2204",), zone=True),
    "meat_products": Kind(INDUSTRY, "10.13A", (MEDIUM,), ("H3302", "N1103"), zone=True),
    "cheese": Kind(INDUSTRY, "10.51C", (MEDIUM, LARGE), ("H3302",), zone=True),
    "biscuits": Kind(INDUSTRY, "10.72Z", (SMALL, MEDIUM), ("H3302", "N1103"), zone=True),
    "cannery": Kind(INDUSTRY, "10.39A", (MEDIUM,), ("H3302",), zone=True),
    "plastics": Kind(INDUSTRY, "22.22Z", (MEDIUM,), ("H3302", "N1103"), zone=True),
    "cardboard": Kind(INDUSTRY, "17.21B", (MEDIUM, SMALL), ("H3302",), zone=True),
    "rubber": Kind(INDUSTRY, "22.19Z", (LARGE,), ("H3302", "N1103"), zone=True),
    "machining": Kind(INDUSTRY, "25.62B", (SMALL, MEDIUM), ("H3302",), zone=True),
    "cutlery": Kind(INDUSTRY, "25.71Z", (SMALL,), ("H3302",)),
    "cosmetics": Kind(INDUSTRY, "20.42Z", (MEDIUM,), ("H3302", "N1103"), zone=True),
    "landscaper": Kind(AGRICULTURE, "81.30Z", (MICRO, SMALL), ("A1203",)),
    "market_garden": Kind(AGRICULTURE, "01.13Z", (MICRO,), ("A1414", "D1106")),
    "nursery": Kind(AGRICULTURE, "01.30Z", (SMALL,), ("A1414", "D1209")),
    "garage": Kind(SERVICES, "45.20A", (MICRO, SMALL), ("I1604",)),
    "call_centre": Kind(SERVICES, "82.20Z", (MEDIUM,), ("M1601",), zone=True),
    "laundry": Kind(SERVICES, "96.01A", (MEDIUM,), ("H3302", "K2204"), zone=True),
    "social_centre": Kind(PUBLIC, "88.99B", (MEDIUM,), ("M1601", "K1302")),
    "school_catering": Kind(PUBLIC, "56.29B", (MEDIUM,), ("G1602", "K2204")),
    "technical_services": Kind(PUBLIC, "84.11Z", (MEDIUM, LARGE), ("A1203", "K2204", "M1601")),
    "hospital": Kind(PUBLIC, "86.10Z", (LARGE,), ("J1501", "K2204", "M1601")),
    "tourist_office": Kind(PUBLIC, "79.90Z", (SMALL,), ("M1601",)),
    "swimming_pools": Kind(PUBLIC, "93.11Z", (MEDIUM,), ("M1601", "K2204")),
    "recycling": Kind(NONPROFIT, "47.79Z", (SMALL,), ("K2304", "D1507", "N1103")),
    "food_bank": Kind(NONPROFIT, "88.99B", (SMALL,), ("D1507", "M1601")),
    "integration_site": Kind(NONPROFIT, "88.99B", (SMALL,), ("A1414", "A1203")),
    "home_help_assoc": Kind(NONPROFIT, "88.10A", (MEDIUM,), ("K1302",)),
    "neighbourhood": Kind(NONPROFIT, "88.99B", (SMALL,), ("M1601", "K2204")),
    "sports_club": Kind(NONPROFIT, "93.12Z", (SMALL,), ("M1601", "K2204")),
}

#: The partner companies: (kind, invented name). None is a real company.
COMPANIES: tuple[tuple[str, str], ...] = (
    # Retail (24)
    ("hyper", "Hypermarché Les Arvernes"),
    ("super", "Supermarché Cap Limagne"),
    ("super", "Marché Frais de la Plaine"),
    ("super", "Super Dômes Alimentation"),
    ("super", "Halles Fraîcheur du Val d'Allier"),
    ("grocer", "Épicerie Montferrandaise"),
    ("grocer", "Alimentation Générale de la Tiretaine"),
    ("grocer", "Le Panier du Bédat"),
    ("bakery", "Boulangerie des Volcans"),
    ("bakery", "Au Fournil de Gergovie"),
    ("bakery", "Boulangerie-Pâtisserie du Pariou"),
    ("bakery", "Maison Chabrol, artisan boulanger"),
    ("bakery", "Le Pain d'Artière"),
    ("bakery", "La Mie Auvergnate"),
    ("butcher", "Boucherie-Charcuterie du Sancy"),
    ("butcher", "Boucherie Besseyre et Fils"),
    ("diy", "Brico Dômes Matériaux"),
    ("garden_centre", "Jardinerie des Combrailles"),
    ("discount", "Discount de la Limagne"),
    ("clothes", "Textiles et Mode de Jaude"),
    ("homeware", "Maison et Déco Arverne"),
    ("car_dealer", "Auvergne Autos Occasions"),
    ("car_dealer", "Concession Automobile du Livradois"),
    ("florist", "Fleurs et Jardins de Montjuzet"),
    # Hospitality (16)
    ("restaurant", "Le Bouchon Montferrandais"),
    ("restaurant", "Restaurant La Tiretaine"),
    ("restaurant", "L'Assiette Arverne"),
    ("restaurant", "Le Comptoir des Dômes"),
    ("restaurant", "Brasserie des Salins"),
    ("restaurant", "Le Relais de la Chaîne des Puys"),
    ("fast_food", "Burger Arverne"),
    ("fast_food", "Pizzeria du Sancy"),
    ("fast_food", "Crêperie de Montferrand"),
    ("catering", "Restauration Collective des Volcans"),
    ("catering", "Cuisine Centrale Limagne Restauration"),
    ("catering", "Repas d'Auvergne Services"),
    ("hotel", "Hôtel du Parc de Montjuzet"),
    ("hotel", "Hôtel Le Pariou"),
    ("hotel", "Résidence Hôtelière Les Puys"),
    ("hotel", "Hôtel-Restaurant Le Sancy Gourmand"),
    # Logistics (12)
    ("warehouse", "Entrepôts de la Limagne"),
    ("warehouse", "Plateforme Logistique Arverne"),
    ("warehouse", "Auvergne Stockage Services"),
    ("warehouse", "Logistique du Brézet"),
    ("cold_store", "Entrepôts Frigorifiques du Val d'Allier"),
    ("wholesale", "Volcans Distribution Alimentaire"),
    ("freight", "Transports Dômes Logistique"),
    ("freight", "Transports Chassagne et Cie"),
    ("freight", "Auvergne Fret Express"),
    ("courier", "Coursiers Clermontois"),
    ("courier", "Express Livraison Dômes"),
    ("removals", "Déménagements de la Comté"),
    # Building (12)
    ("electrician", "Électricité Générale Arverne"),
    ("electrician", "Élec'Dômes"),
    ("electrician", "Marquet Électricité"),
    ("electrician", "Lumière et Réseaux d'Auvergne"),
    ("electrician", "Volcans Élec Services"),
    ("electrician", "Énergies Bâtiment Limagne"),
    ("builder", "Bâtir en Limagne"),
    ("builder", "Constructions du Bédat"),
    ("mason", "Maçonnerie Roux et Fils"),
    ("plumber", "Plomberie Chauffage des Dômes"),
    ("plumber", "Thermique Service Auvergne"),
    ("painter", "Peintures et Façades du Livradois"),
    # Care (13)
    ("nursing_home", "EHPAD Les Tilleuls"),
    ("nursing_home", "Résidence Les Jardins d'Artière"),
    ("nursing_home", "EHPAD Le Clos des Vignes"),
    ("nursing_home", "Résidence Le Bel Âge"),
    ("nursing_home", "EHPAD La Roseraie du Val"),
    ("nursing_home", "Résidence Les Coteaux de Chanturgue"),
    ("home_help", "Aide et Présence Dômes"),
    ("home_help", "Domicile Services Arverne"),
    ("home_help", "Vivre Chez Soi en Limagne"),
    ("home_help", "Les Auxiliaires de Vie du Sancy"),
    ("home_help", "Ensemble à Domicile 63"),
    ("clinic", "Clinique du Val de Tiretaine"),
    ("clinic", "Centre de Soins de Suite Les Volcans"),
    # Cleaning (9)
    ("cleaning", "Propreté Services Auvergne"),
    ("cleaning", "Net'Dômes"),
    ("cleaning", "Clair Net Clermont"),
    ("cleaning", "Arverne Propreté"),
    ("cleaning", "Brillance Services 63"),
    ("cleaning", "Éclat Multiservices"),
    ("cleaning", "Vitres et Sols du Puy"),
    ("industrial_cleaning", "Limagne Nettoyage Industriel"),
    ("industrial_cleaning", "Hygiène Industrielle du Brézet"),
    # Industry (11)
    ("meat_products", "Salaisons de la Comté"),
    ("cheese", "Fromagerie Industrielle du Sancy"),
    ("biscuits", "Biscuiterie des Puys"),
    ("cannery", "Conserverie de Limagne"),
    ("plastics", "Plasturgie Arverne"),
    ("cardboard", "Cartonnages du Val d'Allier"),
    ("cardboard", "Emballages de la Limagne"),
    ("rubber", "Caoutchoucs Techniques de Gerzat"),
    ("machining", "Mécanique de Précision Thiernoise"),
    ("cutlery", "Coutellerie Industrielle de la Durolle"),
    ("cosmetics", "Cosmétiques des Sources d'Auvergne"),
    # Agriculture and green spaces (6)
    ("landscaper", "Jardins et Paysages d'Auvergne"),
    ("landscaper", "Paysages du Bédat"),
    ("landscaper", "Espaces Verts de la Limagne"),
    ("landscaper", "Nature et Jardins Arvernes"),
    ("market_garden", "EARL Les Maraîchers de la Plaine"),
    ("nursery", "Pépinières de la Comté"),
    # Services (7)
    ("garage", "Garage des Dômes"),
    ("garage", "Garage Moderne de Cébazat"),
    ("garage", "Auto Services Aubière"),
    ("garage", "Garage Chabrier et Fils"),
    ("garage", "Centre Auto Rapide Limagne"),
    ("call_centre", "Relation Client Auvergne"),
    ("laundry", "Blanchisserie Industrielle des Volcans"),
    # Public bodies (6)
    ("social_centre", "Centre intercommunal d'action sociale des Combrailles"),
    ("school_catering", "Syndicat intercommunal de restauration scolaire du Val d'Allier"),
    ("technical_services", "Services techniques intercommunaux de la Plaine"),
    ("hospital", "Centre hospitalier de la Limagne"),
    ("tourist_office", "Office de tourisme des Puys"),
    ("swimming_pools", "Régie des piscines de l'agglomération"),
    # Associations (6)
    ("recycling", "Ressourcerie des Dômes"),
    ("food_bank", "Épicerie solidaire Le Panier Partagé"),
    ("integration_site", "Chantier d'insertion Les Jardins de la Tiretaine"),
    ("home_help_assoc", "Association Familles à Domicile 63"),
    ("neighbourhood", "Association Vivre Ensemble aux Salins"),
    ("sports_club", "Club Omnisports Arverne"),
)


@dataclass(frozen=True)
class Commune:
    name: str
    postcode: str
    weight: int
    zone: str = ""  # a business park of the commune


COMMUNES = (
    Commune("Clermont-Ferrand", "63000", 26),
    Commune("Clermont-Ferrand", "63100", 20, "zone industrielle du Brézet"),
    Commune("Aubière", "63170", 6, "zone d'activités des Varennes"),
    Commune("Beaumont", "63110", 3),
    Commune("Cournon-d'Auvergne", "63800", 7, "zone d'activités de Sarliève"),
    Commune("Riom", "63200", 6, "zone industrielle de Layat"),
    Commune("Chamalières", "63400", 4),
    Commune("Lempdes", "63370", 4, "zone d'activités des Ribes"),
    Commune("Gerzat", "63360", 5, "parc logistique de la Limagne"),
    Commune("Cébazat", "63118", 3, "zone d'activités des Montels"),
    Commune("Pont-du-Château", "63430", 3, "zone d'activités de la Croix-Blanche"),
    Commune("Issoire", "63500", 3, "zone industrielle des Listes"),
    Commune("Thiers", "63300", 3, "zone industrielle de Felet"),
    Commune("Aulnat", "63510", 2, "zone d'activités de l'aéroport"),
    Commune("Romagnat", "63540", 1),
    Commune("Royat", "63130", 1),
    Commune("Ceyrat", "63122", 1),
    Commune("Le Cendre", "63670", 1),
    Commune("Blanzat", "63112", 1),
    Commune("Châtel-Guyon", "63140", 1),
    Commune("Vic-le-Comte", "63270", 1),
)

#: Contacts' job titles by role in the company: (signatory, tutor, HR).
BOSS_TITLES = {
    MICRO: ("Gérant·e",),
    SMALL: ("Gérant·e", "Directeur·rice"),
    MEDIUM: ("Directeur·rice", "Directeur·rice d'établissement"),
    LARGE: ("Directeur·rice du site", "Directeur·rice d'établissement"),
}
PUBLIC_BOSS = ("Directeur·rice général·e des services", "Directeur·rice")
NONPROFIT_BOSS = ("Président·e", "Directeur·rice")
HR_TITLES = ("Responsable des ressources humaines", "Chargé·e de recrutement", "Assistant·e RH")
TUTOR_TITLES = {
    RETAIL: ("Responsable de rayon", "Adjoint·e de magasin", "Vendeur·se confirmé·e"),
    HOSPITALITY: ("Chef·fe de cuisine", "Maître·sse d'hôtel", "Gouvernant·e"),
    LOGISTICS: ("Chef·fe d'équipe", "Responsable d'entrepôt", "Chef·fe de quai"),
    BUILDING: ("Chef·fe de chantier", "Chef·fe d'équipe", "Compagnon·ne"),
    CARE: ("Infirmier·ère coordinateur·rice", "Responsable de secteur", "Aide-soignant·e"),
    CLEANING: ("Chef·fe d'équipe", "Responsable de secteur", "Inspecteur·rice de site"),
    INDUSTRY: ("Chef·fe d'atelier", "Chef·fe d'équipe", "Responsable de production"),
    AGRICULTURE: ("Chef·fe d'équipe", "Chef·fe de culture", "Ouvrier·ère qualifié·e"),
    SERVICES: ("Chef·fe d'atelier", "Responsable d'équipe", "Technicien·ne"),
    PUBLIC: ("Responsable de service", "Agent·e de maîtrise", "Chef·fe d'équipe"),
    NONPROFIT: ("Coordinateur·rice", "Encadrant·e technique", "Animateur·rice"),
}

#: Daily schedules (Monday to Friday) by weekly hours; 35 h by sector.
SCHEDULES_35 = {
    RETAIL: "Du lundi au vendredi, 7 h 30 – 12 h et 14 h – 16 h 30",
    HOSPITALITY: "Du lundi au vendredi, 9 h 30 – 14 h 30 et 18 h – 20 h",
    LOGISTICS: "Du lundi au vendredi, 6 h – 13 h",
    BUILDING: "Du lundi au vendredi, 8 h – 12 h et 13 h – 16 h",
    CARE: "Du lundi au vendredi, 7 h – 14 h",
    CLEANING: "Du lundi au vendredi, 6 h – 9 h et 17 h – 21 h",
    INDUSTRY: "Du lundi au vendredi, 8 h – 12 h et 12 h 45 – 15 h 45",
    AGRICULTURE: "Du lundi au vendredi, 7 h 30 – 12 h et 13 h 30 – 16 h",
    SERVICES: "Du lundi au vendredi, 8 h – 12 h et 14 h – 17 h",
    PUBLIC: "Du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h",
    NONPROFIT: "Du lundi au vendredi, 9 h – 12 h 30 et 13 h 30 – 17 h",
}
SCHEDULES = {
    "32.5": "Du lundi au vendredi, 8 h 30 – 12 h et 13 h – 16 h",
    "30": "Du lundi au vendredi, 9 h – 12 h et 13 h – 16 h",
    "25": "Du lundi au vendredi, 8 h 30 – 13 h 30",
}
HOURS = (("35", 82), ("32.5", 5), ("30", 8), ("25", 5))

#: Relationship history: (kind, weight, summaries).
EVENT_KINDS = (
    (
        CompanyEventKind.CALL.value,
        35,
        (
            "Point téléphonique sur les besoins de recrutement du semestre.",
            "Appel pour proposer l'accueil d'un·e stagiaire de l'E2C.",
            "Appel de suivi : l'entreprise peut accueillir de nouveaux stagiaires.",
            "Échange sur le calendrier des périodes de stage à venir.",
        ),
    ),
    (
        CompanyEventKind.EMAIL.value,
        20,
        (
            "Envoi de la plaquette de l'E2C et du calendrier des stages.",
            "Échange de courriels pour organiser l'accueil d'un·e stagiaire.",
            "Envoi des conventions de stage à signer.",
        ),
    ),
    (
        CompanyEventKind.VISIT.value,
        15,
        (
            "Visite de l'entreprise : présentation des postes accessibles aux stagiaires.",
            "Visite avec un groupe de stagiaires (découverte des métiers).",
            "Rencontre avec la direction pour faire le point sur le partenariat.",
        ),
    ),
    (
        CompanyEventKind.JOB_OFFER.value,
        12,
        (
            "Offre d'emploi reçue ({job}, CDD de 6 mois), diffusée aux stagiaires.",
            "Offre reçue : {job} en CDI, temps plein.",
            "Offre d'apprentissage reçue ({job}), à pourvoir à la rentrée.",
            "Offre de mission d'intérim reçue ({job}).",
        ),
    ),
    (
        CompanyEventKind.EVENT.value,
        8,
        (
            "Participation au job dating de l'E2C à Cours Sablon.",
            "Présence au forum emploi de la métropole, sur le stand de l'E2C.",
            "Simulations d'entretiens d'embauche avec les stagiaires.",
        ),
    ),
    (
        CompanyEventKind.OTHER.value,
        5,
        (
            "Mise à jour des coordonnées des contacts.",
            "Invitation à la cérémonie de remise des attestations de compétences.",
        ),
    ),
)
FIRST_VISIT = "Première visite : présentation de l'E2C, de ses stagiaires et des stages."
INTERNSHIP_VISIT = (
    "Visite de stage : bonne intégration dans l'équipe, consignes bien suivies.",
    "Visite de stage : le tuteur souligne la ponctualité, la cadence est à travailler.",
    "Visite de stage : point tripartite avec la tutrice, objectifs confirmés.",
    "Visite de stage : quelques retards évoqués, un rappel a été fait.",
)

COMMENTS = {
    "good": (
        "Stagiaire motivé·e et souriant·e, très bonne intégration dans l'équipe.",
        "A progressé rapidement, autonome sur les tâches de base en fin de stage.",
        "Sérieux·se et volontaire ; nous sommes prêts à l'accueillir de nouveau.",
        "Très bon contact avec la clientèle, à encourager dans ce métier.",
        "Respect des consignes irréprochable, un vrai plaisir de travailler avec lui ou elle.",
    ),
    "fair": (
        "Bonne volonté, mais doit gagner en rythme et en autonomie.",
        "Quelques retards en début de stage, corrigés ensuite.",
        "Doit oser poser des questions quand une consigne n'est pas claire.",
        "Travail correct ; le projet dans ce métier reste à confirmer.",
    ),
    "poor": (
        "Absences non justifiées et retards répétés ; le stage a été difficile.",
        "Manque d'intérêt pour les tâches confiées, à retravailler avec l'école.",
    ),
}
REVIEW_CALL_NOTE = "Bilan recueilli par téléphone auprès du tuteur ou de la tutrice."

#: Contract weights by sector: (contract, weight, months (low, high) when it has a length).
CONTRACTS: dict[str, tuple[tuple[str, int, tuple[int, int] | None], ...]] = {
    "default": (
        (ContractType.CDD.value, 40, (3, 12)),
        (ContractType.CDI.value, 20, None),
        (ContractType.INTERIM.value, 15, (1, 6)),
        (ContractType.APPRENTICESHIP.value, 15, None),
        (ContractType.PROFESSIONALISATION.value, 5, None),
        (ContractType.SEASONAL.value, 5, (2, 4)),
    ),
    LOGISTICS: (
        (ContractType.INTERIM.value, 45, (1, 6)),
        (ContractType.CDD.value, 30, (3, 12)),
        (ContractType.CDI.value, 20, None),
        (ContractType.PROFESSIONALISATION.value, 5, None),
    ),
    INDUSTRY: (
        (ContractType.INTERIM.value, 40, (1, 6)),
        (ContractType.CDD.value, 30, (3, 12)),
        (ContractType.CDI.value, 20, None),
        (ContractType.APPRENTICESHIP.value, 10, None),
    ),
    BUILDING: (
        (ContractType.APPRENTICESHIP.value, 55, None),
        (ContractType.CDD.value, 20, (3, 12)),
        (ContractType.CDI.value, 15, None),
        (ContractType.INTERIM.value, 10, (1, 6)),
    ),
    CARE: (
        (ContractType.CDD.value, 45, (3, 12)),
        (ContractType.CDI.value, 35, None),
        (ContractType.PROFESSIONALISATION.value, 20, None),
    ),
    CLEANING: (
        (ContractType.CDI.value, 45, None),
        (ContractType.CDD.value, 45, (3, 12)),
        (ContractType.INTERIM.value, 10, (1, 6)),
    ),
    PUBLIC: (
        (ContractType.SUBSIDISED.value, 60, (6, 12)),
        (ContractType.CDD.value, 40, (3, 12)),
    ),
    NONPROFIT: (
        (ContractType.SUBSIDISED.value, 60, (6, 12)),
        (ContractType.CDD.value, 40, (3, 12)),
    ),
}
HIRE_EVENT = "Embauche d'un·e ancien·ne stagiaire de l'E2C : {contract}, poste de {job}."


# ---------------------------------------------------------------------------- helpers


def _ascii(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_text.lower()).strip("-")


def _domain(name: str) -> str:
    words = [w for w in _ascii(name).split("-") if w and w not in {"et", "de", "du", "des", "la"}]
    return "-".join(words[:4]) + ".example"


def make_siret(rng: random.Random, first: str) -> str:
    """A SIRET with valid keys: a SIREN (8 digits starting with ``first`` and its Luhn key)
    followed by an NIC (4 digits and the key that makes the 14 digits Luhn-valid)."""
    body = first + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(first)))
    siren = body + luhn.calc_check_digit(body)
    nic = f"{rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 12, 21]):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max((end - start).days, 0)))


@functools.cache
def _db_moment(day: datetime.date, hour: int, minute: int = 0) -> object:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    return connection.ops.adapt_datetimefield_value(moment)


def _insert_rows(model, school: School, fields: tuple[str, ...], rows: list[tuple]) -> list[int]:
    """Insert ``rows`` (in order) and return their primary keys, in the same order."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert(model, fields, rows)
    pks = list(
        model.objects.filter(school=school, pk__gt=last).order_by("pk").values_list("pk", flat=True)
    )
    if len(pks) != len(rows):  # pragma: no cover — a concurrent writer during the build
        raise RuntimeError(f"demo {model.__name__}: unexpected rows in the table")
    return pks


# ---------------------------------------------------------------------------- the plan


@dataclass(eq=False)
class _Contact:
    first_name: str
    last_name: str
    job_title: str
    email: str
    phone: str
    is_tutor: bool = False
    is_hr: bool = False
    is_signatory: bool = False
    active: bool = True
    pk: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(eq=False)
class _Company:
    name: str
    kind: Kind
    size: str
    siret: str
    commune: Commune
    address: str
    phone: str
    email: str
    website: str
    since: datetime.date
    archived_on: datetime.date | None = None
    contacts: list[_Contact] = field(default_factory=list)
    busy: list[tuple[datetime.date, datetime.date]] = field(default_factory=list)
    pk: int = 0

    @property
    def capacity(self) -> int:
        return {MICRO: 1, SMALL: 2, MEDIUM: 3, LARGE: 5}[self.size]

    def free(self, start: datetime.date, end: datetime.date) -> bool:
        overlapping = sum(1 for a, b in self.busy if a <= end and start <= b)
        return overlapping < self.capacity

    def open_on(self, start: datetime.date, end: datetime.date) -> bool:
        return self.since <= start - datetime.timedelta(days=21) and (
            self.archived_on is None or end < self.archived_on
        )


@dataclass(eq=False)
class _Internship:
    enrolment: Enrolment
    company: _Company
    code: str
    start: datetime.date
    end: datetime.date
    kind: str
    tutor: _Contact
    signatory: _Contact
    second: _Contact | None
    prescriber_id: int | None
    hours: str
    tasks: list[str]
    goals: list[tuple[int, str]]  # (competency pk, description)
    created_on: datetime.date
    created_by: int
    pk: int = 0


class _Phones:
    """Numbers the ARCEP reserves for works of fiction (04 65 71 and 06 39 98)."""

    def __init__(self) -> None:
        self.landline = 8000
        self.mobile = 0

    def office(self) -> str:
        self.landline += 1
        return f"+3346571{self.landline % 10000:04d}"

    def cell(self) -> str:
        self.mobile += 1
        return f"+3363998{self.mobile % 10000:04d}"


def _plan_companies(
    rng: random.Random, fake: Faker, phones: _Phones, today: datetime.date
) -> list[_Company]:
    companies: list[_Company] = []
    sirets: set[str] = set()
    weights = [c.weight for c in COMMUNES]
    for kind_name, name in COMPANIES:
        kind = KINDS[kind_name]
        size = rng.choice(kind.sizes)
        first = (
            "2"
            if kind.sector == PUBLIC
            else rng.choice(["77", "78", "79", "4", "5"])
            if kind.sector == NONPROFIT
            else str(rng.randint(3, 9))
        )
        siret = make_siret(rng, first)
        while siret in sirets:  # pragma: no cover — a clash of 8 random digits
            siret = make_siret(rng, first)
        sirets.add(siret)
        commune = rng.choices(COMMUNES, weights=weights)[0]
        if kind.zone and not commune.zone:
            commune = rng.choice([c for c in COMMUNES if c.zone])
        street = f"{rng.randint(1, 120)} {fake.street_name()}"
        address = f"{street}, {commune.zone}" if kind.zone else street
        domain = _domain(name)
        # Most partners go back to the first years of the history; a few came lately.
        roll = rng.random()
        if roll < 0.55:
            since = _between(rng, HISTORY_START, datetime.date(2016, 12, 15))
        elif roll < 0.75:
            since = _between(rng, datetime.date(2017, 1, 2), datetime.date(2017, 12, 15))
        elif roll < 0.92:
            since = _between(rng, datetime.date(2018, 1, 2), datetime.date(2019, 6, 28))
        else:
            since = _between(rng, datetime.date(2020, 1, 6), today - datetime.timedelta(days=120))
        companies.append(
            _Company(
                name=name,
                kind=kind,
                size=size,
                siret=siret,
                commune=commune,
                address=address,
                phone=phones.office(),
                email=f"contact@{domain}" if rng.random() < 0.85 else "",
                website=f"https://www.{domain}" if rng.random() < 0.6 else "",
                since=_weekday_on_or_after(since),
            )
        )
        companies[-1].contacts = _plan_contacts(rng, fake, phones, companies[-1], domain)
    # A few partners closed or stopped working with the school (archived).
    old = [c for c in companies if c.since.year == 2016 and c.size in (MICRO, SMALL)]
    for company in rng.sample(old, k=min(4, len(old))):
        company.archived_on = _between(rng, datetime.date(2021, 1, 4), datetime.date(2024, 6, 28))
    return companies


def _plan_contacts(
    rng: random.Random, fake: Faker, phones: _Phones, company: _Company, domain: str
) -> list[_Contact]:
    sector = company.kind.sector
    emails: set[str] = set()

    def person(title: str, **roles: bool) -> _Contact:
        female = rng.random() < 0.5
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        base = f"{_ascii(first)}.{_ascii(last)}".replace("-", "")
        email = f"{base}@{domain}"
        if email in emails:
            email = f"{base}2@{domain}"
        emails.add(email)
        # Tutors always have one: the review link is sent by e-mail.
        keeps_email = rng.random() < 0.9 or roles.get("is_tutor", False)
        return _Contact(
            first_name=first,
            last_name=last,
            job_title=title,
            email=email if keeps_email else "",
            phone=phones.cell() if rng.random() < 0.7 else phones.office(),
            **roles,
        )

    if sector == PUBLIC:
        boss_titles = PUBLIC_BOSS
    elif sector == NONPROFIT:
        boss_titles = NONPROFIT_BOSS
    else:
        boss_titles = BOSS_TITLES[company.size]
    tutor_title = rng.choice(TUTOR_TITLES[sector])
    boss_title = rng.choice(boss_titles)
    if company.size == MICRO:
        contacts = [person(boss_title, is_tutor=True, is_signatory=True, is_hr=True)]
        if rng.random() < 0.35:
            contacts.append(person(tutor_title, is_tutor=True))
    elif company.size == SMALL:
        contacts = [person(boss_title, is_signatory=True, is_hr=True, is_tutor=rng.random() < 0.4)]
        contacts.append(person(tutor_title, is_tutor=True))
        if rng.random() < 0.3:
            contacts.append(person(rng.choice(TUTOR_TITLES[sector]), is_tutor=True))
    else:
        contacts = [person(boss_title, is_signatory=True)]
        hr_signs = company.size == LARGE or rng.random() < 0.4
        contacts.append(person(rng.choice(HR_TITLES), is_hr=True, is_signatory=hr_signs))
        contacts.append(person(tutor_title, is_tutor=True))
    # A tutor who left the company (kept for the history).
    if len(contacts) >= 2 and contacts[-1].is_tutor and rng.random() < 0.08:
        contacts.append(person(rng.choice(TUTOR_TITLES[sector]), is_tutor=True))
        contacts[-2].active = False
    return contacts


def _target_jobs(school: School) -> dict[int, list[str]]:
    """The ROME codes of each enrolment's latest plan's target jobs, in order."""
    latest: dict[int, tuple[int, list[str]]] = {}
    rows = (
        TargetJob.objects.filter(plan__school=school)
        .order_by("plan__enrolment_id", "plan__version", "pk")
        .values_list("plan__enrolment_id", "plan__version", "rome_code")
    )
    for enrolment_id, version, code in rows:
        known = latest.get(enrolment_id)
        if known is None or known[0] < version:
            latest[enrolment_id] = (version, [code])
        elif known[0] == version:
            known[1].append(code)
    return {pk: codes for pk, (_version, codes) in latest.items()}


def _pick_company(
    rng: random.Random,
    hosts: dict[str, list[_Company]],
    code: str,
    start: datetime.date,
    end: datetime.date,
    current: bool,
) -> _Company:
    """A company that hosts ``code``, open and with room on those dates (bigger companies
    take more trainees); the earliest partner for that job when none is (it then becomes a
    partner before)."""
    candidates = [c for c in hosts[code] if c.open_on(start, end) and c.free(start, end)]
    if current:
        candidates = [c for c in candidates if c.archived_on is None]
    if not candidates:  # all busy: the least busy one takes one more
        candidates = [c for c in hosts[code] if c.open_on(start, end)]
        if candidates:
            return min(candidates, key=lambda c: (len(c.busy), c.since))
    if candidates:
        return rng.choices(candidates, weights=[c.capacity for c in candidates])[0]
    company = min(
        (c for c in hosts[code] if c.archived_on is None or end < c.archived_on),
        key=lambda c: c.since,
    )
    earlier = _weekday_on_or_after(start - datetime.timedelta(days=rng.randint(28, 60)))
    company.since = min(company.since, earlier)
    return company


# ---------------------------------------------------------------------------- the build


def build_companies_history(school: School, today: datetime.date | None = None) -> dict[str, int]:
    """Write ``school``'s partner companies, their contacts and history, the internships of its
    Cours Sablon trainees with their agreements, goals and reviews, the legal guardians of the
    minors, and the hires."""
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    _db_moment.cache_clear()
    _db_date.cache_clear()
    phones = _Phones()
    site = Site.objects.get(school=school, name=SITE_NAME)
    enrolments = list(
        Enrolment.objects.filter(school=school, site=site)
        .select_related("person", "referral", "referent__user")
        .order_by("entry_date", "pk")
    )
    relations = list(
        Membership.objects.filter(school=school, role=Role.COMPANY_RELATIONS)
        .select_related("user")
        .order_by("active_from", "pk")
    )
    director = (
        Membership.objects.filter(school=school, role=Role.DIRECTOR)
        .select_related("user")
        .earliest("active_from", "pk")
    )
    officers = [m.user_id for m in relations] or [director.user_id]
    school_signer = director.user.get_full_name() or director.user.email
    competencies = dict(
        Competency.objects.filter(framework=default_framework()).values_list("code", "pk")
    )
    targets = _target_jobs(school)

    companies = _plan_companies(rng, fake, phones, today)
    hosts: dict[str, list[_Company]] = defaultdict(list)
    for company in companies:
        for code in company.kind.jobs:
            hosts[code].append(company)

    # ------------------------------------------------------------------ internships
    internships: list[_Internship] = []
    by_enrolment: dict[int, list[_Internship]] = defaultdict(list)
    minors: dict[int, Enrolment] = {}  # person pk → an enrolment entered as a minor
    for enrolment in enrolments:
        person = enrolment.person
        if age_on(person.birth_date, enrolment.entry_date) < 18:
            minors.setdefault(person.pk, enrolment)
        codes = targets.get(enrolment.pk) or [rng.choice(list(JOBS)[:12])]
        prescriber_id = enrolment.referral.prescriber_id if enrolment.referral else None
        author = enrolment.referent.user_id if enrolment.referent else director.user_id
        for index, (start, end) in enumerate(demo_internship_periods(enrolment, today)):
            discovery = False
            if index == 0:
                code = codes[0]
            elif len(codes) > 1:
                code = codes[1]
            elif rng.random() < 0.3:
                code, discovery = rng.choice(DISCOVERY_JOBS), True
            else:
                code = codes[0]
            company = _pick_company(rng, hosts, code, start, end, current=start.year >= 2020)
            company.busy.append((start, end))
            active_only = start.year >= 2020
            tutors = [c for c in company.contacts if c.is_tutor and (c.active or not active_only)]
            tutor = rng.choice(tutors)
            signatories = [c for c in company.contacts if c.is_signatory]
            others = [c for c in signatories if c is not tutor]
            signatory = others[0] if others else signatories[0]
            second = None
            if company.size == LARGE and len(others) > 1 and rng.random() < 0.3:
                second = others[1]
            kind = InternshipKind.INTERNSHIP.value
            if prescriber_id and rng.random() < PMSMP_SHARE:
                kind = InternshipKind.PMSMP.value
            hours = rng.choices([h for h, _ in HOURS], weights=[w for _, w in HOURS])[0]
            job = JOBS[code]
            tasks = rng.sample(job.tasks, k=min(len(job.tasks), rng.randint(3, 4)))
            goal_pool = list(job.goals)
            chosen = rng.sample(goal_pool, k=min(len(goal_pool), 1)) if goal_pool else []
            chosen.append(DISCOVERY_GOAL if discovery else PROJECT_GOAL)
            if rng.random() < 0.6:
                chosen.append(rng.choice(COMMON_GOALS))
            chosen = chosen[: rng.randint(1, 3)]
            goals = [(competencies[c], text) for c, text in chosen if c in competencies]
            created_on = min(start - datetime.timedelta(days=rng.randint(18, 40)), yesterday)
            created_by = author if rng.random() < 0.5 else rng.choice(officers)
            internship = _Internship(
                enrolment=enrolment,
                company=company,
                code=code,
                start=start,
                end=end,
                kind=kind,
                tutor=tutor,
                signatory=signatory,
                second=second,
                prescriber_id=prescriber_id if kind == InternshipKind.PMSMP.value else None,
                hours=hours,
                tasks=tasks,
                goals=goals,
                created_on=created_on,
                created_by=created_by,
            )
            internships.append(internship)
            by_enrolment[enrolment.pk].append(internship)

    # ------------------------------------------------------------------ hires
    hires: list[tuple[_Internship, str, int | None, datetime.date]] = []
    for enrolment in enrolments:
        done = by_enrolment.get(enrolment.pk)
        if enrolment.status != EnrolmentStatus.EXITED or not done or enrolment.ended_on is None:
            continue
        last = done[-1]
        if enrolment.ended_on - last.end > HIRE_WINDOW or rng.random() >= HIRE_SHARE:
            continue
        options = CONTRACTS.get(last.company.kind.sector, CONTRACTS["default"])
        contract, _weight, length = rng.choices(options, weights=[o[1] for o in options])[0]
        months = rng.randint(*length) if length else None
        start = _weekday_on_or_after(
            enrolment.ended_on + datetime.timedelta(days=rng.randint(1, 7))
        )
        if start < today:
            hires.append((last, contract, months, start))
    hired = {internship for internship, *_ in hires}

    # ------------------------------------------------------------------ write companies
    school_id = school.pk
    db_date = _db_date
    company_pks = _insert_rows(
        Company,
        school,
        (
            "school",
            "name",
            "siret",
            "naf_code",
            "sector",
            "size",
            "address",
            "postcode",
            "commune",
            "phone",
            "email",
            "website",
            "notes",
            "archived_at",
            "created_by",
            "created_at",
        ),
        [
            (
                school_id,
                c.name,
                c.siret,
                c.kind.naf,
                c.kind.sector,
                c.size,
                c.address,
                c.commune.postcode,
                c.commune.name,
                c.phone,
                c.email,
                c.website,
                "",
                _db_moment(c.archived_on, 11) if c.archived_on else None,
                officers[index % len(officers)],
                _db_moment(c.since, 17),
            )
            for index, c in enumerate(companies)
        ],
    )
    for company, pk in zip(companies, company_pks, strict=True):
        company.pk = pk
    contacts = [(company, contact) for company in companies for contact in company.contacts]
    contact_pks = _insert_rows(
        Contact,
        school,
        (
            "school",
            "company",
            "last_name",
            "first_name",
            "job_title",
            "email",
            "phone",
            "is_tutor",
            "is_hr",
            "is_signatory",
            "active",
            "created_at",
        ),
        [
            (
                school_id,
                company.pk,
                c.last_name,
                c.first_name,
                c.job_title,
                c.email,
                c.phone,
                c.is_tutor,
                c.is_hr,
                c.is_signatory,
                c.active,
                _db_moment(company.since, 17, 5),
            )
            for company, c in contacts
        ],
    )
    for (_company, contact), pk in zip(contacts, contact_pks, strict=True):
        contact.pk = pk

    # ------------------------------------------------------------------ write internships
    internship_pks = _insert_rows(
        Internship,
        school,
        (
            "school",
            "enrolment",
            "kind",
            "company",
            "tutor",
            "signatory",
            "second_signatory",
            "prescriber",
            "job_title",
            "rome_code",
            "start_date",
            "end_date",
            "weekly_hours",
            "schedule",
            "tasks",
            "created_by",
            "created_at",
            "cancelled_at",
            "cancel_reason",
            "agreement_scan",
        ),
        [
            (
                school_id,
                i.enrolment.pk,
                i.kind,
                i.company.pk,
                i.tutor.pk,
                i.signatory.pk,
                i.second.pk if i.second else None,
                i.prescriber_id,
                JOBS[i.code].title,
                i.code,
                db_date(i.start),
                db_date(i.end),
                Decimal(i.hours),
                SCHEDULES_35[i.company.kind.sector] if i.hours == "35" else SCHEDULES[i.hours],
                "\n".join(i.tasks),
                i.created_by,
                _db_moment(i.created_on, 15),
                None,
                "",
                None,
            )
            for i in internships
        ],
    )
    for internship, pk in zip(internships, internship_pks, strict=True):
        internship.pk = pk
    _insert(
        InternshipGoal,
        ("school", "internship", "competency", "description"),
        [(school_id, i.pk, pk, text) for i in internships for pk, text in i.goals],
    )

    # ------------------------------------------------------------------ guardians, signatures
    guardian_rows = []
    guardian_names: dict[int, str] = {}
    for person_pk, enrolment in minors.items():
        person = enrolment.person
        relation = rng.choices(
            [GuardianRelation.MOTHER, GuardianRelation.FATHER, GuardianRelation.GUARDIAN],
            weights=[60, 35, 5],
        )[0]
        female = relation == GuardianRelation.MOTHER or (
            relation == GuardianRelation.GUARDIAN and rng.random() < 0.5
        )
        first = fake.first_name_female() if female else fake.first_name_male()
        last = person.last_name
        if relation != GuardianRelation.FATHER and rng.random() < 0.4:
            last = fake.last_name()
        email = ""
        if rng.random() < 0.8:
            email = f"{_ascii(first)}.{_ascii(last)}.{person_pk}@example.org".replace("-", "")
        guardian_rows.append(
            (
                school_id,
                person_pk,
                relation.value,
                last,
                first,
                email,
                phones.cell(),
                person.address,
            )
        )
        guardian_names[person_pk] = f"{first} {last}"
    _insert(
        LegalGuardian,
        ("school", "person", "relation", "last_name", "first_name", "email", "phone", "address"),
        guardian_rows,
    )

    signature_rows = []
    for i in internships:
        person = i.enrolment.person
        signers = [
            (SignatoryRole.SCHOOL.value, school_signer),
            (SignatoryRole.TRAINEE.value, f"{person.first_name} {person.last_name}"),
        ]
        if age_on(person.birth_date, i.start) < 18:
            signers.append((SignatoryRole.GUARDIAN.value, guardian_names[person.pk]))
        signers.append((SignatoryRole.COMPANY.value, i.signatory.full_name))
        if i.second is not None:
            signers.append((SignatoryRole.COMPANY_SECOND.value, i.second.full_name))
        latest = i.start - datetime.timedelta(days=1)
        for role, name in signers:
            signed_on = _between(rng, i.created_on + datetime.timedelta(days=1), latest)
            if signed_on > yesterday:  # an internship about to start: not signed yet
                continue
            recorded_on = min(signed_on + datetime.timedelta(days=rng.randint(0, 2)), yesterday)
            recorded_by = i.created_by if rng.random() < 0.6 else rng.choice(officers)
            signature_rows.append(
                (
                    school_id,
                    i.pk,
                    role,
                    name,
                    db_date(signed_on),
                    recorded_by,
                    _db_moment(recorded_on, 17, 30),
                )
            )
    _insert(
        AgreementSignature,
        ("school", "internship", "role", "signer_name", "signed_on", "recorded_by", "recorded_at"),
        signature_rows,
    )
    company_days = _future_company_days(school_id, internships, signature_rows, today)

    # ------------------------------------------------------------------ reviews and links
    reviews: list[tuple[_Internship, tuple]] = []
    links: list[tuple] = []
    for i in internships:
        if i.end >= today:  # not finished: no review yet
            continue
        hired_here = i in hired
        call = rng.random() < 0.15
        delay = (
            rng.randint(10, 40)
            if call
            else rng.choices(
                [rng.randint(1, 9), rng.randint(10, 20), rng.randint(21, 28)], weights=[55, 35, 10]
            )[0]
        )
        submitted_on = i.end + datetime.timedelta(days=delay)
        sent_at = _db_moment(i.end, 16)
        expires_on = i.end + datetime.timedelta(days=LINK_DAYS)
        token = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        sender = i.created_by
        waited = min(delay, (today - i.end).days)
        reminders = (1 if waited > 8 else 0) + (1 if waited > 18 else 0)
        last_reminder = (
            _db_moment(i.end + datetime.timedelta(days=8 if reminders == 1 else 18), 9)
            if reminders
            else None
        )
        if (today - i.end).days < 90 and rng.random() < 0.1:  # some tutors never answer
            submitted_on = today
        if submitted_on >= today and not hired_here:
            # Not back yet: the link is out (perhaps expired), reminders were sent.
            links.append(
                (
                    school_id,
                    i.pk,
                    token_hash,
                    i.tutor.email or i.signatory.email or i.company.email,
                    sender,
                    sent_at,
                    _db_moment(expires_on, 16),
                    None,
                    None,
                    reminders,
                    last_reminder,
                )
            )
            continue
        if hired_here:
            submitted_on = min(submitted_on, i.end + datetime.timedelta(days=20))
            call = False
        at = _db_moment(submitted_on, rng.randint(9, 18), rng.choice([0, 15, 30, 45]))
        ratings = [_rating(rng, hired_here), _rating(rng, hired_here)]
        mean = sum(ratings) / 2
        if hired_here:
            would = WouldHire.YES.value
        elif mean >= 3:
            would = rng.choices(["yes", "maybe", "no"], weights=[35, 50, 15])[0]
        else:
            would = rng.choices(["maybe", "no"], weights=[30, 70])[0]
        tone = "good" if mean >= 3.5 else "fair" if mean >= 2.5 else "poor"
        comments = rng.choice(COMMENTS[tone]) if rng.random() < 0.85 else ""
        if call:
            comments = (comments + " " + REVIEW_CALL_NOTE).strip()
        mastered = rng.sample(i.tasks, k=min(len(i.tasks), 2 if mean < 3 else 3))
        reviews.append(
            (
                i,
                (
                    school_id,
                    i.pk,
                    ratings[0],
                    ratings[1],
                    "\n".join(mastered),
                    would,
                    comments,
                    i.tutor.full_name,
                    ReviewSource.CALL.value if call else ReviewSource.TUTOR_LINK.value,
                    i.created_by if call else None,
                    at,
                ),
            )
        )
        if not call:
            used = (
                school_id,
                i.pk,
                token_hash,
                i.tutor.email or i.signatory.email or i.company.email,
                sender,
                sent_at,
                _db_moment(expires_on, 16),
                at,
                None,
                reminders,
                last_reminder,
            )
            links.append(used)
        elif rng.random() < 0.5:  # the link went unanswered, then the school called
            revoked = at if submitted_on < expires_on else None
            links.append(
                (
                    school_id,
                    i.pk,
                    token_hash,
                    i.tutor.email or i.signatory.email or i.company.email,
                    sender,
                    sent_at,
                    _db_moment(expires_on, 16),
                    None,
                    revoked,
                    2,
                    _db_moment(i.end + datetime.timedelta(days=18), 9),
                )
            )
    review_pks = _insert_rows(
        TutorReview,
        school,
        (
            "school",
            "internship",
            "punctuality",
            "attitude",
            "tasks_mastered",
            "would_hire",
            "comments",
            "reviewer_name",
            "source",
            "recorded_by",
            "submitted_at",
        ),
        [row for _i, row in reviews],
    )
    observed = []
    for (i, row), pk in zip(reviews, review_pks, strict=True):
        mean = (row[2] + row[3]) / 2
        pool = [c for c, _text in i.goals]
        extra = competencies.get("PRO1")
        if extra and extra not in pool and rng.random() < 0.5:
            pool.append(extra)
        for competency_pk in pool[: rng.randint(1, 3)]:
            level = min(4, max(1, round(mean) + rng.choice([-1, 0, 0, 0, 1])))
            observed.append((school_id, pk, competency_pk, level, None))
    _insert(ReviewCompetency, ("school", "review", "competency", "level", "assessment"), observed)
    # A link whose internship has a review by call may coexist; one row per internship here.
    _insert(
        TutorLink,
        (
            "school",
            "internship",
            "token_hash",
            "sent_to",
            "created_by",
            "created_at",
            "expires_at",
            "used_at",
            "revoked_at",
            "reminders_sent",
            "last_reminder_at",
        ),
        links,
    )

    # ------------------------------------------------------------------ hires
    hire_rows = []
    for i, contract, months, start in hires:
        hire_rows.append(
            (
                school_id,
                i.enrolment.pk,
                i.company.pk,
                i.pk,
                contract,
                months,
                JOBS[i.code].title,
                db_date(start),
                rng.choice(officers),
                _db_moment(start - datetime.timedelta(days=rng.randint(1, 6)), 11),
            )
        )
    _insert(
        Hire,
        (
            "school",
            "enrolment",
            "company",
            "internship",
            "contract_type",
            "months",
            "job_title",
            "start_date",
            "recorded_by",
            "recorded_at",
        ),
        hire_rows,
    )

    # ------------------------------------------------------------------ relationship history
    events = _plan_events(rng, companies, internships, hires, today)
    _insert(
        CompanyEvent,
        (
            "school",
            "company",
            "kind",
            "happened_on",
            "contact",
            "summary",
            "recorded_by",
            "recorded_at",
        ),
        [
            (
                school_id,
                company.pk,
                kind,
                db_date(day),
                contact.pk if contact else None,
                summary,
                officers[(company.pk + day.toordinal()) % len(officers)],
                _db_moment(day, 17, 45),
            )
            for company, kind, day, contact, summary in events
        ],
    )
    return {
        "future_company_days": company_days,
        "companies": len(companies),
        "contacts": len(contacts),
        "events": len(events),
        "internships": len(internships),
        "signatures": len(signature_rows),
        "guardians": len(guardian_rows),
        "reviews": len(reviews),
        "links": len(links),
        "hires": len(hire_rows),
    }


def _future_company_days(
    school_id: int, internships: list[_Internship], signature_rows: list[tuple], today
) -> int:
    """The "in company" marks of the days still to come of the internships whose agreement
    is fully signed, as the product writes them when the last signature is recorded
    (``services_internships.sync_company_days``): both half-days of every weekday from today
    to the end. The schedule history marked the days until yesterday."""
    signed = Counter(row[1] for row in signature_rows)
    rows = []
    for i in internships:
        person = i.enrolment.person
        needed = 3 + (age_on(person.birth_date, i.start) < 18) + (i.second is not None)
        last = min(i.end, i.enrolment.ended_on or i.end)
        if last < today or signed[i.pk] < needed:
            continue
        day = max(i.start, today)
        moment = _db_moment(today - datetime.timedelta(days=1), 18, 0)
        while day <= last:
            if day.weekday() < 5:
                for half in (Half.AM, Half.PM):
                    rows.append(
                        (
                            school_id,
                            i.enrolment.pk,
                            _db_date(day),
                            half.value,
                            AttendanceStatus.COMPANY.value,
                            "",
                            None,
                            i.created_by,
                            moment,
                            moment,
                        )
                    )
            day += datetime.timedelta(days=1)
    _insert(
        AttendanceMark,
        (
            "school",
            "enrolment",
            "day",
            "half",
            "status",
            "reason",
            "session",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ),
        rows,
    )
    return len(rows)


def _rating(rng: random.Random, good: bool) -> int:
    weights = (0, 5, 45, 50) if good else (7, 18, 40, 35)
    return rng.choices([r.value for r in Rating], weights=weights)[0]


def _plan_events(
    rng: random.Random,
    companies: list[_Company],
    internships: list[_Internship],
    hires: list[tuple[_Internship, str, int | None, datetime.date]],
    today: datetime.date,
) -> list[tuple[_Company, str, datetime.date, _Contact | None, str]]:
    """The relationship history: a first visit, then a few exchanges a year until today (or
    the archiving), a visit during some internships, and the hires."""
    events = []
    kinds = [k for k, _w, _s in EVENT_KINDS]
    weights = [w for _k, w, _s in EVENT_KINDS]
    summaries = {k: s for k, _w, s in EVENT_KINDS}
    labels = dict(ContractType.choices)
    for company in companies:
        active = [c for c in company.contacts if c.active]
        boss = next((c for c in company.contacts if c.is_signatory), active[0])
        hr = next((c for c in active if c.is_hr), boss)
        events.append((company, CompanyEventKind.VISIT.value, company.since, boss, FIRST_VISIT))
        until = min(company.archived_on or today, today - datetime.timedelta(days=1))
        day = company.since + datetime.timedelta(days=rng.randint(30, 120))
        jobs = [JOBS[code].title.lower() for code in company.kind.jobs]
        while day <= until:
            kind = rng.choices(kinds, weights=weights)[0]
            summary = rng.choice(summaries[kind]).format(job=rng.choice(jobs))
            contact = (
                hr
                if kind == CompanyEventKind.JOB_OFFER.value
                else rng.choice(active)
                if rng.random() < 0.8
                else None
            )
            events.append((company, kind, _weekday_on_or_after(day), contact, summary))
            day += datetime.timedelta(days=rng.randint(60, 200))
    for i in internships:
        if i.end < today and rng.random() < 0.3:
            visit = i.start + datetime.timedelta(days=rng.choice([3, 4, 7, 8]))
            events.append(
                (
                    i.company,
                    CompanyEventKind.VISIT.value,
                    visit,
                    i.tutor,
                    rng.choice(INTERNSHIP_VISIT),
                )
            )
    for i, contract, months, start in hires:
        hr = next((c for c in i.company.contacts if c.is_hr), i.signatory)
        label = labels[contract]
        if months:
            label = f"{label} de {months} mois"
        summary = HIRE_EVENT.format(contract=label, job=JOBS[i.code].title.lower())
        events.append((i.company, CompanyEventKind.HIRE.value, start, hr, summary))
    events.sort(key=lambda e: (e[0].pk, e[2]))
    return events


def delete_companies_history(school_ids: list[int]) -> None:
    """Remove the companies, internships and everything hanging on them, and the legal
    guardians, of the given schools (before their enrolments, people, partners and members).

    Children go before their parents, each table in one statement: nothing else refers to
    these rows once the tables after them are empty. The "in company" marks of the days to
    come (``_future_company_days``) go too; the schedule history removes the others.
    """
    # The exits made of these hires keep their destination and lose the link, as on delete
    # (``Exit.hire`` is SET_NULL, which the raw deletes below do not apply).
    Exit.objects.filter(hire__school_id__in=school_ids).update(hire=None)
    # Likewise the notices given to a guardian (``PrivacyNotice.guardian`` is SET_NULL).
    PrivacyNotice.objects.filter(guardian__school_id__in=school_ids).update(guardian=None)
    future = AttendanceMark.objects.filter(
        school_id__in=school_ids, status=AttendanceStatus.COMPANY, day__gte=timezone.localdate()
    )
    future._raw_delete(future.db)
    for model in (
        ReviewCompetency,
        TutorLink,
        TutorReview,
        Hire,
        AgreementSignature,
        InternshipGoal,
        Internship,
        CompanyEvent,
        Contact,
        Company,
        LegalGuardian,
    ):
        rows = model.objects.filter(school_id__in=school_ids)
        rows._raw_delete(rows.db)


def summary_line() -> str | None:
    """A line about the flagship's partner companies and internships for the demo summary."""
    from .accounts import FLAGSHIP_SLUG

    school = School.objects.filter(slug=FLAGSHIP_SLUG).first()
    if school is None:
        return None
    internships = Internship.objects.filter(school=school, cancelled_at__isnull=True)
    in_2018 = internships.filter(start_date__year=2018)
    hires = Hire.objects.filter(school=school)
    hires_2018 = hires.filter(
        enrolment__entry_date__lte=datetime.date(2018, 12, 31),
        enrolment__ended_on__gte=datetime.date(2018, 1, 1),
    )
    kinds = Counter(internships.values_list("kind", flat=True))
    return (
        f"{school.name} : {Company.objects.filter(school=school).count()} entreprises "
        f"partenaires, {internships.count()} stages (dont {in_2018.count()} commencés en 2018, "
        f"{kinds[InternshipKind.PMSMP.value]} PMSMP), "
        f"{TutorReview.objects.filter(school=school).count()} bilans de tuteur, "
        f"{hires.count()} embauches (dont {hires_2018.count()} de stagiaires présents en 2018)."
    )
