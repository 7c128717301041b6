"""Certifications prepared or obtained during the pathway: add, change the result, audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from parcours.audit.models import AuditEvent
from parcours.competencies import services
from parcours.competencies.models import Certification

from ..utils import page_text
from .test_assessments import url

pytestmark = pytest.mark.django_db


def _data(**changes):
    data = {
        "kind": "sst",
        "label": "",
        "status": "preparing",
        "on_date": "2024-04-02",
        "result": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["director", "referent"])
def test_add_a_certification(world, who):
    enrolment = world.objects["enrolment"]
    client = world.client_for(who)
    assert client.get(url(world, "certification_add", enrolment.pk)).status_code == 200
    response = client.post(url(world, "certification_add", enrolment.pk), _data())
    assert response.status_code == 302
    certification = Certification.objects.latest("id")
    assert (certification.kind, certification.status) == ("sst", "preparing")
    assert certification.recorded_by == world.members[who].user
    event = AuditEvent.objects.get(action="competencies.certification_create")
    assert event.changes["kind"] == "sst"
    page = page_text(client.get(url(world, "trainee", enrolment.pk)))
    assert "Sauveteur secouriste du travail (SST)" in page and "En préparation" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "other"}, "Précisez le nom de la certification."),
        ({"kind": "bac"}, "Choisissez la certification dans la liste."),
        (
            {"on_date": "2024-01-15"},
            "La date ne peut pas précéder l'entrée en parcours (05/02/2024).",
        ),
        (
            {
                "status": "obtained",
                "on_date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
            },
            "La date d'un résultat ne peut pas être dans le futur.",
        ),
        ({"on_date": ""}, "Indiquez la date."),
    ],
)
def test_bad_certification_is_400_and_writes_nothing(world, changes, message):
    before = (Certification.objects.count(), AuditEvent.objects.count())
    response = world.client_for("referent").post(
        url(world, "certification_add", world.objects["enrolment"].pk), _data(**changes)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert (Certification.objects.count(), AuditEvent.objects.count()) == before


def test_a_planned_exam_may_be_in_the_future(world):
    day = datetime.date.today() + datetime.timedelta(days=20)
    certification = services.record_certification(
        membership=world.members["referent"],
        enrolment=world.objects["enrolment"],
        kind="etg",
        on_date=day,
    )
    assert certification.on_date == day


def test_edit_a_certification_result_is_audited_with_the_diff(world):
    certification = world.objects["certification"]
    client = world.client_for("referent")
    edit = url(world, "certification_edit", certification.enrolment_id, certification.pk)
    response = client.get(edit)
    assert response.status_code == 200 and 'value="245 pix"' in response.content.decode()
    response = client.post(
        edit, _data(kind="pix", status="obtained", on_date="2024-03-20", result="312 pix")
    )
    assert response.status_code == 302
    certification.refresh_from_db()
    assert (certification.result, certification.on_date) == ("312 pix", datetime.date(2024, 3, 20))
    event = AuditEvent.objects.get(action="competencies.certification_update")
    assert event.changes["on_date"] == ["2024-03-16", "2024-03-20"]
    assert event.changes["result"] == "modifié"  # free text is not copied into the audit trail


def test_an_unchanged_certification_writes_no_event(world):
    certification = world.objects["certification"]
    services.update_certification(
        membership=world.members["referent"],
        certification=certification,
        status=certification.status,
        on_date=certification.on_date,
        result=certification.result,
    )
    assert not AuditEvent.objects.filter(action="competencies.certification_update").exists()


def test_update_refuses_bad_input_and_keeps_the_row(world):
    certification = world.objects["certification"]
    with pytest.raises(ValidationError, match="Choisissez le résultat dans la liste"):
        services.update_certification(
            membership=world.members["referent"],
            certification=certification,
            status="bof",
            on_date=certification.on_date,
        )
    certification.refresh_from_db()
    assert certification.status == "obtained"


@pytest.mark.parametrize("who", ["company_relations", "intake"])
def test_who_may_not_assess_gets_403(world, who):
    certification = world.objects["certification"]
    client = world.client_for(who)
    before = Certification.objects.count()
    assert (
        client.post(
            url(world, "certification_add", certification.enrolment_id), _data()
        ).status_code
        == 403
    )
    edit = url(world, "certification_edit", certification.enrolment_id, certification.pk)
    assert client.post(edit, _data(status="failed")).status_code == 403
    certification.refresh_from_db()
    assert certification.status == "obtained" and Certification.objects.count() == before


def test_outsider_and_other_school_certification_are_404(world):
    enrolment = world.objects["enrolment"]
    other = world.others["certification"]
    client = world.client_for("referent")
    response = client.post(
        url(world, "certification_edit", enrolment.pk, other.pk), _data(status="failed")
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "obtained"
    outsider = world.client_for("outsider")
    assert outsider.post(url(world, "certification_add", enrolment.pk), _data()).status_code == 404
