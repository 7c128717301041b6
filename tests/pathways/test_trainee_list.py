"""The trainee list: columns, "my trainees", search, filters, sorting, access and query counts."""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.pathways.models import (
    Enrolment,
    EnrolmentFundingLine,
    EnrolmentPhase,
    FundingLine,
    PhaseDefinition,
)
from parcours.pathways.services import ensure_phases

from ..factories import (
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
)
from ..utils import login_client, page_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MARKERS = ("SECRET-CONFIDENTIEL", "SECRET-SANTE", "SECRET-DOC-SANTE")


def _url(slug: str = "e2c-alpha", **params) -> str:
    url = reverse("pathways:trainees", args=[slug])
    if params:
        url += "?" + urlencode(params, doseq=True)
    return url


def enrol(
    world,
    last_name: str,
    *,
    first_name: str = "Sam",
    referent=None,
    site=None,
    entry: datetime.date | None = None,
    planned_end: datetime.date | None = None,
    exited_on: datetime.date | None = None,
    phase_index: int | None = 0,
    funding: tuple[str, ...] = (),
    school=None,
) -> Enrolment:
    """An enrolment of school A (or ``school``) with its current phase and funding lines."""
    school = school or world.school
    entry = entry or TODAY - datetime.timedelta(days=30)
    enrolment = EnrolmentFactory(
        school=school,
        person=PersonFactory(school=school, last_name=last_name, first_name=first_name),
        site=site or (world.site if school == world.school else world.other_site),
        referent=referent,
        entry_date=entry,
        planned_end_date=planned_end or entry + datetime.timedelta(days=182),
        status="exited" if exited_on else "active",
        ended_on=exited_on,
    )
    if phase_index is not None:
        phase = ensure_phases(school)[phase_index]
        EnrolmentPhase.objects.create(
            school=school, enrolment=enrolment, phase=phase, started_on=entry
        )
    for code in funding:
        EnrolmentFundingLine.objects.create(
            school=school, enrolment=enrolment, funding_line=FundingLine.objects.get(code=code)
        )
    return enrolment


def _names(response) -> list[str]:
    return [e.person.last_name for e in response.context["rows"]]


def _row(response, name: str) -> str:
    """The text of the table row that mentions ``name``."""
    rows = re.findall(r"<tr>(.*?)</tr>", response.content.decode(), flags=re.S)
    matching = [r for r in rows if name in r]
    assert len(matching) == 1, name
    return html.unescape(re.sub(r"<[^>]+>", " ", matching[0]))


# ---------------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("intake", 200),
        ("referent", 200),
        ("company_relations", 200),
        ("prescriber", 403),
        ("funder", 403),
        ("network", 404),
        ("outsider", 404),
    ],
)
def test_access(world, who, status):
    assert world.client_for(who).get(_url()).status_code == status


def test_anonymous_goes_to_login(world):
    response = world.client_for("anonymous").get(_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["director", "intake", "referent", "company_relations"])
def test_the_list_shows_no_restricted_content(world, who):
    response = world.client_for(who).get(_url(vue="tous", status="tous"))
    text = page_text(response)
    assert "Stagiairee2c-alpha".upper() in text.upper()
    for marker in MARKERS:
        assert marker not in text
    # Contact details and the situation at entry are not on the list either.
    person = world.objects["enrolment"].person
    assert person.email not in text
    assert "Santé" not in text


# --------------------------------------------------------------------------------- columns


def test_columns_show_name_site_referent_dates_phase_funding_status_and_overdue(world):
    north = SiteFactory(school=world.school, name="Site Nord")
    enrol(
        world,
        "Martin",
        first_name="Inès",
        referent=world.members["referent"],
        site=north,
        entry=datetime.date(2024, 1, 8),
        planned_end=datetime.date(2024, 7, 8),
        phase_index=2,
        funding=("plie", "fse_plus"),
    )
    response = world.client_for("director").get(_url(q="Martin"))
    assert response.status_code == 200
    enrolment = Enrolment.objects.get(person__last_name="Martin")
    trainee_url = reverse("pathways:trainee", args=["e2c-alpha", enrolment.pk])
    assert f'href="{trainee_url}"' in response.content.decode()
    row = _row(response, "MARTIN")
    assert "MARTIN Inès" in row
    assert "Site Nord" in row
    assert world.members["referent"].user.get_full_name() in row
    assert "08/01/2024" in row and "08/07/2024" in row
    assert "Alternance et confirmation du projet" in row
    assert "FSE+, PLIE" in row
    assert "En parcours" in row
    assert "en retard" in row  # planned end passed, still in progress


def test_no_overdue_badge_before_the_planned_end(world):
    enrol(world, "Alheure", planned_end=TODAY + datetime.timedelta(days=10))
    response = world.client_for("director").get(_url(q="Alheure"))
    assert _names(response) == ["Alheure"]
    assert "en retard" not in _row(response, "ALHEURE")


# -------------------------------------------------------------------------- my trainees


def test_a_referent_sees_their_caseload_by_default_and_can_see_everyone(world):
    colleague = MembershipFactory(school=world.school, role="referent")
    enrol(world, "Mienne", referent=world.members["referent"])
    enrol(world, "Autre", referent=colleague)
    enrol(world, "Personne")
    client = world.client_for("referent")

    response = client.get(_url())
    assert response.context["mine"] is True
    assert sorted(_names(response)) == ["Mienne", "Stagiairee2c-alpha"]
    text = page_text(response)
    assert "Mes stagiaires" in text and "Tous les stagiaires" in text

    response = client.get(_url(vue="tous"))
    assert response.context["mine"] is False
    assert sorted(_names(response)) == ["Autre", "Mienne", "Personne", "Stagiairee2c-alpha"]


def test_other_roles_see_everyone_by_default(world):
    enrol(world, "Personne")
    response = world.client_for("director").get(_url())
    assert response.context["mine"] is False
    assert sorted(_names(response)) == ["Personne", "Stagiairee2c-alpha"]
    assert "Mes stagiaires" not in page_text(response)


# ------------------------------------------------------------------------- search, filters


def test_search_by_last_or_first_name_ignores_case(world):
    enrol(world, "Dupont", first_name="Yanis")
    enrol(world, "Durand", first_name="Chloé")
    client = world.client_for("director")
    assert _names(client.get(_url(q="dupo"))) == ["Dupont"]
    assert _names(client.get(_url(q="YANIS"))) == ["Dupont"]
    assert _names(client.get(_url(q="chloé durand"))) == ["Durand"]
    assert _names(client.get(_url(q="zzz"))) == []
    assert "Aucun stagiaire ne correspond" in page_text(client.get(_url(q="zzz")))


def test_filter_by_site_referent_phase_and_funding_line(world):
    north = SiteFactory(school=world.school, name="Site Nord")
    referent = world.members["referent"]
    enrol(world, "Nord", site=north, funding=("plie",))
    enrol(world, "Suivi", referent=referent, phase_index=3)
    enrol(world, "Seul", phase_index=3, funding=("plie", "cej"))
    client = world.client_for("director")

    assert _names(client.get(_url(site=north.pk))) == ["Nord"]
    assert sorted(_names(client.get(_url(referent=referent.pk)))) == [
        "Stagiairee2c-alpha",
        "Suivi",
    ]
    assert sorted(_names(client.get(_url(referent="aucun")))) == ["Nord", "Seul"]
    last_phase = PhaseDefinition.objects.get(school=world.school, position=4)
    assert sorted(_names(client.get(_url(phase=last_phase.pk)))) == ["Seul", "Suivi"]
    assert sorted(_names(client.get(_url(funding_line="plie")))) == ["Nord", "Seul"]
    assert _names(client.get(_url(funding_line="cej", phase=last_phase.pk))) == ["Seul"]


def test_filter_by_status_defaults_to_in_progress(world):
    enrol(
        world,
        "Sortie",
        entry=datetime.date(2023, 1, 9),
        exited_on=datetime.date(2023, 6, 30),
        phase_index=None,
    )
    client = world.client_for("director")
    assert _names(client.get(_url())) == ["Stagiairee2c-alpha"]
    # The world has an exited trainee already (tests/outcomes/world.py).
    assert sorted(_names(client.get(_url(status="exited")))) == ["Sortante2c-alpha", "Sortie"]
    response = client.get(_url(status="tous"))
    assert sorted(_names(response)) == ["Sortante2c-alpha", "Sortie", "Stagiairee2c-alpha"]
    assert "Sorti·e" in page_text(response)


def test_filter_overdue(world):
    enrol(world, "Alheure", planned_end=TODAY + datetime.timedelta(days=30))
    enrol(world, "Tard", planned_end=TODAY - datetime.timedelta(days=1))
    client = world.client_for("director")
    assert sorted(_names(client.get(_url()))) == ["Alheure", "Stagiairee2c-alpha", "Tard"]
    assert sorted(_names(client.get(_url(overdue="on")))) == ["Stagiairee2c-alpha", "Tard"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"site": "abc"}, "Ce site n'est pas un site de l'école."),
        ({"site": "999999"}, "Ce site n'est pas un site de l'école."),
        ({"referent": "x"}, "Ce référent n'est pas un membre de l'école."),
        ({"phase": "1.5"}, "Cette phase n'est pas une phase de l'école."),
        ({"funding_line": "inconnu"}, "Ce dispositif n'existe pas."),
        ({"status": "perdu"}, "Statut inconnu"),
        ({"q": "x" * 101}, "La recherche est limitée à 100 caractères."),
    ],
)
def test_bad_filter_values_get_a_french_message_and_are_ignored(world, params, message):
    response = world.client_for("director").get(_url(**params))
    assert response.status_code == 400
    assert message in page_text(response)
    assert _names(response) == ["Stagiairee2c-alpha"]  # the refused filter is left out


def test_ids_of_another_school_are_refused(world):
    other_phase = PhaseDefinition.objects.filter(school=world.other_school).first()
    client = world.client_for("director")
    for params in (
        {"site": world.other_site.pk},
        {"referent": world.outsider.pk},
        {"phase": other_phase.pk},
    ):
        response = client.get(_url(**params))
        assert response.status_code == 400, params
        assert "de l'école" in page_text(response)
        assert _names(response) == ["Stagiairee2c-alpha"]


def test_another_school_trainees_never_show(world):
    response = world.client_for("director").get(_url(status="tous", q="Stagiaire"))
    assert _names(response) == ["Stagiairee2c-alpha"]
    assert "Stagiairee2c-beta".upper() not in page_text(response).upper()


# ----------------------------------------------------------------------------------- sort


def test_sorting_by_name_entry_planned_end_and_referent(world):
    adam = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Aaron")
    )
    zoe = MembershipFactory(school=world.school, role="referent", user=UserFactory(last_name="Zz"))
    site = SiteFactory(school=world.school, name="Site Tri")
    enrol(world, "Bravo", site=site, referent=zoe, entry=TODAY - datetime.timedelta(days=10))
    enrol(world, "alpha", site=site, entry=TODAY - datetime.timedelta(days=20))
    enrol(world, "Charlie", site=site, referent=adam, entry=TODAY - datetime.timedelta(days=5))
    client = world.client_for("director")

    def names(tri=None):
        return _names(client.get(_url(site=site.pk, **({"tri": tri} if tri else {}))))

    assert names() == ["alpha", "Bravo", "Charlie"]  # by name, whatever the case
    assert names("-nom") == ["Charlie", "Bravo", "alpha"]
    assert names("entree") == ["alpha", "Bravo", "Charlie"]
    assert names("-entree") == ["Charlie", "Bravo", "alpha"]
    assert names("fin") == ["alpha", "Bravo", "Charlie"]
    assert names("-fin") == ["Charlie", "Bravo", "alpha"]
    assert names("referent") == ["Charlie", "Bravo", "alpha"]  # no referent comes last
    response = client.get(_url(site=site.pk, tri="-referent"))
    assert _names(response) == ["Bravo", "Charlie", "alpha"]  # no referent stays last
    assert 'aria-sort="descending"' in response.content.decode()


@pytest.mark.parametrize("tri", ["inconnu", "person__email", "'; DROP TABLE x", ""])
def test_unknown_sort_falls_back_to_the_name(world, tri):
    enrol(world, "Alpha")
    response = world.client_for("director").get(_url(tri=tri))
    assert response.status_code == 200
    assert _names(response) == ["Alpha", "Stagiairee2c-alpha"]


# ------------------------------------------------------------------ pagination and queries


def _many(world, n: int) -> None:
    north = SiteFactory(school=world.school, name=f"Site {n}")
    colleague = MembershipFactory(school=world.school, role="referent")
    for i in range(n):
        enrol(
            world,
            f"Nombreux{i:03d}",
            site=north if i % 2 else world.site,
            referent=colleague if i % 3 else world.members["referent"],
            phase_index=i % 4,
            funding=("plie", "fse_plus") if i % 2 else ("cej",),
        )


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_pagination_keeps_the_filters(world):
    _many(world, 60)
    client = world.client_for("director")
    response = client.get(_url(q="Nombreux"))
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count == 60
    assert "q=Nombreux&amp;page=2" in response.content.decode()
    second = client.get(_url(q="Nombreux", page=2))
    assert len(second.context["rows"]) == 10
    assert client.get(_url(q="Nombreux", page="abc")).status_code == 200
    assert client.get(_url(q="Nombreux", page="999")).status_code == 200


def test_query_count_does_not_grow_with_the_rows(world):
    client = world.client_for("director")
    _many(world, 5)
    few = _count_queries(client, _url(funding_line="plie", overdue="", tri="referent"))
    few_plain = _count_queries(client, _url())
    _many(world, 60)
    many = _count_queries(client, _url(funding_line="plie", overdue="", tri="referent"))
    many_plain = _count_queries(client, _url())
    assert few == many
    assert few_plain == many_plain
    assert many_plain <= 14  # session, user, memberships, count, rows, prefetch, choices


def test_a_referent_with_no_trainee_is_told_so(world):
    newcomer = MembershipFactory(school=world.school, role="referent")
    client = Client()
    login_client(client, newcomer.user)
    response = client.get(_url())
    assert response.status_code == 200
    assert "Vous ne suivez aucun stagiaire en parcours." in page_text(response)
    assert _names(client.get(_url(vue="tous"))) == ["Stagiairee2c-alpha"]
