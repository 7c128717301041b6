"""The key figures page, its one-page PDF and its XLSX: who may see them, the period from the
address (bad input: a French message and status 400, never a 500), figures computed from
hand-made records of the test world, empty years, constant queries, and the school-wide
competency progress (``reporting.competencies.school_progress``)."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from parcours.competencies.models import Assessment, Competency
from parcours.outcomes.models import Exit
from parcours.pathways.models import EnrolmentFundingLine, EnrolmentStatus, FundingLine
from parcours.reporting.competencies import school_progress
from parcours.reporting.indicators import key_figures
from parcours.reporting.periods import Period

from ..factories import (
    EnrolmentFactory,
    EntrySituationFactory,
    FundingAgreementFactory,
    PersonFactory,
    SiteFactory,
)
from ..utils import page_text

pytestmark = pytest.mark.django_db

PAGES = ["reporting:key_figures", "reporting:key_figures_pdf", "reporting:key_figures_xlsx"]
Y2019 = Period.year(2019)


def url(name: str = "reporting:key_figures", query: str = "") -> str:
    base = reverse(name, kwargs={"school_slug": "e2c-alpha"})
    return f"{base}?{query}" if query else base


def words(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


def trainee(
    world, birth, entry, *, exit_on=None, destination=None, gender="F", site=None, **situation
):
    person = PersonFactory(school=world.school, birth_date=birth, gender=gender, last_name="Secret")
    enrolment = EnrolmentFactory(
        school=world.school,
        person=person,
        site=site or world.site,
        referent=world.members["referent"],
        entry_date=entry,
        planned_end_date=entry + datetime.timedelta(days=180),
        status=EnrolmentStatus.EXITED if exit_on else EnrolmentStatus.ACTIVE,
        ended_on=exit_on,
    )
    EntrySituationFactory(enrolment=enrolment, school=world.school, **situation)
    if exit_on:
        Exit.objects.create(
            school=world.school, enrolment=enrolment, exit_date=exit_on, destination=destination
        )
    return enrolment


def assess(world, enrolment, competency, level, day, kind="assessment"):
    referent = world.members["referent"]
    return Assessment.objects.create(
        school=world.school,
        enrolment=enrolment,
        competency=competency,
        kind=kind,
        level=level,
        assessed_on=day,
        assessor=referent,
        context="positioning" if kind == "positioning" else "workshop",
        recorded_by=referent.user,
    )


@pytest.fixture
def year_2019(world):
    """Three trainees in 2019 (one entered in 2018), two exits, a 2019 funding agreement."""
    made = {
        # 25 on the entry date, a woman living in a QPV, PLIE; exits in a permanent job.
        "a": trainee(
            world,
            datetime.date(1994, 3, 10),
            datetime.date(2019, 3, 10),
            exit_on=datetime.date(2019, 9, 30),
            destination="cdi",
            qpv_code="QP063001",
        ),
        # The day before their 26th birthday: still under 26. Still in the programme.
        "b": trainee(world, datetime.date(1993, 3, 11), datetime.date(2019, 3, 10), gender="M"),
        # 28, entered in 2018, exits in June to look for a job (not a successful exit).
        "c": trainee(
            world,
            datetime.date(1990, 1, 1),
            datetime.date(2018, 11, 5),
            exit_on=datetime.date(2019, 6, 14),
            destination="recherche_emploi",
            gender="M",
            diploma_level="4",
        ),
    }
    EnrolmentFundingLine.objects.create(
        school=world.school, enrolment=made["a"], funding_line=FundingLine.objects.get(code="plie")
    )
    FundingAgreementFactory(
        school=world.school,
        funder=world.funder_partner,
        year=2019,
        amount_eur=42000,
        purpose="Politique de la ville",
    )
    return made


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("director", 200), ("referent", 200), ("funder", 200), ("prescriber", 403), ("outsider", 404)],
)
def test_who_may_see_the_key_figures(world, name, who, status):
    response = world.client_for(who).get(url(name, "annee=2019"))
    assert response.status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_goes_to_the_login_page(world, name):
    response = world.client_for("anonymous").get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ------------------------------------------------------------------------------ periods


BAD_PERIODS = [
    ("annee=deux-mille", "Année invalide"),
    ("annee=1999", "Choisissez une année entre 2000"),
    ("du=31/02/2019&au=31/12/2019", "Date invalide"),
    ("du=01/01/2019", "Indiquez les deux dates"),
    ("du=2019-06-01&au=2019-01-01", "La date de fin doit suivre la date de début"),
    ("du=01/01/2000&au=31/12/2015", "La période ne peut dépasser dix ans"),
    ("site=999999", "Ce site n'est pas un site de l'école"),
]


@pytest.mark.parametrize(("query", "message"), BAD_PERIODS)
def test_a_bad_period_gets_a_french_message(world, query, message):
    client = world.client_for("director")
    response = client.get(url(query=query))
    assert response.status_code == 400
    assert message in page_text(response)
    for name in PAGES[1:]:
        response = client.get(url(name, query))
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert message in response.content.decode()


def test_another_schools_site_is_refused(world):
    response = world.client_for("director").get(url(query=f"site={world.other_site.pk}"))
    assert response.status_code == 400
    assert "Ce site n'est pas un site de l'école" in page_text(response)


def test_the_current_year_by_default(world):
    response = world.client_for("director").get(url())
    assert response.status_code == 200
    year = timezone.localdate().year
    assert response.context["period"] == Period.year(year)
    assert f"en chiffres {year}" in words(response)


# ------------------------------------------------------------------------------ the page


def test_funding_is_for_the_direction_only(world, year_2019):
    # As on the funding page (VIEW_FUNDING): other staff see the figures without the amounts.
    for name in ("reporting:key_figures", "reporting:key_figures_pdf"):
        assert world.client_for("referent").get(url(name, "annee=2019")).status_code == 200
    text = words(world.client_for("referent").get(url(query="annee=2019")))
    assert "Les financements sont réservés à la direction." in text
    assert "42 000" not in text and "Métropole Alpha" not in text
    book = load_workbook(
        io.BytesIO(
            world.client_for("referent")
            .get(url("reporting:key_figures_xlsx", "annee=2019"))
            .content
        )
    )
    rows = list(book["Financements"].iter_rows(values_only=True))
    assert tuple(v for v in rows[-1] if v is not None) == ("Réservé à la direction.",)


def test_a_funder_sees_its_own_funding_only(world, year_2019):
    """Funders read the school's key figures (aggregates) with their own agreements only, as
    on the funding page: another funder's amount never shows."""
    FundingAgreementFactory(
        school=world.school, year=2019, amount_eur=77000, purpose="Autre financeur"
    )
    director = words(world.client_for("director").get(url(query="annee=2019")))
    assert "77 000" in director and "42 000" in director
    text = words(world.client_for("funder").get(url(query="annee=2019")))
    assert "Métropole Alpha : 42 000 €" in text
    assert "77 000" not in text and "Autre financeur" not in text
    response = world.client_for("funder").get(url("reporting:key_figures_xlsx", "annee=2019"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # funder: streamed
    rows = list(book["Financements"].iter_rows(values_only=True))
    assert ("Métropole Alpha", 2019, "Politique de la ville", 42000, 2018) in rows
    assert not any(77000 in row for row in rows)


def test_the_page_reads_like_the_box(world, year_2019):
    response = world.client_for("director").get(url(query="annee=2019"))
    assert response.status_code == 200
    text = words(response)
    figures = response.context["figures"]
    assert figures.trainees == 3
    assert "E2C Alpha en chiffres 2019" in text
    assert "3 stagiaires accueilli·es" in text
    assert "67 % de moins de 26 ans" in text  # 2 of 3: 66.7 % in data, 67 % on screen
    assert figures.under_26.pct == Decimal("66.7")
    # The network's default for 2019 (the world chose a headline for 2024 only): the CDI
    # succeeds, the job search does not.
    assert "50 % de sorties réussies" in text
    assert "1 stagiaire PLIE" in text
    assert "2 salles dont 1 salle informatique" in text
    assert "450 m² de surface" in text
    assert "Métropole Alpha : 42 000 € (Politique de la ville), partenaire depuis 2018" in text
    assert f"{figures.staff} salarié·es" in text
    # Profile shares, rounded to whole percents on screen.
    assert "Femmes 1 33 %" in text
    assert "Résidant en quartier prioritaire (QPV) à l'entrée 1 33 %" in text
    assert "Sans diplôme (infra niveau 3) 2 67 %" in text
    assert "2 personnes sorties sur la période." in text
    assert "Aucune sortie sur la période" not in text
    # No personal data.
    assert "Secret" not in text


def test_a_period_of_dates_and_a_site(world, year_2019):
    other_site = SiteFactory(school=world.school, name="Site Bis", surface_m2=120)
    trainee(world, datetime.date(2001, 1, 1), datetime.date(2019, 5, 2), site=other_site)
    client = world.client_for("director")
    response = client.get(url(query="du=01/03/2019&au=30/06/2019"))
    assert response.status_code == 200
    assert response.context["figures"].trainees == 4
    assert response.context["figures"].exits == 1  # June: the job search
    assert "du 01/03/2019 au 30/06/2019" in words(response)
    response = client.get(url(query=f"du=2019-01-01&au=2019-12-31&site={other_site.pk}"))
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.trainees, figures.surface_m2, figures.exits) == (1, 120, 0)
    assert "Site Bis" in words(response)


def test_an_empty_year(world):
    response = world.client_for("director").get(url(query="annee=2010"))
    assert response.status_code == 200
    text = words(response)
    assert "0 stagiaires accueilli·es — de moins de 26 ans — de sorties réussies" in text
    assert "Aucune sortie sur la période." in text
    assert "Aucun·e stagiaire sur la période." in text
    assert "Aucun positionnement de compétences" in text
    assert "Aucune convention de financement sur la période." in text


def test_the_page_draws_its_charts(world, year_2019):
    response = world.client_for("director").get(url(query="annee=2019"))
    content = response.content.decode()
    for title in (
        "Entrées et sorties par mois",
        "Taux de sorties réussies sous chaque définition",
        "Destinations des personnes sorties",
        "Prescripteurs des stagiaires",
    ):
        assert re.search(r'<svg [^>]*role="img"[^>]*>\s*<title id="[^"]+">' + title, content)
    # The PDF and XLSX links keep the period.
    assert url("reporting:key_figures_pdf", "annee=2019") in content
    assert url("reporting:key_figures_xlsx", "annee=2019") in content


def test_the_figures_follow_the_records(world, year_2019):
    client = world.client_for("director")
    before = client.get(url(query="annee=2019")).context["figures"]
    trainee(
        world,
        datetime.date(2000, 1, 1),
        datetime.date(2019, 2, 1),
        exit_on=datetime.date(2019, 12, 31),
        destination="cdi",
    )
    after = client.get(url(query="annee=2019")).context["figures"]
    assert after.trainees == before.trainees + 1
    assert (after.exits, after.successful_exits) == (before.exits + 1, before.successful_exits + 1)


def test_constant_queries_whatever_the_size(world, year_2019):
    client = world.client_for("director")
    competency = world.objects["competency"]
    first_trainee = year_2019["a"]
    assess(world, first_trainee, competency, 2, first_trainee.entry_date, kind="positioning")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(query="annee=2019")).status_code == 200
        return len(queries)

    first = count()
    for index in range(6):
        enrolment = trainee(
            world,
            datetime.date(1998, 1, 1 + index),
            datetime.date(2019, 1 + index, 3),
            exit_on=datetime.date(2019, 7 + index, 20),
            destination="cdd" if index % 2 else "formation",
            qpv_code="QP063002",
        )
        EnrolmentFundingLine.objects.create(
            school=world.school,
            enrolment=enrolment,
            funding_line=FundingLine.objects.get(code="plie"),
        )
        assess(world, enrolment, competency, 1, enrolment.entry_date, kind="positioning")
        assess(world, enrolment, competency, 3, datetime.date(2019, 6, 1))
    assert count() == first


# ------------------------------------------------------------------------------ downloads


def test_the_pdf_is_one_page(world, year_2019):
    response = world.client_for("director").get(url("reporting:key_figures_pdf", "annee=2019"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert 'filename="chiffres-cles-e2c-alpha-2019.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "E2C Alpha" in text
    assert "67 %" in text and "50 %" in text
    assert "42 000 €" in text and "partenaire depuis 2018" in text


def test_the_pdf_of_ten_years_stays_on_one_page(world, year_2019):
    for year in range(2010, 2020):
        for purpose in ("Fonctionnement", "Formation des stagiaires"):
            FundingAgreementFactory(school=world.school, year=year, purpose=purpose)
    response = world.client_for("director").get(
        url("reporting:key_figures_pdf", "du=01/01/2010&au=31/12/2019")
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert "2019 : Métropole Alpha : 42 000 €" in " ".join(reader.pages[0].extract_text().split())


def test_the_pdf_of_an_empty_period(world):
    response = world.client_for("director").get(
        url("reporting:key_figures_pdf", "du=2010-03-01&au=2010-04-30")
    )
    assert response.status_code == 200
    assert (
        'filename="chiffres-cles-e2c-alpha-2010-03-01-2010-04-30.pdf"'
        in (response["Content-Disposition"])
    )
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert "Aucune sortie sur la période" in reader.pages[0].extract_text()


def test_the_xlsx_holds_the_figures(world, year_2019):
    response = world.client_for("director").get(url("reporting:key_figures_xlsx", "annee=2019"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert 'filename="chiffres-cles-e2c-alpha-2019.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = {row[0]: row[1:] for row in book["Chiffres clés"].iter_rows(values_only=True)}
    assert rows["Stagiaires accueilli·es"][0] == 3
    assert rows["Moins de 26 ans (à l'entrée)"][:2] == (2, 66.7)
    assert rows["Dispositif : PLIE"][0] == 1
    assert rows["Sorties"][0] == 2
    funding = list(book["Financements"].iter_rows(values_only=True))
    assert ("Métropole Alpha", 2019, "Politique de la ville", 42000, 2018) in funding
    progress = {row[0]: row[1] for row in book["Compétences"].iter_rows(values_only=True)}
    assert progress["Stagiaires positionné·es"] == 0


# ------------------------------------------------------------------------------ competencies


def test_school_progress_of_the_world(world):
    """The world's 2024 trainee: positioned at 1 on FR1, assessed at 2 a month later."""
    progress = school_progress(world.school, Period.year(2024))
    assert (progress.trainees, progress.positionings, progress.raised, progress.progressed) == (
        1,
        1,
        1,
        1,
    )
    by_level = {level.value: (level.entry, level.latest) for level in progress.levels}
    assert by_level[1] == (1, 0) and by_level[2] == (0, 1)
    # As of a day before the assessment, the latest level is still the entry level.
    early = school_progress(
        world.school, Period(datetime.date(2024, 1, 1), datetime.date(2024, 2, 20))
    )
    assert (early.positionings, early.raised) == (1, 0)
    assert school_progress(world.school, Y2019).positionings == 0


def test_school_progress_counts_positionings(world, year_2019):
    shared = world.objects["default_framework"]
    fr1 = world.objects["competency"]
    other = Competency.objects.filter(framework=shared).exclude(pk=fr1.pk).first()
    a, b = year_2019["a"], year_2019["b"]
    assess(world, a, fr1, 1, a.entry_date, kind="positioning")
    assess(world, a, other, 2, a.entry_date, kind="positioning")
    assess(world, a, fr1, 3, datetime.date(2019, 6, 1))
    assess(world, a, fr1, 4, datetime.date(2020, 2, 1))  # after the period: not counted
    assess(world, b, fr1, 2, b.entry_date, kind="positioning")
    assess(world, b, other, 3, datetime.date(2019, 5, 1))  # no positioning on it: left out
    progress = school_progress(world.school, Y2019)
    assert (progress.trainees, progress.progressed) == (2, 1)
    assert (progress.positionings, progress.raised) == (3, 1)
    by_level = {level.value: (level.entry, level.latest) for level in progress.levels}
    assert by_level[1] == (1, 0)
    assert by_level[2] == (2, 2)
    assert by_level[3] == (0, 1)
    assert progress.levels[0].entry_pct == Decimal("33.3")
    response = world.client_for("director").get(url(query="annee=2019"))
    text = words(response)
    assert "2 stagiaires positionné·es sur le référentiel" in text
    assert "50 % ont progressé" in text
    assert "Niveaux de compétence à l'entrée et en fin de période" in page_text(response)
    assert key_figures(world.school, Y2019).trainees == 3
