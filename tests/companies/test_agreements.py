"""The agreement's signatures (who must sign, the rules of a signature, removing one), the
signed scan, the agreement panel and their views."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.companies.agreements import missing_signatures
from parcours.companies.models import AgreementSignature, Hire
from parcours.companies.services_agreements import (
    record_signature,
    remove_signature,
    upload_signed_scan,
)
from parcours.pathways.models import Document

from ..pathways.world import PDF_BYTES
from ..utils import page_text
from .agreement_helpers import future_internship, internship, minor_enrolment

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2024, 4, 2)


def _member(world, role="company_relations"):
    return world.members[role]


def _sign(world, stage, role, **kwargs):
    kwargs.setdefault("signed_on", SIGNED)
    return record_signature(membership=_member(world), internship=stage, role=role, **kwargs)


# ------------------------------------------------------------------------ who must sign


def test_an_adult_needs_school_trainee_and_company(world):
    stage = internship(world)
    assert missing_signatures(stage) == ["school", "trainee", "company"]
    _sign(world, stage, "school", signer_name="Claire Directrice")
    _sign(world, stage, "trainee")
    _sign(world, stage, "company")
    assert missing_signatures(stage) == []


def test_a_minor_also_needs_the_guardian(world):
    stage = internship(world, enrolment=minor_enrolment(world))
    assert missing_signatures(stage) == ["school", "trainee", "guardian", "company"]
    signature = _sign(world, stage, "guardian")
    assert signature.signer_name == "Paul Mineur"  # the guardian's name by default
    assert "guardian" not in missing_signatures(stage)


def test_the_age_is_reckoned_on_the_start_date(world):
    enrolment = minor_enrolment(world)
    # 18 on 15 January 2025: an internship starting that day needs no guardian.
    stage = internship(
        world,
        enrolment=enrolment,
        start=datetime.date(2025, 1, 15),
        end=datetime.date(2025, 1, 24),
    )
    assert "guardian" not in missing_signatures(stage)


def test_the_second_company_signatory_only_when_named(world):
    stage = internship(world, second_signatory=True)
    assert missing_signatures(stage) == ["school", "trainee", "company", "company_2"]
    signature = _sign(world, stage, "company_2")
    assert signature.signer_name == "Anne Gérante"


def test_guardian_refused_for_an_adult(world):
    stage = internship(world)
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "guardian", signer_name="Sophie Stagiaire")
    assert "majeur·e au début du stage" in refusal.value.messages[0]
    assert not stage.signatures.exists()


def test_second_company_signatory_refused_when_none_is_named(world):
    stage = internship(world)
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "company_2", signer_name="Quelqu'un")
    assert "ne nomme pas de second·e signataire" in refusal.value.messages[0]
    assert not stage.signatures.exists()


def test_a_minor_without_guardian_needs_a_name(world):
    stage = internship(world, enrolment=minor_enrolment(world, guardian=False))
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "guardian")
    assert "Aucun·e représentant·e légal·e n'est enregistré·e" in refusal.value.messages[0]
    assert _sign(world, stage, "guardian", signer_name="  Marie   Tutrice ").signer_name == (
        "Marie Tutrice"
    )


# ------------------------------------------------------------------- rules of a signature


def test_one_signature_per_role(world):
    stage = internship(world)
    _sign(world, stage, "company")
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "company", signed_on=datetime.date(2024, 4, 3))
    assert refusal.value.messages == [
        "La signature « Signataire de l'entreprise » est déjà enregistrée (le 02/04/2024)."
    ]
    assert stage.signatures.count() == 1


def test_the_school_signer_must_be_named(world):
    stage = internship(world)
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "school")
    assert refusal.value.messages == ["Indiquez le nom du ou de la signataire."]


def test_signing_date_not_in_the_future(world):
    stage = future_internship(world)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "company", signed_on=tomorrow)
    assert refusal.value.messages == ["La date de signature ne peut pas être dans le futur."]
    assert _sign(world, stage, "company", signed_on=timezone.localdate())


def test_signing_date_not_after_the_end(world):
    stage = internship(world)
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "company", signed_on=datetime.date(2024, 4, 20))
    assert refusal.value.messages == [
        "La date de signature ne peut pas être postérieure à la fin du stage (19/04/2024)."
    ]
    # Signing during the internship (a late signature) is recorded.
    assert _sign(world, stage, "company", signed_on=datetime.date(2024, 4, 19))


def test_unknown_role_and_cancelled_internship(world):
    stage = internship(world)
    with pytest.raises(ValidationError):
        _sign(world, stage, "tutor")
    stage.cancelled_at = timezone.now()
    stage.cancel_reason = "company"
    stage.save()
    with pytest.raises(ValidationError) as refusal:
        _sign(world, stage, "company")
    assert "annulé" in refusal.value.messages[0]
    assert not stage.signatures.exists()


def test_another_schools_internship_is_refused(world):
    stage = world.others["internship"]
    with pytest.raises(ValidationError):
        _sign(world, stage, "company_2", signer_name="X")
    signature = world.others["agreement_signature"]
    with pytest.raises(ValidationError):
        remove_signature(membership=_member(world), signature=signature)
    assert AgreementSignature.objects.filter(pk=signature.pk).exists()


def test_signatures_are_audited_without_names(world):
    stage = internship(world)
    signature = _sign(world, stage, "company", ip_address="10.0.0.1")
    event = AuditEvent.objects.get(action="agreement.signature_create")
    assert event.object_id == str(signature.pk)
    assert event.changes == {"internship": stage.pk, "role": "company", "signed_on": "2024-04-02"}
    assert "Tuteur" not in str(event.changes) and "Tuteur" not in event.object_repr
    remove_signature(membership=_member(world), signature=signature)
    assert not stage.signatures.exists()
    event = AuditEvent.objects.get(action="agreement.signature_delete")
    assert event.changes["role"] == "company"
    assert event.actor == _member(world).user


# ------------------------------------------------------------------------------ the scan


def _pdf(name="convention.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_scan_is_stored_as_an_agreement_document(world):
    stage = world.objects["internship"]
    document = upload_signed_scan(membership=_member(world), internship=stage, uploaded_file=_pdf())
    stage.refresh_from_db()
    assert stage.agreement_scan == document
    assert document.kind == "agreement" and document.enrolment == stage.enrolment
    assert document.title.startswith("Convention de stage signée — Logistique Arverne")
    assert document.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="document.create", object_id=document.pk).exists()
    event = AuditEvent.objects.get(action="agreement.scan_upload")
    assert event.changes == {"document": document.pk, "replaced": None}
    # A new scan replaces the link; the old one stays among the trainee's documents.
    second = upload_signed_scan(membership=_member(world), internship=stage, uploaded_file=_pdf())
    stage.refresh_from_db()
    assert stage.agreement_scan == second
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("convention.txt", b"hello", content_type="text/plain"),
            "Type de fichier refusé",
        ),
        (
            SimpleUploadedFile(
                "convention.pdf", b"not a pdf at all", content_type="application/pdf"
            ),
            "Le contenu du fichier ne correspond pas à son extension « .pdf ».",
        ),
        (
            SimpleUploadedFile(
                "convention.pdf",
                b"%PDF-" + b"0" * (10 * 1024 * 1024),
                content_type="application/pdf",
            ),
            "Le fichier dépasse la taille maximale de 10 Mo",
        ),
    ],
)
def test_scan_refused_type_content_or_size(world, upload, message):
    stage = world.objects["internship"]
    with pytest.raises(ValidationError) as refusal:
        upload_signed_scan(membership=_member(world), internship=stage, uploaded_file=upload)
    assert message in refusal.value.messages[0]
    stage.refresh_from_db()
    assert stage.agreement_scan is None
    assert not Document.objects.filter(kind="agreement").exists()
    assert not AuditEvent.objects.filter(action="agreement.scan_upload").exists()


# ------------------------------------------------------------------------------- views


def _url(world, name, **kwargs):
    return reverse(f"companies:{name}", kwargs={"school_slug": world.school.slug, **kwargs})


def test_signature_new_three_users(world):
    stage = internship(world)
    url = _url(world, "signature_new", internship_pk=stage.pk)
    assert world.client_for("intake").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    client = world.client_for("company_relations")
    response = client.get(url + "?role=company")
    assert response.status_code == 200
    text = page_text(response)
    assert '<option value="company" selected>' in text
    assert 'value="guardian"' not in text and 'value="company_2"' not in text
    response = client.post(url, {"role": "company", "signer_name": "", "signed_on": "2024-04-03"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "companies:internship", args=[world.school.slug, stage.pk]
    )
    signature = stage.signatures.get()
    assert (signature.signer_name, signature.signed_on) == (
        "Marc Tuteur",
        datetime.date(2024, 4, 3),
    )
    assert world.client_for("intake").post(url, {"role": "school"}).status_code == 403
    assert world.client_for("outsider").post(url, {"role": "school"}).status_code == 404
    assert stage.signatures.count() == 1


def test_signature_new_refusals_show_the_message_and_write_nothing(world):
    stage = internship(world)
    client = world.client_for("referent")
    url = _url(world, "signature_new", internship_pk=stage.pk)
    response = client.post(url, {"role": "company", "signed_on": "2024-05-02"})
    assert response.status_code == 400
    assert "ne peut pas être postérieure à la fin du stage (19/04/2024)" in page_text(response)
    response = client.post(url, {"role": "guardian", "signed_on": "2024-04-02"})
    assert response.status_code == 400
    assert "Choisissez une qualité de la liste." in page_text(response)
    response = client.post(url, {"role": "school", "signed_on": ""})
    assert response.status_code == 400
    assert "Indiquez la date de signature." in page_text(response)
    assert not stage.signatures.exists()
    assert not AuditEvent.objects.filter(action="agreement.signature_create").exists()


def test_signature_new_when_all_signed(world):
    response = world.client_for("director").get(
        _url(world, "signature_new", internship_pk=world.objects["internship"].pk)
    )
    assert "Toutes les signatures de la convention sont enregistrées." in page_text(response)


def test_signature_delete_asks_then_removes(world):
    signature = world.objects["agreement_signature"]
    url = _url(world, "signature_delete", pk=signature.pk)
    assert world.client_for("intake").post(url).status_code == 403
    assert world.client_for("outsider").post(url).status_code == 404
    client = world.client_for("company_relations")
    response = client.get(url)
    assert response.status_code == 200
    assert "enregistrée par erreur" in page_text(response)
    assert AgreementSignature.objects.filter(pk=signature.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not AgreementSignature.objects.filter(pk=signature.pk).exists()
    assert AuditEvent.objects.filter(action="agreement.signature_delete").count() == 1
    # Another school's signature through this school's URL: 404.
    other = world.others["agreement_signature"]
    assert client.post(_url(world, "signature_delete", pk=other.pk)).status_code == 404


def test_scan_view_three_users_and_refusal(world):
    stage = world.objects["internship"]
    url = _url(world, "agreement_scan", internship_pk=stage.pk)
    assert world.client_for("intake").get(url).status_code == 403
    assert world.client_for("outsider").get(url).status_code == 404
    client = world.client_for("company_relations")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": SimpleUploadedFile("scan.exe", b"MZ...")})
    assert response.status_code == 400
    assert "Type de fichier refusé" in page_text(response)
    stage.refresh_from_db()
    assert stage.agreement_scan is None and not Document.objects.filter(kind="agreement").exists()
    response = client.post(url, {"file": _pdf()})
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.agreement_scan.kind == "agreement"


def test_scan_view_refuses_an_oversized_file_early(world):
    stage = world.objects["internship"]
    client = world.client_for("company_relations")
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 10))
    response = client.post(_url(world, "agreement_scan", internship_pk=stage.pk), {"file": big})
    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale de 10 Mo." in page_text(response)
    assert not Document.objects.filter(kind="agreement").exists()


# ------------------------------------------------------------------------------ the panel


def _render_panel(world, stage, role="company_relations"):
    from parcours.organisations.access import ROLE_PERMS

    membership = world.members[role]
    template = Template("{% load agreement_tags %}{% agreement_panel internship %}")
    request = RequestFactory().get("/")
    context = Context(
        {
            "internship": stage,
            "membership": membership,
            "school": world.school,
            "can": {str(p) for p in ROLE_PERMS[role]},
            "request": request,
        }
    )
    return template.render(context)


def test_panel_lists_signed_and_missing(world):
    stage = internship(world, enrolment=minor_enrolment(world), second_signatory=True)
    _sign(world, stage, "school", signer_name="Claire Directrice")
    html = _render_panel(world, stage).replace("&#x27;", "'")
    assert "Claire Directrice" in html and "02/04/2024" in html
    assert (
        "Le stage ne peut pas commencer : signatures manquantes : Le ou la stagiaire, "
        "Le ou la représentant·e légal·e, Signataire de l'entreprise, "
        "Second·e signataire de l'entreprise." in html
    )
    assert "?role=guardian" in html
    assert reverse("companies:agreement_pdf", args=[world.school.slug, stage.pk]) in html
    assert "Aucune embauche enregistrée." in html
    # The hire link is the internship's (not an enrolment's with the internship's number).
    hire_url = reverse(
        "companies:hire_new", kwargs={"school_slug": world.school.slug, "internship_pk": stage.pk}
    )
    assert f'href="{hire_url}"' in html
    # Without MANAGE_INTERNSHIPS: the facts, no action.
    html = _render_panel(world, stage, role="intake")
    assert "Claire Directrice" in html and "?role=" not in html and "convention.pdf" not in html


def test_panel_of_a_signed_internship(world):
    stage = world.objects["internship"]
    upload_signed_scan(membership=_member(world), internship=stage, uploaded_file=_pdf())
    html = _render_panel(world, stage)
    assert "La convention est signée par toutes les parties." in html
    assert "convention.pdf</a>" in html
    assert "CDD (6 mois) — Préparateur de commandes" in html


def test_panel_queries_are_constant(world, django_assert_num_queries):
    stage = world.objects["internship"]
    with django_assert_num_queries(3):  # the internship, its signatures, its hires
        _render_panel(world, stage)
    for month in (1, 2, 3):
        Hire.objects.create(
            school=world.school,
            enrolment=stage.enrolment,
            company=stage.company,
            internship=stage,
            contract_type="interim",
            months=month,
            job_title="Cariste",
            start_date=datetime.date(2024, 5, month),
            recorded_by=_member(world).user,
        )
    with django_assert_num_queries(3):
        _render_panel(world, stage)
