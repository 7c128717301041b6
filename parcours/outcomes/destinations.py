"""The exit typology: where a trainee goes when the pathway ends.

One list serves the exit, the follow-ups (the situation found at 3, 6 and 12 months) and the
outcome definitions' rules. Grouped as employment, training, civic service and "no positive
destination"; the groups are fixed by the network's typology, the labels are French.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Destination(models.TextChoices):
    # Employment
    CDI = "cdi", _("CDI")
    CDD = "cdd", _("CDD")
    INTERIM = "interim", _("Intérim")
    SEASONAL = "saisonnier", _("Contrat saisonnier")
    SUBSIDISED = "contrat_aide", _("Contrat aidé")
    APPRENTICESHIP = "apprentissage", _("Contrat d'apprentissage")
    PROFESSIONALISATION = "professionnalisation", _("Contrat de professionnalisation")
    BUSINESS = "creation", _("Création d'entreprise")
    # Training
    QUALIFYING_TRAINING = "formation_qualifiante", _("Formation qualifiante")
    TRAINING = "formation", _("Formation non qualifiante")
    # Civic service
    CIVIC_SERVICE = "service_civique", _("Service civique")
    # No positive destination
    JOB_SEARCH = "recherche_emploi", _("Recherche d'emploi")
    MOVED = "demenagement", _("Déménagement")
    HEALTH = "sante", _("Raisons de santé")
    MATERNITY = "maternite", _("Maternité")
    DROPOUT = "abandon", _("Abandon")
    EXCLUDED = "exclusion", _("Exclusion")
    OTHER = "autre", _("Autre")


class DestinationGroup(models.TextChoices):
    EMPLOYMENT = "emploi", _("Emploi")
    TRAINING = "formation", _("Formation")
    CIVIC_SERVICE = "service_civique", _("Service civique")
    NONE = "sans_solution", _("Sans sortie positive")


D = Destination

GROUPS: dict[str, tuple[str, ...]] = {
    DestinationGroup.EMPLOYMENT: (
        D.CDI,
        D.CDD,
        D.INTERIM,
        D.SEASONAL,
        D.SUBSIDISED,
        D.APPRENTICESHIP,
        D.PROFESSIONALISATION,
        D.BUSINESS,
    ),
    DestinationGroup.TRAINING: (D.QUALIFYING_TRAINING, D.TRAINING),
    DestinationGroup.CIVIC_SERVICE: (D.CIVIC_SERVICE,),
    DestinationGroup.NONE: (
        D.JOB_SEARCH,
        D.MOVED,
        D.HEALTH,
        D.MATERNITY,
        D.DROPOUT,
        D.EXCLUDED,
        D.OTHER,
    ),
}

GROUP_OF: dict[str, str] = {code: group for group, codes in GROUPS.items() for code in codes}

EMPLOYMENT = frozenset(GROUPS[DestinationGroup.EMPLOYMENT])
TRAINING = frozenset(GROUPS[DestinationGroup.TRAINING])

#: Open-ended: no length; any length threshold is met.
OPEN_ENDED = frozenset({D.CDI, D.BUSINESS})
#: Work-study contracts run at least 6 months by law (Code du travail, L6222-7-1 and L6325-11):
#: their length may be left empty, and is then taken as that minimum.
WORK_STUDY = frozenset({D.APPRENTICESHIP, D.PROFESSIONALISATION})
WORK_STUDY_MINIMUM_MONTHS = 6
#: Destinations whose length in months must be given.
LENGTH_REQUIRED = frozenset(
    {D.CDD, D.INTERIM, D.SEASONAL, D.SUBSIDISED, D.QUALIFYING_TRAINING, D.TRAINING}
)
#: Destinations that may carry a length (the required ones, work-study, civic service).
LENGTH_ALLOWED = LENGTH_REQUIRED | WORK_STUDY | {D.CIVIC_SERVICE}
#: The employer or training body makes sense for these.
WITH_ORGANISATION = EMPLOYMENT | TRAINING | {D.CIVIC_SERVICE}


class DropoutReason(models.TextChoices):
    MOTIVATION = "motivation", _("Perte de motivation")
    PERSONAL = "personnel", _("Difficultés personnelles ou familiales")
    MONEY = "financier", _("Difficultés financières")
    MOBILITY = "mobilite", _("Problème de mobilité")
    JOB_FOUND = "emploi_hors_e2c", _("Emploi trouvé seul·e, sans suite connue")
    OTHER = "autre", _("Autre raison")


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Destination choices grouped for a ``<select>`` with ``<optgroup>``."""
    labels = dict(Destination.choices)
    return [
        (str(DestinationGroup(group).label), [(code, labels[code]) for code in codes])
        for group, codes in GROUPS.items()
    ]
