"""Company objects of the test world, for both schools: a partner company with a contact who
is tutor and signatory, a history entry, a finished internship of the world's trainee with its
signatures, goal, tutor review (a competency observed) and private tutor link, and a hire."""

from __future__ import annotations

import datetime
import hashlib

from django.utils import timezone

from parcours.companies.models import (
    AgreementSignature,
    Company,
    CompanyEvent,
    Contact,
    Hire,
    Internship,
    InternshipGoal,
    ReviewCompetency,
    TutorLink,
    TutorReview,
)
from parcours.competencies.models import Competency
from parcours.people.models import LegalGuardian

INTERNSHIP_START = datetime.date(2024, 4, 8)  # a Monday, in the world enrolment's pathway
INTERNSHIP_END = datetime.date(2024, 4, 19)
#: The private token of the world's tutor link (its SHA-256 is stored), per school slug.
TUTOR_TOKENS: dict[str, str] = {}


def _build(school, author, objects: dict) -> None:
    enrolment = objects["enrolment"]
    company = Company.objects.create(
        school=school,
        name=f"Logistique Arverne {school.slug}",
        siret="73282932000074",
        naf_code="52.10B",
        sector="logistics",
        size="medium",
        address="12 rue de l'Industrie",
        postcode="63000",
        commune="Clermont-Ferrand",
        created_by=author,
    )
    tutor = Contact.objects.create(
        school=school,
        company=company,
        last_name="Tuteur",
        first_name="Marc",
        job_title="Chef d'équipe",
        email=f"tuteur@{school.slug}.example",
        is_tutor=True,
        is_signatory=True,
    )
    event = CompanyEvent.objects.create(
        school=school,
        company=company,
        kind="visit",
        happened_on=datetime.date(2024, 3, 15),
        contact=tutor,
        summary="Visite de l'entrepôt, deux places de stage possibles.",
        recorded_by=author,
    )
    internship = Internship.objects.create(
        school=school,
        enrolment=enrolment,
        company=company,
        tutor=tutor,
        signatory=tutor,
        job_title="Préparateur de commandes",
        rome_code="N1103",
        start_date=INTERNSHIP_START,
        end_date=INTERNSHIP_END,
        weekly_hours=35,
        schedule="Du lundi au vendredi, 8 h – 12 h et 13 h – 16 h",
        tasks="Préparation de commandes, réception de marchandises.",
        created_by=author,
    )
    competency = Competency.objects.filter(framework__school__isnull=True).order_by("pk").first()
    InternshipGoal.objects.create(
        school=school, internship=internship, competency=competency, description="Ponctualité"
    )
    for role, name in (
        ("school", "Directrice"),
        ("trainee", enrolment.person.full_name),
        ("company", tutor.full_name),
    ):
        AgreementSignature.objects.create(
            school=school,
            internship=internship,
            role=role,
            signer_name=name,
            signed_on=datetime.date(2024, 4, 2),
            recorded_by=author,
        )
    review = TutorReview.objects.create(
        school=school,
        internship=internship,
        punctuality=4,
        attitude=3,
        tasks_mastered="Préparation de commandes.",
        would_hire="yes",
        comments="Très bon stage.",
        reviewer_name=tutor.full_name,
        source="call",
        recorded_by=author,
    )
    observed = ReviewCompetency.objects.create(
        school=school, review=review, competency=competency, level=3
    )
    token = f"jeton-tuteur-{school.slug}"
    TUTOR_TOKENS[school.slug] = token
    link = TutorLink.objects.create(
        school=school,
        internship=internship,
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        sent_to=tutor.email,
        created_by=author,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    link.token = token  # not stored: for the URL tables (``tutor_token``)
    hire = Hire.objects.create(
        school=school,
        enrolment=enrolment,
        company=company,
        internship=internship,
        contract_type="cdd",
        months=6,
        job_title="Préparateur de commandes",
        start_date=datetime.date(2024, 7, 1),
        recorded_by=author,
    )
    guardian = LegalGuardian.objects.create(
        school=school,
        person=enrolment.person,
        relation="mother",
        last_name=enrolment.person.last_name,
        first_name="Sophie",
    )
    objects.update(
        guardian=guardian,
        agreement_signature=internship.signatures.order_by("pk").first(),
        company=company,
        contact=tutor,
        company_event=event,
        internship=internship,
        tutor_review=review,
        review_competency=observed,
        tutor_link=link,
        hire=hire,
    )


def build_companies_world(world) -> None:
    _build(world.school, world.members["company_relations"].user, world.objects)
    _build(world.other_school, world.outsider.user, world.others)
