"""Positioning and assessments with evidence: the services' rules and the views' access."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parcours.audit.models import AuditEvent
from parcours.competencies import services
from parcours.competencies.models import Assessment, Competency, Evidence
from parcours.pathways.models import Document

from ..factories import EnrolmentFactory, PersonFactory
from ..pathways.world import PDF_BYTES
from ..utils import page_text

pytestmark = pytest.mark.django_db

DAY = datetime.date(2024, 3, 11)


# ------------------------------------------------------------------------------ helpers


def new_enrolment(world, *, school=None, site=None, referent=None, **fields):
    """An active enrolment with no assessment row yet (entry 05/02/2024)."""
    school = school or world.school
    return EnrolmentFactory(
        school=school,
        person=PersonFactory(school=school),
        site=site or (world.site if school == world.school else world.other_site),
        referent=referent if referent is not None else world.members["referent"],
        **fields,
    )


def competencies_of(world):
    return list(
        Competency.objects.filter(framework=world.objects["default_framework"]).order_by(
            "position", "code"
        )
    )


def url(world, name, *args):
    return reverse(f"competencies:{name}", args=[world.school.slug, *args])


def media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def pdf(name="compte-rendu.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assess(world, **changes):
    kwargs = {
        "membership": world.members["referent"],
        "enrolment": world.objects["enrolment"],
        "competency": world.objects["competency"],
        "level": 3,
        "assessed_on": DAY,
        "context": "workshop",
    }
    kwargs.update(changes)
    return services.record_assessment(**kwargs)


def counts():
    return (
        Assessment.objects.count(),
        Evidence.objects.count(),
        Document.objects.count(),
        AuditEvent.objects.count(),
        len(media_files()),
    )


# ------------------------------------------------------------------------------ services


def test_an_assessment_with_a_note_a_link_and_a_file(world):
    before = Document.objects.count()
    row = assess(
        world,
        note="Mène l'entretien téléphonique seul.",
        url="https://exemple.fr/production",
        uploaded=pdf(),
    )
    assert (row.kind, row.level, row.context, row.assessed_on) == ("assessment", 3, "workshop", DAY)
    assert row.assessor == world.members["referent"]
    kinds = [e.kind for e in row.evidence.order_by("id")]
    assert kinds == ["note", "link", "file"]
    document = row.evidence.get(kind="file").document
    assert document.kind == "evidence" and document.enrolment == world.objects["enrolment"]
    assert Document.objects.count() == before + 1
    event = AuditEvent.objects.get(action="competencies.assessment")
    assert event.changes["level"] == 3 and event.changes["evidence"] == ["note", "link", "file"]
    assert "entretien" not in str(event.changes)  # no free text in the audit trail


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": 5}, "Le niveau doit être compris entre 1 et 4."),
        ({"level": 0}, "Le niveau doit être compris entre 1 et 4."),
        ({"level": "x"}, "Le niveau doit être compris entre 1 et 4."),
        (
            {"assessed_on": datetime.date(2024, 2, 4)},
            "La date de l'évaluation ne peut pas précéder l'entrée en parcours (05/02/2024).",
        ),
        (
            {"assessed_on": datetime.date.today() + datetime.timedelta(days=2)},
            "La date de l'évaluation ne peut pas être dans le futur.",
        ),
        ({"context": "positioning"}, "Choisissez le contexte de l'évaluation dans la liste."),
        (
            {"url": "javascript:alert(1)"},
            "Le lien doit être une adresse web commençant par http:// ou https://.",
        ),
        ({"url": "ftp://exemple.fr/x"}, "http:// ou https://"),
        ({"uploaded": pdf("x.pdf", b"MZ" + b"\x00" * 64)}, "ne correspond pas à son extension"),
        ({"uploaded": pdf("x.exe")}, "Type de fichier refusé"),
    ],
)
def test_bad_input_is_refused_in_french_and_writes_nothing(world, changes, message):
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        assess(world, note="Une note", uploaded=changes.pop("uploaded", pdf()), **changes)
    assert message in " ".join(refusal.value.messages)
    assert counts() == before


def test_a_competency_of_another_framework_is_refused(world):
    before = counts()
    with pytest.raises(ValidationError, match="n'appartient pas au référentiel"):
        assess(world, competency=world.objects["draft_competency"])
    assert counts() == before


def test_another_school_enrolment_is_refused(world):
    with pytest.raises(ValidationError, match="Parcours inconnu"):
        assess(world, enrolment=world.others["enrolment"])


def test_a_failure_after_the_upload_leaves_no_document_and_no_file(world, monkeypatch):
    before = counts()

    def broken(**kwargs):
        if kwargs["action"] == "competencies.assessment":
            raise ValidationError("panne")
        return original(**kwargs)

    original = services.record_event
    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(ValidationError):
        assess(world, uploaded=pdf())
    assert counts() == before


def test_an_exited_pathway_takes_assessments_up_to_its_exit_day(world):
    enrolment = world.objects["enrolment"]
    enrolment.status, enrolment.ended_on = "exited", datetime.date(2024, 6, 28)
    enrolment.save()
    assert assess(world, assessed_on=datetime.date(2024, 6, 28)).level == 3
    with pytest.raises(ValidationError, match=r"suivre la sortie du parcours \(28/06/2024\)"):
        assess(world, assessed_on=datetime.date(2024, 6, 29))


def test_the_assessor_must_be_a_member_who_may_assess(world):
    with pytest.raises(ValidationError, match="autorisé à évaluer"):
        assess(world, assessor=world.members["company_relations"])
    with pytest.raises(ValidationError, match="autorisé à évaluer"):
        assess(world, assessor=world.outsider)
    row = assess(world, assessor=world.members["director"])
    assert row.assessor == world.members["director"]
    assert row.recorded_by == world.members["referent"].user


def test_a_draft_framework_cannot_be_assessed_on(world):
    from parcours.competencies.models import SchoolFramework

    enrolment = new_enrolment(world)
    SchoolFramework.objects.filter(school=world.school).update(framework=world.objects["framework"])
    with pytest.raises(ValidationError, match="brouillon"):
        assess(world, enrolment=enrolment, competency=world.objects["draft_competency"])


def test_add_evidence_appends_to_an_assessment(world):
    row = world.objects["assessment"]
    added = services.add_evidence(
        membership=world.members["director"], assessment=row, url="http://exemple.fr/cv"
    )
    assert [e.kind for e in added] == ["link"]
    assert row.evidence.count() == 2
    with pytest.raises(ValidationError, match="Ajoutez une observation, un lien ou un fichier"):
        services.add_evidence(membership=world.members["director"], assessment=row)


# ------------------------------------------------------------------------------ positioning


def _levels(world, value=2):
    return {c.pk: value for c in competencies_of(world)}


def test_positioning_sets_every_competency_in_one_go(world):
    enrolment = new_enrolment(world)
    rows = services.record_positioning(
        membership=world.members["referent"],
        enrolment=enrolment,
        levels=_levels(world),
        assessed_on=enrolment.entry_date,
    )
    assert len(rows) == len(competencies_of(world)) > 5
    assert {(r.kind, r.context, r.level) for r in rows} == {("positioning", "positioning", 2)}
    assert AuditEvent.objects.filter(action="competencies.positioning").count() == 1


def test_a_second_positioning_is_refused(world):
    before = counts()
    with pytest.raises(ValidationError, match="déjà enregistré"):
        services.record_positioning(
            membership=world.members["referent"],
            enrolment=world.objects["enrolment"],
            levels=_levels(world),
            assessed_on=DAY,
        )
    assert counts() == before


@pytest.mark.parametrize("problem", ["missing", "level", "before_entry", "foreign"])
def test_a_bad_positioning_writes_nothing(world, problem):
    enrolment = new_enrolment(world)
    levels = _levels(world)
    day = enrolment.entry_date
    if problem == "missing":
        levels.pop(next(iter(levels)))
        message = "Indiquez un niveau pour chaque compétence"
    elif problem == "level":
        levels[next(iter(levels))] = 9
        message = "Le niveau doit être compris entre 1 et 4."
    elif problem == "before_entry":
        day = datetime.date(2024, 1, 31)
        message = "ne peut pas précéder l'entrée en parcours (05/02/2024)"
    else:
        levels[world.objects["draft_competency"].pk] = 1
        message = "n'appartient pas au référentiel"
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        services.record_positioning(
            membership=world.members["referent"],
            enrolment=enrolment,
            levels=levels,
            assessed_on=day,
        )
    assert message in " ".join(refusal.value.messages)
    assert counts() == before


# ------------------------------------------------------------------------------ views


@pytest.mark.parametrize("who", ["director", "referent"])
def test_positioning_page_and_post(world, who):
    enrolment = new_enrolment(world)
    client = world.client_for(who)
    response = client.get(url(world, "positioning", enrolment.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "FR1" in text and "Découverte" in text
    assert 'value="2024-02-05"' in response.content.decode()
    data = {f"level_{c.pk}": "3" for c in competencies_of(world)}
    data["assessed_on"] = "2024-02-06"
    response = client.post(url(world, "positioning", enrolment.pk), data)
    assert response.status_code == 302
    assert Assessment.objects.filter(enrolment=enrolment, kind="positioning", level=3).count() == (
        len(competencies_of(world))
    )
    again = client.get(url(world, "positioning", enrolment.pk))
    assert "déjà enregistré" in page_text(again)


def test_positioning_with_a_missing_level_is_400_and_writes_nothing(world):
    enrolment = new_enrolment(world)
    data = {f"level_{c.pk}": "3" for c in competencies_of(world)[1:]}
    data["assessed_on"] = "2024-02-06"
    response = world.client_for("referent").post(url(world, "positioning", enrolment.pk), data)
    assert response.status_code == 400
    assert "Choisissez un niveau." in page_text(response)
    assert not Assessment.objects.filter(enrolment=enrolment).exists()


@pytest.mark.parametrize("who", ["company_relations", "intake"])
def test_who_may_not_assess_gets_403_and_nothing_is_written(world, who):
    enrolment = world.objects["enrolment"]
    before = counts()
    client = world.client_for(who)
    assert client.get(url(world, "trainee", enrolment.pk)).status_code == 200
    for name in ("positioning", "assess"):
        response = client.post(url(world, name, enrolment.pk), {"level": "3"})
        assert response.status_code == 403
    response = client.post(
        url(world, "assessment_correct", enrolment.pk, world.objects["assessment"].pk),
        {"level": "1", "reason": "x"},
    )
    assert response.status_code == 403
    assert counts() == before


def test_outsiders_and_other_school_objects_get_404(world):
    enrolment = world.objects["enrolment"]
    outsider = world.client_for("outsider")
    assert outsider.get(url(world, "trainee", enrolment.pk)).status_code == 404
    assert outsider.post(url(world, "assess", enrolment.pk), {}).status_code == 404
    referent = world.client_for("referent")
    other = world.others
    assert referent.get(url(world, "trainee", other["enrolment"].pk)).status_code == 404
    assert referent.post(url(world, "assess", other["enrolment"].pk), {}).status_code == 404
    # This school's enrolment with the other school's assessment.
    response = referent.post(
        url(world, "assessment_correct", enrolment.pk, other["assessment"].pk),
        {"level": "1", "reason": "x"},
    )
    assert response.status_code == 404
    assert not Assessment.objects.filter(corrects=other["assessment"]).exists()


def _assess_data(world, **changes):
    data = {
        "competency": str(world.objects["competency"].pk),
        "level": "3",
        "context": "internship",
        "assessed_on": "2024-03-11",
        "note": "Bilan du tuteur : ponctuel et attentif aux consignes.",
        "url": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["director", "referent"])
def test_assess_view_records_the_assessment_with_a_file(world, who):
    enrolment = world.objects["enrolment"]
    client = world.client_for(who)
    response = client.get(
        url(world, "assess", enrolment.pk) + f"?competency={world.objects['competency'].pk}"
    )
    assert response.status_code == 200
    assert "Stage en entreprise" in page_text(response)
    data = _assess_data(world, file=pdf())
    response = client.post(url(world, "assess", enrolment.pk), data)
    assert response.status_code == 302
    row = Assessment.objects.latest("id")
    assert (row.level, row.context, row.assessor.user) == (3, "internship", world.members[who].user)
    assert sorted(e.kind for e in row.evidence.all()) == ["file", "note"]
    page = page_text(world.client_for("company_relations").get(url(world, "trainee", enrolment.pk)))
    assert "Bilan du tuteur" in page
    assert "Preuve FR1" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": "7"}, "Choisissez un niveau de l'échelle du référentiel."),
        ({"assessed_on": "2024-01-02"}, "ne peut pas précéder l'entrée en parcours (05/02/2024)"),
        ({"url": "javascript:alert(1)"}, "http:// ou https://"),
        ({"competency": "999999"}, "Choisissez une compétence du référentiel de ce parcours."),
    ],
)
def test_assess_view_bad_input_is_400_and_writes_nothing(world, changes, message):
    before = counts()
    response = world.client_for("referent").post(
        url(world, "assess", world.objects["enrolment"].pk),
        _assess_data(world, file=pdf(), **changes),
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert counts() == before


# ------------------------------------------------------------------------------ corrections


def test_a_correction_is_a_new_row_that_names_the_corrected_one(world):
    old = world.objects["assessment"]
    response = world.client_for("referent").post(
        url(world, "assessment_correct", world.objects["enrolment"].pk, old.pk),
        {
            "level": "3",
            "context": "workshop",
            "assessed_on": "2024-03-06",
            "reason": "Erreur de saisie",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.level == 2  # untouched
    new = Assessment.objects.get(corrects=old)
    assert (new.level, new.correction_reason, new.kind) == (3, "Erreur de saisie", "assessment")
    event = AuditEvent.objects.get(action="competencies.correction")
    assert event.changes["level"] == [2, 3] and event.changes["corrects"] == old.pk
    page = page_text(world.client_for("director").get(url(world, "trainee", old.enrolment_id)))
    assert "corrigée le" in page and "Erreur de saisie" in page


def test_a_correction_needs_a_reason(world):
    old = world.objects["assessment"]
    before = counts()
    response = world.client_for("referent").post(
        url(world, "assessment_correct", old.enrolment_id, old.pk),
        {"level": "3", "context": "workshop", "assessed_on": "2024-03-06", "reason": " "},
    )
    assert response.status_code == 400
    assert "Indiquez le motif de la correction." in page_text(response)
    assert counts() == before
    with pytest.raises(ValidationError, match="Indiquez le motif de la correction"):
        services.correct_assessment(
            membership=world.members["referent"], assessment=old, level=3, reason="  "
        )


def test_correcting_a_corrected_row_points_at_the_newest(world):
    old = world.objects["assessment"]
    first = services.correct_assessment(
        membership=world.members["referent"], assessment=old, level=3, reason="Erreur"
    )
    second = services.correct_assessment(
        membership=world.members["referent"], assessment=first, level=4, reason="Encore"
    )
    before = counts()
    with pytest.raises(ValidationError) as refusal:
        services.correct_assessment(
            membership=world.members["referent"], assessment=old, level=1, reason="Trop tard"
        )
    assert "corrigez la plus récente (niveau 4 du 06/03/2024)" in refusal.value.messages[0]
    assert counts() == before
    assert second.corrects == first
    response = world.client_for("referent").get(
        url(world, "assessment_correct", old.enrolment_id, old.pk)
    )
    assert "déjà été corrigée" in page_text(response)


def test_a_correction_of_a_positioning_stays_a_positioning(world):
    positioning = world.objects["positioning"]
    row = services.correct_assessment(
        membership=world.members["director"],
        assessment=positioning,
        level=2,
        reason="Test de positionnement mal lu",
    )
    assert (row.kind, row.context, row.assessed_on) == (
        "positioning",
        "positioning",
        positioning.assessed_on,
    )


def test_a_correction_that_changes_nothing_is_refused(world):
    old = world.objects["assessment"]
    with pytest.raises(ValidationError, match="ne change ni le niveau"):
        services.correct_assessment(
            membership=world.members["referent"], assessment=old, level=old.level, reason="x"
        )
