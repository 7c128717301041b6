"""Who reaches the import page: the direction only; another school's job does not exist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.imports.models import ImportJob, ImportStatus
from parcours.organisations.access import ROLE_PERMS, Perm
from parcours.organisations.models import Role

pytestmark = pytest.mark.django_db

JOB_URLS = (
    "imports:job",
    "imports:job_progress",
    "imports:job_import",
    "imports:job_restart",
    "imports:job_abandon",
)


def test_only_the_direction_may_import():
    assert [role for role, perms in ROLE_PERMS.items() if Perm.IMPORT_RECORDS in perms] == [
        Role.DIRECTOR
    ]


def _urls(world, job) -> list[str]:
    slug = world.school.slug
    return [
        reverse("imports:home", args=[slug]),
        reverse("imports:example", args=[slug]),
        *(reverse(name, args=[slug, job.pk]) for name in JOB_URLS),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("director", 200),
        ("intake", 403),
        ("referent", 403),
        ("company_relations", 403),
        ("prescriber", 403),
        ("funder", 403),
        ("outsider", 404),
    ],
)
def test_each_url_for_each_role(world, who, status):
    client = world.client_for(who)
    for url in _urls(world, world.objects["import_job"]):
        assert client.get(url).status_code == status, (who, url)


def test_anonymous_goes_to_the_login_page(world):
    client = world.client_for("anonymous")
    for url in _urls(world, world.objects["import_job"]):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_another_schools_job_is_404_and_untouched(world):
    other = world.others["import_job"]
    client = world.client_for("director")
    for name in JOB_URLS:
        url = reverse(name, args=[world.school.slug, other.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
    other.refresh_from_db()
    assert other.status == ImportStatus.CHECKED


@pytest.mark.parametrize("who", ["intake", "referent"])
def test_a_member_without_the_permission_cannot_post(world, who, settings):
    settings.PARCOURS_IMPORT_IN_THREAD = False
    job = world.objects["import_job"]
    client = world.client_for(who)
    before = ImportJob.objects.count()
    assert client.post(reverse("imports:home", args=[world.school.slug])).status_code == 403
    for name in ("imports:job_import", "imports:job_abandon"):
        assert client.post(reverse(name, args=[world.school.slug, job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and ImportJob.objects.count() == before


def test_the_navigation_links_the_page_for_the_direction_only(world):
    url = reverse("imports:home", args=[world.school.slug])
    home = reverse("organisations:home", args=[world.school.slug])
    assert f'href="{url}"' in world.client_for("director").get(home).content.decode()
    assert f'href="{url}"' not in world.client_for("referent").get(home).content.decode()


def test_the_example_file_downloads(world):
    response = world.client_for("director").get(
        reverse("imports:example", args=[world.school.slug])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert "date_naissance" in header
