"""``parcours report``: the key figures of a school, or the network's, from the command line.

Usage::

    parcours report key-figures --school e2c-63 --year 2018 --format json
    parcours report key-figures --school e2c-63 --from 2018-01-01 --to 2018-06-30 \\
        [--site 12] --format xlsx --output chiffres.xlsx
    parcours report network --year 2018 [--network e2c-france] --format json|xlsx [--output F]

JSON goes to standard output (or ``--output``), UTF-8, indented. XLSX needs ``--output``
(a file, or ``-`` for standard output when it is not a terminal). The figures come from
``reporting.indicators.key_figures`` and ``reporting.network.network_figures``: the same
functions as the screens. The JSON has exact counts (an administrator runs this on the
server); the network's spreadsheet is the one the network account downloads, with the
small-cell rule applied (``reporting.suppression``).
"""

from __future__ import annotations

import datetime
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcours.organisations.models import Network, School, Site

from ...exports import key_figures_workbook, workbook_bytes
from ...exports_network import network_workbook
from ...indicators import key_figures
from ...network import network_figures
from ...periods import MAX_YEAR, MIN_YEAR, Period

FORMATS = ("json", "xlsx")


def _date(value: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Date invalide : « {value} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).")


def _year(value: str) -> Period:
    try:
        return Period.year(int(value))
    except ValueError as error:
        message = str(error) if value.lstrip("-").isdigit() else "ce n'est pas un nombre."
        raise CommandError(f"Année invalide : « {value} » — {message}") from None


class Command(BaseCommand):
    help = "Chiffres clés d'une école ou du réseau, en JSON ou en XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(
            dest="report", required=True, metavar="{key-figures,network}"
        )
        school = reports.add_parser(
            "key-figures",
            help="Chiffres clés d'une école sur une année ou une période.",
        )
        school.add_argument("--school", required=True, help="Identifiant (slug) de l'école.")
        school.add_argument("--site", help="Numéro d'un site de l'école (facultatif).")
        self._common(school, dates=True)
        network = reports.add_parser(
            "network",
            help="Chiffres du réseau : écoles, sites et indicateurs additionnés.",
        )
        network.add_argument(
            "--network", help="Identifiant du réseau (s'il y en a plusieurs dans la base)."
        )
        self._common(network, dates=False)

    @staticmethod
    def _common(parser, *, dates: bool) -> None:
        parser.add_argument("--year", help="Année civile (AAAA).")
        if dates:
            parser.add_argument("--from", dest="start", help="Début de la période (AAAA-MM-JJ).")
            parser.add_argument("--to", dest="end", help="Fin de la période (AAAA-MM-JJ).")
        parser.add_argument("--format", default="json", help="json (par défaut) ou xlsx.")
        parser.add_argument("--output", help="Fichier à écrire (obligatoire en xlsx).")

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(f"Format inconnu : « {options['format']} » (json ou xlsx).")
        if fmt == "xlsx" and not options.get("output"):
            raise CommandError("Le format xlsx demande un fichier : --output FICHIER.")
        if options["report"] == "key-figures":
            figures = self._key_figures(options)
            payload = figures.to_json() if fmt == "json" else key_figures_workbook(figures)
        else:
            figures = self._network(options)
            payload = figures.to_json() if fmt == "json" else network_workbook(figures)
        if fmt == "json":
            text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
            self._write(text.encode("utf-8"), options.get("output"), text=text)
        else:
            self._write(workbook_bytes(payload), options["output"])

    def _period(self, options: dict[str, Any]) -> Period:
        year, start, end = options.get("year"), options.get("start"), options.get("end")
        if year is not None and (start or end):
            raise CommandError("Donnez soit --year, soit --from et --to, pas les deux.")
        if year is not None:
            return _year(year)
        if start and end:
            try:
                period = Period(_date(start), _date(end))
            except ValueError as error:
                raise CommandError(f"Période invalide : {error}") from None
            if not (period.start.year >= MIN_YEAR and period.end.year <= MAX_YEAR):
                raise CommandError(f"Période invalide : les dates vont de {MIN_YEAR} à {MAX_YEAR}.")
            return period
        if start or end:
            raise CommandError("Une période demande --from et --to.")
        raise CommandError("Indiquez l'année (--year AAAA) ou la période (--from et --to).")

    def _key_figures(self, options: dict[str, Any]):
        period = self._period(options)
        school = School.objects.filter(slug=options["school"]).first()
        if school is None:
            raise CommandError(f"École inconnue : « {options['school']} ».")
        site = None
        if options.get("site") is not None:
            site_id = options["site"]
            site = (
                Site.objects.filter(school=school, pk=int(site_id)).first()
                if str(site_id).isascii() and str(site_id).isdigit() and len(str(site_id)) < 19
                else None
            )
            if site is None:
                raise CommandError(f"Site inconnu pour {school.name} : « {site_id} ».")
        return key_figures(school, period, site)

    def _network(self, options: dict[str, Any]):
        if options.get("year") is None:
            raise CommandError("Indiquez l'année : --year AAAA.")
        period = _year(options["year"])
        slug = options.get("network")
        if slug:
            network = Network.objects.filter(slug=slug).first()
            if network is None:
                raise CommandError(f"Réseau inconnu : « {slug} ».")
        else:
            networks = list(Network.objects.all()[:2])
            if not networks:
                raise CommandError("Aucun réseau dans la base.")
            if len(networks) > 1:
                raise CommandError("Plusieurs réseaux : précisez --network IDENTIFIANT.")
            network = networks[0]
        return network_figures(network, period)

    def _write(self, data: bytes, output: str | None, *, text: str | None = None) -> None:
        if output and output != "-":
            try:
                with open(output, "wb") as handle:
                    handle.write(data)
            except OSError as error:
                raise CommandError(
                    f"Impossible d'écrire « {output} » : {error.strerror}."
                ) from None
            self.stderr.write(f"Écrit : {output}")
            return
        if text is not None:
            self.stdout.write(text, ending="")
            return
        stream = getattr(self.stdout, "_out", sys.stdout)
        if stream.isatty():
            raise CommandError(
                "Refus d'écrire un fichier xlsx dans le terminal : --output FICHIER."
            )
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise CommandError("La sortie standard n'accepte pas de fichier xlsx : --output.")
        buffer.write(data)
        buffer.flush()
