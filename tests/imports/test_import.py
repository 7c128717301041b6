"""Valid files: what an import writes, how it reads encodings, separators and XLSX cells, and
re-imports (idempotence, a new exit, a contradiction)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.audit.models import AuditEvent
from parcours.imports.services import Problem, import_enrolments
from parcours.intake.models import Channel, Referral, Stage
from parcours.organisations.models import Partner
from parcours.outcomes.models import Exit
from parcours.pathways.models import Enrolment, EnrolmentPhase
from parcours.people.models import Person
from tests.factories import EnrolmentFactory, PartnerFactory, PersonFactory

from .conftest import BASE, counts, csv_bytes, person, row, xlsx_bytes

BASE_HEADER = list(BASE)

pytestmark = pytest.mark.django_db


def run(setup, data: bytes, filename: str = "stagiaires.csv", **kwargs):
    kwargs.setdefault("actor", setup.director.user)
    return import_enrolments(school=setup.school, data=data, filename=filename, **kwargs)


def test_one_row_gives_the_records_an_entry_and_an_exit_give(setup):
    report = run(setup, csv_bytes([row(code_qpv="qn06301m", plie="oui")]), ip_address="192.0.2.9")
    assert report.ok and report.written
    assert (report.people_created, report.enrolments_created, report.exits_created) == (1, 1, 1)
    assert report.prescribers_created == ["Mission Locale Test"]
    person_ = Person.objects.get(school=setup.school)
    assert (person_.last_name, person_.first_name, person_.birth_date, person_.gender) == (
        "Martin",
        "Léa",
        datetime.date(2003, 3, 14),
        "F",
    )
    assert (person_.phone, person_.postcode, person_.email) == (
        "+33612345678",
        "63000",
        "lea.martin@example.org",
    )
    enrolment = Enrolment.objects.get(person=person_)
    assert enrolment.site == setup.site
    assert (enrolment.entry_date, enrolment.ended_on, enrolment.status) == (
        datetime.date(2021, 9, 6),
        datetime.date(2022, 3, 18),
        "exited",
    )
    assert enrolment.planned_end_date > enrolment.entry_date
    situation = enrolment.entry_situation
    assert (situation.qpv_code, situation.diploma_level, situation.gender) == (
        "QN06301M",
        "none",
        "F",
    )
    assert sorted(enrolment.funding_lines.values_list("code", flat=True)) == [
        "plie",
        "politique_ville",
    ]
    referral = enrolment.referral
    assert referral.stage == Stage.ENTERED and referral.channel == Channel.MAIL
    assert referral.prescriber.name == "Mission Locale Test"
    assert referral.prescriber.prescriber_type == "mission_locale"
    phase = EnrolmentPhase.objects.get(enrolment=enrolment)
    assert (phase.started_on, phase.ended_on) == (enrolment.entry_date, enrolment.ended_on)
    exit_ = Exit.objects.get(enrolment=enrolment)
    assert (exit_.destination, exit_.months, exit_.exit_date) == ("cdi", None, enrolment.ended_on)
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [
        "import.enrolments",
        "partner.create",
        "enrolment.create",
        "exit.record",
    ]
    assert {e.actor for e in events} == {setup.director.user}
    assert {e.ip_address for e in events} == {"192.0.2.9"}
    assert {e.school_id for e in events} == {setup.school.pk}
    assert events[0].changes["format"] == "csv"
    assert "stagiaires" not in str(events[0].changes)  # the file's name could name a person
    assert events[0].changes["enrolments_created"] == 1
    assert events[2].object_id == str(enrolment.pk) and events[2].changes["import"] is True


def test_spontaneous_application_has_a_referral_without_prescriber(setup):
    report = run(setup, csv_bytes([row(prescripteur_type="Spontané", prescripteur="")]))
    assert report.ok and report.prescribers_created == []
    referral = Referral.objects.get()
    assert referral.prescriber is None and referral.channel == Channel.SPONTANEOUS


def test_codes_map_to_the_products_choices(setup):
    rows = [
        person(1, sortie_type="alternance", sortie_duree_mois=""),
        person(2, sortie_type="abandon"),
        person(3, sortie_type="interim", sortie_duree_mois="2,5"),
        person(4, niveau_diplome="5+", sexe="m", prescripteur_type="autre", prescripteur="Asso"),
    ]
    assert run(setup, csv_bytes(rows)).ok
    exits = {
        e.enrolment.person.last_name: e for e in Exit.objects.select_related("enrolment__person")
    }
    assert exits["Personne1"].destination == "apprentissage"
    assert (exits["Personne2"].destination, exits["Personne2"].dropout_reason) == (
        "abandon",
        "autre",
    )
    assert (exits["Personne3"].months, exits["Personne3"].days) == (2, 15)
    fourth = Enrolment.objects.get(person__last_name="Personne4")
    assert fourth.entry_situation.diploma_level == "5+" and fourth.person.gender == "M"
    assert Partner.objects.get(name="Asso").prescriber_type == "other"


def test_existing_prescriber_is_reused_by_its_name(setup):
    partner = PartnerFactory(school=setup.school, name="Mission Locale TEST")
    report = run(setup, csv_bytes([row()]))
    assert report.ok and report.prescribers_created == []
    assert Referral.objects.get().prescriber == partner


def test_one_person_with_two_stays(setup):
    rows = [
        row(date_entree="06/09/2021", date_sortie="18/03/2022", sortie_type="abandon"),
        row(date_entree="05/09/2022", date_sortie="", sortie_type="", email="lea@nouveau.org"),
    ]
    report = run(setup, csv_bytes(rows))
    assert (report.people_created, report.enrolments_created, report.exits_created) == (1, 2, 1)
    person_ = Person.objects.get()
    assert person_.email == "lea@nouveau.org"  # the latest row's contact
    assert list(person_.enrolments.order_by("entry_date").values_list("status", flat=True)) == [
        "exited",
        "active",
    ]


def test_windows_1252_file_with_accents(setup):
    rows = [row(nom="Lefèvre", prenom="Hélène", commune="Besançon", site="site alpha")]
    report = run(setup, csv_bytes(rows, encoding="cp1252"))
    assert report.ok
    assert Person.objects.values_list("last_name", "first_name", "commune").get() == (
        "Lefèvre",
        "Hélène",
        "Besançon",
    )


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_separators_and_bom(setup, delimiter, encoding):
    rows = [
        row(prescripteur="Mission Locale, Centre"),
        person(1, sortie_type="cdd", sortie_duree_mois="6,5"),
    ]
    report = run(setup, csv_bytes(rows, delimiter=delimiter, encoding=encoding))
    assert report.ok, report.problems
    assert report.enrolments_created == 2
    assert Partner.objects.filter(name="Mission Locale, Centre").exists()


def test_headers_tolerate_case_accents_spaces_and_order(setup):
    header = [
        "Sortie durée mois", "Date-Sortie", "SORTIE_TYPE", " Nom ", "Prénom", "Date naissance",
        "Sexe", "E-mail", "Téléphone", "Code postal", "Commune", "Code QPV", "Niveau diplôme",
        "Prescripteur type", "Prescripteur", "PLIE", "Site", "Date entrée",
    ]  # fmt: skip
    names = [
        "sortie_duree_mois", "date_sortie", "sortie_type", "nom", "prenom", "date_naissance",
        "sexe", "email", "telephone", "code_postal", "commune", "code_qpv", "niveau_diplome",
        "prescripteur_type", "prescripteur", "plie", "site", "date_entree",
    ]  # fmt: skip
    values = row()
    data = csv_bytes([{h: values[n] for h, n in zip(header, names, strict=True)}], header=header)
    report = run(setup, data)
    assert report.ok, report.problems
    assert Exit.objects.get().destination == "cdi"


def test_xlsx_with_date_cells_and_numbers(setup):
    rows = [
        row(
            date_naissance=datetime.datetime(2003, 3, 14),
            date_entree=datetime.date(2021, 9, 6),
            date_sortie="18/03/2022",
            code_postal=3200,  # 03200: Excel lost the leading zero
            telephone=612345678,  # 06 12 34 56 78: the same
            sortie_type="cdd",
            sortie_duree_mois=6,
        ),
        person(1, date_entree="2021-10-04", date_sortie=None, sortie_type=None, plie=None),
    ]
    report = run(setup, xlsx_bytes(rows), filename="Stagiaires.XLSX")
    assert report.ok, report.problems
    lea = Person.objects.get(last_name="Martin")
    assert (lea.birth_date, lea.postcode, lea.phone) == (
        datetime.date(2003, 3, 14),
        "03200",
        "+33612345678",
    )
    assert Exit.objects.get().months == 6
    assert Enrolment.objects.get(person__last_name="Personne1").entry_date == datetime.date(
        2021, 10, 4
    )


def test_dry_run_counts_without_writing(setup):
    before = counts()
    seen = []
    report = run(
        setup,
        csv_bytes([row(), person(1, date_sortie="", sortie_type="")]),
        dry_run=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert counts() == before
    assert report.ok and report.dry_run and not report.written
    assert (report.people_created, report.enrolments_created, report.exits_created) == (2, 2, 1)
    assert report.prescribers_created == ["Mission Locale Test"]
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)


def test_progress_during_validation_and_writing(setup):
    seen = []
    rows = [person(n) for n in range(450)]
    run(setup, csv_bytes(rows), progress=lambda done, total: seen.append((done, total)))
    assert {total for _done, total in seen} == {900}
    assert [done for done, _total in seen][:4] == [0, 200, 400, 450]
    assert seen[-1] == (900, 900)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# ------------------------------------------------------------------------------ re-import


def test_reimporting_the_same_file_creates_nothing(setup):
    rows = [
        row(),
        row(date_entree="05/09/2022", date_sortie="", sortie_type=""),
        person(1, prescripteur_type="spontane", prescripteur=""),
    ]
    data = csv_bytes(rows)
    first = run(setup, data)
    assert first.written and first.people_created == 2
    after_first = counts()
    second = run(setup, data)
    assert counts() == after_first  # not even an audit event
    assert second.ok and not second.written
    assert (second.people_created, second.people_matched) == (0, 2)
    assert (second.enrolments_created, second.enrolments_matched) == (0, 3)
    assert (second.exits_created, second.prescribers_created) == (0, [])


def test_reimport_records_a_new_exit(setup):
    rows = [row(date_sortie="", sortie_type="")]
    run(setup, csv_bytes(rows))
    enrolment = Enrolment.objects.get()
    assert enrolment.status == "active"
    report = run(setup, csv_bytes([row(sortie_type="cdd", sortie_duree_mois="4")]))
    assert report.written and report.exits_created == 1 and report.enrolments_matched == 1
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.ended_on) == ("exited", datetime.date(2022, 3, 18))
    assert EnrolmentPhase.objects.get(enrolment=enrolment).ended_on == enrolment.ended_on
    assert Exit.objects.get(enrolment=enrolment).months == 4
    assert list(
        AuditEvent.objects.filter(action="exit.record").values_list("object_id", flat=True)
    ) == [str(Exit.objects.get().pk)]


def test_reimport_contradicting_the_stored_exit_is_refused(setup):
    run(setup, csv_bytes([row()]))
    before = counts()
    report = run(setup, csv_bytes([row(sortie_type="cdd", sortie_duree_mois="4")]))
    assert counts() == before
    assert report.problems == [
        Problem(
            2,
            "date_sortie",
            "Ce parcours est déjà enregistré avec une autre sortie (« CDI » le 18/03/2022) : "
            "corrigez la ligne, ou la sortie dans Parcours.",
        )
    ]


def test_a_person_created_on_the_web_is_matched(setup):
    known = PersonFactory(
        school=setup.school,
        last_name="MARTIN",
        first_name="Lea",
        birth_date=datetime.date(2003, 3, 14),
    )
    EnrolmentFactory(
        school=setup.school, person=known, site=setup.site, entry_date=datetime.date(2019, 1, 7)
    )
    Enrolment.objects.filter(person=known).update(
        status="exited", ended_on=datetime.date(2019, 6, 28)
    )
    report = run(setup, csv_bytes([row()]))
    assert report.ok
    assert (report.people_created, report.people_matched, report.enrolments_created) == (0, 1, 1)
    assert Enrolment.objects.filter(person=known).count() == 2


def test_people_of_another_school_are_not_matched(setup):
    PersonFactory(
        school=setup.other_school,
        last_name="Martin",
        first_name="Léa",
        birth_date=datetime.date(2003, 3, 14),
    )
    report = run(setup, csv_bytes([row()]))
    assert (report.people_created, report.people_matched) == (1, 0)


def test_exit_on_a_web_enrolment_that_has_a_later_presence_is_refused(setup):
    from parcours.schedule.models import AttendanceMark

    run(setup, csv_bytes([row(date_sortie="", sortie_type="")]))
    enrolment = Enrolment.objects.get()
    AttendanceMark.objects.create(
        school=setup.school,
        enrolment=enrolment,
        day=datetime.date(2022, 4, 4),
        half="am",
        status="present",
        recorded_by=setup.director.user,
    )
    before = counts()
    report = run(setup, csv_bytes([row()]))
    assert counts() == before
    assert report.problems == [
        Problem(
            2,
            "date_sortie",
            "Une présence est émargée le 04/04/2022 dans Parcours, après cette date de sortie : "
            "la sortie ne peut pas la précéder.",
        )
    ]


# ------------------------------------------------------------------------------ queries


def _queries(setup, school, rows) -> int:
    with CaptureQueriesContext(connection) as ctx:
        report = import_enrolments(
            school=school, actor=None, data=csv_bytes(rows), filename="f.csv"
        )
    assert report.written, report.problems
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(setup):
    """Two fresh schools, 10 and 40 rows (40: still one batch for SQLite's 999 parameters)."""
    small = _queries(setup, setup.school, [person(n) for n in range(10)])
    large = _queries(setup, setup.other_school, [person(n) for n in range(10, 50)])
    assert small == large
    assert large < 40


def test_thousands_of_rows_only_add_batches(setup):
    """Beyond one batch, only INSERT batches are added (1,000 rows, or what SQLite's 999
    parameters allow): never a query per row."""
    queries = _queries(setup, setup.school, [person(n) for n in range(1500)])
    assert queries < 1500 // 5


def test_empty_columns_at_the_end_are_ignored(setup):
    """Spreadsheets often save a few empty columns after the last one (";;;")."""
    data = csv_bytes([row()], header=[*BASE_HEADER, "", ""])
    report = run(setup, data)
    assert report.ok and report.enrolments_created == 1


def test_reimporting_after_the_retention_run_does_not_bring_the_stays_back(setup):
    """Stays imported, then anonymised by the retention run (past the school's retention):
    re-importing the same file matches them on site, entry date, year of birth and gender —
    nobody is created again, so no year's figures count them twice (found in review)."""
    from parcours.privacy.services import anonymise_expired

    rows = [
        person(1, date_naissance="14/03/1994", date_entree="05/09/2012", date_sortie="15/03/2013"),
        person(
            2,
            date_naissance="02/11/1993",
            date_entree="05/09/2012",
            date_sortie="20/04/2013",
            sortie_type="formation",
            sortie_duree_mois="6",
        ),
    ]
    data = csv_bytes(rows)
    assert run(setup, data).written
    assert anonymise_expired() == 2
    assert Person.objects.filter(school=setup.school, anonymised_at__isnull=False).count() == 2
    before = counts()
    again = run(setup, data)
    assert again.ok and not again.written
    assert counts() == before
    assert (again.people_created, again.enrolments_created, again.exits_created) == (0, 0, 0)
    assert (again.people_matched, again.enrolments_matched) == (2, 2)

    # A stay that was not imported before is still imported (with its person), even when it
    # shares site, entry day, year of birth and gender with an anonymised one (a cohort).
    new = person(3, date_naissance="14/03/1994", date_entree="05/09/2012", date_sortie="15/03/2013")
    third = run(setup, csv_bytes([*rows, new]))
    assert third.written and (third.people_created, third.enrolments_created) == (1, 1)
