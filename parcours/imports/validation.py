"""Rows → checked records and the plan of writes, with every problem found (row, column, French).

Nothing here writes. Two passes:

1. :func:`check_header` and :func:`parse_row`: each cell on its own (formats, codes, required
   values) and each row on its own (dates in order, age at entry, exit fields together).
2. :func:`plan_import`: the rows together and against the school's records, read once into
   dicts (sites, partners, people, enrolments and their exits): duplicated rows, overlapping
   stays, prescribers, re-import matching and contradictions.

Eligibility rules are not re-applied (historical rows are imported as they were); impossible
data is refused.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parcours.organisations.models import Partner, PrescriberType, School, Site
from parcours.outcomes.destinations import (
    LENGTH_ALLOWED,
    LENGTH_REQUIRED,
    Destination,
    DropoutReason,
)
from parcours.outcomes.models import Exit
from parcours.outcomes.services_exits import MAX_MONTHS, PRESENCE
from parcours.pathways.models import Enrolment, EnrolmentPhase
from parcours.people.models import Person, age_on
from parcours.people.nir import MESSAGE as NIR_MESSAGE
from parcours.people.nir import find_nir
from parcours.people.phones import normalise_phone
from parcours.schedule.models import AttendanceMark

from . import columns as C
from .parsing import Cell

#: The youngest age at entry accepted (E2C: from 16).
MIN_AGE_AT_ENTRY = 16
#: The reason recorded for a dropout ("abandon"): the file does not say why.
IMPORTED_DROPOUT_REASON = DropoutReason.OTHER
PROGRESS_EVERY = 200

MAX_LENGTHS = {"nom": 100, "prenom": 100, "commune": 120, "prescripteur": 200, "email": 254}
_QPV_CODE = re.compile(r"^[A-Z0-9]{4,10}$")  # as intake's referral form
_POSTCODE = re.compile(r"^\d{5}$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FRENCH = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d+)$")
_NUMBER = re.compile(r"^\d{1,4}(\.\d{1,4})?$")  # no sign, no exponent: 0 to 9999.9999
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_email = EmailValidator()


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1-based spreadsheet row (header = row 1), None for the file itself
    column: str | None  # the column's header name, None for the whole row or file
    message: str  # French


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """By row (the file's own problems first), then in the columns' documented order."""
    return sorted(
        problems,
        key=lambda p: (p.row or 0, C.ORDER.get(p.column, len(C.ORDER)), p.message),
    )


def day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# ------------------------------------------------------------------------------- header


def check_header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Column name → index, and the header's problems (missing, unknown, repeated columns).

    An unknown column is a problem, not a warning: the import is all-or-nothing and a column it
    would silently leave out (a misspelt header, a column of notes) must be seen and removed.
    """
    index: dict[str, int] = {}
    problems: list[Problem] = []
    unknown: list[str] = []
    for position, raw in enumerate(header):
        key = C.header_key(raw)
        if not key:
            continue  # an empty column (";;" at the end of a line): its values are checked
        if key not in C.BY_NAME:
            unknown.append(f"« {str(raw).strip()[:60]} »")
        elif key in index:
            problems.append(
                Problem(1, key, _("La colonne « %(name)s » apparaît deux fois.") % {"name": key})
            )
        else:
            index[key] = position
    missing = [name for name in C.NAMES if name not in index]
    if missing:
        problems.append(
            Problem(
                1,
                None,
                _(
                    "Colonnes manquantes : %(names)s. La première ligne doit porter les en-têtes "
                    "(dans n'importe quel ordre) : %(all)s."
                )
                % {"names": ", ".join(missing), "all": ", ".join(C.NAMES)},
            )
        )
    if unknown:
        problems.append(
            Problem(
                1,
                None,
                _(
                    "Colonnes inconnues : %(names)s. Retirez-les ou corrigez leur en-tête "
                    "(colonnes attendues : %(all)s)."
                )
                % {"names": ", ".join(unknown), "all": ", ".join(C.NAMES)},
            )
        )
    return index, problems


# ------------------------------------------------------------------------------- one row


@dataclass
class Record:
    """A row whose every cell was read (its problems, if any, are already listed)."""

    row: int
    last_name: str
    first_name: str
    birth_date: datetime.date
    gender: str
    email: str
    phone: str
    postcode: str
    commune: str
    qpv_code: str
    diploma_level: str
    prescriber_type: str | None  # PrescriberType value; None: spontaneous
    prescriber: str  # the organisation's name as written
    plie: bool
    site: str
    entry_date: datetime.date
    exit_date: datetime.date | None
    destination: str
    months: int | None
    days: int
    dropout_reason: str

    @property
    def person_key(self) -> tuple[str, str, datetime.date]:
        return (C.fold(self.last_name), C.fold(self.first_name), self.birth_date)

    @property
    def end(self) -> datetime.date:
        return self.exit_date or datetime.date.max


class _Row:
    """Reads one row's cells, collecting its problems."""

    def __init__(self, number: int, cells: list[Cell], index: dict[str, int]) -> None:
        self.number = number
        self.cells = cells
        self.index = index
        self.problems: list[Problem] = []

    def problem(self, column: str | None, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def raw(self, name: str) -> Cell:
        return self.cells[self.index[name]]

    def text(self, name: str) -> str:
        value = self.raw(name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime.datetime | datetime.date):
            return day(value)
        return " ".join(str(value).split())

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            label = C.BY_NAME[name].label
            self.problem(
                name, _("Valeur manquante : %(label)s est obligatoire.") % {"label": label}
            )
        return value

    def free_text(self, name: str, value: str) -> str:
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            self.problem(
                name,
                _("%(label)s dépasse %(max)d caractères.")
                % {"label": C.BY_NAME[name].label.capitalize(), "max": limit},
            )
        elif find_nir(value):
            self.problem(name, str(NIR_MESSAGE))
        return value

    def date(self, name: str, *, required: bool) -> datetime.date | None:
        value = self.raw(name)
        label = C.BY_NAME[name].label
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = self.text(name)
        if not text:
            if required:
                self.required(name)
            return None
        parsed, message = parse_date(text)
        if message:
            self.problem(name, message % {"label": label.capitalize(), "value": text[:40]})
        return parsed

    def code(self, name: str, table: dict, *, required: bool, upper: bool = False):
        text = self.text(name)
        if not text:
            if required:
                self.required(name)
            return None
        key = C.code_key(text)
        if key not in table:
            self.problem(
                name,
                _("Code inconnu pour %(label)s : « %(value)s ». Codes acceptés : %(codes)s.")
                % {
                    "label": C.BY_NAME[name].label,
                    "value": text[:40],
                    "codes": C.allowed(table, upper=upper),
                },
            )
            return None
        return table[key]


NOT_A_DATE = _lazy(
    "%(label)s (« %(value)s ») n'est pas une date : écrivez-la JJ/MM/AAAA (ou AAAA-MM-JJ)."
)


def parse_date(text: str) -> tuple[datetime.date | None, str]:
    """A French (JJ/MM/AAAA, J/M/AAAA) or ISO (AAAA-MM-JJ) date; a time part after a space
    is ignored. Returns the date or a message with ``%(label)s`` and ``%(value)s``."""
    head, _sep, tail = text.strip().partition(" ")
    if tail and not _TIME.match(tail.strip()):
        head = text  # not "date time": fails below
    if "T" in head and _ISO.match(head.split("T", 1)[0]):
        head = head.split("T", 1)[0]
    match = _ISO.match(head)
    if match:
        year, month, day_ = (int(g) for g in match.groups())
    else:
        match = _FRENCH.match(head)
        if not match:
            return None, NOT_A_DATE
        day_, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        if len(year) == 2:
            return None, _(
                "%(label)s (« %(value)s ») a une année sur deux chiffres, ambiguë : écrivez "
                "l'année en entier (JJ/MM/AAAA)."
            )
        if len(year) != 4:
            return None, NOT_A_DATE
        year = int(year)
    try:
        return datetime.date(year, month, day_), ""
    except ValueError:
        return None, _("%(label)s (« %(value)s ») n'existe pas dans le calendrier.")


def parse_months(text: str) -> tuple[int | None, int, str]:
    """``'6'`` → (6, 0); ``'2,5'`` → (2, 15): whole months and days beyond (a month = 30
    days, as the exit form counts them). Returns a message when it is not a number >= 0."""
    compact = text.replace(" ", "").replace(",", ".")
    value = Decimal(compact) if _NUMBER.match(compact) else None
    if value is None:
        return (
            None,
            0,
            _(
                "La durée de la sortie (« %(value)s ») doit être un nombre de mois positif ou nul "
                "(ex. 6 ou 2,5)."
            )
            % {"value": text[:40]},
        )
    months = int(value)
    days = int(((value - months) * 30).to_integral_value())
    if days >= 30:
        months, days = months + 1, 0
    return months, days, ""


def parse_row(
    number: int, cells: list[Cell], index: dict[str, int], today: datetime.date
) -> tuple[Record | None, list[Problem]]:
    """One row read and checked on its own; the record is None when a value is unusable."""
    r = _Row(number, cells, index)
    named = set(index.values())
    extra = [c for i, c in enumerate(cells) if i not in named and c is not None and str(c).strip()]
    if extra:
        r.problem(None, _("La ligne a des valeurs hors des colonnes nommées dans l'en-tête."))

    last_name = r.free_text("nom", r.required("nom"))
    first_name = r.free_text("prenom", r.required("prenom"))
    birth_date = r.date("date_naissance", required=True)
    gender = r.code("sexe", C.GENDERS, required=True, upper=True)

    email = r.text("email")
    if email:
        if len(email) > MAX_LENGTHS["email"]:
            r.free_text("email", email)
        else:
            try:
                _email(email)
            except ValidationError:
                r.problem(
                    "email",
                    _("L'adresse e-mail (« %(value)s ») n'est pas valide.") % {"value": email[:60]},
                )

    phone = _phone(r)
    postcode = r.text("code_postal")
    raw_postcode = r.raw("code_postal")
    if isinstance(raw_postcode, int | float) and postcode.isdigit() and len(postcode) == 4:
        postcode = postcode.zfill(5)  # a spreadsheet number lost its leading zero (01000)
    if postcode and not _POSTCODE.match(postcode):
        r.problem(
            "code_postal",
            _("Le code postal (« %(value)s ») doit compter 5 chiffres.") % {"value": postcode[:20]},
        )
    commune = r.free_text("commune", r.text("commune"))
    qpv_code = r.text("code_qpv").upper().replace(" ", "")
    if qpv_code and not _QPV_CODE.match(qpv_code):
        r.problem(
            "code_qpv",
            _(
                "Le code QPV (« %(value)s ») ne contient que des lettres et des chiffres, 4 à 10 "
                "(ex. QN06301M), ou reste vide hors quartier prioritaire."
            )
            % {"value": qpv_code[:20]},
        )
    diploma = r.code("niveau_diplome", C.DIPLOMAS, required=False)
    prescriber_type = r.code("prescripteur_type", C.PRESCRIBER_TYPES, required=True)
    spontaneous = C.code_key(r.text("prescripteur_type")) == C.SPONTANEOUS
    prescriber = r.free_text("prescripteur", r.text("prescripteur"))
    if spontaneous and prescriber:
        r.problem(
            "prescripteur",
            _(
                "Une candidature spontanée n'a pas de prescripteur : laissez « prescripteur » "
                "vide, ou indiquez le type du prescripteur « %(name)s »."
            )
            % {"name": prescriber[:60]},
        )
    elif prescriber_type and not prescriber:
        r.problem(
            "prescripteur",
            _(
                "Indiquez le nom du prescripteur (type « %(type)s »), ou le type « spontane » "
                "pour une candidature spontanée."
            )
            % {"type": C.code_key(r.text("prescripteur_type"))},
        )
    plie = r.code("plie", C.YES_NO, required=False)
    site = r.required("site")
    entry_date = r.date("date_entree", required=True)
    exit_date = r.date("date_sortie", required=False)
    destination = r.code("sortie_type", C.EXIT_TYPES, required=False)
    months, days = _length(r)

    # The row's values together.
    if birth_date and birth_date > today:
        r.problem(
            "date_naissance",
            _("La date de naissance (%(birth)s) est dans le futur.") % {"birth": day(birth_date)},
        )
    elif birth_date and birth_date <= datetime.date(1900, 1, 1):
        r.problem(
            "date_naissance",
            _("La date de naissance (%(birth)s) n'est pas vraisemblable.")
            % {"birth": day(birth_date)},
        )
    if entry_date and entry_date > today:
        r.problem(
            "date_entree",
            _(
                "La date d'entrée (%(entry)s) est dans le futur : seuls les parcours commencés "
                "s'importent."
            )
            % {"entry": day(entry_date)},
        )
    if birth_date and entry_date:
        if birth_date >= entry_date:
            r.problem(
                "date_naissance",
                _("La date de naissance (%(birth)s) est après la date d'entrée (%(entry)s).")
                % {"birth": day(birth_date), "entry": day(entry_date)},
            )
        elif (age := age_on(birth_date, entry_date)) < MIN_AGE_AT_ENTRY:
            r.problem(
                "date_naissance",
                _(
                    "Âge à l'entrée : %(age)d ans (né·e le %(birth)s, entré·e le %(entry)s) ; il "
                    "faut au moins %(min)d ans."
                )
                % {
                    "age": age,
                    "birth": day(birth_date),
                    "entry": day(entry_date),
                    "min": MIN_AGE_AT_ENTRY,
                },
            )
    has_type = bool(r.text("sortie_type"))
    if exit_date and not has_type:
        r.problem(
            "sortie_type",
            _("Le type de sortie manque : une date de sortie est indiquée (%(exit)s).")
            % {"exit": day(exit_date)},
        )
    if has_type and not exit_date and not r.text("date_sortie"):
        r.problem("date_sortie", _("La date de sortie manque : un type de sortie est indiqué."))
    if exit_date and entry_date and exit_date < entry_date:
        r.problem(
            "date_sortie",
            _("La date de sortie (%(exit)s) est avant la date d'entrée (%(entry)s).")
            % {"exit": day(exit_date), "entry": day(entry_date)},
        )
    if exit_date and exit_date > today:
        r.problem(
            "date_sortie",
            _("La date de sortie (%(exit)s) est dans le futur.") % {"exit": day(exit_date)},
        )
    if r.text("sortie_duree_mois") and not (r.text("date_sortie") or has_type):
        r.problem(
            "sortie_duree_mois",
            _(
                "Une durée est indiquée sans sortie : laissez « sortie_duree_mois » vide, ou "
                "indiquez la date et le type de sortie."
            ),
        )
    if destination:
        _check_length(r, destination, months, days)

    if r.problems:
        return None, r.problems
    return (
        Record(
            row=number,
            last_name=last_name,
            first_name=first_name,
            birth_date=birth_date,
            gender=gender,
            email=email,
            phone=phone,
            postcode=postcode,
            commune=commune,
            qpv_code=qpv_code,
            diploma_level=diploma or "",
            prescriber_type=prescriber_type,
            prescriber=prescriber,
            plie=bool(plie),
            site=site,
            entry_date=entry_date,
            exit_date=exit_date,
            destination=destination or "",
            months=months,
            days=days,
            dropout_reason=IMPORTED_DROPOUT_REASON if destination == Destination.DROPOUT else "",
        ),
        [],
    )


def _phone(r: _Row) -> str:
    raw = r.raw("telephone")
    text = r.text("telephone")
    if not text:
        return ""
    if isinstance(raw, int | float) and text.isdigit() and len(text) == 9:
        text = "0" + text  # a spreadsheet number lost its leading zero (6 12 34 56 78)
    try:
        phone = normalise_phone(text)
    except ValidationError:
        r.problem(
            "telephone",
            _("Le numéro de téléphone (« %(value)s ») n'est pas valide.") % {"value": text[:30]},
        )
        return ""
    if len(phone) > 20:
        r.problem("telephone", _("Le numéro de téléphone est trop long."))
    return phone


def _length(r: _Row) -> tuple[int | None, int]:
    text = r.text("sortie_duree_mois")
    if not text:
        return None, 0
    months, days, message = parse_months(text)
    if message:
        r.problem("sortie_duree_mois", message)
        return None, 0
    if months > MAX_MONTHS:
        r.problem(
            "sortie_duree_mois",
            _("La durée de la sortie va de 0 à %(max)d mois.") % {"max": MAX_MONTHS},
        )
    return months, days


def _check_length(r: _Row, destination: str, months: int | None, days: int) -> None:
    """The exit form's rules on the length (``outcomes.services_exits._clean``)."""
    label = Destination(destination).label
    given = bool(r.text("sortie_duree_mois"))
    if not given and destination in LENGTH_REQUIRED:
        r.problem(
            "sortie_duree_mois",
            _(
                "Une sortie « %(destination)s » demande sa durée en mois (ex. 6, ou 0,5 pour "
                "deux semaines)."
            )
            % {"destination": label},
        )
    elif given and destination not in LENGTH_ALLOWED:
        r.problem(
            "sortie_duree_mois",
            _(
                "Une sortie « %(destination)s » n'a pas de durée : laissez « sortie_duree_mois » "
                "vide."
            )
            % {"destination": label},
        )
    elif months == 0 and days == 0:
        r.problem(
            "sortie_duree_mois",
            _("Une durée de 0 mois n'a pas de sens : indiquez-la (ex. 0,5 pour deux semaines)."),
        )


def parse_rows(
    rows: list[tuple[int, list[Cell]]],
    index: dict[str, int],
    today: datetime.date,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    for done, (number, cells) in enumerate(rows, start=1):
        record, found = parse_row(number, cells, index, today)
        if record is not None:
            records.append(record)
        problems += found
        if tick and done % PROGRESS_EVERY == 0:
            tick(done)
    return records, problems


# ------------------------------------------------------------------------- rows together


@dataclass
class StoredEnrolment:
    pk: int
    person_id: int
    entry_date: datetime.date
    ended_on: datetime.date | None
    exit: tuple | None  # (exit_date, destination, months, days) or None

    @property
    def end(self) -> datetime.date:
        return self.ended_on or datetime.date.max


@dataclass
class Plan:
    """What the import would write (``services`` writes it)."""

    #: folded name → (name, PrescriberType) of the partners to create, in file order.
    new_partners: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: folded name → id of an existing prescriber partner.
    partner_ids: dict[str, int] = field(default_factory=dict)
    #: folded name → site id.
    site_ids: dict[str, int] = field(default_factory=dict)
    #: person key → existing person id.
    person_ids: dict[tuple, int] = field(default_factory=dict)
    #: person key → the record whose identity a new person takes (their latest entry).
    new_people: dict[tuple, Record] = field(default_factory=dict)
    people_matched: int = 0
    new_enrolments: list[Record] = field(default_factory=list)
    enrolments_matched: int = 0
    #: (stored enrolment, record): an exit recorded now on an enrolment in progress.
    new_exits: list[tuple[StoredEnrolment, Record]] = field(default_factory=list)

    @property
    def exits_created(self) -> int:
        return sum(1 for r in self.new_enrolments if r.exit_date) + len(self.new_exits)


def _stored_exit(record: Record) -> tuple:
    return (record.exit_date, record.destination, record.months, record.days)


def _describe_exit(exit_: tuple) -> str:
    exit_date, destination, months, days = exit_
    text = f"« {Destination(destination).label} » le {day(exit_date)}"
    if months is not None:
        text += f", {months} mois" + (f" et {days} jours" if days else "")
    return text


def _period(start: datetime.date, end: datetime.date) -> str:
    if end == datetime.date.max:
        return _("entré·e le %(entry)s, en cours") % {"entry": day(start)}
    return _("du %(entry)s au %(exit)s") % {"entry": day(start), "exit": day(end)}


def plan_import(school: School, records: list[Record]) -> tuple[Plan, list[Problem]]:
    """Check the rows together and against the school's records (a fixed number of queries)."""
    plan = Plan()
    problems: list[Problem] = []

    def problem(row: int, column: str | None, message: str) -> None:
        problems.append(Problem(row, column, message))

    # Sites, by name.
    sites = list(Site.objects.filter(school=school).values_list("pk", "name").order_by("name"))
    by_site = {C.fold(name): pk for pk, name in sites}
    for record in records:
        site_id = by_site.get(C.fold(record.site))
        if site_id is None:
            problem(
                record.row,
                "site",
                _("Site inconnu : « %(site)s ». Sites de l'école : %(sites)s.")
                % {
                    "site": record.site[:60],
                    "sites": ", ".join(f"« {name} »" for _pk, name in sites) or _("aucun"),
                },
            )
        else:
            plan.site_ids[C.fold(record.site)] = site_id

    # Prescribers, by name: an existing prescriber of the same type, or a new one.
    partners = {
        C.fold(name): (pk, name, is_prescriber, kind)
        for pk, name, is_prescriber, kind in Partner.objects.filter(school=school).values_list(
            "pk", "name", "is_prescriber", "prescriber_type"
        )
    }
    type_labels = dict(PrescriberType.choices)
    first_seen: dict[str, Record] = {}
    for record in records:
        if not record.prescriber or record.prescriber_type is None:
            continue
        key = C.fold(record.prescriber)
        stored = partners.get(key)
        if stored is not None:
            pk, name, is_prescriber, kind = stored
            if not is_prescriber:
                problem(
                    record.row,
                    "prescripteur",
                    _(
                        "« %(name)s » est un partenaire de l'école qui n'est pas prescripteur : "
                        "cochez « prescripteur » sur sa fiche (Partenaires) avant l'import."
                    )
                    % {"name": name},
                )
            elif kind != record.prescriber_type:
                problem(
                    record.row,
                    "prescripteur_type",
                    _(
                        "Le prescripteur « %(name)s » est enregistré avec le type « %(kind)s » : "
                        "corrigez le type ou le nom."
                    )
                    % {"name": name, "kind": type_labels.get(kind, kind)},
                )
            else:
                plan.partner_ids[key] = pk
            continue
        seen = first_seen.setdefault(key, record)
        if seen.prescriber_type != record.prescriber_type:
            problem(
                record.row,
                "prescripteur_type",
                _(
                    "Le prescripteur « %(name)s » a un autre type à la ligne %(row)d : un "
                    "prescripteur n'a qu'un type."
                )
                % {"name": seen.prescriber, "row": seen.row},
            )
        else:
            plan.new_partners.setdefault(key, (seen.prescriber, seen.prescriber_type))

    # People: the school's, by folded names and birth date (the lowest id when two match).
    wanted = {record.person_key for record in records}
    births = {key[2] for key in wanted}
    stored_people: dict[tuple, int] = {}
    for pk, last, first, birth in (
        Person.objects.filter(school=school, anonymised_at__isnull=True)
        .filter(birth_date__in=births)
        .values_list("pk", "last_name", "first_name", "birth_date")
        .order_by("pk")
        .iterator(chunk_size=2000)
        if len(births) < 900
        else Person.objects.filter(school=school, anonymised_at__isnull=True)
        .values_list("pk", "last_name", "first_name", "birth_date")
        .order_by("pk")
        .iterator(chunk_size=2000)
    ):
        stored_people.setdefault((C.fold(last), C.fold(first), birth), pk)
    for key in wanted:
        if key in stored_people:
            plan.person_ids[key] = stored_people[key]
    plan.people_matched = len(plan.person_ids)

    # Stays already imported whose person has since been anonymised (past the school's
    # retention): the name is gone, but the stay keeps its site, entry date, the person's year
    # of birth and gender. Such rows are matched, not imported again — re-importing a file
    # must never count the same stay twice in the figures. Several people of one cohort may
    # share that key: it is counted, so N anonymised stays match at most N rows (in file
    # order) and any more are new stays.
    unmatched = [r for r in records if r.person_key not in plan.person_ids]
    anonymised_stays: Counter[tuple] = Counter()
    if unmatched:
        anonymised_stays = Counter(
            (site_id, entry, birth.year, gender)
            for site_id, entry, birth, gender in Enrolment.objects.filter(
                school=school,
                person__anonymised_at__isnull=False,
                entry_date__in={r.entry_date for r in unmatched},
            ).values_list("site_id", "entry_date", "person__birth_date", "person__gender")
        )

    # Their enrolments and exits (one query).
    stored: dict[int, list[StoredEnrolment]] = defaultdict(list)
    matched_people = set(plan.person_ids.values())
    if matched_people:
        rows = (
            Enrolment.objects.filter(school=school)
            .values_list(
                "pk",
                "person_id",
                "entry_date",
                "ended_on",
                "exit__exit_date",
                "exit__destination",
                "exit__months",
                "exit__days",
            )
            .order_by("entry_date", "pk")
        )
        for pk, person_id, entry, ended, x_date, x_dest, x_months, x_days in rows.iterator(
            chunk_size=2000
        ):
            if person_id in matched_people:
                exit_ = (x_date, x_dest, x_months, x_days) if x_date else None
                stored[person_id].append(StoredEnrolment(pk, person_id, entry, ended, exit_))

    # Rows of one person: duplicated rows, overlapping stays, matching stored enrolments.
    by_person: dict[tuple, list[Record]] = defaultdict(list)
    for record in records:
        by_person[record.person_key].append(record)
    anonymised_rows: set[int] = set()
    for key, rows_ in by_person.items():
        rows_.sort(key=lambda r: (r.entry_date, r.row))
        person_id = plan.person_ids.get(key)
        mine = {s.entry_date: s for s in stored.get(person_id, [])} if person_id else {}
        seen_entries: dict[datetime.date, Record] = {}
        stays: list[tuple[datetime.date, datetime.date, str]] = []  # (start, end, who)
        for record in rows_:
            earlier = seen_entries.get(record.entry_date)
            if earlier is not None:
                problem(
                    record.row,
                    None,
                    _(
                        "Ligne en double : la même personne avec la même date d'entrée "
                        "(%(entry)s) est déjà à la ligne %(row)d."
                    )
                    % {"entry": day(record.entry_date), "row": earlier.row},
                )
                continue
            seen_entries[record.entry_date] = record
            existing = mine.get(record.entry_date)
            end = record.end
            stay_key = (
                plan.site_ids.get(C.fold(record.site)),
                record.entry_date,
                record.birth_date.year,
                record.gender,
            )
            if person_id is None and anonymised_stays[stay_key] > 0:
                anonymised_stays[stay_key] -= 1
                plan.enrolments_matched += 1
                anonymised_rows.add(record.row)
                continue
            if existing is not None:
                if existing.exit is not None and record.exit_date:
                    if existing.exit != _stored_exit(record):
                        problem(
                            record.row,
                            "date_sortie",
                            _(
                                "Ce parcours est déjà enregistré avec une autre sortie "
                                "(%(stored)s) : corrigez la ligne, ou la sortie dans Parcours."
                            )
                            % {"stored": _describe_exit(existing.exit)},
                        )
                        continue
                elif existing.exit is None and existing.ended_on is not None and record.exit_date:
                    # Exited without an exit record (should not happen): nothing to add.
                    pass
                elif existing.exit is None and record.exit_date:
                    plan.new_exits.append((existing, record))
                if not record.exit_date:
                    end = existing.end  # what is stored knows more (an exit since)
                plan.enrolments_matched += 1
            else:
                plan.new_enrolments.append(record)
            stays.append((record.entry_date, end, f"row:{record.row}"))
        for s in stored.get(person_id, []) if person_id else []:
            if s.entry_date not in seen_entries:
                stays.append((s.entry_date, s.end, "stored"))
        # Overlaps: sorted by start, each stay must start after every earlier one ended.
        stays.sort()
        latest = stays[0] if stays else None
        for stay in stays[1:]:
            if stay[0] <= latest[1]:
                message = _overlap(stay, latest)
                if message is not None:
                    problems.append(message)
            if stay[1] > latest[1]:
                latest = stay

    # New people take the identity of their latest row (a person whose every row is a stay
    # already imported and anonymised is not created again).
    for key, rows_ in by_person.items():
        if key in plan.person_ids:
            continue
        new_rows = [r for r in rows_ if r.row not in anonymised_rows]
        if new_rows:
            plan.new_people[key] = max(new_rows, key=lambda r: (r.entry_date, r.row))
        else:
            plan.people_matched += 1

    problems += _check_new_exits(plan.new_exits)
    return plan, problems


def _overlap(stay: tuple, earlier: tuple) -> Problem | None:
    """The problem of ``stay`` overlapping ``earlier`` (on a row of the file: the later one
    when both are rows); None when both are stored (not this import's business)."""
    (start_b, end_b, who_b), (start_a, end_a, who_a) = stay, earlier
    row_b = int(who_b[4:]) if who_b.startswith("row:") else None
    row_a = int(who_a[4:]) if who_a.startswith("row:") else None
    if row_a and row_b:
        return Problem(
            row_b,
            "date_entree",
            _(
                "Ce parcours (%(this)s) chevauche celui de la ligne %(row)d (%(that)s) : une "
                "personne n'a qu'un parcours à la fois."
            )
            % {"this": _period(start_b, end_b), "row": row_a, "that": _period(start_a, end_a)},
        )
    if not (row_a or row_b):
        return None
    this, that = (
        ((start_b, end_b), (start_a, end_a)) if row_b else ((start_a, end_a), (start_b, end_b))
    )
    return Problem(
        row_b or row_a,
        "date_entree",
        _(
            "Ce parcours (%(this)s) chevauche un parcours déjà enregistré dans Parcours "
            "(%(that)s) : une personne n'a qu'un parcours à la fois."
        )
        % {"this": _period(*this), "that": _period(*that)},
    )


def _chunks(items: list, size: int = 2000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_new_exits(new_exits: list[tuple[StoredEnrolment, Record]]) -> list[Problem]:
    """An exit recorded on an enrolment in progress follows the exit form's rules on what was
    recorded since the entry: no presence and no phase started after the exit date."""
    if not new_exits:
        return []
    problems: list[Problem] = []
    by_id = {stored.pk: record for stored, record in new_exits}
    presence: dict[int, datetime.date] = {}
    phases: dict[int, datetime.date] = {}
    for ids in _chunks(sorted(by_id)):
        marks = AttendanceMark.objects.filter(enrolment_id__in=ids, status__in=PRESENCE)
        for enrolment_id, day_ in marks.values_list("enrolment_id", "day"):
            if day_ > by_id[enrolment_id].exit_date:
                presence[enrolment_id] = max(day_, presence.get(enrolment_id, day_))
        started = EnrolmentPhase.objects.filter(enrolment_id__in=ids)
        for enrolment_id, day_ in started.values_list("enrolment_id", "started_on"):
            if day_ > by_id[enrolment_id].exit_date:
                phases[enrolment_id] = max(day_, phases.get(enrolment_id, day_))
    for enrolment_id, last in presence.items():
        problems.append(
            Problem(
                by_id[enrolment_id].row,
                "date_sortie",
                _(
                    "Une présence est émargée le %(day)s dans Parcours, après cette date de "
                    "sortie : la sortie ne peut pas la précéder."
                )
                % {"day": day(last)},
            )
        )
    for enrolment_id, started in phases.items():
        problems.append(
            Problem(
                by_id[enrolment_id].row,
                "date_sortie",
                _(
                    "Une phase du parcours a commencé le %(day)s dans Parcours, après cette date "
                    "de sortie."
                )
                % {"day": day(started)},
            )
        )
    return problems


__all__ = ["Exit", "Plan", "Problem", "Record", "check_header", "parse_rows", "plan_import"]
