"""The column layout of the enrolments file and the code tables (file code → product value).

Headers are matched without regard to case, accents, surrounding spaces, and spaces or dashes
inside (``Date naissance`` = ``date_naissance``). Codes are matched the same way
(``Mission Locale`` = ``mission_locale``). Every table maps the codes of issue 11 to the
product's own choices; ``docs/import.md`` lists them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from parcours.organisations.models import PrescriberType
from parcours.outcomes.destinations import Destination
from parcours.pathways.models import DiplomaLevel
from parcours.people.models import Gender


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    label: str  # French, for the messages and the documentation


#: The columns, in the documented order (a file may have them in any order).
COLUMNS: tuple[Column, ...] = (
    Column("nom", True, "nom"),
    Column("prenom", True, "prénom"),
    Column("date_naissance", True, "date de naissance"),
    Column("sexe", True, "sexe"),
    Column("email", False, "e-mail"),
    Column("telephone", False, "téléphone"),
    Column("code_postal", False, "code postal"),
    Column("commune", False, "commune"),
    Column("code_qpv", False, "code QPV"),
    Column("niveau_diplome", False, "niveau de diplôme"),
    Column("prescripteur_type", True, "type de prescripteur"),
    Column("prescripteur", False, "prescripteur"),
    Column("plie", False, "PLIE"),
    Column("site", True, "site"),
    Column("date_entree", True, "date d'entrée"),
    Column("date_sortie", False, "date de sortie"),
    Column("sortie_type", False, "type de sortie"),
    Column("sortie_duree_mois", False, "durée de la sortie (mois)"),
)
NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}
#: Position of each column in the documented order (problems of one row are sorted by it).
ORDER: dict[str | None, int] = {None: -1, **{name: i for i, name in enumerate(NAMES)}}


@functools.lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Lower case, no accents, single spaces: how names and codes are compared."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


_SEPARATORS = re.compile(r"[\s\-]+")


#: Spellings of a header that mean a column (after folding).
HEADER_ALIASES = {"e_mail": "email"}


def header_key(value: object) -> str:
    """``' Date-Naissance '`` → ``'date_naissance'``; ``'Prénom'`` → ``'prenom'``."""
    text = str(value if value is not None else "").replace("\ufeff", "")
    key = _SEPARATORS.sub("_", fold(text)).strip("_")
    return HEADER_ALIASES.get(key, key)


def code_key(value: str) -> str:
    """A code as written in a cell, compared like a header (``Mission Locale`` → mission_locale)."""
    return _SEPARATORS.sub("_", fold(value)).strip("_")


# --------------------------------------------------------------------------- code tables

GENDERS: dict[str, str] = {"f": Gender.FEMALE, "m": Gender.MALE}

DIPLOMAS: dict[str, str] = {
    "aucun": DiplomaLevel.NONE,
    "3": DiplomaLevel.LEVEL_3,
    "4": DiplomaLevel.LEVEL_4,
    "5+": DiplomaLevel.HIGHER,
}

#: ``spontane`` has no prescriber (a spontaneous application: the referral has none).
SPONTANEOUS = "spontane"
PRESCRIBER_TYPES: dict[str, str | None] = {
    "mission_locale": PrescriberType.MISSION_LOCALE,
    "france_travail": PrescriberType.FRANCE_TRAVAIL,
    "plie": PrescriberType.PLIE,
    "cap_emploi": PrescriberType.CAP_EMPLOI,
    "departement": PrescriberType.DEPARTEMENT,
    SPONTANEOUS: None,
    "autre": PrescriberType.OTHER,
}

YES_NO: dict[str, bool] = {"oui": True, "non": False}

#: The issue's exit codes → the exit typology (``outcomes.destinations``). Every code has its
#: counterpart but ``alternance``: a work-study contract, recorded as an apprenticeship (the
#: typology splits apprenticeship and professionalisation; both count the same in the
#: outcome definitions: employment, work-study minimum length).
EXIT_TYPES: dict[str, str] = {
    "cdi": Destination.CDI,
    "cdd": Destination.CDD,
    "interim": Destination.INTERIM,
    "contrat_aide": Destination.SUBSIDISED,
    "alternance": Destination.APPRENTICESHIP,
    "creation": Destination.BUSINESS,
    "formation_qualifiante": Destination.QUALIFYING_TRAINING,
    "formation": Destination.TRAINING,
    "service_civique": Destination.CIVIC_SERVICE,
    "recherche_emploi": Destination.JOB_SEARCH,
    "demenagement": Destination.MOVED,
    "sante": Destination.HEALTH,
    "abandon": Destination.DROPOUT,
    "exclusion": Destination.EXCLUDED,
    "autre": Destination.OTHER,
}


def allowed(codes: dict[str, object], *, upper: bool = False) -> str:
    """``« a », « b » ou « c »`` for a message listing the allowed codes."""
    names = [code.upper() if upper else code for code in codes]
    quoted = [f"« {name} »" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " ou " + quoted[-1]
