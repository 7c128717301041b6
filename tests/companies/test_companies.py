"""Partner companies, contacts and the relationship history: the services (SIRET and NAF
checks, duplicates, archiving, contacts, history entries, audit) and the selectors (the list's
search, filters and counts, the company page, tutors and signatories, the history)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.fr import siret as stdnum_siret

from parcours.audit.models import AuditEvent
from parcours.companies import selectors_companies as selectors
from parcours.companies import services_companies as services
from parcours.companies.models import Company, CompanyEvent, Contact

from .company_helpers import (
    FREE_SIRETS,
    company,
    contact,
    full_company,
    hire,
    history,
    internship,
    review,
)

pytestmark = pytest.mark.django_db


def officer(world):
    return world.members["company_relations"]


def writes() -> tuple:
    return (
        Company.objects.count(),
        Contact.objects.count(),
        CompanyEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def create(world, **fields) -> Company:
    values = {"name": "Boulangerie des Volcans", "sector": "retail"}
    values.update(fields)
    return services.create_company(membership=officer(world), **values)


def messages_of(error: ValidationError, field: str) -> list[str]:
    return error.value.message_dict[field]


# ------------------------------------------------------------------------------ SIRET


@pytest.mark.parametrize("value", ["73282932000074", "35600000000048", "44306184100047"])
def test_the_test_sirets_are_valid(value):
    assert stdnum_siret.is_valid(value)
    assert services.check_siret(value) == value


def test_siret_spaces_are_removed():
    assert services.check_siret(" 443 061 841 00047 ") == "44306184100047"
    assert services.check_siret("443\u00a0061\u00a0841\u00a000047") == "44306184100047"


def test_siret_may_be_left_empty():
    assert services.check_siret("") == "" and services.check_siret("   ") == ""


def test_siret_with_a_bad_check_digit_is_refused():
    with pytest.raises(ValidationError) as error:
        services.check_siret("44306184100048")
    assert "clé de contrôle ne correspond pas" in error.value.messages[0]


def test_siret_of_the_wrong_length_is_refused():
    with pytest.raises(ValidationError) as error:
        services.check_siret("4430618410004")
    assert error.value.messages == ["Un SIRET compte 14 chiffres (13 saisis)."]


def test_siret_with_letters_is_refused():
    with pytest.raises(ValidationError) as error:
        services.check_siret("4430618410004A")
    assert "ne contient que des chiffres" in error.value.messages[0]


# ------------------------------------------------------------------------------ NAF


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("47.11F", "47.11F"), ("4711F", "47.11F"), ("4711f", "47.11F"), (" 47.11 f ", "47.11F")],
)
def test_naf_code_is_normalised(typed, stored):
    assert services.normalise_naf(typed) == stored


@pytest.mark.parametrize("typed", ["47.1F", "471F", "47111", "AB.11F", "47.11FF"])
def test_bad_naf_code_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        services.normalise_naf(typed)
    assert "quatre chiffres et une lettre" in error.value.messages[0]


# ------------------------------------------------------------------------------ companies


def test_create_company_normalises_and_audits(world):
    created = create(
        world,
        siret="356 000 000 00048",
        naf_code="5310z",
        size="large",
        commune="Clermont-Ferrand",
        postcode="63000",
        phone="04 73 00 00 00",
    )
    created.refresh_from_db()
    assert created.school == world.school
    assert created.created_by == officer(world).user
    assert (created.siret, created.naf_code, created.phone) == (
        "35600000000048",
        "53.10Z",
        "+33473000000",
    )
    event = AuditEvent.objects.get(action="company.create", object_id=str(created.pk))
    assert event.school == world.school and event.actor == officer(world).user
    assert event.object_repr == f"entreprise n° {created.pk}"
    dumped = json.dumps(event.changes, ensure_ascii=False)
    assert "Boulangerie" not in dumped and "35600000000048" not in dumped
    assert "name" in event.changes["fields"] and event.changes["values"]["sector"] == [
        None,
        "retail",
    ]


def test_create_company_refuses_bad_input_and_writes_nothing(world):
    before = writes()
    with pytest.raises(ValidationError) as error:
        create(
            world,
            name="  ",
            siret="44306184100048",
            naf_code="47F",
            sector="space",
            postcode="630",
            phone="12",
        )
    fields = error.value.message_dict
    assert fields["name"] == ["Indiquez la raison sociale de l'entreprise."]
    assert "clé de contrôle" in fields["siret"][0]
    assert "quatre chiffres et une lettre" in fields["naf_code"][0]
    assert fields["sector"] == ["Choisissez un secteur dans la liste."]
    assert fields["postcode"] == ["Le code postal compte 5 chiffres."]
    assert fields["phone"] == ["Ce numéro de téléphone n'est pas valide."]
    assert writes() == before


def test_duplicate_siret_in_the_school_is_refused_with_the_company_name(world):
    before = writes()
    with pytest.raises(ValidationError) as error:
        create(world, siret="732 829 320 00074")
    assert messages_of(error, "siret") == [
        "Ce SIRET est déjà celui de l'entreprise « Logistique Arverne e2c-alpha »."
    ]
    assert writes() == before


def test_duplicate_of_an_archived_company_says_to_unarchive_it(world):
    services.archive_company(membership=officer(world), company=world.objects["company"])
    before = writes()
    with pytest.raises(ValidationError) as error:
        create(world, siret="73282932000074")
    assert "(archivée)" in messages_of(error, "siret")[0]
    assert "désarchivez-la" in messages_of(error, "siret")[0]
    assert writes() == before


def test_same_siret_in_another_school_is_allowed(world):
    # The world's companies of both schools share 73282932000074; a new one in each school.
    created = create(world, siret=FREE_SIRETS[1])
    other = services.create_company(
        membership=world.outsider, name="Autre école", sector="retail", siret=FREE_SIRETS[1]
    )
    assert created.siret == other.siret and created.school != other.school


def test_several_companies_without_siret(world):
    create(world, name="Sans SIRET 1")
    create(world, name="Sans SIRET 2")
    assert Company.objects.filter(school=world.school, siret="").count() == 2


def test_update_company_to_a_duplicate_siret_is_refused_and_leaves_it_unchanged(world):
    second = create(world, name="Seconde", siret=FREE_SIRETS[0])
    before = writes()
    with pytest.raises(ValidationError) as error:
        services.update_company(
            membership=officer(world), company=second, siret="73282932000074", name="Changée"
        )
    assert "Logistique Arverne e2c-alpha" in messages_of(error, "siret")[0]
    assert writes() == before
    second.refresh_from_db()
    assert (second.siret, second.name) == (FREE_SIRETS[0], "Seconde")


def test_update_company_audits_the_changed_fields_only(world):
    target = world.objects["company"]
    services.update_company(
        membership=officer(world), company=target, name="Nouveau nom", size="large", siret=""
    )
    target.refresh_from_db()
    assert (target.name, target.size, target.siret) == ("Nouveau nom", "large", "")
    event = AuditEvent.objects.get(action="company.update")
    assert event.changes["fields"] == ["name", "siret", "size"]
    assert event.changes["values"] == {"size": ["medium", "large"]}
    assert "Nouveau nom" not in json.dumps(event.changes, ensure_ascii=False)


def test_update_without_change_writes_no_event(world):
    target = world.objects["company"]
    services.update_company(membership=officer(world), company=target, name=target.name)
    assert not AuditEvent.objects.filter(action="company.update").exists()


def test_another_schools_company_cannot_be_changed(world):
    with pytest.raises(ValueError):
        services.update_company(
            membership=officer(world), company=world.others["company"], name="Piratée"
        )


def test_archive_and_unarchive(world):
    target = world.objects["company"]
    services.archive_company(membership=officer(world), company=target)
    target.refresh_from_db()
    assert target.is_archived
    with pytest.raises(ValidationError):
        services.archive_company(membership=officer(world), company=target)
    services.unarchive_company(membership=officer(world), company=target)
    target.refresh_from_db()
    assert not target.is_archived
    actions = list(
        AuditEvent.objects.filter(object_id=str(target.pk), object_type="companies.company")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["company.archive", "company.unarchive"]


def test_an_archived_company_takes_no_contact_nor_history(world):
    target = world.objects["company"]
    services.archive_company(membership=officer(world), company=target)
    before = writes()
    with pytest.raises(ValidationError) as error:
        services.add_contact(
            membership=officer(world), company=target, last_name="Neuf", first_name="Nina"
        )
    assert "est archivée : désarchivez-la d'abord" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.record_company_event(
            membership=officer(world),
            company=target,
            kind="call",
            happened_on=datetime.date(2024, 5, 2),
        )
    assert writes() == before


# ------------------------------------------------------------------------------ contacts


def test_a_contact_may_have_no_role_nor_email_nor_phone(world):
    added = services.add_contact(
        membership=officer(world),
        company=world.objects["company"],
        last_name=" Durand ",
        first_name="Inès",
    )
    assert (added.last_name, added.roles_display, added.email, added.phone) == (
        "Durand",
        "",
        "",
        "",
    )
    event = AuditEvent.objects.get(action="contact.create")
    assert event.changes == {
        "company": world.objects["company"].pk,
        "is_tutor": False,
        "is_hr": False,
        "is_signatory": False,
    }


def test_one_person_can_hold_every_role(world):
    added = services.add_contact(
        membership=officer(world),
        company=world.objects["company"],
        last_name="Martin",
        first_name="Paul",
        is_tutor=True,
        is_hr=True,
        is_signatory=True,
        phone="06 12 34 56 78",
    )
    assert added.roles_display == "tuteur·rice, RH, signataire"
    assert added.phone == "+33612345678"


def test_contact_bad_input_is_refused(world):
    before = writes()
    with pytest.raises(ValidationError) as error:
        services.add_contact(
            membership=officer(world),
            company=world.objects["company"],
            last_name="",
            first_name="",
            email="pas-un-email",
            phone="abc",
        )
    fields = error.value.message_dict
    assert fields["last_name"] == ["Indiquez le nom du contact."]
    assert fields["first_name"] == ["Indiquez le prénom du contact."]
    assert fields["phone"] == ["Ce numéro de téléphone n'est pas valide."]
    assert writes() == before
    with pytest.raises(ValidationError) as error:
        services.add_contact(
            membership=officer(world),
            company=world.objects["company"],
            last_name="Nom",
            first_name="Prénom",
            email="pas-un-email",
        )
    assert "email" in error.value.message_dict
    assert writes() == before


def test_update_and_deactivate_a_contact(world):
    tutor = world.objects["contact"]
    services.update_contact(
        membership=officer(world), contact=tutor, is_hr=True, job_title="Responsable"
    )
    tutor.refresh_from_db()
    assert tutor.is_hr and tutor.job_title == "Responsable"
    update = AuditEvent.objects.get(action="contact.update")
    assert update.changes == {"fields": ["is_hr", "job_title"], "values": {"is_hr": [False, True]}}
    services.set_contact_active(membership=officer(world), contact=tutor, active=False)
    tutor.refresh_from_db()
    assert not tutor.active
    with pytest.raises(ValidationError) as error:
        services.set_contact_active(membership=officer(world), contact=tutor, active=False)
    assert error.value.messages == ["Ce contact est déjà désactivé."]
    services.set_contact_active(membership=officer(world), contact=tutor, active=True)
    assert list(
        AuditEvent.objects.filter(action__startswith="contact.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["contact.update", "contact.deactivate", "contact.reactivate"]


def test_tutors_and_signatories_of_a_company(world):
    target = world.objects["company"]
    world_tutor = world.objects["contact"]  # tutor and signatory
    hr = contact(world, target, is_hr=True)
    signatory = contact(world, target, is_signatory=True)
    left = contact(world, target, is_tutor=True, active=False)
    contact(world, company(world), is_tutor=True, is_signatory=True)  # another company
    assert list(selectors.tutors_for(target)) == [world_tutor]
    assert set(selectors.signatories_for(target)) == {world_tutor, signatory}
    # An edited internship keeps its tutor who has since left; a contact of another company
    # or school is never offered.
    assert set(selectors.tutors_for(target, keep=left)) == {world_tutor, left}
    assert set(selectors.tutors_for(target, keep=[left.pk, None])) == {world_tutor, left}
    assert hr not in selectors.tutors_for(target, keep=world.others["contact"])
    assert world.others["contact"] not in selectors.tutors_for(target, keep=world.others["contact"])


# ------------------------------------------------------------------------------ history


def test_record_a_history_entry(world):
    entry = services.record_company_event(
        membership=officer(world),
        company=world.objects["company"],
        kind="job_offer",
        happened_on=datetime.date(2024, 6, 3),
        contact=world.objects["contact"],
        summary="  Offre de préparateur, CDD 6 mois.  ",
    )
    assert entry.summary == "Offre de préparateur, CDD 6 mois."
    assert entry.recorded_by == officer(world).user and entry.school == world.school
    event = AuditEvent.objects.get(action="company_event.create")
    assert event.changes == {
        "company": world.objects["company"].pk,
        "kind": "job_offer",
        "happened_on": "2024-06-03",
        "contact": world.objects["contact"].pk,
    }


def test_history_entry_refusals_write_nothing(world):
    target = world.objects["company"]
    elsewhere = contact(world, company(world))
    before = writes()
    with pytest.raises(ValidationError) as error:
        services.record_company_event(
            membership=officer(world),
            company=target,
            kind="gossip",
            happened_on=timezone.localdate() + datetime.timedelta(days=1),
            contact=elsewhere,
            summary="x" * (services.MAX_SUMMARY + 1),
        )
    fields = error.value.message_dict
    assert fields["kind"] == ["Choisissez le type d'échange dans la liste."]
    assert "ne peut pas être future" in fields["happened_on"][0]
    assert fields["contact"] == ["Ce contact ne travaille pas dans cette entreprise."]
    assert "limité à 4000 caractères" in fields["summary"][0]
    with pytest.raises(ValidationError) as error:
        services.record_company_event(
            membership=officer(world),
            company=target,
            kind="call",
            happened_on=datetime.date(2024, 6, 3),
            contact=world.others["contact"],
        )
    assert "contact" in error.value.message_dict
    assert writes() == before


def test_delete_a_history_entry_is_audited(world):
    entry = world.objects["company_event"]
    pk = entry.pk
    services.delete_company_event(membership=officer(world), event=entry)
    assert not CompanyEvent.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="company_event.delete")
    assert (
        event.object_id == str(pk) and event.object_repr == f"échange avec une entreprise n° {pk}"
    )
    assert event.changes == {
        "company": entry.company_id,
        "kind": "visit",
        "happened_on": "2024-03-15",
    }
    assert "entrepôt" not in json.dumps(event.changes, ensure_ascii=False)


def test_events_list_filters(world):
    target = world.objects["company"]
    other = company(world)
    history(world, target, kind="call", day=datetime.date(2024, 5, 2))
    history(world, other, kind="job_offer", day=datetime.date(2024, 6, 10))
    membership = officer(world)
    everything = list(selectors.events_list(membership))
    assert len(everything) == 3 and everything[0].happened_on == datetime.date(2024, 6, 10)
    assert world.others["company_event"] not in everything
    assert [e.kind for e in selectors.events_list(membership, kind="job_offer")] == ["job_offer"]
    assert [
        e.happened_on
        for e in selectors.events_list(
            membership, date_from=datetime.date(2024, 4, 1), date_to=datetime.date(2024, 5, 31)
        )
    ] == [datetime.date(2024, 5, 2)]
    assert {e.company for e in selectors.events_list(membership, company=target)} == {target}


# ------------------------------------------------------------------------------ the list


def names(companies) -> list[str]:
    return [c.name for c in companies]


def test_list_is_scoped_to_the_school_and_counts(world):
    rows = list(selectors.company_list(officer(world)))
    assert names(rows) == ["Logistique Arverne e2c-alpha"]
    (row,) = rows
    assert (row.internship_count, row.hire_count, row.last_contact_on) == (
        1,
        1,
        datetime.date(2024, 3, 15),
    )


def test_list_counts_do_not_multiply(world):
    busy = full_company(world, rows=3, name="Occupée")
    history(world, busy, day=datetime.date(2024, 9, 30))
    cancelled = internship(world, busy)
    cancelled.cancelled_at, cancelled.cancel_reason = timezone.now(), "company"
    cancelled.save()
    row = selectors.company_list(officer(world), text="Occupée").get()
    assert (row.internship_count, row.hire_count, row.last_contact_on) == (
        3,
        3,
        datetime.date(2024, 9, 30),
    )
    quiet = company(world, name="Calme")
    row = selectors.company_list(officer(world), text="Calme").get()
    assert (row.internship_count, row.hire_count, row.last_contact_on) == (0, 0, None)
    assert quiet.pk == row.pk


def test_list_search(world):
    company(world, name="Boulangerie des Volcans", commune="Thiers", siret=FREE_SIRETS[0])
    company(world, name="Garage Central", commune="Issoire")
    membership = officer(world)
    assert names(selectors.company_list(membership, text="boulANGERIE")) == [
        "Boulangerie des Volcans"
    ]
    assert names(selectors.company_list(membership, text="volcans boulangerie")) == [
        "Boulangerie des Volcans"
    ]
    assert names(selectors.company_list(membership, text="356 000 000")) == [
        "Boulangerie des Volcans"
    ]
    assert names(selectors.company_list(membership, text="issoire")) == ["Garage Central"]
    assert names(selectors.company_list(membership, text="clermont")) == [
        "Logistique Arverne e2c-alpha"
    ]
    assert names(selectors.company_list(membership, text="Beta")) == []


def test_list_filters(world):
    membership = officer(world)
    company(world, name="Hôtel du Parc", sector="hospitality", size="small", commune="Vichy")
    archived = company(world, name="Ancienne", archived_at=timezone.now())
    assert names(selectors.company_list(membership, sector="hospitality")) == ["Hôtel du Parc"]
    assert names(selectors.company_list(membership, size="medium")) == [
        "Logistique Arverne e2c-alpha"
    ]
    assert names(selectors.company_list(membership, commune="vichy")) == ["Hôtel du Parc"]
    assert names(selectors.company_list(membership, internships="avec")) == [
        "Logistique Arverne e2c-alpha"
    ]
    assert names(selectors.company_list(membership, internships="sans")) == ["Hôtel du Parc"]
    assert names(selectors.company_list(membership, archived="archivees")) == [archived.name]
    assert len(selectors.company_list(membership, archived="toutes")) == 3
    assert archived.name not in names(selectors.company_list(membership))
    assert selectors.communes(membership) == ["Clermont-Ferrand", "Riom", "Vichy"]


# ------------------------------------------------------------------------------ the page


def test_company_page_data(world):
    page = selectors.company_page(world.objects["company"])
    (row,) = page["internships"]
    assert row.internship == world.objects["internship"]
    assert row.status == "finished" and row.status_label == "Terminé"
    assert row.trainee == str(world.objects["enrolment"].person)
    assert page["hires"] == [world.objects["hire"]]
    assert page["reviews"] == [world.objects["tutor_review"]]
    assert page["contacts"] == [world.objects["contact"]]
    assert page["history"] == [world.objects["company_event"]] and not page["history_more"]


def test_company_page_reads_no_free_text_of_reviews(world, django_assert_num_queries):
    (loaded,) = selectors.company_page(world.objects["company"])["reviews"]
    deferred = loaded.get_deferred_fields()
    assert {"comments", "tasks_mastered", "reviewer_name"} <= deferred


def test_company_page_history_is_limited(world):
    target = world.objects["company"]
    for day in range(12):
        history(world, target, day=datetime.date(2024, 5, 1) + datetime.timedelta(days=day))
    page = selectors.company_page(target)
    assert len(page["history"]) == selectors.HISTORY_ON_PAGE and page["history_more"]
    assert page["history"][0].happened_on == datetime.date(2024, 5, 12)


def test_internship_statuses(world):
    target = company(world)
    today = timezone.localdate()
    internship(world, target, start=today + datetime.timedelta(days=3))
    internship(world, target, start=today - datetime.timedelta(days=2))
    statuses = [row.status for row in selectors.company_internships(target)]
    assert statuses == ["planned", "ongoing"]
    done = internship(world, target, start=datetime.date(2023, 1, 2))
    review(world, done)
    hire(world, done, contract_type="cdd", months=6)
    assert [row.status for row in selectors.company_internships(target)][-1] == "finished"
