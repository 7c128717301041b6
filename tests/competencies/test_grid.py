"""Grid entry: one trainee × all competencies, one competency × a group; saving each change
with htmx (row re-rendered) or, without JavaScript, a submit per row."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from parcours.competencies.models import Assessment, Competency

from ..factories import MembershipFactory, SiteFactory, UserFactory
from ..utils import page_text
from .test_assessments import counts, new_enrolment, url

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def grid_url(world, name="grid_group"):
    return reverse(f"competencies:{name}", args=[world.school.slug])


def save_data(world, enrolment=None, competency=None, **changes):
    data = {
        "enrolment": str((enrolment or world.objects["enrolment"]).pk),
        "competency": str((competency or world.objects["competency"]).pk),
        "level": "3",
        "context": "project",
        "mode": "trainee",
    }
    data.update(changes)
    return data


def test_trainee_grid_lists_every_competency_with_htmx_selects(world):
    enrolment = world.objects["enrolment"]
    response = world.client_for("referent").get(url(world, "grid_trainee", enrolment.pk))
    assert response.status_code == 200
    html = response.content.decode()
    n = Competency.objects.filter(framework=world.objects["default_framework"]).count()
    assert html.count('hx-trigger="change"') == n
    assert 'hx-target="closest tr"' in html and 'hx-swap="outerHTML"' in html
    assert reverse("competencies:grid_save", args=[world.school.slug]) in html
    assert "htmx-config" in html  # a 400 row (the refusal) is swapped in too
    assert "2 — En progression" in page_text(response)


@pytest.mark.parametrize("who", ["director", "referent"])
def test_htmx_save_records_one_assessment_and_returns_the_row(world, who):
    response = world.client_for(who).post(grid_url(world, "grid_save"), save_data(world), **HTMX)
    assert response.status_code == 200
    text = page_text(response)
    assert text.strip().startswith("<tr")
    assert "Enregistré" in text and "3 — Maîtrisée" in text
    row = Assessment.objects.latest("id")
    assert (row.level, row.context, row.assessed_on) == (3, "project", datetime.date.today())
    assert row.assessor == world.members[who]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": "9"}, "Le niveau doit être compris entre 1 et 4."),
        ({"level": ""}, "Choisissez un niveau."),
        ({"assessed_on": "2024-01-01"}, "ne peut pas précéder l'entrée en parcours (05/02/2024)"),
        ({"assessed_on": "hier"}, "Saisissez une date valide"),
        ({"context": "bavardage"}, "Choisissez le contexte"),
    ],
)
def test_htmx_save_refusal_is_400_in_the_row_and_writes_nothing(world, changes, message):
    before = counts()
    response = world.client_for("referent").post(
        grid_url(world, "grid_save"), save_data(world, **changes), **HTMX
    )
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and 'role="alert"' in text and "<tr" in text
    assert counts() == before


def test_save_without_javascript_redirects_back_with_a_message(world):
    enrolment = world.objects["enrolment"]
    back = url(world, "grid_trainee", enrolment.pk)
    client = world.client_for("referent")
    response = client.post(grid_url(world, "grid_save"), save_data(world, next=back))
    assert response.status_code == 302 and response["Location"] == back
    assert Assessment.objects.filter(enrolment=enrolment, level=3, context="project").exists()
    response = client.post(
        grid_url(world, "grid_save"), save_data(world, level="8", next="https://evil.example/")
    )
    assert response.status_code == 302 and response["Location"] == back
    page = page_text(client.get(back))
    assert "Le niveau doit être compris entre 1 et 4." in page


def test_grid_save_get_explains_itself(world):
    response = world.client_for("referent").get(grid_url(world, "grid_save"))
    assert response.status_code == 200
    assert "Cette adresse enregistre une évaluation (formulaire de la grille)." in page_text(
        response
    )


@pytest.mark.parametrize("who", ["company_relations", "intake"])
def test_who_may_not_assess_gets_403_on_the_grid(world, who):
    before = counts()
    client = world.client_for(who)
    assert client.get(grid_url(world)).status_code == 403
    assert client.post(grid_url(world, "grid_save"), save_data(world), **HTMX).status_code == 403
    assert counts() == before


def test_another_school_enrolment_or_competency_is_404(world):
    before = counts()
    client = world.client_for("referent")
    other = save_data(world, enrolment=world.others["enrolment"])
    assert client.post(grid_url(world, "grid_save"), other, **HTMX).status_code == 404
    bad_pk = {**save_data(world), "enrolment": "x"}
    assert client.post(grid_url(world, "grid_save"), bad_pk).status_code == 404
    # The other school's own (draft) framework is not this school's.
    foreign = save_data(world, competency=world.others["draft_competency"])
    assert client.post(grid_url(world, "grid_save"), foreign, **HTMX).status_code == 404
    outsider = world.client_for("outsider")
    assert outsider.post(grid_url(world, "grid_save"), save_data(world)).status_code == 404
    assert outsider.get(grid_url(world)).status_code == 404
    assert counts() == before


def test_group_grid_shows_the_active_trainees_with_their_current_level(world):
    competency = world.objects["competency"]
    exited = new_enrolment(world, status="exited", ended_on=datetime.date(2024, 5, 1))
    exited.person.last_name = "Partie-Avant"
    exited.person.save()
    response = world.client_for("director").get(grid_url(world), {"competency": competency.pk})
    assert response.status_code == 200
    text = page_text(response)
    assert world.objects["enrolment"].person.full_name in text
    assert "2 — En progression" in text
    assert "Partie-Avant" not in text
    assert 'name="mode" value="group"' in response.content.decode()


def test_group_grid_asks_for_a_competency_first(world):
    response = world.client_for("director").get(grid_url(world))
    assert response.status_code == 200
    assert "Choisissez une compétence pour afficher la grille." in page_text(response)


def test_group_grid_defaults_to_my_trainees_for_a_referent(world):
    mine = world.objects["enrolment"]
    colleague = MembershipFactory(
        user=UserFactory(email="autre-referent@alpha.example.org"),
        school=world.school,
        role="referent",
    )
    theirs = new_enrolment(world, referent=colleague)
    params = {"competency": world.objects["competency"].pk}
    text = page_text(world.client_for("referent").get(grid_url(world), params))
    assert mine.person.full_name in text and theirs.person.full_name not in text
    text = page_text(world.client_for("referent").get(grid_url(world), {**params, "referent": ""}))
    assert mine.person.full_name in text and theirs.person.full_name in text
    text = page_text(
        world.client_for("referent").get(grid_url(world), {**params, "referent": colleague.pk})
    )
    assert mine.person.full_name not in text and theirs.person.full_name in text


def test_group_grid_filters_by_site(world):
    other_site = SiteFactory(school=world.school, name="Site Nord")
    there = new_enrolment(world, site=other_site)
    params = {"competency": world.objects["competency"].pk, "site": other_site.pk, "referent": ""}
    text = page_text(world.client_for("director").get(grid_url(world), params))
    assert there.person.full_name in text
    assert world.objects["enrolment"].person.full_name not in text


def test_group_grid_rejects_a_foreign_filter_with_a_message(world):
    params = {"competency": world.others["draft_competency"].pk}
    response = world.client_for("director").get(grid_url(world), params)
    assert response.status_code == 400
    assert "Choisissez une compétence du référentiel en usage." in page_text(response)


def test_trainees_on_another_version_show_no_select(world):
    from parcours.competencies.loading import create_framework_rows, default_framework_data
    from parcours.competencies.models import SchoolFramework

    from .world import MODELS

    v2 = create_framework_rows(
        default_framework_data(),
        models=MODELS,
        school=None,
        family="transversal-e2c",
        name="Transversal v2",
        version=2,
        status="published",
    )
    SchoolFramework.objects.filter(school=world.school).update(framework=v2)
    fresh = new_enrolment(world)
    competency = v2.competencies.get(code="FR1")
    response = world.client_for("director").get(
        grid_url(world), {"competency": competency.pk, "referent": ""}
    )
    html = response.content.decode()
    assert "autre version du référentiel" in page_text(response)
    assert f"grid-level-{world.objects['enrolment'].pk}-" not in html
    assert f"grid-level-{fresh.pk}-{competency.pk}" in html


def _many_trainees(world, n):
    for i in range(n):
        enrolment = new_enrolment(world)
        Assessment.objects.create(
            school=world.school,
            enrolment=enrolment,
            competency=world.objects["competency"],
            kind="positioning",
            level=1 + i % 4,
            assessed_on=enrolment.entry_date,
            assessor=world.members["referent"],
            context="positioning",
            recorded_by=world.members["referent"].user,
        )


def test_group_grid_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    client = world.client_for("referent")
    params = {"competency": world.objects["competency"].pk}
    _many_trainees(world, 2)  # 3 trainees
    client.get(grid_url(world), params)
    with django_assert_max_num_queries(30) as few:
        response = client.get(grid_url(world), params)
    assert page_text(response).count("— nouveau niveau —") == 3
    _many_trainees(world, 22)  # 25 trainees
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(grid_url(world), params)
    assert page_text(response).count("— nouveau niveau —") == 25


def test_group_grid_paginates_at_50(world):
    _many_trainees(world, 52)
    params = {"competency": world.objects["competency"].pk, "referent": ""}
    response = world.client_for("director").get(grid_url(world), params)
    assert page_text(response).count("— nouveau niveau —") == 50
    assert "Page 1 sur 2" in page_text(response)
    response = world.client_for("director").get(grid_url(world), {**params, "page": 2})
    assert page_text(response).count("— nouveau niveau —") == 3


def test_group_grid_save_returns_the_group_row(world):
    response = world.client_for("referent").post(
        grid_url(world, "grid_save"), save_data(world, mode="group", level="4"), **HTMX
    )
    assert response.status_code == 200
    text = page_text(response)
    assert world.objects["enrolment"].person.full_name in text and "4 — Confirmée" in text
