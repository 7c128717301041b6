"""``parcours demo [--reset] [--force]``: load the deterministic demo data."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from parcours.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from parcours.demo.api_history import summary_line as api_summary_line
from parcours.demo.builder import (
    ADMIN_EMAIL,
    NETWORK_NAME,
    DemoSummary,
    build_demo,
    demo_is_loaded,
    demo_summary,
    flagship_lines,
)
from parcours.demo.companies_history import summary_line as companies_summary_line
from parcours.demo.competency_history import summary_line as competency_summary_line
from parcours.demo.schedule_history import summary_line as schedule_summary_line
from parcours.organisations.models import Role, School


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (réseau, écoles, sites, salles, équipes, "
        "partenaires, financements) et les comptes de démonstration. Sans --reset, ne fait "
        "rien si la démonstration est déjà chargée."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Supprime les données de démonstration existantes puis les recrée.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Autorise l'exécution quand DEBUG est désactivé (jamais en production).",
        )

    def handle(self, *args: Any, reset: bool = False, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refus de charger la démonstration : DEBUG est désactivé, ce qui ressemble à "
                "une production. Les comptes de démonstration ont un mot de passe public. "
                "Relancez avec DJANGO_DEBUG=1, ou avec --force si vous savez ce que vous faites."
            )
        started = time.monotonic()
        with transaction.atomic():
            if demo_is_loaded() and not reset:
                summary = demo_summary()
                self.stdout.write(
                    f"La démonstration est déjà chargée ({NETWORK_NAME}) : rien à faire. "
                    "Utilisez --reset pour la recréer."
                )
            else:
                summary = build_demo()
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Démonstration chargée en {time.monotonic() - started:.1f} s."
                    )
                )
        if summary is not None:
            self._write_summary(summary)
        self._write_accounts()

    def _write_summary(self, summary: DemoSummary) -> None:
        lines = [
            f"{summary.network} : {summary.schools} écoles, dont {summary.schools_active_2018} "
            f"actives en 2018 ; {summary.sites_active_2018} sites actifs en 2018.",
            f"{summary.sites} sites, {summary.rooms} salles, {summary.partners} partenaires, "
            f"{summary.funding_agreements} conventions de financement, "
            f"{summary.users} utilisateurs, {summary.memberships} rattachements.",
        ]
        # E2C Puy-de-Dôme's 2018 figures: computed by ``reporting`` (the key figures).
        flagship = flagship_lines()
        if flagship is not None:
            lines.append(flagship.intake)
        if competencies := competency_summary_line():
            lines.append(competencies)
        if schedule := schedule_summary_line():
            lines.append(schedule)
        if companies := companies_summary_line():
            lines.append(companies)
        if flagship is not None:
            if flagship.outcomes:
                lines.append(flagship.outcomes)
            lines.append(flagship.key_figures)
        if api := api_summary_line():
            lines.append(api)
        for line in lines:
            self.stdout.write(line)

    def _write_accounts(self) -> None:
        school_names = dict(School.objects.values_list("slug", "name"))
        rows = [("E-mail", "Rôle", "École", "Mot de passe")]
        for account in DEMO_ACCOUNTS:
            if account.school_slug is None:
                where = f"{NETWORK_NAME} (national)"
            else:
                where = school_names.get(account.school_slug, account.school_slug)
            rows.append((account.email, str(Role(account.role).label), where, DEMO_PASSWORD))
        rows.append((ADMIN_EMAIL, "Administration Django", "—", DEMO_PASSWORD))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration :")
        for index, row in enumerate(rows):
            line = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(f"  {line.rstrip()}")
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(
            "  Équipe de l'école et administration : à la première connexion, activez la "
            "double authentification avec une application (QR code ou clé affichés)."
        )
