"""Tutor review pages: the tutor's public page and the staff screens (three-user treatment)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.companies import services_reviews as services
from parcours.companies.models import TutorLink, TutorReview
from parcours.competencies.models import Assessment

from ..utils import page_text
from .review_helpers import recent_internship, review_data, token_from

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _url(name, world, **kwargs):
    return reverse(f"companies:{name}", kwargs={"school_slug": world.school.slug, **kwargs})


def _sent(world, internship=None):
    internship = internship or recent_internship(world)
    services.send_tutor_link(membership=world.members["company_relations"], internship=internship)
    token = token_from(mail.outbox[-1])
    return internship, token


def _form_post(world, **overrides):
    competency = world.objects["competency"]
    data = {
        "punctuality": "4",
        "attitude": "3",
        "tasks_mastered": "Mise en rayon.",
        "would_hire": "maybe",
        "comments": "",
        "reviewer_name": "Marc Tuteur",
        f"competency_{competency.pk}": "2",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------ public page


@pytest.mark.parametrize("who", ["anonymous", "director"])
def test_public_page_shows_only_the_form(world, who):
    internship, token = _sent(world)
    client = world.client_for(who)
    response = client.get(reverse("tutor_review:form", kwargs={"tutor_token": token}))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    text = page_text(response)
    person = internship.enrolment.person
    assert world.school.name in text
    assert f"{person.first_name} {person.last_name[0]}." in text
    assert internship.company.name in text
    assert internship.job_title in text
    assert "du " + internship.start_date.strftime("%d/%m/%Y") in text
    assert "S'exprimer avec les clients" in text  # the goal
    assert "Ponctualité" in text and "Votre nom" in text
    # Nothing else: no last name, birth date, other internship, restricted notes, staff layout.
    assert person.last_name not in text
    assert person.birth_date.strftime("%d/%m/%Y") not in text
    assert world.objects["internship"].job_title not in text
    assert "SECRET" not in text
    assert "main-nav" not in text and "Se déconnecter" not in text
    assert world.members["director"].user.last_name not in text
    assert internship.tutor.email not in text


def test_public_submission_works_once_then_thanks(world):
    internship, token = _sent(world)
    client = world.client_for("anonymous")
    url = reverse("tutor_review:form", kwargs={"tutor_token": token})
    response = client.post(url, _form_post(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("tutor_review:thanks")
    review = TutorReview.objects.get(internship=internship)
    assert review.would_hire == "maybe" and review.source == "tutor_link"
    assert review.competencies.get().level == 2
    thanks = client.get(response["Location"])
    assert "Merci" in page_text(thanks)
    assert thanks["Referrer-Policy"] == "same-origin"
    # The same link again: the neutral page, no data.
    again = client.get(url)
    assert again.status_code == 404
    text = page_text(again)
    assert "Ce lien n'est plus valable" in text
    assert internship.company.name not in text and world.school.name not in text
    assert again["Referrer-Policy"] == "same-origin"
    post_again = client.post(url, _form_post(world, punctuality="1"))
    assert post_again.status_code == 404
    review.refresh_from_db()
    assert review.punctuality == 4


def test_public_bad_input_shows_the_message_and_writes_nothing(world):
    internship, token = _sent(world)
    client = world.client_for("anonymous")
    url = reverse("tutor_review:form", kwargs={"tutor_token": token})
    response = client.post(url, _form_post(world, tasks_mastered="", would_hire=""))
    # 200, not 400: Django logs 4xx responses with their path, which holds a live token.
    assert response.status_code == 200
    text = page_text(response)
    assert "Indiquez les tâches maîtrisées." in text
    assert "Dites si vous embaucheriez ce ou cette stagiaire." in text
    assert not TutorReview.objects.filter(internship=internship).exists()
    assert TutorLink.objects.get(internship=internship).used_at is None


def test_public_unknown_expired_and_revoked_tokens_get_the_neutral_page(world):
    internship, token = _sent(world)
    client = world.client_for("anonymous")
    unknown = client.get(reverse("tutor_review:form", kwargs={"tutor_token": "n-existe-pas"}))
    assert unknown.status_code == 404
    assert "Ce lien n'est plus valable" in page_text(unknown)
    TutorLink.objects.filter(internship=internship).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    expired = client.get(reverse("tutor_review:form", kwargs={"tutor_token": token}))
    assert expired.status_code == 404
    assert internship.company.name not in page_text(expired)


def test_public_attempts_are_rate_limited(world):
    client = world.client_for("anonymous")
    url = reverse("tutor_review:form", kwargs={"tutor_token": "devine"})
    for _attempt in range(20):
        assert client.get(url).status_code == 404
    response = client.get(url)
    assert response.status_code == 429
    assert "Trop de demandes" in page_text(response)


# ------------------------------------------------------------------------------ send / revoke


def test_send_link_three_users(world):
    internship = recent_internship(world)
    url = _url("review_send_link", world, internship_pk=internship.pk)
    assert world.client_for("intake").post(url, {"email": ""}).status_code == 403
    assert world.client_for("outsider").post(url, {"email": ""}).status_code == 404
    assert not TutorLink.objects.filter(internship=internship).exists()
    client = world.client_for("company_relations")
    page = client.get(url)
    assert page.status_code == 200
    assert internship.tutor.email in page_text(page)
    response = client.post(url, {"email": ""})
    assert response.status_code == 302
    assert response["Location"] == services.internship_page_path(internship)
    assert TutorLink.objects.filter(internship=internship).count() == 1
    assert mail.outbox[-1].to == [internship.tutor.email]
    assert "/bilan-de-stage/" in mail.outbox[-1].body
    # Built from the service's public address, not from the host the staff member used.
    assert f"{settings.PUBLIC_BASE_URL}/bilan-de-stage/" in mail.outbox[-1].body
    assert "testserver" not in mail.outbox[-1].body


def test_send_link_bad_input_and_refusal(world):
    internship = recent_internship(world)
    client = world.client_for("referent")
    url = _url("review_send_link", world, internship_pk=internship.pk)
    response = client.post(url, {"email": "pas-une-adresse"})
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide." in page_text(response)
    assert not TutorLink.objects.filter(internship=internship).exists()
    reviewed = world.objects["internship"]
    url = _url("review_send_link", world, internship_pk=reviewed.pk)
    assert "déjà enregistré" in page_text(client.get(url))
    response = client.post(url, {"email": ""})
    assert response.status_code == 400
    assert "Le bilan de ce stage est déjà enregistré." in page_text(response)
    assert mail.outbox == []


def test_revoke_link_three_users(world):
    internship, _token = _sent(world)
    url = _url("review_revoke_link", world, internship_pk=internship.pk)
    assert world.client_for("intake").post(url).status_code == 403
    assert world.client_for("outsider").post(url).status_code == 404
    assert TutorLink.objects.get(internship=internship).revoked_at is None
    client = world.client_for("referent")
    assert client.post(url).status_code == 302
    assert TutorLink.objects.get(internship=internship).revoked_at is not None
    again = client.post(url)
    assert again.status_code == 400
    assert "rien à révoquer" in page_text(again)


# ------------------------------------------------------------------------------ call / edit


def test_review_call_three_users(world):
    internship = recent_internship(world)
    url = _url("review_call", world, internship_pk=internship.pk)
    assert world.client_for("intake").post(url, _form_post(world)).status_code == 403
    assert world.client_for("outsider").post(url, _form_post(world)).status_code == 404
    assert not TutorReview.objects.filter(internship=internship).exists()
    client = world.client_for("company_relations")
    page = client.get(url)
    assert page.status_code == 200
    assert internship.tutor.full_name in page_text(page)  # the reviewer's name, prefilled
    response = client.post(url, _form_post(world))
    assert response.status_code == 302
    review = TutorReview.objects.get(internship=internship)
    assert review.source == "call"
    assert review.recorded_by == world.members["company_relations"].user


def test_review_call_bad_input_and_existing_review(world):
    internship = recent_internship(world)
    client = world.client_for("referent")
    url = _url("review_call", world, internship_pk=internship.pk)
    competency = world.objects["competency"]
    response = client.post(
        url, _form_post(world, punctuality="9", **{f"competency_{competency.pk}": "7"})
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Sélectionnez un choix valide" in text
    assert not TutorReview.objects.filter(internship=internship).exists()
    reviewed = world.objects["internship"]
    url = _url("review_call", world, internship_pk=reviewed.pk)
    assert "déjà enregistré" in page_text(client.get(url))
    response = client.post(url, _form_post(world))
    assert response.status_code == 400
    assert "Le bilan de ce stage est déjà enregistré." in page_text(response)
    assert TutorReview.objects.get(internship=reviewed).punctuality == 4


def test_review_edit_three_users(world):
    internship = world.objects["internship"]
    url = _url("review_edit", world, internship_pk=internship.pk)
    assert world.client_for("intake").post(url, _form_post(world)).status_code == 403
    assert world.client_for("outsider").post(url, _form_post(world)).status_code == 404
    client = world.client_for("director")
    page = client.get(url)
    assert page.status_code == 200
    assert "Préparation de commandes." in page_text(page)  # prefilled
    bad = client.post(url, _form_post(world, reviewer_name=""))
    assert bad.status_code == 400
    assert "Indiquez le nom de la personne qui remplit le bilan." in page_text(bad)
    assert TutorReview.objects.get(internship=internship).would_hire == "yes"
    assert client.post(url, _form_post(world)).status_code == 302
    assert TutorReview.objects.get(internship=internship).would_hire == "maybe"
    # No review yet: 404.
    fresh = recent_internship(world)
    assert client.get(_url("review_edit", world, internship_pk=fresh.pk)).status_code == 404


# ------------------------------------------------------------------------------ assessment


def test_review_to_assessment_three_users(world, settings):
    settings.PUBLIC_BASE_URL = "https://parcours.example.org"
    internship = recent_internship(world)
    competency = world.objects["competency"]
    review = services.record_review_from_call(
        membership=world.members["referent"],
        internship=internship,
        **review_data(levels={competency.pk: 3}),
    )
    observation = review.competencies.get()
    url = _url("review_to_assessment", world, observation_pk=observation.pk)
    count = Assessment.objects.count()
    assert world.client_for("company_relations").post(url).status_code == 403
    assert world.client_for("outsider").post(url).status_code == 404
    assert Assessment.objects.count() == count
    client = world.client_for("referent")
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.assessment is not None
    # "testserver" is no valid web host: the link falls back on the configured address.
    assert (
        observation.assessment.evidence.filter(kind="link")
        .get()
        .url.startswith("https://parcours.example.org/e/e2c-alpha/")
    )
    again = client.post(url)
    assert again.status_code == 400
    assert "déjà transformée en évaluation" in page_text(again)
    assert Assessment.objects.count() == count + 1


# ------------------------------------------------------------------------------ overdue list


def _overdue(world, n):
    for index in range(n):
        internship = recent_internship(world)
        if index % 2:
            services.send_tutor_link(
                membership=world.members["company_relations"], internship=internship
            )


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_overdue_list_runs_a_constant_number_of_queries(world):
    client = world.client_for("intake")  # VIEW_TRAINEES is enough to read it
    url = _url("reviews_overdue", world)
    _overdue(world, 2)
    few, _response = _queries(client, url)
    _overdue(world, 8)
    many, response = _queries(client, url)
    assert many == few
    text = page_text(response)
    assert "jamais envoyé" in text and "envoyé à" in text
    assert text.count("Logistique Arverne e2c-alpha") == 10
    assert world.objects["internship"].job_title not in text  # reviewed: not overdue


def test_overdue_list_is_scoped_and_needs_view_trainees(world):
    recent_internship(world, other=True)
    ours = recent_internship(world)
    url = _url("reviews_overdue", world)
    assert world.client_for("funder").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    text = page_text(world.client_for("referent").get(url))
    assert ours.enrolment.person.full_name in text
    assert "e2c-beta" not in text


# ------------------------------------------------------------------------------ the panel


def _panel(world, role, internship):
    template = Template("{% load review_tags %}{% review_panel internship %}")
    with CaptureQueriesContext(connection) as context:
        html = template.render(
            Context({"membership": world.members[role], "internship": internship})
        )
    return html, len(context.captured_queries)


def test_panel_with_a_review(world):
    internship = world.objects["internship"]
    html, queries = _panel(world, "referent", internship)
    assert "Très satisfaisant" in html and "Préparation de commandes." in html
    assert "Transformer en évaluation" in html
    assert _url("review_edit", world, internship_pk=internship.pk) in html
    assert queries <= 3
    html, _queries = _panel(world, "company_relations", internship)
    assert "Transformer en évaluation" not in html  # no ASSESS
    html, _queries = _panel(world, "intake", internship)
    assert "Modifier le bilan" not in html


def test_panel_without_review(world):
    internship = recent_internship(world)
    html, _q = _panel(world, "company_relations", internship)
    assert "jamais envoyé" in html
    assert "Envoyer le lien" in html and "Saisir le bilan" in html
    _sent(world, internship)
    html, queries = _panel(world, "company_relations", internship)
    assert "Renvoyer un lien" in html and "Révoquer le lien" in html
    assert internship.tutor.email in html
    assert queries <= 3
    html, _q = _panel(world, "intake", internship)
    assert "Renvoyer un lien" not in html
