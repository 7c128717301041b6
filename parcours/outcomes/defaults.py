"""The outcome definitions shipped with Parcours (loaded by migration 0002).

Changing one here changes nothing in a database that already has it: an edit is a new
version, written through the screens (or a new data migration).
"""

from __future__ import annotations

import datetime

from .destinations import Destination as D

PUY_DE_DOME_2018 = "e2c-puy-de-dome-2018"
NETWORK_6_MONTHS = "reseau-6-mois"
NETWORK_3_MONTHS = "reseau-3-mois"
PLIE = "plie"

_JOBS = [D.CDI, D.CDD, D.INTERIM, D.SEASONAL, D.SUBSIDISED, D.BUSINESS]
_WORK_STUDY = [D.APPRENTICESHIP, D.PROFESSIONALISATION]
_FORCE_MAJEURE = [D.MOVED, D.HEALTH, D.MATERNITY]


def _rule(destinations, min_months=None, strict=False) -> dict:
    return {
        "destinations": sorted(str(d) for d in destinations),
        "min_months": min_months,
        "strict": strict,
    }


DEFAULT_DEFINITIONS: list[dict] = [
    {
        "code": PUY_DE_DOME_2018,
        "name": "Sortie réussie — E2C Puy-de-Dôme (2018)",
        "description": "Reprise d'une formation, ou emploi de plus de 2 mois.",
        "rules": [
            _rule(_JOBS + _WORK_STUDY, 2, strict=True),
            _rule([D.QUALIFYING_TRAINING, D.TRAINING]),
        ],
        "excluded": [],
        "valid_from": datetime.date(2018, 1, 1),
    },
    {
        "code": NETWORK_6_MONTHS,
        "name": "Sortie positive — réseau (≥ 6 mois)",
        "description": (
            "Emploi de 6 mois ou plus, contrat en alternance, formation qualifiante. "
            "Déménagement, santé et maternité ne comptent pas."
        ),
        "rules": [_rule(_JOBS, 6), _rule(_WORK_STUDY), _rule([D.QUALIFYING_TRAINING])],
        "excluded": sorted(str(d) for d in _FORCE_MAJEURE),
        "valid_from": datetime.date(2015, 1, 1),
    },
    {
        "code": NETWORK_3_MONTHS,
        "name": "Sortie positive — réseau (> 3 mois)",
        "description": (
            "Emploi de plus de 3 mois, contrat en alternance, formation qualifiante. "
            "Déménagement, santé et maternité ne comptent pas."
        ),
        "rules": [
            _rule(_JOBS, 3, strict=True),
            _rule(_WORK_STUDY),
            _rule([D.QUALIFYING_TRAINING]),
        ],
        "excluded": sorted(str(d) for d in _FORCE_MAJEURE),
        "valid_from": datetime.date(2015, 1, 1),
    },
    {
        "code": PLIE,
        "name": "Sortie positive — PLIE",
        "description": (
            "CDI, ou CDD de plus de 6 mois. Déménagement, santé et maternité ne comptent pas."
        ),
        "rules": [_rule([D.CDI]), _rule([D.CDD], 6, strict=True)],
        "excluded": sorted(str(d) for d in _FORCE_MAJEURE),
        "valid_from": datetime.date(2015, 1, 1),
    },
]
