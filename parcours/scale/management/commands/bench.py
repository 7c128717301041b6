"""``parcours bench generate --scale school|network [--seed N] [--json FILE]``: scale data for
the benchmarks (issue 12) in a fresh, migrated database. See :mod:`parcours.scale.generate`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcours.scale.extras import add_extras
from parcours.scale.generate import SCALES, generate


class Command(BaseCommand):
    help = (
        "Outils de mesure des performances. « generate » remplit une base neuve (migrée) de "
        "données réalistes à l'échelle d'une école (10 ans) ou du réseau (57 écoles, 5 ans)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="Génère les données de charge.")
        gen.add_argument("--scale", choices=SCALES, default="school", help="school ou network")
        gen.add_argument("--seed", type=int, default=12, help="Graine du tirage (12).")
        gen.add_argument("--json", type=Path, help="Écrit aussi le rapport dans ce fichier.")
        gen.add_argument(
            "--stage",
            choices=["all", "extras"],
            default="all",
            help="all : tout dans une base neuve ; extras : seulement les compléments (plans, "
            "entretiens, accompagnements, informations collectives, embauches, audit) dans une "
            "base déjà générée.",
        )
        gen.add_argument(
            "--force", action="store_true", help="Accepte de tourner avec DEBUG désactivé."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "generate":  # pragma: no cover — argparse refuses others
            raise CommandError("Action inconnue.")
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Données de charge : réservé à une base de mesure (DEBUG, ou --force)."
            )
        try:
            if options["stage"] == "extras":
                report = add_extras(seed=options["seed"], progress=self.stdout.write)
            else:
                report = generate(
                    options["scale"], seed=options["seed"], progress=self.stdout.write
                )
        except ValueError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
        self.stdout.write(text)
        if options["json"]:
            options["json"].write_text(text + "\n", encoding="utf-8")
        if not report["sanity"]["ok"]:
            raise CommandError("Contrôles de cohérence en échec : voir « sanity » ci-dessus.")
