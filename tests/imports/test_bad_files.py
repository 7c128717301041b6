"""Bad files (issue 11's acceptance list and what a real school sends): each gives its exact
French problem(s) by row and column, and nothing is written."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from parcours.imports.parsing import MAX_FILE_BYTES
from parcours.imports.services import Problem, import_enrolments
from tests.factories import PersonFactory

from .conftest import BASE, counts, csv_bytes, person, row, xlsx_bytes

pytestmark = pytest.mark.django_db

GARBAGE_CSV = (
    "Le fichier n'est pas un fichier CSV lisible (ni UTF-8 ni Windows-1252) : enregistrez-le au "
    "format « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »."
)
GARBAGE_XLSX = (
    "Le fichier n'est pas un classeur XLSX lisible : ouvrez-le dans votre tableur et "
    "enregistrez-le au format « Classeur Excel (.xlsx) »."
)


def refused(setup, data: bytes, filename: str = "stagiaires.csv") -> list[Problem]:
    """Import for real: the problems, after checking nothing was written."""
    before = counts()
    report = import_enrolments(
        school=setup.school, actor=setup.director.user, data=data, filename=filename
    )
    assert counts() == before
    assert not report.ok and not report.written
    return report.problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


# --------------------------------------------------------------------------- whole file


def test_wrong_encoding_garbage(setup):
    data = b"nom;prenom\n\x81\x8d\x8f\x90\x9d garbage\n"
    assert only(refused(setup, data)) == Problem(None, None, GARBAGE_CSV)


def test_nul_bytes_are_garbage(setup):
    data = csv_bytes([row()]) + b"\x00\x00\x00"
    assert only(refused(setup, data)) == Problem(None, None, GARBAGE_CSV)


@pytest.mark.parametrize(
    ("filename", "message"), [("bruit.csv", GARBAGE_CSV), ("bruit.xlsx", GARBAGE_XLSX)]
)
def test_five_megabytes_of_garbage(setup, filename, message):
    data = random.Random(11).randbytes(5 * 1024 * 1024)
    assert only(refused(setup, data, filename)) == Problem(None, None, message)


def test_garbage_zip_named_xlsx(setup):
    data = b"PK\x03\x04" + random.Random(2).randbytes(2000)
    assert only(refused(setup, data, "faux.xlsx")) == Problem(None, None, GARBAGE_XLSX)


def test_a_workbook_that_unzips_to_gigabytes_is_refused_before_unzipping(setup):
    """A "zip bomb": a real workbook whose sheet is padded with one huge run of spaces (a few
    hundred KB compressed, 300 MB unzipped). It is refused from the archive's directory."""
    import io
    import zipfile

    sound = xlsx_bytes([row()])
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(sound)) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        with target.open("xl/padding.xml", "w", force_zip64=True) as padding:
            chunk = b" " * (1024 * 1024)
            for _ in range(300):
                padding.write(chunk)
    data = bomb.getvalue()
    assert len(data) < 1024 * 1024
    assert only(refused(setup, data, "bombe.xlsx")) == Problem(
        None,
        None,
        "Le classeur est trop volumineux une fois décompressé : enregistrez-le en CSV ou "
        "découpez-le en plusieurs fichiers.",
    )


def test_empty_file(setup):
    assert only(refused(setup, b"")) == Problem(None, None, "Le fichier est vide.")
    assert only(refused(setup, b"\r\n  \n")) == Problem(None, None, "Le fichier est vide.")


def test_header_only(setup):
    problem = only(refused(setup, csv_bytes([])))
    assert problem == Problem(None, None, "Le fichier n'a aucune ligne de données.")


def test_too_big(setup):
    data = csv_bytes([row()]) + b" " * MAX_FILE_BYTES
    problem = only(refused(setup, data))
    assert problem == Problem(None, None, "Le fichier dépasse la taille maximale de 20 Mo.")


def test_wrong_extension(setup):
    problem = only(refused(setup, csv_bytes([row()]), "stagiaires.ods"))
    assert problem.message == (
        "Le fichier doit être un classeur XLSX ou un fichier CSV (« stagiaires.ods »)."
    )


def test_missing_column(setup):
    header = [name for name in BASE if name != "date_entree"]
    problem = only(refused(setup, csv_bytes([row()], header=header)))
    assert problem.row == 1 and problem.column is None
    assert problem.message.startswith(
        "Colonnes manquantes : date_entree. La première ligne doit porter les en-têtes "
        "(dans n'importe quel ordre) : nom, prenom, date_naissance,"
    )


def test_unknown_extra_column_is_a_problem(setup):
    header = [*BASE, "Observations"]
    problem = only(refused(setup, csv_bytes([row(Observations="RAS")], header=header)))
    assert problem.row == 1
    assert problem.message.startswith(
        "Colonnes inconnues : « Observations ». Retirez-les ou corrigez leur en-tête"
    )


def test_repeated_column(setup):
    header = [*BASE, "nom"]
    problem = only(refused(setup, csv_bytes([row()], header=header)))
    assert problem == Problem(1, "nom", "La colonne « nom » apparaît deux fois.")


# ------------------------------------------------------------------------------ one row


def test_impossible_date(setup):
    problem = only(refused(setup, csv_bytes([row(date_entree="31/02/2021")])))
    assert problem == Problem(
        2, "date_entree", "Date d'entrée (« 31/02/2021 ») n'existe pas dans le calendrier."
    )


def test_not_a_date(setup):
    problem = only(refused(setup, csv_bytes([row(date_naissance="le 3 mars")])))
    assert problem == Problem(
        2,
        "date_naissance",
        "Date de naissance (« le 3 mars ») n'est pas une date : écrivez-la JJ/MM/AAAA "
        "(ou AAAA-MM-JJ).",
    )


def test_two_digit_year_is_ambiguous(setup):
    problem = only(refused(setup, csv_bytes([row(date_naissance="14/03/03")])))
    assert problem == Problem(
        2,
        "date_naissance",
        "Date de naissance (« 14/03/03 ») a une année sur deux chiffres, ambiguë : écrivez "
        "l'année en entier (JJ/MM/AAAA).",
    )


def test_unknown_code_lists_the_allowed_ones(setup):
    problems = refused(setup, csv_bytes([row(sexe="X", sortie_type="embauche")]))
    assert problems == [
        Problem(2, "sexe", "Code inconnu pour sexe : « X ». Codes acceptés : « F » ou « M »."),
        Problem(
            2,
            "sortie_type",
            "Code inconnu pour type de sortie : « embauche ». Codes acceptés : « cdi », « cdd », "
            "« interim », « contrat_aide », « alternance », « creation », "
            "« formation_qualifiante », « formation », « service_civique », "
            "« recherche_emploi », « demenagement », « sante », « abandon », « exclusion » ou "
            "« autre ».",
        ),
    ]


def test_unknown_prescriber_type_and_diploma(setup):
    problems = refused(setup, csv_bytes([row(prescripteur_type="pole_emploi", niveau_diplome="6")]))
    assert problems == [
        Problem(
            2,
            "niveau_diplome",
            "Code inconnu pour niveau de diplôme : « 6 ». Codes acceptés : « aucun », « 3 », « 4 » "
            "ou « 5+ ».",
        ),
        Problem(
            2,
            "prescripteur_type",
            "Code inconnu pour type de prescripteur : « pole_emploi ». Codes acceptés : "
            "« mission_locale », « france_travail », « plie », « cap_emploi », « departement », "
            "« spontane » ou « autre ».",
        ),
    ]


def test_duplicated_row(setup):
    problems = refused(setup, csv_bytes([row(), person(1), row()]))
    assert problems == [
        Problem(
            4,
            None,
            "Ligne en double : la même personne avec la même date d'entrée (06/09/2021) est déjà "
            "à la ligne 2.",
        )
    ]


def test_duplicated_row_despite_case_and_accents(setup):
    problems = refused(setup, csv_bytes([row(), row(nom="MARTIN", prenom="lea")]))
    assert [(p.row, p.column) for p in problems] == [(3, None)]


def test_exit_before_entry(setup):
    problem = only(refused(setup, csv_bytes([row(date_sortie="03/02/2021")])))
    assert problem == Problem(
        2, "date_sortie", "La date de sortie (03/02/2021) est avant la date d'entrée (06/09/2021)."
    )


def test_birth_date_after_entry(setup):
    problem = only(refused(setup, csv_bytes([row(date_naissance="01/10/2021")])))
    assert problem == Problem(
        2,
        "date_naissance",
        "La date de naissance (01/10/2021) est après la date d'entrée (06/09/2021).",
    )


def test_under_16_at_entry(setup):
    problem = only(refused(setup, csv_bytes([row(date_naissance="07/09/2005")])))
    assert problem == Problem(
        2,
        "date_naissance",
        "Âge à l'entrée : 15 ans (né·e le 07/09/2005, entré·e le 06/09/2021) ; il faut au moins "
        "16 ans.",
    )


def test_entry_in_the_future(setup):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    text = tomorrow.strftime("%d/%m/%Y")
    problem = only(
        refused(setup, csv_bytes([row(date_entree=text, date_sortie="", sortie_type="")]))
    )
    assert problem == Problem(
        2,
        "date_entree",
        f"La date d'entrée ({text}) est dans le futur : seuls les parcours commencés s'importent.",
    )


def test_exit_in_the_future(setup):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    problem = only(refused(setup, csv_bytes([row(date_sortie=tomorrow)])))
    assert problem == Problem(
        2, "date_sortie", f"La date de sortie ({tomorrow}) est dans le futur."
    )


def test_missing_required_values(setup):
    values = {name: "" for name in ("nom", "prenom", "date_naissance", "sexe", "site")}
    problems = refused(setup, csv_bytes([row(**values, date_entree="", prescripteur_type="")]))
    assert [(p.column, p.message) for p in problems] == [
        ("nom", "Valeur manquante : nom est obligatoire."),
        ("prenom", "Valeur manquante : prénom est obligatoire."),
        ("date_naissance", "Valeur manquante : date de naissance est obligatoire."),
        ("sexe", "Valeur manquante : sexe est obligatoire."),
        ("prescripteur_type", "Valeur manquante : type de prescripteur est obligatoire."),
        ("site", "Valeur manquante : site est obligatoire."),
        ("date_entree", "Valeur manquante : date d'entrée est obligatoire."),
    ]
    assert {p.row for p in problems} == {2}


def test_contact_formats(setup):
    problems = refused(
        setup, csv_bytes([row(email="lea@", telephone="12", code_postal="6300", code_qpv="QN-1")])
    )
    assert problems == [
        Problem(2, "email", "L'adresse e-mail (« lea@ ») n'est pas valide."),
        Problem(2, "telephone", "Le numéro de téléphone (« 12 ») n'est pas valide."),
        Problem(2, "code_postal", "Le code postal (« 6300 ») doit compter 5 chiffres."),
        Problem(
            2,
            "code_qpv",
            "Le code QPV (« QN-1 ») ne contient que des lettres et des chiffres, 4 à 10 "
            "(ex. QN06301M), ou reste vide hors quartier prioritaire.",
        ),
    ]


def test_no_social_security_number(setup):
    problem = only(refused(setup, csv_bytes([row(commune="185057800608436")])))
    assert problem.column == "commune"
    assert "NIR" in problem.message


def test_exit_fields_go_together(setup):
    problems = refused(
        setup,
        csv_bytes(
            [
                row(sortie_type=""),
                person(1, date_sortie=""),
                person(2, date_sortie="", sortie_type="", sortie_duree_mois="3"),
            ]
        ),
    )
    assert problems == [
        Problem(
            2,
            "sortie_type",
            "Le type de sortie manque : une date de sortie est indiquée (18/03/2022).",
        ),
        Problem(3, "date_sortie", "La date de sortie manque : un type de sortie est indiqué."),
        Problem(
            4,
            "sortie_duree_mois",
            "Une durée est indiquée sans sortie : laissez « sortie_duree_mois » vide, ou indiquez "
            "la date et le type de sortie.",
        ),
    ]


def test_exit_length(setup):
    problems = refused(
        setup,
        csv_bytes(
            [
                row(sortie_type="cdd"),
                person(1, sortie_type="cdd", sortie_duree_mois="-2"),
                person(2, sortie_type="cdd", sortie_duree_mois="six"),
                person(3, sortie_duree_mois="12"),
                person(4, sortie_type="cdd", sortie_duree_mois="0"),
            ]
        ),
    )
    assert problems == [
        Problem(
            2,
            "sortie_duree_mois",
            "Une sortie « CDD » demande sa durée en mois (ex. 6, ou 0,5 pour deux semaines).",
        ),
        Problem(
            3,
            "sortie_duree_mois",
            "La durée de la sortie (« -2 ») doit être un nombre de mois positif ou nul "
            "(ex. 6 ou 2,5).",
        ),
        Problem(
            4,
            "sortie_duree_mois",
            "La durée de la sortie (« six ») doit être un nombre de mois positif ou nul "
            "(ex. 6 ou 2,5).",
        ),
        Problem(
            5,
            "sortie_duree_mois",
            "Une sortie « CDI » n'a pas de durée : laissez « sortie_duree_mois » vide.",
        ),
        Problem(
            6,
            "sortie_duree_mois",
            "Une durée de 0 mois n'a pas de sens : indiquez-la (ex. 0,5 pour deux semaines).",
        ),
    ]


def test_unknown_site(setup):
    problem = only(refused(setup, csv_bytes([row(site="Site Sud")])))
    assert problem == Problem(
        2,
        "site",
        "Site inconnu : « Site Sud ». Sites de l'école : « Site Alpha », « Site Nord ».",
    )


def test_another_schools_site_is_unknown(setup):
    setup.school.sites.filter(name="Site Alpha").update(name="Site Centre")
    problem = only(refused(setup, csv_bytes([row()])))  # "Site Alpha" is the other school's
    assert problem.column == "site"


def test_prescriber_name_and_type(setup):
    problems = refused(
        setup,
        csv_bytes([row(prescripteur=""), person(1, prescripteur_type="spontane")]),
    )
    assert problems == [
        Problem(
            2,
            "prescripteur",
            "Indiquez le nom du prescripteur (type « mission_locale »), ou le type « spontane » "
            "pour une candidature spontanée.",
        ),
        Problem(
            3,
            "prescripteur",
            "Une candidature spontanée n'a pas de prescripteur : laissez « prescripteur » vide, "
            "ou indiquez le type du prescripteur « Mission Locale Test ».",
        ),
    ]


def test_one_prescriber_one_type(setup):
    problems = refused(setup, csv_bytes([row(), person(1, prescripteur_type="france_travail")]))
    assert problems == [
        Problem(
            3,
            "prescripteur_type",
            "Le prescripteur « Mission Locale Test » a un autre type à la ligne 2 : un "
            "prescripteur n'a qu'un type.",
        )
    ]


def test_existing_partner_of_another_type_or_not_a_prescriber(setup):
    from tests.factories import PartnerFactory

    PartnerFactory(school=setup.school, name="Mission Locale Test", prescriber_type="plie")
    PartnerFactory(school=setup.school, funder=True, name="Métropole Test")
    problems = refused(
        setup,
        csv_bytes([row(), person(1, prescripteur="Métropole test", prescripteur_type="autre")]),
    )
    assert problems == [
        Problem(
            2,
            "prescripteur_type",
            "Le prescripteur « Mission Locale Test » est enregistré avec le type « PLIE » : "
            "corrigez le type ou le nom.",
        ),
        Problem(
            3,
            "prescripteur",
            "« Métropole Test » est un partenaire de l'école qui n'est pas prescripteur : cochez "
            "« prescripteur » sur sa fiche (Partenaires) avant l'import.",
        ),
    ]


def test_overlapping_stays_in_the_file(setup):
    problems = refused(
        setup,
        csv_bytes(
            [
                row(date_entree="06/09/2021", date_sortie="18/03/2022"),
                row(date_entree="01/03/2022", date_sortie="30/06/2022", sortie_type="abandon"),
                row(date_entree="05/09/2022", date_sortie="", sortie_type=""),
                row(date_entree="09/01/2023", date_sortie="", sortie_type=""),
            ]
        ),
    )
    assert problems == [
        Problem(
            3,
            "date_entree",
            "Ce parcours (du 01/03/2022 au 30/06/2022) chevauche celui de la ligne 2 (du "
            "06/09/2021 au 18/03/2022) : une personne n'a qu'un parcours à la fois.",
        ),
        Problem(
            5,
            "date_entree",
            "Ce parcours (entré·e le 09/01/2023, en cours) chevauche celui de la ligne 4 "
            "(entré·e le 05/09/2022, en cours) : une personne n'a qu'un parcours à la fois.",
        ),
    ]


def test_stay_overlapping_one_recorded_in_parcours(setup):
    from tests.factories import EnrolmentFactory

    known = PersonFactory(
        school=setup.school,
        last_name="Martin",
        first_name="Léa",
        birth_date=datetime.date(2003, 3, 14),
    )
    EnrolmentFactory(
        school=setup.school, person=known, site=setup.site, entry_date=datetime.date(2022, 1, 10)
    )
    problem = only(refused(setup, csv_bytes([row()])))
    assert problem == Problem(
        2,
        "date_entree",
        "Ce parcours (du 06/09/2021 au 18/03/2022) chevauche un parcours déjà enregistré dans "
        "Parcours (entré·e le 10/01/2022, en cours) : une personne n'a qu'un parcours à la fois.",
    )


def test_values_outside_the_columns(setup):
    data = csv_bytes([row()]).rstrip(b"\r\n") + b";en trop\r\n"
    problem = only(refused(setup, data))
    assert problem == Problem(
        2, None, "La ligne a des valeurs hors des colonnes nommées dans l'en-tête."
    )


def test_every_problem_is_listed_sorted_by_row(setup):
    rows = [person(n) for n in range(1, 8)]
    rows[5]["sexe"] = "H"
    rows[1]["date_sortie"] = "01/01/2021"
    rows[1]["email"] = "pas-une-adresse"
    rows[3]["site"] = "Ailleurs"
    problems = refused(setup, xlsx_bytes(rows), "stagiaires.xlsx")
    assert [(p.row, p.column) for p in problems] == [
        (3, "email"),
        (3, "date_sortie"),
        (5, "site"),
        (7, "sexe"),
    ]


def test_dry_run_of_a_bad_file_reports_the_same(setup):
    data = csv_bytes([row(sexe="X")])
    before = counts()
    report = import_enrolments(
        school=setup.school, actor=None, data=data, filename="a.csv", dry_run=True
    )
    assert counts() == before
    assert [(p.row, p.column) for p in report.problems] == [(2, "sexe")]


def test_a_year_of_five_digits_is_not_a_date(setup):
    problem = only(refused(setup, csv_bytes([row(date_entree="06/09/20211")])))
    assert problem.message == (
        "Date d'entrée (« 06/09/20211 ») n'est pas une date : écrivez-la JJ/MM/AAAA "
        "(ou AAAA-MM-JJ)."
    )


@pytest.mark.parametrize("value", ["1e9", "NaN", "+3", "99999", "1E+999999999999"])
def test_lengths_are_plain_numbers(setup, value):
    problem = only(refused(setup, csv_bytes([row(sortie_type="cdd", sortie_duree_mois=value)])))
    assert problem.column == "sortie_duree_mois"
    assert problem.message.startswith(f"La durée de la sortie (« {value} ») doit être un nombre")


def test_a_value_under_an_empty_header(setup):
    header = [*BASE, ""]
    problem = only(refused(setup, csv_bytes([row(**{"": "note"})], header=header)))
    assert problem == Problem(
        2, None, "La ligne a des valeurs hors des colonnes nommées dans l'en-tête."
    )


def test_too_many_rows(setup, monkeypatch):
    from parcours.imports import parsing

    monkeypatch.setattr(parsing, "MAX_ROWS", 3)
    problem = only(refused(setup, csv_bytes([person(n) for n in range(4)])))
    assert problem == Problem(
        None, None, "Le fichier a plus de 3 lignes : découpez-le en plusieurs fichiers."
    )
    problem = only(refused(setup, xlsx_bytes([person(n) for n in range(4)]), "a.xlsx"))
    assert problem.message == "Le fichier a plus de 3 lignes : découpez-le en plusieurs fichiers."


def test_a_workbook_named_csv(setup):
    problem = only(refused(setup, xlsx_bytes([row()]), "stagiaires.csv"))
    assert problem == Problem(
        None,
        None,
        "Ce fichier est un classeur (XLSX), pas un CSV : importez-le avec l'extension « .xlsx ».",
    )
