"""The trainee page: what each role sees (restricted sections), the audit of restricted reads,
the flags, the timeline, and a constant number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.pathways import services
from parcours.pathways.models import (
    Document,
    EnrolmentFundingLine,
    EnrolmentPhase,
    FundingLine,
    Meeting,
    Plan,
    PlanGoal,
    PlanStep,
    ReferentChange,
    SupportAction,
    TargetJob,
)
from parcours.pathways.services import ensure_phases
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)
from tests.utils import login_client, page_text

SECRETS = ("SECRET-SANTE", "SECRET-CONFIDENTIEL", "SECRET-DOC-SANTE")
READ_ACTION = "restricted.read.trainee_page"


def _url(world, enrolment=None) -> str:
    enrolment = enrolment or world.objects["enrolment"]
    return reverse("pathways:trainee", args=[world.school.slug, enrolment.pk])


def _client_for_membership(membership) -> Client:
    client = Client()
    login_client(client, membership.user)
    return client


def _other_referent(world):
    """A referent of the school who does not follow this enrolment (nothing shared)."""
    return MembershipFactory(
        school=world.school,
        role="referent",
        user=UserFactory(email="autre.referent@alpha.example.org", last_name="Autrereferent"),
    )


def _reads() -> int:
    return AuditEvent.objects.filter(action=READ_ACTION).count()


def _section(text: str, heading: str, next_heading: str) -> str:
    start = text.index(heading)
    return text[start : text.index(next_heading, start)]


# ------------------------------------------------------------------------------ access


@pytest.mark.parametrize("who", ["director", "referent"])
def test_referent_and_director_see_restricted_content_and_the_read_is_audited(world, who):
    before = _reads()
    response = world.client_for(who).get(_url(world))
    assert response.status_code == 200
    text = page_text(response)
    for secret in SECRETS:
        assert secret in text, f"{who} should see {secret}"
    assert "Compte rendu confidentiel" not in _section(
        text, "Derniers entretiens", "Accompagnement"
    )
    assert _reads() == before + 1
    event = AuditEvent.objects.filter(action=READ_ACTION).first()
    assert event.actor == world.members[who].user
    assert event.object_id == str(world.objects["enrolment"].pk)
    assert event.school == world.school


@pytest.mark.parametrize("who", ["other_referent", "intake", "company_relations"])
def test_other_staff_see_no_restricted_content(world, who):
    membership = _other_referent(world) if who == "other_referent" else world.members[who]
    before = _reads()
    response = _client_for_membership(membership).get(_url(world))
    assert response.status_code == 200
    text = page_text(response)
    for secret in SECRETS:
        assert secret not in text, f"{who} must not see {secret}"
    # The confidential meeting is listed, its summary replaced.
    assert "Compte rendu confidentiel" in _section(text, "Derniers entretiens", "Documents")
    assert "Point d'étape : assiduité correcte." in text
    # The mobility action is for the staff who follow trainees (not company relations, who
    # see no social support at all); the CV is for every member of staff.
    if who == "company_relations":
        assert "Demande d'aide au permis de conduire." not in text
        assert "Accompagnement social" not in text
    else:
        assert "Demande d'aide au permis de conduire." in text
    assert "CV de Léa" in text
    assert "Accès restreint" not in text
    assert _reads() == before  # nothing restricted was shown: nothing to audit


def test_intake_gets_no_hint_of_a_health_action(world):
    text = page_text(world.client_for("intake").get(_url(world)))
    support = _section(text, "Accompagnement social en cours", "Documents")
    assert "Mobilité" in support
    assert "Santé" not in support
    assert "Santé" not in text
    assert "santé" not in text


def test_a_share_lets_another_referent_read_the_restricted_content(world):
    colleague = _other_referent(world)
    client = _client_for_membership(colleague)
    assert "SECRET-SANTE" not in page_text(client.get(_url(world)))
    services.share_restricted(
        membership=world.members["referent"],
        enrolment=world.objects["enrolment"],
        with_membership=colleague,
    )
    before = _reads()
    text = page_text(client.get(_url(world)))
    for secret in SECRETS:
        assert secret in text
    assert _reads() == before + 1
    assert AuditEvent.objects.filter(action=READ_ACTION).first().actor == colleague.user


def test_company_relations_never_read_restricted_content_even_if_shared(world):
    """A share with company relations is refused by the service, and would not count anyway."""
    from parcours.pathways.models import RestrictedShare

    RestrictedShare.objects.create(
        school=world.school,
        enrolment=world.objects["enrolment"],
        membership=world.members["company_relations"],
        granted_by=world.members["director"].user,
    )
    text = page_text(world.client_for("company_relations").get(_url(world)))
    for secret in SECRETS:
        assert secret not in text


def test_outsider_gets_404_and_partners_get_403(world):
    assert world.client_for("outsider").get(_url(world)).status_code == 404
    assert world.client_for("prescriber").get(_url(world)).status_code == 403
    assert world.client_for("funder").get(_url(world)).status_code == 403
    anonymous = world.client_for("anonymous").get(_url(world))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_another_schools_enrolment_is_404(world):
    response = world.client_for("director").get(_url(world, world.others["enrolment"]))
    assert response.status_code == 404
    assert _reads() == 0


# ----------------------------------------------------------------------------- content


def test_identity_contact_and_pathway_facts(world):
    enrolment = world.objects["enrolment"]
    person = enrolment.person
    person.phone = "+33612345678"
    person.save()
    line = FundingLine.objects.get(code="plie")
    EnrolmentFundingLine.objects.create(school=world.school, enrolment=enrolment, funding_line=line)
    text = page_text(world.client_for("company_relations").get(_url(world)))
    today = timezone.localdate()
    assert "Léa" in text and person.last_name in text
    assert f"17/05/2000 ({person.age_on(today)} ans)" in text
    assert "06 12 34 56 78" in text
    assert person.email in text
    assert "Site Alpha" in text
    assert world.members["referent"].user.get_full_name() in text
    assert "05/02/2024" in text and "05/08/2024" in text
    assert "Construction du projet professionnel" in _section(text, "Phase en cours", "Site")
    assert line.name in _section(text, "Dispositifs de financement", "Phases")
    # The professional project of the current plan.
    project = _section(text, "Projet professionnel", "Derniers entretiens")
    assert "Préparateur de commandes (code ROME N1103)" in project
    assert "Obtenir le CACES 1" in project and "01/05/2024" in project and "À faire" in project


def test_phase_history_with_durations(world):
    text = re.sub(r"<[^>]+>", " ", page_text(world.client_for("intake").get(_url(world))))
    phases = _section(text, "Historique des phases", "Projet professionnel")
    today = timezone.localdate()
    current_days = (today - datetime.date(2024, 3, 4)).days
    assert re.search(r"Intégration et positionnement\s+05/02/2024\s+04/03/2024\s+28\b", phases)
    assert re.search(
        rf"Construction du projet professionnel\s+04/03/2024\s+en cours\s+{current_days}\b", phases
    )
    # The current phase comes first.
    assert phases.index("Construction") < phases.index("Intégration")


def test_flags_overdue_and_maximum_length(world):
    client = world.client_for("referent")
    # The world's enrolment started in 2024: past its planned end and past 9 months.
    text = page_text(client.get(_url(world)))
    assert "Durée maximale dépassée" in text
    assert "en retard" in text

    today = timezone.localdate()
    recent = EnrolmentFactory(
        school=world.school,
        site=world.site,
        referent=world.members["referent"],
        entry_date=today - datetime.timedelta(days=30),
        planned_end_date=today + datetime.timedelta(days=150),
    )
    text = page_text(client.get(_url(world, recent)))
    assert "en retard" not in text.lower()
    assert "Durée maximale dépassée" not in text

    late = EnrolmentFactory(
        school=world.school,
        site=world.site,
        entry_date=today - datetime.timedelta(days=200),
        planned_end_date=today - datetime.timedelta(days=10),
    )
    text = page_text(client.get(_url(world, late)))
    assert "En retard" in text
    assert "Durée maximale dépassée" not in text
    assert "aucun·e" in text  # no referent


def test_closed_enrolment_shows_its_end_and_no_flag(world):
    enrolment = world.objects["enrolment"]
    enrolment.status = "exited"
    enrolment.ended_on = datetime.date(2024, 9, 30)
    enrolment.save()
    text = page_text(world.client_for("referent").get(_url(world)))
    assert "Parcours terminé le 30/09/2024." in text
    assert "Durée maximale dépassée" not in text
    assert "Changer de phase" not in text
    assert "Sortie du parcours" in text


def test_latest_five_meetings_only(world):
    enrolment = world.objects["enrolment"]
    author = world.members["referent"].user
    Meeting.objects.bulk_create(
        Meeting(
            school=world.school,
            enrolment=enrolment,
            held_on=datetime.date(2024, 4, day),
            kind="follow_up",
            summary=f"Suivi numéro {day:02d}",
            author=author,
        )
        for day in range(1, 8)
    )
    text = page_text(world.client_for("director").get(_url(world)))
    meetings = _section(text, "Derniers entretiens", "Accompagnement social")
    for day in range(3, 8):
        assert f"Suivi numéro {day:02d}" in meetings
    assert "Suivi numéro 02" not in meetings
    assert "Point d'étape" not in meetings
    # ... but the timeline has them all.
    assert "Suivi numéro 01" in _section(text, "Chronologie", "Parcours — système")


def test_closed_support_actions_are_not_in_the_open_list(world):
    action = world.objects["support_action"]
    action.closed_on = datetime.date(2024, 3, 1)
    action.save()
    text = page_text(world.client_for("intake").get(_url(world)))
    support = _section(text, "Accompagnement social en cours", "Documents")
    assert "Demande d'aide au permis" not in support
    assert "Aucune action d'accompagnement en cours." in support


def test_timeline_newest_first(world):
    text = page_text(world.client_for("director").get(_url(world)))
    timeline = _section(text, "Chronologie", "Parcours — système")
    order = [
        "Phase : Construction du projet professionnel",  # 04/03/2024
        "SECRET-CONFIDENTIEL",  # 01/03/2024
        "Point d'étape",  # 20/02/2024
        "Accompagnement : Mobilité",  # 14/02/2024
        "Accompagnement : Santé",  # 12/02/2024
        "Phase : Intégration et positionnement",  # 05/02/2024
        "Entrée en parcours",  # 05/02/2024, before its first phase
    ]
    positions = [timeline.index(marker) for marker in order]
    assert positions == sorted(positions)
    # Uploads and plan versions are dated the day they were recorded (today): on top.
    assert timeline.index("Document : CV de Léa") < positions[0]
    assert timeline.index("Plan individuel, version 1") < positions[0]


def test_timeline_says_who_changed_the_referent(world):
    enrolment = world.objects["enrolment"]
    new = MembershipFactory(
        school=world.school, role="referent", user=UserFactory(last_name="Nouvellereferente")
    )
    from parcours.pathways.services import reassign

    reassign(membership=world.members["director"], enrolments=[enrolment], referent=new)
    text = page_text(world.client_for("intake").get(_url(world)))
    timeline = _section(text, "Chronologie", "Parcours — système")
    assert f"Nouveau référent : {new.user.get_full_name()}" in timeline
    assert world.members["director"].user.get_full_name() in timeline


@pytest.mark.parametrize("who", ["director", "referent"])
def test_action_links_for_those_who_manage_the_pathway(world, who):
    enrolment = world.objects["enrolment"]
    content = world.client_for(who).get(_url(world)).content.decode()
    slug = world.school.slug
    for name in (
        "pathways:phase_move",
        "pathways:plan_edit",
        "pathways:meeting_create",
        "pathways:support_create",
        "pathways:document_upload",
        "pathways:share",
    ):
        assert f'href="{reverse(name, args=[slug, enrolment.pk])}"' in content, name


@pytest.mark.parametrize("who", ["intake", "company_relations"])
def test_no_action_links_for_the_others(world, who):
    enrolment = world.objects["enrolment"]
    content = world.client_for(who).get(_url(world)).content.decode()
    slug = world.school.slug
    for name in ("pathways:phase_move", "pathways:plan_edit", "pathways:meeting_create"):
        assert reverse(name, args=[slug, enrolment.pk]) not in content, name
    # Reading links stay (social support: not for company relations).
    assert reverse("pathways:plan", args=[slug, enrolment.pk]) in content
    support = reverse("pathways:support", args=[slug, enrolment.pk])
    assert (support in content) == (who != "company_relations")


def test_share_link_only_for_the_enrolments_referent_and_the_director(world):
    enrolment = world.objects["enrolment"]
    share_url = reverse("pathways:share", args=[world.school.slug, enrolment.pk])
    other = _client_for_membership(_other_referent(world))
    content = other.get(_url(world)).content.decode()
    assert share_url not in content
    assert reverse("pathways:phase_move", args=[world.school.slug, enrolment.pk]) in content


def test_a_trainee_without_plan_phases_or_follow_up(world):
    bare = EnrolmentFactory(
        school=world.school,
        site=world.site,
        person=PersonFactory(school=world.school, last_name="Sansrien", phone=""),
    )
    response = world.client_for("referent").get(_url(world, bare))
    assert response.status_code == 200
    text = page_text(response)
    assert "Pas encore de plan individuel." in text
    assert "Aucun entretien enregistré." in text
    assert "Aucune phase enregistrée." in text
    assert "Aucun document déposé." in text
    assert "Établir le plan" in text


# ------------------------------------------------------------------------------ queries


def _add_thirty_of_everything(world) -> None:
    enrolment = world.objects["enrolment"]
    author = world.members["referent"].user
    school = world.school
    phases = ensure_phases(school)
    day = datetime.date(2024, 2, 5)
    Meeting.objects.bulk_create(
        Meeting(
            school=school,
            enrolment=enrolment,
            held_on=day + datetime.timedelta(days=i),
            kind="follow_up",
            summary=f"Entretien {i}",
            confidential=i % 3 == 0,
            author=author,
        )
        for i in range(30)
    )
    SupportAction.objects.bulk_create(
        SupportAction(
            school=school,
            enrolment=enrolment,
            domain="health" if i % 3 == 0 else "housing",
            description=f"Action {i}",
            opened_on=day + datetime.timedelta(days=i),
            author=author,
        )
        for i in range(30)
    )
    Document.objects.bulk_create(
        Document(
            school=school,
            enrolment=enrolment,
            kind="health" if i % 3 == 0 else "other",
            title=f"Document {i}",
            file=f"documents/{school.pk}/fichier{i}",
            original_name=f"fichier{i}.pdf",
            content_type="application/pdf",
            size=100,
            uploaded_by=author,
        )
        for i in range(30)
    )
    EnrolmentPhase.objects.bulk_create(
        EnrolmentPhase(
            school=school,
            enrolment=enrolment,
            phase=phases[i % len(phases)],
            started_on=day,
            ended_on=day + datetime.timedelta(days=i),
            moved_by=author,
        )
        for i in range(30)
    )
    ReferentChange.objects.bulk_create(
        ReferentChange(
            school=school,
            enrolment=enrolment,
            previous=world.members["referent"],
            new=world.members["director"],
            changed_by=author,
        )
        for _ in range(30)
    )
    plans = Plan.objects.bulk_create(
        Plan(
            school=school,
            enrolment=enrolment,
            version=i,
            project=f"Projet {i}",
            review_note="Bilan",
            created_by=author,
        )
        for i in range(2, 32)
    )
    for plan in plans[-1:] + plans[:5]:
        TargetJob.objects.bulk_create(
            TargetJob(plan=plan, title=f"Métier {i}", rome_code="N1103") for i in range(30)
        )
        PlanGoal.objects.bulk_create(PlanGoal(plan=plan, title=f"Objectif {i}") for i in range(30))
        PlanStep.objects.bulk_create(
            PlanStep(plan=plan, description=f"Étape {i}") for i in range(30)
        )
    EnrolmentFundingLine.objects.bulk_create(
        EnrolmentFundingLine(school=school, enrolment=enrolment, funding_line=line)
        for line in FundingLine.objects.all()
    )


#: The trainee page's queries (director, the most): session, user, membership, the enrolment,
#: phases, meetings, support actions, documents, plans and their 3 lists, referent changes,
#: funding lines, entry situation, the competency chart (assessment rows, the framework's
#: competencies and scale), the attendance rates (one aggregate), then the audit event of the
#: restricted read (its actor and school, the insert in a savepoint) and the session update.
#: +1: the "Stages en entreprise" section (companies.internship_tags); +1: the second factor's
#: device of a verified session (django-otp's middleware loads it on each request); +1: the
#: legal hold (director).
MAX_QUERIES = 28
# +2 for the direction: the person's requests and notices (people.templatetags.rights_tags)
MAX_QUERIES += 2


@pytest.mark.parametrize("who", ["director", "company_relations", "other_referent"])
def test_constant_number_of_queries(world, who, django_assert_max_num_queries):
    membership = _other_referent(world) if who == "other_referent" else world.members[who]
    client = _client_for_membership(membership)
    client.get(_url(world))  # warm up (session, content types)
    with CaptureQueriesContext(connection) as base:
        assert client.get(_url(world)).status_code == 200
    _add_thirty_of_everything(world)
    with (
        django_assert_max_num_queries(MAX_QUERIES),
        CaptureQueriesContext(connection) as loaded,
    ):
        response = client.get(_url(world))
    assert response.status_code == 200
    assert "Entretien 29" in page_text(response)
    assert len(loaded) == len(base), [q["sql"][:120] for q in loaded.captured_queries]
