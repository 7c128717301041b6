"""Company screens: the list, a company's page, its form and archiving, its contacts, the
relationship history — each with the three-user treatment (the company-relations officer may
write; a referent may read but not write: 403; a member of another school: 404), refused input
that shows the French message and writes nothing, and constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.companies.models import Company, CompanyEvent, Contact

from ..factories import UserFactory
from ..utils import login_client, page_text
from .company_helpers import FREE_SIRETS, company, contact, full_company, history

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"companies:{name}", kwargs={"school_slug": "e2c-alpha", **kwargs})


def writes() -> tuple:
    return (
        Company.objects.count(),
        Contact.objects.count(),
        CompanyEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def company_data(**overrides) -> dict:
    data = {
        "name": "Boulangerie des Volcans",
        "siret": "",
        "naf_code": "",
        "sector": "retail",
        "size": "",
        "address": "",
        "postcode": "",
        "commune": "Thiers",
        "phone": "",
        "email": "",
        "website": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def contact_data(**overrides) -> dict:
    data = {
        "last_name": "Durand",
        "first_name": "Inès",
        "job_title": "",
        "email": "",
        "phone": "",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------ reading


READERS = [
    ("director", 200),
    ("company_relations", 200),
    ("referent", 200),
    ("intake", 200),
    ("prescriber", 403),
    ("funder", 403),
    ("outsider", 404),
]


@pytest.mark.parametrize(("who", "status"), READERS)
def test_list_access(world, who, status):
    response = world.client_for(who).get(url("companies"))
    assert response.status_code == status
    if status == 200:
        text = page_text(response)
        assert "Logistique Arverne e2c-alpha" in text
        assert "e2c-beta" not in text


@pytest.mark.parametrize(("who", "status"), READERS)
def test_company_page_access(world, who, status):
    response = world.client_for(who).get(url("company", pk=world.objects["company"].pk))
    assert response.status_code == status


@pytest.mark.parametrize(("who", "status"), READERS)
def test_history_access(world, who, status):
    response = world.client_for(who).get(url("company_events"))
    assert response.status_code == status
    if status == 200:
        text = page_text(response)
        assert "Visite de l'entrepôt" in text and "e2c-beta" not in text


def test_another_schools_records_are_404(world):
    client = world.client_for("company_relations")
    others = world.others
    for name, kwargs in [
        ("company", {"pk": others["company"].pk}),
        ("company_edit", {"pk": others["company"].pk}),
        ("company_archive", {"pk": others["company"].pk}),
        ("contact_new", {"company_pk": others["company"].pk}),
        ("company_event_new", {"company_pk": others["company"].pk}),
        ("contact_edit", {"contact_pk": others["contact"].pk}),
        ("contact_active", {"contact_pk": others["contact"].pk}),
        ("company_event_delete", {"pk": others["company_event"].pk}),
    ]:
        assert client.get(url(name, **kwargs)).status_code == 404, name
        assert client.post(url(name, **kwargs), {}).status_code == 404, name


def test_company_page_shows_every_section_of_its_own_school(world):
    response = world.client_for("company_relations").get(
        url("company", pk=world.objects["company"].pk)
    )
    text = page_text(response)
    for title in (
        "Identité",
        "Contacts",
        "Historique de la relation",
        "Stages",
        "Embauches",
        "Bilans des tuteurs",
    ):
        assert f">{title}<" in text, title
    person = world.objects["enrolment"].person
    assert str(person) in text  # the trainee of the internship, the hire and the review
    assert "Préparateur de commandes" in text
    assert "du 08/04/2024 au 19/04/2024" in text and "Terminé" in text
    assert "CDD de 6 mois" in text and "01/07/2024" in text
    assert "Très satisfaisant" in text and "Satisfaisant" in text and "Oui" in text
    assert "73282932000074" in text and "52.10B" in text
    assert "Marc Tuteur" in text and "tuteur·rice, signataire" in text
    assert "Visite de l'entrepôt" in text
    # Never another school's, never the review's free text.
    assert str(world.others["enrolment"].person) not in text
    assert "e2c-beta" not in text
    assert "Très bon stage." not in text


def test_company_page_offers_management_only_to_managers(world):
    pk = world.objects["company"].pk
    managers = page_text(world.client_for("company_relations").get(url("company", pk=pk)))
    readers = page_text(world.client_for("referent").get(url("company", pk=pk)))
    for link in (
        url("company_edit", pk=pk),
        url("contact_new", company_pk=pk),
        url("company_event_new", company_pk=pk),
        url("company_event_delete", pk=world.objects["company_event"].pk),
    ):
        assert link in managers and link not in readers


def test_empty_company_page(world):
    empty = company(world, name="Toute neuve")
    text = page_text(world.client_for("referent").get(url("company", pk=empty.pk)))
    assert "Aucun contact enregistré" in text
    assert "Aucun échange enregistré" in text
    assert "n'a encore accueilli aucun·e stagiaire" in text
    assert "Aucune embauche enregistrée" in text
    assert "Aucun bilan de stage" in text


def test_company_page_history_links_to_the_whole_history(world):
    target = world.objects["company"]
    for day in range(11):
        history(world, target, day=datetime.date(2024, 5, 1) + datetime.timedelta(days=day))
    text = page_text(world.client_for("referent").get(url("company", pk=target.pk)))
    assert f"{url('company_events')}?entreprise={target.pk}" in text
    whole = world.client_for("referent").get(url("company_events"), {"entreprise": target.pk})
    assert whole.status_code == 200
    assert "12 échanges" in page_text(whole)


def test_company_page_shows_the_latest_internships_and_links_to_all(world, monkeypatch):
    from parcours.companies import selectors_companies
    from parcours.companies.models import Internship

    monkeypatch.setattr(selectors_companies, "ROWS_ON_PAGE", 1)
    target = world.objects["company"]
    first = world.objects["internship"]
    older = Internship.objects.create(
        school=world.school,
        enrolment=first.enrolment,
        company=target,
        tutor=first.tutor,
        signatory=first.signatory,
        job_title="Manutentionnaire",
        start_date=datetime.date(2024, 3, 11),
        end_date=datetime.date(2024, 3, 15),
        weekly_hours=35,
        tasks="Rangement.",
        created_by=world.members["company_relations"].user,
    )
    response = world.client_for("referent").get(url("company", pk=target.pk))
    text = page_text(response)
    assert "Les 1 plus récents." in text
    assert reverse("companies:internship", args=[world.school.slug, first.pk]) in text
    assert reverse("companies:internship", args=[world.school.slug, older.pk]) not in text
    assert f"?entreprise={target.pk}" in text


def test_company_page_query_count_is_constant(world):
    few, many = full_company(world, rows=1), full_company(world, rows=6)
    client = world.client_for("company_relations")
    client.get(url("company", pk=few.pk))  # warm the session and the caches
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("company", pk=few.pk)).status_code == 200
    with CaptureQueriesContext(connection) as six:
        response = client.get(url("company", pk=many.pk))
    assert response.status_code == 200
    assert page_text(response).count("Commentaire libre du tuteur.") == 0
    assert len(one) == len(six)


# ------------------------------------------------------------------------------ the list


def test_list_query_count_is_constant(world):
    client = world.client_for("referent")
    client.get(url("companies"))
    with CaptureQueriesContext(connection) as before:
        client.get(url("companies"))
    for index in range(4):
        full_company(world, rows=2, name=f"Encore {index}")
    with CaptureQueriesContext(connection) as after:
        response = client.get(url("companies"))
    assert "5 entreprises" in page_text(response)
    assert len(before) == len(after)


def test_list_paginates_by_50(world):
    Company.objects.bulk_create(
        Company(
            school=world.school,
            name=f"Entreprise {index:03d}",
            sector="retail",
            created_by=world.members["director"].user,
        )
        for index in range(55)
    )
    client = world.client_for("referent")
    first = page_text(client.get(url("companies")))
    assert "56 entreprises" in first and "Page 1 sur 2" in first
    assert "Entreprise 048" in first and "Logistique Arverne" not in first
    second = page_text(client.get(url("companies"), {"page": 2}))
    assert "Logistique Arverne e2c-alpha" in second


def test_list_search_and_filters(world):
    company(world, name="Boulangerie des Volcans", commune="Thiers", siret=FREE_SIRETS[0])
    company(world, name="Hôtel du Parc", commune="Vichy", sector="hospitality")
    client = world.client_for("referent")

    def shown(**params) -> str:
        response = client.get(url("companies"), params)
        assert response.status_code == 200
        return page_text(response)

    text = shown(q="356 000")
    assert "Boulangerie des Volcans" in text and "Hôtel du Parc" not in text
    text = shown(q="VICHY")
    assert "Hôtel du Parc" in text and "Boulangerie" not in text
    text = shown(secteur="hospitality")
    assert "Hôtel du Parc" in text and "Logistique" not in text
    text = shown(stages="avec")
    assert "Logistique Arverne" in text and "Hôtel du Parc" not in text
    text = shown(commune="Thiers")
    assert "Boulangerie" in text and "Hôtel du Parc" not in text
    assert "Aucune entreprise ne correspond" in shown(q="introuvable")


def test_list_refused_filter_gets_a_french_message(world):
    response = world.client_for("referent").get(url("companies"), {"secteur": "espace"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Secteur inconnu." in text and "Logistique Arverne" in text


def test_list_shows_archived_companies_only_when_asked(world):
    company(world, name="Ancienne", archived_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    client = world.client_for("referent")
    assert "Ancienne" not in page_text(client.get(url("companies")))
    assert "Ancienne" in page_text(client.get(url("companies"), {"archivees": "archivees"}))


# ------------------------------------------------------------------------------ company form


@pytest.mark.parametrize("who", ["company_relations", "director"])
def test_create_a_company(world, who):
    response = world.client_for(who).post(
        url("company_new"),
        company_data(siret="443 061 841 00047", naf_code="4711f", website="exemple.fr"),
        follow=True,
    )
    created = Company.objects.get(name="Boulangerie des Volcans")
    assert response.redirect_chain[-1][0] == url("company", pk=created.pk)
    assert "L'entreprise a été créée." in page_text(response)
    assert (created.siret, created.naf_code, created.website) == (
        "44306184100047",
        "47.11F",
        "https://exemple.fr",
    )
    assert created.created_by == world.members[who].user
    assert AuditEvent.objects.filter(action="company.create", object_id=str(created.pk)).exists()


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("intake", 403), ("outsider", 404)])
def test_who_may_not_create_writes_nothing(world, who, status):
    before = writes()
    client = world.client_for(who)
    assert client.get(url("company_new")).status_code == status
    assert client.post(url("company_new"), company_data()).status_code == status
    assert writes() == before


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("44306184100048", "clé de contrôle ne correspond pas"),
        ("4430618410004", "Un SIRET compte 14 chiffres (13 saisis)."),
        ("4430618410004A", "Un SIRET ne contient que des chiffres"),
    ],
)
def test_bad_siret_is_refused_in_french(world, siret, message):
    before = writes()
    response = world.client_for("company_relations").post(
        url("company_new"), company_data(siret=siret)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert writes() == before


def test_duplicate_siret_is_refused_naming_the_company(world):
    before = writes()
    response = world.client_for("company_relations").post(
        url("company_new"), company_data(siret="732 829 320 00074")
    )
    assert response.status_code == 400
    assert "Ce SIRET est déjà celui de l'entreprise « Logistique Arverne e2c-alpha »." in (
        page_text(response)
    )
    assert writes() == before


def test_required_fields_and_bad_naf(world):
    before = writes()
    response = world.client_for("company_relations").post(
        url("company_new"), company_data(name="", sector="", naf_code="47F")
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Indiquez la raison sociale de l'entreprise." in text
    assert "Choisissez un secteur." in text
    assert "quatre chiffres et une lettre" in text
    assert writes() == before


def test_edit_a_company(world):
    target = world.objects["company"]
    client = world.client_for("company_relations")
    form = page_text(client.get(url("company_edit", pk=target.pk)))
    assert 'value="73282932000074"' in form and 'value="52.10B"' in form
    response = client.post(
        url("company_edit", pk=target.pk),
        company_data(name="Logistique Arverne", siret=target.siret, sector="logistics"),
    )
    assert response.status_code == 302 and response["Location"] == url("company", pk=target.pk)
    target.refresh_from_db()
    assert target.name == "Logistique Arverne" and target.commune == "Thiers"
    assert AuditEvent.objects.filter(action="company.update").exists()


def test_edit_to_a_duplicate_siret_writes_nothing(world):
    second = company(world, name="Seconde", siret=FREE_SIRETS[0])
    before = writes()
    response = world.client_for("company_relations").post(
        url("company_edit", pk=second.pk), company_data(name="Seconde", siret="73282932000074")
    )
    assert response.status_code == 400
    assert "Logistique Arverne e2c-alpha" in page_text(response)
    second.refresh_from_db()
    assert second.siret == FREE_SIRETS[0]
    assert writes() == before


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("outsider", 404)])
def test_who_may_not_edit_writes_nothing(world, who, status):
    target = world.objects["company"]
    before = writes()
    response = world.client_for(who).post(
        url("company_edit", pk=target.pk), company_data(name="Piratée")
    )
    assert response.status_code == status
    target.refresh_from_db()
    assert target.name == "Logistique Arverne e2c-alpha" and writes() == before


# ------------------------------------------------------------------------------ archiving


def test_archive_then_unarchive_with_confirmation(world):
    target = world.objects["company"]
    client = world.client_for("company_relations")
    confirm = page_text(client.get(url("company_archive", pk=target.pk)))
    assert "Archiver l'entreprise" in confirm and "Son historique" in confirm
    response = client.post(url("company_archive", pk=target.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("companies")
    assert "L'entreprise a été archivée." in page_text(response)
    target.refresh_from_db()
    assert target.is_archived
    assert "Désarchiver l'entreprise" in page_text(client.get(url("company_archive", pk=target.pk)))
    response = client.post(url("company_archive", pk=target.pk))
    assert response["Location"] == url("company", pk=target.pk)
    target.refresh_from_db()
    assert not target.is_archived


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("outsider", 404)])
def test_who_may_not_archive_writes_nothing(world, who, status):
    target = world.objects["company"]
    before = writes()
    assert world.client_for(who).post(url("company_archive", pk=target.pk)).status_code == status
    target.refresh_from_db()
    assert not target.is_archived and writes() == before


# ------------------------------------------------------------------------------ contacts


def test_add_a_contact_without_role(world):
    target = world.objects["company"]
    response = world.client_for("company_relations").post(
        url("contact_new", company_pk=target.pk), contact_data(), follow=True
    )
    assert "Le contact a été ajouté." in page_text(response)
    added = Contact.objects.get(last_name="Durand")
    assert added.company == target and added.roles_display == ""
    assert AuditEvent.objects.filter(action="contact.create").exists()


def test_add_a_contact_with_roles_and_phone(world):
    target = world.objects["company"]
    world.client_for("company_relations").post(
        url("contact_new", company_pk=target.pk),
        contact_data(is_tutor="on", is_hr="on", phone="06 12 34 56 78", email="ines@exemple.fr"),
    )
    added = Contact.objects.get(last_name="Durand")
    assert (added.is_tutor, added.is_hr, added.is_signatory) == (True, True, False)
    assert added.phone == "+33612345678"
    page = page_text(world.client_for("referent").get(url("company", pk=target.pk)))
    assert "06 12 34 56 78" in page and "tuteur·rice, RH" in page


def test_bad_contact_is_refused(world):
    before = writes()
    response = world.client_for("company_relations").post(
        url("contact_new", company_pk=world.objects["company"].pk),
        contact_data(last_name="", phone="12"),
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Indiquez le nom du contact." in text
    assert "Ce numéro de téléphone n'est pas valide." in text
    assert writes() == before


def test_no_contact_for_an_archived_company(world):
    target = company(
        world, name="Archivée", archived_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    before = writes()
    response = world.client_for("company_relations").post(
        url("contact_new", company_pk=target.pk), contact_data()
    )
    assert response.status_code == 400
    assert "est archivée : désarchivez-la d'abord" in page_text(response)
    assert writes() == before


def test_edit_a_contact(world):
    tutor = world.objects["contact"]
    client = world.client_for("company_relations")
    assert 'value="Tuteur"' in page_text(client.get(url("contact_edit", contact_pk=tutor.pk)))
    response = client.post(
        url("contact_edit", contact_pk=tutor.pk),
        contact_data(last_name="Tuteur", first_name="Marc", is_signatory="on"),
    )
    assert response.status_code == 302
    tutor.refresh_from_db()
    assert not tutor.is_tutor and tutor.is_signatory


def test_deactivate_and_reactivate_a_contact(world):
    tutor = world.objects["contact"]
    client = world.client_for("company_relations")
    assert "ne sera plus proposé·e" in page_text(
        client.get(url("contact_active", contact_pk=tutor.pk))
    )
    response = client.post(url("contact_active", contact_pk=tutor.pk), follow=True)
    assert "Le contact a été désactivé." in page_text(response)
    tutor.refresh_from_db()
    assert not tutor.active
    client.post(url("contact_active", contact_pk=tutor.pk))
    tutor.refresh_from_db()
    assert tutor.active


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("outsider", 404)])
def test_who_may_not_change_contacts_writes_nothing(world, who, status):
    client = world.client_for(who)
    tutor = world.objects["contact"]
    before = writes()
    assert (
        client.post(
            url("contact_new", company_pk=world.objects["company"].pk), contact_data()
        ).status_code
        == status
    )
    assert (
        client.post(
            url("contact_edit", contact_pk=tutor.pk), contact_data(last_name="Piraté")
        ).status_code
        == status
    )
    assert client.post(url("contact_active", contact_pk=tutor.pk)).status_code == status
    tutor.refresh_from_db()
    assert tutor.last_name == "Tuteur" and tutor.active and writes() == before


# ------------------------------------------------------------------------------ history


def test_record_a_history_entry(world):
    target = world.objects["company"]
    response = world.client_for("company_relations").post(
        url("company_event_new", company_pk=target.pk),
        {
            "kind": "job_offer",
            "happened_on": "2024-06-03",
            "contact": world.objects["contact"].pk,
            "summary": "Offre de CDD.",
        },
        follow=True,
    )
    assert "L'échange a été ajouté à l'historique." in page_text(response)
    entry = CompanyEvent.objects.get(kind="job_offer")
    assert entry.company == target and entry.contact == world.objects["contact"]
    assert AuditEvent.objects.filter(action="company_event.create").exists()


def test_history_entry_with_another_companys_contact_is_refused(world):
    target = world.objects["company"]
    elsewhere = contact(world, company(world))
    before = writes()
    response = world.client_for("company_relations").post(
        url("company_event_new", company_pk=target.pk),
        {"kind": "call", "happened_on": "2024-06-03", "contact": elsewhere.pk},
    )
    assert response.status_code == 400
    assert "Ce contact ne travaille pas dans cette entreprise." in page_text(response)
    assert writes() == before


def test_history_entry_in_the_future_is_refused(world):
    before = writes()
    response = world.client_for("company_relations").post(
        url("company_event_new", company_pk=world.objects["company"].pk),
        {"kind": "call", "happened_on": "2999-01-01"},
    )
    assert response.status_code == 400
    assert "ne peut pas être future" in page_text(response)
    assert writes() == before


def test_delete_a_history_entry_with_confirmation(world):
    entry = world.objects["company_event"]
    client = world.client_for("company_relations")
    confirm = page_text(client.get(url("company_event_delete", pk=entry.pk)))
    assert "« Visite » du 15/03/2024." in confirm and "définitive" in confirm
    assert CompanyEvent.objects.filter(pk=entry.pk).exists()  # GET deletes nothing
    response = client.post(url("company_event_delete", pk=entry.pk))
    assert response["Location"] == url("company", pk=entry.company_id) + "#historique"
    assert not CompanyEvent.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="company_event.delete").exists()


@pytest.mark.parametrize(("who", "status"), [("referent", 403), ("outsider", 404)])
def test_who_may_not_change_history_writes_nothing(world, who, status):
    client = world.client_for(who)
    before = writes()
    assert (
        client.post(
            url("company_event_new", company_pk=world.objects["company"].pk),
            {"kind": "call", "happened_on": "2024-06-03"},
        ).status_code
        == status
    )
    assert (
        client.post(url("company_event_delete", pk=world.objects["company_event"].pk)).status_code
        == status
    )
    assert writes() == before


def test_history_filters_and_constant_queries(world):
    target = world.objects["company"]
    client = world.client_for("referent")
    client.get(url("company_events"))
    with CaptureQueriesContext(connection) as few:
        client.get(url("company_events"))
    other = company(world, name="Autre entreprise")
    for day in range(6):
        history(
            world,
            other,
            kind="job_offer",
            day=datetime.date(2024, 6, 1) + datetime.timedelta(days=day),
            contact=contact(world, other),
        )
    with CaptureQueriesContext(connection) as many:
        text = page_text(client.get(url("company_events")))
    assert "7 échanges" in text and len(few) == len(many)
    text = page_text(client.get(url("company_events"), {"type": "visit"}))
    assert "1 échange" in text and "Logistique Arverne" in text
    text = page_text(client.get(url("company_events"), {"du": "2024-06-03", "au": "2024-06-04"}))
    assert "2 échanges" in text
    text = page_text(client.get(url("company_events"), {"entreprise": target.pk}))
    assert "Historique de la relation avec Logistique Arverne e2c-alpha" in text
    refused = client.get(url("company_events"), {"entreprise": world.others["company"].pk})
    assert refused.status_code == 400
    assert "Cette entreprise n'est pas une entreprise de l'école." in page_text(refused)
    refused = client.get(url("company_events"), {"du": "2024-06-04", "au": "2024-06-01"})
    assert "La date de fin doit suivre la date de début." in page_text(refused)


# ------------------------------------------------------------------------------ admin


def test_the_admin_lists_companies_contacts_and_history_read_only(world):
    user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client = Client()
    login_client(client, user)
    for model in ("company", "contact", "companyevent"):
        response = client.get(reverse(f"admin:companies_{model}_changelist"), {"q": "Arverne"})
        assert response.status_code == 200, model
    target = world.objects["company"]
    change = reverse("admin:companies_company_change", args=[target.pk])
    assert b'name="_save"' not in client.get(change).content
    assert client.post(change, {"name": "Changée"}).status_code == 403
    target.refresh_from_db()
    assert target.name == "Logistique Arverne e2c-alpha"
