"""Where scale data may be written or measured: only in a benchmark database.

One rule for the generator, its ``extras`` stage, the harness (``bench/run.py``) and the load
test (``bench/load.py``): generated accounts share a published password, the generator loads
rows with foreign-key checks off, and the harness saves an attendance sheet — none of that may
ever touch a real school's database.
"""

from __future__ import annotations

from . import NETWORK_SLUG


class NotABenchDatabase(ValueError):
    """The database is not one the benchmarks may write into (a French message)."""


def refuse_unless_fresh() -> None:
    """``generate``: only into a freshly migrated database — no school, no account at all."""
    from parcours.accounts.models import User
    from parcours.organisations.models import School

    if School.objects.exists() or User.objects.exists():
        raise NotABenchDatabase(
            "Cette base contient déjà des écoles ou des comptes : les données de charge ne "
            "s'écrivent que dans une base neuve, réservée aux mesures (créez-la, « parcours "
            "migrate », puis relancez)."
        )


def refuse_unless_generated() -> None:
    """The ``extras`` stage, the harness and the load test: only in a database whose every
    school belongs to the generated network ``NETWORK_SLUG``."""
    from parcours.organisations.models import Network, School

    if not Network.objects.filter(slug=NETWORK_SLUG).exists():
        raise NotABenchDatabase(
            f"Pas de réseau généré « {NETWORK_SLUG} » dans cette base : lancez d'abord "
            "« parcours bench generate » dans une base neuve."
        )
    if School.objects.exclude(network__slug=NETWORK_SLUG).exists():
        raise NotABenchDatabase(
            "Cette base contient des écoles qui ne sont pas des données de charge : les mesures "
            "ne tournent que dans une base réservée aux mesures."
        )
