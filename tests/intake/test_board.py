"""The pipeline board: candidates by stage, counts, filters, access and query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.intake.models import Outcome, Referral, Stage
from parcours.organisations.models import PrescriberType
from parcours.pathways.models import EnrolmentFundingLine, FundingLine

from ..factories import (
    DecisionFactory,
    EnrolmentFactory,
    PartnerFactory,
    PersonFactory,
    ReferralFactory,
    SiteFactory,
)
from ..utils import page_text

pytestmark = pytest.mark.django_db

STAGES = ["referred", "info_session", "interview", "decision", "entered"]


def _url(slug: str = "e2c-alpha") -> str:
    return reverse("intake:board", args=[slug])


def _candidate(world, stage: str, outcome: str = "", name: str = "", **kwargs) -> Referral:
    person = PersonFactory(school=world.school, last_name=name or "Candidat")
    kwargs.setdefault("prescriber", world.prescriber_partner)
    return ReferralFactory(
        school=world.school, person=person, stage=stage, outcome=outcome, **kwargs
    )


def _counts(response) -> dict[str, int]:
    return {column.stage.value: column.count for column in response.context["columns"]}


def _only(**counts: int) -> dict[str, int]:
    """Column counts: zero everywhere but the given stages."""
    return dict.fromkeys(STAGES, 0) | counts


def _cards(response, stage: str) -> list[Referral]:
    column = next(c for c in response.context["columns"] if c.stage == stage)
    return column.cards


def _entered(world, name: str, site=None, **kwargs) -> Referral:
    referral = _candidate(world, Stage.ENTERED, Outcome.ADMITTED, name=name, **kwargs)
    EnrolmentFactory(
        school=world.school,
        person=referral.person,
        site=site or world.site,
        referral=referral,
        entry_date=referral.received_on + datetime.timedelta(days=40),
    )
    return referral


@pytest.fixture
def pipeline(world):
    """Candidates at every stage of school A (the world already has one admitted candidate)."""
    for n in range(3):
        _candidate(world, Stage.REFERRED, name=f"Oriente{n}")
    for n in range(2):
        _candidate(world, Stage.INFO_SESSION, name=f"Session{n}")
    _candidate(world, Stage.INTERVIEW, name="Entretenu")
    _candidate(world, Stage.DECISION, Outcome.POSTPONED, name="Reporte")
    _entered(world, "Entre1")
    _entered(world, "Entre2")
    for n in range(2):
        _candidate(world, Stage.DECISION, Outcome.REFUSED, name=f"Refuse{n}")
    _candidate(world, Stage.DECISION, Outcome.WITHDRAWN, name="Desiste")
    _candidate(world, Stage.INFO_SESSION, Outcome.WITHDRAWN, name="Parti")
    return world


# ------------------------------------------------------------------------------- the board


def test_board_counts_candidates_by_stage(pipeline):
    response = pipeline.client_for("intake").get(_url())
    assert response.status_code == 200
    assert _counts(response) == {
        "referred": 3,
        "info_session": 2,
        "interview": 1,
        "decision": 2,  # the world's admitted candidate and the postponed one
        "entered": 2,
    }
    text = page_text(response)
    for label in ("Orienté·e", "Information collective", "Entretien", "Décision", "Entré·e"):
        assert label in text
    # Refused and withdrawn candidacies are closed: counted apart, never shown as cards.
    assert "Closes : 2 refusées, 2 désistements." in text
    for name in ("Refuse0", "Refuse1", "Desiste", "Parti"):
        assert name not in text


def test_closed_counts_use_the_singular(world):
    _candidate(world, Stage.DECISION, Outcome.REFUSED)
    _candidate(world, Stage.DECISION, Outcome.WITHDRAWN)
    text = page_text(world.client_for("director").get(_url()))
    assert "Closes : 1 refusée, 1 désistement." in text


def test_cards_show_name_prescriber_date_funding_line_and_outcome(pipeline):
    plie = FundingLine.objects.get(code="plie")
    _candidate(
        pipeline,
        Stage.REFERRED,
        name="Spontanee",
        prescriber=None,
        channel="spontaneous",
        received_on=datetime.date(2024, 3, 2),
        funding_line=plie,
    )
    response = pipeline.client_for("intake").get(_url())
    text = page_text(response)
    referral = pipeline.objects["referral"]
    assert referral.person.full_name in text
    assert "Mission Locale Alpha" in text
    assert "Candidature spontanée" in text
    assert "Reçue le 02/03/2024" in text
    assert "PLIE" in text
    assert "Décision : admis·e" in text
    assert "Décision : reporté·e" in text
    detail = reverse("intake:referral", args=["e2c-alpha", referral.pk])
    assert f'href="{detail}"' in response.content.decode()
    entered = _cards(response, "entered")
    assert {r.person.last_name for r in entered} == {"Entre1", "Entre2"}
    assert "Entrée le" in text


def test_column_headers_link_to_the_list_of_the_stage(pipeline):
    content = pipeline.client_for("referent").get(_url()).content.decode()
    for stage in STAGES:
        assert f'href="/e/e2c-alpha/candidatures/liste/?stage={stage}"' in content


def test_each_column_shows_the_15_most_recent_cards(world):
    start = datetime.date(2024, 2, 1)
    for n in range(20):
        _candidate(
            world,
            Stage.REFERRED,
            name=f"Recent{n:02d}",
            received_on=start + datetime.timedelta(days=n),
        )
    response = world.client_for("intake").get(_url())
    cards = _cards(response, "referred")
    assert _counts(response)["referred"] == 20
    assert [r.person.last_name for r in cards] == [f"Recent{n:02d}" for n in range(19, 4, -1)]
    assert "et 5 autres…" in page_text(response)


def test_board_shows_nothing_of_another_school(world):
    text = page_text(world.client_for("director").get(_url()))
    other = world.others["referral"]
    assert other.person.last_name not in text
    assert world.objects["referral"].person.full_name in text


# ---------------------------------------------------------------------------------- filters


def test_filter_by_site_uses_the_admission_or_the_enrolment_site(pipeline):
    world = pipeline
    annex = SiteFactory(school=world.school, name="Annexe Alpha")
    admitted = _candidate(world, Stage.DECISION, Outcome.ADMITTED, name="AdmisAnnexe")
    DecisionFactory(referral=admitted, school=world.school, site=annex)
    _entered(world, "EntreAnnexe", site=annex)
    # Admitted at the annex, then admitted again at the main site: the latest admission counts.
    moved = _candidate(world, Stage.DECISION, Outcome.ADMITTED, name="Deplace")
    DecisionFactory(
        referral=moved, school=world.school, site=annex, decided_on=datetime.date(2024, 1, 20)
    )
    DecisionFactory(referral=moved, school=world.school, site=world.site)

    response = world.client_for("intake").get(_url(), {"site": annex.pk})
    assert response.status_code == 200
    assert _counts(response) == {
        "referred": 0,
        "info_session": 0,
        "interview": 0,
        "decision": 1,
        "entered": 1,
    }
    assert [r.person.last_name for r in _cards(response, "decision")] == ["AdmisAnnexe"]
    main = world.client_for("intake").get(_url(), {"site": world.site.pk})
    assert _counts(main)["decision"] == 2  # the world's admitted candidate and "Deplace"
    assert _counts(main)["entered"] == 2


def test_filter_by_prescriber(pipeline):
    world = pipeline
    plie = PartnerFactory(
        school=world.school, name="PLIE Alpha", prescriber_type=PrescriberType.PLIE
    )
    _candidate(world, Stage.REFERRED, name="ViaPlie", prescriber=plie)
    response = world.client_for("intake").get(_url(), {"prescriber": plie.pk})
    assert _counts(response) == _only(referred=1)
    assert "ViaPlie" in page_text(response)
    assert "Closes : 0 refusées, 0 désistements." in page_text(response)


def test_filter_by_prescriber_type_and_spontaneous(pipeline):
    world = pipeline
    plie = PartnerFactory(
        school=world.school, name="PLIE Alpha", prescriber_type=PrescriberType.PLIE
    )
    _candidate(world, Stage.INTERVIEW, name="ViaPlie", prescriber=plie)
    _candidate(world, Stage.REFERRED, name="Seule", prescriber=None, channel="spontaneous")
    client = world.client_for("intake")
    by_type = client.get(_url(), {"prescriber_type": "plie"})
    assert _counts(by_type) == _only(interview=1)
    spontaneous = client.get(_url(), {"prescriber_type": "spontaneous"})
    assert _counts(spontaneous) == _only(referred=1)
    mission_locale = client.get(_url(), {"prescriber_type": "mission_locale"})
    assert _counts(mission_locale)["referred"] == 3


def test_filter_by_funding_line_of_the_referral_or_of_the_enrolment(pipeline):
    world = pipeline
    plie = FundingLine.objects.get(code="plie")
    city = FundingLine.objects.get(code="politique_ville")
    _candidate(world, Stage.REFERRED, name="Plie", funding_line=plie)
    entered = _entered(world, "EntreeQpv")
    EnrolmentFundingLine.objects.create(
        school=world.school, enrolment=entered.enrolment, funding_line=city
    )
    client = world.client_for("intake")
    assert _counts(client.get(_url(), {"funding_line": plie.pk})) == _only(referred=1)
    assert _counts(client.get(_url(), {"funding_line": city.pk})) == _only(entered=1)


def test_filter_by_received_dates(world):
    for day in (5, 15, 25):
        _candidate(
            world, Stage.REFERRED, name=f"Mars{day}", received_on=datetime.date(2024, 3, day)
        )
    _candidate(
        world,
        Stage.DECISION,
        Outcome.REFUSED,
        name="RefuseMars",
        received_on=datetime.date(2024, 3, 10),
    )
    client = world.client_for("intake")
    response = client.get(_url(), {"received_from": "10/03/2024", "received_to": "25/03/2024"})
    assert response.status_code == 200
    assert [r.person.last_name for r in _cards(response, "referred")] == ["Mars25", "Mars15"]
    assert _counts(response)["decision"] == 0  # the world's candidate came in January
    assert "Closes : 1 refusée, 0 désistements." in page_text(response)
    # One bound is enough; the form shows the dates back as dd/mm/yyyy.
    since = client.get(_url(), {"received_from": "20/03/2024"})
    assert [r.person.last_name for r in _cards(since, "referred")] == ["Mars25"]
    assert 'value="20/03/2024"' in since.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"received_from": "31/02/2024"}, "Saisissez une date valide, au format jj/mm/aaaa."),
        ({"received_to": "demain"}, "Saisissez une date valide, au format jj/mm/aaaa."),
        (
            {"received_from": "20/03/2024", "received_to": "10/03/2024"},
            "La date de fin (10/03/2024) précède la date de début (20/03/2024).",
        ),
        ({"prescriber": "999999"}, "Ce prescripteur n'est pas un partenaire de l'école."),
        ({"prescriber": "abc"}, "Ce prescripteur n'est pas un partenaire de l'école."),
        ({"prescriber": "other"}, "Ce prescripteur n'est pas un partenaire de l'école."),
        ({"site": "other"}, "Ce site n'est pas un site de l'école."),
        ({"funding_line": "999999"}, "Ce dispositif n'existe pas."),
        ({"prescriber_type": "inconnu"}, "Ce type de prescripteur n'existe pas."),
    ],
)
def test_bad_filter_input_gets_a_french_message_and_no_filtering(pipeline, params, message):
    world = pipeline
    if params.get("prescriber") == "other":
        params = {"prescriber": world.others["prescriber_partner"].pk}
    if params.get("site") == "other":
        params = {"site": world.others["site"].pk}
    client = world.client_for("intake")
    unfiltered = _counts(client.get(_url()))
    before = Referral.objects.count(), AuditEvent.objects.count()

    response = client.get(_url(), params)

    assert response.status_code == 400
    text = page_text(response)
    assert message in text
    assert "Filtres non appliqués" in text
    assert _counts(response) == unfiltered
    assert (Referral.objects.count(), AuditEvent.objects.count()) == before


# ----------------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("intake", 200),
        ("referent", 200),
        ("company_relations", 403),
        ("prescriber", 403),
        ("funder", 403),
        ("network", 404),
        ("outsider", 404),
    ],
)
def test_board_access(world, who, status):
    assert world.client_for(who).get(_url()).status_code == status


def test_anonymous_goes_to_the_login_page(world):
    response = world.client_for("anonymous").get(_url())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_referent_reads_the_board_without_any_form_that_writes(pipeline):
    content = pipeline.client_for("referent").get(_url()).content.decode()
    assert content.count('method="post"') == 1  # the logout button of the header, nothing else
    assert 'method="get"' in content


def test_outsider_sees_only_its_own_school_board(world):
    # The outsider's own school has a board; it never shows school A's candidates.
    text = page_text(world.client_for("outsider").get(_url("e2c-beta")))
    assert world.objects["referral"].person.last_name not in text
    assert world.others["referral"].person.full_name in text


# ----------------------------------------------------------------------------- query count


def _add_candidates(world, n: int) -> None:
    plie = FundingLine.objects.get(code="plie")
    stages = [
        (Stage.REFERRED, ""),
        (Stage.INFO_SESSION, ""),
        (Stage.INTERVIEW, ""),
        (Stage.DECISION, Outcome.ADMITTED),
        (Stage.DECISION, Outcome.REFUSED),
    ]
    for index in range(n):
        stage, outcome = stages[index % len(stages)]
        _candidate(
            world,
            stage,
            outcome,
            name=f"Lot{index:03d}",
            funding_line=plie if index % 2 else None,
            prescriber=None if index % 7 == 0 else world.prescriber_partner,
        )
    for index in range(n // 6):
        _entered(world, f"EntreLot{index:03d}")


def test_board_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = world.client_for("intake")
    filters = {
        "prescriber_type": "mission_locale",
        "funding_line": FundingLine.objects.get(code="plie").pk,
        "site": world.site.pk,
        "received_from": "01/01/2020",
    }
    _add_candidates(world, 5)
    with django_assert_max_num_queries(18) as few:
        client.get(_url(), filters)
    _add_candidates(world, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url(), filters)
    assert response.status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(_url())
    # The world's admitted candidate, 4 + 48 open candidates and 10 entered.
    assert sum(_counts(response).values()) == 1 + 4 + 48 + 10
