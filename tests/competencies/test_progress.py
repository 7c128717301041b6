"""Progress: the trainee's chart (entry vs now) on the trainee page, and the distribution of
levels in a group (counts by hand, corrections, scoping, filters, constant queries)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import strip_tags

from parcours.competencies.models import Assessment, Competency
from parcours.competencies.selectors_progress import level_distribution, percent, trainee_progress
from parcours.pathways.models import EnrolmentPhase
from parcours.pathways.services import ensure_phases
from tests.factories import EnrolmentFactory, MembershipFactory, PersonFactory, SiteFactory
from tests.utils import page_text

DAY = datetime.date(2024, 2, 5)


def _assess(enrolment, competency, level, *, kind="assessment", days=10, corrects=None):
    assessor = enrolment.referent
    if assessor is None or assessor.school_id != enrolment.school_id:
        assessor = MembershipFactory(school=enrolment.school, role="referent")
    return Assessment.objects.create(
        school=enrolment.school,
        enrolment=enrolment,
        competency=competency,
        kind=kind,
        level=level,
        assessed_on=enrolment.entry_date + datetime.timedelta(days=days),
        assessor=assessor,
        context="positioning" if kind == "positioning" else "workshop",
        corrects=corrects,
        correction_reason="Erreur de saisie" if corrects else "",
        recorded_by=assessor.user,
    )


def _trainee(world, site, referent=None, **kwargs):
    return EnrolmentFactory(
        school=world.school,
        site=site,
        person=PersonFactory(school=world.school),
        referent=referent,
        **kwargs,
    )


def _competency(world, code):
    return Competency.objects.get(framework=world.objects["default_framework"], code=code)


def _row(distribution, code):
    return next(row for row in distribution["rows"] if row.competency.code == code)


def _counts(row):
    return [cell.count for cell in row.levels], row.not_assessed.count


@pytest.fixture
def group(world):
    """Three trainees on a new site, FR1 at 1, 2 and 2 (the first positioned at 1, then 1)."""
    site = SiteFactory(school=world.school, name="Site Gamma")
    referent = world.members["referent"]
    fr1 = _competency(world, "FR1")
    trainees = [_trainee(world, site, referent) for _ in range(3)]
    _assess(trainees[0], fr1, 1, kind="positioning", days=0)
    _assess(trainees[1], fr1, 1, kind="positioning", days=0)
    _assess(trainees[1], fr1, 2, days=20)
    _assess(trainees[2], fr1, 2, days=5)
    return site, trainees


# ------------------------------------------------------------------------------ distribution


def test_distribution_counts_by_hand(world, group):
    site, _trainees = group
    distribution = level_distribution(world.members["director"], site=site)
    assert distribution["trainees"] == 3
    assert distribution["counted"] == 3
    assert distribution["other_version"] == 0
    assert [value for value, _label in distribution["scale"]] == [1, 2, 3, 4]
    fr1 = _row(distribution, "FR1")
    assert _counts(fr1) == ([1, 2, 0, 0], 0)
    assert [cell.percent for cell in fr1.levels] == [33, 67, 0, 0]
    # Every other competency of the framework is listed, nobody assessed on it.
    num1 = _row(distribution, "NUM1")
    assert _counts(num1) == ([0, 0, 0, 0], 3)
    assert num1.not_assessed.percent == 100
    assert (
        len(distribution["rows"])
        == Competency.objects.filter(framework=world.objects["default_framework"]).count()
    )


def test_percent_rounds_half_up_to_whole_numbers():
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(1, 8) == 13  # 12.5
    assert percent(0, 0) == 0


def test_a_corrected_row_drops_out(world, group):
    site, trainees = group
    fr1 = _competency(world, "FR1")
    wrong = Assessment.objects.get(enrolment=trainees[2], competency=fr1)
    _assess(trainees[2], fr1, 3, days=5, corrects=wrong)
    fr1_row = _row(level_distribution(world.members["director"], site=site), "FR1")
    assert _counts(fr1_row) == ([1, 1, 1, 0], 0)


def test_levels_as_of_a_day_and_trainees_present_that_day(world, group):
    site, _trainees = group
    exited = _trainee(
        world,
        site,
        world.members["referent"],
        status="exited",
        ended_on=DAY + datetime.timedelta(days=60),
    )
    _assess(exited, _competency(world, "FR1"), 4, days=1)
    # Today: the exited trainee is out of the group.
    assert level_distribution(world.members["director"], site=site)["trainees"] == 3
    # On day 12: all four were present; the second trainee was still at 1 (the 2 came on day 20).
    distribution = level_distribution(
        world.members["director"], site=site, as_of=DAY + datetime.timedelta(days=12)
    )
    assert distribution["trainees"] == 4
    assert _counts(_row(distribution, "FR1")) == ([2, 1, 0, 1], 0)
    # Before anyone entered: nobody.
    early = level_distribution(
        world.members["director"], site=site, as_of=datetime.date(2020, 1, 1)
    )
    assert early["trainees"] == 0
    assert early["counted"] == 0


def test_a_trainee_of_another_school_is_never_counted(world, group):
    director = world.members["director"]
    before = level_distribution(director)
    other = EnrolmentFactory(
        school=world.other_school,
        site=world.other_site,
        person=PersonFactory(school=world.other_school),
        referent=world.outsider,
    )
    _assess(other, _competency(world, "FR1"), 4)
    after = level_distribution(director)
    assert after["trainees"] == before["trainees"]
    assert _counts(_row(after, "FR1")) == _counts(_row(before, "FR1"))
    # Filtering on another school's site finds nobody.
    assert level_distribution(director, site=world.other_site)["trainees"] == 0


def test_exited_trainees_are_left_out_by_default(world, group):
    site, trainees = group
    type(trainees[0]).objects.filter(pk=trainees[0].pk).update(
        status="exited", ended_on=DAY + datetime.timedelta(days=90)
    )
    distribution = level_distribution(world.members["director"], site=site)
    assert distribution["trainees"] == 2
    assert _counts(_row(distribution, "FR1")) == ([0, 2, 0, 0], 0)


def test_filters_by_site_referent_and_phase(world, group):
    site, trainees = group
    fr1 = _competency(world, "FR1")
    colleague = MembershipFactory(school=world.school, role="referent")
    elsewhere = SiteFactory(school=world.school, name="Site Delta")
    moved = _trainee(world, elsewhere, colleague)
    _assess(moved, fr1, 3)
    lone = _trainee(world, site, None)
    _assess(lone, fr1, 4)
    director = world.members["director"]

    at_delta = level_distribution(director, site=elsewhere)
    assert at_delta["trainees"] == 1
    assert _counts(_row(at_delta, "FR1")) == ([0, 0, 1, 0], 0)

    mine = level_distribution(director, site=site, referent=world.members["referent"])
    assert _counts(_row(mine, "FR1")) == ([1, 2, 0, 0], 0)
    assert level_distribution(director, referent=colleague.pk)["trainees"] == 1
    nobody = level_distribution(director, site=site, referent="aucun")
    assert _counts(_row(nobody, "FR1")) == ([0, 0, 0, 1], 0)

    phase = ensure_phases(world.school)[0]
    EnrolmentPhase.objects.create(
        school=world.school, enrolment=trainees[1], phase=phase, started_on=DAY
    )
    in_phase = level_distribution(director, site=site, phase=phase)
    assert in_phase["trainees"] == 1
    assert _counts(_row(in_phase, "FR1")) == ([0, 1, 0, 0], 0)


def test_trainees_on_another_framework_version_are_counted_apart(world, group):
    site, _trainees = group
    draft_competency = world.objects["draft_competency"]
    apart = _trainee(world, site, world.members["referent"])
    _assess(apart, draft_competency, 4, kind="positioning", days=0)
    # Even a later row on the current framework does not move them onto it.
    _assess(apart, _competency(world, "FR1"), 4)
    distribution = level_distribution(world.members["director"], site=site)
    assert distribution["trainees"] == 4
    assert distribution["other_version"] == 1
    assert distribution["counted"] == 3
    assert _counts(_row(distribution, "FR1")) == ([1, 2, 0, 0], 0)


def _crowd(world, site, count):
    fr1, num1 = _competency(world, "FR1"), _competency(world, "NUM1")
    for index in range(count):
        enrolment = _trainee(world, site, world.members["referent"])
        first = _assess(enrolment, fr1, 1 + index % 4, kind="positioning", days=0)
        _assess(enrolment, fr1, 2, days=3, corrects=first)
        _assess(enrolment, num1, 1 + index % 3, days=4)


def test_distribution_runs_a_constant_number_of_queries(world):
    director = world.members["director"]
    small, large = (SiteFactory(school=world.school, name=name) for name in ("Petit", "Grand"))
    _crowd(world, small, 3)
    _crowd(world, large, 20)
    with CaptureQueriesContext(connection) as few:
        three = level_distribution(director, site=small)
    with CaptureQueriesContext(connection) as many:
        twenty = level_distribution(director, site=large)
    assert three["trainees"] == 3 and twenty["trainees"] == 20
    assert _counts(_row(twenty, "FR1")) == ([0, 20, 0, 0], 0)
    assert len(few) == len(many) <= 6


# ------------------------------------------------------------------------------ overview page


def _words(response) -> str:
    """The page's text without tags, spaces collapsed."""
    return " ".join(strip_tags(page_text(response)).split())


def _overview(world, **params):
    return reverse("competencies:overview", args=[world.school.slug]), params


@pytest.mark.parametrize("who", ["director", "referent", "intake", "company_relations"])
def test_staff_see_the_distribution(world, group, who):
    site, _trainees = group
    url, _params = _overview(world)
    response = world.client_for(who).get(url, {"site": site.pk})
    assert response.status_code == 200
    text = _words(response)
    assert "Répartition des niveaux par compétence" in text
    assert "3 stagiaires en parcours dans ce groupe." in text
    assert "Transversal" in text or world.objects["default_framework"].name in text
    assert "version 1" in text
    assert "/e/e2c-alpha/competences/referentiels/" in response.content.decode()
    content = response.content.decode()
    assert 'role="img"' in content
    assert "1 (33 %)" in text and "2 (67 %)" in text


@pytest.mark.parametrize("who", ["prescriber", "funder"])
def test_partners_are_refused(world, who):
    url, _params = _overview(world)
    assert world.client_for(who).get(url).status_code == 403


def test_outsider_gets_404(world):
    url, _params = _overview(world)
    assert world.client_for("outsider").get(url).status_code == 404


def test_another_schools_site_is_refused_with_a_message(world, group):
    url, _params = _overview(world)
    response = world.client_for("director").get(url, {"site": world.other_site.pk})
    assert response.status_code == 400
    assert "Ce site n'est pas un site de l'école." in page_text(response)


def test_empty_group_says_so(world):
    empty = SiteFactory(school=world.school, name="Site Vide")
    url, _params = _overview(world)
    response = world.client_for("director").get(url, {"site": empty.pk})
    assert response.status_code == 200
    text = _words(response)
    assert "0 stagiaire" in text and "en parcours dans ce groupe." in text
    assert "Aucun stagiaire ne correspond à ce groupe." in text
    assert 'role="img"' not in response.content.decode()


def test_as_of_filter_on_the_page(world, group):
    site, _trainees = group
    url, _params = _overview(world)
    response = world.client_for("director").get(url, {"site": site.pk, "as_of": "2024-02-17"})
    assert response.status_code == 200
    assert "3 stagiaires présents le 17/02/2024 dans ce groupe." in _words(response)


def test_overview_runs_a_constant_number_of_queries(world):
    small, large = (SiteFactory(school=world.school, name=name) for name in ("Petit", "Grand"))
    _crowd(world, small, 3)
    _crowd(world, large, 20)
    client = world.client_for("director")
    url, _params = _overview(world)
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"site": small.pk}).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"site": large.pk}).status_code == 200
    assert len(few) == len(many)


# ------------------------------------------------------------------------------ trainee chart


def test_trainee_progress_entry_and_current(world):
    progress = trainee_progress(world.objects["enrolment"])
    assert progress["framework"] == world.objects["default_framework"]
    fr1 = next(row for row in progress["rows"] if row["code"] == "FR1")
    assert (fr1["entry"], fr1["current"], fr1["progress"]) == (1, 2, 1)
    others = [row for row in progress["rows"] if row["code"] != "FR1"]
    assert others and all(row["entry"] is None and row["current"] is None for row in others)


def test_trainee_page_shows_the_chart(world):
    enrolment = world.objects["enrolment"]
    url = reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])
    response = world.client_for("company_relations").get(url)
    assert response.status_code == 200
    content = response.content.decode()
    text = page_text(response)
    assert "Compétences" in text
    assert "Voir le détail des compétences" in text
    assert f"/e/{world.school.slug}/stagiaires/{enrolment.pk}/competences/" in content
    assert 'role="img"' in content
    assert "FR1 — à l’entrée : 1 (Découverte)" in text
    assert "FR1 — aujourd’hui : 2 (En progression)" in text
    # The same figures as a table.
    assert "1 — Découverte" in text and "2 — En progression" in text
    assert "+1" in text


def test_trainee_page_without_positioning_says_so(world):
    bare = EnrolmentFactory(
        school=world.school, site=world.site, person=PersonFactory(school=world.school)
    )
    url = reverse("pathways:trainee", args=[world.school.slug, bare.pk])
    response = world.client_for("referent").get(url)
    assert response.status_code == 200
    assert "Aucun positionnement enregistré." in page_text(response)
    assert 'role="img"' not in response.content.decode()


def test_trainee_progress_queries(world, django_assert_num_queries):
    enrolment = world.objects["enrolment"]
    with django_assert_num_queries(3):
        trainee_progress(enrolment)
    bare = EnrolmentFactory(
        school=world.school, site=world.site, person=PersonFactory(school=world.school)
    )
    with django_assert_num_queries(1):
        assert trainee_progress(bare)["rows"] == []


@pytest.mark.parametrize(("who", "shown"), [("referent", True), ("company_relations", False)])
def test_overview_links_to_the_group_grid_for_assessors(world, who, shown):
    url, _params = _overview(world)
    response = world.client_for(who).get(url)
    grid = reverse("competencies:grid_group", args=[world.school.slug])
    assert (f'href="{grid}"' in response.content.decode()) is shown
