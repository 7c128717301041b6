"""Hires: after an internship or directly for an enrolment, the contract's length rules, the
entry in the company's history, corrections and deletion, and their views."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.companies.models import Company, CompanyEvent, Hire
from parcours.companies.services_hires import delete_hire, record_hire, update_hire

from ..utils import page_text

pytestmark = pytest.mark.django_db


def _member(world, role="company_relations"):
    return world.members[role]


def _hire(world, **kwargs):
    values = {
        "membership": _member(world),
        "internship": world.objects["internship"],
        "contract_type": "cdd",
        "months": 6,
        "job_title": "Cariste",
        "start_date": datetime.date(2024, 5, 2),
    }
    values.update(kwargs)
    return record_hire(**values)


def _other_company(world):
    return Company.objects.create(
        school=world.school,
        name="Boulangerie du Port",
        sector="retail",
        created_by=_member(world).user,
    )


def _hire_events(world):
    return CompanyEvent.objects.filter(school=world.school, kind="hire")


# ------------------------------------------------------------------------------- services


def test_a_hire_after_an_internship(world):
    stage = world.objects["internship"]
    hire = _hire(world, ip_address="10.0.0.2")
    assert (hire.enrolment, hire.company, hire.internship) == (
        stage.enrolment,
        stage.company,
        stage,
    )
    assert (hire.contract_type, hire.months, hire.recorded_by) == (
        "cdd",
        6,
        _member(world).user,
    )
    event = _hire_events(world).get()
    assert event.company == stage.company and event.happened_on == datetime.date(2024, 5, 2)
    assert event.summary == "Embauche en CDD de 6 mois : Cariste. Suite à un stage."
    assert "Léa" not in event.summary
    audit = AuditEvent.objects.get(action="hire.create")
    assert audit.object_id == str(hire.pk)
    assert audit.changes["company_event"] == event.pk
    assert audit.changes["internship"] == stage.pk and audit.ip_address == "10.0.0.2"


def test_a_hire_without_internship(world):
    company = _other_company(world)
    hire = record_hire(
        membership=_member(world),
        enrolment=world.objects["enrolment"],
        company=company,
        contract_type="cdi",
        job_title="Vendeuse",
        start_date=datetime.date(2024, 9, 1),
    )
    assert hire.internship is None and hire.months is None
    assert _hire_events(world).get().summary == "Embauche en CDI : Vendeuse."


@pytest.mark.parametrize(
    ("contract_type", "months", "message"),
    [
        ("cdd", None, "Indiquez la durée du contrat en mois (CDD)."),
        ("interim", 0, "La durée du contrat va de 1 à 60 mois."),
        ("seasonal", 61, "La durée du contrat va de 1 à 60 mois."),
        (
            "cdi",
            12,
            "Un contrat « CDI » n'a pas de durée en mois : laissez la durée vide.",
        ),
        (
            "apprentice",
            24,
            "Un contrat « Contrat d'apprentissage » n'a pas de durée en mois : laissez la durée "
            "vide.",
        ),
        ("freelance", None, "Choisissez le type de contrat dans la liste."),
    ],
)
def test_months_rules(world, contract_type, months, message):
    with pytest.raises(ValidationError) as refusal:
        _hire(world, contract_type=contract_type, months=months)
    assert refusal.value.messages == [message]
    assert Hire.objects.filter(school=world.school).count() == 1  # the world's only
    assert not _hire_events(world).exists()
    assert not AuditEvent.objects.filter(action="hire.create").exists()


@pytest.mark.parametrize("months", [1, 60])
def test_months_bounds_accepted(world, months):
    assert _hire(world, contract_type="subsidised", months=months).months == months


def test_start_not_before_the_internship(world):
    with pytest.raises(ValidationError) as refusal:
        _hire(world, start_date=datetime.date(2024, 4, 7))
    assert refusal.value.messages == [
        "L'embauche ne peut pas commencer avant le début du stage (08/04/2024)."
    ]
    # During the internship is possible (a contract signed before its end).
    assert _hire(world, start_date=datetime.date(2024, 4, 8))


def test_the_company_is_the_internships(world):
    with pytest.raises(ValidationError) as refusal:
        _hire(world, company=_other_company(world))
    assert "dans l'entreprise du stage" in refusal.value.messages[0]
    assert not _hire_events(world).exists()


def test_job_title_and_school_checks(world):
    with pytest.raises(ValidationError) as refusal:
        _hire(world, job_title="   ")
    assert refusal.value.messages == ["Indiquez le poste occupé."]
    with pytest.raises(ValidationError):
        _hire(world, internship=world.others["internship"])
    with pytest.raises(ValidationError):
        record_hire(
            membership=_member(world),
            enrolment=world.objects["enrolment"],
            company=world.others["company"],
            contract_type="cdi",
            job_title="X",
            start_date=datetime.date(2024, 9, 1),
        )
    assert not _hire_events(world).exists()


def test_update_moves_the_history_entry(world):
    hire = _hire(world)
    update_hire(
        membership=_member(world),
        hire=hire,
        contract_type="cdi",
        months=None,
        job_title="Cariste",
        start_date=datetime.date(2024, 6, 3),
    )
    hire.refresh_from_db()
    assert (hire.contract_type, hire.months, hire.start_date) == (
        "cdi",
        None,
        datetime.date(2024, 6, 3),
    )
    event = _hire_events(world).get()
    assert event.summary == "Embauche en CDI : Cariste. Suite à un stage."
    assert event.happened_on == datetime.date(2024, 6, 3)
    audit = AuditEvent.objects.get(action="hire.update")
    assert audit.changes["contract_type"] == ["cdd", "cdi"]
    assert audit.changes["months"] == [6, None]
    # Nothing changed: no audit event.
    update_hire(
        membership=_member(world),
        hire=hire,
        contract_type="cdi",
        job_title="Cariste",
        start_date=datetime.date(2024, 6, 3),
    )
    assert AuditEvent.objects.filter(action="hire.update").count() == 1


def test_update_refusal_writes_nothing(world):
    hire = _hire(world)
    with pytest.raises(ValidationError):
        update_hire(
            membership=_member(world),
            hire=hire,
            contract_type="cdd",
            months=None,
            job_title="Cariste",
            start_date=datetime.date(2024, 6, 3),
        )
    hire.refresh_from_db()
    assert hire.months == 6 and hire.start_date == datetime.date(2024, 5, 2)
    assert _hire_events(world).get().happened_on == datetime.date(2024, 5, 2)


def test_delete_removes_the_history_entry(world):
    hire = _hire(world)
    pk = hire.pk
    delete_hire(membership=_member(world), hire=hire)
    assert not Hire.objects.filter(pk=pk).exists()
    assert not _hire_events(world).exists()
    audit = AuditEvent.objects.get(action="hire.delete")
    assert audit.object_id == str(pk) and audit.changes["company_event"] is not None
    with pytest.raises(ValidationError):
        delete_hire(membership=_member(world), hire=world.others["hire"])


# ---------------------------------------------------------------------------------- views


def _url(world, name, **kwargs):
    return reverse(f"companies:{name}", kwargs={"school_slug": world.school.slug, **kwargs})


def test_hire_new_after_an_internship_three_users(world):
    stage = world.objects["internship"]
    url = _url(world, "hire_new", internship_pk=stage.pk)
    assert world.client_for("intake").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    client = world.client_for("company_relations")
    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert 'name="company"' not in text  # the internship's company
    assert 'value="Préparateur de commandes"' in text
    data = {
        "contract_type": "interim",
        "months": "3",
        "job_title": "Cariste",
        "start_date": "2024-05-06",
    }
    assert world.client_for("intake").post(url, data).status_code == 403
    assert world.client_for("outsider").post(url, data).status_code == 404
    response = client.post(url, data)
    assert response.status_code == 302
    hire = Hire.objects.get(job_title="Cariste")
    assert (hire.internship, hire.company, hire.months) == (stage, stage.company, 3)


def test_hire_new_refusal_shows_the_message(world):
    stage = world.objects["internship"]
    client = world.client_for("referent")
    url = _url(world, "hire_new", internship_pk=stage.pk)
    response = client.post(
        url,
        {"contract_type": "cdd", "months": "", "job_title": "Cariste", "start_date": "2024-05-06"},
    )
    assert response.status_code == 400
    assert "Indiquez la durée du contrat en mois (CDD)." in page_text(response)
    response = client.post(
        url, {"contract_type": "cdd", "months": "deux", "job_title": "", "start_date": ""}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Indiquez un nombre entier de mois." in text and "Indiquez le poste." in text
    assert Hire.objects.filter(school=world.school).count() == 1
    assert not AuditEvent.objects.filter(action="hire.create").exists()


def test_hire_new_for_an_enrolment(world):
    enrolment = world.objects["enrolment"]
    company = _other_company(world)
    url = _url(world, "hire_new_for_trainee", pk=enrolment.pk)
    assert world.client_for("intake").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    client = world.client_for("director")
    response = client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "Boulangerie du Port" in text
    assert world.others["company"].name not in text
    response = client.post(
        url,
        {
            "company": world.others["company"].pk,
            "contract_type": "cdi",
            "job_title": "Vendeuse",
            "start_date": "2024-09-02",
        },
    )
    assert response.status_code == 400
    assert "Choisissez une entreprise de la liste." in page_text(response)
    response = client.post(
        url,
        {
            "company": company.pk,
            "contract_type": "cdi",
            "job_title": "Vendeuse",
            "start_date": "2024-09-02",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "pathways:trainee", args=[world.school.slug, enrolment.pk]
    )
    assert Hire.objects.get(company=company).internship is None


def test_hire_edit_and_delete_views(world):
    hire = world.objects["hire"]
    edit = _url(world, "hire_edit", pk=hire.pk)
    delete = _url(world, "hire_delete", pk=hire.pk)
    for url in (edit, delete):
        assert world.client_for("intake").get(url).status_code == 403
        assert world.client_for("outsider").get(url).status_code == 404
    client = world.client_for("company_relations")
    response = client.get(edit)
    assert response.status_code == 200 and 'value="6"' in page_text(response)
    response = client.post(
        edit,
        {
            "contract_type": "cdd",
            "months": "12",
            "job_title": "Préparateur de commandes",
            "start_date": "2024-07-01",
        },
    )
    assert response.status_code == 302
    hire.refresh_from_db()
    assert hire.months == 12
    assert client.get(delete).status_code == 200
    assert Hire.objects.filter(pk=hire.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Hire.objects.filter(pk=hire.pk).exists()
    other = world.others["hire"]
    assert client.post(_url(world, "hire_delete", pk=other.pk)).status_code == 404
    assert Hire.objects.filter(pk=other.pk).exists()
