"""The demo accounts: one per role at E2C Puy-de-Dôme, plus one at another school.

The password is public (printed by ``make run``) and only ever set by ``parcours demo``, which
refuses to run with DEBUG off unless ``--force``.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "parcours-demo-2018"  # noqa: S105 — a published demo password
FLAGSHIP_SLUG = "e2c-63"
OTHER_SCHOOL_SLUG = "e2c-03"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str
    school_slug: str | None  # None for the network account
    partner_name: str | None = None  # for prescriber and funder accounts
    job_title: str = ""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "direction@e2c-63.demo",
        "Claire",
        "Vasseur",
        "director",
        FLAGSHIP_SLUG,
        job_title="Directrice",
    ),
    DemoAccount(
        "accueil@e2c-63.demo",
        "Karim",
        "Benali",
        "intake",
        FLAGSHIP_SLUG,
        job_title="Chargé d'accueil",
    ),
    DemoAccount(
        "referent@e2c-63.demo",
        "Sophie",
        "Marchand",
        "referent",
        FLAGSHIP_SLUG,
        job_title="Formatrice référente",
    ),
    DemoAccount(
        "entreprises@e2c-63.demo",
        "Julien",
        "Roche",
        "company_relations",
        FLAGSHIP_SLUG,
        job_title="Chargé de relations entreprises",
    ),
    DemoAccount(
        "prescripteur@e2c-63.demo",
        "Nadia",
        "Chevalier",
        "prescriber",
        FLAGSHIP_SLUG,
        partner_name="Mission Locale Clermont Métropole et Volcans",
        job_title="Conseillère en insertion",
    ),
    DemoAccount(
        "financeur@e2c-63.demo",
        "Olivier",
        "Faure",
        "funder",
        FLAGSHIP_SLUG,
        partner_name="Clermont Auvergne Métropole",
        job_title="Chargé de mission politique de la ville",
    ),
    DemoAccount(
        "reseau@e2c.demo",
        "Hélène",
        "Garnier",
        "network",
        None,
        job_title="Chargée d'études du réseau",
    ),
    DemoAccount(
        "referent@e2c-03.demo",
        "Thomas",
        "Lemoine",
        "referent",
        OTHER_SCHOOL_SLUG,
        job_title="Formateur référent",
    ),
)
