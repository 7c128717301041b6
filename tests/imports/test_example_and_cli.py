"""The documented example file imports cleanly; the CLI prints the French report and says by
its exit status whether the file was refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parcours.imports.services import import_enrolments
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment
from parcours.people.models import Person
from tests.factories import SiteFactory

from .conftest import counts, csv_bytes, row

pytestmark = pytest.mark.django_db

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "examples" / "import-enrolments-exemple.csv"
)


def test_the_example_file_imports_into_the_test_worlds_school(world):
    SiteFactory(school=world.school, name="Cours Sablon")  # the demo school's site
    data = EXAMPLE.read_bytes()
    people, enrolments = Person.objects.count(), Enrolment.objects.count()
    before = counts()
    dry = import_enrolments(
        school=world.school, actor=None, data=data, filename=EXAMPLE.name, dry_run=True
    )
    assert dry.ok, dry.problems
    assert counts() == before
    report = import_enrolments(
        school=world.school, actor=world.members["director"].user, data=data, filename=EXAMPLE.name
    )
    assert report.ok and report.written
    expected = (dry.people_created, dry.enrolments_created, dry.exits_created)
    assert (report.people_created, report.enrolments_created, report.exits_created) == expected
    assert (report.rows, report.people_created, report.enrolments_created) == (12, 11, 12)
    assert report.exits_created == 10
    assert report.prescribers_created == dry.prescribers_created
    assert "Association Tremplin Jeunes" in report.prescribers_created
    assert Person.objects.count() == people + 11
    assert Enrolment.objects.count() == enrolments + 12
    stays = Enrolment.objects.filter(school=world.school, person__last_name="Moreau")
    assert stays.count() == 2
    destinations = set(
        Exit.objects.filter(
            school=world.school,
            enrolment__in=Enrolment.objects.filter(
                person__in=Person.objects.filter(last_name__in=["Benali", "Nguyen", "Dubois"])
            ),
        ).values_list("destination", flat=True)
    )
    assert destinations == {"cdi", "apprentissage", "cdd"}
    again = import_enrolments(school=world.school, actor=None, data=data, filename=EXAMPLE.name)
    assert again.ok and not again.written and again.enrolments_matched == 12


# ------------------------------------------------------------------------------------ CLI


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_cli_imports_and_prints_the_counts(setup, tmp_path):
    path = tmp_path / "stagiaires.csv"
    path.write_bytes(csv_bytes([row()]))
    before = counts()
    status, output = _cli("enrolments", str(path), "--school", setup.school.slug, "--dry-run")
    assert status == 0 and counts() == before
    assert output.splitlines() == [
        "Vérification sans écriture : le fichier est valide (1 ligne).",
        "Personnes à créer : 1 ; déjà connues : 0",
        "Parcours à créer : 1 ; déjà enregistrés : 0",
        "Sorties à créer : 1",
        "Prescripteurs à créer (1) :",
        "- Mission Locale Test",
    ]
    status, output = _cli("enrolments", str(path), "--school", setup.school.slug)
    assert status == 0
    assert output.splitlines()[0] == "Import terminé (1 ligne)."
    assert Person.objects.filter(school=setup.school).count() == 1
    from parcours.audit.models import AuditEvent

    summary = AuditEvent.objects.get(action="import.enrolments")
    assert summary.actor is None and summary.ip_address is None
    status, output = _cli("enrolments", str(path), "--school", setup.school.slug)
    assert status == 0
    assert output.splitlines()[0] == "Rien à importer : tout est déjà enregistré (1 ligne)."


def test_cli_lists_the_problems_and_fails(setup, tmp_path):
    path = tmp_path / "stagiaires.csv"
    path.write_bytes(csv_bytes([row(sexe="X"), row(date_sortie="01/01/2020")]))
    before = counts()
    status, output = _cli("enrolments", str(path), "--school", setup.school.slug)
    assert status == 1 and counts() == before
    assert output.splitlines() == [
        "2 problèmes : rien n'a été importé (2 lignes lues).",
        "- Ligne 2, colonne sexe : Code inconnu pour sexe : « X ». Codes acceptés : « F » ou "
        "« M ».",
        "- Ligne 3, colonne date_sortie : La date de sortie (01/01/2020) est avant la date "
        "d'entrée (06/09/2021).",
    ]


def test_cli_file_problem(setup, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    status, output = _cli("enrolments", str(path), "--school", setup.school.slug)
    assert status == 1
    assert output.splitlines() == [
        "1 problème : rien n'a été importé (0 ligne lue).",
        "- Fichier : Le fichier est vide.",
    ]


def test_cli_unknown_school_or_file(setup, tmp_path):
    path = tmp_path / "stagiaires.csv"
    path.write_bytes(csv_bytes([row()]))
    with pytest.raises(CommandError, match="École inconnue : « nulle-part »") as error:
        call_command("import", "enrolments", str(path), "--school", "nulle-part")
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="Fichier illisible") as error:
        call_command(
            "import", "enrolments", str(tmp_path / "absent.csv"), "--school", setup.school.slug
        )
    assert error.value.returncode == 2


def test_the_pages_show_imported_trainees(world):
    """The trainee list, a trainee's page, the exits and the key figures read imported records
    like the others (no page trips on what an import leaves empty)."""
    from django.urls import reverse

    SiteFactory(school=world.school, name="Cours Sablon")  # the demo school's site
    report = import_enrolments(
        school=world.school, actor=None, data=EXAMPLE.read_bytes(), filename=EXAMPLE.name
    )
    assert report.written
    client = world.client_for("director")
    slug = world.school.slug
    trainees = client.get(reverse("pathways:trainees", args=[slug]), {"q": "Fontaine"})
    assert trainees.status_code == 200
    assert "Fontaine" in trainees.content.decode()  # in progress: in the default list
    moreau = Enrolment.objects.filter(school=world.school, person__last_name="Moreau").first()
    page = client.get(reverse("pathways:trainee", args=[slug, moreau.pk]))
    assert page.status_code == 200
    assert "Moreau" in page.content.decode() or "MOREAU" in page.content.decode()
    for name in ("outcomes:exits", "outcomes:rates", "reporting:key_figures"):
        assert client.get(reverse(name, args=[slug]), {"annee": "2023"}).status_code == 200, name
